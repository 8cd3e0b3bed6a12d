"""The order table: a window onto the cache, never a copy of it.

SQL filters, searches, sorts and counts; the model holds only the blocks of rows around what the
view has asked for, fetching another block when the view scrolls to it. A new query (view,
search, sort) or a refresh after a sync is read first — off the GUI thread when the model has a
background runner, so a slow search never freezes the window — and then shown in one layout
change, in which every persistent index (selection, current row) follows its order to its new
row, found by the order's id; an order that left the query loses its index.

A search (and Needs my action) is shown with its first rows before its count is known
(`count_known` False; the row count is then the rows read so far); the count is read next, in
the background, and the table grows to it with an insertion of rows (persistent indexes stay
where they are). The count waits until the view has painted those rows (`rows_painted`), or
`COUNT_DELAY_MS` when nothing paints: a common text's count reads for up to a second, and run
beside the paint it would take the CPU the paint needs (this machine has two cores). Before
it, the background connection reads ahead what the next keystroke's search would read
(`OrderSource.read_ahead`): a typed-on text walks on from where this one's walk ended.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from desktop_app.domain.deadlines import Urgency
from desktop_app.store.store import CountCancelled
from desktop_app.store.types import OrderQuery, OrderRow, OrderView, SortKey
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.models.order_columns import (
    COLUMNS,
    Column,
    cell_text,
    cell_tooltip,
    deadline_urgency,
    needs_shaping,
)
from desktop_app.ui.models.order_rows import (
    Block,
    BlockCache,
    OrderSource,
    Snapshot,
    read_snapshot,
)
from desktop_app.ui.workers import BackgroundRunner, LatestOnly

__all__ = [
    "COUNT_DELAY_MS",
    "ORDER_ID_ROLE",
    "ORDER_ROW_ROLE",
    "URGENCY_ROLE",
    "OrderSource",
    "OrderTableModel",
]

log = logging.getLogger(__name__)

ORDER_ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's `OrderRow`
ORDER_ID_ROLE = Qt.ItemDataRole.UserRole + 2  # the order's id (str)
URGENCY_ROLE = Qt.ItemDataRole.UserRole + 3  # the deadline's `Urgency` value, or None

# A search's count is read once its first rows are painted, or after this long if no view
# paints them (a hidden window).
COUNT_DELAY_MS = 100

AnyIndex = QModelIndex | QPersistentModelIndex

# The overload that carries a hint: rows move, columns stay (the header keeps its layout).
_LAYOUT_ARGS = ("QList<QPersistentModelIndex>", "QAbstractItemModel::LayoutChangeHint")
_ROWS_MOVED = QAbstractTableModel.LayoutChangeHint.VerticalSortHint

_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)
_COLUMN_AT = tuple(Column)
# The roles a cell is painted with, each a slot of the row's `Cells`; the others answered.
_CELL_SLOT: dict[int, int] = {
    Qt.ItemDataRole.DisplayRole: 0,
    Qt.ItemDataRole.TextAlignmentRole: 1,
    Qt.ItemDataRole.FontRole: 2,
    Qt.ItemDataRole.ForegroundRole: 3,
    Qt.ItemDataRole.BackgroundRole: 4,
}
_OTHER_ROLES = frozenset({Qt.ItemDataRole.ToolTipRole, ORDER_ROW_ROLE, ORDER_ID_ROLE, URGENCY_ROLE})
# (as ints: the flag types cross into Qt more slowly)
_ALIGNMENTS = tuple(spec.alignment.value for spec in COLUMNS)
# A row's cells: per painted role (`_CELL_SLOT`), one value per column.
Cells = tuple[tuple[Any, ...], ...]

_OVERDUE = QColor(198, 40, 40)
_SOON_BACKGROUND = QColor(255, 236, 179)
_SOON_TEXT = QColor(94, 62, 0)


class OrderTableModel(QAbstractTableModel):
    """Rows of `OrderSource` for one `OrderQuery`, fetched `block_size` at a time."""

    # The query changed (view, search or sort), after the rows moved.
    query_changed = Signal(object)
    # A query or a refresh has been read and shown (`settled` is True again).
    settled_changed = Signal(bool)
    # The exact row count of the shown query is known (True), or still being read (False).
    count_known_changed = Signal(bool)
    # Reading the cache failed; the text is for the status bar.
    read_failed = Signal(str)

    def __init__(
        self,
        source: OrderSource,
        formatter: Formatter,
        clock: Callable[[], datetime],
        *,
        query: OrderQuery | None = None,
        runner: BackgroundRunner | None = None,
        background_source: OrderSource | None = None,
        count_source: OrderSource | None = None,
        block_size: int = 64,
        max_blocks: int = 32,
        parent: Any = None,
    ) -> None:
        """`source` serves the GUI thread (blocks while scrolling); with a `runner`, new
        queries and refreshes are read on its pool through `background_source` (a connection
        of its own), and counts that follow rows through `count_source` (one more; by
        default the background's)."""
        super().__init__(parent)
        self._source = source
        self._fmt = formatter
        self._clock = clock
        self._cache = BlockCache(block_size, max_blocks)
        self._bold = QFont()
        self._bold.setBold(True)
        # For text that needs shaping, in a view that skips it for the rest (`OrderTable`).
        self._shaped = QFont()
        self._shaped.setStyleStrategy(QFont.StyleStrategy.PreferDefault)
        self._shaped_bold = QFont(self._shaped)
        self._shaped_bold.setBold(True)
        self._overdue, self._soon_background, self._soon_text = (
            QBrush(_OVERDUE),
            QBrush(_SOON_BACKGROUND),
            QBrush(_SOON_TEXT),
        )
        self._recent_cells: tuple[int, Cells] | None = None  # the row whose cells were asked
        self._reads: LatestOnly[Snapshot] | None = None
        self._counts: LatestOnly[tuple[int, int]] | None = None
        self._background = background_source
        self._count_source = count_source or background_source
        self._runner = runner
        if runner is not None:
            if background_source is None:
                raise ValueError("a background runner needs a background source")
            self._reads = LatestOnly(runner, self._show_snapshot, self._read_failed)
            self._counts = LatestOnly(runner, self._count_arrived, self._count_failed)
        first = query or OrderQuery()
        self._query = first
        self._target = first  # the newest query asked for (shown once read)
        self._now = clock()
        self._count = 0
        self._count_known = True
        self._shown = 0  # snapshots shown so far: a count belongs to the one it was read for
        self._count_cancel: threading.Event | None = None  # set: the count running gives up
        self._count_due = QTimer(self)  # a count waiting for the rows to be painted
        self._count_due.setSingleShot(True)
        self._count_due.setInterval(COUNT_DELAY_MS)
        self._count_due.timeout.connect(self._read_count)
        try:
            snapshot = read_snapshot(source, first, self._now, block_size)
        except Exception as error:
            self._report(error)
        else:
            self._count = snapshot.count
            self._cache.replace(snapshot.blocks)
            if not snapshot.count_known:
                self._count_known = False
                self._count_after_paint()

    # -- the query -----------------------------------------------------------------------

    @property
    def query(self) -> OrderQuery:
        """The query whose rows are shown now."""
        return self._query

    @property
    def requested_query(self) -> OrderQuery:
        """The newest query asked for (equal to `query` once `settled`)."""
        return self._target

    @property
    def settled(self) -> bool:
        """The newest query's (or refresh's) rows are shown (its count may follow)."""
        return self._reads is None or not self._reads.busy

    @property
    def count_known(self) -> bool:
        """`rowCount` is the exact size of the shown query (not only the rows read so far)."""
        return self._count_known

    @property
    def now(self) -> datetime:
        return self._now

    def set_view(self, view: OrderView) -> None:
        self.set_query(replace(self._target, view=view))

    def set_search(self, text: str) -> None:
        self.set_query(replace(self._target, search=text.strip()))

    def set_sort(self, key: SortKey, descending: bool) -> None:
        self.set_query(replace(self._target, sort=key, descending=descending))

    def set_query(self, query: OrderQuery) -> None:
        if query == self._target:
            return
        self._target = query
        self._read(query)

    def refresh(self) -> None:
        """Read the query again (after a sync, or as time passes)."""
        self._read(self._target)

    def _read(self, query: OrderQuery) -> None:
        # A count still running is for rows about to be replaced, and it holds the background
        # connection this read needs (a common text's count reads for up to a second).
        self._cancel_count()
        now = self._clock()
        follow = self._followed()
        size = self._cache.block_size
        # A new search shows its first rows at once, its count after; a refresh of the rows
        # shown keeps the table's size (and scroll position) until the new count is read.
        first = query != self._query
        if self._reads is None:
            try:
                snapshot = read_snapshot(self._source, query, now, size, follow, rows_first=first)
            except Exception as error:
                self._report(error)
                return
            self._show_snapshot(snapshot)
            return
        source = self._background
        assert source is not None
        was_settled = self.settled
        self._reads.request(
            lambda: read_snapshot(source, query, now, size, follow, rows_first=first)
        )
        if was_settled:
            self.settled_changed.emit(False)

    def _followed(self) -> list[tuple[str, int]]:
        """(order id, row) of every persistent index whose order is known."""
        followed = {}
        for index in self.persistentIndexList():
            order_id = self._cache.cached_id(index.row())
            if order_id is not None:
                followed[order_id] = index.row()
        return list(followed.items())

    def _read_failed(self, error: BaseException) -> None:
        self._report(error)
        self.settled_changed.emit(self.settled)

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
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for each of seven roles of every visible cell on each paint (a hundred cells,
        # each call crossing from C++): the painted roles are read from the row's cells, made
        # once per row read; the other roles are rare.
        slot = _CELL_SLOT.get(role)
        if slot is None:
            return self._other_data(index, role) if role in _OTHER_ROLES else None
        cells = self._cells_at(index.row())
        return None if cells is None else cells[slot][index.column()]

    def _cells_at(self, row_number: int) -> Cells | None:
        """What the cells of row `row_number` paint with (None: no such row, or unread)."""
        recent = self._recent_cells
        if recent is not None and recent[0] == row_number:
            return recent[1]
        if not 0 <= row_number < self._count:
            return None
        block = self._block_for(row_number)
        if block is None:
            return None
        offset = row_number % self._cache.block_size
        if offset >= len(block.rows):
            return None
        cells: Cells | None = block.cells[offset]
        if cells is None:
            cells = block.cells[offset] = self._make_cells(block.rows[offset])
        self._recent_cells = (row_number, cells)
        return cells

    def _make_cells(self, row: OrderRow) -> Cells:
        """The row's cells, by painted role (see `_CELL_SLOT`) then column."""
        fonts: list[QFont | None] = [None] * len(_COLUMN_AT)
        foregrounds: list[QBrush | None] = [None] * len(_COLUMN_AT)
        backgrounds: list[QBrush | None] = [None] * len(_COLUMN_AT)
        if row.unread:
            fonts[Column.UNREAD] = self._bold
        if row.sync_problem:
            fonts[Column.SYNC] = self._bold
            foregrounds[Column.SYNC] = self._overdue
        urgency = deadline_urgency(row, self._now)
        if urgency is Urgency.OVERDUE:
            foregrounds[Column.DEADLINE] = self._overdue
            fonts[Column.DEADLINE] = self._bold
        elif urgency is Urgency.SOON:
            backgrounds[Column.DEADLINE] = self._soon_background
            foregrounds[Column.DEADLINE] = self._soon_text
            fonts[Column.DEADLINE] = self._bold
        texts = tuple(cell_text(c, row, self._fmt, self._now) for c in _COLUMN_AT)
        for column, text in enumerate(texts):
            if needs_shaping(text):
                fonts[column] = self._shaped_bold if fonts[column] else self._shaped
        return (
            texts,
            _ALIGNMENTS,
            tuple(fonts),
            tuple(foregrounds),
            tuple(backgrounds),
        )

    def _other_data(self, index: AnyIndex, role: int) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == ORDER_ROW_ROLE:
            return row
        if role == ORDER_ID_ROLE:
            return row.id
        if role == URGENCY_ROLE:
            urgency = deadline_urgency(row, self._now)
            return urgency.value if urgency else None
        return cell_tooltip(_COLUMN_AT[index.column()], row, self._fmt, self._now)

    # -- helpers for views -----------------------------------------------------------------

    def row_at(self, row_number: int) -> OrderRow | None:
        if not 0 <= row_number < self._count:
            return None
        block = self._block_for(row_number)
        if block is None:
            return None
        offset = row_number % self._cache.block_size
        return block.rows[offset] if offset < len(block.rows) else None

    def row_of(self, order_id: str) -> int | None:
        """The row showing `order_id` under the shown query (None: not in it)."""
        found = self._cache.find(order_id)
        if found is not None:
            return found
        try:
            position = self._source.position_of(self._query, order_id, self._now)
        except Exception as error:
            self._report(error)
            return None
        if position is not None and position >= self._count:
            if self._count_known:
                return None  # (the cache changed since the rows were read; a refresh follows)
            # Still counting: the rows up to it exist, show them now.
            self.beginInsertRows(QModelIndex(), self._count, position)
            self._count = position + 1
            self.endInsertRows()
        return position

    def cached_rows(self) -> int:
        """How many rows are held in memory (for tests and the benchmark)."""
        return self._cache.rows_held()

    # -- reading the cache -----------------------------------------------------------------

    def _block_for(self, row_number: int) -> Block | None:
        number = row_number // self._cache.block_size
        block = self._cache.get(number)
        if block is not None:
            return block
        size = self._cache.block_size
        try:
            rows = self._source.list_orders(self._query, number * size, size, self._now)
        except Exception as error:
            self._report(error)
            return None
        # Blocks holding a persistent index (selection, current row) stay: their ids are
        # what a refresh needs to follow those orders.
        pinned = {i.row() // size for i in self.persistentIndexList() if i.isValid()}
        self._recent_cells = None
        return self._cache.put(number, rows, pinned)

    def _report(self, error: BaseException) -> None:
        log.error("reading the order cache failed", exc_info=error)
        self.read_failed.emit(f"Could not read the order cache: {error}")

    def _show_snapshot(self, snapshot: Snapshot) -> None:
        """Show what was read, moving persistent indexes to their orders' new rows."""
        self._count_due.stop()  # (a count still waiting was for the rows this replaces)
        changed_query = snapshot.query != self._query
        self.layoutAboutToBeChanged[_LAYOUT_ARGS].emit([], _ROWS_MOVED)  # type: ignore[index]
        old = self.persistentIndexList()
        old_ids = [self._cache.cached_id(index.row()) for index in old]
        self._query, self._now, self._count = snapshot.query, snapshot.now, snapshot.count
        self._cache.replace(snapshot.blocks)
        self._recent_cells = None
        positions = dict(snapshot.positions)
        new: list[QModelIndex] = []
        for index, order_id in zip(old, old_ids, strict=True):
            if order_id is None:
                new.append(QModelIndex())
                continue
            if order_id not in positions:  # followed after the read began: look it up now
                positions[order_id] = self._position_now(order_id, index.row())
            row = positions[order_id]
            new.append(QModelIndex() if row is None else self.index(row, index.column()))
        self.changePersistentIndexList(old, new)
        self.layoutChanged[_LAYOUT_ARGS].emit([], _ROWS_MOVED)  # type: ignore[index]
        self._shown += 1
        was_known, self._count_known = self._count_known, snapshot.count_known
        if changed_query:
            self.query_changed.emit(snapshot.query)
        if was_known != self._count_known:
            self.count_known_changed.emit(self._count_known)
        if self.settled:
            self.settled_changed.emit(True)
        if not snapshot.count_known and self.settled:
            self._count_after_paint()

    # -- the count that follows the first rows ---------------------------------------------

    def _count_after_paint(self) -> None:
        if self._counts is None:  # (read on the GUI thread: nothing to wait for)
            self._read_count()
        else:
            self._count_due.start()

    def rows_painted(self) -> None:
        """The view has painted the rows shown: a count waiting for that is read now."""
        if self._count_due.isActive():
            self._count_due.stop()
            self._read_count()

    def _read_count(self) -> None:
        query, now, shown = self._query, self._now, self._shown
        if self._counts is None:
            try:
                count = self._source.count_orders(query, now)
            except Exception as error:
                self._count_failed(error)
                return
            self._count_arrived((shown, count))
            return
        source, counter = self._background, self._count_source
        assert source is not None and counter is not None
        self._cancel_count()
        cancel = self._count_cancel = threading.Event()

        def read() -> tuple[int, int]:
            if query.search:  # (the operator is typing: ready the next keystroke first)
                source.read_ahead(query, now, cancel)
            return shown, counter.count_orders(query, now, cancel)

        self._counts.request(read)

    def _cancel_count(self) -> None:
        if self._count_cancel is not None:
            self._count_cancel.set()
            self._count_cancel = None

    def _count_arrived(self, result: tuple[int, int]) -> None:
        shown, count = result
        if shown != self._shown or self._count_known:
            return  # counted for rows no longer shown: their successor counts its own
        if count > self._count:
            self.beginInsertRows(QModelIndex(), self._count, count - 1)
            self._count = count
            self.endInsertRows()
        elif count < self._count:  # the cache changed between the reads; a refresh follows
            self.beginRemoveRows(QModelIndex(), count, self._count - 1)
            self._count = count
            self.endRemoveRows()
        self._count_known = True
        self.count_known_changed.emit(True)

    def _count_failed(self, error: BaseException) -> None:
        if isinstance(error, CountCancelled):
            return  # (given up for newer rows: they are counted in their turn)
        self._report(error)

    def _position_now(self, order_id: str, old_row: int) -> int | None:
        row = self.row_at(old_row) if old_row < self._count else None
        if row is not None and row.id == order_id:
            return old_row
        try:
            return self._source.position_of(self._query, order_id, self._now)
        except Exception as error:
            self._report(error)
            return None
