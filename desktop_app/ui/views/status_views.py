"""The list of status views on the left, with live counts; choosing one filters the table."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from desktop_app.store.types import OrderView
from desktop_app.ui.models.status_views_model import VIEW_ROLE, StatusViewsModel

__all__ = ["StatusViewList"]


class StatusViewList(QTreeView):
    view_chosen = Signal(object)  # OrderView

    def __init__(self, model: StatusViewsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusViews")
        self.setAccessibleName("Status views")
        self.setModel(model)
        self.setRootIsDecorated(False)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setAllColumnsShowFocus(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.setMinimumWidth(200)
        self.setStyleSheet("QTreeView::item { padding: 3px 2px; }")
        self._model = model
        self.selectionModel().currentRowChanged.connect(self._current_changed)

    def select_view(self, view: OrderView) -> None:
        index = self._model.index(self._model.row_of(view), 0)
        self.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def current_view(self) -> OrderView | None:
        index = self.currentIndex()
        value = index.data(VIEW_ROLE) if index.isValid() else None
        # A StrEnum crosses QVariant as its text: turn it back into the view.
        return OrderView(value) if isinstance(value, str) else None

    def _current_changed(self) -> None:
        view = self.current_view()
        if view is not None:
            self.view_chosen.emit(view)
