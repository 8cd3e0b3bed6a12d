"""Confirm delivery (an optional note, then what happens next) and Refuse delivery (a reason
and an explanation, then what happens next; the conversation opens afterwards)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_app.domain import (
    CONFIRMATION_PERIOD,
    ConfirmDelivery,
    Operation,
    Order,
    RefusalReason,
    RefuseDelivery,
)
from desktop_app.domain.operations import NOTE_MAX, REASON_MAX
from desktop_app.ui.actions.dialogs.base import DialogContext, OperationDialog
from desktop_app.ui.actions.fields import ChoiceField, FieldWidget, TextField
from desktop_app.ui.actions.texts import confirm_delivery_text, days, refuse_delivery_text
from desktop_app.ui.views.plain import plain_label

__all__ = ["ConfirmDeliveryDialog", "RefuseDeliveryDialog"]


class ConfirmDeliveryDialog(OperationDialog):
    def __init__(self, order: Order, context: DialogContext, parent: QWidget | None = None):
        super().__init__(order, context, "Confirm delivery", parent)
        self.setObjectName("confirmDeliveryDialog")

    def build_form(self, layout: QVBoxLayout) -> None:
        intro = plain_label(
            "Tell the platform you delivered the service. The buyer then has "
            f"{days(CONFIRMATION_PERIOD.days)} to confirm; you will see exactly until when on "
            "the next step.",
            object_name="confirmIntro",
        )
        self.note = TextField(
            "note",
            "A note for the buyer",
            limit=NOTE_MAX,
            required=False,
            placeholder="Where to find the delivery, what to check…",
        )
        layout.addWidget(intro)
        layout.addWidget(self.note, 1)

    def fields(self) -> Sequence[FieldWidget]:
        return (self.note,)

    def current_operation(self) -> Operation:
        return ConfirmDelivery(note=self.note.text() or None)

    def confirmation_text(self, operation: Operation) -> str:
        return confirm_delivery_text(
            self.order, self.ctx.clock(), self.fmt, online=self.ctx.online()
        )

    def primary_text(self) -> str:
        return "Continue…"

    def confirm_button_text(self) -> str:
        return "Confirm delivery"


_REASONS = [(reason.value, reason.label) for reason in RefusalReason]


class RefuseDeliveryDialog(OperationDialog):
    def __init__(self, order: Order, context: DialogContext, parent: QWidget | None = None):
        super().__init__(order, context, "Refuse delivery", parent)
        self.setObjectName("refuseDeliveryDialog")

    def build_form(self, layout: QVBoxLayout) -> None:
        intro = plain_label(
            "Refuse when you cannot deliver as ordered. The buyer reads your reason and "
            "explanation; you can then negotiate an alternative in the conversation.",
            object_name="refuseIntro",
        )
        self.reason = ChoiceField("reason_code", "Reason", _REASONS, placeholder="Choose a reason…")
        self.explanation = TextField(
            "explanation",
            "Explanation for the buyer",
            limit=REASON_MAX,
            required=True,
            placeholder="What stands in the way, and what you could offer instead…",
        )
        layout.addWidget(intro)
        layout.addWidget(self.reason)
        layout.addWidget(self.explanation, 1)

    def fields(self) -> Sequence[FieldWidget]:
        return (self.reason, self.explanation)

    def current_operation(self) -> Operation:
        return RefuseDelivery(reason_code=self.reason.value(), explanation=self.explanation.text())

    def confirmation_text(self, operation: Operation) -> str:
        return refuse_delivery_text(
            self.order, self.fmt, self.reason.current_label(), self.explanation.text()
        )

    def primary_text(self) -> str:
        return "Continue…"

    def confirm_button_text(self) -> str:
        return "Refuse delivery"
