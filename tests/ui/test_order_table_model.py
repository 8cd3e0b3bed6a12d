"""The order table model over a cache filled by the real sync: filters, search, sorting, lazy
blocks, and Qt's own model checks."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop_app.domain import OrderStatus, utc_now
from desktop_app.domain.deadlines import Urgency
from desktop_app.store import OrderQuery, OrderRow, OrderView, SortKey, Store
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.models.order_columns import (
    COLUMNS,
    Column,
    ColumnSpec,
    cell_text,
    deadline_urgency,
    needs_shaping,
)
from desktop_app.ui.models.order_table_model import ORDER_ID_ROLE, ORDER_ROW_ROLE, OrderTableModel
from desktop_app.ui.workers import BackgroundRunner

from .conftest import SyncedCache

VIEW_STATUSES = {
    OrderView.PENDING_DELIVERY: {OrderStatus.PENDING_DELIVERY},
    OrderView.AWAITING_CONFIRMATION: {OrderStatus.AWAITING_CONFIRMATION},
    OrderView.REFUND_REQUESTS: {OrderStatus.REFUND_REQUESTED},
    OrderView.IN_MEDIATION: {OrderStatus.IN_MEDIATION},
    OrderView.DELIVERY_REFUSED: {OrderStatus.DELIVERY_REFUSED},
    OrderView.COMPLETED: {OrderStatus.COMPLETED},
    OrderView.REFUNDED_CANCELLED: {
        OrderStatus.REFUNDED,
        OrderStatus.PARTIALLY_REFUNDED,
        OrderStatus.CANCELLED,
    },
}
CJK = re.compile(r"[\u3400-\u9fff]{2}")


def all_rows(model: OrderTableModel) -> list[OrderRow]:
    rows = []
    for row in range(model.rowCount()):
        value = model.index(row, 0).data(ORDER_ROW_ROLE)
        assert isinstance(value, OrderRow)
        rows.append(value)
    return rows


@pytest.fixture
def model(reader: Store, formatter: Formatter) -> OrderTableModel:
    return OrderTableModel(reader, formatter, utc_now, block_size=16, max_blocks=3)


def test_the_model_passes_qts_checks_through_queries_and_refreshes(
    qtmodeltester: ModelTester, model: OrderTableModel
) -> None:
    qtmodeltester.check(model, force_py=True)
    model.set_view(OrderView.PENDING_DELIVERY)
    model.set_sort(SortKey.PAID, descending=True)
    model.set_search("SO-")
    model.refresh()
    model.set_search("")
    model.set_view(OrderView.ALL)
    assert model.rowCount() > 0


def test_all_lists_every_synced_order(model: OrderTableModel, reader: Store) -> None:
    assert model.rowCount() == reader.count_orders(OrderQuery(), utc_now()) > 40
    ids = [row.id for row in all_rows(model)]
    assert len(ids) == len(set(ids)) == model.rowCount()


def test_only_blocks_near_what_was_read_are_held(model: OrderTableModel) -> None:
    all_rows(model)  # reads every row, block by block
    assert model.cached_rows() <= 3 * 16 < model.rowCount()


@pytest.mark.parametrize("view", list(VIEW_STATUSES))
def test_a_status_view_shows_exactly_its_statuses(
    model: OrderTableModel, reader: Store, view: OrderView
) -> None:
    everything = {row.id: row for row in all_rows(model)}
    model.set_view(view)
    rows = all_rows(model)
    assert {row.status for row in rows} <= VIEW_STATUSES[view]
    expected = {i for i, row in everything.items() if row.status in VIEW_STATUSES[view]}
    assert {row.id for row in rows} == expected
    assert model.rowCount() == reader.view_counts(model.now)[view]


def test_needs_my_action_holds_requests_to_answer_and_deliveries_due(
    model: OrderTableModel,
) -> None:
    model.set_view(OrderView.NEEDS_ACTION)
    rows = all_rows(model)
    assert rows, "the seeded world has requests waiting for an answer"
    for row in rows:
        assert row.status in {
            OrderStatus.PENDING_DELIVERY,
            OrderStatus.REFUND_REQUESTED,
            OrderStatus.AWAITING_CONFIRMATION,
        }
        assert row.deadline_actor is not None and row.deadline_actor.value == "merchant"


def test_search_finds_an_order_by_number_and_by_a_latin_buyer_name(
    model: OrderTableModel,
) -> None:
    rows = all_rows(model)
    target = rows[len(rows) // 2]
    model.set_search(target.number)
    assert [row.id for row in all_rows(model)] == [target.id]

    latin = next(row for row in rows if re.fullmatch(r"[A-Za-z ]+", row.buyer_name))
    word = latin.buyer_name.split()[-1]
    model.set_search(word.lower())
    found = all_rows(model)
    assert latin.id in {row.id for row in found}  # case-insensitive
    assert len(found) < len(rows)


def test_search_finds_a_two_character_cjk_query(model: OrderTableModel) -> None:
    rows = all_rows(model)
    match = next(CJK.search(row.buyer_name) for row in rows if CJK.search(row.buyer_name))
    assert match is not None
    query = match.group()
    model.set_search(query)
    found = all_rows(model)
    assert found
    assert {row.id for row in rows if query in row.buyer_name} <= {row.id for row in found}


def test_a_search_with_no_match_is_empty(model: OrderTableModel) -> None:
    model.set_search("no such order anywhere 9f3a")
    assert model.rowCount() == 0


def _key(row: OrderRow, column: Column) -> object:
    match column:
        case Column.NUMBER:
            return row.number
        case Column.NET:
            return row.net_settlement.amount
        case Column.UPDATED:
            return row.updated_at
        case Column.UNREAD:
            return row.unread
        case Column.SYNC:
            return row.pending_operations
        case Column.DEADLINE:
            return row.deadline_at or datetime.max.replace(tzinfo=UTC)
        case _:
            return None


@pytest.mark.parametrize("spec", COLUMNS, ids=[spec.title for spec in COLUMNS])
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_every_column_sorts(model: OrderTableModel, spec: object, descending: bool) -> None:
    assert isinstance(spec, ColumnSpec)
    order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
    model.sort(spec.column, order)
    assert model.query.sort is spec.sort and model.query.descending is descending
    rows = all_rows(model)
    assert len({row.id for row in rows}) == len(rows) == model.rowCount()
    keys = [_key(row, spec.column) for row in rows]
    if keys[0] is not None:
        assert keys == sorted(keys, reverse=descending)  # type: ignore[type-var]
    if spec.column is Column.BUYER:
        names = [row.buyer_name for row in rows]
        assert names[0] != names[-1]


def test_display_text_and_roles(model: OrderTableModel, formatter: Formatter) -> None:
    index = model.index(0, Column.PAID)
    row = index.data(ORDER_ROW_ROLE)
    assert isinstance(row, OrderRow)
    assert index.data() == formatter.money(row.paid)
    assert model.index(0, Column.NUMBER).data() == row.number
    assert model.index(0, Column.NUMBER).data(ORDER_ID_ROLE) == row.id
    assert model.index(0, Column.STATUS).data() == row.status_label


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        ("SO-P0005175", False),
        ("María Fernández · ES", False),
        ("¥15,800", False),
        ("overdue 5 d · You", False),
        ("10/30/26, 7:13\u202fPM", False),
        ("↻ 2", False),
        ("⚠", False),
        ("", False),
        ("فاطمة الرشيد", True),  # joined letters
        ("नमस्ते", True),  # clusters
        ("Jose\u0301", True),  # a combining accent
        ("Dev \U0001f469\u200d\U0001f4bb", True),  # an emoji sequence
        ("⚠\ufe0f", True),  # emoji presentation
        ("鈴木 大翔", True),  # (not in the short list: shaped, as before)
    ],
)
def test_which_cell_texts_need_shaping(text: str, shaped: bool) -> None:
    assert needs_shaping(text) is shaped


def test_every_painted_role_of_every_cell_follows_its_row(
    model: OrderTableModel, formatter: Formatter
) -> None:
    """Each row's painted roles are made once: they must still say what the row says."""
    bold, red = Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ForegroundRole
    unshaped = QFont()
    unshaped.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    seen_shaped = seen_urgent = False
    for row_number in range(model.rowCount()):
        row = model.index(row_number, 0).data(ORDER_ROW_ROLE)
        assert isinstance(row, OrderRow)
        urgency = deadline_urgency(row, model.now)
        for spec in COLUMNS:
            index = model.index(row_number, spec.column)
            text = index.data()
            assert text == cell_text(spec.column, row, formatter, model.now)
            alignment = index.data(Qt.ItemDataRole.TextAlignmentRole)
            assert Qt.AlignmentFlag(alignment) == spec.alignment
            font = index.data(bold)
            strong = (
                (spec.column is Column.DEADLINE and urgency in (Urgency.OVERDUE, Urgency.SOON))
                or (spec.column is Column.UNREAD and row.unread > 0)
                or (spec.column is Column.SYNC and row.sync_problem)
            )
            if needs_shaping(text):
                seen_shaped = True
                assert isinstance(font, QFont)
                # (what the delegate paints with, in the table's font that skips shaping)
                shown = font.resolve(unshaped)
                assert shown.styleStrategy() == QFont.StyleStrategy.PreferDefault
                assert shown.bold() == strong
            if strong:
                assert isinstance(font, QFont) and font.bold()
            elif font is not None:
                assert isinstance(font, QFont) and not font.bold()
            foreground = index.data(red)
            background = index.data(Qt.ItemDataRole.BackgroundRole)
            if spec.column is Column.DEADLINE and urgency is Urgency.OVERDUE:
                seen_urgent = True
                assert isinstance(foreground, QBrush) and background is None
            elif spec.column is Column.DEADLINE and urgency is Urgency.SOON:
                seen_urgent = True
                assert isinstance(foreground, QBrush) and isinstance(background, QBrush)
            elif spec.column is Column.SYNC and row.sync_problem:
                assert isinstance(foreground, QBrush)
            else:
                assert foreground is None and background is None
            assert index.data(Qt.ItemDataRole.DecorationRole) is None
            assert index.data(Qt.ItemDataRole.CheckStateRole) is None
    assert seen_shaped and seen_urgent  # (the sandbox's orders have both)


