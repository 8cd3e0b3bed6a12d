"""Push against the real sandbox: applied once, offline and back, refusals, review, faults."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.domain import (
    ApproveRefund,
    ConfirmDelivery,
    NotAllowedError,
    OrderStatus,
    RefuseDelivery,
    SendMessage,
    order_to_wire,
    utc_now,
)
from desktop_app.platform import MemoryCredentials, PlatformClient
from desktop_app.store import OperationState, OrderQuery, OrderView, Store
from desktop_app.sync import OperationSettled, SyncEngine, SyncEvent, SyncStateChanged

from .conftest import fast_engine
from .sandbox import DEMO, SandboxControl


def _orders(store: Store, view: OrderView, count: int) -> list[str]:
    rows = store.list_orders(OrderQuery(view=view), 0, count, utc_now())
    assert len(rows) == count, f"the sandbox has too few orders in {view}"
    return [row.id for row in rows]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def offline_client(client: PlatformClient) -> Iterator[PlatformClient]:
    """A client of a server that is not there (nothing listens on the port)."""
    with PlatformClient(
        f"http://127.0.0.1:{_closed_port()}", MemoryCredentials("x"), timeout=1.0
    ) as dead:
        yield dead


def test_an_operation_is_applied_once_and_the_server_order_stored(
    store: Store, engine: SyncEngine, control: SandboxControl
) -> None:
    engine.run_once()
    order_id = _orders(store, OrderView.PENDING_DELIVERY, 1)[0]
    entry = store.enqueue(order_id, ConfirmDelivery(note="Delivered via the portal"), utc_now())
    shown = store.get_order(order_id)
    assert shown is not None and shown.status is OrderStatus.AWAITING_CONFIRMATION
    assert store.list_orders(OrderQuery(search=shown.number), 0, 1, utc_now())[0].pending_operations
    assert engine.drain(timeout=10)
    done = store.operation(entry.id)
    assert done.state is OperationState.APPLIED and done.attempts == 1
    platform = control.platform_order(order_id)
    assert platform.status is OrderStatus.AWAITING_CONFIRMATION
    assert order_to_wire(store.get_order(order_id)) == order_to_wire(platform)  # type: ignore[arg-type]
    keys = control.assert_no_key_applied_twice()
    assert keys[entry.idempotency_key] == 1


def test_offline_actions_wait_and_are_applied_once_back_online(
    tmp_path: Path,
    store: Store,
    engine: SyncEngine,
    control: SandboxControl,
    offline_client: PlatformClient,
) -> None:
    engine.run_once()
    targets = _orders(store, OrderView.PENDING_DELIVERY, 3)
    entries = [store.enqueue(targets[0], ConfirmDelivery(), utc_now())]
    entries.append(
        store.enqueue(targets[1], RefuseDelivery("capacity", "Fully booked this month"), utc_now())
    )
    entries.append(store.enqueue(targets[2], SendMessage("We are on it"), utc_now()))
    entries.append(store.enqueue(targets[2], ConfirmDelivery(note="Done"), utc_now()))

    offline = fast_engine(store, offline_client)
    states: list[SyncEvent] = []
    offline.subscribe(states.append)
    assert not offline.drain(timeout=0.5)
    offline.stop()
    assert any(isinstance(e, SyncStateChanged) and not e.online for e in states)
    for entry in entries[:3]:
        waiting = store.operation(entry.id)
        assert waiting.state is OperationState.QUEUED
        assert waiting.last_error and waiting.attempts >= 1
    behind = store.operation(entries[3].id)  # behind the message on its order: never sent
    assert behind.state is OperationState.QUEUED and behind.attempts == 0

    assert engine.drain(timeout=10)
    for entry in entries:
        assert store.operation(entry.id).state is OperationState.APPLIED
    keys = control.assert_no_key_applied_twice()
    assert all(keys[entry.idempotency_key] == 1 for entry in entries)
    applied = [e["idempotency_key"] for e in control.ledger() if e["order_id"] == targets[2]]
    assert applied == [entries[2].idempotency_key, entries[3].idempotency_key]  # in order


def test_a_decision_overtaken_on_the_platform_needs_review_and_is_never_resent(
    store: Store, engine: SyncEngine, control: SandboxControl
) -> None:
    engine.run_once()
    order_id = _orders(store, OrderView.PENDING_DELIVERY, 1)[0]
    entry = store.enqueue(order_id, ConfirmDelivery(), utc_now())
    control.buyer(order_id, "request-refund", {"reason": "Too slow"})  # version moves on
    events: list[SyncEvent] = []
    engine.subscribe(events.append)
    assert engine.drain(timeout=10)
    review = store.operation(entry.id)
    assert review.state is OperationState.NEEDS_REVIEW
    assert review.last_error and "changed on the platform" in review.last_error
    assert any(isinstance(e, OperationSettled) and e.entry_id == entry.id for e in events)
    shown = store.get_order(order_id)
    assert shown is not None and shown.status is OrderStatus.REFUND_REQUESTED  # the platform's
    rows = store.list_orders(OrderQuery(search=shown.number), 0, 1, utc_now())
    assert rows[0].sync_problem and not rows[0].pending_operations
    assert entry.idempotency_key not in {e["idempotency_key"] for e in control.ledger()}
    engine.drain(timeout=5)
    assert store.operation(entry.id).state is OperationState.NEEDS_REVIEW  # not resent
    with pytest.raises(NotAllowedError):
        store.reapply(entry.id, utc_now())  # delivery cannot be confirmed now
    assert store.operation(entry.id).state is OperationState.NEEDS_REVIEW
    store.discard(entry.id, utc_now())
    rows = store.list_orders(OrderQuery(search=shown.number), 0, 1, utc_now())
    assert not rows[0].sync_problem


def test_needs_review_can_be_applied_again_on_the_new_version(
    store: Store, engine: SyncEngine, control: SandboxControl
) -> None:
    engine.run_once()
    order_id = _orders(store, OrderView.PENDING_DELIVERY, 1)[0]
    entry = store.enqueue(order_id, ConfirmDelivery(), utc_now())
    control.buyer(order_id, "request-refund", {"reason": "Too slow"})
    engine.drain(timeout=10)
    assert store.operation(entry.id).state is OperationState.NEEDS_REVIEW
    order = store.get_order(order_id)
    assert order is not None and order.pending_refund is not None
    answer = store.enqueue(order_id, ApproveRefund(order.pending_refund.id), utc_now())
    assert engine.drain(timeout=10)
    assert store.operation(answer.id).state is OperationState.APPLIED
    assert store.operation(entry.id).state is OperationState.NEEDS_REVIEW
    control.assert_no_key_applied_twice()


def test_a_refused_request_is_rejected_with_the_platforms_detail_and_rolled_back(
    store: Store, engine: SyncEngine, control: SandboxControl
) -> None:
    engine.run_once()
    order_id = _orders(store, OrderView.PENDING_DELIVERY, 1)[0]
    entry = store.enqueue(order_id, ConfirmDelivery(note="ok"), utc_now())
    # A body our domain accepted but the platform refuses (here: forged in the outbox).
    with store.write() as conn:
        conn.exec_driver_sql(
            "UPDATE outbox SET body = ? WHERE id = ?", ('{"note": "' + "x" * 2500 + '"}', entry.id)
        )
    assert engine.drain(timeout=10)
    rejected = store.operation(entry.id)
    assert rejected.state is OperationState.REJECTED
    assert rejected.last_error and "refused" in rejected.last_error
    shown = store.get_order(order_id)
    assert shown is not None and shown.status is OrderStatus.PENDING_DELIVERY  # rolled back
    assert control.ledger() == []


def test_a_message_is_stored_in_the_conversation_once_applied(
    store: Store, engine: SyncEngine, control: SandboxControl
) -> None:
    engine.run_once()
    order_id = _orders(store, OrderView.AWAITING_CONFIRMATION, 1)[0]
    entry = store.enqueue(order_id, SendMessage("<b>Hi</b> there"), utc_now())
    queued = store.messages(order_id)
    assert queued[-1].sync_state is OperationState.QUEUED
    assert engine.drain(timeout=10)
    conversation = store.messages(order_id)
    assert conversation[-1].sync_state is None
    assert conversation[-1].message.text == "<b>Hi</b> there"
    assert all(m.outbox_id != entry.id for m in conversation)


def test_faults_latency_errors_drops_and_rate_limits_still_apply_everything_once(
    store: Store, client: PlatformClient, control: SandboxControl
) -> None:
    engine = fast_engine(store, client, push_workers=4)
    try:
        engine.run_once()
        targets = _orders(store, OrderView.PENDING_DELIVERY, 6)
        entries = []
        for index, order_id in enumerate(targets):
            entries.append(store.enqueue(order_id, SendMessage(f"Update {index}"), utc_now()))
            entries.append(store.enqueue(order_id, ConfirmDelivery(note=f"n{index}"), utc_now()))
        with control.faulty(latency_ms=20, error_rate=0.2, drop_rate=0.3, rate_limit_per_s=20):
            engine.drain(timeout=30)
        assert engine.drain(timeout=15)
        for entry in entries:
            done = store.operation(entry.id)
            assert done.state is OperationState.APPLIED, done
        keys = control.assert_no_key_applied_twice()
        assert sorted(keys) == sorted(entry.idempotency_key for entry in entries)
        assert sum(store.operation(e.id).attempts for e in entries) > len(entries)  # retried
    finally:
        engine.stop()


def test_the_engine_thread_pushes_a_new_operation_at_once(
    store: Store, client: PlatformClient, control: SandboxControl
) -> None:
    engine = fast_engine(store, client, pull_interval=3600, push_interval=3600)
    settled: list[OperationSettled] = []
    import threading

    arrived = threading.Event()

    def on_event(event: SyncEvent) -> None:
        if isinstance(event, OperationSettled):
            settled.append(event)
            arrived.set()

    engine.subscribe(on_event)
    engine.run_once()
    engine.start()
    try:
        order_id = _orders(store, OrderView.PENDING_DELIVERY, 1)[0]
        with Store.open(store.path) as gui_store:  # the GUI's own connection
            entry = gui_store.enqueue(order_id, SendMessage("Quick question"), utc_now())
        engine.push_now()
        assert arrived.wait(10)
        assert settled[0].entry_id == entry.id and settled[0].state is OperationState.APPLIED
    finally:
        engine.stop()
    assert engine.online is not False


def test_a_second_client_of_the_same_merchant_sees_the_same_truth(
    sandbox_url: str, store: Store, engine: SyncEngine, control: SandboxControl
) -> None:
    engine.run_once()
    with PlatformClient(sandbox_url, MemoryCredentials()) as other:
        other.sign_in(*DEMO)
        order_id = _orders(store, OrderView.PENDING_DELIVERY, 1)[0]
        entry = store.enqueue(order_id, ConfirmDelivery(), utc_now())
        engine.drain(timeout=10)
        assert other.get_order(order_id).status is OrderStatus.AWAITING_CONFIRMATION
        assert store.operation(entry.id).state is OperationState.APPLIED
