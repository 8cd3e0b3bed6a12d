"""The writes the sync engine makes: feed pages, platform answers, conversations, bulk loads.

Kept apart from the read API the GUI uses; `Store` mixes this in.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from desktop_app.domain import Message, Order, message_to_wire

from . import outbox as outbox_sql
from .checkpoints import BULK_WAL_PAGES, DEFAULT_WAL_PAGES, Checkpointer
from .codec import dump_json, to_micros
from .connection import driver_of
from .outbox import Outcome
from .rows import index_search_backlog, prepare_snapshots, refresh_order, upsert_orders
from .types import OperationState, OutboxEntry

__all__ = ["FeedInvalid", "SyncSide"]

CURSOR = "cursor"
BULK_LOAD = "bulk_load"
INSERT_TRIGGER = "orders_count_insert"  # counts new rows per view; off during a bulk load
NEEDS_ACTION_INDEX = "ix_needs_action"
MESSAGES_WANTED_INDEX = "ix_messages_wanted"


@dataclass(frozen=True, slots=True)
class FeedInvalid:
    """An order of a feed page that failed validation (mirrors the client's InvalidOrder)."""

    order_id: str | None
    number: str | None
    reason: str


# The small statements every feed page makes go to the driver directly: SQLAlchemy's work
# per statement (a result object, its metadata) cost more than the statements themselves.


def _set_state(conn: Connection, key: str, value: str | None) -> None:
    if value is None:
        driver_of(conn).execute("DELETE FROM sync_state WHERE key = ?", (key,))
    else:
        driver_of(conn).execute(
            "INSERT INTO sync_state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def _get_state(conn: Connection, key: str) -> str | None:
    row = driver_of(conn).execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def _store_messages(conn: Connection, order_id: str, messages: Sequence[Message]) -> None:
    if not messages:
        return
    next_seq = int(
        conn.exec_driver_sql(
            "SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE order_id = ?", (order_id,)
        ).scalar_one()
    )
    conn.exec_driver_sql(
        "INSERT INTO messages (order_id, id, seq, sent_at, document) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (order_id, id) DO UPDATE SET document = excluded.document",
        [
            (order_id, m.id, next_seq + i, to_micros(m.sent_at), dump_json(message_to_wire(m)))
            for i, m in enumerate(messages)
        ],
    )


def _any_invalid(conn: Connection) -> bool:
    return driver_of(conn).execute("SELECT 1 FROM invalid_orders LIMIT 1").fetchone() is not None


def _in_schema(conn: Connection, kind: str, name: str) -> bool:
    """Whether the index or trigger `name` exists (a bulk load defers some)."""
    found = (
        driver_of(conn)
        .execute("SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?", (kind, name))
        .fetchone()
    )
    return found is not None


def _restore_deferred(conn: Connection, name: str, sql: str) -> None:
    """Create a deferred index or trigger again (unless it exists) and forget its definition."""
    exists = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).first()
    if exists is None:
        conn.exec_driver_sql(sql)
    conn.exec_driver_sql("DELETE FROM deferred_indexes WHERE name = ?", (name,))


class SyncSide:
    """Mixed into `Store`: every method is one transaction."""

    path: Path  # provided by Store
    _checkpointer: Checkpointer | None = None  # running while a bulk load writes
    _bulk: bool | None = None  # a bulk load runs (None: not read yet)

    def write(self) -> AbstractContextManager[Connection]:  # provided by Store
        raise NotImplementedError

    def _feed_write(  # provided by Store
        self, *, bulk: bool, keep_open: bool
    ) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def _bulk_loading(self) -> bool:
        """Whether a bulk load runs (read once, then kept: only this store starts or ends it,
        as only the holder of the profile's sync lock pulls)."""
        if self._bulk is None:
            self._bulk = self.in_bulk_load()
        return self._bulk

    def read(self) -> AbstractContextManager[Connection]:  # provided by Store
        raise NotImplementedError

    # -- the feed ----------------------------------------------------------------------------

    def feed_cursor(self) -> str | None:
        with self.read() as conn:
            return _get_state(conn, CURSOR)

    def apply_page(
        self,
        orders: Sequence[Order],
        invalid: Sequence[FeedInvalid],
        next_cursor: str,
        now: datetime,
        *,
        documents: Sequence[str] | None = None,
        more_coming: bool = False,
    ) -> list[str]:
        """Store one feed page and its cursor in one transaction; returns changed order ids.

        The cursor is saved with the data it covers: a crash loses both or neither.
        `documents`, index-aligned with `orders`, are the orders' JSON texts as the platform
        sent them (see `PlatformClient.changes`); they are stored as they are, without
        encoding each order again. `more_coming`: the next page is already here, so during a
        bulk load this page may share its commit with the next ones (`Store._feed_write`);
        the page is then committed by the next call on this store, at the latest.
        """
        # Everything that does not read the cache is done before the write lock is taken:
        # the GUI waits less, and during a bulk load the background checkpoint can finish
        # meanwhile, so the transaction starts the WAL over instead of growing it.
        snapshots = prepare_snapshots(orders, documents)
        with self._feed_write(bulk=self._bulk_loading(), keep_open=more_coming) as conn:
            bulk = _get_state(conn, BULK_LOAD) == "1"
            if bulk and self._checkpointer is None:  # (also after a restart mid-load)
                conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint = {BULK_WAL_PAGES}").all()
                self._checkpointer = Checkpointer(self.path)
            counted = not bulk or _in_schema(conn, "trigger", INSERT_TRIGGER)
            changed = upsert_orders(conn, snapshots, defer_search=bulk, count_inserts=not counted)
            if orders and _any_invalid(conn):  # (a valid order clears its earlier entry)
                conn.exec_driver_sql(
                    "DELETE FROM invalid_orders WHERE order_id = ?",
                    [(order.id,) for order in orders],
                )
            stamp = to_micros(now)
            for item in invalid:
                conn.exec_driver_sql(
                    "INSERT INTO invalid_orders (order_id, number, reason, seen_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (order_id) DO UPDATE SET "
                    "number = excluded.number, reason = excluded.reason, "
                    "seen_at = excluded.seen_at",
                    (item.order_id or f"unknown:{item.number}", item.number, item.reason, stamp),
                )
            _set_state(conn, CURSOR, next_cursor)
            _set_state(conn, "last_pull_at", str(stamp))
        return changed

    def restart_feed(self) -> None:
        """The cursor expired (410): read the feed again from the start; the outbox stays."""
        with self.write() as conn:
            _set_state(conn, CURSOR, None)

    def store_platform_order(self, order: Order) -> bool:
        """Store the platform's current order (an answer, a conflict's `current`)."""
        with self.write() as conn:
            return bool(upsert_orders(conn, [order]))

    def is_empty(self) -> bool:
        with self.read() as conn:
            return conn.exec_driver_sql("SELECT 1 FROM orders LIMIT 1").first() is None

    # -- bulk load (the first sync) ------------------------------------------------------------

    def begin_bulk_load(self) -> None:
        """Drop the secondary indexes of orders and defer search entries while the cache
        fills from empty.

        The index definitions are kept in `deferred_indexes`; `end_bulk_load` builds them
        again (sorted builds are far faster than row-by-row inserts into ~30 indexes). The
        trigger counting new rows per view goes too: each page adds its counts at once.
        Reads keep working meanwhile, without those indexes (slower)."""
        with self.write() as conn:
            rows = conn.exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master WHERE (type = 'index' AND "
                "(name LIKE 'ix_sort_%' OR name IN (?, ?))) OR (type = 'trigger' AND name = ?)",
                (NEEDS_ACTION_INDEX, MESSAGES_WANTED_INDEX, INSERT_TRIGGER),
            ).all()
            for kind, name, sql in rows:
                conn.exec_driver_sql(
                    "INSERT OR REPLACE INTO deferred_indexes (name, sql) VALUES (?, ?)", (name, sql)
                )
                conn.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
            _set_state(conn, BULK_LOAD, "1")
        self._bulk = True

    def in_bulk_load(self) -> bool:
        with self.read() as conn:
            return _get_state(conn, BULK_LOAD) == "1"

    def end_bulk_load(self) -> None:
        """Build the deferred indexes again (search entries follow via `index_search`), and
        checkpoint the WAL into the database, leaving it empty."""
        self._stop_bulk_checkpoints()
        with self.read() as conn:
            pending = conn.exec_driver_sql(
                "SELECT name, sql FROM deferred_indexes WHERE name <> ?", (INSERT_TRIGGER,)
            ).all()
        for name, sql in pending:
            with self.write() as conn:
                _restore_deferred(conn, name, sql)
        with self.write() as conn:
            # The trigger comes back with the end of the bulk load, in one transaction: rows
            # are counted by the trigger, or by `apply_page` during the load, never by both.
            trigger = conn.exec_driver_sql(
                "SELECT sql FROM deferred_indexes WHERE name = ?", (INSERT_TRIGGER,)
            ).scalar()
            if trigger is not None:
                _restore_deferred(conn, INSERT_TRIGGER, str(trigger))
            _set_state(conn, BULK_LOAD, None)
            # Statistics for the planner; sampled, so a million rows cost well under a second.
            conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
            conn.exec_driver_sql("ANALYZE")
        self._bulk = False
        self._checkpoint_wal()

    def _stop_bulk_checkpoints(self) -> None:
        """The background checkpoints end; the writer checkpoints as usual again."""
        checkpointer, self._checkpointer = self._checkpointer, None
        if checkpointer is not None:
            checkpointer.stop()
            with self.read() as conn:
                conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint = {DEFAULT_WAL_PAGES}").all()

    def _checkpoint_wal(self) -> None:  # provided by Store
        raise NotImplementedError

    def search_backlog(self) -> int:
        with self.read() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM search_backlog").scalar_one())

    def index_search(self, limit: int = 5_000) -> int:
        """Write up to `limit` deferred search entries; returns how many."""
        with self.write() as conn:
            return index_search_backlog(conn, limit)

    # -- conversations -----------------------------------------------------------------------

    def request_messages(self, order_id: str) -> None:
        """Ask the sync engine to fetch this order's conversation before others'."""
        with self.write() as conn:
            conn.exec_driver_sql("UPDATE orders SET messages_wanted = 2 WHERE id = ?", (order_id,))

    def orders_wanting_messages(self, limit: int) -> list[tuple[str, str | None]]:
        """(order id, id of the last message we hold) of orders whose conversation is behind:
        requested ones first, then the most recently active."""
        with self.read() as conn:
            # (The index is missing during a bulk load: a scan then, still right.)
            wanted = _in_schema(conn, "index", MESSAGES_WANTED_INDEX)
            indexed = f"INDEXED BY {MESSAGES_WANTED_INDEX}" if wanted else ""
            rows = conn.exec_driver_sql(
                "SELECT id, (SELECT m.id FROM messages m WHERE m.order_id = o.id "  # noqa: S608
                f"ORDER BY m.seq DESC LIMIT 1) FROM orders o {indexed} "
                "WHERE messages_wanted > 0 "
                "ORDER BY messages_wanted DESC, last_message_at DESC LIMIT ?",
                (limit,),
            ).all()
        return [(str(order_id), last) for order_id, last in rows]

    def store_conversation(
        self, order_id: str, messages: Sequence[Message], *, complete: bool
    ) -> None:
        """Append fetched messages; `complete` when the platform said there are no more."""
        with self.write() as conn:
            _store_messages(conn, order_id, messages)
            if complete:
                conn.exec_driver_sql(
                    "UPDATE orders SET messages_wanted = 0, "
                    "messages_synced_at = coalesce(last_message_at, 0) WHERE id = ?",
                    (order_id,),
                )

    # -- pushing the outbox ----------------------------------------------------------------

    def due_operations(self, now: datetime, limit: int = 100) -> list[OutboxEntry]:
        with self.read() as conn:
            return outbox_sql.due_heads(conn, now, limit)

    def next_operation_due_at(self) -> datetime | None:
        with self.read() as conn:
            return outbox_sql.next_due_at(conn)

    def mark_sending(self, entry_ids: Sequence[int], now: datetime) -> list[OutboxEntry]:
        """Mark entries in flight (one transaction) before they go to the network."""
        with self.write() as conn:
            return [outbox_sql.mark_sending(conn, entry_id, now) for entry_id in entry_ids]

    def settle_applied(
        self,
        entry: OutboxEntry,
        order: Order | None,
        message: Message | None,
        now: datetime,
        *,
        replayed: bool = False,
    ) -> None:
        """The platform applied `entry`: store its answer and the entry's state together."""
        with self.write() as conn:
            result: dict[str, object] = {"replayed": replayed}
            if order is not None:
                upsert_orders(conn, [order])
                outbox_sql.rebase_followers(conn, entry, order.version, now)
                result["version"] = order.version
            if message is not None:
                _store_messages(conn, entry.order_id, [message])
                result["message_id"] = message.id
            outbox_sql.settle(conn, entry, Outcome(OperationState.APPLIED, result=result), now)

    def settle_retry(
        self, entry: OutboxEntry, error: str, next_attempt_at: datetime, now: datetime
    ) -> None:
        """The outcome is unknown (or nothing happened): send again later with the same key."""
        with self.write() as conn:
            outbox_sql.settle(
                conn, entry, Outcome(OperationState.QUEUED, error, next_attempt_at), now
            )

    def settle_refused(
        self,
        entry: OutboxEntry,
        state: OperationState,
        explanation: str,
        now: datetime,
        *,
        current: Order | None = None,
    ) -> None:
        """Rejected, needs review or set aside; `current` is the platform's order now."""
        with self.write() as conn:
            if current is not None:
                upsert_orders(conn, [current])
            outbox_sql.settle(conn, entry, Outcome(state, explanation), now)

    def release_waiting_operations(self) -> int:
        """Back online: entries waiting out a backoff become due now (same keys)."""
        with self.write() as conn:
            result = conn.exec_driver_sql(
                "UPDATE outbox SET next_attempt_at = 0 WHERE state IN (?, ?) "
                "AND next_attempt_at > 0",
                (OperationState.QUEUED.value, OperationState.SENDING.value),
            )
            return int(result.rowcount or 0)

    def refresh_overlay(self, order_id: str) -> None:
        with self.write() as conn:
            refresh_order(conn, order_id)

    # -- status ------------------------------------------------------------------------------

    def record_sync(self, *, success_at: datetime | None, error: str | None) -> None:
        with self.write() as conn:
            if success_at is not None:
                _set_state(conn, "last_success_at", str(to_micros(success_at)))
            _set_state(conn, "last_error", error)

    def mark_initial_sync_done(self) -> None:
        with self.write() as conn:
            _set_state(conn, "initial_sync_done", "1")