def test_a_refresh_after_a_sync_keeps_persistent_indexes_on_their_orders(
    synced: SyncedCache, formatter: Formatter
) -> None:
    with Store.open(synced.path) as store:
        model = OrderTableModel(store, formatter, utc_now, block_size=16, max_blocks=3)
        model.set_sort(SortKey.NUMBER, descending=True)
        kept = model.row_at(5)
        assert kept is not None
        persistent = QPersistentModelIndex(model.index(5, 2))
        all_rows(model)  # scrolls through everything: the selected row's block stays pinned
        before = model.rowCount()
        synced.platform.new_orders(count=3)  # newer numbers: they sort first, descending
        synced.sync()
        model.refresh()
        assert model.rowCount() == before + 3
        assert persistent.isValid()
        assert (persistent.row(), persistent.column()) == (8, 2)
        assert persistent.data(ORDER_ID_ROLE) == kept.id


def test_with_a_runner_queries_are_read_off_the_gui_thread_then_shown_at_once(
    qtbot: QtBot, shared_cache: Path, reader: Store, formatter: Formatter
) -> None:
    runner = BackgroundRunner()
    with Store.open(shared_cache) as background:
        model = OrderTableModel(
            reader, formatter, utc_now, runner=runner, background_source=background
        )
        everything = model.rowCount()
        model.set_view(OrderView.COMPLETED)
        # Nothing changes until the background read is back on the GUI thread.
        assert not model.settled
        assert model.query.view is OrderView.ALL and model.rowCount() == everything
        assert model.requested_query.view is OrderView.COMPLETED
        with qtbot.waitSignal(model.query_changed):
            pass
        assert model.settled and model.query.view is OrderView.COMPLETED
        assert {row.status for row in all_rows(model)} == {OrderStatus.COMPLETED}
        # Requests made while a read runs collapse into the newest.
        model.set_view(OrderView.ALL)
        model.set_search("SO-")
        model.set_sort(SortKey.NUMBER, descending=True)
        qtbot.waitUntil(lambda: model.settled)
        assert model.query == OrderQuery(OrderView.ALL, "SO-", SortKey.NUMBER, True)
        numbers = [row.number for row in all_rows(model)]
        assert numbers == sorted(numbers, reverse=True)
        qtbot.waitUntil(runner.is_idle)


