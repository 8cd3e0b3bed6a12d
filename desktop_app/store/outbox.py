"""The outbox: operations the operator took, kept until the platform has answered them.

An operation enters the outbox in the same transaction as its optimistic effect on the cached
order. Its idempotency key is made then and sent on every retry; only an explicit "apply
again" after a refusal (the platform answered, so nothing was applied under the old key) gets
a fresh one. Every function runs inside a transaction the caller holds.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from desktop_app.domain import (
    ActionKind,
    Operation,
    Order,
    apply_optimistically,
    operation_from_body,
)

from .codec import dump_json, from_micros, load_order, to_micros
from .document import encode_order
from .errors import OperationStateError, OrderNotCachedError, OutboxEntryNotFoundError
from .rows import refresh_order, shown_order
from .types import PROBLEM_STATES, OperationState, OutboxEntry

__all__ = [
    "ENTRY_COLUMNS",
    "acted_on",
    "entry_from_row",
    "get_entry",
    "insert_operation",
    "new_idempotency_key",
]

ENTRY_COLUMNS = (
    "id, order_id, order_number, kind, body, state, attempts, last_error, created_at, "
    "updated_at, base_version, idempotency_key, next_attempt_at, if_match"
)


def new_idempotency_key() -> str:
    return f"od-{uuid.uuid4()}"


def entry_from_row(row: Any) -> OutboxEntry:
    (
        entry_id,
        order_id,
        number,
        kind,
        body,
        state,
        attempts,
        last_error,
        created_at,
        updated_at,
        base_version,
        key,
        next_attempt_at,
        if_match,
    ) = row
    return OutboxEntry(
        id=entry_id,
        order_id=order_id,
        order_number=number,
        kind=ActionKind(kind),
        body=json.loads(body),
        state=OperationState(state),
        attempts=attempts,
        last_error=last_error,
        created_at=from_micros(created_at),
        updated_at=from_micros(updated_at),
        base_version=base_version,
        idempotency_key=key,
        next_attempt_at=from_micros(next_attempt_at) if next_attempt_at else None,
        if_match=if_match,
    )


def get_entry(conn: Connection, entry_id: int) -> OutboxEntry:
    row = conn.exec_driver_sql(
        f"SELECT {ENTRY_COLUMNS} FROM outbox WHERE id = ?",  # noqa: S608
        (entry_id,),
    ).first()
    if row is None:
        raise OutboxEntryNotFoundError(entry_id)
    return entry_from_row(row)


def _next_seq(conn: Connection) -> int:
    return int(conn.exec_driver_sql("SELECT coalesce(max(seq), 0) + 1 FROM outbox").scalar_one())


def insert_operation(
    conn: Connection,
    order_id: str,
    operation: Operation,
    now: datetime,
    *,
    base_version: int | None = None,
) -> OutboxEntry:
    """Check `operation` against the order as shown, then queue it with its effect."""
    found = shown_order(conn, order_id)
    if found is None:
        raise OrderNotCachedError(order_id)
    snapshot, shown = found
    apply_optimistically(shown, operation, now)  # raises: nothing is queued
    version = snapshot.version if base_version is None else base_version
    stamp = to_micros(now)
    conn.exec_driver_sql(
        "INSERT INTO outbox (seq, order_id, order_number, kind, body, state, attempts, "
        "created_at, updated_at, base_version, if_match, idempotency_key, next_attempt_at, "
        "acted_on) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, 0, ?)",
        (
            _next_seq(conn),
            order_id,
            snapshot.number,
            operation.kind.value,
            dump_json(operation.body()),
            OperationState.QUEUED.value,
            stamp,
            stamp,
            version if operation.needs_version else None,
            version if operation.needs_version else None,
            new_idempotency_key(),
            _acted_on(snapshot, version if operation.needs_version else None),
        ),
    )
    entry_id = int(conn.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
    refresh_order(conn, order_id)
    return get_entry(conn, entry_id)


def _acted_on(snapshot: Order, base_version: int | None) -> str | None:
    """The document of the order a decision is bound to, when the cache holds that version
    (the operator may have acted on an older one: then it is not known)."""
    if base_version is None or snapshot.version != base_version:
        return None
    return encode_order(snapshot)


def acted_on(conn: Connection, entry_id: int) -> Order | None:
    """The platform's order the entry's decision was made on, when it was kept."""
    document = conn.exec_driver_sql(
        "SELECT acted_on FROM outbox WHERE id = ?", (entry_id,)
    ).scalar()
    return None if document is None else load_order(str(document))


def _set(conn: Connection, entry_id: int, now: datetime, **values: Any) -> None:
    values["updated_at"] = to_micros(now)
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    conn.exec_driver_sql(
        f"UPDATE outbox SET {assignments} WHERE id = :entry_id",  # noqa: S608
        {**values, "entry_id": entry_id},
    )


def retry_now(conn: Connection, entry_id: int, now: datetime) -> OutboxEntry:
    """Send a waiting entry at once; apply a refused one again (see `reapply`)."""
    entry = get_entry(conn, entry_id)
    if entry.state in (OperationState.QUEUED, OperationState.SENDING):
        _set(conn, entry_id, now, next_attempt_at=0)
        return get_entry(conn, entry_id)
    if entry.state in PROBLEM_STATES:
        return reapply(conn, entry_id, now)
    raise OperationStateError(
        f"Operation {entry_id} is {entry.state.label.lower()}; there is nothing to retry."
    )


def reapply(conn: Connection, entry_id: int, now: datetime) -> OutboxEntry:
    """Queue a refused operation again, on the order as the platform has it now.

    Safe to send under a fresh key: the platform answered the old key with a refusal, so
    nothing was applied under it. The domain is checked first against the current order (a
    request answered must still be the pending one): if it no longer fits, nothing changes.
    """
    entry = get_entry(conn, entry_id)
    if entry.state not in PROBLEM_STATES:
        raise OperationStateError(
            f"Operation {entry_id} is {entry.state.label.lower()}; only a rejected operation "
            "or one needing review can be applied again."
        )
    operation = operation_from_body(entry.kind, entry.body)
    found = shown_order(conn, entry.order_id)
    if found is None:
        raise OrderNotCachedError(entry.order_id)
    snapshot, shown = found
    apply_optimistically(shown, operation, now)
    version = snapshot.version if operation.needs_version else None
    _set(
        conn,
        entry_id,
        now,
        state=OperationState.QUEUED.value,
        attempts=0,
        last_error=None,
        seq=_next_seq(conn),
        base_version=version,
        if_match=version,
        idempotency_key=new_idempotency_key(),
        next_attempt_at=0,
        result=None,
        created_at=to_micros(now),
        acted_on=_acted_on(snapshot, version),
    )
    refresh_order(conn, entry.order_id)
    return get_entry(conn, entry_id)


def discard(conn: Connection, entry_id: int, now: datetime) -> OutboxEntry:
    """Drop an entry never sent, or dismiss a refused one; a sent one may have been applied."""
    entry = get_entry(conn, entry_id)
    never_sent = entry.state is OperationState.QUEUED and not entry.was_sent
    if not (never_sent or entry.state in PROBLEM_STATES):
        if entry.state in (OperationState.QUEUED, OperationState.SENDING):
            reason = "it was already sent and the platform may have applied it"
        else:
            reason = f"it is {entry.state.label.lower()}"
        raise OperationStateError(f"Operation {entry_id} cannot be discarded: {reason}.")
    _set(conn, entry_id, now, state=OperationState.DISCARDED.value)
    refresh_order(conn, entry.order_id)
    return get_entry(conn, entry_id)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the sync engine settles one send."""

    state: OperationState
    error: str | None = None
    next_attempt_at: datetime | None = None
    result: dict[str, Any] | None = None


