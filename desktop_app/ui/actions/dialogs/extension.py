"""An extension request: the days asked, the buyer's reason (plain text) and the confirmation
date if approved; approve it, or reject it with a reason."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QButtonGroup, QRadioButton, QVBoxLayout, QWidget

from desktop_app.domain import (
    ActionKind,
    ApproveExtension,
    Operation,
    Order,
    RejectExtension,
)
from desktop_app.domain.operations import REASON_MAX
from desktop_app.ui.actions.dialogs.base import DialogContext, OperationDialog, section
from desktop_app.ui.actions.fields import FieldWidget, TextField, buyer_text
from desktop_app.ui.actions.texts import extension_dates, long_moment, more_days
from desktop_app.ui.views.plain import plain_label

__all__ = ["ExtensionDialog"]


class ExtensionDialog(OperationDialog):
    def __init__(
        self,
        order: Order,
        context: DialogContext,
        choice: ActionKind = ActionKind.APPROVE_EXTENSION,
        parent: QWidget | None = None,
    ) -> None:
        self._choice = choice
        super().__init__(order, context, "Extension request", parent)
        self.setObjectName("extensionDialog")

    def build_form(self, layout: QVBoxLayout) -> None:
        order, fmt, now = self.order, self.fmt, self.ctx.clock()
        request = order.pending_extension
        self.request = request
        layout.addWidget(section("The buyer's request"))
        if request is None:
            self.facts = plain_label("There is no pending extension request on this order.")
            layout.addWidget(self.facts)
            self.reason_view = buyer_text("", "buyerReason")
            current = new = None
        else:
            current, new = extension_dates(order, request)
            answer_by = request.respond_by or order.deadlines.respond_by
            lines = [
                f"The buyer asks for {more_days(request.requested_days)} to check the delivery "
                f"before confirming (asked {fmt.moment(request.requested_at)}).",
            ]
            if answer_by is not None:
                lines.append(
                    f"Answer by {long_moment(fmt, answer_by)} ({fmt.countdown(answer_by, now)}); "
                    "unanswered, the request is rejected automatically."
                )
            self.facts = plain_label("\n".join(lines), object_name="extensionFacts")
            layout.addWidget(self.facts)
            layout.addWidget(plain_label("Their reason:", wrap=False, selectable=False))
            self.reason_view = buyer_text(request.reason, "buyerReason")
        layout.addWidget(self.reason_view)

        self.new_date = plain_label(object_name="newConfirmationDate")
        if current is not None and new is not None:
            self.new_date.setText(
                f"Confirmation date now: {long_moment(fmt, current)}\n"
                f"New confirmation date if you approve: {long_moment(fmt, new)}"
            )
        layout.addWidget(self.new_date)

        layout.addWidget(section("Your answer"))
        asked = more_days(request.requested_days) if request is not None else "the days asked"
        self.approve_choice = QRadioButton(f"Approve: give the buyer {asked}")
        self.approve_choice.setObjectName("approveChoice")
        self.reject_choice = QRadioButton("Reject: the current confirmation date stands")
        self.reject_choice.setObjectName("rejectChoice")
        self.choices = QButtonGroup(self)
        self.choices.addButton(self.approve_choice)
        self.choices.addButton(self.reject_choice)
        layout.addWidget(self.approve_choice)
        layout.addWidget(self.reject_choice)
        self.reason = TextField(
            "reason",
            "Your reason for rejecting (the buyer reads it)",
            limit=REASON_MAX,
            required=True,
            lines=3,
            max_lines=8,
        )
        layout.addWidget(self.reason)
        if self._choice is ActionKind.REJECT_EXTENSION:
            self.reject_choice.setChecked(True)
        else:
            self.approve_choice.setChecked(True)
        self.choices.buttonToggled.connect(lambda *_: self._choice_changed())
        self._choice_changed()
        if request is None:
            self.show_problem("The buyer has not asked for an extension (any more).")

    @property
    def rejecting(self) -> bool:
        return self.reject_choice.isChecked()

    def _choice_changed(self) -> None:
        self.reason.setEnabled(self.rejecting)
        self.reason.clear_error()
        self.refresh_primary()
        if self.rejecting:
            self.reason.focus_input()

    def fields(self) -> Sequence[FieldWidget]:
        return (self.reason,)

    def current_operation(self) -> Operation:
        request_id = self.request.id if self.request is not None else ""
        if self.rejecting:
            return RejectExtension(request_id, self.reason.text())
        return ApproveExtension(request_id)

    def primary_text(self) -> str:
        return "Reject extension" if self.rejecting else "Approve extension"
