"""Writing orders into the cache: the platform's snapshot, overlaid with pending operations.

Every function here runs inside a transaction the caller holds.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Connection

from desktop_app.domain import ActionKind, Operation, Order, operation_from_body

from .codec import (
    ORDER_COLUMNS,
    from_micros,
    load_order,
    order_columns,
    search_text,
)
from .connection import driver_of
from .document import encode_order
from .overlay import overlay
from .search_terms import add_terms_of
from .types import PROBLEM_STATES, UNFINISHED_STATES

__all__ = [
    "Snapshot",
    "load_pending",
    "order_pk",
    "prepare_snapshots",
    "refresh_order",
    "shown_order",
    "upsert_orders",
]

_UNFINISHED = tuple(state.value for state in UNFINISHED_STATES)
_PROBLEMS = tuple(state.value for state in PROBLEM_STATES)

# Column names are constants: no outside text reaches these statements.
_INSERT_HEAD = (
    "INSERT INTO orders (pk, id, version, search_hash, messages_wanted, "
    f"{', '.join(ORDER_COLUMNS)})"
)
_VARIABLE_LIMIT = sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER


# A new row is (pk, *Snapshot.row): pk, then these, then the ORDER_COLUMNS.
_NEW_ROW_HEAD = len(("id", "version", "search_hash", "messages_wanted"))
_LAST_MESSAGE_COLUMN = ORDER_COLUMNS.index("last_message_at")
_LAST_MESSAGE_AT = _NEW_ROW_HEAD + _LAST_MESSAGE_COLUMN  # in Snapshot.row
_VIEW_GROUP_AT = _NEW_ROW_HEAD + ORDER_COLUMNS.index("view_group")  # in Snapshot.row
_NEW_ROW_WIDTH = 1 + _NEW_ROW_HEAD + len(ORDER_COLUMNS)


def _hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def load_pending(
    conn: Connection, order_ids: Sequence[str]
) -> tuple[dict[str, list[tuple[Operation, datetime]]], dict[str, int]]:
    """For each order: its unfinished operations in queue order, and its problem count."""
    pending: dict[str, list[tuple[Operation, datetime]]] = {}
    problems: dict[str, int] = {}
    if not order_ids:
        return pending, problems
    wanted = _UNFINISHED + _PROBLEMS
    for chunk_start in range(0, len(order_ids), 500):
        chunk = list(order_ids[chunk_start : chunk_start + 500])
        marks = ", ".join("?" for _ in chunk)
        state_marks = ", ".join("?" for _ in wanted)
        rows = conn.exec_driver_sql(
            f"SELECT order_id, kind, body, created_at, state FROM outbox "  # noqa: S608
            f"WHERE order_id IN ({marks}) AND state IN ({state_marks}) ORDER BY order_id, seq",
            (*chunk, *wanted),
        ).all()
        for order_id, kind, body, created_at, state in rows:
            if state in _UNFINISHED:
                operation = operation_from_body(ActionKind(kind), json.loads(body))
                pending.setdefault(order_id, []).append((operation, from_micros(created_at)))
            else:
                problems[order_id] = problems.get(order_id, 0) + 1
    return pending, problems


def order_pk(conn: Connection, order_id: str) -> int | None:
    row = conn.exec_driver_sql("SELECT pk FROM orders WHERE id = ?", (order_id,)).first()
    return None if row is None else int(row[0])


def shown_order(conn: Connection, order_id: str) -> tuple[Order, Order] | None:
    """(platform snapshot, the order as shown with pending operations), or None."""
    row = conn.exec_driver_sql(
        "SELECT d.document FROM orders o JOIN order_documents d ON d.pk = o.pk WHERE o.id = ?",
        (order_id,),
    ).first()
    if row is None:
        return None
    snapshot = load_order(row[0])
    pending, _ = load_pending(conn, [order_id])
    return snapshot, overlay(snapshot, pending.get(order_id, ()))


def refresh_order(conn: Connection, order_id: str) -> None:
    """Recompute the list columns of one order after its outbox changed."""
    row = conn.exec_driver_sql(
        f"SELECT o.pk, d.document, {_OLD_COLUMNS} FROM orders o "  # noqa: S608
        "JOIN order_documents d ON d.pk = o.pk WHERE o.id = ?",
        (order_id,),
    ).first()
    if row is None:
        return
    pk, document, *old = row
    pending, problems = load_pending(conn, [order_id])
    operations = pending.get(order_id, [])
    shown = overlay(load_order(document), operations)
    new = dict(zip(_UPDATABLE, old, strict=True))
    new.update(zip(ORDER_COLUMNS, order_columns(shown), strict=True))
    new["pending_ops"] = len(operations)
    new["problem_ops"] = problems.get(order_id, 0)
    _update_changed(conn, [(pk, tuple(old), new)])


# Every column an upsert may change, in the order `_OLD_COLUMNS` selects them.
_UPDATABLE = (
    "version",
    "search_hash",
    "pending_ops",
    "problem_ops",
    "messages_wanted",
    *ORDER_COLUMNS,
)
_OLD_COLUMNS = ", ".join(_UPDATABLE)


def _update_changed(
    conn: Connection, rows: Sequence[tuple[int, tuple[Any, ...], dict[str, Any]]]
) -> None:
    """UPDATE only the columns whose values changed, grouped by the set of changed columns.

    SQLite rewrites an index entry for every index over a column named in SET, changed or
    not; with ~30 sort indexes, naming only what changed makes an update several times
    cheaper (a typical change touches status, version and a deadline)."""
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for pk, old, new in rows:
        changed = tuple(
            name for name, before in zip(_UPDATABLE, old, strict=True) if new[name] != before
        )
        if changed:
            groups.setdefault(changed, []).append((*(new[name] for name in changed), pk))
    for columns, params in groups.items():
        assignments = ", ".join(f"{name} = ?" for name in columns)
        conn.exec_driver_sql(
            f"UPDATE orders SET {assignments} WHERE pk = ?",  # noqa: S608
            params,
        )


class Snapshot(NamedTuple):
    """A platform snapshot of an order made ready to store: everything that does not depend
    on the cache is computed before the write transaction starts (see `prepare_snapshots`).
    (A named tuple: one is made for every order a feed brings.)"""

    order: Order
    document: str  # the order's JSON text: the platform's own, or `encode_order`'s
    # The row it becomes when new, but for its pk: (id, version, search_hash,
    # messages_wanted, *ORDER_COLUMNS of the order without pending operations).
    row: tuple[Any, ...]
    search_text: str

    @property
    def columns(self) -> tuple[Any, ...]:
        return self.row[_NEW_ROW_HEAD:]

    @property
    def search_hash(self) -> int:
        return int(self.row[2])

    @property
    def last_message(self) -> int | None:
        """When the last message was sent (micros), if any."""
        value = self.row[_LAST_MESSAGE_AT]
        return None if value is None else int(value)


def prepare_snapshots(
    orders: Sequence[Order], documents: Sequence[str] | None = None
) -> list[Snapshot]:
    """`orders` ready to store. `documents`, index-aligned with `orders`, are their JSON texts
    as the platform sent them (each one validated into its order); without them each order's
    document is encoded here."""
    if documents is not None and len(documents) != len(orders):
        raise ValueError(f"{len(documents)} documents for {len(orders)} orders")
    texts = documents if documents is not None else [encode_order(o) for o in orders]
    prepared: list[Snapshot] = []
    for order, document in zip(orders, texts, strict=True):
        text = search_text(order)
        columns = order_columns(order)
        wants_messages = 0 if columns[_LAST_MESSAGE_COLUMN] is None else 1
        row = (order.id, order.version, _hash(text), wants_messages, *columns)
        prepared.append(Snapshot(order, document, row, text))
    return prepared


def upsert_orders(
    conn: Connection,
    orders: Sequence[Order] | Sequence[Snapshot],
    *,
    defer_search: bool = False,
    count_inserts: bool = False,
) -> list[str]:
    """Store platform snapshots; returns the ids of the orders that changed.

    A snapshot older than the cached one (a lower version: a feed page fetched before our own
    write's answer was stored) is ignored. Search entries are written now, or queued in the
    backlog when `defer_search` (a bulk load). `count_inserts`: add the new rows to the view
    counters here (a bulk load, whose insert trigger is off). Orders given bare are prepared
    here.
    """
    if not orders:
        return []
    snapshots = [
        item if isinstance(item, Snapshot) else prepare_snapshots([item])[0] for item in orders
    ]
    ids = [snapshot.order.id for snapshot in snapshots]
    existing: dict[str, tuple[int, int | None, tuple[Any, ...]]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for pk, order_id, synced, *values in conn.exec_driver_sql(
            f"SELECT pk, id, messages_synced_at, {_OLD_COLUMNS} "  # noqa: S608
            f"FROM orders WHERE id IN ({marks})",
            tuple(chunk),
        ):
            existing[order_id] = (pk, synced, tuple(values))
    with_outbox = [order_id for order_id in ids if order_id in existing]
    pending, problems = load_pending(conn, with_outbox)

    new: list[Snapshot] = []  # orders not cached yet
    documents: list[tuple[int, str]] = []  # of cached orders
    updates: list[tuple[int, tuple[Any, ...], dict[str, Any]]] = []
    search: list[tuple[int, str]] = []  # (pk, text) of new rows and rows whose text changed
    replaced: list[tuple[int]] = []  # rows whose old search entry goes
    changed: list[str] = []
    seen: set[str] = set()
    if not existing and len(set(ids)) == len(ids):
        # Only new orders, each once (every page of a first sync): no loop over them here.
        new, changed, snapshots = snapshots, ids, []
    for snapshot in snapshots:
        order = snapshot.order
        previous = existing.get(order.id)
        if order.id in seen or (previous is not None and order.version < previous[2][0]):
            continue
        seen.add(order.id)
        changed.append(order.id)
        if previous is None:  # (no operations: an order with some is cached)
            new.append(snapshot)
            continue
        operations = pending.get(order.id, [])
        columns = order_columns(overlay(order, operations)) if operations else snapshot.columns
        text_hash = snapshot.search_hash
        last_message = snapshot.last_message
        pk, synced, old = previous
        old_wanted = old[_UPDATABLE.index("messages_wanted")]
        wants_messages = 1 if last_message is not None and last_message != synced else 0
        fresh = dict(zip(ORDER_COLUMNS, columns, strict=True))
        documents.append((pk, snapshot.document))
        fresh.update(
            version=order.version,
            search_hash=text_hash,
            pending_ops=len(operations),
            problem_ops=problems.get(order.id, 0),
            messages_wanted=max(old_wanted, wants_messages),
        )
        updates.append((pk, old, fresh))
        if old[_UPDATABLE.index("search_hash")] != text_hash:
            search.append((pk, snapshot.search_text))
            replaced.append((pk,))
    raw = driver_of(conn)  # row-wise statements skip SQLAlchemy's per-row work
    if new:
        search += _insert_new(conn, new, count=count_inserts)
    if documents:
        raw.executemany(
            "INSERT INTO order_documents (pk, document) VALUES (?, ?) "
            "ON CONFLICT (pk) DO UPDATE SET document = excluded.document",
            documents,
        )
    if updates:
        _update_changed(conn, updates)
    if search:
        if defer_search:
            insert_rows(
                raw,
                "INSERT OR REPLACE INTO search_backlog (pk, search_text)",
                2,
                [value for entry in search for value in entry],
            )
        else:
            if replaced:
                conn.exec_driver_sql("DELETE FROM orders_fts WHERE rowid = ?", replaced)
            conn.exec_driver_sql(
                "INSERT INTO orders_fts (rowid, search_text) VALUES (?, ?)", search
            )
            add_terms_of(conn, [pk for pk, _ in search])
    return changed


def _insert_new(conn: Connection, new: Sequence[Snapshot], *, count: bool) -> list[tuple[int, str]]:
    """Insert rows and documents of orders not cached yet; returns their (pk, search text).
    `count`: add them to the view counters here (a bulk load: the insert trigger is off)."""
    first_pk = int(conn.exec_driver_sql("SELECT coalesce(max(pk), 0) + 1 FROM orders").scalar_one())
    pks = range(first_pk, first_pk + len(new))
    rows: list[Any] = []
    documents: list[Any] = []
    for pk, snapshot in zip(pks, new, strict=True):
        rows.append(pk)
        rows.extend(snapshot.row)
        documents.append(pk)
        documents.append(snapshot.document)
    raw = driver_of(conn)
    insert_rows(raw, _INSERT_HEAD, _NEW_ROW_WIDTH, rows)
    insert_rows(raw, "INSERT INTO order_documents (pk, document)", 2, documents)
    if count:
        groups = Counter(snapshot.row[_VIEW_GROUP_AT] for snapshot in new)
        conn.exec_driver_sql(
            "INSERT INTO view_counts (view_group, n) VALUES (?, ?) "
            "ON CONFLICT (view_group) DO UPDATE SET n = n + excluded.n",
            list(groups.items()),
        )
    return [(pk, snapshot.search_text) for pk, snapshot in zip(pks, new, strict=True)]


ROWS_PER_STATEMENT = 250


def insert_rows(raw: sqlite3.Connection, head: str, width: int, values: Sequence[Any]) -> None:
    """`head` ("INSERT INTO t (a, b)") for rows given flat, `width` values each: many rows
    per statement. Each statement binds its values and steps once, where executemany goes
    back and forth once per row; the rows of one statement go in, or none of them."""
    per_statement = max(1, min(ROWS_PER_STATEMENT, raw.getlimit(_VARIABLE_LIMIT) // width))
    count, left = divmod(len(values), width)
    if left:
        raise ValueError(f"{len(values)} values for rows of {width}")
    for start in range(0, count, per_statement):
        rows = min(per_statement, count - start)
        raw.execute(
            _multi_row_insert(head, width, rows), values[start * width : (start + rows) * width]
        )


@cache
def _multi_row_insert(head: str, width: int, rows: int) -> str:
    row = f"({', '.join('?' * width)})"
    return f"{head} VALUES {', '.join([row] * rows)}"


def index_search_backlog(conn: Connection, limit: int) -> int:
    """Write the search entries of up to `limit` backlog rows; returns how many were done."""
    rows = conn.exec_driver_sql(
        "SELECT b.pk, b.search_text, d.document FROM search_backlog b "
        "JOIN order_documents d ON d.pk = b.pk ORDER BY b.pk LIMIT ?",
        (limit,),
    ).all()
    if not rows:
        conn.exec_driver_sql("DELETE FROM search_backlog")  # rows of orders no longer cached
        return 0
    entries = [
        (pk, text if text is not None else search_text(load_order(document)))
        for pk, text, document in rows
    ]
    pks = [(pk,) for pk, _ in entries]
    conn.exec_driver_sql("DELETE FROM orders_fts WHERE rowid = ?", pks)
    conn.exec_driver_sql("INSERT INTO orders_fts (rowid, search_text) VALUES (?, ?)", entries)
    add_terms_of(conn, [pk for pk, _ in entries])
    conn.exec_driver_sql("DELETE FROM search_backlog WHERE pk = ?", pks)
    return len(entries)
