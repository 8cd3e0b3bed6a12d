"""The state machine: what an order allows at a moment, why not, and what an operation does.

The UI asks `availability` whether a button is enabled and which tooltip explains why not; the
outbox applies `apply_optimistically` to the cached order so the operator sees the effect at
once, before the platform has answered.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .money import Money
from .operations import (
    ApproveExtension,
    ApproveRefund,
    ConfirmDelivery,
    DisputeRefund,
    Operation,
    RefuseDelivery,
    RejectExtension,
    SendMessage,
)
from .order import Delivery, Dispute, Order
from .status import (
    ActionKind,
    DisputeStatus,
    OrderStatus,
    PayoutStatus,
    RefusalReason,
    RequestStatus,
)
from .timeutil import ensure_utc

__all__ = [
    "CONFIRMATION_PERIOD",
    "MESSAGING_WINDOW_AFTER_CANCEL",
    "Availability",
    "NotAllowedError",
    "StatusTransitions",
    "apply_optimistically",
    "availability",
    "refusal_reason",
]

CONFIRMATION_PERIOD = timedelta(days=7)
MESSAGING_WINDOW_AFTER_CANCEL = timedelta(days=90)

# Every status an order can move to, per the contract: used to check that the platform (and
# our own optimistic effects) never produce a move the contract does not know.
StatusTransitions: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING_DELIVERY: frozenset(
        {
            OrderStatus.AWAITING_CONFIRMATION,
            OrderStatus.DELIVERY_REFUSED,
            OrderStatus.REFUND_REQUESTED,
        }
    ),
    OrderStatus.AWAITING_CONFIRMATION: frozenset(
        {OrderStatus.COMPLETED, OrderStatus.REFUND_REQUESTED}
    ),
    OrderStatus.DELIVERY_REFUSED: frozenset({OrderStatus.PENDING_DELIVERY, OrderStatus.CANCELLED}),
    OrderStatus.REFUND_REQUESTED: frozenset(
        {OrderStatus.REFUNDED, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.IN_MEDIATION}
    ),
    OrderStatus.IN_MEDIATION: frozenset(
        {OrderStatus.REFUNDED, OrderStatus.COMPLETED, OrderStatus.PARTIALLY_REFUNDED}
    ),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
    OrderStatus.PARTIALLY_REFUNDED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.UNKNOWN: frozenset(),
}


class NotAllowedError(Exception):
    """An operation the order does not allow now; the message says why, for the operator."""

    def __init__(self, kind: ActionKind, reason: str) -> None:
        self.kind = kind
        self.reason = reason
        super().__init__(f"{kind.label}: {reason}")


@dataclass(frozen=True, slots=True)
class Availability:
    kind: ActionKind
    reason: str | None  # None: allowed now

    @property
    def allowed(self) -> bool:
        return self.reason is None


def _in_status(order: Order, wanted: OrderStatus, doing: str) -> str | None:
    if order.status is wanted:
        return None
    now_is = order.status_label.lower()
    return f"{doing} only while the order is {wanted.label.lower()}; it is {now_is}."


def _request_reason(order: Order, kind: ActionKind, now: datetime) -> str | None:
    is_extension = kind in (ActionKind.APPROVE_EXTENSION, ActionKind.REJECT_EXTENSION)
    request = order.extension_request if is_extension else order.refund_request
    what = "extension" if is_extension else "refund"
    if is_extension and order.status is not OrderStatus.AWAITING_CONFIRMATION:
        return (
            "Extension requests are answered while the order awaits the buyer's confirmation; "
            f"it is {order.status_label.lower()}."
        )
    if not is_extension and order.status is not OrderStatus.REFUND_REQUESTED:
        return f"There is no refund request to answer; the order is {order.status_label.lower()}."
    if request is None:
        return (
            f"The buyer has not asked for an {what}."
            if is_extension
            else ("The refund request's details have not arrived yet.")
        )
    if request.status is not RequestStatus.PENDING:
        return f"The {what} request was already settled ({request.status.value})."
    if request.respond_by is not None and now >= request.respond_by:
        outcome = "rejected" if is_extension else "approved"
        return f"The time to answer has passed; the platform {outcome} the request automatically."
    return None


def refusal_reason(order: Order, kind: ActionKind, now: datetime) -> str | None:
    """Why `kind` is not allowed on `order` at `now`, in a sentence; None when it is allowed."""
    now = ensure_utc(now)
    if order.status is OrderStatus.UNKNOWN and kind.is_decision:
        return (
            f"This order's status ({order.raw_status or 'unknown'}) is new to this version of "
            "OrderDesk; act on it on the platform's website or update OrderDesk."
        )
    match kind:
        case ActionKind.CONFIRM_DELIVERY:
            return _in_status(order, OrderStatus.PENDING_DELIVERY, "Delivery can be confirmed")
        case ActionKind.REFUSE_DELIVERY:
            return _in_status(order, OrderStatus.PENDING_DELIVERY, "Delivery can be refused")
        case (
            ActionKind.APPROVE_EXTENSION
            | ActionKind.REJECT_EXTENSION
            | ActionKind.APPROVE_REFUND
            | ActionKind.DISPUTE_REFUND
        ):
            return _request_reason(order, kind, now)
        case ActionKind.SEND_MESSAGE:
            if (
                order.status is OrderStatus.CANCELLED
                and now - order.updated_at > MESSAGING_WINDOW_AFTER_CANCEL
            ):
                return "The order was cancelled more than 90 days ago; the conversation is closed."
            return None
    raise AssertionError(f"unhandled action {kind!r}")  # pragma: no cover


def availability(order: Order, now: datetime) -> dict[ActionKind, Availability]:
    """Every action, allowed or with the reason it is not, in the contract's order."""
    return {kind: Availability(kind, refusal_reason(order, kind, now)) for kind in ActionKind}


