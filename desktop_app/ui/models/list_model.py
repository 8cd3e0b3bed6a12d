"""One shape for the small read-only tables: a list of row objects, a `Column` per column.

The order table is the exception (it is lazy, over the store); the operation lists, the
pending operations and the bulk results are short lists held whole, and differ only in their
columns and in how a row is told apart from another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

__all__ = ["PROBLEM_COLOR", "ROW_ROLE", "SUCCESS_COLOR", "Column", "RowListModel"]

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's object itself
PROBLEM_COLOR = QColor(198, 40, 40)
SUCCESS_COLOR = QColor(46, 125, 50)

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    text: Callable[[Any], str]  # display text, also the tooltip (cells can be cut short)
    color: Callable[[Any], QColor | None] | None = None  # the text's colour, if it has one


class RowListModel(QAbstractTableModel):
    """A table over a list of rows; `key` tells rows apart so that a new list with the same
    rows in the same order repaints in place instead of resetting (selection and scroll stay)."""

    def __init__(
        self, columns: Sequence[Column], key: Callable[[Any], object], parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._key = key
        self._rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        rows = list(rows)
        if rows == self._rows:
            return
        if [self._key(r) for r in rows] == [self._key(r) for r in self._rows]:
            self._rows = rows
            last = self.index(len(rows) - 1, len(self._columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row(self, number: int) -> Any:
        return self._rows[number] if 0 <= number < len(self._rows) else None

    def row_of(self, key: object) -> int | None:
        return next((i for i, r in enumerate(self._rows) if self._key(r) == key), None)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

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
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].header
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row(index.row()) if index.isValid() else None
        if row is None or not 0 <= index.column() < len(self._columns):
            return None
        column = self._columns[index.column()]
        if role == ROW_ROLE:
            return row
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.text(row)
        if role == Qt.ItemDataRole.ForegroundRole and column.color is not None:
            color = column.color(row)
            return QBrush(color) if color is not None else None
        return None
