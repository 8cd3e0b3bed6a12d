"""A refund request: the amount asked and what it does to the net receipt; approve it (with a
second confirmation), or dispute it with a reason and evidence, knowing that the platform will
mediate and what to expect then."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QButtonGroup, QFormLayout, QRadioButton, QVBoxLayout, QWidget

from desktop_app.domain import (
    ActionKind,
    ApproveRefund,
    DisputeRefund,
    Operation,
    Order,
)
from desktop_app.domain.operations import REASON_MAX
from desktop_app.ui.actions.dialogs.base import DialogContext, OperationDialog, section
from desktop_app.ui.actions.fields import FieldWidget, TextField, buyer_text
from desktop_app.ui.actions.texts import (
    approve_refund_text,
    dispute_text,
    long_moment,
    refund_effect,
)
from desktop_app.ui.views.plain import plain_label

__all__ = ["RefundDialog"]


class RefundDialog(OperationDialog):
    def __init__(
        self,
        order: Order,
        context: DialogContext,
        choice: ActionKind = ActionKind.APPROVE_REFUND,
        parent: QWidget | None = None,
    ) -> None:
        self._choice = choice
        super().__init__(order, context, "Refund request", parent)
        self.setObjectName("refundDialog")

    def build_form(self, layout: QVBoxLayout) -> None:
        order, fmt, now = self.order, self.fmt, self.ctx.clock()
        request = order.pending_refund
        self.request = request
        self.effect = refund_effect(order, request) if request is not None else None
        layout.addWidget(section("The buyer's request"))
        self.effect_box = QWidget()
        effect_form = QFormLayout(self.effect_box)
        effect_form.setContentsMargins(0, 0, 0, 0)
        self.effect_note = plain_label(object_name="refundEffectNote")
        self.effect_note.setStyleSheet("color: palette(placeholder-text);")
        if request is None or self.effect is None:
            self.facts = plain_label("There is no pending refund request on this order.")
            self.reason_view = buyer_text("", "buyerReason")
        else:
            effect = self.effect
            part = "the whole payment" if effect.whole else f"of the {fmt.money(effect.paid)} paid"
            lines = [
                f"The buyer asks for {fmt.money(request.amount)} back ({part}), asked "
                f"{fmt.moment(request.requested_at)}."
            ]
            answer_by = request.respond_by or order.deadlines.respond_by
            if answer_by is not None:
                lines.append(
                    f"Answer by {long_moment(fmt, answer_by)} ({fmt.countdown(answer_by, now)}); "
                    "unanswered, the refund is approved automatically."
                )
            self.facts = plain_label("\n".join(lines), object_name="refundFacts")
            self.reason_view = buyer_text(request.reason, "buyerReason")
            about = "" if effect.exact else "about "
            rows = [
                ("Refund asked", f"{fmt.money(effect.refund)} ({part})", "refundAsked"),
                (
                    "Your net receipt now",
                    f"{fmt.money(effect.net_now)} · {fmt.money(effect.settlement_now)}",
                    "netNow",
                ),
                (
                    "If you approve",
                    f"{about}{fmt.money(effect.net_after)} · "
                    f"{about}{fmt.money(effect.settlement_after)}",
                    "netAfter",
                ),
                (
                    "The order becomes",
                    "Refunded: you receive nothing"
                    if effect.whole
                    else "Partially refunded: the rest is released to you",
                    "orderBecomes",
                ),
            ]
            for title, value, name in rows:
                effect_form.addRow(
                    plain_label(title, wrap=False, selectable=False),
                    plain_label(value, object_name=name),
                )
            if not effect.exact:
                kept = fmt.money(effect.kept_before_fees)
                self.effect_note.setText(
                    f"The platform recalculates its fees on the {kept} you keep, so the net "
                    "after the refund is an estimate."
                )
        self.effect_note.setVisible(bool(self.effect_note.text()))
        layout.addWidget(self.facts)
        layout.addWidget(plain_label("Their reason:", wrap=False, selectable=False))
        layout.addWidget(self.reason_view)
        layout.addWidget(section("What approving means for you"))
        layout.addWidget(self.effect_box)
        layout.addWidget(self.effect_note)

        layout.addWidget(section("Your answer"))
        self.approve_choice = QRadioButton("Approve the refund")
        self.approve_choice.setObjectName("approveChoice")
        self.dispute_choice = QRadioButton("Dispute it: the platform mediates")
        self.dispute_choice.setObjectName("disputeChoice")
        self.choices = QButtonGroup(self)
        self.choices.addButton(self.approve_choice)
        self.choices.addButton(self.dispute_choice)
        layout.addWidget(self.approve_choice)
        layout.addWidget(self.dispute_choice)

        self.dispute_box = QWidget()
        dispute_layout = QVBoxLayout(self.dispute_box)
        dispute_layout.setContentsMargins(18, 0, 0, 0)
        self.mediation = plain_label(dispute_text(), object_name="mediationExplained")
        self.mediation.setStyleSheet("color: palette(placeholder-text);")
        self.reason = TextField(
            "reason",
            "Why you dispute the refund",
            limit=REASON_MAX,
            required=True,
            lines=3,
            max_lines=8,
        )
        self.evidence = TextField(
            "evidence",
            "Evidence for the mediator",
            limit=REASON_MAX,
            required=True,
            lines=3,
            max_lines=8,
            placeholder="What was agreed, what you delivered and when, links to the work…",
        )
        dispute_layout.addWidget(self.mediation)
        dispute_layout.addWidget(self.reason)
        dispute_layout.addWidget(self.evidence)
        layout.addWidget(self.dispute_box)

        if self._choice is ActionKind.DISPUTE_REFUND:
            self.dispute_choice.setChecked(True)
        else:
            self.approve_choice.setChecked(True)
        self.choices.buttonToggled.connect(lambda *_: self._choice_changed())
        self._choice_changed()
        if request is None:
            self.show_problem("The buyer has no pending refund request (any more).")

    @property
    def disputing(self) -> bool:
        return self.dispute_choice.isChecked()

    def _choice_changed(self) -> None:
        self.dispute_box.setVisible(self.disputing)
        for field in (self.reason, self.evidence):
            field.clear_error()
        self.refresh_primary()
        if self.disputing:
            self.reason.focus_input()
        self.fit_to_content()

    def fields(self) -> Sequence[FieldWidget]:
        return (self.reason, self.evidence) if self.disputing else ()

    def current_operation(self) -> Operation:
        request_id = self.request.id if self.request is not None else ""
        if self.disputing:
            return DisputeRefund(request_id, self.reason.text(), self.evidence.text())
        return ApproveRefund(request_id)

    def confirmation_text(self, operation: Operation) -> str | None:
        if isinstance(operation, ApproveRefund) and self.effect is not None:
            return approve_refund_text(self.order, self.effect, self.fmt)
        return None

    def primary_text(self) -> str:
        return "Dispute refund" if self.disputing else "Approve refund…"

    def confirm_button_text(self) -> str:
        return "Approve refund"
