"""The pending operations as a table: the outbox entries not yet applied, oldest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop_app.store.types import OperationState, OutboxEntry
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.models.operations_model import describe_operation

__all__ = ["ENTRY_ROLE", "PROBLEM_COLOR", "PendingOperationsModel", "is_pending"]

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's `OutboxEntry`

AnyIndex = QModelIndex | QPersistentModelIndex

_HEADERS = ("Order", "Operation", "Done at", "State", "Details")
PROBLEM_COLOR = QColor(198, 40, 40)
_DONE = frozenset({OperationState.APPLIED, OperationState.DISCARDED})


def is_pending(entry: OutboxEntry) -> bool:
    """Not applied yet, and not dropped: what the operator may still have to act on."""
    return entry.state not in _DONE


class PendingOperationsModel(QAbstractTableModel):
    """The outbox entries not yet applied, oldest first."""

    def __init__(self, formatter: Formatter, parent: Any = None) -> None:
        super().__init__(parent)
        self._fmt = formatter
        self._entries: list[OutboxEntry] = []

    def set_entries(self, entries: Sequence[OutboxEntry]) -> None:
        entries = [entry for entry in entries if is_pending(entry)]
        if entries == self._entries:
            return
        if [e.id for e in entries] == [e.id for e in self._entries]:
            self._entries = entries
            self.dataChanged.emit(self.index(0, 0), self.index(len(entries) - 1, len(_HEADERS) - 1))
            return
        self.beginResetModel()
        self._entries = entries
        self.endResetModel()

    def entries(self) -> list[OutboxEntry]:
        return list(self._entries)

    def entry(self, row: int) -> OutboxEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def row_of(self, entry_id: int) -> int | None:
        return next((i for i, e in enumerate(self._entries) if e.id == entry_id), None)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(_HEADERS)
        ):
            return _HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry = self.entry(index.row()) if index.isValid() else None
        if entry is None:
            return None
        column = index.column()
        if role == ENTRY_ROLE:
            return entry
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            match column:
                case 0:
                    return entry.order_number
                case 1:
                    return describe_operation(entry)
                case 2:
                    return self._fmt.moment(entry.created_at)
                case 3:
                    text = entry.state.label
                    if entry.state is OperationState.QUEUED and entry.attempts:
                        text += f" (tried {entry.attempts}×)"
                    return text
                case 4:
                    return entry.last_error or ""
        if role == Qt.ItemDataRole.ForegroundRole and column == 3 and entry.is_problem:
            return QBrush(PROBLEM_COLOR)
        return None
