"""Offline and back, and the platform changing an order meanwhile: the operation waits, is
applied exactly once (the sandbox's ledger), or comes back as needs review, which the operator
resolves in Pending operations by applying it again on the new version or by discarding it."""

from __future__ import annotations

from pytestqt.modeltest import ModelTester

from desktop_app.domain import ActionKind, OrderStatus, RefuseDelivery
from desktop_app.store import OperationState, OutboxEntry
from desktop_app.ui.actions import PENDING_SHORTCUT
from desktop_app.ui.actions.dialogs import ConfirmDeliveryDialog
from desktop_app.ui.actions.pending import PendingOperationsDialog
from desktop_app.ui.actions.review import ReviewRow

from .conftest import Acting


def confirm_delivery(acting: Acting, order_id: str) -> OutboxEntry:
    """Confirm delivery of `order_id` from the Order menu, through both pages."""
    acting.show(order_id)
    acting.controller.actions[ActionKind.CONFIRM_DELIVERY].trigger()
    dialog = acting.dialog(ConfirmDeliveryDialog)
    acting.click(dialog.primary_button)
    return acting.finish(dialog)


def comparison(dialog: PendingOperationsDialog) -> dict[str, ReviewRow]:
    table = dialog.comparison
    rows = {}
    for row in range(table.rowCount()):
        what, then, now = (table.item(row, column).text() for column in range(3))  # type: ignore[union-attr]
        rows[what] = ReviewRow(what, then, now, table.item(row, 2).font().bold())  # type: ignore[union-attr]
    return rows


def open_pending(acting: Acting, entry: OutboxEntry) -> PendingOperationsDialog:
    dialog = acting.controller.pending_dialog
    assert dialog is not None
    acting.qtbot.waitExposed(dialog)
    acting.qtbot.waitUntil(lambda: dialog.settled)
    dialog.select_entry(entry.id)
    selected = dialog.selected_entry()
    assert selected is not None and selected.id == entry.id
    return dialog


def test_acting_offline_waits_and_is_applied_exactly_once_back_online(
    acting: Acting, qtmodeltester: ModelTester
) -> None:
    order = acting.orders(OrderStatus.PENDING_DELIVERY, 1)[0]
    # Every request to the platform is dropped, half of them after being applied: the answer
    # is lost either way, so the client cannot know.
    acting.faults(drop_rate=1.0)
    entry = confirm_delivery(acting, order.id)
    assert not acting.synced.engine.run_once().ok
    acting.settle()
    waiting = acting.synced.store.operation(entry.id)
    assert waiting.state is OperationState.QUEUED and waiting.attempts >= 1
    acting.qtbot.waitUntil(lambda: acting.window.status.snapshot.online is False)
    banner = acting.controller.banner
    acting.qtbot.waitUntil(lambda: "Tried" in banner.text.text())

    acting.click(acting.window.status.queued)  # the status bar's "1 queued"
    dialog = open_pending(acting, entry)
    qtmodeltester.check(dialog.model, force_py=True)
    assert dialog.model.rowCount() == 1
    assert dialog.send_now_button.isEnabled()
    assert not dialog.discard_button.isEnabled()  # sent once: the platform may have it
    assert "may have applied it" in dialog.discard_button.toolTip()
    assert not dialog.reapply_button.isEnabled()

    acting.faults()  # back online
    assert acting.synced.engine.drain(timeout=30)
    acting.settle()
    done = acting.synced.store.operation(entry.id)
    assert done.state is OperationState.APPLIED
    assert done.idempotency_key == entry.idempotency_key  # resent under the same key
    acting.applied_once(entry)
    acting.qtbot.waitUntil(lambda: dialog.model.rowCount() == 0)
    assert "Nothing is waiting" in dialog.summary.text()
    acting.qtbot.waitUntil(lambda: banner.kind == "applied")


def test_a_change_on_the_platform_comes_back_as_needs_review_and_can_be_discarded(
    acting: Acting,
) -> None:
    order = acting.orders(OrderStatus.PENDING_DELIVERY, 1)[0]
    entry = confirm_delivery(acting, order.id)
    # Before it is pushed, the buyer asks for their money back.
    acting.buyer(order.id, "request-refund", {"reason": "Changed my mind"})
    acting.sync()
    assert acting.state(entry) is OperationState.NEEDS_REVIEW
    # What the operator acted on comes from the outbox entry (as after a restart, too).
    banner = acting.controller.banner
    acting.qtbot.waitUntil(lambda: banner.kind == "problem")
    assert "Needs review" in banner.text.text()

    acting.click(banner.button)  # Review…
    dialog = open_pending(acting, entry)
    assert dialog.review_box.isVisible()
    rows = comparison(dialog)
    assert rows["Status"].then == "Pending delivery"
    assert rows["Status"].now == "Refund requested"
    assert rows["Status"].changed
    assert rows["Version"].then == str(order.version)
    assert rows["Refund request"].then == "none"
    assert rows["Refund request"].now.endswith("— pending")
    assert not dialog.reapply_button.isEnabled()  # confirming is not possible any more
    assert "pending delivery" in dialog.reapply_button.toolTip()
    assert "not possible" in dialog.reapply_text.text()

    acting.click(dialog.discard_button)
    acting.qtbot.waitUntil(lambda: acting.state(entry) is OperationState.DISCARDED)
    acting.settle()
    acting.qtbot.waitUntil(lambda: dialog.model.rowCount() == 0)
    acting.qtbot.waitUntil(lambda: not banner.isVisibleTo(acting.window))
    assert not [e for e in acting.ledger() if e["idempotency_key"] == entry.idempotency_key]
    shown = acting.window.detail.order
    assert shown is not None and shown.status is OrderStatus.REFUND_REQUESTED
    status = acting.window.status
    acting.qtbot.waitUntil(lambda: status.queued.text() == "No queued operations")


