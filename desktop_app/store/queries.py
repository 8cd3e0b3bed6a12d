"""SQL for the order list: each view is one index range, each sort key one index.

Every (view, sort key) pair has an index that yields rows in order: `(view_group, key)` for
the status views, `(key)` for All, and a partial `(key) WHERE na_from IS NOT NULL` for Needs
my action. Search narrows with the trigram index (three characters or more: number, buyer,
service, requirements) or with the dictionary of buyer names and service titles (one or two
characters, e.g. a two-character CJK name; see `search_terms`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from desktop_app.domain import OrderStatus

from .codec import VIEW_GROUP, to_micros
from .search_terms import BUYER, NAME_KEY_FUNCTION, SERVICE, short_key
from .types import OrderQuery, OrderView, SortKey

__all__ = [
    "CONTAINS_FUNCTION",
    "MATCHES",
    "ROW_COLUMNS",
    "SHORT_MATCHES",
    "SORT_COLUMN",
    "WALKED_COLUMNS",
    "Filter",
    "Plan",
    "build_filter",
    "count_index",
    "match_join",
    "match_source",
    "match_test",
    "order_by",
    "search_params",
    "short_search",
    "view_filter",
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
    """`text` anywhere, for LIKE ... ESCAPE '\\' (its own % and _ taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


LIKE = "LIKE :pattern ESCAPE '\\'"

# The orders whose search text holds :phrase (trigram index) or, not yet indexed, :pattern.
MATCHES = (
    "SELECT rowid FROM orders_fts WHERE orders_fts MATCH :phrase"
    " UNION ALL SELECT b.pk FROM search_backlog b"
    " WHERE coalesce(b.search_text, (SELECT d.document FROM order_documents d"
    " WHERE d.pk = b.pk)) LIKE :pattern ESCAPE '\\'"
)

# A query of one or two characters: the dictionary's names holding the gram :gram.
_TERMS = (
    "SELECT t.term FROM search_grams g JOIN search_terms t ON t.id = g.term_id"
    " WHERE g.gram = :gram AND t.kinds & {kind}"
)
_BUYERS = _TERMS.format(kind=BUYER)
_SERVICES = _TERMS.format(kind=SERVICE)
# The orders whose buyer or service holds :gram (some twice), and the not yet indexed ones.
SHORT_MATCHES = (
    f"SELECT pk FROM orders WHERE buyer_name IN ({_BUYERS})"  # noqa: S608 - constants
    f" UNION ALL SELECT pk FROM orders WHERE service_title IN ({_SERVICES})"
    " UNION ALL SELECT o.pk FROM search_backlog b CROSS JOIN orders o ON o.pk = b.pk"
    " WHERE o.buyer_name LIKE :pattern ESCAPE '\\'"
    " OR o.service_title LIKE :pattern ESCAPE '\\'"
)


class Plan(Enum):
    """How a search reads a window of its orders in sort order."""

    SPARSE = "sparse"  # few matches: fetch them all, sort them
    PROBE = "probe"  # walk the sort index, each row looked up in the set of matches
    DENSE = "dense"  # walk the sort index, each row's own text tested (no match set built)


def short_search(search: str) -> bool:
    """One or two characters: buyer names and service titles only, via the dictionary."""
    return len(search) < TRIGRAM


def search_params(search: str) -> dict[str, str]:
    """For a search of three characters or more: a phrase of trigrams (the substring,
    case-insensitive, found from the index alone) and the LIKE pattern for what is not indexed
    yet; for a shorter one, the gram to look up in the dictionary."""
    params = {"pattern": _like_pattern(search)}
    if short_search(search):
        params["gram"] = short_key(search)
    else:
        params["phrase"] = '"' + search.replace('"', '""') + '"'
        params["folded"] = short_key(search)
    return params


def match_source(search: str) -> str:
    """SQL yielding the pks of the orders that match `search` (some maybe twice)."""
    return SHORT_MATCHES if short_search(search) else MATCHES


def _like_exact(search: str) -> bool:
    """LIKE folds ASCII case only; the trigram index folds every letter's case."""
    return all(ch.isascii() or ch.lower() == ch.upper() for ch in search)


CONTAINS_FUNCTION = "orderdesk_contains"  # (text, lower-cased needle) -> needle in text.lower()


def _backlog_test(search: str, pk: str) -> str:
    """An SQL boolean: is the order `pk` (not yet indexed) in the backlog, matching `search`?
    (A list subquery: built once per statement, empty but for a bulk load's newest orders.)"""
    if short_search(search):
        return (
            f"{pk} IN (SELECT o.pk FROM search_backlog b CROSS JOIN orders o ON o.pk = b.pk"  # noqa: S608
            f" WHERE o.buyer_name {LIKE} OR o.service_title {LIKE})"
        )
    return (
        f"{pk} IN (SELECT b.pk FROM search_backlog b WHERE coalesce(b.search_text,"  # noqa: S608
        f" (SELECT d.document FROM order_documents d WHERE d.pk = b.pk)) {LIKE})"
    )


def _text_test(search: str, text: str) -> str:
    """An SQL boolean: does the indexed search text `text` hold `search` (three characters
    or more)?"""
    if _like_exact(search):
        return f"{text} {LIKE}"
    return f"coalesce({CONTAINS_FUNCTION}({text}, :folded), 0)"


# A query of one or two characters: the keys (`search_terms.name_key`) of the names of a
# kind holding :gram.
_BUYER_KEYS, _SERVICE_KEYS = (
    f"SELECT {NAME_KEY_FUNCTION}(t.term) FROM search_grams g JOIN search_terms t"  # noqa: S608
    f" ON t.id = g.term_id WHERE g.gram = :gram AND t.kinds & {kind}"
    for kind in (BUYER, SERVICE)
)


def _names_test(row: str, pk: str) -> str:
    """An SQL boolean: does the order `pk` have a buyer or service name holding :gram? Its
    name keys, read from `row` (`orders` or a walk of a sort index: they are in each), pick
    the orders whose names are worth reading (keys may collide)."""
    return (
        f"({row}.buyer_key IN ({_BUYER_KEYS}) AND EXISTS (SELECT 1 FROM orders n"  # noqa: S608
        f" WHERE n.pk = {pk} AND n.buyer_name IN ({_BUYERS})))"
        f" OR ({row}.service_key IN ({_SERVICE_KEYS}) AND EXISTS (SELECT 1 FROM orders n"
        f" WHERE n.pk = {pk} AND n.service_title IN ({_SERVICES})))"
    )


def match_test(search: str) -> str:
    """An SQL boolean over one `orders` row: does it match `search`? (For walking an index:
    no set of matches is built.) A short search tests the name keys the sort index carries;
    the trigram test reads the indexed text from the FTS table's own content table, by
    rowid."""
    if short_search(search):
        return f"({_names_test('orders', 'orders.pk')} OR {_backlog_test(search, 'pk')})"
    indexed = "(SELECT c.c0 FROM orders_fts_content c WHERE c.id = orders.pk)"
    return f"({_text_test(search, indexed)} OR {_backlog_test(search, 'pk')})"


# What a walk of a sort index reads of each row (`match_join` tests them).
WALKED_COLUMNS = "pk, buyer_key, service_key"


def match_join(search: str, walked: str) -> str:
    """``[LEFT JOIN ...] WHERE ...``: the rows of `walked` (a subquery's alias with the
    `WALKED_COLUMNS`, read in its order) that match `search`, as `match_test` tests them.
    A short search's test reads the walk's own keys; the trigram test joins the text (a join
    reads each row's text for a third less than a correlated subquery does, and a left join
    keeps `walked` the outer loop, so the rows stay in its order)."""
    pk = f"{walked}.pk"
    if short_search(search):
        return f"WHERE {_names_test(walked, pk)} OR {_backlog_test(search, pk)}"
    return (
        f"LEFT JOIN orders_fts_content c ON c.id = {pk}"
        f" WHERE {_text_test(search, 'c.c0')} OR {_backlog_test(search, pk)}"
    )


def count_index(query: OrderQuery) -> str | None:
    """A small index that covers the view's filter (and the row id), for counting."""
    if query.view is OrderView.ALL:
        return None
    if query.view is OrderView.NEEDS_ACTION:
        return "ix_needs_action"
    return "ix_sort_group_status"


def view_filter(query: OrderQuery, now: datetime) -> Filter:
    """The view's part of `query`'s WHERE (no search), and its index in sort order."""
    terms: list[str] = []
    params: dict[str, Any] = {}
    key = query.sort.value
    index: str
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
    return Filter(" AND ".join(terms) or "1", params, index)


def build_filter(query: OrderQuery, now: datetime, plan: Plan = Plan.SPARSE) -> Filter:
    """The WHERE of `query` and the index that yields it in sort order.

    A search reads by `plan` (see `Plan`; chosen by `listing.OrderList`): SPARSE and PROBE
    test membership in the set of matches, SPARSE sorting them (no index), PROBE walking the
    sort index; DENSE walks the sort index testing each row's text."""
    view = view_filter(query, now)
    search = query.search.strip()
    if not search:
        return view
    terms = [] if view.where == "1" else [view.where]
    params = {**view.params, **search_params(search)}
    index: str | None = view.index
    if plan is Plan.DENSE:
        terms.append(match_test(search))
    else:
        terms.append(f"pk IN ({match_source(search)})")
        if plan is Plan.SPARSE:
            index = None
    return Filter(" AND ".join(terms), params, index)


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
