"""Pull against the real sandbox: the whole feed, then only what changed; 410; set-asides."""

from __future__ import annotations

import threading
import time

from desktop_app.domain import SendMessage, order_to_wire, utc_now
from desktop_app.platform import PlatformClient
from desktop_app.store import OrderQuery, OrderView, Store
from desktop_app.sync import MessagesChanged, OrdersChanged, SyncEngine, SyncEvent, SyncProgress
from desktop_app.sync.events import EventBus
from desktop_app.sync.pull import Puller

from .sandbox import SandboxControl


def test_first_sync_stores_every_order_and_the_cursor(
    store: Store, engine: SyncEngine, control: SandboxControl
) -> None:
    events: list[SyncEvent] = []
    engine.subscribe(events.append)
    report = engine.run_once()
    assert report.ok and report.pull is not None and report.pull.complete
    platform = control.all_orders()
    invalid = store.sync_status().invalid_orders
    assert store.count_orders(OrderQuery(), utc_now()) + invalid >= len(platform)
    assert store.feed_cursor()
    assert not store.in_bulk_load() and store.search_backlog() == 0
    for order_id, order in platform.items():
        cached = store.get_order(order_id)
        assert cached is not None
        assert order_to_wire(cached) == order_to_wire(order)
    assert any(isinstance(e, OrdersChanged) for e in events)
    assert any(isinstance(e, SyncProgress) and e.total_estimate is None for e in events)
    assert store.sync_status().last_success_at is not None
    assert store.sync_status().initial_sync_done


def test_second_pull_brings_only_what_changed(
    store: Store, engine: SyncEngine, control: SandboxControl
) -> None:
    engine.run_once()
    pending = store.list_orders(OrderQuery(view=OrderView.PENDING_DELIVERY), 0, 2, utc_now())
    target = pending[0].id
    control.buyer(target, "request-refund", {"reason": "Changed my mind"})
    report = engine.run_once()
    assert report.pull is not None
    assert report.pull.changed == [target]
    cached = store.get_order(target)
    assert cached is not None and cached.pending_refund is not None
    assert (
        store.count_orders(
            OrderQuery(view=OrderView.REFUND_REQUESTS, search=pending[0].number), utc_now()
        )
        == 1
    )


def test_an_expired_cursor_resyncs_from_the_start_and_keeps_the_outbox(
    store: Store, engine: SyncEngine, control: SandboxControl
) -> None:
    engine.run_once()
    row = store.list_orders(OrderQuery(view=OrderView.PENDING_DELIVERY), 0, 1, utc_now())[0]
    entry = store.enqueue(row.id, SendMessage("Hello again"), utc_now())
    store.set_state({"cursor": "not-a-cursor-the-platform-knows"})
    events: list[SyncEvent] = []
    engine.subscribe(events.append)
    report = engine.run_once()
    assert report.pull is not None and report.pull.restarted and report.pull.complete
    assert store.operation(entry.id).state.value == "applied"
    assert report.pull.orders >= store.count_orders(OrderQuery(), utc_now())


def test_orders_failing_validation_are_set_aside_with_their_reason(
    store: Store, engine: SyncEngine, client: PlatformClient
) -> None:
    engine.run_once()
    page = client.changes(None)
    invalid = store.invalid_orders()
    assert len(invalid) == store.sync_status().invalid_orders
    for item in invalid:
        assert item.reason
        assert store.get_order(item.order_id) is None
    assert {item.order_id for item in invalid} >= {i.order_id for i in page.invalid if i.order_id}


def test_a_conversation_is_fetched_on_request_and_kept_up_to_date(
    store: Store, engine: SyncEngine, control: SandboxControl
) -> None:
    engine.run_once()  # messages_per_cycle=0: no conversation fetched in the background
    rows = store.list_orders(OrderQuery(view=OrderView.AWAITING_CONFIRMATION), 0, 50, utc_now())
    order_id = rows[0].id
    assert store.messages(order_id) == []
    events: list[SyncEvent] = []
    engine.subscribe(events.append)
    engine.request_messages(order_id)
    engine.run_once()
    before = store.messages(order_id)
    assert any(isinstance(e, MessagesChanged) and e.order_id == order_id for e in events)
    control.buyer(order_id, "message", {"text": "<script>alert(1)</script> still there?"})
    engine.run_once()  # the feed says the order changed; asked for, so fetched again
    engine.request_messages(order_id)
    engine.run_once()
    after = store.messages(order_id)
    assert len(after) == len(before) + 1
    assert after[-1].message.text == "<script>alert(1)</script> still there?"
    assert after[-1].sync_state is None


def test_the_cache_keeps_each_order_document_as_the_platform_sent_it(
    store: Store, engine: SyncEngine, client: PlatformClient
) -> None:
    assert engine.run_once().ok
    sent: dict[str, str] = {}
    cursor: str | None = None
    while True:
        page = client.changes(cursor)
        sent.update((o.id, text) for o, text in zip(page.orders, page.documents, strict=True))
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert sent
    with store.read() as conn:
        stored = dict(
            conn.exec_driver_sql(
                "SELECT o.id, d.document FROM orders o JOIN order_documents d ON d.pk = o.pk"
            ).all()
        )
    assert stored == sent


def test_a_first_sync_commits_its_pages_before_it_waits_on_the_platform(
    store: Store, client: PlatformClient, control: SandboxControl
) -> None:
    """Pages of a bulk load may share a commit, but never across a wait for the network:
    while the next page is on its way, another connection sees every page received so far."""
    seen: set[str] = set()
    done = threading.Event()

    def watch() -> None:
        with Store.open(store.path) as other:
            while not done.is_set():
                cursor = other.feed_cursor()
                if cursor is not None:
                    seen.add(cursor)
                time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    control.set_faults(latency_ms=150)
    try:
        puller = Puller(store, client, EventBus(), clock=utc_now, page_size=8)
        report = puller.pull()
    finally:
        done.set()
        watcher.join()
    assert report.complete and report.pages >= 5
    # Each page's cursor was committed before the next page was awaited (the last one's
    # may come with the end of the bulk load, after the watcher stopped).
    assert len(seen) >= report.pages - 1
