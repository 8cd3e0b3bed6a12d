"""Writing orders into the cache: the platform's snapshot, overlaid with pending operations.

Every function here runs inside a transaction the caller holds.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

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
    "Snapshots",
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


# A new row is (pk, *row): pk, then these, then the ORDER_COLUMNS (see `Snapshots.rows`).
_NEW_ROW_HEAD = len(("id", "version", "search_hash", "messages_wanted"))
ROW_WIDTH = _NEW_ROW_HEAD + len(ORDER_COLUMNS)
_LAST_MESSAGE_COLUMN = ORDER_COLUMNS.index("last_message_at")
_LAST_MESSAGE_AT = _NEW_ROW_HEAD + _LAST_MESSAGE_COLUMN  # in a row
_VIEW_GROUP_AT = _NEW_ROW_HEAD + ORDER_COLUMNS.index("view_group")  # in a row
_BACKLOG_HEAD = "INSERT OR REPLACE INTO search_backlog (pk, search_text)"

# A new row's NULLs bind as `_NULL`, which its statement turns back into NULL: sqlite3 "adapts"
# every None it binds (see connection.py), some 1,400 instructions each where an int binds
# in a tenth of that, and a new order has three or four. `_NULL` is no value these columns
# hold: they hold texts, or micros of datetimes (|micros| < 2**58), or TIME_MAX (2**62).
_NULL = -(2**63)
_NULLABLE = tuple(
    _NEW_ROW_HEAD + ORDER_COLUMNS.index(name)
    for name in ("deadline_kind", "deadline_actor", "last_message_at", "na_from", "na_until")
)
_ROW_MARKS = tuple(f"nullif(?, {_NULL})" if at in _NULLABLE else "?" for at in range(ROW_WIDTH))


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


@dataclass(frozen=True, slots=True)
class Snapshots:
    """Platform snapshots of orders made ready to store: everything that does not depend on
    the cache, computed before the write transaction starts (see `prepare_snapshots`). Kept as
    a few lists side by side rather than an object per order: a first sync stores every
    order once, and the new rows go to SQLite as `rows` is."""

    orders: Sequence[Order]
    documents: Sequence[str]  # each order's JSON text: the platform's own, or `encode_order`'s
    # The row each order becomes when new, but for its pk, `ROW_WIDTH` values after one
    # another: (id, version, search_hash, messages_wanted, *ORDER_COLUMNS of the order without
    # pending operations).
    rows: list[Any]
    search_texts: list[str]

    def row(self, index: int) -> list[Any]:
        return self.rows[index * ROW_WIDTH : (index + 1) * ROW_WIDTH]


def prepare_snapshots(orders: Sequence[Order], documents: Sequence[str] | None = None) -> Snapshots:
    """`orders` ready to store. `documents`, index-aligned with `orders`, are their JSON texts
    as the platform sent them (each one validated into its order); without them each order's
    document is encoded here."""
    if documents is not None and len(documents) != len(orders):
        raise ValueError(f"{len(documents)} documents for {len(orders)} orders")
    texts = documents if documents is not None else [encode_order(o) for o in orders]
    rows: list[Any] = []
    search_texts: list[str] = []
    for order in orders:  # (runs for every order a feed brings: kept lean)
        text = search_text(order)
        columns = order_columns(order)
        wants_messages = 0 if columns[_LAST_MESSAGE_COLUMN] is None else 1
        rows += (order.id, order.version, zlib.crc32(text.encode()), wants_messages)
        rows += columns
        search_texts.append(text)
    return Snapshots(orders, texts, rows, search_texts)


def upsert_orders(
    conn: Connection,
    orders: Sequence[Order] | Snapshots,
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
    prepared = orders if isinstance(orders, Snapshots) else prepare_snapshots(orders)
    if not prepared.orders:
        return []
    ids: list[str] = prepared.rows[0::ROW_WIDTH]
    raw = driver_of(conn)  # (these statements skip SQLAlchemy's per-statement work)
    existing: dict[str, tuple[int, int | None, tuple[Any, ...]]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for pk, order_id, synced, *values in raw.execute(
            f"SELECT pk, id, messages_synced_at, {_OLD_COLUMNS} "  # noqa: S608
            f"FROM orders WHERE id IN ({marks})",
            chunk,
        ):
            existing[order_id] = (pk, synced, tuple(values))
    if not existing and len(set(ids)) == len(ids):
        # Only new orders, each once (every page of a first sync): stored as prepared.
        first_pk = _insert_new(conn, prepared, count=count_inserts)
        if defer_search:
            _insert_numbered(raw, _BACKLOG_HEAD, first_pk, ("?",), prepared.search_texts)
        else:
            pks = range(first_pk, first_pk + len(ids))
            _index_search(conn, list(zip(pks, prepared.search_texts, strict=True)), [])
        return ids

    with_outbox = [order_id for order_id in ids if order_id in existing]
    pending, problems = load_pending(conn, with_outbox)
    new: list[int] = []  # indexes of orders not cached yet
    documents: list[tuple[int, str]] = []  # of cached orders
    updates: list[tuple[int, tuple[Any, ...], dict[str, Any]]] = []
    search: list[tuple[int, str]] = []  # (pk, text) of rows whose text changed
    replaced: list[tuple[int]] = []  # rows whose old search entry goes
    changed: list[str] = []
    seen: set[str] = set()
    for index, order in enumerate(prepared.orders):
        previous = existing.get(order.id)
        if order.id in seen or (previous is not None and order.version < previous[2][0]):
            continue
        seen.add(order.id)
        changed.append(order.id)
        if previous is None:  # (no operations: an order with some is cached)
            new.append(index)
            continue
        row = prepared.row(index)
        operations = pending.get(order.id, [])
        columns = order_columns(overlay(order, operations)) if operations else row[_NEW_ROW_HEAD:]
        text_hash = row[2]
        last_message = row[_LAST_MESSAGE_AT]
        pk, synced, old = previous
        old_wanted = old[_UPDATABLE.index("messages_wanted")]
        wants_messages = 1 if last_message is not None and last_message != synced else 0
        fresh = dict(zip(ORDER_COLUMNS, columns, strict=True))
        documents.append((pk, prepared.documents[index]))
        fresh.update(
            version=order.version,
            search_hash=text_hash,
            pending_ops=len(operations),
            problem_ops=problems.get(order.id, 0),
            messages_wanted=max(old_wanted, wants_messages),
        )
        updates.append((pk, old, fresh))
        if old[_UPDATABLE.index("search_hash")] != text_hash:
            search.append((pk, prepared.search_texts[index]))
            replaced.append((pk,))
    if new:
        picked = Snapshots(
            [prepared.orders[i] for i in new],
            [prepared.documents[i] for i in new],
            [value for i in new for value in prepared.row(i)],
            [prepared.search_texts[i] for i in new],
        )
        first_pk = _insert_new(conn, picked, count=count_inserts)
        search += zip(range(first_pk, first_pk + len(new)), picked.search_texts, strict=True)
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
            insert_rows(raw, _BACKLOG_HEAD, 2, [value for entry in search for value in entry])
        else:
            _index_search(conn, search, replaced)
    return changed


def _index_search(
    conn: Connection, search: list[tuple[int, str]], replaced: list[tuple[int]]
) -> None:
    """Write the search entries (pk, text), replacing those of the `replaced` pks."""
    if replaced:
        conn.exec_driver_sql("DELETE FROM orders_fts WHERE rowid = ?", replaced)
    conn.exec_driver_sql("INSERT INTO orders_fts (rowid, search_text) VALUES (?, ?)", search)
    add_terms_of(conn, [pk for pk, _ in search])


def _insert_new(conn: Connection, new: Snapshots, *, count: bool) -> int:
    """Insert rows and documents of orders not cached yet, under consecutive pks; returns
    the first. `count`: add them to the view counters here (a bulk load: the insert trigger
    is off)."""
    raw = driver_of(conn)
    first_pk = int(raw.execute("SELECT coalesce(max(pk), 0) + 1 FROM orders").fetchone()[0])
    values = new.rows.copy()
    for at in _NULLABLE:
        values[at::ROW_WIDTH] = [
            _NULL if value is None else value for value in values[at::ROW_WIDTH]
        ]
    _insert_numbered(raw, _INSERT_HEAD, first_pk, _ROW_MARKS, values)
    _insert_numbered(
        raw, "INSERT INTO order_documents (pk, document)", first_pk, ("?",), new.documents
    )
    if count:
        groups = Counter(new.rows[_VIEW_GROUP_AT::ROW_WIDTH])
        raw.executemany(
            "INSERT INTO view_counts (view_group, n) VALUES (?, ?) "
            "ON CONFLICT (view_group) DO UPDATE SET n = n + excluded.n",
            list(groups.items()),
        )
    return first_pk


ROWS_PER_STATEMENT = 250
# Fewer for statements with expressions (`_insert_numbered`): SQLite factors each one out of
# the row loop while preparing, comparing it with every one factored before (quadratic): a
# 250-row statement of orders took as long to prepare as 300 orders to store.
NUMBERED_ROWS_PER_STATEMENT = 50


def _statements(
    raw: sqlite3.Connection, width: int, values: Sequence[Any], most: int, bound: int = 0
) -> Iterator[tuple[int, int]]:
    """(first row, rows) of each statement that puts `values` in (flat, `width` a row): at
    most `most` rows a statement, within SQLite's variable limit (`bound` more bound)."""
    per_statement = max(1, min(most, (raw.getlimit(_VARIABLE_LIMIT) - bound) // width))
    count, left = divmod(len(values), width)
    if left:
        raise ValueError(f"{len(values)} values for rows of {width}")
    for start in range(0, count, per_statement):
        yield start, min(per_statement, count - start)


def insert_rows(raw: sqlite3.Connection, head: str, width: int, values: Sequence[Any]) -> None:
    """`head` ("INSERT INTO t (a, b)") for rows given flat, `width` values each: many rows
    per statement. Each statement binds its values and steps once, where executemany goes
    back and forth once per row; the rows of one statement go in, or none of them."""
    for start, rows in _statements(raw, width, values, ROWS_PER_STATEMENT):
        raw.execute(
            _multi_row_insert(head, width, rows), values[start * width : (start + rows) * width]
        )


@cache
def _multi_row_insert(head: str, width: int, rows: int) -> str:
    row = f"({', '.join('?' * width)})"
    return f"{head} VALUES {', '.join([row] * rows)}"


def _insert_numbered(
    raw: sqlite3.Connection,
    head: str,
    first_pk: int,
    marks: tuple[str, ...],
    values: Sequence[Any],
) -> None:
    """`head` ("INSERT INTO t (pk, a, b)") for rows under consecutive pks from `first_pk`,
    given flat and without their pks, a value for each of `marks` (each column's "?", or an
    expression of it) per row. As `insert_rows`, but the statement numbers the rows itself
    (``?1 + k``): only the first pk is bound."""
    width = len(marks)
    for start, rows in _statements(raw, width, values, NUMBERED_ROWS_PER_STATEMENT, bound=1):
        raw.execute(
            _numbered_insert(head, marks, rows),
            [first_pk + start, *values[start * width : (start + rows) * width]],
        )


@cache
def _numbered_insert(head: str, marks: tuple[str, ...], rows: int) -> str:
    values = ", ".join(marks)  # (a bare ? takes the number after the largest so far)
    return f"{head} VALUES {', '.join(f'(?1 + {k}, {values})' for k in range(rows))}"


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
