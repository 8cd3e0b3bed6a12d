"""The pending operations as a table: the outbox entries not yet applied, oldest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from desktop_app.store.types import OperationState, OutboxEntry
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.models.list_model import PROBLEM_COLOR, ROW_ROLE, Column, RowListModel
from desktop_app.ui.models.operations_model import operation_columns

__all__ = ["ENTRY_ROLE", "PROBLEM_COLOR", "PendingOperationsModel", "is_pending"]

ENTRY_ROLE = ROW_ROLE  # the row's `OutboxEntry`
_DONE = frozenset({OperationState.APPLIED, OperationState.DISCARDED})


def is_pending(entry: OutboxEntry) -> bool:
    """Not applied yet, and not dropped: what the operator may still have to act on."""
    return entry.state not in _DONE


class PendingOperationsModel(RowListModel):
    """The outbox entries not yet applied, oldest first, with the order each one is on."""

    def __init__(self, formatter: Formatter, parent: Any = None) -> None:
        columns = [
            Column("Order", lambda entry: entry.order_number),
            *operation_columns(formatter, state_header="State"),
        ]
        super().__init__(columns, key=lambda entry: entry.id, parent=parent)

    def set_entries(self, entries: Sequence[OutboxEntry]) -> None:
        self.set_rows([entry for entry in entries if is_pending(entry)])

    def entries(self) -> list[OutboxEntry]:
        return self.rows()

    def entry(self, row: int) -> OutboxEntry | None:
        found: OutboxEntry | None = self.row(row)
        return found
