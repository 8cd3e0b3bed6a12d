"""Writing orders into the cache: the platform's snapshot, overlaid with pending operations.

Every function here runs inside a transaction the caller holds.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection

from desktop_app.domain import ActionKind, Operation, Order, operation_from_body

from .codec import (
    ORDER_COLUMNS,
    from_micros,
    load_order,
    order_columns,
    search_text,
    to_micros,
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
_PLACEHOLDERS = ", ".join("?" for _ in ORDER_COLUMNS)

# Column names are constants: no outside text reaches these statements.
_INSERT = " ".join(
    [
        "INSERT INTO orders (pk, id, version, search_hash, messages_wanted,",
        f"{', '.join(ORDER_COLUMNS)}) VALUES (?, ?, ?, ?, ?, {_PLACEHOLDERS})",
    ]
)


# Where an insert row (pk, id, version, search_hash, messages_wanted, *columns) has view_group.
_VIEW_GROUP_AT = 5 + ORDER_COLUMNS.index("view_group")


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
    columns: tuple[Any, ...]  # `order_columns` of the order without pending operations
    search_text: str
    search_hash: int
    last_message: int | None  # micros


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
        last_message = order.last_message_at
        prepared.append(
            Snapshot(
                order,
                document,
                order_columns(order),
                text,
                _hash(text),
                None if last_message is None else to_micros(last_message),
            )
        )
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

    next_pk = int(conn.exec_driver_sql("SELECT coalesce(max(pk), 0) + 1 FROM orders").scalar_one())
    inserts: list[tuple[Any, ...]] = []
    documents: list[tuple[int, str]] = []
    updates: list[tuple[int, tuple[Any, ...], dict[str, Any]]] = []
    search: list[tuple[int, str]] = []  # (pk, text) of new rows and rows whose text changed
    replaced: list[tuple[int]] = []  # rows whose old search entry goes
    changed: list[str] = []
    seen: set[str] = set()
    if not existing and len(set(ids)) == len(ids):
        # Only new orders, each once (every page of a first sync): rows in one pass.
        pks = range(next_pk, next_pk + len(snapshots))
        inserts = [
            (
                pk,
                s.order.id,
                s.order.version,
                s.search_hash,
                int(s.last_message is not None),
                *s.columns,
            )
            for pk, s in zip(pks, snapshots, strict=True)
        ]
        documents = [(pk, s.document) for pk, s in zip(pks, snapshots, strict=True)]
        search = [(pk, s.search_text) for pk, s in zip(pks, snapshots, strict=True)]
        changed = ids
        snapshots = []  # (nothing left for the general loop)
    for snapshot in snapshots:
        order = snapshot.order
        previous = existing.get(order.id)
        if order.id in seen or (previous is not None and order.version < previous[2][0]):
            continue
        seen.add(order.id)
        operations = pending.get(order.id, [])
        columns = order_columns(overlay(order, operations)) if operations else snapshot.columns
        text = snapshot.search_text
        text_hash = snapshot.search_hash
        last_message = snapshot.last_message
        if previous is None:
            pk = next_pk
            next_pk += 1
            wants_messages = 1 if last_message is not None else 0
            inserts.append((pk, order.id, order.version, text_hash, wants_messages, *columns))
            documents.append((pk, snapshot.document))
            search.append((pk, text))
        else:
            pk, synced, old = previous
            old_wanted = old[_UPDATABLE.index("messages_wanted")]
            wants_messages = 1 if last_message is not None and last_message != synced else 0
            new = dict(zip(ORDER_COLUMNS, columns, strict=True))
            documents.append((pk, snapshot.document))
            new.update(
                version=order.version,
                search_hash=text_hash,
                pending_ops=len(operations),
                problem_ops=problems.get(order.id, 0),
                messages_wanted=max(old_wanted, wants_messages),
            )
            updates.append((pk, old, new))
            if old[_UPDATABLE.index("search_hash")] != text_hash:
                search.append((pk, text))
                replaced.append((pk,))
        changed.append(order.id)
    raw = driver_of(conn)  # row-wise statements skip SQLAlchemy's per-row work
    if inserts:
        raw.executemany(_INSERT, inserts)
        if count_inserts:
            groups = Counter(row[_VIEW_GROUP_AT] for row in inserts)
            conn.exec_driver_sql(
                "INSERT INTO view_counts (view_group, n) VALUES (?, ?) "
                "ON CONFLICT (view_group) DO UPDATE SET n = n + excluded.n",
                list(groups.items()),
            )
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
            raw.executemany(
                "INSERT OR REPLACE INTO search_backlog (pk, search_text) VALUES (?, ?)", search
            )
        else:
            if replaced:
                conn.exec_driver_sql("DELETE FROM orders_fts WHERE rowid = ?", replaced)
            conn.exec_driver_sql(
                "INSERT INTO orders_fts (rowid, search_text) VALUES (?, ?)", search
            )
            add_terms_of(conn, [pk for pk, _ in search])
    return changed


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
