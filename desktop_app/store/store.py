"""`Store`: the offline cache of one profile (platform server + merchant).

One `Store` is one SQLite connection, used by one thread at a time (a lock serialises it;
work done while the connection is idle, `read_ahead`, gives way to whoever waits for it).
The window opens its own `Store`s for reading (`ui.app.build_window`); the sync worker opens
another and writes. WAL lets them work side by side; writes take the write lock at their
start (BEGIN IMMEDIATE), so a writer never fails half-way on a lock it could not upgrade.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from desktop_app.domain import (
    Author,
    Message,
    Operation,
    Order,
    parse_message,
)

from . import outbox as outbox_sql
from .codec import VIEW_GROUP, from_micros
from .connection import DEFAULT_CACHE_MIB, create_store_engine, driver_of, migrate
from .listing import OrderList
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

__all__ = ["CANCEL_CHECK_STEPS", "HELD_PAGES", "HELD_SECONDS", "CountCancelled", "Store"]

CANCEL_CHECK_STEPS = 20_000  # SQLite steps between two looks at a count's `cancel`

# A bulk load's feed pages share a commit: at most this many pages, open at most this long.
HELD_PAGES = 8
HELD_SECONDS = 0.25


class CountCancelled(Exception):  # noqa: N818 - what happened, not a failure
    """A count given up because its answer is no longer wanted."""


@contextmanager
def _interrupted_when(conn: Connection, stop: Callable[[], bool]) -> Iterator[None]:
    """Statements run inside are interrupted (`OperationalError`) once `stop()` is true,
    looked at every `CANCEL_CHECK_STEPS` SQLite steps."""
    raw = driver_of(conn)
    raw.set_progress_handler(stop, CANCEL_CHECK_STEPS)
    try:
        yield
    finally:
        raw.set_progress_handler(None, 0)


class _Turns:
    """The lock that serialises a store's connection, knowing how many threads wait for it
    (work done while the connection is idle gives way to them: `Store.read_ahead`)."""

    __slots__ = ("_lock", "_tally", "waiting")

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._tally = threading.Lock()
        self.waiting = 0

    def __enter__(self) -> Self:
        if not self._lock.acquire(blocking=False):
            with self._tally:
                self.waiting += 1
            try:
                self._lock.acquire()
            finally:
                with self._tally:
                    self.waiting -= 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


class _HeldFeedTransaction:
    __slots__ = ("pages", "relaxed", "since")

    def __init__(self, since: float, *, relaxed: bool) -> None:
        self.since = since
        self.relaxed = relaxed  # committed with synchronous=NORMAL (a bulk load's pages)
        self.pages = 0


class Store(SyncSide):
    """The cache: orders, messages, the outbox and the sync state of one profile."""

    def __init__(self, engine: Engine, connection: Connection, path: Path) -> None:
        self._engine = engine
        self._conn = connection
        self.path = path
        self._lock = _Turns()
        self._closed = False
        self._list = OrderList(connection)
        self._held: _HeldFeedTransaction | None = None

    # -- life ------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, cache_mib: int = DEFAULT_CACHE_MIB) -> Store:
        """Open (creating or migrating) the cache at `path`, with a page cache of
        `cache_mib` (a connection that only streams through pages, as counts do, needs
        little)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_store_engine(path, cache_mib)
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
            try:
                self._commit_held()  # (raises if it cannot: the store is closed all the same)
            finally:
                self._stop_bulk_checkpoints()
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
            self._commit_held()
            self._conn.exec_driver_sql(begin)
            try:
                yield self._conn
            except BaseException:
                self._rollback()
                raise
            self._conn.exec_driver_sql("COMMIT")
            self._conn.commit()

    def _rollback(self) -> None:
        """End a failed transaction, unless SQLite has ended it already (it does on some
        errors, e.g. a full disk): a second error must not hide the first."""
        if driver_of(self._conn).in_transaction:
            self._conn.exec_driver_sql("ROLLBACK")
        self._conn.rollback()

    @contextmanager
    def _feed_write(self, *, bulk: bool, keep_open: bool) -> Iterator[Connection]:
        """A write transaction for one feed page.

        During a bulk load (`bulk`: a first sync into an empty cache) it may stay open for
        the next page (`keep_open`: it is already here), so that a few pages share one
        commit, and that commit does not wait for the disk (synchronous=NORMAL). Both are
        safe because each page's cursor is written with it: a crash, or a power cut, loses
        the last pages and their cursor together (WAL keeps the file consistent), and the
        feed is read again from the cursor that survived. Nothing the operator did is at
        stake: every other commit still waits for the disk (FULL), which also makes every
        page before it durable. Otherwise it is an ordinary write transaction.

        A held transaction is committed after `HELD_PAGES` pages or `HELD_SECONDS`, when a
        page comes without `keep_open`, and before anything else uses this store. An error
        rolls back every page of the group, and is raised."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the store is closed")
            if self._held is None:
                if bulk:
                    self._synchronous("NORMAL")
                self._conn.exec_driver_sql("BEGIN IMMEDIATE")
                self._held = _HeldFeedTransaction(time.monotonic(), relaxed=bulk)
            try:
                yield self._conn
            except BaseException:
                self._end_held(commit=False)
                raise
            self._held.pages += 1
            if (
                not (bulk and keep_open)
                or self._held.pages >= HELD_PAGES
                or time.monotonic() - self._held.since >= HELD_SECONDS
            ):
                self._commit_held()

    def _synchronous(self, level: str) -> None:
        """Set when commits wait for the disk (outside a transaction only: SQLite's rule)."""
        self._conn.exec_driver_sql(f"PRAGMA synchronous = {level}")

    def _commit_held(self) -> None:
        """Commit the feed pages a bulk load holds in an open transaction, if any."""
        self._end_held(commit=True)

    def _end_held(self, *, commit: bool) -> None:
        """Commit (or roll back) the held feed transaction, if any; either way, every later
        commit waits for the disk again."""
        held, self._held = self._held, None
        if held is None:
            return
        try:
            if not commit:
                self._rollback()
                return
            try:
                self._conn.exec_driver_sql("COMMIT")
            except BaseException:
                self._rollback()
                raise
        finally:
            if held.relaxed:
                self._synchronous("FULL")
        self._conn.commit()
        if self._checkpointer is not None:
            self._checkpointer.nudge()

    def flush(self) -> None:
        """Commit what a bulk load still holds (every other call does it first anyway)."""
        with self._lock:
            if not self._closed:
                self._commit_held()

    def _checkpoint_wal(self) -> None:
        """Copy the whole WAL into the database and empty it (outside any transaction; waits
        for readers of an older snapshot up to the busy timeout)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the store is closed")
            self._commit_held()
            self._conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").all()
            self._conn.commit()

    def read(self) -> AbstractContextManager[Connection]:
        """A read transaction (one consistent snapshot) on this store's connection."""
        return self._transaction("BEGIN")

    def write(self) -> AbstractContextManager[Connection]:
        """A write transaction: everything inside commits together or not at all."""
        return self._transaction("BEGIN IMMEDIATE")

    # -- the order list (see `listing`) ------------------------------------------------------

    def count_orders(
        self, query: OrderQuery, now: datetime, cancel: threading.Event | None = None
    ) -> int:
        """How many orders `query` lists. With `cancel`: once it is set, the count gives up
        within a fraction of a millisecond (`CountCancelled`), letting the connection go to
        the reads that replace it (a common text's count reads for up to a second)."""
        if cancel is None:
            with self.read() as conn:
                return self._list.count(conn, query, now)
        try:
            with self.read() as conn, _interrupted_when(conn, cancel.is_set):
                return self._list.count(conn, query, now)
        except OperationalError as error:
            if cancel.is_set():
                raise CountCancelled from error
            raise

    def read_ahead(
        self, query: OrderQuery, now: datetime, cancel: threading.Event | None = None
    ) -> int | None:
        """Work for when the connection is idle: read into its page cache the search text
        the next keystroke after `query` would walk (`OrderList.read_ahead`). It gives way
        within a fraction of a millisecond to any other use of this store, and once `cancel`
        is set: then it returns None (what it read stays cached); else the rows read."""
        gave_way = False

        def give_way() -> bool:
            nonlocal gave_way
            gave_way = self._lock.waiting > 0 or (cancel is not None and cancel.is_set())
            return gave_way

        try:
            with self.read() as conn, _interrupted_when(conn, give_way):
                return self._list.read_ahead(conn, query, now)
        except OperationalError:
            if gave_way:
                return None
            raise

    def list_orders(
        self, query: OrderQuery, offset: int, limit: int, now: datetime
    ) -> list[OrderRow]:
        """Rows `offset` .. `offset + limit` of `query`, in its order."""
        with self.read() as conn:
            return self._list.rows(conn, query, offset, limit, now)

    def position_of(self, query: OrderQuery, order_id: str, now: datetime) -> int | None:
        """The row index of `order_id` in `query`, or None when the order is not in it."""
        with self.read() as conn:
            return self._list.position(conn, query, order_id, now)

    def view_counts(self, now: datetime) -> dict[OrderView, int]:
        """Orders per status view (counters kept by triggers; Needs my action counted)."""
        with self.read() as conn:
            return self._list.view_counts(conn, now)

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

    def acted_on(self, entry_id: int) -> Order | None:
        """The platform's order an operation's decision was made on (None: not known)."""
        with self.read() as conn:
            return outbox_sql.acted_on(conn, entry_id)

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
