"""Running the sandbox: in-process (start/stop leave nothing behind) and as its own process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from desktop_app.sandbox.server import SandboxOptions, start_sandbox

from .conftest import DEMO, Api, problem

ROOT = Path(__file__).resolve().parents[2]


def test_start_and_stop_leave_no_thread_or_socket_behind() -> None:
    before = {t.ident for t in threading.enumerate()}
    with start_sandbox(SandboxOptions(orders=3)) as running:
        assert running.url == f"http://127.0.0.1:{running.port}"
        with Api(running.url, *DEMO) as api:  # exercise the worker threads too
            assert api.get("/v1/orders").status_code == 200
        port = running.port
    running.stop()  # stopping twice is harmless
    assert {t.ident for t in threading.enumerate()} <= before
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # the port is free again


def test_two_sandboxes_side_by_side() -> None:
    with (
        start_sandbox(SandboxOptions(orders=2, seed=1)) as one,
        start_sandbox(SandboxOptions(orders=2, seed=2)) as two,
    ):
        assert one.url != two.url
        with Api(one.url, *DEMO) as a, Api(two.url, *DEMO) as b:
            assert a.feed_all()[0] != b.feed_all()[0]


def test_a_taken_port_is_refused_at_once() -> None:
    with start_sandbox(SandboxOptions(orders=1)) as running, pytest.raises(OSError):
        start_sandbox(SandboxOptions(orders=1), port=running.port)


def test_without_control_the_control_endpoints_are_404() -> None:
    with start_sandbox(SandboxOptions(orders=1, control=False)) as running:
        problem(httpx.get(f"{running.url}/_sandbox/clock"), 404, "not-found")
        problem(httpx.post(f"{running.url}/_sandbox/reset", json={}), 404, "not-found")
        assert httpx.get(f"{running.url}/openapi.json").status_code == 200


@contextmanager
def standalone(*args: str) -> Iterator[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop_app.sandbox",
            "--port",
            "0",
            "--log-level",
            "warning",
            *args,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("orderdesk-sandbox listening on "), line
        url = line.rsplit(" ", 1)[1].strip()
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/openapi.json", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the sandbox did not come up"
                time.sleep(0.05)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stdout:
                process.stdout.close()
            if process.stderr:
                process.stderr.close()


def test_the_standalone_process_serves_until_told_to_stop(tmp_path: Path) -> None:
    db = tmp_path / "standalone.sqlite"
    with standalone("--control", "--orders", "5", "--seed", "7", "--db", str(db)) as url:
        with Api(url, *DEMO) as api:
            orders, _ = api.feed_all()
            assert len(orders) == 5
        assert httpx.get(f"{url}/_sandbox/ledger").json() == {"entries": []}
    with standalone("--db", str(db)) as url, Api(url, *DEMO) as api:  # the world is kept
        assert [o["id"] for o in api.feed_all()[0]] == [o["id"] for o in orders]
        problem(httpx.get(f"{url}/_sandbox/ledger"), 404, "not-found")


def test_the_command_line_refuses_nonsense() -> None:
    answer = subprocess.run(
        [sys.executable, "-m", "desktop_app.sandbox", "--token-ttl", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert answer.returncode == 2
    assert "--token-ttl" in answer.stderr
