"""The order table's columns: title, sort key, alignment and how each shows an `OrderRow`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from PySide6.QtCore import Qt

from desktop_app.domain import Actor
from desktop_app.domain.deadlines import DUE_SOON, Urgency
from desktop_app.store.types import OrderRow, SortKey
from desktop_app.ui.formatting import Formatter

__all__ = [
    "COLUMNS",
    "Column",
    "ColumnSpec",
    "cell_text",
    "cell_tooltip",
    "deadline_urgency",
    "needs_shaping",
]


class Column(IntEnum):
    NUMBER = 0
    BUYER = 1
    SERVICE = 2
    STATUS = 3
    PAID = 4
    NET = 5
    DEADLINE = 6
    UPDATED = 7
    UNREAD = 8
    SYNC = 9


_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignCenter


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    column: Column
    title: str
    sort: SortKey
    alignment: Qt.AlignmentFlag
    width: int  # default width in pixels
    tooltip: str


COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(Column.NUMBER, "Order", SortKey.NUMBER, _LEFT, 150, "Order number"),
    ColumnSpec(Column.BUYER, "Buyer", SortKey.BUYER, _LEFT, 170, "Buyer and country"),
    ColumnSpec(Column.SERVICE, "Service", SortKey.SERVICE, _LEFT, 190, "Service ordered"),
    ColumnSpec(Column.STATUS, "Status", SortKey.STATUS, _LEFT, 140, "Order status"),
    ColumnSpec(
        Column.PAID, "Paid", SortKey.PAID, _RIGHT, 100, "Amount paid, in the order's currency"
    ),
    ColumnSpec(
        Column.NET,
        "Net receipt",
        SortKey.NET,
        _RIGHT,
        100,
        "Net receipt, in your settlement currency",
    ),
    ColumnSpec(
        Column.DEADLINE,
        "Next deadline",
        SortKey.DEADLINE,
        _LEFT,
        140,
        "Time left before the next deadline, and who must act",
    ),
    ColumnSpec(Column.UPDATED, "Updated", SortKey.UPDATED, _LEFT, 125, "Last change"),
    ColumnSpec(Column.UNREAD, "Unread", SortKey.UNREAD, _CENTER, 56, "Unread messages"),
    ColumnSpec(Column.SYNC, "Sync", SortKey.PENDING, _CENTER, 46, "Operations not yet synced"),
)

assert [spec.column for spec in COLUMNS] == list(Column)


# Characters drawn right one glyph at a time, with no text shaping: Latin-1 (ASCII and the
# precomposed accented letters), spaces and punctuation (not the joiners nor the direction
# marks), currency signs, arrows and the miscellaneous symbols (without a variation selector).
_UNSHAPED = re.compile(
    "[\x20-\x7e\u00a0-\u00ff\u2000-\u200b\u2010-\u2029\u202f-\u205f"
    "\u20a0-\u20cf\u2190-\u21ff\u2600-\u26ff]*"
)


def needs_shaping(text: str) -> bool:
    """Does `text` need a font's shaping (joined Arabic letters, Indic clusters, combining
    marks, emoji sequences, ligatures of other scripts) to be drawn right? The table draws
    other text without it: a third of a paint's text layout."""
    return not (text.isascii() or _UNSHAPED.fullmatch(text))


def deadline_urgency(row: OrderRow, now: datetime) -> Urgency | None:
    if row.deadline_at is None:
        return None
    if row.deadline_at <= now:
        return Urgency.OVERDUE
    if row.deadline_at - now <= DUE_SOON:
        return Urgency.SOON
    return Urgency.LATER


def _who(actor: Actor | None) -> str:
    return Formatter.actor(actor) if actor is not None else ""


def cell_text(column: Column, row: OrderRow, fmt: Formatter, now: datetime) -> str:
    match column:
        case Column.NUMBER:
            return row.number
        case Column.BUYER:
            return (
                f"{row.buyer_name} · {row.buyer_country}" if row.buyer_country else row.buyer_name
            )
        case Column.SERVICE:
            return row.service_title
        case Column.STATUS:
            return row.status_label
        case Column.PAID:
            return fmt.money(row.paid)
        case Column.NET:
            return fmt.money(row.net_settlement)
        case Column.DEADLINE:
            if row.deadline_at is None:
                return ""
            who = _who(row.deadline_actor)
            text = fmt.countdown(row.deadline_at, now)
            return f"{text} · {who}" if who else text
        case Column.UPDATED:
            return fmt.since(row.updated_at, now)
        case Column.UNREAD:
            return str(row.unread) if row.unread else ""
        case Column.SYNC:
            if row.sync_problem:
                return "⚠"
            return f"↻ {row.pending_operations}" if row.pending_operations else ""
    raise AssertionError(column)  # pragma: no cover


def cell_tooltip(column: Column, row: OrderRow, fmt: Formatter, now: datetime) -> str | None:
    match column:
        case Column.DEADLINE:
            if row.deadline_at is None:
                return "No deadline running"
            what = row.deadline_kind.label if row.deadline_kind else "Due"
            who = _who(row.deadline_actor)
            must = f"\n{who} must act." if who else ""
            when = fmt.moment_long(row.deadline_at)
            return f"{what} {when} ({fmt.countdown(row.deadline_at, now)}).{must}"
        case Column.UPDATED:
            return fmt.moment_long(row.updated_at)
        case Column.SYNC:
            if row.sync_problem:
                return "An operation on this order was refused or needs your review."
            if row.pending_operations:
                n = row.pending_operations
                return f"{n} operation{'s' if n != 1 else ''} not yet synced"
            return None
        case Column.UNREAD:
            return (
                f"{row.unread} unread message{'s' if row.unread != 1 else ''}"
                if row.unread
                else None
            )
        case Column.BUYER | Column.SERVICE:
            return cell_text(column, row, fmt, now)
        case _:
            return None
