"""Injected faults on /v1 (never on /_sandbox): latency, 503s, dropped connections (half of
them after the write was applied) and the per-token rate limit."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from desktop_app.sandbox.control import SandboxControl, SandboxControlError

from .conftest import DEMO, Api, problem


def test_settings_are_echoed_and_checked(control: SandboxControl) -> None:
    assert control.set_faults(latency_ms=5, error_rate=0.1, drop_rate=0.2, rate_limit_per_s=3) == {
        "latency_ms": 5,
        "error_rate": 0.1,
        "drop_rate": 0.2,
        "rate_limit_per_s": 3.0,
    }
    with pytest.raises(SandboxControlError, match="validation-failed"):
        control.set_faults(error_rate=1.5)


def test_errors_are_503_with_retry_after_and_spare_the_control(
    demo: Api, control: SandboxControl
) -> None:
    control.set_faults(error_rate=1)
    answer = demo.get("/v1/orders")
    problem(answer, 503, "unavailable")
    assert answer.headers["Retry-After"] == "1"
    assert control.ledger() is not None  # /_sandbox is never faulted
    control.clear_faults()
    assert demo.get("/v1/orders", limit=1).status_code == 200


def test_latency(demo: Api, control: SandboxControl) -> None:
    control.set_faults(latency_ms=300)
    started = time.monotonic()
    assert demo.get("/v1/orders", limit=1).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_the_rate_limit_is_a_token_bucket_per_access_token(
    sandbox: Any, demo: Api, control: SandboxControl
) -> None:
    with Api(sandbox.url, *DEMO) as other:
        control.set_faults(rate_limit_per_s=2)  # burst 2
        assert [demo.get("/v1/orders", limit=1).status_code for _ in range(2)] == [200, 200]
        limited = demo.get("/v1/orders", limit=1)
        body = problem(limited, 429, "rate-limited")
        assert int(limited.headers["Retry-After"]) >= 1
        assert body["detail"]
        assert other.get("/v1/orders", limit=1).status_code == 200  # a bucket of its own
        time.sleep(0.6)  # refills at 2 per second
        assert demo.get("/v1/orders", limit=1).status_code == 200


def test_a_drop_closes_the_connection_without_an_answer(demo: Api, control: SandboxControl) -> None:
    control.set_faults(drop_rate=1)
    with pytest.raises(httpx.RemoteProtocolError):
        demo.get("/v1/orders", limit=1)
    control.clear_faults()
    assert demo.get("/v1/orders", limit=1).status_code == 200  # and the client goes on


def test_half_of_the_drops_happen_after_the_write_and_keys_make_retries_safe(
    demo: Api, control: SandboxControl, new_order: Callable[..., dict[str, Any]]
) -> None:
    order = new_order()
    keys = [f"drop-{uuid.uuid4()}" for _ in range(24)]
    control.set_faults(drop_rate=1)
    for key in keys:
        with pytest.raises(httpx.TransportError):
            demo.act(order, "messages", {"text": key}, key=key)
    applied_while_dropping = {e["idempotency_key"] for e in control.ledger()} & set(keys)
    assert 0 < len(applied_while_dropping) < len(keys)  # some after, some before
    control.clear_faults()
    for key in keys:
        answer = demo.act(order, "messages", {"text": key}, key=key)
        assert answer.status_code == 201
        replayed = answer.headers.get("Idempotent-Replayed") == "true"
        assert replayed == (key in applied_while_dropping)
    ledger_keys = [e["idempotency_key"] for e in control.ledger()]
    assert all(ledger_keys.count(key) == 1 for key in keys)
    thread = demo.get(f"/v1/orders/{order['id']}/messages", limit=500).json()["messages"]
    assert sorted(m["text"] for m in thread if m["text"] in keys) == sorted(keys)