def mark_sending(conn: Connection, entry_id: int, now: datetime) -> OutboxEntry:
    conn.exec_driver_sql(
        "UPDATE outbox SET state = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?",
        (OperationState.SENDING.value, to_micros(now), entry_id),
    )
    return get_entry(conn, entry_id)


def settle(conn: Connection, entry: OutboxEntry, outcome: Outcome, now: datetime) -> None:
    values: dict[str, Any] = {"state": outcome.state.value, "last_error": outcome.error}
    if outcome.next_attempt_at is not None:
        values["next_attempt_at"] = to_micros(outcome.next_attempt_at)
    if outcome.result is not None:
        values["result"] = dump_json(outcome.result)
    _set(conn, entry.id, now, **values)
    refresh_order(conn, entry.order_id)


def rebase_followers(conn: Connection, entry: OutboxEntry, new_version: int, now: datetime) -> None:
    """After `entry` (a decision sent with If-Match v) was applied as version w, operations
    queued behind it on the same order that were made on top of its effect (If-Match v too)
    now expect w."""
    if entry.if_match is None:
        return
    conn.exec_driver_sql(
        "UPDATE outbox SET if_match = ?, updated_at = ? WHERE order_id = ? AND seq > "
        "(SELECT seq FROM outbox WHERE id = ?) AND if_match = ? AND state IN (?, ?)",
        (
            new_version,
            to_micros(now),
            entry.order_id,
            entry.id,
            entry.if_match,
            OperationState.QUEUED.value,
            OperationState.SENDING.value,
        ),
    )


def due_heads(conn: Connection, now: datetime, limit: int) -> list[OutboxEntry]:
    """The first unfinished entry of each order, if it is due now: per-order order, and an
    order waiting (backoff) holds up no other."""
    rows = conn.exec_driver_sql(
        f"SELECT {ENTRY_COLUMNS} FROM outbox o WHERE state IN (?, ?) AND seq = ("  # noqa: S608
        " SELECT min(seq) FROM outbox h WHERE h.order_id = o.order_id AND h.state IN (?, ?))"
        " AND next_attempt_at <= ? ORDER BY seq LIMIT ?",
        (
            OperationState.QUEUED.value,
            OperationState.SENDING.value,
            OperationState.QUEUED.value,
            OperationState.SENDING.value,
            to_micros(now),
            limit,
        ),
    ).all()
    return [entry_from_row(row) for row in rows]


def next_due_at(conn: Connection) -> datetime | None:
    """When the soonest waiting entry becomes due (None: nothing unfinished)."""
    unfinished = (OperationState.QUEUED.value, OperationState.SENDING.value)
    value = conn.exec_driver_sql(
        "SELECT min(next_attempt_at) FROM outbox o WHERE state IN (?, ?) AND seq = ("
        " SELECT min(seq) FROM outbox h WHERE h.order_id = o.order_id AND h.state IN (?, ?))",
        unfinished + unfinished,
    ).scalar_one()
    return None if value is None else from_micros(int(value))
