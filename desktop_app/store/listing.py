"""The order list: counts, windows and positions of a query, done by SQL on the indexes.

Used by `Store` inside its read transactions. Each status view is one index range per sort
key; a search picks its plan (`queries.Plan`) from a bounded count of its matches and a
bounded walk of the view's sort index, never from an exact count (which, for a common text,
costs more than the window itself); the plan is remembered until the cache is written to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, CursorResult
from sqlalchemy.exc import OperationalError

from desktop_app.domain import Actor, DeadlineKind, Money, OrderStatus

from .codec import DEADLINE_NONE, from_micros, to_micros
from .queries import (
    CONTAINS_FUNCTION,
    ROW_COLUMNS,
    WALKED_COLUMNS,
    Filter,
    Plan,
    build_filter,
    count_index,
    match_join,
    match_source,
    order_by,
    order_columns,
    search_params,
    short_search,
    view_filter,
    view_group,
)
from .search_terms import NAME_KEY_FUNCTION, name_key
from .types import OrderQuery, OrderRow, OrderView

__all__ = [
    "FLOOR_WALK_BUDGET",
    "KEY_ROWS_PER_MATCH",
    "KEY_WALK_BUDGET",
    "PROBE_ROWS_PER_MATCH",
    "READ_AHEAD_ROWS",
    "SORTABLE_MATCHES",
    "SPARSE_MATCHES",
    "THIN_MATCHES",
    "WALK_BUDGET",
    "OrderList",
]


def _row(values: Sequence[Any]) -> OrderRow:
    (
        _pk,
        order_id,
        number,
        buyer_name,
        buyer_country,
        service_title,
        status,
        paid_amount,
        paid_currency,
        net_amount,
        net_currency,
        deadline_sort,
        deadline_kind,
        deadline_actor,
        updated_at,
        unread,
        pending_ops,
        problem_ops,
    ) = values
    known = _STATUS_BY_VALUE.get(status, OrderStatus.UNKNOWN)
    return OrderRow(
        id=order_id,
        number=number,
        buyer_name=buyer_name,
        buyer_country=buyer_country,
        service_title=service_title,
        status=known,
        status_label=known.label if known is not OrderStatus.UNKNOWN else f"Unknown ({status})",
        paid=Money(Decimal(paid_amount), paid_currency),
        net_settlement=Money(Decimal(net_amount), net_currency),
        deadline_at=from_micros(deadline_sort) if deadline_sort != DEADLINE_NONE else None,
        deadline_kind=DeadlineKind(deadline_kind) if deadline_kind else None,
        deadline_actor=Actor(deadline_actor) if deadline_actor else None,
        updated_at=from_micros(updated_at),
        unread=unread,
        pending_operations=pending_ops,
        sync_problem=problem_ops > 0,
    )


def _indexed(
    conn: Connection, sql: str, index: str | None, params: dict[str, Any]
) -> CursorResult[Any]:
    """Run `sql` with ``{indexed}`` naming the index that yields its order, or without it
    while that index is missing (dropped for a bulk load: slower, still right)."""
    if index is not None:
        try:
            return conn.exec_driver_sql(sql.format(indexed=f"INDEXED BY {index}"), params)
        except OperationalError as error:
            if "no such index" not in str(error.orig):
                raise
    return conn.exec_driver_sql(sql.format(indexed=""), params)


SPARSE_MATCHES = 1_500  # at most this many matches: fetch and sort them all
# At most this many: walked against their set (a set of 20,000 takes ~5 ms to build, where
# testing rows' text would read a page of it each, ~8 us from the OS's cache).
THIN_MATCHES = 20_000
WALK_BUDGET = 16_000  # rows of the sort index a common text's first window may take to find
FLOOR_WALK_BUDGET = 4_000  # the same, from the first match of the text this one extends
# Walking a row of a sort index against a set of matches costs about a fifth of fetching and
# sorting one match whose page is cached (0.5 vs 2-3 us), a twentieth of one read from disk.
PROBE_ROWS_PER_MATCH = 10
# A search of one or two characters tests the name keys in the sort index itself: a row
# walked costs a quarter of a microsecond, and no set of matches is built.
KEY_WALK_BUDGET = 64_000
KEY_ROWS_PER_MATCH = 30
SORTABLE_MATCHES = 20_000  # at most this many matches may be sorted (~50 ms) when walks fail
WINDOW = 64  # the first window of a search (the table's block)
# Read ahead for the next keystroke: from a view's start, this many rows (a walk testing text
# reads a page of it a row, scattered: ~8 us each from the OS's cache, 1-2 us from ours).
READ_AHEAD_ROWS = 8_000
_STATUS_BY_VALUE = {status.value: status for status in OrderStatus}


def _contains(text: str | None, folded: str) -> bool:
    return text is not None and folded in text.lower()


class OrderList:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        # search key -> (cache state, plan, the first window when the walk that chose it read it)
        self._plans: dict[tuple[Any, ...], tuple[tuple[int, int], Plan, list[OrderRow]]] = {}
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.create_function(CONTAINS_FUNCTION, 2, _contains, deterministic=True)
        raw.create_function(NAME_KEY_FUNCTION, 1, name_key, deterministic=True)

    def count(self, conn: Connection, query: OrderQuery, now: datetime) -> int:
        """The exact number of orders in `query` (for a common search, the slow part: the
        window asks for it after the first rows are shown)."""
        search = query.search.strip()
        if not search and query.view is not OrderView.NEEDS_ACTION:
            group = view_group(query.view)
            if group is None:
                return self._total(conn)
            # Refunded, partially refunded and cancelled share one group.
            value = conn.exec_driver_sql(
                "SELECT n FROM view_counts WHERE view_group = ?", (group,)
            ).scalar()
            return int(value or 0)
        if search and query.view is OrderView.ALL:
            source = match_source(search).replace("UNION ALL", "UNION")
            return int(
                conn.exec_driver_sql(
                    f"SELECT count(*) FROM ({source})",  # noqa: S608
                    search_params(search),
                ).scalar_one()
            )
        where = build_filter(query, now, Plan.SPARSE)
        index = count_index(query)
        return int(
            _indexed(
                conn,
                f"SELECT count(*) FROM orders {{indexed}} WHERE {where.where}",  # noqa: S608
                index,
                where.params,
            ).scalar_one()
        )

    def _total(self, conn: Connection) -> int:
        return int(conn.exec_driver_sql("SELECT coalesce(sum(n), 0) FROM view_counts").scalar_one())

    def _filter(self, conn: Connection, query: OrderQuery, now: datetime) -> Filter:
        """`query`'s filter; a search's plan is chosen without counting its matches."""
        return build_filter(query, now, self._plan(conn, query, now)[0])

    def _plan(
        self, conn: Connection, query: OrderQuery, now: datetime
    ) -> tuple[Plan, list[OrderRow]]:
        search = query.search.strip()
        if not search:
            return Plan.SPARSE, []
        # The UI asks for windows of one search in a row: remember the plan until this or
        # another connection writes (SQLite's data_version + our changes).
        raw = self._connection.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        state = (int(conn.exec_driver_sql("PRAGMA data_version").scalar_one()), raw.total_changes)
        key = (search, query.view, query.sort, query.descending)
        cached = self._plans.get(key)
        if cached is not None and cached[0] == state:
            return cached[1], cached[2]
        plan, first = self._choose_plan(conn, query, now, self._floor(query, state))
        if len(self._plans) > 64:
            self._plans.clear()
        self._plans[key] = (state, plan, first)
        return plan, first

    def _extended(
        self, query: OrderQuery, state: tuple[int, int]
    ) -> list[tuple[str, Plan, list[OrderRow]]]:
        """(text, plan, first window) of the searches `query` extends: the same view and sort,
        the cache unchanged since, their text inside this one (so their matches include all
        of this one's: a longer text matches fewer orders)."""
        search = query.search.strip()
        folded, short = search.lower(), short_search(search)
        return [
            (text, plan, first)
            for (text, view, sort, descending), (seen, plan, first) in self._plans.items()
            if seen == state
            and (view, sort, descending) == (query.view, query.sort, query.descending)
            and short_search(text) == short
            and text != search
            and text.lower() in folded
        ]

    def _floor(self, query: OrderQuery, state: tuple[int, int]) -> str | None:
        """While typing, a text extends the one before: its matches are among that text's,
        so none comes before that text's first match. The order id of that first match
        (the nearest such text read in this view and sort, the cache unchanged since)."""
        known = [
            (len(text), first[0].id) for text, _, first in self._extended(query, state) if first
        ]
        return max(known)[1] if known else None

    def _choose_plan(
        self, conn: Connection, query: OrderQuery, now: datetime, floor: str | None = None
    ) -> tuple[Plan, list[OrderRow]]:
        """Few matches anywhere (a bounded count of the index's answer): sort them.

        One or two characters: walk the view's sort index testing the name keys it carries
        (`Plan.DENSE`), `KEY_WALK_BUDGET` rows; no window's worth of matches there, and
        they are counted: more than `SORTABLE_MATCHES`, walked as far as it takes; fewer,
        walked on as far as sorting them would cost (`KEY_ROWS_PER_MATCH` rows a match),
        and sorted after all if that finds no window either.

        Three or more: a text that extends one just read (`floor`) first walks from that
        one's first match, testing rows' text, at most `FLOOR_WALK_BUDGET` rows. A few
        thousand matches: walk the sort index against their set (`Plan.PROBE`), as far as
        sorting them would cost, and sort them after all. More: walk testing each row's
        text, at most `WALK_BUDGET` rows: a window's worth of matches there makes walking
        the plan; fewer, and they are counted: up to `SORTABLE_MATCHES`, they go as a few
        thousand do; more, and the sort index is walked against their set as far as it
        takes. (A walk's window is the first one: it is kept.)"""
        search = query.search.strip()
        params = search_params(search)
        short = short_search(search)
        if self._matches(conn, search, params, SPARSE_MATCHES + 1) <= SPARSE_MATCHES:
            return Plan.SPARSE, []
        view = view_filter(query, now)
        where, view_params = view.where, dict(view.params)
        if floor is not None:  # start the walk at the first match of the text this extends
            columns = ", ".join(order_columns(query))
            where += (
                f" AND ({columns}) {'<=' if query.descending else '>='} "  # noqa: S608
                f"(SELECT {columns} FROM orders WHERE id = :floor)"
            )
            view_params["floor"] = floor
        walk = {**view_params, **params, "window": WINDOW}
        walked = (
            f"SELECT {WALKED_COLUMNS} FROM orders {{indexed}} WHERE {where} "  # noqa: S608
            f"ORDER BY {order_by(query)} LIMIT :budget OFFSET :skip"
        )

        def dense_walk(budget: int, skip: int = 0) -> list[OrderRow]:
            """The matches among the view's `budget` rows after its first `skip` (-1: all),
            each tested by its own text or name keys (the test reads the order's text by
            pk, or nothing: the walk stays on the index), up to a window of them."""
            rows = _indexed(
                conn,
                f"SELECT {ROW_COLUMNS} FROM orders WHERE pk IN ("  # noqa: S608
                f"SELECT walked.pk FROM ({walked}) AS walked "
                f"{match_join(search, 'walked')} LIMIT :window) ORDER BY {order_by(query)}",
                view.index,
                {**walk, "budget": budget, "skip": skip},
            ).all()
            return [_row(values) for values in rows]

        if short:
            # Name keys in the index: a walk is cheap enough to try before counting.
            window = dense_walk(KEY_WALK_BUDGET)
            if len(window) >= WINDOW:
                return Plan.DENSE, window
            found = self._matches(conn, search, params, SORTABLE_MATCHES + 1)
            if found > SORTABLE_MATCHES:  # (too many to sort: walk as far as it takes)
                return Plan.DENSE, dense_walk(-1)
            # As far as sorting them all would cost (matches deeper in this view's order,
            # or outside it, are sorted instead).
            plan, budget = Plan.DENSE, max(KEY_WALK_BUDGET, KEY_ROWS_PER_MATCH * found)
            if budget > KEY_WALK_BUDGET:  # (on from where the first walk stopped)
                more = dense_walk(budget - KEY_WALK_BUDGET, skip=KEY_WALK_BUDGET)
                window += more[: WINDOW - len(window)]
        else:
            if floor is not None:
                # Typing on: the walk of the text this extends read these rows a moment ago.
                window = dense_walk(FLOOR_WALK_BUDGET)
                if len(window) >= WINDOW:
                    return Plan.DENSE, window
            found = self._matches(conn, search, params, THIN_MATCHES + 1)
            if found > THIN_MATCHES:  # (else a set cheap to build; too thin to find by testing)
                window = dense_walk(WALK_BUDGET)
                if len(window) >= WINDOW:
                    return Plan.DENSE, window
                found = self._matches(conn, search, params, SORTABLE_MATCHES + 1)
                if found > SORTABLE_MATCHES:  # (too many to sort: walk as far as it takes)
                    rows = _indexed(
                        conn,
                        f"SELECT {ROW_COLUMNS} FROM orders {{indexed}} WHERE {where} "  # noqa: S608
                        f"AND pk IN ({match_source(search)}) ORDER BY {order_by(query)} "
                        "LIMIT :window",
                        view.index,
                        walk,
                    ).all()
                    return Plan.PROBE, [_row(values) for values in rows]
            # A few thousand matches: walk the sort index against their set only as far as
            # sorting them all would cost; matches that sit deeper in this view's order (or
            # outside it: the set is not the view's) are sorted instead.
            plan, budget = Plan.PROBE, PROBE_ROWS_PER_MATCH * found
            rows = _indexed(
                conn,
                f"SELECT {ROW_COLUMNS} FROM orders WHERE pk IN ("  # noqa: S608
                f"SELECT walked.pk FROM ({walked}) AS walked "
                f"WHERE walked.pk IN ({match_source(search)}) LIMIT :window) "
                f"ORDER BY {order_by(query)}",
                view.index,
                {**walk, "budget": budget, "skip": 0},
            ).all()
            window = [_row(values) for values in rows]
        if len(window) < WINDOW and not self._fits(
            conn, query, now, walked, view.index, view_params, budget
        ):
            # (its first window kept: a longer text starts its walk at its first match)
            sorted_first = build_filter(query, now, Plan.SPARSE)
            return Plan.SPARSE, self._read(conn, query, sorted_first, 0, WINDOW)
        return plan, window

    def _fits(
        self,
        conn: Connection,
        query: OrderQuery,
        now: datetime,
        walked: str,
        index: str | None,
        params: dict[str, Any],
        budget: int,
    ) -> bool:
        """Whether the view has at most `budget` rows from where `walked` starts (a walk of
        that many saw them all): from its counter, which a status view and All keep (it
        counts from the view's start: a bound), else by walking them again."""
        if query.view is not OrderView.NEEDS_ACTION:
            return self.count(conn, replace(query, search=""), now) <= budget
        seen = _indexed(
            conn,
            f"SELECT count(*) FROM ({walked})",  # noqa: S608
            index,
            {**params, "budget": budget, "skip": 0},
        ).scalar_one()
        return int(seen) < budget

    @staticmethod
    def _matches(conn: Connection, search: str, params: dict[str, str], cap: int) -> int:
        """How many orders match `search`, counted up to `cap` (the index's answer, some
        maybe twice: a bound, cheap to take)."""
        return int(
            conn.exec_driver_sql(
                f"SELECT count(*) FROM ({match_source(search)} LIMIT :cap)",  # noqa: S608
                {**params, "cap": cap},
            ).scalar_one()
        )

    def rows(
        self, conn: Connection, query: OrderQuery, offset: int, limit: int, now: datetime
    ) -> list[OrderRow]:
        if limit <= 0:
            return []
        offset = max(0, offset)
        plan, first = self._plan(conn, query, now)
        if offset + limit <= len(first):
            return first[offset : offset + limit]
        where = build_filter(query, now, plan)
        reverse = False
        if where.index and offset > 1000 and not query.search.strip():
            # Walking the index from the far end is shorter for the second half.
            total = self.count(conn, query, now)
            if offset >= total:
                return []
            if offset > total // 2:
                reverse = True
                limit = min(limit, total - offset)
                offset = total - offset - limit
        result = self._read(conn, query, where, offset, limit, reverse=reverse)
        if reverse:
            result.reverse()
        return result

    @staticmethod
    def _read(
        conn: Connection,
        query: OrderQuery,
        where: Filter,
        offset: int,
        limit: int,
        *,
        reverse: bool = False,
    ) -> list[OrderRow]:
        """Rows `offset` .. `offset + limit` of `where`, in `query`'s order (or its reverse)."""
        rows = _indexed(
            conn,
            f"SELECT {ROW_COLUMNS} FROM orders {{indexed}} WHERE {where.where} "  # noqa: S608
            f"ORDER BY {order_by(query, reverse=reverse)} LIMIT :limit OFFSET :offset",
            where.index,
            {**where.params, "limit": limit, "offset": offset},
        ).all()
        return [_row(values) for values in rows]

    def position(
        self, conn: Connection, query: OrderQuery, order_id: str, now: datetime
    ) -> int | None:
        columns = order_columns(query)
        listed = ", ".join(columns)
        marks = ", ".join(f":k{i}" for i in range(len(columns)))
        where = self._filter(conn, query, now)
        found = conn.exec_driver_sql(
            f"SELECT {listed} FROM orders WHERE id = :order_id "  # noqa: S608
            f"AND {where.where}",
            {**where.params, "order_id": order_id},
        ).first()
        if found is None:
            return None
        keys = {f"k{i}": value for i, value in enumerate(found)}
        before = ">" if query.descending else "<"
        return int(
            _indexed(
                conn,
                f"SELECT count(*) FROM orders {{indexed}} WHERE {where.where} "  # noqa: S608
                f"AND ({listed}) {before} ({marks})",
                where.index,
                {**where.params, **keys},
            ).scalar_one()
        )

    def read_ahead(self, conn: Connection, query: OrderQuery, now: datetime) -> int:
        """Read into this connection's page cache the search text of the rows that the
        walk of the next keystroke's text (`query`'s text and one more character) would
        test: after a text of one or two characters, the view's first `READ_AHEAD_ROWS`
        (the first text of three walks from the top); after a longer text whose first
        window a walk found, `FLOOR_WALK_BUDGET` rows past that window (the longer text
        walks from the same first match, past it). Returns how many rows were read."""
        search = query.search.strip()
        view = view_filter(query, now)
        where, params, rows = view.where, dict(view.params), READ_AHEAD_ROWS
        if search and not short_search(search):
            kept = self._plans.get((search, query.view, query.sort, query.descending))
            if kept is None or kept[1] is Plan.SPARSE or not kept[2]:
                return 0  # (few matches: a longer text has fewer still, and sorts them)
            columns = ", ".join(order_columns(query))
            where += (
                f" AND ({columns}) {'<' if query.descending else '>'} "  # noqa: S608
                f"(SELECT {columns} FROM orders WHERE id = :after)"
            )
            params["after"], rows = kept[2][-1].id, FLOOR_WALK_BUDGET
        return int(
            _indexed(
                conn,
                "SELECT count(c.c0) FROM ("  # noqa: S608
                f"SELECT pk FROM orders {{indexed}} WHERE {where} "
                f"ORDER BY {order_by(query)} LIMIT :rows) AS ahead "
                "LEFT JOIN orders_fts_content c ON c.id = ahead.pk",
                view.index,
                {**params, "rows": rows},
            ).scalar_one()
        )

    def view_counts(self, conn: Connection, now: datetime) -> dict[OrderView, int]:
        groups: dict[int, int] = {
            int(group): int(n)
            for group, n in conn.exec_driver_sql("SELECT view_group, n FROM view_counts")
        }
        needs = conn.exec_driver_sql(
            "SELECT count(*) FROM orders "
            "WHERE na_from IS NOT NULL AND na_from <= ? AND na_until > ?",
            (to_micros(now), to_micros(now)),
        ).scalar_one()
        counts = {OrderView.ALL: sum(groups.values()), OrderView.NEEDS_ACTION: int(needs)}
        for view in OrderView:
            group = view_group(view)
            if group is not None:
                counts[view] = int(groups.get(group, 0))
        return counts
