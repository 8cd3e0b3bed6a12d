"""An operation that needs review: what the operator acted on, what the platform has now, and
whether applying it again is possible. No Qt.

What the operator acted on is the platform's order at the entry's `base_version`, kept with the
operation when it was queued (also across a restart); when the operator acted on an older
version than the cache held, only what the operation itself assumed is known (the status it
needs, the request it answers) and the rest says "not known".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desktop_app.domain import (
    ActionKind,
    NotAllowedError,
    OperationValidationError,
    Order,
    OrderStatus,
    apply_optimistically,
    operation_from_body,
)
from desktop_app.store.types import OperationState, OutboxEntry
from desktop_app.ui.formatting import Formatter

__all__ = ["ReviewRow", "compare", "reapply_blocker", "state_explanation"]

UNKNOWN = "not known"


@dataclass(frozen=True, slots=True)
class ReviewRow:
    what: str
    then: str  # when the operator acted
    now: str  # on the platform now
    changed: bool


_NEEDS_STATUS = {
    ActionKind.CONFIRM_DELIVERY: OrderStatus.PENDING_DELIVERY,
    ActionKind.REFUSE_DELIVERY: OrderStatus.PENDING_DELIVERY,
    ActionKind.APPROVE_EXTENSION: OrderStatus.AWAITING_CONFIRMATION,
    ActionKind.REJECT_EXTENSION: OrderStatus.AWAITING_CONFIRMATION,
    ActionKind.APPROVE_REFUND: OrderStatus.REFUND_REQUESTED,
    ActionKind.DISPUTE_REFUND: OrderStatus.REFUND_REQUESTED,
}


def _extension(order: Order, fmt: Formatter, status: str | None = None) -> str:
    request = order.extension_request
    if request is None:
        return "none"
    return (
        f"{request.requested_days} more days asked {fmt.moment(request.requested_at)} — "
        f"{status or request.status.value}"
    )


def _refund(order: Order, fmt: Formatter, status: str | None = None) -> str:
    request = order.refund_request
    if request is None:
        return "none"
    return (
        f"{fmt.money(request.amount)} asked {fmt.moment(request.requested_at)} — "
        f"{status or request.status.value}"
    )


def _delivery(order: Order, fmt: Formatter) -> str:
    delivery = order.delivery
    if delivery.refused_at is not None and order.status is OrderStatus.DELIVERY_REFUSED:
        return f"refused {fmt.moment(delivery.refused_at)}"
    if delivery.confirmed_at is not None:
        return f"confirmed {fmt.moment(delivery.confirmed_at)}"
    if delivery.refused_at is not None:
        return f"refused {fmt.moment(delivery.refused_at)}, requirements revised since"
    return "not yet confirmed"


def _facts(order: Order, fmt: Formatter) -> list[tuple[str, str]]:
    deadlines = order.deadlines
    return [
        ("Version", str(order.version)),
        ("Status", order.status_label),
        ("Delivery", _delivery(order, fmt)),
        ("Extension request", _extension(order, fmt)),
        ("Refund request", _refund(order, fmt)),
        ("Deliver by", fmt.moment(deadlines.deliver_by) or "—"),
        ("Buyer confirms by", fmt.moment(deadlines.confirm_by) or "—"),
        ("Answer by", fmt.moment(deadlines.respond_by) or "—"),
        ("Updated", fmt.moment(order.updated_at)),
    ]


def _assumed(entry: OutboxEntry, current: Order | None, fmt: Formatter) -> dict[str, str]:
    """What the operation itself says about the order it was made on."""
    assumed = {"Version": str(entry.base_version) if entry.base_version is not None else UNKNOWN}
    status = _NEEDS_STATUS.get(entry.kind)
    if status is not None:
        assumed["Status"] = status.label
    request_id = entry.body.get("request_id")
    if request_id:
        is_extension = entry.kind in (ActionKind.APPROVE_EXTENSION, ActionKind.REJECT_EXTENSION)
        what = "Extension request" if is_extension else "Refund request"
        request = None
        if current is not None:
            request = current.extension_request if is_extension else current.refund_request
        if current is not None and request is not None and request.id == request_id:
            describe = _extension if is_extension else _refund
            assumed[what] = describe(current, fmt, "pending")
        else:
            assumed[what] = "another request — pending"
    return assumed


def compare(
    entry: OutboxEntry, acted_on: Order | None, current: Order | None, fmt: Formatter
) -> list[ReviewRow]:
    """Side by side: the order the operator acted on, and the platform's order now."""
    now_facts = dict(_facts(current, fmt)) if current is not None else {}
    then_facts = (
        dict(_facts(acted_on, fmt)) if acted_on is not None else _assumed(entry, current, fmt)
    )
    names = list(now_facts) if current is not None else list(then_facts)
    rows = []
    for name in names:
        then = then_facts.get(name, UNKNOWN)
        now = now_facts.get(name, UNKNOWN)
        changed = UNKNOWN not in (then, now) and then != now
        rows.append(ReviewRow(name, then, now, changed))
    return rows


def reapply_blocker(entry: OutboxEntry, shown: Order | None, now: datetime) -> str | None:
    """Why the operation cannot be applied again on the order as it is now; None: it can."""
    if entry.state not in (
        OperationState.NEEDS_REVIEW,
        OperationState.REJECTED,
        OperationState.SET_ASIDE,
    ):
        return None
    if shown is None:
        return "The order is not in the local cache any more."
    try:
        apply_optimistically(shown, operation_from_body(entry.kind, entry.body), now)
    except NotAllowedError as error:
        return error.reason
    except OperationValidationError as error:
        return str(error)
    return None


def state_explanation(entry: OutboxEntry, *, online: bool | None) -> str:
    """Where the operation stands, in a sentence."""
    match entry.state:
        case OperationState.QUEUED if entry.attempts:
            return (
                f"Tried {entry.attempts}× without success"
                + (f" ({entry.last_error})" if entry.last_error else "")
                + ". It is retried automatically with the same key, so it cannot be applied "
                "twice. The platform may already have it, so it can no longer be discarded."
            )
        case OperationState.QUEUED:
            if online is False:
                return "Queued: it will be sent when the connection returns."
            return "Queued: it will be sent in a moment. It can still be discarded."
        case OperationState.SENDING:
            return "Being sent to the platform now."
        case OperationState.APPLIED:
            return "Applied by the platform."
        case OperationState.REJECTED:
            return f"The platform refused it: {entry.last_error or 'no reason given'}"
        case OperationState.NEEDS_REVIEW:
            return entry.last_error or (
                "The order changed on the platform; review it, then apply again or discard."
            )
        case OperationState.SET_ASIDE:
            return (
                f"Set aside because of a fault in OrderDesk: {entry.last_error or ''} "
                "Apply it again or discard it."
            ).strip()
        case OperationState.DISCARDED:
            return "Discarded."
    return entry.state.label  # pragma: no cover
