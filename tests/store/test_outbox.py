"""The outbox: an operation and its effect in one transaction; order per order; the rules of
retry, discard and apply again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop_app.domain import (
    ApproveExtension,
    ConfirmDelivery,
    NotAllowedError,
    OperationValidationError,
    OrderStatus,
    RefuseDelivery,
    SendMessage,
)
from desktop_app.store import (
    OperationState,
    OperationStateError,
    OrderNotCachedError,
    OrderQuery,
    OutboxEntryNotFoundError,
    Store,
)
from desktop_app.store.rows import upsert_orders

from .factories import NOW, make_order


@pytest.fixture
def cached(store: Store) -> Store:
    with store.write() as conn:
        upsert_orders(
            conn,
            [
                make_order(1, status="pending_delivery"),
                make_order(2, status="pending_delivery"),
                make_order(3, status="awaiting_confirmation", extension_days=4),
                make_order(4, status="completed"),
            ],
        )
    return store


def _id(index: int) -> str:
    return make_order(index).id


def test_enqueue_writes_the_operation_and_its_effect_together(cached: Store) -> None:
    entry = cached.enqueue(_id(1), ConfirmDelivery(note="Sent"), NOW)
    assert entry.state is OperationState.QUEUED and entry.attempts == 0
    assert entry.base_version == entry.if_match == 1
    assert entry.idempotency_key.startswith("od-") and len(entry.idempotency_key) <= 255
    shown = cached.get_order(_id(1))
    assert shown is not None and shown.status is OrderStatus.AWAITING_CONFIRMATION
    platform = cached.platform_order(_id(1))
    assert platform is not None and platform.status is OrderStatus.PENDING_DELIVERY
    row = cached.list_orders(OrderQuery(search=shown.number), 0, 1, NOW)[0]
    assert row.pending_operations == 1 and row.status is OrderStatus.AWAITING_CONFIRMATION
    assert cached.outbox_counts()[OperationState.QUEUED] == 1


def test_a_refused_operation_queues_nothing(cached: Store) -> None:
    with pytest.raises(NotAllowedError):
        cached.enqueue(_id(4), ConfirmDelivery(), NOW)
    with pytest.raises(OperationValidationError):
        cached.enqueue(_id(1), RefuseDelivery("capacity", "   "), NOW)
    with pytest.raises(OrderNotCachedError):
        cached.enqueue("ord-missing", SendMessage("hi"), NOW)
    assert cached.operations() == []
    # After one decision, the order as shown refuses a second one.
    cached.enqueue(_id(1), ConfirmDelivery(), NOW)
    with pytest.raises(NotAllowedError):
        cached.enqueue(_id(1), RefuseDelivery("capacity", "Too busy"), NOW)


def test_each_order_sends_in_turn_and_a_waiting_order_holds_up_no_other(cached: Store) -> None:
    first = cached.enqueue(_id(1), SendMessage("one"), NOW)
    second = cached.enqueue(_id(1), ConfirmDelivery(), NOW)
    other = cached.enqueue(_id(2), SendMessage("elsewhere"), NOW)
    assert [e.id for e in cached.due_operations(NOW)] == [first.id, other.id]
    (sending,) = cached.mark_sending([first.id], NOW)
    assert sending.state is OperationState.SENDING and sending.attempts == 1
    # Still in flight (or found in flight after a crash): it stays the head of its order.
    assert [e.id for e in cached.due_operations(NOW)] == [first.id, other.id]
    cached.settle_retry(sending, "no answer", NOW + timedelta(seconds=30), NOW)
    assert [e.id for e in cached.due_operations(NOW)] == [other.id]
    due = cached.next_operation_due_at()
    assert due is not None and due <= NOW  # the other order's head is due now
    cached.settle_applied(cached.operation(other.id), None, None, NOW)
    assert cached.next_operation_due_at() == NOW + timedelta(seconds=30)
    assert cached.due_operations(NOW + timedelta(seconds=31))[0].id == first.id
    cached.settle_applied(cached.operation(first.id), None, None, NOW)
    assert [e.id for e in cached.due_operations(NOW)] == [second.id]


def test_a_refused_head_does_not_block_what_follows(cached: Store) -> None:
    first = cached.enqueue(
        _id(3),
        ApproveExtension(
            make_order(3, extension_days=4, status="awaiting_confirmation").extension_request.id
        ),  # type: ignore[union-attr]
        NOW,
    )
    message = cached.enqueue(_id(3), SendMessage("Approved, enjoy"), NOW)
    cached.mark_sending([first.id], NOW)
    cached.settle_refused(
        cached.operation(first.id), OperationState.NEEDS_REVIEW, "The order changed", NOW
    )
    assert [e.id for e in cached.due_operations(NOW)] == [message.id]
    row = cached.list_orders(OrderQuery(search=make_order(3).number), 0, 1, NOW)[0]
    assert row.sync_problem and row.pending_operations == 1


def test_discard_only_before_sending_or_after_a_refusal(cached: Store) -> None:
    never_sent = cached.enqueue(_id(1), ConfirmDelivery(), NOW)
    sent = cached.enqueue(_id(2), ConfirmDelivery(), NOW)
    cached.mark_sending([sent.id], NOW)
    cached.settle_retry(cached.operation(sent.id), "timeout", NOW, NOW)
    assert cached.discard(never_sent.id, NOW).state is OperationState.DISCARDED
    shown = cached.get_order(_id(1))
    assert shown is not None and shown.status is OrderStatus.PENDING_DELIVERY  # effect gone
    with pytest.raises(OperationStateError, match="may have applied"):
        cached.discard(sent.id, NOW)
    cached.settle_refused(cached.operation(sent.id), OperationState.REJECTED, "no", NOW)
    assert cached.discard(sent.id, NOW).state is OperationState.DISCARDED
    with pytest.raises(OutboxEntryNotFoundError):
        cached.discard(12345, NOW)


def test_retry_sends_now_with_the_same_key_and_reapply_gets_a_new_one(cached: Store) -> None:
    entry = cached.enqueue(_id(1), ConfirmDelivery(), NOW)
    cached.mark_sending([entry.id], NOW)
    cached.settle_retry(cached.operation(entry.id), "503", NOW + timedelta(minutes=1), NOW)
    retried = cached.retry(entry.id, NOW)
    assert retried.idempotency_key == entry.idempotency_key
    assert [e.id for e in cached.due_operations(NOW)] == [entry.id]
    cached.settle_refused(cached.operation(entry.id), OperationState.NEEDS_REVIEW, "412", NOW)
    again = cached.reapply(entry.id, NOW + timedelta(seconds=5))
    assert again.state is OperationState.QUEUED and again.attempts == 0
    assert again.idempotency_key != entry.idempotency_key
    assert again.if_match == 1
    with pytest.raises(OperationStateError):
        cached.reapply(entry.id, NOW)  # only refused ones


def test_followers_are_rebased_when_the_decision_before_them_is_applied(cached: Store) -> None:
    first = cached.enqueue(_id(1), ConfirmDelivery(), NOW)
    follower = cached.enqueue(_id(1), SendMessage("done"), NOW)
    assert follower.if_match is None  # messages are not bound to a version
    with cached.write() as conn:  # a decision queued on top of the first (forged for the test)
        conn.exec_driver_sql("UPDATE outbox SET if_match = 1 WHERE id = ?", (follower.id,))
    applied = make_order(1, status="awaiting_confirmation", version=2)
    cached.settle_applied(cached.operation(first.id), applied, None, NOW)
    assert cached.operation(follower.id).if_match == 2
    assert cached.platform_order(_id(1)).version == 2  # type: ignore[union-attr]


def test_messages_show_queued_ones_after_the_conversation(cached: Store) -> None:
    entry = cached.enqueue(_id(2), SendMessage("<i>plain</i> text"), NOW)
    (item,) = cached.messages(_id(2))
    assert item.sync_state is OperationState.QUEUED and item.outbox_id == entry.id
    assert item.message.text == "<i>plain</i> text"


def test_the_order_a_decision_was_made_on_is_kept_with_it_across_a_restart(
    cached: Store,
) -> None:
    decided = cached.enqueue(_id(1), ConfirmDelivery(note="Sent"), NOW)
    older = cached.enqueue(_id(2), ConfirmDelivery(), NOW, base_version=0)  # an older view
    message = cached.enqueue(_id(2), SendMessage("hello"), NOW)
    # The platform moves on (the buyer revised the requirements): the decision needs review.
    moved = make_order(1, status="pending_delivery", version=2)
    cached.settle_refused(
        cached.operation(decided.id), OperationState.NEEDS_REVIEW, "412", NOW, current=moved
    )
    path = cached.path
    cached.close()
    with Store.open(path) as reopened:
        acted_on = reopened.acted_on(decided.id)
        assert acted_on is not None
        assert acted_on == make_order(1, status="pending_delivery")
        assert reopened.platform_order(_id(1)).version == 2  # type: ignore[union-attr]
        assert reopened.acted_on(older.id) is None  # the cache never held version 0
        assert reopened.acted_on(message.id) is None  # a message is bound to no version
        again = reopened.reapply(decided.id, NOW)  # applied again on the platform's order now
        now_acted_on = reopened.acted_on(again.id)
        assert now_acted_on is not None and now_acted_on.version == 2
