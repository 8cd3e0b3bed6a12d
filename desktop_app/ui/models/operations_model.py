"""This app's operations on an order (the outbox entries) and their sync state, as a table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop_app.store.types import OperationState, OutboxEntry
from desktop_app.ui.formatting import Formatter

__all__ = ["OPERATION_ROLE", "OperationsModel", "describe_operation"]

OPERATION_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's `OutboxEntry`

AnyIndex = QModelIndex | QPersistentModelIndex

_HEADERS = ("Operation", "Done at", "Sync state", "Details")
_PROBLEM = QColor(198, 40, 40)


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


class OperationsModel(QAbstractTableModel):
    def __init__(self, formatter: Formatter, parent: Any = None) -> None:
        super().__init__(parent)
        self._fmt = formatter
        self._entries: list[OutboxEntry] = []

    def set_entries(self, entries: Sequence[OutboxEntry]) -> None:
        entries = list(entries)
        if entries == self._entries:
            return
        if len(entries) == len(self._entries) and [e.id for e in entries] == [
            e.id for e in self._entries
        ]:
            self._entries = entries
            if entries:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(entries) - 1, len(_HEADERS) - 1)
                )
            return
        self.beginResetModel()
        self._entries = entries
        self.endResetModel()

    def entry(self, row: int) -> OutboxEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

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
        if role == OPERATION_ROLE:
            return entry
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return describe_operation(entry)
            if column == 1:
                return self._fmt.moment(entry.created_at)
            if column == 2:
                text = entry.state.label
                if entry.state is OperationState.QUEUED and entry.attempts:
                    text += f" (tried {entry.attempts}×)"
                return text
            if column == 3:
                return entry.last_error or ""
        if role == Qt.ItemDataRole.ForegroundRole and column == 2 and entry.is_problem:
            return QBrush(_PROBLEM)
        return None
