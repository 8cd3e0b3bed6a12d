"""Each operation end to end, as an operator does it, against the sandbox: open the dialog
(button, context menu or shortcut), fill it in, confirm, see it queued with its effect before
the dialog closes, sync, and find it applied exactly once in the platform's ledger."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from babel.dates import format_date
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from desktop_app.domain import (
    CONFIRMATION_PERIOD,
    ActionKind,
    OrderStatus,
    RequestStatus,
    utc_now,
)
from desktop_app.store import OperationState
from desktop_app.ui.actions import SHORTCUTS
from desktop_app.ui.actions.dialogs import (
    ConfirmDeliveryDialog,
    ExtensionDialog,
    OperationDialog,
    RefundDialog,
    RefuseDeliveryDialog,
)
from desktop_app.ui.actions.texts import long_moment

from ..conftest import OPERATOR_ZONE
from .conftest import Acting

HOSTILE = '<b>Bold?</b> <a href="https://evil.example">click</a> <img src=x onerror="alert(1)">'


def test_confirm_delivery_says_until_when_then_queues_and_is_applied_once(
    acting: Acting,
) -> None:
    order = acting.orders(OrderStatus.PENDING_DELIVERY, 1)[0]
    acting.show(order.id)
    acting.click(acting.window.detail.overview.action_buttons[ActionKind.CONFIRM_DELIVERY])
    dialog = acting.dialog(ConfirmDeliveryDialog)
    acting.qtbot.keyClicks(dialog.note.edit, "Files are in the shared folder")
    acting.click(dialog.primary_button)

    # The second confirmation: what happens next, and until when, in the operator's zone.
    assert dialog.page == OperationDialog.CONFIRM
    text = dialog.confirmation.text()
    until = (utc_now() + CONFIRMATION_PERIOD).astimezone(OPERATOR_ZONE)
    assert format_date(until.date(), "full", locale="en_US") in text
    zone = until.tzname()
    assert zone in ("CET", "CEST") and zone in text
    assert "7 days" in text and "released" in text and "automatically" in text
    assert acting.operations(order.id) == []  # nothing queued before the confirmation

    entry = acting.finish(dialog)
    # Written before the dialog closed, with its optimistic effect on the cached order.
    assert acting.state(entry) is OperationState.QUEUED
    assert entry.body == {"note": "Files are in the shared folder"}
    assert entry.base_version == order.version
    shown = acting.synced.store.get_order(order.id)
    assert shown is not None and shown.status is OrderStatus.AWAITING_CONFIRMATION
    banner = acting.controller.banner
    acting.qtbot.waitUntil(lambda: banner.kind == "waiting")
    assert "Confirm delivery" in banner.text.text()

    acting.sync()
    acting.qtbot.waitUntil(lambda: banner.kind == "applied")
    assert acting.state(entry) is OperationState.APPLIED
    applied = acting.applied_once(entry)
    assert applied["path"].endswith(f"/orders/{order.id}/confirm-delivery")
    assert acting.window.detail.order is not None
    assert acting.window.detail.order.status is OrderStatus.AWAITING_CONFIRMATION


def test_refuse_delivery_needs_a_reason_and_an_explanation_then_opens_the_conversation(
    acting: Acting,
) -> None:
    order = acting.orders(OrderStatus.PENDING_DELIVERY, 1)[0]
    acting.show(order.id)
    table = acting.window.table
    row = acting.window.orders_model.row_of(order.id)
    assert row is not None
    position = table.visualRect(acting.window.orders_model.index(row, 1)).center()
    menu = acting.controller.build_context_menu(position)
    assert menu is not None
    item = next(a for a in menu.actions() if a.objectName() == "menu_refuse_delivery")
    assert item.isEnabled()
    item.trigger()
    dialog = acting.dialog(RefuseDeliveryDialog)

    acting.click(dialog.primary_button)  # nothing filled in
    errors = dialog.error_texts()
    assert errors["reason_code"] == "Choose a reason for refusing."
    assert errors["explanation"] == "The explanation is required."
    assert dialog.page == OperationDialog.FORM
    acting.settle()
    assert acting.operations(order.id) == []

    dialog.reason.choose("capacity")
    acting.qtbot.keyClicks(dialog.explanation.edit, "Fully booked until January.")
    assert dialog.error_texts() == {}  # each error goes as its field is corrected
    dialog.activateWindow()
    acting.qtbot.waitUntil(dialog.isActiveWindow)
    acting.qtbot.keyClick(  # Ctrl+Enter: on to the next page, as the primary button
        dialog.explanation.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    assert dialog.page == OperationDialog.CONFIRM
    assert dialog.explanation.text() == "Fully booked until January."  # no new line typed
    assert "Delivery refused" in dialog.confirmation.text()
    assert "Fully booked until January." in dialog.confirmation.text()
    entry = acting.finish(dialog)
    assert entry.body == {"reason_code": "capacity", "explanation": "Fully booked until January."}

    # Afterwards the conversation opens, ready to negotiate.
    conversations = acting.controller.conversations
    acting.qtbot.waitUntil(lambda: order.id in conversations)
    conversation = conversations[order.id]
    acting.qtbot.waitExposed(conversation)
    assert conversation.compose.order_id == order.id
    assert conversation.compose.send_button.isEnabled()

    acting.sync()
    assert acting.state(entry) is OperationState.APPLIED
    acting.applied_once(entry)
    platform = acting.synced.client.get_order(order.id)
    assert platform.status is OrderStatus.DELIVERY_REFUSED


def _with_extension(acting: Acting, days: int, reason: str) -> str:
    order = acting.orders(OrderStatus.AWAITING_CONFIRMATION, 1, no_extension=True)[0]
    acting.buyer(order.id, "request-extension", {"days": days, "reason": reason})
    return order.id


def test_an_extension_shows_the_days_the_reason_as_plain_text_and_the_new_date(
    acting: Acting,
) -> None:
    order_id = _with_extension(acting, 3, HOSTILE)
    acting.sync()
    order = acting.show(order_id)
    request = order.pending_extension
    assert request is not None and order.deadlines.confirm_by is not None

    acting.press_shortcut(SHORTCUTS[ActionKind.APPROVE_EXTENSION])
    dialog = acting.dialog(ExtensionDialog)
    assert dialog.reason_view.isReadOnly()
    assert dialog.reason_view.toPlainText() == HOSTILE  # verbatim, never interpreted
    assert "3 more days" in dialog.facts.text()
    new_date = order.deadlines.confirm_by + timedelta(days=3)
    assert long_moment(acting.window._ctx.formatter, new_date) in dialog.new_date.text()
    assert dialog.approve_choice.isChecked() and not dialog.reason.isEnabled()

    entry = acting.finish(dialog)  # approving needs no reason
    assert entry.kind is ActionKind.APPROVE_EXTENSION
    assert entry.body == {"request_id": request.id}
    acting.sync()
    acting.applied_once(entry)
    platform = acting.synced.client.get_order(order_id)
    assert platform.extension_request is not None
    assert platform.extension_request.status is RequestStatus.APPROVED
    assert platform.deadlines.confirm_by == new_date


def test_rejecting_an_extension_needs_a_reason(acting: Acting) -> None:
    order_id = _with_extension(acting, 5, "Travelling")
    acting.sync()
    acting.show(order_id)
    acting.click(acting.window.detail.overview.action_buttons[ActionKind.REJECT_EXTENSION])
    dialog = acting.dialog(ExtensionDialog)
    assert dialog.reject_choice.isChecked() and dialog.reason.isEnabled()
    assert dialog.primary_button.text() == "Reject extension"
    acting.click(dialog.primary_button)
    assert dialog.error_texts() == {"reason": "The reason is required."}
    acting.qtbot.keyClicks(dialog.reason.edit, "   ")  # blanks are not a reason
    acting.click(dialog.primary_button)
    assert dialog.error_texts() == {"reason": "The reason is required."}
    acting.settle()
    assert acting.operations(order_id) == []

    dialog.reason.set_text("The files were delivered a week ago.")
    entry = acting.finish(dialog)
    assert entry.kind is ActionKind.REJECT_EXTENSION
    acting.sync()
    acting.applied_once(entry)
    platform = acting.synced.client.get_order(order_id)
    assert platform.extension_request is not None
    assert platform.extension_request.status is RequestStatus.REJECTED


def test_a_refund_shows_its_effect_and_is_approved_after_a_second_confirmation(
    acting: Acting,
) -> None:
    order = acting.orders(OrderStatus.PENDING_DELIVERY, 1)[0]
    paid = order.finance.buyer_paid
    part = (paid.amount / 2).quantize(paid.amount)  # half, in the currency's minor units
    acting.buyer(order.id, "request-refund", {"amount": f"{part:f}", "reason": HOSTILE})
    acting.sync()
    order = acting.show(order.id)
    fmt = acting.window._ctx.formatter

    acting.click(acting.window.detail.overview.action_buttons[ActionKind.APPROVE_REFUND])
    dialog = acting.dialog(RefundDialog)
    assert dialog.reason_view.toPlainText() == HOSTILE
    effect = dialog.effect
    assert effect is not None and not effect.whole
    assert effect.refund.amount == Decimal(part)
    labels = {label.objectName(): label.text() for label in dialog.effect_box.findChildren(QLabel)}
    assert labels["netNow"].startswith(fmt.money(order.finance.net_receipt))
    assert labels["netAfter"].startswith("about ")
    assert "Partially refunded" in labels["orderBecomes"]
    acting.click(dialog.primary_button)
    assert dialog.page == OperationDialog.CONFIRM
    assert fmt.money(effect.refund) in dialog.confirmation.text()
    assert "cannot be undone" in dialog.confirmation.text()
    assert acting.operations(order.id) == []

    entry = acting.finish(dialog)
    assert entry.kind is ActionKind.APPROVE_REFUND
    acting.sync()
    acting.applied_once(entry)
    platform = acting.synced.client.get_order(order.id)
    assert platform.status is OrderStatus.PARTIALLY_REFUNDED
    # The dialog's estimate of the net after the refund is close to what the platform
    # computed (the fees are the platform's to compute: a fixed part makes it inexact).
    actual = platform.finance.net_receipt
    assert actual.currency == effect.net_after.currency
    assert abs(actual.amount - effect.net_after.amount) <= paid.amount * Decimal("0.03")
    assert actual < effect.net_now


def test_disputing_a_refund_needs_a_reason_and_evidence_and_explains_mediation(
    acting: Acting,
) -> None:
    order = acting.orders(OrderStatus.PENDING_DELIVERY, 1)[0]
    acting.buyer(order.id, "request-refund", {"reason": "Not what I asked for"})
    acting.sync()
    acting.show(order.id)
    acting.press_shortcut(SHORTCUTS[ActionKind.DISPUTE_REFUND])
    dialog = acting.dialog(RefundDialog)
    assert dialog.disputing and dialog.dispute_box.isVisible()
    assert dialog.effect is not None and dialog.effect.whole
    explained = dialog.mediation.text()
    assert "mediat" in explained and "In mediation" in explained and "held" in explained

    acting.click(dialog.primary_button)
    assert dialog.error_texts() == {
        "reason": "The reason is required.",
        "evidence": "The evidence is required.",
    }
    dialog.reason.set_text("The work matches the brief.")
    dialog.evidence.set_text("x" * 2001)
    acting.click(dialog.primary_button)
    assert dialog.error_texts() == {"evidence": "The evidence is 2,001 characters; at most 2,000."}
    acting.settle()
    assert acting.operations(order.id) == []

    dialog.evidence.set_text("Delivered file: report.pdf, see message of Nov 14.")
    entry = acting.finish(dialog)  # disputing asks no second confirmation
    assert entry.kind is ActionKind.DISPUTE_REFUND
    acting.sync()
    acting.applied_once(entry)
    assert acting.synced.client.get_order(order.id).status is OrderStatus.IN_MEDIATION


def test_contact_buyer_composes_in_the_messages_tab_and_ctrl_enter_sends(acting: Acting) -> None:
    order = acting.orders(OrderStatus.AWAITING_CONFIRMATION, 1)[0]
    acting.show(order.id)
    detail, compose = acting.window.detail, acting.controller.compose
    acting.press_shortcut(SHORTCUTS[ActionKind.SEND_MESSAGE])
    assert detail.tabs.currentIndex() == detail.MESSAGES
    editor = compose.editor

    def ctrl_enter() -> None:
        acting.qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    ctrl_enter()  # empty
    assert compose.field.error.text() == "The message is required."
    compose.field.set_text("y" * 5001)
    ctrl_enter()
    assert compose.field.error.text() == "The message is 5,001 characters; at most 5,000."
    acting.settle()
    assert acting.operations(order.id) == []

    compose.field.set_text("")
    acting.qtbot.keyClicks(editor, "Hello <b>there</b>")
    ctrl_enter()
    acting.qtbot.waitUntil(lambda: not compose.sending)
    assert editor.toPlainText() == ""
    [entry] = acting.operations(order.id)
    assert entry.kind is ActionKind.SEND_MESSAGE and entry.body == {"text": "Hello <b>there</b>"}

    def bubble_words() -> list[tuple[str, str]]:
        return [(b.body.text(), b.sync_words) for b in detail.messages.bubbles()]

    # Queued (offline or not): shown as sending until the platform has it.
    acting.qtbot.waitUntil(lambda: ("Hello <b>there</b>", "sending…") in bubble_words())
    acting.sync()
    acting.qtbot.waitUntil(lambda: ("Hello <b>there</b>", "") in bubble_words())
    assert acting.state(entry) is OperationState.APPLIED
    applied = acting.applied_once(entry)
    assert applied["path"].endswith(f"/orders/{order.id}/messages")


def test_the_context_menu_offers_the_seven_operations_as_the_domain_allows(
    acting: Acting,
) -> None:
    order = acting.orders(OrderStatus.PENDING_DELIVERY, 1)[0]
    acting.show(order.id)
    menu = acting.controller.build_context_menu(QPoint(-1, -1))  # the current order
    assert menu is not None
    items = {a.objectName(): a for a in menu.actions() if a.objectName().startswith("menu_")}
    assert set(items) == {f"menu_{kind.value}" for kind in ActionKind}
    enabled = {name for name, item in items.items() if item.isEnabled()}
    assert enabled == {"menu_confirm_delivery", "menu_refuse_delivery", "menu_send_message"}
    assert "pending delivery" in items["menu_approve_refund"].toolTip()
    for kind, action in acting.controller.actions.items():
        assert action.shortcut().toString() == SHORTCUTS[kind]
        assert action.isEnabled() == (f"menu_{kind.value}" in enabled)
        assert SHORTCUTS[kind] in items[f"menu_{kind.value}"].text()
    assert len(set(SHORTCUTS.values())) == len(SHORTCUTS)


def test_an_open_dialog_says_when_its_order_moved_on_and_queues_nothing_not_allowed(
    acting: Acting,
) -> None:
    order = acting.orders(OrderStatus.PENDING_DELIVERY, 1)[0]
    acting.show(order.id)
    acting.controller.act(order.id, ActionKind.CONFIRM_DELIVERY)
    dialog = acting.dialog(ConfirmDeliveryDialog)
    acting.click(dialog.primary_button)
    assert dialog.page == OperationDialog.CONFIRM and not dialog.problem.isVisibleTo(dialog)

    acting.buyer(order.id, "request-refund", {"reason": "Too slow"})  # meanwhile
    acting.sync()
    acting.qtbot.waitUntil(lambda: dialog.problem.isVisibleTo(dialog))
    assert "changed on the platform while you were deciding" in dialog.problem.text()
    assert "refund requested" in dialog.problem.text()

    acting.click(dialog.primary_button)  # going on anyway: the domain says no
    acting.qtbot.waitUntil(lambda: "Not possible now" in dialog.problem.text())
    assert "only while the order is pending delivery" in dialog.problem.text()
    assert dialog.isVisible() and dialog.entry is None
    acting.settle()
    assert acting.operations(order.id) == []
    acting.click(dialog.cancel_button)
    acting.qtbot.waitUntil(lambda: acting.controller.dialog is None)


def test_a_draft_waits_while_other_orders_are_shown(acting: Acting) -> None:
    first, second = acting.orders(OrderStatus.AWAITING_CONFIRMATION, 2)
    acting.show(first.id)
    compose = acting.controller.compose
    acting.qtbot.keyClicks(compose.editor, "Half-written answer")
    acting.show(second.id)
    assert compose.order_id == second.id and compose.editor.toPlainText() == ""
    acting.show(first.id)
    assert compose.editor.toPlainText() == "Half-written answer"
    acting.settle()
    assert acting.operations(first.id) == []  # a draft is not queued
