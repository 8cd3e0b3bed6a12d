"""An order's next deadline: what is due, who must act, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .order import Order
from .status import Actor, OrderStatus

__all__ = ["Deadline", "DeadlineKind", "Urgency", "deadlines_of", "next_deadline", "urgency"]

DUE_SOON = timedelta(hours=24)


class DeadlineKind(StrEnum):
    DELIVER = "deliver"
    BUYER_CONFIRMS = "buyer_confirms"
    ANSWER_EXTENSION = "answer_extension"
    ANSWER_REFUND = "answer_refund"

    @property
    def label(self) -> str:
        return {
            DeadlineKind.DELIVER: "Deliver by",
            DeadlineKind.BUYER_CONFIRMS: "Buyer confirms by",
            DeadlineKind.ANSWER_EXTENSION: "Answer the extension request by",
            DeadlineKind.ANSWER_REFUND: "Answer the refund request by",
        }[self]

    @property
    def consequence(self) -> str:
        """What the platform does when the moment passes."""
        return {
            DeadlineKind.DELIVER: "the delivery is late",
            DeadlineKind.BUYER_CONFIRMS: "the order completes and payment is released",
            DeadlineKind.ANSWER_EXTENSION: "the extension request is rejected automatically",
            DeadlineKind.ANSWER_REFUND: "the refund is approved automatically",
        }[self]


class Urgency(StrEnum):
    LATER = "later"
    SOON = "soon"  # under 24 hours
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: DeadlineKind
    actor: Actor
    due: datetime

    @property
    def label(self) -> str:
        return self.kind.label


def deadlines_of(order: Order) -> list[Deadline]:
    """Every deadline running on `order`, soonest first."""
    running: list[Deadline] = []
    dates = order.deadlines
    match order.status:
        case OrderStatus.PENDING_DELIVERY if dates.deliver_by:
            running.append(Deadline(DeadlineKind.DELIVER, Actor.MERCHANT, dates.deliver_by))
        case OrderStatus.AWAITING_CONFIRMATION:
            extension = order.pending_extension
            if extension is not None:
                respond_by = extension.respond_by or dates.respond_by
                if respond_by is not None:
                    running.append(
                        Deadline(DeadlineKind.ANSWER_EXTENSION, Actor.MERCHANT, respond_by)
                    )
            if dates.confirm_by:
                running.append(Deadline(DeadlineKind.BUYER_CONFIRMS, Actor.BUYER, dates.confirm_by))
        case OrderStatus.REFUND_REQUESTED:
            refund = order.pending_refund
            respond_by = (refund.respond_by if refund else None) or dates.respond_by
            if respond_by is not None:
                running.append(Deadline(DeadlineKind.ANSWER_REFUND, Actor.MERCHANT, respond_by))
        case _:
            pass
    if len(running) > 1:
        running.sort(key=lambda deadline: deadline.due)
    return running


def next_deadline(order: Order) -> Deadline | None:
    """The deadline that matters most now: a merchant's before a buyer's, then the soonest."""
    running = deadlines_of(order)
    if len(running) <= 1:  # (the common case, on every order stored: no sorting)
        return running[0] if running else None
    return min(running, key=lambda d: (d.actor is not Actor.MERCHANT, d.due))


def urgency(deadline: Deadline, now: datetime) -> Urgency:
    if deadline.due <= now:
        return Urgency.OVERDUE
    if deadline.due - now <= DUE_SOON:
        return Urgency.SOON
    return Urgency.LATER