def test_a_change_on_the_platform_can_be_reviewed_and_applied_again_on_the_new_version(
    acting: Acting,
) -> None:
    order = acting.orders(OrderStatus.PENDING_DELIVERY, 1)[0]
    entry = confirm_delivery(acting, order.id)
    # Meanwhile another operator of the merchant refused the delivery and the buyer revised
    # the requirements: the order is pending delivery again, two versions later.
    acting.synced.client.perform(
        order.id,
        RefuseDelivery("requirements_unclear", "Which format?"),
        idempotency_key="another-operator-1",
        if_match=order.version,
    )
    acting.buyer(order.id, "revise-requirements", {"text": "PNG, 2000 px wide"})
    acting.sync()
    assert acting.state(entry) is OperationState.NEEDS_REVIEW

    acting.press_shortcut(PENDING_SHORTCUT)
    dialog = open_pending(acting, entry)
    rows = comparison(dialog)
    assert rows["Version"].then == str(order.version)
    assert rows["Version"].now == str(order.version + 2)
    assert rows["Status"].now == "Pending delivery"
    assert rows["Delivery"].changed  # refused, requirements revised since
    assert dialog.reapply_button.text() == "Apply again on the new version"
    assert "possible" in dialog.reapply_text.text()

    acting.click(dialog.reapply_button)
    acting.qtbot.waitUntil(lambda: acting.state(entry) is OperationState.QUEUED)
    again = acting.synced.store.operation(entry.id)
    assert again.base_version == order.version + 2
    assert again.idempotency_key != entry.idempotency_key  # a new request
    acting.sync()
    assert acting.state(entry) is OperationState.APPLIED
    acting.applied_once(again)
    keys = [e["idempotency_key"] for e in acting.ledger()]
    assert entry.idempotency_key not in keys
    assert acting.synced.client.get_order(order.id).status is OrderStatus.AWAITING_CONFIRMATION


def test_a_refusal_of_the_platform_shows_with_its_reason_and_can_be_dismissed(
    acting: Acting,
) -> None:
    order = acting.orders(OrderStatus.PENDING_DELIVERY, 1)[0]
    acting.synced.client.perform(
        order.id,
        RefuseDelivery("capacity", "Fully booked"),
        idempotency_key="another-operator-2",
        if_match=order.version,
    )
    acting.buyer(order.id, "accept-cancellation")
    acting.sync()
    # On the platform's clock the cancellation is 91 days old: the conversation is closed.
    # This machine's clock says otherwise, so OrderDesk lets the operator write.
    acting.synced.platform.advance(91 * 24 * 3600)
    acting.show(order.id)
    acting.controller.contact_buyer(order.id)
    compose = acting.controller.compose
    acting.qtbot.keyClicks(compose.editor, "Any news?")
    compose.send()
    acting.qtbot.waitUntil(lambda: not compose.sending)
    [entry] = [e for e in acting.operations(order.id) if e.kind is ActionKind.SEND_MESSAGE]

    acting.sync()
    rejected = acting.synced.store.operation(entry.id)
    assert rejected.state is OperationState.REJECTED
    assert rejected.last_error is not None and "refused" in rejected.last_error
    banner = acting.controller.banner
    acting.qtbot.waitUntil(lambda: banner.kind == "problem")
    assert banner.text.text().startswith("Rejected by the platform — Contact buyer: Any news?")
    assert rejected.last_error in banner.text.text()
    bubbles = acting.window.detail.messages.bubbles()
    assert [b.sync_words for b in bubbles if b.body.text() == "Any news?"] == [
        "not sent: the platform refused it"
    ]

    acting.controller.show_pending(entry.id)
    dialog = open_pending(acting, entry)
    assert rejected.last_error in dialog.state_text.text()
    assert dialog.discard_button.isEnabled()
    acting.click(dialog.discard_button)
    acting.qtbot.waitUntil(lambda: acting.state(entry) is OperationState.DISCARDED)
    acting.qtbot.waitUntil(lambda: banner.kind == "")
    assert not [e for e in acting.ledger() if e["idempotency_key"] == entry.idempotency_key]
