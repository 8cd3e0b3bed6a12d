"""The rows of a bulk action: per order, whether it is included (or why not), and once queued,
where its operation stands with the platform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop_app.domain import Order
from desktop_app.store.types import OperationState
from desktop_app.ui.actions.service import BulkOutcome

__all__ = ["BulkModel", "BulkRow"]

_HEADERS = ("Order", "Buyer", "Request", "Result")
_BAD = QColor(198, 40, 40)
_GOOD = QColor(46, 125, 50)

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class BulkRow:
    order_id: str
    number: str
    buyer: str = ""
    request: str = ""
    order: Order | None = None
    skip: str | None = None  # why this order gets no operation (None: it will)
    outcome: BulkOutcome | None = None
    state: OperationState | None = None  # the operation's sync state, once queued
    state_detail: str | None = None

    @property
    def result(self) -> str:
        if self.outcome is None:
            if self.order is None and self.skip is None:
                return "Reading…"
            return f"Skipped: {self.skip}" if self.skip else "Will be included"
        if self.outcome.problem is not None:
            return f"Not queued: {self.outcome.problem.message}"
        state = self.state or OperationState.QUEUED
        text = state.label
        if self.state_detail and state is not OperationState.APPLIED:
            text += f": {self.state_detail}"
        return text

    @property
    def failed(self) -> bool:
        if self.outcome is not None and self.outcome.problem is not None:
            return True
        return self.state in (
            OperationState.REJECTED,
            OperationState.NEEDS_REVIEW,
            OperationState.SET_ASIDE,
        )


class BulkModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[BulkRow] = []

    def set_rows(self, rows: Sequence[BulkRow]) -> None:
        rows = list(rows)
        if [r.order_id for r in rows] == [r.order_id for r in self._rows]:
            self._rows = rows
            if rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, 3))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rows(self) -> list[BulkRow]:
        return list(self._rows)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

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
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (row.number, row.buyer, row.request, row.result)[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            if row.failed or (row.outcome is None and row.skip):
                return QBrush(_BAD)
            if row.state is OperationState.APPLIED:
                return QBrush(_GOOD)
        return None
