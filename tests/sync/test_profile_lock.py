"""One sync at a time per profile: the window and a command line never sync it together."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from desktop_app.domain import SendMessage, utc_now
from desktop_app.platform import PlatformClient
from desktop_app.store import OrderQuery, OrderView, Store
from desktop_app.sync import SyncEngine, SyncEvent, SyncStateChanged
from desktop_app.sync.lock import ProfileLock, lock_path_for

from .conftest import fast_engine
from .sandbox import SandboxControl


@contextmanager
def _holder(lock_file: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process that takes the profile lock, says so, and keeps it until killed."""
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from desktop_app.sync.lock import ProfileLock
        lock = ProfileLock(Path({str(lock_file)!r}))
        assert lock.acquire(10)
        print("locked", flush=True)
        time.sleep(600)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    try:
        assert process.stdout.readline().strip() == "locked"
        yield process
    finally:
        process.kill()
        process.wait(10)
        process.stdout.close()


def _kill(process: subprocess.Popen[str]) -> None:
    process.kill()  # SIGKILL on POSIX: no cleanup runs in the holder
    process.wait(10)


@contextmanager
def _running(engine: SyncEngine) -> Iterator[SyncEngine]:
    engine.start()
    try:
        yield engine
    finally:
        engine.stop()


def test_the_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3.sync-lock"
    first, second = ProfileLock(path), ProfileLock(path)
    assert first.acquire()
    assert not second.acquire(timeout=0.2)
    assert second.holder_pid() is not None
    first.release()
    assert second.acquire()
    second.release()


def test_a_killed_holder_leaves_the_profile_unlocked(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3.sync-lock"
    with _holder(path) as holder:
        lock = ProfileLock(path)
        assert not lock.acquire(timeout=0.2)
        _kill(holder)
        assert lock.acquire(timeout=5)
        lock.release()


def test_a_sync_waits_while_another_process_syncs_the_profile(
    store: Store, client: PlatformClient, control: SandboxControl
) -> None:
    engine = fast_engine(store, client)
    events: list[SyncEvent] = []
    engine.subscribe(events.append)
    with _holder(lock_path_for(store.path)) as holder:
        report = engine.run_once(lock_timeout=0.3)
        assert report.pull is None and report.pull_error is not None
        assert f"process {holder.pid}" in report.pull_error
        assert store.is_empty()  # nothing was pulled while the other process held the lock
        assert not engine.drain(timeout=0.3)
        assert engine.last_error is not None and "syncing this profile" in engine.last_error
        states = [e for e in events if isinstance(e, SyncStateChanged)]
        assert states and states[-1].error == engine.last_error
        assert states[-1].standby  # a wait for its turn, not a fault
    assert engine.drain(timeout=30)
    assert not store.is_empty()
    states = [e for e in events if isinstance(e, SyncStateChanged)]
    assert states[-1].error is None


def test_a_running_engine_takes_its_turn_when_the_other_process_is_done(
    store: Store, client: PlatformClient, control: SandboxControl
) -> None:
    SyncEngine(store, client).run_once()
    row = store.list_orders(OrderQuery(view=OrderView.PENDING_DELIVERY), 0, 1, utc_now())[0]
    engine = fast_engine(store, client, push_interval=0.1)
    with _holder(lock_path_for(store.path)) as holder, _running(engine):
        entry = store.enqueue(row.id, SendMessage("Sent once the other process is done"), utc_now())
        engine.push_now()
        time.sleep(1.0)
        assert store.operation(entry.id).attempts == 0  # waiting: the other process syncs
        _kill(holder)
        deadline = time.monotonic() + 20
        while store.operation(entry.id).state.value != "applied":
            if time.monotonic() > deadline:
                pytest.fail(f"not sent after the lock was free: {store.operation(entry.id)}")
            time.sleep(0.05)
        keys = control.assert_no_key_applied_twice()
        assert keys[entry.idempotency_key] == 1
