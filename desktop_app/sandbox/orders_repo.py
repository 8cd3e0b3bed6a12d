"""Orders and messages in the database: load, save (with a new feed position), read the feed.

Saving an order or adding a message moves it to the end of the changes feed. The wire form is
the stored document plus what the platform computes on read (``allowed_actions``, the message
counters), built without re-validating the document so that feed pages stay cheap.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.orm import Session

from desktop_app.sandbox import rules
from desktop_app.sandbox.clock import epoch, rfc3339, utc
from desktop_app.sandbox.models import MessageRow, OrderRow
from desktop_app.sandbox.schemas import Author, OrderState, OrderStatus
from desktop_app.sandbox.seed import SeededOrder, order_number

if TYPE_CHECKING:
    from desktop_app.sandbox.world import World

CHUNK = 2000


# --- writing ----------------------------------------------------------------------------------


def _columns(state: OrderState) -> dict[str, Any]:
    deadline = rules.next_deadline(state)
    return {
        "status": state.status.value,
        "version": state.version,
        "updated_at": epoch(state.updated_at),
        "extension_pending": rules.pending_extension(state) is not None,
        "next_deadline_at": None if deadline is None else epoch(deadline),
        "doc": state.model_dump_json(),
    }


def insert_orders(
    session: Session, world: World, merchant_id: int, made: Iterable[SeededOrder]
) -> list[str]:
    """Insert new orders (and their threads) in chunks, numbering them as they come."""
    ids: list[str] = []
    source = iter(made)
    while chunk := list(islice(source, CHUNK)):
        first_number = world.take_numbers(session, len(chunk))
        order_rows: list[dict[str, Any]] = []
        message_rows: list[dict[str, Any]] = []
        for offset, seeded in enumerate(chunk):
            state = seeded.state
            state.number = order_number(state.created_at, first_number + offset)
            unread = 0
            for message in seeded.messages:
                unread = 0 if message.author is Author.MERCHANT else unread + 1
                message_rows.append({
                    "order_id": state.id,
                    "author": message.author.value,
                    "text": message.text,
                    "sent_at": epoch(message.sent_at),
                    "attachments": json.dumps(message.attachments, ensure_ascii=False)
                    if message.attachments else "[]",
                })
            last = seeded.messages[-1].sent_at if seeded.messages else None
            order_rows.append({
                "id": state.id,
                "merchant_id": merchant_id,
                "number": state.number,
                "change_seq": world.next_seq(),
                "unread_messages": unread,
                "last_message_at": None if last is None else epoch(last),
                **_columns(state),
            })
            ids.append(state.id)
        # Core inserts (plain executemany): the ORM's bulk path costs more than the rows.
        connection = session.connection()
        connection.execute(insert(OrderRow.__table__), order_rows)  # type: ignore[arg-type]
        if message_rows:
            connection.execute(insert(MessageRow.__table__), message_rows)  # type: ignore[arg-type]
    return ids


def order_feed_by_last_change(session: Session, world: World) -> None:
    """Renumber the whole feed by each order's last change (status change or message)."""
    rows = list(session.execute(
        select(OrderRow.id, OrderRow.updated_at, OrderRow.last_message_at)
    ).all())
    rows.sort(key=lambda r: (max(r.updated_at, r.last_message_at or 0), r.id))
    world.rewind_seq(len(rows))
    if not rows:
        return
    statement = (
        update(OrderRow.__table__)  # type: ignore[arg-type]
        .where(OrderRow.__table__.c.id == bindparam("b_id"))
        .values(change_seq=bindparam("b_seq"))
    )
    session.execute(
        statement, [{"b_id": r.id, "b_seq": n} for n, r in enumerate(rows, start=1)]
    )


def save(session: Session, world: World, row: OrderRow, state: OrderState) -> None:
    """Store a changed order; it moves to the end of the changes feed."""
    for name, value in _columns(state).items():
        setattr(row, name, value)
    row.change_seq = world.next_seq()
    session.flush()


