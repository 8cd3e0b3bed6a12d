"""Bulk actions from a multi-selection: each order gets its own operation, orders that do not
allow it are skipped with the reason, the result per order is shown and follows the sync."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from pytestqt.modeltest import ModelTester

from desktop_app.domain import ActionKind, OrderStatus
from desktop_app.store import OperationState
from desktop_app.ui.actions import SHORTCUTS
from desktop_app.ui.actions.bulk import BulkDialog

from .conftest import Acting


def with_extensions(acting: Acting, count: int) -> list[str]:
    orders = acting.orders(OrderStatus.AWAITING_CONFIRMATION, count, no_extension=True)
    for days, order in enumerate(orders, start=1):
        acting.buyer(order.id, "request-extension", {"days": days, "reason": f"Away {days}"})
    return [order.id for order in orders]


def open_bulk(acting: Acting) -> BulkDialog:
    dialog = acting.dialog(BulkDialog)
    acting.qtbot.waitUntil(lambda: dialog.loaded)
    return dialog


def run(acting: Acting, dialog: BulkDialog) -> None:
    acting.click(dialog.primary_button)
    acting.qtbot.waitUntil(lambda: dialog.queued_all)
    acting.settle()


def test_approving_several_extension_requests_gives_each_order_its_own_operation(
    acting: Acting, qtmodeltester: ModelTester
) -> None:
    ids = with_extensions(acting, 3)
    other = acting.orders(OrderStatus.PENDING_DELIVERY, 1)[0]
    acting.sync()
    acting.select([*ids, other.id])
    # With several orders selected, the extension shortcut opens the bulk dialog.
    acting.press_shortcut(SHORTCUTS[ActionKind.APPROVE_EXTENSION])
    dialog = open_bulk(acting)
    qtmodeltester.check(dialog.model, force_py=True)
    assert len(dialog.eligible()) == 3
    assert dialog.primary_button.text() == "Approve 3 requests"
    assert dialog.results()[other.number].startswith("Skipped: Extension requests are answered")

    run(acting, dialog)
    numbers = {}
    keys = set()
    for order_id in ids:
        [entry] = acting.operations(order_id)
        assert entry.kind is ActionKind.APPROVE_EXTENSION
        assert entry.state is OperationState.QUEUED
        numbers[order_id] = entry.order_number
        keys.add(entry.idempotency_key)
    assert len(keys) == 3
    assert acting.operations(other.id) == []
    assert {dialog.results()[n] for n in numbers.values()} == {"Queued"}
    assert dialog.summary.text() == "3 queued · 1 skipped"
    qtmodeltester.check(dialog.model, force_py=True)

    acting.sync()
    acting.qtbot.waitUntil(
        lambda: {dialog.results()[n] for n in numbers.values()} == {"Applied"}, timeout=10_000
    )
    assert dialog.summary.text() == "3 applied · 1 skipped"
    ledger = acting.ledger()
    for order_id in ids:
        [applied] = [e for e in ledger if e["order_id"] == order_id]
        assert applied["path"].endswith("/extension/approve")


def test_rejecting_several_extension_requests_needs_one_reason_for_all(acting: Acting) -> None:
    ids = with_extensions(acting, 2)
    acting.sync()
    acting.select(ids)
    acting.controller.bulk_actions[ActionKind.REJECT_EXTENSION].trigger()
    dialog = open_bulk(acting)
    assert dialog.text is not None
    acting.click(dialog.primary_button)
    assert dialog.text.error.text() == "The reason is required."
    assert not dialog.queued_all
    acting.settle()
    assert all(acting.operations(order_id) == [] for order_id in ids)

    dialog.text.set_text("The delivery was confirmed by your colleague already.")
    run(acting, dialog)
    acting.sync()
    for order_id in ids:
        [entry] = acting.operations(order_id)
        assert entry.body["reason"] == "The delivery was confirmed by your colleague already."
        assert acting.applied_once(entry)["path"].endswith("/extension/reject")


def test_one_message_to_several_buyers_from_the_context_menu(acting: Acting) -> None:
    orders = [
        *acting.orders(OrderStatus.PENDING_DELIVERY, 2),
        *acting.orders(OrderStatus.COMPLETED, 1),
    ]
    ids = [order.id for order in orders]
    acting.select(ids)
    menu = acting.controller.build_context_menu(QPoint(-1, -1))
    assert menu is not None
    item = next(a for a in menu.actions() if a.objectName() == "bulk_send_message")
    assert item.isEnabled() and "3 selected buyers" in item.toolTip()
    item.trigger()
    dialog = open_bulk(acting)
    assert dialog.text is not None
    assert dialog.primary_button.text() == "Send to 3 buyers"
    acting.click(dialog.primary_button)
    assert dialog.text.error.text() == "The message is required."
    dialog.text.set_text("z" * 5001)
    acting.click(dialog.primary_button)
    assert dialog.text.error.text() == "The message is 5,001 characters; at most 5,000."
    acting.settle()
    assert all(acting.operations(order_id) == [] for order_id in ids)

    dialog.text.set_text("Our studio is closed on Friday; replies may take a day longer.")
    run(acting, dialog)
    entries = [acting.operations(order_id) for order_id in ids]
    assert all(len(found) == 1 for found in entries)
    acting.sync()
    for [entry] in entries:
        assert entry.kind is ActionKind.SEND_MESSAGE
        applied = acting.applied_once(entry)
        assert applied["path"].endswith(f"/orders/{entry.order_id}/messages")
    acting.qtbot.waitUntil(lambda: set(dialog.results().values()) == {"Applied"})
