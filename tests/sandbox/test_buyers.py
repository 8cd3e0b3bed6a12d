"""Simulated buyers make the world move by itself."""

from __future__ import annotations

import time

from desktop_app.sandbox.server import SandboxOptions, start_sandbox

from .conftest import DEMO, Api


def test_simulated_buyers_act_now_and_then() -> None:
    changed: list[dict[str, object]] = []
    with (start_sandbox(SandboxOptions(orders=10, simulate_buyers=40)) as running,
          Api(running.url, *DEMO) as api):
        _, cursor = api.feed_all()
        deadline = time.monotonic() + 20
        while len(changed) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
            more, cursor = api.feed_all(cursor)
            changed += more
    assert len(changed) >= 3
