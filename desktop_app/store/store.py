"""`Store`: the offline cache of one profile (platform server + merchant).

One `Store` is one SQLite connection, used by one thread at a time (a lock serialises it).
The GUI opens its own `Store` for reading; the sync worker opens another and writes. WAL lets
them work side by side; writes take the write lock at their start (BEGIN IMMEDIATE), so a
writer never fails half-way on a lock it could not upgrade.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, CursorResult, Engine
from sqlalchemy.exc import OperationalError

from desktop_app.domain import (
    Actor,
    Author,
    DeadlineKind,
    Message,
    Money,
    Operation,
    Order,
    OrderStatus,
    parse_message,
)

from . import outbox as outbox_sql
from .codec import DEADLINE_NONE, VIEW_GROUP, from_micros, to_micros
from .connection import create_store_engine, migrate
from .queries import (
    MATCHES,
    ROW_COLUMNS,
    TRIGRAM,
    Filter,
    build_filter,
    count_index,
    order_by,
    order_columns,
    search_params,
    view_group,
)
from .rows import shown_order
from .sync_side import SyncSide
from .types import (
    PROBLEM_STATES,
    UNFINISHED_STATES,
    InvalidOrderEntry,
    MessageEntry,
    OperationState,
    OrderQuery,
    OrderRow,
    OrderView,
    OutboxEntry,
    SyncStatus,
)

__all__ = ["Store"]

COMMON_MATCHES = 2_000  # more matches than this (or 2 % of the cache): walk the sort index
_STATUS_BY_VALUE = {status.value: status for status in OrderStatus}


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


class Store(SyncSide):
    """The cache: orders, messages, the outbox and the sync state of one profile."""

    def __init__(self, engine: Engine, connection: Connection, path: Path) -> None:
        self._engine = engine
        self._conn = connection
        self.path = path
        self._lock = threading.RLock()
        self._closed = False
        self._matches: dict[str, tuple[tuple[int, int], int]] = {}

    # -- life ------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating or migrating) the cache at `path`."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_store_engine(path)
        connection = engine.connect()
        try:
            migrate(connection, path)
        except BaseException:
            connection.close()
            engine.dispose()
            raise
        return cls(engine, connection, path)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._conn.close()
            self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Connection]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the store is closed")
            self._conn.exec_driver_sql(begin)
            try:
                yield self._conn
            except BaseException:
                self._conn.exec_driver_sql("ROLLBACK")
                self._conn.rollback()
                raise
            self._conn.exec_driver_sql("COMMIT")
            self._conn.commit()

    def read(self) -> AbstractContextManager[Connection]:
        """A read transaction (one consistent snapshot) on this store's connection."""
        return self._transaction("BEGIN")

    def write(self) -> AbstractContextManager[Connection]:
        """A write transaction: everything inside commits together or not at all."""
        return self._transaction("BEGIN IMMEDIATE")

    # -- the order list ----------------------------------------------------------------------

    def count_orders(self, query: OrderQuery, now: datetime) -> int:
        with self.read() as conn:
            return self._count(conn, query, now)

    def _count(self, conn: Connection, query: OrderQuery, now: datetime) -> int:
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
        if len(search) >= TRIGRAM and query.view is OrderView.ALL:
            return int(
                conn.exec_driver_sql(
                    f"SELECT count(*) FROM ({MATCHES.replace('UNION ALL', 'UNION')})",  # noqa: S608
                    search_params(search),
                ).scalar_one()
            )
        where = self._filter(conn, query, now)
        index = count_index(query) if where.index is not None else None
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
        """`query`'s filter, choosing how to search by how many orders match the text."""
        search = query.search.strip()
        if len(search) < TRIGRAM:
            return build_filter(query, now)
        # The UI asks for a count and windows of one search in a row: remember the answer
        # until this or another connection writes (SQLite's data_version + our changes).
        raw = self._conn.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        state = (int(conn.exec_driver_sql("PRAGMA data_version").scalar_one()), raw.total_changes)
        cached = self._matches.get(search)
        if cached is not None and cached[0] == state:
            matches = cached[1]
        else:
            matches = int(
                conn.exec_driver_sql(
                    f"SELECT count(*) FROM ({MATCHES})",  # noqa: S608
                    search_params(search),
                ).scalar_one()
            )
            if len(self._matches) > 64:
                self._matches.clear()
            self._matches[search] = (state, matches)
        common = matches > max(COMMON_MATCHES, self._total(conn) // 50)
        return build_filter(query, now, common_match=common)

    def list_orders(
        self, query: OrderQuery, offset: int, limit: int, now: datetime
    ) -> list[OrderRow]:
        """Rows `offset` .. `offset + limit` of `query`, in its order."""
        if limit <= 0:
            return []
        offset = max(0, offset)
        with self.read() as conn:
            where = self._filter(conn, query, now)
            reverse = False
            if where.index and offset > 1000 and not query.search.strip():
                # Walking the index from the far end is shorter for the second half.
                total = self._count(conn, query, now)
                if offset >= total:
                    return []
                if offset > total // 2:
                    reverse = True
                    limit = min(limit, total - offset)
                    offset = total - offset - limit
            params = {**where.params, "limit": limit, "offset": offset}
            rows = _indexed(
                conn,
                f"SELECT {ROW_COLUMNS} FROM orders {{indexed}} WHERE {where.where} "  # noqa: S608
                f"ORDER BY {order_by(query, reverse=reverse)} LIMIT :limit OFFSET :offset",
                where.index,
                params,
            ).all()
        result = [_row(values) for values in rows]
        if reverse:
            result.reverse()
        return result

    def position_of(self, query: OrderQuery, order_id: str, now: datetime) -> int | None:
        """The row index of `order_id` in `query`, or None when the order is not in it."""
        columns = order_columns(query)
        listed = ", ".join(columns)
        marks = ", ".join(f":k{i}" for i in range(len(columns)))
        with self.read() as conn:
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

    def view_counts(self, now: datetime) -> dict[OrderView, int]:
        with self.read() as conn:
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

    # -- one order ---------------------------------------------------------------------------

    def get_order(self, order_id: str) -> Order | None:
        """The order as shown: the platform's snapshot with pending operations on top."""
        with self.read() as conn:
            found = shown_order(conn, order_id)
        return None if found is None else found[1]

    def platform_order(self, order_id: str) -> Order | None:
        """The platform's last snapshot of the order, without our pending operations."""
        with self.read() as conn:
            found = shown_order(conn, order_id)
        return None if found is None else found[0]

    def order_id_for_number(self, number: str) -> str | None:
        with self.read() as conn:
            value = conn.exec_driver_sql(
                "SELECT id FROM orders WHERE number = ?", (number,)
            ).scalar()
        return None if value is None else str(value)

    def messages(self, order_id: str) -> list[MessageEntry]:
        """The cached conversation, oldest first, then our messages not yet applied."""
        with self.read() as conn:
            rows = conn.exec_driver_sql(
                "SELECT document FROM messages WHERE order_id = ? ORDER BY seq", (order_id,)
            ).all()
            queued = conn.exec_driver_sql(
                f"SELECT {outbox_sql.ENTRY_COLUMNS} FROM outbox "  # noqa: S608
                "WHERE order_id = ? AND kind = 'send_message' AND state NOT IN (?, ?) "
                "ORDER BY seq",
                (order_id, OperationState.APPLIED.value, OperationState.DISCARDED.value),
            ).all()
        entries = [MessageEntry(parse_message(json.loads(document))) for (document,) in rows]
        for values in queued:
            entry = outbox_sql.entry_from_row(values)
            message = Message(
                id=f"outbox-{entry.id}",
                author=Author.MERCHANT,
                text=str(entry.body.get("text", "")),
                sent_at=entry.created_at,
            )
            entries.append(MessageEntry(message, entry.state, entry.id))
        return entries

    def messages_synced_at(self, order_id: str) -> datetime | None:
        with self.read() as conn:
            value = conn.exec_driver_sql(
                "SELECT messages_synced_at FROM orders WHERE id = ?", (order_id,)
            ).scalar()
        return None if value is None else from_micros(int(value))

    # -- the outbox --------------------------------------------------------------------------

    def operations(self, order_id: str | None = None) -> list[OutboxEntry]:
        """Every operation (of one order, or all), oldest first, in any state."""
        sql = f"SELECT {outbox_sql.ENTRY_COLUMNS} FROM outbox"  # noqa: S608
        params: tuple[Any, ...] = ()
        if order_id is not None:
            sql += " WHERE order_id = ?"
            params = (order_id,)
        with self.read() as conn:
            rows = conn.exec_driver_sql(sql + " ORDER BY id", params).all()
        return [outbox_sql.entry_from_row(row) for row in rows]

    def operation(self, entry_id: int) -> OutboxEntry:
        with self.read() as conn:
            return outbox_sql.get_entry(conn, entry_id)

    def outbox_counts(self) -> dict[OperationState, int]:
        with self.read() as conn:
            rows = conn.exec_driver_sql("SELECT state, count(*) FROM outbox GROUP BY state").all()
        counts = dict.fromkeys(OperationState, 0)
        for state, count in rows:
            counts[OperationState(state)] = int(count)
        return counts

    def unfinished_operations(self) -> int:
        counts = self.outbox_counts()
        return sum(counts[state] for state in UNFINISHED_STATES)

    def problem_operations(self) -> int:
        counts = self.outbox_counts()
        return sum(counts[state] for state in PROBLEM_STATES)

    def enqueue(
        self,
        order_id: str,
        operation: Operation,
        now: datetime,
        *,
        base_version: int | None = None,
    ) -> OutboxEntry:
        """Queue `operation` with its optimistic effect, in one transaction.

        Raises `NotAllowedError` / `OperationValidationError` (nothing queued) when the order as
        shown does not allow it. `base_version` is the version the operator looked at (default:
        the cached one); the platform refuses the decision if the order moved on since.
        """
        with self.write() as conn:
            return outbox_sql.insert_operation(
                conn, order_id, operation, now, base_version=base_version
            )

    def retry(self, entry_id: int, now: datetime) -> OutboxEntry:
        """A waiting operation: send at once (same key). A refused one: `reapply`."""
        with self.write() as conn:
            return outbox_sql.retry_now(conn, entry_id, now)

    def reapply(self, entry_id: int, now: datetime) -> OutboxEntry:
        """Queue a refused operation again on the order's current version, with a new key."""
        with self.write() as conn:
            return outbox_sql.reapply(conn, entry_id, now)

    def discard(self, entry_id: int, now: datetime) -> OutboxEntry:
        """Drop an operation never sent, or dismiss a refused one."""
        with self.write() as conn:
            return outbox_sql.discard(conn, entry_id, now)

    # -- sync state --------------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        with self.read() as conn:
            value = conn.exec_driver_sql(
                "SELECT value FROM sync_state WHERE key = ?", (key,)
            ).scalar()
        return None if value is None else str(value)

    def set_state(self, values: dict[str, str | None]) -> None:
        with self.write() as conn:
            set_state(conn, values)

    def sync_status(self) -> SyncStatus:
        with self.read() as conn:
            state: dict[str, str] = {
                str(key): str(value)
                for key, value in conn.exec_driver_sql("SELECT key, value FROM sync_state")
            }
            invalid = conn.exec_driver_sql("SELECT count(*) FROM invalid_orders").scalar_one()
        success = state.get("last_success_at")
        pulled = state.get("last_pull_at")
        return SyncStatus(
            last_success_at=from_micros(int(success)) if success else None,
            last_error=state.get("last_error"),
            invalid_orders=int(invalid),
            last_pull_at=from_micros(int(pulled)) if pulled else None,
            initial_sync_done=state.get("initial_sync_done") == "1",
        )

    def invalid_orders(self) -> list[InvalidOrderEntry]:
        with self.read() as conn:
            rows = conn.exec_driver_sql(
                "SELECT order_id, number, reason, seen_at FROM invalid_orders ORDER BY seen_at"
            ).all()
        return [
            InvalidOrderEntry(order_id, number, reason, from_micros(seen_at))
            for order_id, number, reason, seen_at in rows
        ]

    def order_count(self) -> int:
        return self.count_orders(OrderQuery(), from_micros(0))


def set_state(conn: Connection, values: dict[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            conn.exec_driver_sql("DELETE FROM sync_state WHERE key = ?", (key,))
        else:
            conn.exec_driver_sql(
                "INSERT INTO sync_state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


__all__ += ["VIEW_GROUP", "set_state"]
