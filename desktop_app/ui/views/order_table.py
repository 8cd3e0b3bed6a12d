"""The order table view: sortable, movable and hideable columns, rows of fixed height.

Rows have a fixed height and no per-row measuring, so a million rows cost the view nothing:
it asks the model only for the rows on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QFont, QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from desktop_app.store.types import OrderRow, SortKey
from desktop_app.ui.models.order_columns import COLUMNS, Column
from desktop_app.ui.models.order_table_model import ORDER_ID_ROLE, ORDER_ROW_ROLE, OrderTableModel

__all__ = ["OrderTable"]

_APPENDED = "appended"
_OTHER = "other"


class OrderTable(QTableView):
    # The current order changed: its id, or None when no order is current.
    current_order_changed = Signal(object)

    def __init__(self, model: OrderTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # What the layout Qt has pending is for: None (nothing we know of), _APPENDED (only
        # rows added below the rows on screen), _OTHER.
        self._pending_layout: str | None = _OTHER
        self.setObjectName("orderTable")
        self.setAccessibleName("Orders")
        self._model = model
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Cells are drawn without text shaping (a third of a paint's text layout): the model
        # gives the cells that need it a font that shapes (`needs_shaping`).
        unshaped = QFont()
        unshaped.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
        self.setFont(unshaped)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSortIndicatorShown(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        header.setMinimumSectionSize(36)
        for spec in COLUMNS:
            header.resizeSection(spec.column, spec.width)
        self.selectionModel().currentRowChanged.connect(self._current_row_changed)
        model.layoutAboutToBeChanged.connect(self._before_layout_change)
        model.layoutChanged.connect(self._after_layout_change)
        model.modelReset.connect(self._after_layout_change)
        model.rowsInserted.connect(self._rows_inserted)
        for change in (
            model.layoutAboutToBeChanged,
            model.modelAboutToBeReset,
            model.rowsAboutToBeRemoved,
            model.columnsAboutToBeInserted,
            model.columnsAboutToBeRemoved,
        ):
            change.connect(self._rows_on_screen_may_change)
        self._current_id: str | None = None
        self._row_before = -1  # the current row when a refresh began
        self._query_before = model.query

    # -- state -------------------------------------------------------------------------------

    def save_header(self) -> QByteArray:
        return self.horizontalHeader().saveState()

    def restore_header(self, state: QByteArray | None) -> None:
        header = self.horizontalHeader()
        restored = state is not None and header.restoreState(state)
        # Every column hidden would leave an empty table: show the number at least.
        if restored and all(header.isSectionHidden(c) for c in Column):
            header.showSection(Column.NUMBER)

    def enable_sorting(self, key: SortKey, descending: bool) -> None:
        """Show the sort indicator for `key` and let header clicks sort (the model sorts)."""
        column = next((spec.column for spec in COLUMNS if spec.sort is key), Column.DEADLINE)
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.horizontalHeader().setSortIndicator(column, order)
        self.setSortingEnabled(True)

    def sort_state(self) -> tuple[SortKey, bool]:
        query = self._model.requested_query
        return query.sort, query.descending

    # -- painting ----------------------------------------------------------------------------

    def _rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        # A search's count arriving adds rows below the last one on screen: the scroll bar
        # changes, the rows on screen do not.
        bottom = self.rowAt(self.viewport().height() - 1)
        appended = 0 <= bottom < first and last == self._model.rowCount() - 1
        if appended and self._pending_layout in (None, _APPENDED):
            self._pending_layout = _APPENDED
        else:
            self._pending_layout = _OTHER

    def _rows_on_screen_may_change(self) -> None:
        self._pending_layout = _OTHER

    def doItemsLayout(self) -> None:
        # Qt lays out and repaints the whole viewport after any change of the row count; for
        # rows added out of sight only the scroll bar's range needs it (a repaint of every
        # row on screen takes 15-30 ms here).
        pending, self._pending_layout = self._pending_layout, None
        if pending == _APPENDED:
            self.updateGeometries()
        else:
            super().doItemsLayout()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        # A search's count waits for its first rows to be on screen (see the model).
        self._model.rows_painted()

    # -- selection ---------------------------------------------------------------------------

    def current_order_id(self) -> str | None:
        index = self.currentIndex()
        value = index.data(ORDER_ID_ROLE) if index.isValid() else None
        return value if isinstance(value, str) else None

    def selected_rows(self) -> list[OrderRow]:
        rows = []
        for index in self.selectionModel().selectedRows():
            row = index.data(ORDER_ROW_ROLE)
            if isinstance(row, OrderRow):
                rows.append(row)
        return rows

    def select_order(self, order_id: str) -> bool:
        row = self._model.row_of(order_id)
        if row is None:
            return False
        self.selectRow(row)
        self.scrollTo(self._model.index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    def select_first(self) -> None:
        if self._model.rowCount() > 0:
            self.selectRow(0)

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._announce(current)

    def _before_layout_change(self) -> None:
        self._row_before = self.currentIndex().row()
        self._query_before = self._model.query

    def _after_layout_change(self) -> None:
        # A refresh may move the current order to another row, or drop it from the view: an
        # order the operator just acted on leaves "Refund requests", say. Then the order that
        # took its row becomes current, so the next one is ready to work on. A new query (view,
        # search, sort) starts without a current row.
        row, self._row_before = self._row_before, -1
        count = self._model.rowCount()
        if (
            not self.currentIndex().isValid()
            and row >= 0
            and count > 0
            and self._model.query == self._query_before
        ):
            self.selectRow(min(row, count - 1))
        self._announce(self.currentIndex())

    def _announce(self, index: QModelIndex) -> None:
        value = index.data(ORDER_ID_ROLE) if index.isValid() else None
        order_id = value if isinstance(value, str) else None
        if order_id != self._current_id:
            self._current_id = order_id
            self.current_order_changed.emit(order_id)

    # -- columns -----------------------------------------------------------------------------

    def _header_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        menu.setObjectName("columnsMenu")
        for action in self.column_actions(menu):
            menu.addAction(action)
        menu.popup(self.horizontalHeader().mapToGlobal(position))

    def column_actions(self, parent: QMenu | None = None) -> list[QAction]:
        """One checkable action per column: checked = shown."""
        header = self.horizontalHeader()
        actions = []
        visible = [c for c in Column if not header.isSectionHidden(c)]
        for spec in COLUMNS:
            action = QAction(spec.title, parent or self)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(spec.column))
            # The last visible column cannot be hidden.
            action.setEnabled(not (len(visible) == 1 and spec.column in visible))
            action.toggled.connect(
                lambda shown, column=spec.column: self.set_column_visible(column, shown)
            )
            actions.append(action)
        return actions

    def set_column_visible(self, column: Column, visible: bool) -> None:
        header = self.horizontalHeader()
        if visible:
            header.showSection(column)
            if header.sectionSize(column) < header.minimumSectionSize():
                header.resizeSection(column, COLUMNS[column].width)
        else:
            header.hideSection(column)
