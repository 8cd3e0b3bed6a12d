"""Overview: where the order stands, its timeline, the deadlines and who must act, and the
actions available now (each disabled with the domain's reason as its tooltip)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import (
    ActionKind,
    Actor,
    Order,
    OrderStatus,
    RequestStatus,
    availability,
    deadlines_of,
    next_deadline,
    urgency,
)
from desktop_app.domain.deadlines import Urgency
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.views.plain import plain_label, set_plain

__all__ = ["ACTION_ORDER", "OverviewTab", "timeline_of"]

ACTION_ORDER: tuple[ActionKind, ...] = (
    ActionKind.CONFIRM_DELIVERY,
    ActionKind.REFUSE_DELIVERY,
    ActionKind.APPROVE_EXTENSION,
    ActionKind.REJECT_EXTENSION,
    ActionKind.APPROVE_REFUND,
    ActionKind.DISPUTE_REFUND,
    ActionKind.SEND_MESSAGE,
)

_REQUEST_WORDS = {
    RequestStatus.PENDING: "awaiting your answer",
    RequestStatus.APPROVED: "approved",
    RequestStatus.REJECTED: "rejected",
    RequestStatus.DISPUTED: "disputed",
    RequestStatus.EXPIRED: "expired",
    RequestStatus.UNKNOWN: "status unknown",
}


def timeline_of(order: Order, fmt: Formatter) -> list[tuple[datetime, str]]:
    """What happened to `order`, oldest first, in sentences (buyer text included verbatim)."""
    events: list[tuple[datetime, str]] = [
        (order.created_at, f"Order placed: {order.service.title} ({order.service.package})")
    ]
    delivery = order.delivery
    if delivery.confirmed_at:
        note = f" — note: {delivery.note}" if delivery.note else ""
        events.append((delivery.confirmed_at, f"You confirmed delivery{note}"))
    if delivery.refused_at:
        reason = delivery.refusal_reason_code.label if delivery.refusal_reason_code else "refused"
        why = f" — {delivery.refusal_explanation}" if delivery.refusal_explanation else ""
        events.append((delivery.refused_at, f"You refused delivery: {reason}{why}"))
    extension = order.extension_request
    if extension:
        days = f"{extension.requested_days} day{'s' if extension.requested_days != 1 else ''}"
        reason = f" — “{extension.reason}”" if extension.reason else ""
        state = _REQUEST_WORDS.get(extension.status, extension.status.value)
        events.append(
            (extension.requested_at, f"Buyer asked for {days} more to confirm ({state}){reason}")
        )
    refund = order.refund_request
    if refund:
        reason = f" — “{refund.reason}”" if refund.reason else ""
        state = _REQUEST_WORDS.get(refund.status, refund.status.value)
        events.append(
            (
                refund.requested_at,
                f"Buyer requested a refund of {fmt.money(refund.amount)} ({state}){reason}",
            )
        )
    dispute = order.dispute
    if dispute:
        events.append((dispute.opened_at, "Refund disputed: the platform is mediating"))
        if dispute.resolved_at:
            outcome = f": {dispute.outcome.replace('_', ' ')}" if dispute.outcome else ""
            events.append((dispute.resolved_at, f"Mediation resolved{outcome}"))
    if order.last_message_at:
        events.append((order.last_message_at, "Latest message in the conversation"))
    if order.status.is_final and not any(t == order.updated_at for t, _ in events):
        events.append((order.updated_at, f"Order {order.status_label.lower()}"))
    events.sort(key=lambda event: event[0])
    return events


def _who_must_act(order: Order, now: datetime, fmt: Formatter) -> tuple[str, Urgency | None]:
    deadline = next_deadline(order)
    if deadline is None:
        if order.status is OrderStatus.IN_MEDIATION:
            return "The platform is mediating; nothing is due from you.", None
        if order.status is OrderStatus.DELIVERY_REFUSED:
            return (
                "Waiting for the buyer: they may revise the requirements or accept cancellation.",
                None,
            )
        if order.status.is_final:
            return f"Nothing to do: the order is {order.status_label.lower()}.", None
        return "No deadline is running.", None
    who = {Actor.MERCHANT: "You", Actor.BUYER: "The buyer", Actor.PLATFORM: "The platform"}[
        deadline.actor
    ]
    text = (
        f"{who} must act: {deadline.label.lower()} {fmt.moment_long(deadline.due)} "
        f"({fmt.countdown(deadline.due, now)}); then {deadline.kind.consequence}."
    )
    return text, urgency(deadline, now)


class OverviewTab(QWidget):
    action_requested = Signal(object)  # ActionKind

    def __init__(self, formatter: Formatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fmt = formatter
        layout = QVBoxLayout(self)

        self.title = plain_label(object_name="overviewTitle", wrap=False)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.status = plain_label(object_name="overviewStatus")
        self.buyer = plain_label(object_name="overviewBuyer")
        self.must_act = plain_label(object_name="overviewMustAct")
        self.must_act.setFrameShape(QFrame.Shape.StyledPanel)
        self.must_act.setMargin(6)
        for widget in (self.title, self.status, self.buyer, self.must_act):
            layout.addWidget(widget)

        actions_box = QGroupBox("Actions available now")
        actions_layout = QGridLayout(actions_box)
        self.action_buttons: dict[ActionKind, QPushButton] = {}
        for i, kind in enumerate(ACTION_ORDER):
            button = QPushButton(kind.label)
            button.setObjectName(f"action_{kind.value}")
            button.clicked.connect(lambda _=False, k=kind: self.action_requested.emit(k))
            actions_layout.addWidget(button, i // 4, i % 4)
            self.action_buttons[kind] = button
        layout.addWidget(actions_box)

        deadlines_box = QGroupBox("Deadlines")
        deadlines_layout = QVBoxLayout(deadlines_box)
        self.deadlines = plain_label(object_name="overviewDeadlines")
        deadlines_layout.addWidget(self.deadlines)
        layout.addWidget(deadlines_box)

        timeline_box = QGroupBox("Timeline")
        timeline_layout = QHBoxLayout(timeline_box)
        self.timeline = QTreeWidget()
        self.timeline.setObjectName("overviewTimeline")
        self.timeline.setColumnCount(2)
        self.timeline.setHeaderLabels(["When", "What happened"])
        self.timeline.setRootIsDecorated(False)
        self.timeline.setWordWrap(True)
        self.timeline.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.timeline.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.timeline.header().setStretchLastSection(True)
        timeline_layout.addWidget(self.timeline)
        layout.addWidget(timeline_box, 1)

    def show_order(self, order: Order, now: datetime) -> None:
        fmt = self._fmt
        set_plain(self.title, f"{order.number} — {order.service.title}")
        set_plain(self.status, f"Status: {order.status_label}")
        buyer = order.buyer
        set_plain(
            self.buyer,
            f"Buyer: {buyer.display_name} ({buyer.country}) · "
            f"local time {fmt.in_zone(now, buyer.timezone)} ({buyer.timezone})",
        )
        text, level = _who_must_act(order, now, fmt)
        set_plain(self.must_act, text)
        self.must_act.setProperty("urgency", level.value if level else "")
        style = (
            {
                Urgency.OVERDUE: "color: #b71c1c; font-weight: bold;",
                Urgency.SOON: "background: #ffecb3; color: #5e3e00; font-weight: bold;",
            }.get(level, "")
            if level
            else ""
        )
        self.must_act.setStyleSheet(f"QLabel {{ {style} }}" if style else "")

        for kind, answer in availability(order, now).items():
            button = self.action_buttons[kind]
            button.setEnabled(answer.allowed)
            button.setToolTip(f"{kind.label}" if answer.allowed else f"Not now: {answer.reason}")

        running = deadlines_of(order)
        if running:
            lines = []
            for deadline in running:
                who = Formatter.actor(deadline.actor)
                lines.append(
                    f"{deadline.label} {fmt.moment_long(deadline.due)} — "
                    f"{fmt.countdown(deadline.due, now)} — {who} must act"
                )
            set_plain(self.deadlines, "\n".join(lines))
        else:
            set_plain(self.deadlines, "No deadline is running.")

        self.timeline.clear()
        for moment, what in timeline_of(order, fmt):
            item = QTreeWidgetItem([fmt.moment(moment), what])
            item.setToolTip(1, what)
            self.timeline.addTopLevelItem(item)

    def clear(self) -> None:
        for label in (self.title, self.status, self.buyer, self.must_act, self.deadlines):
            set_plain(label, "")
        self.timeline.clear()
        for button in self.action_buttons.values():
            button.setEnabled(False)
            button.setToolTip("Choose an order first.")
