"""History: the operations this app did on the order, and where each stands with the
platform (queued, sending, applied, rejected with the platform's reason, needs review)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from desktop_app.store.types import OutboxEntry
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.models.operations_model import OperationsModel
from desktop_app.ui.views.plain import plain_label

__all__ = ["HistoryTab"]


class HistoryTab(QWidget):
    def __init__(self, formatter: Formatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.model = OperationsModel(formatter, self)
        self.table = QTableView()
        self.table.setObjectName("historyTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.empty = plain_label("No operations from this app on this order yet.")
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)

    def show_operations(self, entries: Sequence[OutboxEntry]) -> None:
        self.model.set_entries(entries)
        self.empty.setVisible(not entries)

    def clear(self) -> None:
        self.show_operations([])
