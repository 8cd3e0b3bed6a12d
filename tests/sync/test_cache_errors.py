"""When the cache itself fails (a full disk), the operator is told what to do, nothing queued
is lost, and sync carries on once the disk has room again."""

from __future__ import annotations

import queue
import time

from desktop_app.domain import SendMessage, utc_now
from desktop_app.platform import PlatformClient
from desktop_app.store import OperationState, OrderQuery, Store
from desktop_app.sync import SyncEngine, SyncEvent, SyncStateChanged

from .conftest import fast_engine
from .sandbox import SandboxControl


def _page_count(store: Store) -> int:
    with store.read() as conn:
        return int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())


def _limit_pages(store: Store, pages: int) -> None:
    """SQLite's own ceiling on the file: past it, writes fail as on a full disk."""
    with store.read() as conn:
        conn.exec_driver_sql(f"PRAGMA max_page_count = {pages}").all()


def _next_error(events: queue.Queue[SyncEvent], timeout: float = 20.0) -> str:
    while True:
        event = events.get(timeout=timeout)
        if isinstance(event, SyncStateChanged) and event.error:
            return event.error


def test_a_full_disk_is_told_plainly_and_sync_resumes_when_there_is_room(
    store: Store, client: PlatformClient, control: SandboxControl
) -> None:
    engine: SyncEngine = fast_engine(store, client, pull_interval=0.2)
    assert engine.run_once().ok
    row = store.list_orders(OrderQuery(), 0, 1, utc_now())[0]
    entry = store.enqueue(row.id, SendMessage("Still on it"), utc_now())
    control.new_orders(count=300)  # more than the file may grow by
    _limit_pages(store, _page_count(store))
    events: queue.Queue[SyncEvent] = queue.Queue()
    engine.subscribe(events.put)
    engine.start()
    try:
        problem = _next_error(events)
        assert "disk" in problem and "full" in problem and "nothing queued is lost" in problem
        assert engine.last_error == problem
        _limit_pages(store, 1_073_741_823)  # room again
        engine.sync_now()
        deadline = time.monotonic() + 20

        def caught_up() -> bool:
            applied = store.operation(entry.id).state is OperationState.APPLIED
            return applied and store.order_count() == 340

        while not caught_up() and time.monotonic() < deadline:
            events.get(timeout=20)
    finally:
        engine.stop()
    assert caught_up() and engine.last_error is None
    control.assert_no_key_applied_twice()
