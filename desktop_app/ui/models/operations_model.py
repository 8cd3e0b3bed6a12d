"""This app's operations on an order (the outbox entries) and their sync state, as a table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QColor

from desktop_app.store.types import OperationState, OutboxEntry
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.models.list_model import PROBLEM_COLOR, ROW_ROLE, Column, RowListModel

__all__ = ["OPERATION_ROLE", "OperationsModel", "describe_operation", "operation_columns"]

OPERATION_ROLE = ROW_ROLE  # the row's `OutboxEntry`


def describe_operation(entry: OutboxEntry) -> str:
    """The operation in a few words, with what the operator typed (plain text)."""
    body = entry.body
    detail = (
        body.get("text") or body.get("reason") or body.get("explanation") or body.get("note") or ""
    )
    detail = str(detail).replace("\n", " ")
    if len(detail) > 80:
        detail = detail[:79] + "…"
    return f"{entry.kind.label}: {detail}" if detail else entry.kind.label


def _state_text(entry: OutboxEntry) -> str:
    text = entry.state.label
    if entry.state is OperationState.QUEUED and entry.attempts:
        text += f" (tried {entry.attempts}×)"
    return text


def _problem_color(entry: OutboxEntry) -> QColor | None:
    return PROBLEM_COLOR if entry.is_problem else None


def operation_columns(formatter: Formatter, state_header: str = "Sync state") -> list[Column]:
    """Operation, when it was done, its state (red when it needs the operator), details."""
    return [
        Column("Operation", describe_operation),
        Column("Done at", lambda entry: formatter.moment(entry.created_at)),
        Column(state_header, _state_text, color=_problem_color),
        Column("Details", lambda entry: entry.last_error or ""),
    ]


class OperationsModel(RowListModel):
    def __init__(self, formatter: Formatter, parent: Any = None) -> None:
        super().__init__(operation_columns(formatter), key=lambda entry: entry.id, parent=parent)

    def set_entries(self, entries: Sequence[OutboxEntry]) -> None:
        self.set_rows(entries)

    def entry(self, row: int) -> OutboxEntry | None:
        found: OutboxEntry | None = self.row(row)
        return found
