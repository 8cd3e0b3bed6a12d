"""The order table view over a search whose count follows its first rows: what it paints,
and when the count is read."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont
from pytestqt.qtbot import QtBot

from desktop_app.domain import utc_now
from desktop_app.store import OrderQuery, OrderRow, OrderView, Store
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.models.order_columns import Column, needs_shaping
from desktop_app.ui.models.order_table_model import OrderTableModel
from desktop_app.ui.views.order_table import OrderTable
from desktop_app.ui.workers import BackgroundRunner

BLOCK = 8  # rows read first; the table shows fewer


class PaintSpy(QObject):
    """Counts the paints of a widget (a signal per paint, for `assertNotEmitted`)."""

    painted = Signal()

    def __init__(self, widget: QObject) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
            self.painted.emit()
        return False


@dataclass
class CountingStore:
    """The background store, noting how many paints the table had made when each count that
    follows a search's rows was read (the model reads through it like through the store)."""

    store: Store
    paints: PaintSpy | None = None
    paints_at_count: list[int] = field(default_factory=list)
    gate: threading.Event = field(default_factory=threading.Event)  # counts wait for it
    cancels: list[threading.Event] = field(default_factory=list)  # each such count's
    read_ahead_for: list[tuple[OrderQuery, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.gate.set()

    def count_orders(
        self, query: OrderQuery, now: datetime, cancel: threading.Event | None = None
    ) -> int:
        if cancel is not None:  # (a count that follows the rows: a snapshot's has none)
            self.paints_at_count.append(self.paints.count if self.paints else -1)
            self.cancels.append(cancel)
            assert self.gate.wait(10)
        return self.store.count_orders(query, now, cancel)

    def list_orders(
        self, query: OrderQuery, offset: int, limit: int, now: datetime
    ) -> Sequence[OrderRow]:
        return self.store.list_orders(query, offset, limit, now)

    def position_of(self, query: OrderQuery, order_id: str, now: datetime) -> int | None:
        return self.store.position_of(query, order_id, now)

    def read_ahead(
        self, query: OrderQuery, now: datetime, cancel: threading.Event | None = None
    ) -> int | None:
        self.read_ahead_for.append((query, len(self.paints_at_count)))  # (counts so far)
        return self.store.read_ahead(query, now, cancel)


@dataclass
class ShownTable:
    model: OrderTableModel
    table: OrderTable
    background: CountingStore
    paints: PaintSpy
    runner: BackgroundRunner


def _model(
    reader: Store,
    formatter: Formatter,
    runner: BackgroundRunner,
    background: CountingStore,
    counter: CountingStore | None = None,
) -> OrderTableModel:
    """The table's model, reading in the background through `background` (and counting
    through `counter`, when given)."""
    return OrderTableModel(
        reader,
        formatter,
        utc_now,
        runner=runner,
        background_source=background,
        count_source=counter,
        block_size=BLOCK,
    )


@pytest.fixture
def shown(
    qtbot: QtBot, shared_cache: Path, reader: Store, formatter: Formatter
) -> Iterator[ShownTable]:
    runner = BackgroundRunner()
    with Store.open(shared_cache) as store:
        background = CountingStore(store)
        model = _model(reader, formatter, runner, background)
        table = OrderTable(model)
        qtbot.addWidget(table)
        table.resize(700, table.verticalHeader().defaultSectionSize() * 4)
        paints = PaintSpy(table.viewport())
        background.paints = paints
        table.show()
        qtbot.waitExposed(table)
        yield ShownTable(model, table, background, paints, runner)
        qtbot.waitUntil(runner.is_idle)


def _search_with_rows_first(qtbot: QtBot, shown: ShownTable) -> int:
    """Search "SO-" (every order): its first rows come before its count. Returns the count."""
    total = shown.background.store.count_orders(OrderQuery(search="SO-"), utc_now())
    assert total > BLOCK
    with qtbot.waitSignal(shown.model.query_changed):
        shown.model.set_search("SO-")
    assert not shown.model.count_known and shown.model.rowCount() == BLOCK
    return total


def test_a_search_is_counted_after_its_first_rows_are_painted(
    qtbot: QtBot, shown: ShownTable
) -> None:
    paints_before = shown.paints.count
    total = _search_with_rows_first(qtbot, shown)
    qtbot.waitUntil(lambda: shown.model.count_known)
    assert shown.model.rowCount() == total
    # The count (up to a second for a common text) was read once the rows were on screen,
    # not beside their paint.
    assert len(shown.background.paints_at_count) == 1
    assert shown.background.paints_at_count[0] > paints_before


def test_the_next_keystroke_is_read_ahead_after_a_search_is_painted_and_before_its_count(
    qtbot: QtBot, shown: ShownTable
) -> None:
    assert shown.background.read_ahead_for == []  # (a view is not read ahead)
    _search_with_rows_first(qtbot, shown)
    qtbot.waitUntil(lambda: shown.model.count_known)
    assert shown.background.read_ahead_for == [(shown.model.query, 0)]  # before the count
    assert len(shown.background.paints_at_count) == 1


def test_rows_counted_below_the_screen_only_grow_the_scroll_bar(
    qtbot: QtBot, shown: ShownTable
) -> None:
    bar = shown.table.verticalScrollBar()
    shown.background.gate.clear()  # the count waits until the first rows are on screen
    paints_before = shown.paints.count
    _search_with_rows_first(qtbot, shown)
    qtbot.waitUntil(lambda: shown.paints.count > paints_before)
    before = bar.maximum()
    # The rows on screen are the same: the table is not painted again for the count...
    with qtbot.assertNotEmitted(shown.paints.painted, wait=300):
        shown.background.gate.set()
        qtbot.waitUntil(lambda: shown.model.count_known and bar.maximum() > before)
    # ...yet every row is reachable.
    shown.table.scrollToBottom()
    last = shown.model.rowCount() - 1
    qtbot.waitUntil(lambda: shown.table.rowAt(shown.table.viewport().height() - 1) == last)


def test_a_new_query_gives_up_the_count_still_running_for_the_rows_it_replaces(
    qtbot: QtBot, shown: ShownTable, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A common text's count reads for up to a second on the background connection; the
    next keystroke's rows must not wait for it."""
    from desktop_app.store import store as store_module

    monkeypatch.setattr(store_module, "CANCEL_CHECK_STEPS", 1)  # (gives up at its next step)
    shown.background.gate.clear()  # the count of "SO-" is held running
    _search_with_rows_first(qtbot, shown)
    qtbot.waitUntil(lambda: len(shown.background.cancels) == 1)
    running = shown.background.cancels[0]
    assert not running.is_set()
    with qtbot.waitSignal(shown.model.query_changed):
        shown.model.set_search("")  # (All: counted at once, no count follows)
        assert running.is_set()
    shown.background.gate.set()  # the old count goes on, sees it is not wanted, gives up
    qtbot.waitUntil(shown.runner.is_idle)
    # ...quietly (an error would be logged, and fail this test), its rows long replaced.
    everything = shown.background.store.count_orders(OrderQuery(), utc_now())
    assert shown.model.count_known and shown.model.rowCount() == everything
    # A count given up for a search whose own count follows: that one is read.
    shown.background.gate.clear()
    _search_with_rows_first(qtbot, shown)
    qtbot.waitUntil(lambda: len(shown.background.cancels) == 2)
    with qtbot.waitSignal(shown.model.query_changed):
        shown.model.set_view(OrderView.COMPLETED)  # (still searching "SO-")
    shown.background.gate.set()
    qtbot.waitUntil(lambda: shown.model.count_known)
    qtbot.waitUntil(shown.runner.is_idle)
    completed = OrderQuery(OrderView.COMPLETED, "SO-")
    assert shown.model.rowCount() == shown.background.store.count_orders(completed, utc_now())


def test_cells_are_drawn_without_shaping_but_those_that_need_it(
    qtbot: QtBot, shown: ShownTable
) -> None:
    # The table's font skips shaping (a third of a paint's text layout); a cell whose text
    # needs it (Arabic, Indic, emoji sequences) gets a font from the model that shapes.
    font = shown.table.font()
    assert font.styleStrategy() & QFont.StyleStrategy.PreferNoShaping
    assert font.family() == QFont().family() and font.pointSizeF() == QFont().pointSizeF()
    qtbot.waitUntil(lambda: shown.model.settled and shown.model.count_known)
    buyers = [shown.model.index(row, Column.BUYER) for row in range(shown.model.rowCount())]
    shaped = [index for index in buyers if needs_shaping(index.data())]
    assert shaped  # (the sandbox's buyers write Arabic names, among others)
    for index in shaped:
        cell = index.data(Qt.ItemDataRole.FontRole)
        assert isinstance(cell, QFont)
        assert cell.resolve(font).styleStrategy() == QFont.StyleStrategy.PreferDefault


def test_counts_go_through_a_connection_of_their_own(
    qtbot: QtBot, shared_cache: Path, reader: Store, formatter: Formatter
) -> None:
    """A count of a common text streams through tens of megabytes of index: on the search
    connection, it would push out the pages read ahead for the next keystroke."""
    runner = BackgroundRunner()
    with Store.open(shared_cache) as store, Store.open(shared_cache, cache_mib=8) as counting:
        background, counter = CountingStore(store), CountingStore(counting)
        model = _model(reader, formatter, runner, background, counter)
        model.set_search("SO-")
        qtbot.waitUntil(lambda: model.settled)
        model.rows_painted()  # (as a view does once it has painted them)
        qtbot.waitUntil(lambda: model.count_known)
        assert len(counter.cancels) == 1 and background.cancels == []
        assert [query for query, _ in background.read_ahead_for] == [model.query]
        assert counter.read_ahead_for == []
        qtbot.waitUntil(runner.is_idle)