def _check_request(order: Order, operation: Operation) -> None:
    request_id = operation.request_id
    if request_id is None:
        return
    request = (
        order.extension_request
        if isinstance(operation, ApproveExtension | RejectExtension)
        else order.refund_request
    )
    if request is None or request.id != request_id:
        raise NotAllowedError(operation.kind, "The request answered is no longer the pending one.")


def apply_optimistically(order: Order, operation: Operation, now: datetime) -> Order:
    """The order as it will look once the platform applies `operation` at `now`.

    Raises `NotAllowedError` when the order does not allow it, and `OperationValidationError`
    when the operation's inputs are invalid: nothing is queued in either case.
    """
    now = ensure_utc(now)
    operation.check()
    reason = refusal_reason(order, operation.kind, now)
    if reason is not None:
        raise NotAllowedError(operation.kind, reason)
    _check_request(order, operation)
    deadlines = order.deadlines
    match operation:
        case ConfirmDelivery(note=note):
            return replace(
                order,
                status=OrderStatus.AWAITING_CONFIRMATION,
                updated_at=now,
                delivery=replace(order.delivery, confirmed_at=now, note=note or None),
                deadlines=replace(deadlines, deliver_by=None, confirm_by=now + CONFIRMATION_PERIOD),
            )
        case RefuseDelivery(reason_code=code, explanation=explanation):
            return replace(
                order,
                status=OrderStatus.DELIVERY_REFUSED,
                updated_at=now,
                delivery=Delivery(
                    confirmed_at=order.delivery.confirmed_at,
                    note=order.delivery.note,
                    refused_at=now,
                    refusal_reason_code=RefusalReason(code),
                    refusal_explanation=explanation.strip(),
                ),
                deadlines=replace(deadlines, deliver_by=None),
            )
        case ApproveExtension():
            request = order.extension_request
            assert request is not None
            confirm_by = deadlines.confirm_by
            return replace(
                order,
                updated_at=now,
                extension_request=replace(request, status=RequestStatus.APPROVED),
                deadlines=replace(
                    deadlines,
                    respond_by=None,
                    confirm_by=(
                        confirm_by + timedelta(days=request.requested_days)
                        if confirm_by is not None
                        else None
                    ),
                ),
            )
        case RejectExtension():
            request = order.extension_request
            assert request is not None
            return replace(
                order,
                updated_at=now,
                extension_request=replace(request, status=RequestStatus.REJECTED),
                deadlines=replace(deadlines, respond_by=None),
            )
        case ApproveRefund():
            refund = order.refund_request
            assert refund is not None
            whole = _is_whole_refund(refund.amount, order.finance.buyer_paid)
            return replace(
                order,
                status=OrderStatus.REFUNDED if whole else OrderStatus.PARTIALLY_REFUNDED,
                updated_at=now,
                refund_request=replace(refund, status=RequestStatus.APPROVED),
                finance=replace(
                    order.finance,
                    payout_status=(
                        PayoutStatus.REFUNDED if whole else PayoutStatus.PARTIALLY_REFUNDED
                    ),
                ),
                deadlines=replace(deadlines, respond_by=None),
            )
        case DisputeRefund():
            refund = order.refund_request
            assert refund is not None
            return replace(
                order,
                status=OrderStatus.IN_MEDIATION,
                updated_at=now,
                refund_request=replace(refund, status=RequestStatus.DISPUTED),
                dispute=Dispute(
                    id=f"pending-{refund.id}", status=DisputeStatus.OPEN, opened_at=now
                ),
                deadlines=replace(deadlines, respond_by=None),
            )
        case SendMessage():
            return replace(order, last_message_at=now)
    raise AssertionError(f"unhandled operation {operation!r}")  # pragma: no cover


def _is_whole_refund(amount: Money, paid: Money) -> bool:
    return amount.currency == paid.currency and amount >= paid