def test_a_search_shows_its_first_rows_then_grows_to_its_count_keeping_the_selection(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    shared_cache: Path,
    reader: Store,
    formatter: Formatter,
) -> None:
    runner = BackgroundRunner()
    with Store.open(shared_cache) as background:
        model = OrderTableModel(
            reader, formatter, utc_now, runner=runner, background_source=background, block_size=8
        )
        qtmodeltester.check(model, force_py=True)
        total = reader.count_orders(OrderQuery(search="SO-"), utc_now())
        assert total > 8
        known: list[bool] = []
        model.count_known_changed.connect(known.append)
        with qtbot.waitSignal(model.query_changed):
            model.set_search("SO-")
        # The rows are shown before the count: the first block, and "at least" that many.
        assert model.settled and not model.count_known
        assert model.rowCount() == 8 and known == [False]
        kept = QPersistentModelIndex(model.index(5, 3))
        kept_id = kept.data(ORDER_ID_ROLE)
        # An order asked for below the rows read (a notification opens it) is reachable.
        far = reader.list_orders(model.query, 10, 1, utc_now())[0]
        assert model.row_of(far.id) == 10 and model.rowCount() == 11
        assert model.index(10, 0).data(ORDER_ID_ROLE) == far.id and not model.count_known
        with qtbot.waitSignal(model.rowsInserted) as inserted:
            pass
        assert inserted.args[1:] == [11, total - 1]
        assert model.count_known and known == [False, True]
        assert model.rowCount() == total
        assert (kept.row(), kept.column()) == (5, 3) and kept.data(ORDER_ID_ROLE) == kept_id
        assert len({row.id for row in all_rows(model)}) == total
        # A refresh of the rows shown keeps the table's size: the count is read with them.
        model.refresh()
        qtbot.waitUntil(lambda: model.settled)
        assert model.count_known and model.rowCount() == total and known == [False, True]
        # Few matches: the first read has them all, the count is known at once.
        target = all_rows(model)[3]
        with qtbot.waitSignal(model.query_changed):
            model.set_search(target.number)
        assert model.count_known and model.rowCount() == 1 and known[-1] is True
        qtbot.waitUntil(runner.is_idle)


def test_a_count_read_for_rows_no_longer_shown_is_dropped(
    qtbot: QtBot, shared_cache: Path, reader: Store, formatter: Formatter
) -> None:
    runner = BackgroundRunner()
    with Store.open(shared_cache) as background:
        model = OrderTableModel(
            reader, formatter, utc_now, runner=runner, background_source=background, block_size=4
        )
        with qtbot.waitSignal(model.query_changed):
            model.set_search("SO-")
        model.rows_painted()  # (as the view does once it has painted them): "SO-" is counted
        assert not runner.is_idle()
        with qtbot.waitSignal(model.query_changed):
            model.set_view(OrderView.COMPLETED)  # while "SO-" is being counted
        qtbot.waitUntil(lambda: model.count_known)
        qtbot.waitUntil(runner.is_idle)
        completed = reader.count_orders(OrderQuery(OrderView.COMPLETED, "SO-"), utc_now())
        assert model.rowCount() == completed
