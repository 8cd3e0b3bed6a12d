"""The order table: a window onto the cache, never a copy of it.

SQL filters, searches, sorts and counts; the model holds only the blocks of rows around what the
view has asked for (a few hundred rows), fetching another block when the view scrolls to it.
A new query or a sync refresh moves rows in one layout change, and every persistent index
(selection, current row) follows its order to the new position, found by the order's id; an
order that left the query loses its index.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from desktop_app.domain.deadlines import Urgency
from desktop_app.store.types import OrderQuery, OrderRow, OrderView, SortKey
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.models.order_columns import (
    COLUMNS,
    Column,
    cell_text,
    cell_tooltip,
    deadline_urgency,
)

__all__ = ["ORDER_ID_ROLE", "ORDER_ROW_ROLE", "URGENCY_ROLE", "OrderSource", "OrderTableModel"]

log = logging.getLogger(__name__)

ORDER_ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's `OrderRow`
ORDER_ID_ROLE = Qt.ItemDataRole.UserRole + 2  # the order's id (str)
URGENCY_ROLE = Qt.ItemDataRole.UserRole + 3  # the deadline's `Urgency` value, or None

AnyIndex = QModelIndex | QPersistentModelIndex

# The overload that carries a hint: rows move, columns stay (the header keeps its layout).
_LAYOUT_ARGS = ("QList<QPersistentModelIndex>", "QAbstractItemModel::LayoutChangeHint")
_ROWS_MOVED = QAbstractTableModel.LayoutChangeHint.VerticalSortHint

_OVERDUE = QColor(198, 40, 40)
_SOON_BACKGROUND = QColor(255, 236, 179)
_SOON_TEXT = QColor(94, 62, 0)


class OrderSource(Protocol):
    """What the model reads (the store's read API)."""

    def count_orders(self, query: OrderQuery, now: datetime) -> int: ...

    def list_orders(
        self, query: OrderQuery, offset: int, limit: int, now: datetime
    ) -> Sequence[OrderRow]: ...

    def position_of(self, query: OrderQuery, order_id: str, now: datetime) -> int | None: ...


class _Block:
    __slots__ = ("rows", "texts")

    def __init__(self, rows: Sequence[OrderRow]) -> None:
        self.rows = rows
        self.texts: list[list[str] | None] = [None] * len(rows)


class OrderTableModel(QAbstractTableModel):
    """Rows of `OrderSource` for one `OrderQuery`, fetched `block_size` at a time."""

    # The query changed (view, search or sort), after the rows moved.
    query_changed = Signal(object)
    # Reading the cache failed; the text is for the status bar.
    read_failed = Signal(str)

    def __init__(
        self,
        source: OrderSource,
        formatter: Formatter,
        clock: Callable[[], datetime],
        *,
        query: OrderQuery | None = None,
        block_size: int = 200,
        max_blocks: int = 12,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._fmt = formatter
        self._clock = clock
        self._block_size = block_size
        self._max_blocks = max_blocks
        self._query = query or OrderQuery()
        self._now = clock()
        self._count = self._safe_count(self._query, self._now)
        self._blocks: OrderedDict[int, _Block] = OrderedDict()
        self._bold = QFont()
        self._bold.setBold(True)

    # -- the query -----------------------------------------------------------------------

    @property
    def query(self) -> OrderQuery:
        return self._query

    @property
    def now(self) -> datetime:
        return self._now

    def set_view(self, view: OrderView) -> None:
        self.set_query(replace(self._query, view=view))

    def set_search(self, text: str) -> None:
        self.set_query(replace(self._query, search=text.strip()))

    def set_sort(self, key: SortKey, descending: bool) -> None:
        self.set_query(replace(self._query, sort=key, descending=descending))

    def set_query(self, query: OrderQuery) -> None:
        if query == self._query:
            return
        self._reload(query)
        self.query_changed.emit(query)

    def refresh(self) -> None:
        """Read the same query again (after a sync, or as time passes)."""
        self._reload(self._query)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(COLUMNS):
            self.set_sort(COLUMNS[column].sort, order == Qt.SortOrder.DescendingOrder)

    # -- the Qt model ----------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        spec = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return spec.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return spec.tooltip
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return spec.alignment
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._count:
            return None
        row_number, column = index.row(), Column(index.column())
        block = self._block_for(row_number)
        if block is None:
            return None
        offset = row_number % self._block_size
        if offset >= len(block.rows):
            return None
        row = block.rows[offset]
        if role == Qt.ItemDataRole.DisplayRole:
            texts = block.texts[offset]
            if texts is None:
                texts = [cell_text(c, row, self._fmt, self._now) for c in Column]
                block.texts[offset] = texts
            return texts[column]
        if role == ORDER_ROW_ROLE:
            return row
        if role == ORDER_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return COLUMNS[column].alignment
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell_tooltip(column, row, self._fmt, self._now)
        if role == URGENCY_ROLE:
            urgency = deadline_urgency(row, self._now)
            return urgency.value if urgency else None
        if column is Column.DEADLINE:
            return self._deadline_style(row, role)
        if role == Qt.ItemDataRole.FontRole and (
            (column is Column.UNREAD and row.unread) or (column is Column.SYNC and row.sync_problem)
        ):
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and column is Column.SYNC and row.sync_problem:
            return QBrush(_OVERDUE)
        return None

    def _deadline_style(self, row: OrderRow, role: int) -> Any:
        urgency = deadline_urgency(row, self._now)
        if urgency is Urgency.OVERDUE:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(_OVERDUE)
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
        elif urgency is Urgency.SOON:
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(_SOON_BACKGROUND)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(_SOON_TEXT)
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
        return None

    # -- helpers for views -----------------------------------------------------------------

    def row_at(self, row_number: int) -> OrderRow | None:
        if not 0 <= row_number < self._count:
            return None
        block = self._block_for(row_number)
        if block is None:
            return None
        offset = row_number % self._block_size
        return block.rows[offset] if offset < len(block.rows) else None

    def row_of(self, order_id: str) -> int | None:
        """The row showing `order_id` under the current query (None: not in it)."""
        for number, block in self._blocks.items():
            for offset, row in enumerate(block.rows):
                if row.id == order_id:
                    return number * self._block_size + offset
        try:
            return self._source.position_of(self._query, order_id, self._now)
        except Exception as error:
            self._report(error)
            return None

    def cached_rows(self) -> int:
        """How many rows are held in memory (for tests and the benchmark)."""
        return sum(len(block.rows) for block in self._blocks.values())

    # -- reading the cache -----------------------------------------------------------------

    def _block_for(self, row_number: int) -> _Block | None:
        number = row_number // self._block_size
        block = self._blocks.get(number)
        if block is not None:
            self._blocks.move_to_end(number)
            return block
        try:
            rows = self._source.list_orders(
                self._query, number * self._block_size, self._block_size, self._now
            )
        except Exception as error:
            self._report(error)
            return None
        block = _Block(rows)
        self._blocks[number] = block
        self._evict()
        return block

    def _evict(self) -> None:
        if len(self._blocks) <= self._max_blocks:
            return
        # Keep blocks that hold a persistent index (selection, current row): their ids are
        # what a refresh needs to find those orders again.
        pinned = {i.row() // self._block_size for i in self.persistentIndexList() if i.isValid()}
        for number in list(self._blocks):
            if len(self._blocks) <= self._max_blocks:
                break
            if number not in pinned:
                del self._blocks[number]

    def _safe_count(self, query: OrderQuery, now: datetime) -> int:
        try:
            return self._source.count_orders(query, now)
        except Exception as error:
            self._report(error)
            return 0

    def _report(self, error: Exception) -> None:
        log.exception("reading the order cache failed", exc_info=error)
        self.read_failed.emit(f"Could not read the order cache: {error}")

    def _reload(self, query: OrderQuery) -> None:
        """Re-read under `query`, moving persistent indexes to their orders' new rows."""
        self.layoutAboutToBeChanged[_LAYOUT_ARGS].emit([], _ROWS_MOVED)  # type: ignore[index]
        old = self.persistentIndexList()
        old_ids: list[str | None] = [self._cached_id(index.row()) for index in old]
        self._query = query
        self._now = self._clock()
        self._count = self._safe_count(query, self._now)
        self._blocks.clear()
        positions: dict[str, int | None] = {}
        new: list[QModelIndex] = []
        for index, order_id in zip(old, old_ids, strict=True):
            if order_id is None:
                new.append(QModelIndex())
                continue
            if order_id not in positions:
                positions[order_id] = self._find(order_id, index.row())
            row = positions[order_id]
            new.append(QModelIndex() if row is None else self.index(row, index.column()))
        self.changePersistentIndexList(old, new)
        self.layoutChanged[_LAYOUT_ARGS].emit([], _ROWS_MOVED)  # type: ignore[index]

    def _cached_id(self, row_number: int) -> str | None:
        block = self._blocks.get(row_number // self._block_size)
        if block is None:
            return None
        offset = row_number % self._block_size
        return block.rows[offset].id if offset < len(block.rows) else None

    def _find(self, order_id: str, old_row: int) -> int | None:
        # Most refreshes leave an order where it was: look there before asking the cache.
        if old_row < self._count:
            row = self.row_at(old_row)
            if row is not None and row.id == order_id:
                return old_row
        try:
            return self._source.position_of(self._query, order_id, self._now)
        except Exception as error:
            self._report(error)
            return None
