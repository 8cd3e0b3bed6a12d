"""The status views ("Needs my action", "Pending delivery", ... "All") with their live counts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from desktop_app.store.types import OrderView

__all__ = ["VIEWS", "VIEW_ROLE", "StatusViewsModel"]

VIEW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's `OrderView` (its value, through QVariant)

VIEWS: tuple[OrderView, ...] = (
    OrderView.NEEDS_ACTION,
    OrderView.PENDING_DELIVERY,
    OrderView.AWAITING_CONFIRMATION,
    OrderView.REFUND_REQUESTS,
    OrderView.IN_MEDIATION,
    OrderView.DELIVERY_REFUSED,
    OrderView.COMPLETED,
    OrderView.REFUNDED_CANCELLED,
    OrderView.ALL,
)

_LABEL, _COUNT = 0, 1

AnyIndex = QModelIndex | QPersistentModelIndex


class StatusViewsModel(QAbstractTableModel):
    """Two columns: the view's name and how many orders it holds (blank until counted)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._counts: dict[OrderView, int] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    def set_counts(self, counts: dict[OrderView, int]) -> None:
        changed = [i for i, view in enumerate(VIEWS) if counts.get(view) != self._counts.get(view)]
        self._counts = dict(counts)
        if changed:
            top = self.index(min(changed), _LABEL)
            bottom = self.index(max(changed), _COUNT)
            self.dataChanged.emit(top, bottom)

    def count(self, view: OrderView) -> int | None:
        return self._counts.get(view)

    def row_of(self, view: OrderView) -> int:
        return VIEWS.index(view)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(VIEWS)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

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
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("View", "Orders")[section] if 0 <= section < 2 else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(VIEWS):
            return None
        view = VIEWS[index.row()]
        count = self._counts.get(view)
        if role == VIEW_ROLE:
            return view
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == _LABEL:
                return view.label
            return "" if count is None else f"{count:,}"
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == _COUNT:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.FontRole and view is OrderView.NEEDS_ACTION and count:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if view is OrderView.NEEDS_ACTION:
                return (
                    "Refund and extension requests awaiting your answer, "
                    "and deliveries due within 48 hours or overdue"
                )
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return view.label if count is None else f"{view.label}: {count} orders"
        return None
