"""The platform's order state machine: who may do what, when, and what it changes.

Pure functions over :class:`OrderState` and a moment in platform time; no I/O. Every change
bumps ``version`` and ``updated_at``. The merchant's moves, the buyer's moves, the platform's
decisions and the deadlines all live here, so the server's notion of a transition is one place.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from desktop_app.sandbox import money
from desktop_app.sandbox.clock import DAY, HOUR
from desktop_app.sandbox.schemas import (
    Action,
    Dispute,
    DisputeStatus,
    ExtensionRequest,
    MediationOutcome,
    Money,
    OrderState,
    OrderStatus,
    PayoutStatus,
    RefundRequest,
    RefusalReason,
    RequestStatus,
    Settlement,
)

CONFIRMATION_PERIOD = 7 * DAY
RESPONSE_PERIOD = 48 * HOUR
MESSAGING_AFTER_CANCELLATION = 90 * DAY
MAX_EXTENSION_DAYS = 14


class RuleError(Exception):
    """A move the rules refuse. ``code`` is the problem code the API answers with."""

    code = "invalid-transition"


class InvalidTransitionError(RuleError):
    code = "invalid-transition"


class RequestNotPendingError(RuleError):
    code = "request-not-pending"


class InvalidValueError(RuleError):
    code = "validation-failed"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# --- reading ----------------------------------------------------------------------------------


def pending_extension(order: OrderState) -> ExtensionRequest | None:
    ext = order.extension_request
    if ext is not None and ext.status is RequestStatus.PENDING:
        return ext
    return None


def pending_refund(order: OrderState) -> RefundRequest | None:
    ref = order.refund_request
    if ref is not None and ref.status is RequestStatus.PENDING:
        return ref
    return None


def actions_for(
    status: OrderStatus, extension_pending: bool, last_change: datetime, now: datetime
) -> list[Action]:
    """What the merchant may do now. Takes only what the store keeps in columns, so the feed
    can answer without parsing each order."""
    actions: list[Action] = []
    if status is OrderStatus.PENDING_DELIVERY:
        actions += [Action.CONFIRM_DELIVERY, Action.REFUSE_DELIVERY]
    elif status is OrderStatus.AWAITING_CONFIRMATION and extension_pending:
        actions += [Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION]
    elif status is OrderStatus.REFUND_REQUESTED:
        actions += [Action.APPROVE_REFUND, Action.DISPUTE_REFUND]
    if status is not OrderStatus.CANCELLED or now <= last_change + MESSAGING_AFTER_CANCELLATION:
        actions.append(Action.SEND_MESSAGE)
    return actions


def allowed_actions(order: OrderState, now: datetime) -> list[Action]:
    return actions_for(
        order.status, pending_extension(order) is not None, order.updated_at, now
    )


def can_message(order: OrderState, now: datetime) -> bool:
    return Action.SEND_MESSAGE in allowed_actions(order, now)


def next_deadline(order: OrderState) -> datetime | None:
    """When the platform will next move this order on its own, if ever."""
    if order.status is OrderStatus.AWAITING_CONFIRMATION:
        ext = order.extension_request
        if ext is not None and ext.status is RequestStatus.PENDING:
            return ext.respond_by
        assert order.deadlines.confirm_by is not None
        if ext is not None and ext.resolved_at is not None:
            return max(order.deadlines.confirm_by, ext.resolved_at)
        return order.deadlines.confirm_by
    if order.status is OrderStatus.REFUND_REQUESTED:
        ref = pending_refund(order)
        return ref.respond_by if ref else None
    return None


# --- helpers --------------------------------------------------------------------------------


def _touch(order: OrderState, at: datetime) -> None:
    order.version += 1
    order.updated_at = max(at, order.updated_at)


def _require(order: OrderState, *statuses: OrderStatus) -> None:
    if order.status not in statuses:
        wanted = " or ".join(s.value for s in statuses)
        raise InvalidTransitionError(f"the order is {order.status.value}, not {wanted}")


def _request_id(prefix: str, order: OrderState) -> str:
    return f"{prefix}_{order.id.removeprefix('ord_')}_{order.version}"


def settle_finance(order: OrderState, refunded: Decimal, payout: PayoutStatus) -> None:
    """Recompute the money after (part of) the payment went back to the buyer."""
    fin = order.finance
    currency = fin.buyer_paid.currency
    kept = fin.buyer_paid.value - refunded
    fees = money.fees_for(kept, currency)
    net = kept - fees.total
    target = fin.settlement.currency
    fin.refunded = Money.of(refunded, currency)
    fin.service_fee = Money.of(fees.service_fee, currency)
    fin.payment_fee = Money.of(fees.payment_fee, currency)
    fin.net_receipt = Money.of(net, currency)
    fin.settlement = Settlement(
        currency=target,
        fx_rate=fin.settlement.fx_rate,
        net_receipt=Money.of(money.quantize(net * Decimal(fin.settlement.fx_rate), target), target),
    )
    fin.payout_status = payout


def _complete(order: OrderState) -> None:
    order.status = OrderStatus.COMPLETED
    order.finance.payout_status = PayoutStatus.RELEASED
    order.deadlines.confirm_by = None
    order.deadlines.respond_by = None
    order.deadlines.deliver_by = None


def _refund(order: OrderState, amount: Decimal) -> None:
    if amount >= order.finance.buyer_paid.value:
        order.status = OrderStatus.REFUNDED
        settle_finance(order, order.finance.buyer_paid.value, PayoutStatus.REFUNDED)
    else:
        order.status = OrderStatus.PARTIALLY_REFUNDED
        settle_finance(order, amount, PayoutStatus.PARTIALLY_REFUNDED)
    order.deadlines.deliver_by = None
    order.deadlines.confirm_by = None
    order.deadlines.respond_by = None


def _close_pending_extension(order: OrderState, at: datetime) -> None:
    ext = pending_extension(order)
    if ext is not None:
        ext.status = RequestStatus.EXPIRED
        ext.resolved_at = at


def parse_amount(text: str, order: OrderState, field: str, *, allow_full: bool) -> Decimal:
    currency = order.finance.buyer_paid.currency
    try:
        amount = money.parse_amount(text, currency)
    except ValueError as exc:
        raise InvalidValueError(field, str(exc)) from exc
    paid = order.finance.buyer_paid.value
    if amount <= 0 or amount > paid or (amount == paid and not allow_full):
        limit = "at most" if allow_full else "less than"
        raise InvalidValueError(field, f"must be above 0 and {limit} {paid} {currency}")
    return amount


# --- the merchant -----------------------------------------------------------------------------


def confirm_delivery(order: OrderState, now: datetime, note: str | None) -> None:
    _require(order, OrderStatus.PENDING_DELIVERY)
    order.status = OrderStatus.AWAITING_CONFIRMATION
    order.delivery.confirmed_at = now
    order.delivery.note = note
    order.deadlines.deliver_by = None
    order.deadlines.confirm_by = now + CONFIRMATION_PERIOD
    order.deadlines.respond_by = None
    _touch(order, now)


def refuse_delivery(
    order: OrderState, now: datetime, reason_code: RefusalReason, explanation: str
) -> None:
    _require(order, OrderStatus.PENDING_DELIVERY)
    order.status = OrderStatus.DELIVERY_REFUSED
    order.delivery.refused_at = now
    order.delivery.refusal_reason_code = reason_code
    order.delivery.refusal_explanation = explanation
    order.deadlines.deliver_by = None
    _touch(order, now)


def _the_pending_extension(order: OrderState, request_id: str) -> ExtensionRequest:
    ext = pending_extension(order)
    if order.status is not OrderStatus.AWAITING_CONFIRMATION or ext is None:
        raise InvalidTransitionError("there is no pending extension request")
    if ext.id != request_id:
        raise RequestNotPendingError(f"the pending extension request is {ext.id}")
    return ext


def approve_extension(order: OrderState, now: datetime, request_id: str) -> None:
    ext = _the_pending_extension(order, request_id)
    ext.status = RequestStatus.APPROVED
    ext.resolved_at = now
    assert order.deadlines.confirm_by is not None
    order.deadlines.confirm_by += timedelta(days=ext.requested_days)
    order.deadlines.respond_by = None
    _touch(order, now)


def reject_extension(order: OrderState, now: datetime, request_id: str, reason: str) -> None:
    ext = _the_pending_extension(order, request_id)
    ext.status = RequestStatus.REJECTED
    ext.resolved_at = now
    ext.rejection_reason = reason
    order.deadlines.respond_by = None
    _touch(order, now)


def _the_pending_refund(order: OrderState, request_id: str) -> RefundRequest:
    ref = pending_refund(order)
    if order.status is not OrderStatus.REFUND_REQUESTED or ref is None:
        raise InvalidTransitionError(f"the order is {order.status.value}, not refund_requested")
    if ref.id != request_id:
        raise RequestNotPendingError(f"the pending refund request is {ref.id}")
    return ref


def approve_refund(order: OrderState, now: datetime, request_id: str) -> None:
    ref = _the_pending_refund(order, request_id)
    ref.status = RequestStatus.APPROVED
    ref.resolved_at = now
    _refund(order, ref.amount.value)
    _touch(order, now)


def dispute_refund(
    order: OrderState, now: datetime, request_id: str, reason: str, evidence: str
) -> None:
    ref = _the_pending_refund(order, request_id)
    ref.status = RequestStatus.DISPUTED
    ref.resolved_at = now
    order.status = OrderStatus.IN_MEDIATION
    order.dispute = Dispute(
        id=_request_id("dsp", order),
        status=DisputeStatus.OPEN,
        opened_at=now,
        reason=reason,
        evidence=evidence,
    )
    order.deadlines.respond_by = None
    _touch(order, now)


# --- the buyer --------------------------------------------------------------------------------


def buyer_confirm(order: OrderState, now: datetime) -> None:
    _require(order, OrderStatus.AWAITING_CONFIRMATION)
    _close_pending_extension(order, now)
    _complete(order)
    _touch(order, now)


def request_extension(order: OrderState, now: datetime, days: int, reason: str) -> None:
    _require(order, OrderStatus.AWAITING_CONFIRMATION)
    if pending_extension(order) is not None:
        raise InvalidTransitionError("an extension request is already pending")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidValueError("days", f"must be 1 to {MAX_EXTENSION_DAYS}")
    order.extension_request = ExtensionRequest(
        id=_request_id("ext", order),
        requested_days=days,
        reason=reason,
        status=RequestStatus.PENDING,
        requested_at=now,
        respond_by=now + RESPONSE_PERIOD,
    )
    order.deadlines.respond_by = now + RESPONSE_PERIOD
    _touch(order, now)


def request_refund(order: OrderState, now: datetime, amount: str | None, reason: str) -> None:
    _require(order, OrderStatus.PENDING_DELIVERY, OrderStatus.AWAITING_CONFIRMATION)
    paid = order.finance.buyer_paid
    value = paid.value if amount is None else parse_amount(amount, order, "amount", allow_full=True)
    _close_pending_extension(order, now)
    order.status = OrderStatus.REFUND_REQUESTED
    order.refund_request = RefundRequest(
        id=_request_id("ref", order),
        amount=Money.of(value, paid.currency),
        reason=reason,
        status=RequestStatus.PENDING,
        requested_at=now,
        respond_by=now + RESPONSE_PERIOD,
    )
    order.deadlines.deliver_by = None
    order.deadlines.confirm_by = None
    order.deadlines.respond_by = now + RESPONSE_PERIOD
    _touch(order, now)


def revise_requirements(order: OrderState, now: datetime, text: str) -> None:
    _require(order, OrderStatus.DELIVERY_REFUSED)
    order.status = OrderStatus.PENDING_DELIVERY
    order.requirements.text = text
    order.deadlines.deliver_by = now + timedelta(days=order.service.delivery_days)
    _touch(order, now)


def accept_cancellation(order: OrderState, now: datetime) -> None:
    _require(order, OrderStatus.DELIVERY_REFUSED)
    _refund(order, order.finance.buyer_paid.value)
    order.status = OrderStatus.CANCELLED
    _touch(order, now)


# --- the platform -----------------------------------------------------------------------------


def resolve_mediation(
    order: OrderState, now: datetime, outcome: MediationOutcome, amount: str | None
) -> None:
    _require(order, OrderStatus.IN_MEDIATION)
    assert order.dispute is not None
    if outcome is MediationOutcome.REFUND_BUYER:
        _refund(order, order.finance.buyer_paid.value)
    elif outcome is MediationOutcome.RELEASE_TO_MERCHANT:
        _complete(order)
    else:
        if amount is None:
            raise InvalidValueError("amount", "a partial outcome needs the amount refunded")
        _refund(order, parse_amount(amount, order, "amount", allow_full=False))
    order.dispute.status = DisputeStatus.RESOLVED
    order.dispute.resolved_at = now
    order.dispute.outcome = outcome
    _touch(order, now)


def fire_due(order: OrderState, now: datetime) -> bool:
    """Apply every deadline that has passed by ``now``, each at its own moment."""
    fired = False
    while (due := next_deadline(order)) is not None and due <= now:
        fired = True
        if order.status is OrderStatus.REFUND_REQUESTED:
            ref = pending_refund(order)
            assert ref is not None
            ref.status = RequestStatus.APPROVED
            ref.resolved_at = due
            _refund(order, ref.amount.value)
        elif (ext := pending_extension(order)) is not None:
            ext.status = RequestStatus.EXPIRED
            ext.resolved_at = due
            order.deadlines.respond_by = None
        else:
            _complete(order)
        _touch(order, due)
    return fired
