"""How an order becomes a row of the cache: list columns, sort keys, search text, document."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from desktop_app.domain import (
    Actor,
    DeadlineKind,
    Order,
    OrderStatus,
    minor_units,
    parse_order,
)

from .search_terms import name_key

__all__ = [
    "DEADLINE_NONE",
    "NEEDS_ACTION_LEAD",
    "TIME_MAX",
    "VIEW_GROUP",
    "OrderColumns",
    "dump_json",
    "from_micros",
    "load_order",
    "order_columns",
    "to_micros",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
TIME_MAX = 2**62  # "never": after every real moment
DEADLINE_NONE = TIME_MAX  # sort key of an order without a running deadline
NEEDS_ACTION_LEAD = timedelta(hours=48)  # a delivery due within this needs my action

# Statuses grouped as the status views show them; REFUNDED_CANCELLED spans three statuses, so
# each view is one equality on `view_group` and one index range per sort key.
VIEW_GROUP: dict[OrderStatus, int] = {
    OrderStatus.PENDING_DELIVERY: 1,
    OrderStatus.AWAITING_CONFIRMATION: 2,
    OrderStatus.REFUND_REQUESTED: 3,
    OrderStatus.IN_MEDIATION: 4,
    OrderStatus.DELIVERY_REFUSED: 5,
    OrderStatus.COMPLETED: 6,
    OrderStatus.REFUNDED: 7,
    OrderStatus.PARTIALLY_REFUNDED: 7,
    OrderStatus.CANCELLED: 7,
    OrderStatus.UNKNOWN: 8,
}
_STATUS_RANK = {status: rank for rank, status in enumerate(OrderStatus)}
# (status, status_rank, view_group) of each known status: one lookup per row.
_STATUS_COLUMNS = {
    status: (status.value, _STATUS_RANK[status], VIEW_GROUP[status]) for status in OrderStatus
}


def to_micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICRO


def from_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def load_order(document: str) -> Order:
    return parse_order(json.loads(document))


@cache
def _minor_digits(currency: str) -> int:
    return minor_units(currency)


@dataclass(frozen=True, slots=True)
class OrderColumns:
    """The list columns of one (possibly overlaid) order, in `ORDER_COLUMNS` order."""

    values: tuple[Any, ...]


# The columns `order_columns` fills, in order (the table has more: id, version, document...).
ORDER_COLUMNS = (
    "number",
    "status",
    "status_rank",
    "view_group",
    "buyer_name",
    "buyer_country",
    "service_title",
    "paid_amount",
    "paid_currency",
    "paid_sort",
    "net_amount",
    "net_currency",
    "net_sort",
    "deadline_sort",
    "deadline_kind",
    "deadline_actor",
    "updated_at",
    "unread",
    "last_message_at",
    "na_from",
    "na_until",
    "buyer_key",
    "service_key",
)


def search_text(order: Order) -> str:
    requirements = order.requirements
    parts = [order.number, order.buyer.display_name, order.service.title, requirements.text]
    for answer in requirements.answers:
        parts.append(answer.answer)
    return "\n".join(parts)


_NO_CLOCK: tuple[int, None, None, None, None] = (DEADLINE_NONE, None, None, None, None)
# Members read once: through the enum's class, each read is a Python-level lookup (EnumType
# defines __getattr__), several per stored order.
_PENDING_DELIVERY = OrderStatus.PENDING_DELIVERY
_AWAITING_CONFIRMATION = OrderStatus.AWAITING_CONFIRMATION
_REFUND_REQUESTED = OrderStatus.REFUND_REQUESTED
_UNKNOWN = OrderStatus.UNKNOWN
_LEAD = NEEDS_ACTION_LEAD // _MICRO
_DELIVER = DeadlineKind.DELIVER.value
_ANSWER_EXTENSION = DeadlineKind.ANSWER_EXTENSION.value
_ANSWER_REFUND = DeadlineKind.ANSWER_REFUND.value
_BUYER_CONFIRMS = DeadlineKind.BUYER_CONFIRMS.value
_MERCHANT = Actor.MERCHANT.value
_BUYER = Actor.BUYER.value


def clock_columns(
    order: Order,
) -> tuple[int, str | None, str | None, int | None, int | None]:
    """(deadline_sort, deadline_kind, deadline_actor, na_from, na_until): `next_deadline`
    and the window [from, until) in micros during which the order needs my action, in one
    pass and without Deadline objects (it runs for every stored order; a test holds it to
    `next_deadline` and to a plain statement of the window)."""
    status = order.status
    dates = order.deadlines
    if status is _PENDING_DELIVERY:
        if dates.deliver_by is None:
            return _NO_CLOCK
        due = (dates.deliver_by - _EPOCH) // _MICRO
        return due, _DELIVER, _MERCHANT, due - _LEAD, TIME_MAX
    if status is _AWAITING_CONFIRMATION:
        extension = order.pending_extension
        window: tuple[int, int] | tuple[None, None] = (None, None)
        if extension is not None:
            answer_by = extension.respond_by or dates.respond_by
            if answer_by is not None:  # the merchant's answer comes before the buyer's
                due = to_micros(answer_by)
                return due, _ANSWER_EXTENSION, _MERCHANT, 0, due
            window = (0, TIME_MAX)
        if dates.confirm_by is None:
            return DEADLINE_NONE, None, None, *window
        return to_micros(dates.confirm_by), _BUYER_CONFIRMS, _BUYER, *window
    if status is _REFUND_REQUESTED:
        refund = order.pending_refund
        answer_by = (refund.respond_by if refund else None) or dates.respond_by
        deadline = DEADLINE_NONE if answer_by is None else to_micros(answer_by)
        kind, actor = (None, None) if answer_by is None else (_ANSWER_REFUND, _MERCHANT)
        if refund is None:
            return deadline, kind, actor, None, None
        return deadline, kind, actor, 0, TIME_MAX if answer_by is None else deadline
    return _NO_CLOCK


def order_columns(order: Order) -> tuple[Any, ...]:
    """The `ORDER_COLUMNS` values of `order` (on every stored order: kept lean)."""
    finance = order.finance
    paid = finance.buyer_paid
    settlement = finance.settlement
    net = settlement.net_receipt
    net_digits = _minor_digits(net.currency)
    paid_in_settlement = paid.amount * settlement.fx_rate
    state = order.status
    status, rank, group = _STATUS_COLUMNS[state]
    if state is _UNKNOWN:
        status = order.raw_status
    buyer = order.buyer
    buyer_name = buyer.display_name
    service_title = order.service.title
    last_message = order.last_message_at
    deadline, kind, actor, na_from, na_until = clock_columns(order)
    # Money amounts are quantized to their currency's minor units, so str() is the plain form
    # Money.wire_amount gives (no exponent), at a quarter of the cost; without its point, it
    # is the amount in whole minor units.
    net_amount = str(net.amount)
    return (
        order.number,
        status,
        rank,
        group,
        buyer_name,
        buyer.country,
        service_title,
        str(paid.amount),
        paid.currency,
        round(paid_in_settlement.scaleb(net_digits)),  # (an int, rounded half to even)
        net_amount,
        net.currency,
        int(net_amount.replace(".", "")),
        deadline,
        kind,
        actor,
        (order.updated_at - _EPOCH) // _MICRO,
        order.unread_messages,
        (last_message - _EPOCH) // _MICRO if last_message else None,
        na_from,
        na_until,
        name_key(buyer_name),
        name_key(service_title),
    )
