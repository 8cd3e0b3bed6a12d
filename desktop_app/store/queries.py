"""SQL for the order list: each view is one index range, each sort key one index.

Every (view, sort key) pair has an index that yields rows in order: `(view_group, key)` for
the status views, `(key)` for All, and a partial `(key) WHERE na_from IS NOT NULL` for Needs
my action. Search narrows with the trigram index (three characters or more) or with LIKE over
the list columns (shorter queries, e.g. a two-character CJK name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop_app.domain import OrderStatus

from .codec import VIEW_GROUP, to_micros
from .types import OrderQuery, OrderView, SortKey

__all__ = [
    "MATCHES",
    "ROW_COLUMNS",
    "SORT_COLUMN",
    "Filter",
    "build_filter",
    "count_index",
    "order_by",
    "search_params",
]

SORT_COLUMN: dict[SortKey, str] = {
    SortKey.NUMBER: "number",
    SortKey.BUYER: "buyer_name",
    SortKey.SERVICE: "service_title",
    SortKey.STATUS: "status_rank",
    SortKey.PAID: "paid_sort",
    SortKey.NET: "net_sort",
    SortKey.DEADLINE: "deadline_sort",
    SortKey.UPDATED: "updated_at",
    SortKey.UNREAD: "unread",
    SortKey.PENDING: "pending_ops",
}

_VIEW_STATUS: dict[OrderView, OrderStatus] = {
    OrderView.PENDING_DELIVERY: OrderStatus.PENDING_DELIVERY,
    OrderView.AWAITING_CONFIRMATION: OrderStatus.AWAITING_CONFIRMATION,
    OrderView.REFUND_REQUESTS: OrderStatus.REFUND_REQUESTED,
    OrderView.IN_MEDIATION: OrderStatus.IN_MEDIATION,
    OrderView.DELIVERY_REFUSED: OrderStatus.DELIVERY_REFUSED,
    OrderView.COMPLETED: OrderStatus.COMPLETED,
    OrderView.REFUNDED_CANCELLED: OrderStatus.REFUNDED,
}


def view_group(view: OrderView) -> int | None:
    status = _VIEW_STATUS.get(view)
    return VIEW_GROUP[status] if status is not None else None


ROW_COLUMNS = (
    "pk, id, number, buyer_name, buyer_country, service_title, status, paid_amount, "
    "paid_currency, net_amount, net_currency, deadline_sort, deadline_kind, deadline_actor, "
    "updated_at, unread, pending_ops, problem_ops"
)

TRIGRAM = 3


@dataclass(frozen=True, slots=True)
class Filter:
    where: str  # an SQL boolean over `orders` (never empty: "1" for no filter)
    params: dict[str, Any]
    index: str | None  # the index that yields this view in sort order


def _like_pattern(text: str) -> str:
    return f"%{text}%"


# The orders whose search text holds :phrase (trigram index) or, not yet indexed, :pattern.
MATCHES = (
    "SELECT rowid FROM orders_fts WHERE orders_fts MATCH :phrase"
    " UNION ALL SELECT b.pk FROM search_backlog b"
    " WHERE coalesce(b.search_text, (SELECT d.document FROM order_documents d"
    " WHERE d.pk = b.pk)) LIKE :pattern"
)


def search_params(search: str) -> dict[str, str]:
    """A phrase of trigrams (the substring, case-insensitive, found from the index alone),
    and the LIKE pattern for what is not indexed yet."""
    return {"phrase": '"' + search.replace('"', '""') + '"', "pattern": _like_pattern(search)}


def count_index(query: OrderQuery) -> str | None:
    """A small index that covers the view's filter (and the row id), for counting."""
    if query.view is OrderView.ALL:
        return None
    if query.view is OrderView.NEEDS_ACTION:
        return "ix_needs_action"
    return "ix_sort_group_status"


def build_filter(query: OrderQuery, now: datetime, *, common_match: bool = False) -> Filter:
    """The WHERE of `query` and the index that yields it in sort order.

    With a search of three characters or more, `common_match` says the text matches many
    orders: then walking the view's sort index and testing each row against the match set
    finds a window soonest; for a rare text, the few matches are fetched and sorted."""
    terms: list[str] = []
    params: dict[str, Any] = {}
    key = query.sort.value
    index: str | None
    if query.view is OrderView.ALL:
        index = f"ix_sort_all_{key}"
    elif query.view is OrderView.NEEDS_ACTION:
        terms.append("na_from IS NOT NULL AND na_from <= :now AND na_until > :now")
        params["now"] = to_micros(now)
        index = f"ix_sort_needs_{key}"
    else:
        terms.append("view_group = :group")
        params["group"] = view_group(query.view)
        index = f"ix_sort_group_{key}"
    search = query.search.strip()
    if len(search) >= TRIGRAM:
        params.update(search_params(search))
        terms.append(f"pk IN ({MATCHES})")
        if not common_match:
            index = None
    elif search:
        params["pattern"] = _like_pattern(search)
        terms.append(
            "(number LIKE :pattern OR buyer_name LIKE :pattern OR service_title LIKE :pattern)"
        )
    return Filter(" AND ".join(terms) or "1", params, index)


def order_columns(query: OrderQuery) -> tuple[str, ...]:
    """The columns that order `query` completely: the sort key, then tie-breaks that follow
    the index the view reads (Needs my action's indexes carry its time window)."""
    column = SORT_COLUMN[query.sort]
    if query.view is OrderView.NEEDS_ACTION:
        return (column, "na_from", "na_until", "pk")
    return (column, "pk")


def order_by(query: OrderQuery, *, reverse: bool = False) -> str:
    direction = "DESC" if query.descending != reverse else "ASC"
    return ", ".join(f"{column} {direction}" for column in order_columns(query))