def add_message(
    session: Session,
    world: World,
    row: OrderRow,
    author: Author,
    text: str,
    at: datetime,
    attachments: Sequence[dict[str, Any]] = (),
) -> MessageRow:
    """A message changes no version, but the order's counters and its place in the feed."""
    message = MessageRow(
        order_id=row.id,
        author=author.value,
        text=text,
        sent_at=epoch(at),
        attachments=json.dumps(list(attachments), ensure_ascii=False),
    )
    session.add(message)
    row.unread_messages = 0 if author is Author.MERCHANT else row.unread_messages + 1
    row.last_message_at = epoch(at)
    row.change_seq = world.next_seq()
    session.flush()
    return message


def fire_deadlines(session: Session, world: World, now: datetime) -> int:
    """Let the platform act on every deadline that has passed; returns how many orders moved."""
    due = session.scalars(
        select(OrderRow)
        .where(OrderRow.next_deadline_at <= epoch(now))
        .order_by(OrderRow.next_deadline_at)
    ).all()
    for row in due:
        state = state_of(row)
        if rules.fire_due(state, now):
            save(session, world, row, state)
    return len(due)


# --- reading ----------------------------------------------------------------------------------


def get(session: Session, order_id: str, merchant_id: int | None = None) -> OrderRow | None:
    row = session.get(OrderRow, order_id)
    if row is None or (merchant_id is not None and row.merchant_id != merchant_id):
        return None
    return row


def state_of(row: OrderRow) -> OrderState:
    return OrderState.model_validate_json(row.doc)


def wire_json(row: OrderRow | Row[Any], now: datetime) -> str:
    """The order as the API shows it, as JSON text: the stored document (compact JSON, one
    object) with the fields computed on read spliced in before its closing brace, so that a
    feed page is assembled without parsing a single order."""
    actions = rules.actions_for(
        OrderStatus(row.status), row.extension_pending, utc(row.updated_at), now
    )
    computed = json.dumps({
        "allowed_actions": [a.value for a in actions],
        "unread_messages": row.unread_messages,
        "last_message_at": None if row.last_message_at is None else rfc3339(
            utc(row.last_message_at)
        ),
    }, separators=(",", ":"))
    doc: str = row.doc
    return f"{doc[:-1]},{computed[1:]}"


def wire(row: OrderRow | Row[Any], now: datetime) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(wire_json(row, now))
    return result


FEED_COLUMNS = (
    OrderRow.doc,
    OrderRow.status,
    OrderRow.extension_pending,
    OrderRow.updated_at,
    OrderRow.unread_messages,
    OrderRow.last_message_at,
    OrderRow.change_seq,
)


def feed(
    session: Session, merchant_id: int, after_seq: int, limit: int
) -> tuple[list[Row[Any]], bool]:
    """Orders changed after ``after_seq``, in the order of their last change."""
    rows = session.execute(
        select(*FEED_COLUMNS)
        .where(OrderRow.merchant_id == merchant_id, OrderRow.change_seq > after_seq)
        .order_by(OrderRow.change_seq)
        .limit(limit + 1)
    ).all()
    return list(rows[:limit]), len(rows) > limit


def messages(
    session: Session, order_id: str, after_id: int, limit: int
) -> tuple[list[MessageRow], bool]:
    rows = session.scalars(
        select(MessageRow)
        .where(MessageRow.order_id == order_id, MessageRow.id > after_id)
        .order_by(MessageRow.id)
        .limit(limit + 1)
    ).all()
    return list(rows[:limit]), len(rows) > limit


def message_wire(message: MessageRow) -> dict[str, Any]:
    return {
        "id": message_id(message.id),
        "author": message.author,
        "text": message.text,
        "sent_at": rfc3339(utc(message.sent_at)),
        "attachments": json.loads(message.attachments),
    }


def message_id(number: int) -> str:
    return f"msg_{number}"


def parse_message_id(text: str) -> int:
    """The number inside a message id; raises ``ValueError`` for anything else."""
    prefix, _, digits = text.partition("_")
    if prefix != "msg" or not digits.isdigit() or not digits.isascii():
        raise ValueError(text)
    return int(digits)
