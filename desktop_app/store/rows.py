"""Writing orders into the cache: the platform's snapshot, overlaid with pending operations.

Every function here runs inside a transaction the caller holds.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from desktop_app.domain import ActionKind, Operation, Order, operation_from_body

from .codec import (
    ORDER_COLUMNS,
    from_micros,
    load_order,
    order_columns,
    order_document,
    search_text,
    to_micros,
)
from .overlay import overlay
from .types import PROBLEM_STATES, UNFINISHED_STATES

__all__ = [
    "load_pending",
    "order_pk",
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
        "INSERT INTO orders (id, version, document, search_hash, pending_ops, problem_ops,",
        f"messages_wanted, {', '.join(ORDER_COLUMNS)})",
        f"VALUES (?, ?, ?, ?, ?, ?, ?, {_PLACEHOLDERS})",
    ]
)
_ASSIGN_COLUMNS = ", ".join(f"{column} = ?" for column in ORDER_COLUMNS)
_UPDATE = " ".join(
    [
        "UPDATE orders SET version = ?, document = ?, search_hash = ?, pending_ops = ?,",
        "problem_ops = ?, messages_wanted = max(messages_wanted, ?),",
        _ASSIGN_COLUMNS,
        "WHERE pk = ?",
    ]
)
_OVERLAY_UPDATE = " ".join(
    ["UPDATE orders SET pending_ops = ?, problem_ops = ?,", _ASSIGN_COLUMNS, "WHERE pk = ?"]
)


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
    row = conn.exec_driver_sql("SELECT document FROM orders WHERE id = ?", (order_id,)).first()
    if row is None:
        return None
    snapshot = load_order(row[0])
    pending, _ = load_pending(conn, [order_id])
    return snapshot, overlay(snapshot, pending.get(order_id, ()))


def refresh_order(conn: Connection, order_id: str) -> None:
    """Recompute the list columns of one order after its outbox changed."""
    row = conn.exec_driver_sql("SELECT pk, document FROM orders WHERE id = ?", (order_id,)).first()
    if row is None:
        return
    pk, document = row
    pending, problems = load_pending(conn, [order_id])
    operations = pending.get(order_id, [])
    shown = overlay(load_order(document), operations)
    conn.exec_driver_sql(
        _OVERLAY_UPDATE,
        (len(operations), problems.get(order_id, 0), *order_columns(shown), pk),
    )


def upsert_orders(
    conn: Connection, orders: Sequence[Order], *, defer_search: bool = False
) -> list[str]:
    """Store platform snapshots; returns the ids of the orders that changed.

    A snapshot older than the cached one (a lower version: a feed page fetched before our own
    write's answer was stored) is ignored. Search entries are written now, or queued in the
    backlog when `defer_search` (a bulk load).
    """
    if not orders:
        return []
    ids = [order.id for order in orders]
    existing: dict[str, tuple[int, int, int, int | None, int | None]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for pk, order_id, version, search_hash, last_message_at, synced in conn.exec_driver_sql(
            "SELECT pk, id, version, search_hash, last_message_at, messages_synced_at "  # noqa: S608
            f"FROM orders WHERE id IN ({marks})",
            tuple(chunk),
        ):
            existing[order_id] = (pk, version, search_hash, last_message_at, synced)
    with_outbox = [order.id for order in orders if order.id in existing]
    pending, problems = load_pending(conn, with_outbox)

    inserts: list[tuple[Any, ...]] = []
    new_search: list[tuple[str, str]] = []  # (id, text) for rows inserted now
    updates: list[tuple[Any, ...]] = []
    search_changes: list[tuple[int, str]] = []
    changed: list[str] = []
    for order in orders:
        previous = existing.get(order.id)
        if previous is not None and order.version < previous[1]:
            continue
        operations = pending.get(order.id, [])
        shown = overlay(order, operations) if operations else order
        columns = order_columns(shown)
        text = search_text(order)
        text_hash = _hash(text)
        last_message = to_micros(order.last_message_at) if order.last_message_at else None
        if previous is None:
            wants_messages = 1 if last_message is not None else 0
            inserts.append(
                (
                    order.id,
                    order.version,
                    order_document(order),
                    text_hash,
                    0,
                    0,
                    wants_messages,
                    *columns,
                )
            )
            new_search.append((order.id, text))
        else:
            pk, _, old_hash, _, synced = previous
            wants_messages = 1 if last_message is not None and last_message != synced else 0
            updates.append(
                (
                    order.version,
                    order_document(order),
                    text_hash,
                    len(operations),
                    problems.get(order.id, 0),
                    wants_messages,
                    *columns,
                    pk,
                )
            )
            if old_hash != text_hash:
                search_changes.append((pk, text))
        changed.append(order.id)
    if inserts:
        conn.exec_driver_sql(_INSERT, inserts)
    if updates:
        conn.exec_driver_sql(_UPDATE, updates)
    if new_search or search_changes:
        _write_search(conn, new_search, search_changes, defer=defer_search)
    return changed


def _write_search(
    conn: Connection,
    inserted: list[tuple[str, str]],
    changed: list[tuple[int, str]],
    *,
    defer: bool,
) -> None:
    inserted_pks: list[tuple[int, str]] = []
    if inserted:
        by_id = dict(inserted)
        ids = list(by_id)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            placeholders = ", ".join("?" for _ in chunk)
            for pk, order_id in conn.exec_driver_sql(
                f"SELECT pk, id FROM orders WHERE id IN ({placeholders})",  # noqa: S608
                tuple(chunk),
            ):
                inserted_pks.append((pk, by_id[order_id]))
    if defer:
        conn.exec_driver_sql(
            "INSERT OR IGNORE INTO search_backlog (pk) VALUES (?)",
            [(pk,) for pk, _ in inserted_pks + changed],
        )
        return
    if changed:
        conn.exec_driver_sql("DELETE FROM orders_fts WHERE rowid = ?", [(pk,) for pk, _ in changed])
    rows = inserted_pks + changed
    if rows:
        conn.exec_driver_sql("INSERT INTO orders_fts (rowid, search_text) VALUES (?, ?)", rows)


def index_search_backlog(conn: Connection, limit: int) -> int:
    """Write the search entries of up to `limit` backlog rows; returns how many were done."""
    rows = conn.exec_driver_sql(
        "SELECT b.pk, o.document FROM search_backlog b JOIN orders o ON o.pk = b.pk "
        "ORDER BY b.pk LIMIT ?",
        (limit,),
    ).all()
    if not rows:
        return 0
    entries = [(pk, search_text(load_order(document))) for pk, document in rows]
    conn.exec_driver_sql("DELETE FROM orders_fts WHERE rowid = ?", [(pk,) for pk, _ in entries])
    conn.exec_driver_sql("INSERT INTO orders_fts (rowid, search_text) VALUES (?, ?)", entries)
    conn.exec_driver_sql("DELETE FROM search_backlog WHERE pk = ?", [(pk,) for pk, _ in entries])
    return len(entries)
