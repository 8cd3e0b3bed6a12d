"""The main window over a cache filled by the real sync: views, search, sorting, the selection
across a sync, the status bar, and the remembered layout."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop_app.domain import ApproveRefund, utc_now
from desktop_app.store import OrderRow, OrderView, SortKey
from desktop_app.sync.lock import ProfileLock, lock_path_for
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.models.order_columns import Column
from desktop_app.ui.models.order_table_model import ORDER_ROW_ROLE
from desktop_app.ui.views.result_count import result_count_text
from desktop_app.ui.views.search_field import SearchField

from .conftest import SyncedCache, WindowFactory


def rows_of(window: MainWindow) -> list[OrderRow]:
    model = window.orders_model
    rows = [model.index(i, 0).data(ORDER_ROW_ROLE) for i in range(model.rowCount())]
    assert all(isinstance(row, OrderRow) for row in rows)
    return rows


def click_view(qtbot: QtBot, window: MainWindow, view: OrderView) -> None:
    views = window.views
    index = window.views_model.index(window.views_model.row_of(view), 0)
    rect = views.visualRect(index)
    qtbot.mouseClick(views.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    settle(qtbot, window)


def settle(qtbot: QtBot, window: MainWindow) -> None:
    """Wait for the background reads (the query, the counts) to be shown."""
    qtbot.waitUntil(lambda: window.settled)


def test_the_window_opens_with_views_counted_and_orders_listed(
    window: MainWindow, qtmodeltester: ModelTester
) -> None:
    counts = {view: window.views_model.count(view) or 0 for view in OrderView}
    assert counts[OrderView.ALL] > 0
    assert counts[OrderView.ALL] == sum(
        counts[v] for v in OrderView if v not in (OrderView.ALL, OrderView.NEEDS_ACTION)
    )
    assert window.orders_model.query.view is OrderView.NEEDS_ACTION  # the default view
    assert window.orders_model.rowCount() == counts[OrderView.NEEDS_ACTION]
    qtmodeltester.check(window.views_model, force_py=True)
    qtmodeltester.check(window.orders_model, force_py=True)


def test_choosing_a_view_filters_the_table(qtbot: QtBot, window: MainWindow) -> None:
    click_view(qtbot, window, OrderView.COMPLETED)
    assert window.orders_model.query.view is OrderView.COMPLETED
    rows = rows_of(window)
    assert rows and {row.status.value for row in rows} == {"completed"}
    assert len(rows) == window.views_model.count(OrderView.COMPLETED)
    click_view(qtbot, window, OrderView.ALL)
    assert window.orders_model.rowCount() == window.views_model.count(OrderView.ALL)


def test_typing_in_search_narrows_the_table_after_a_pause(qtbot: QtBot, window: MainWindow) -> None:
    click_view(qtbot, window, OrderView.ALL)
    target = rows_of(window)[3]
    with qtbot.waitSignal(window.search.search_changed, timeout=3000):
        qtbot.keyClicks(window.search, target.number)
    settle(qtbot, window)
    assert window.orders_model.query.search == target.number
    assert [row.id for row in rows_of(window)] == [target.id]
    assert window.result_count.text() == "1 order found"
    with qtbot.waitSignal(window.search.search_changed, timeout=3000):
        window.search.clear()
    settle(qtbot, window)
    assert window.orders_model.rowCount() == window.views_model.count(OrderView.ALL)
    assert window.result_count.text() == f"{window.orders_model.rowCount()} orders"


def test_the_search_field_says_what_short_queries_search_and_the_count_is_honest(
    qtbot: QtBot,
) -> None:
    field = SearchField()
    qtbot.addWidget(field)
    assert "1–2 characters: buyer or service" in field.placeholderText()
    assert "three characters or more" in field.toolTip().lower()
    assert result_count_text(64, known=False, searching=True) == "64+ orders · counting…"
    assert result_count_text(1234, known=True, searching=True) == "1,234 orders found"
    assert result_count_text(1, known=True, searching=False) == "1 order"


def test_clicking_a_header_sorts_by_that_column(qtbot: QtBot, window: MainWindow) -> None:
    click_view(qtbot, window, OrderView.ALL)
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(Column.NUMBER) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    settle(qtbot, window)
    query = window.orders_model.query
    assert query.sort is SortKey.NUMBER
    numbers = [row.number for row in rows_of(window)]
    assert numbers == sorted(numbers, reverse=query.descending)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    settle(qtbot, window)
    assert window.orders_model.query.descending is not query.descending
    numbers = [row.number for row in rows_of(window)]
    assert numbers == sorted(numbers, reverse=not query.descending)


def test_the_selection_and_the_detail_stay_on_their_order_across_a_sync(
    qtbot: QtBot, window: MainWindow, synced: SyncedCache
) -> None:
    click_view(qtbot, window, OrderView.PENDING_DELIVERY)
    window.orders_model.set_sort(SortKey.NUMBER, descending=True)
    settle(qtbot, window)
    chosen = rows_of(window)[4]
    assert window.select_order(chosen.id)
    assert window.detail.order is not None and window.detail.order.id == chosen.id
    before = window.orders_model.rowCount()

    # newest numbers: above the chosen one
    synced.platform.new_orders(count=2, status="pending_delivery")
    synced.engine.start()
    qtbot.keyClick(window, Qt.Key.Key_F5)  # Sync now
    qtbot.waitUntil(lambda: window.orders_model.rowCount() == before + 2, timeout=20_000)
    qtbot.waitUntil(lambda: window.views_model.count(OrderView.PENDING_DELIVERY) == before + 2)

    assert window.table.current_order_id() == chosen.id
    assert window.table.currentIndex().row() == 6
    assert [r.data(ORDER_ROW_ROLE).id for r in window.table.selectionModel().selectedRows()] == [
        chosen.id
    ]
    assert window.detail.order is not None and window.detail.order.id == chosen.id


def test_when_the_current_order_leaves_the_view_the_next_one_takes_its_row(
    qtbot: QtBot, window: MainWindow, synced: SyncedCache
) -> None:
    click_view(qtbot, window, OrderView.REFUND_REQUESTS)
    window.orders_model.set_sort(SortKey.NUMBER, descending=False)
    settle(qtbot, window)
    rows = rows_of(window)
    assert len(rows) >= 3
    assert window.select_order(rows[1].id)

    # The operator approves the refund: the order leaves the view, and the order below it
    # moves up into its row.
    order = synced.store.get_order(rows[1].id)
    assert order is not None and order.pending_refund is not None
    synced.store.enqueue(rows[1].id, ApproveRefund(order.pending_refund.id), utc_now())
    synced.engine.start()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.orders_model.rowCount() == len(rows) - 1, timeout=20_000)
    settle(qtbot, window)

    assert window.table.currentIndex().row() == 1
    assert window.table.current_order_id() == rows[2].id
    assert window.detail.order is not None and window.detail.order.id == rows[2].id

    # A new query does not pick an order for the operator.
    window.orders_model.set_search("no order is called like this")
    settle(qtbot, window)
    assert window.table.current_order_id() is None


def test_the_status_bar_tells_the_sync_state(window: MainWindow, qtbot: QtBot) -> None:
    status = window.status
    assert status.last_sync.text().startswith("Last synced")
    assert status.queued.text() == "No queued operations"
    assert status.errors.text() == ""
    assert window.sync_action.shortcut().toString() == "F5"
    assert status.sync_button.isEnabled()


def test_waiting_for_another_process_is_not_shown_as_an_error(
    window: MainWindow, synced: SyncedCache, qtbot: QtBot
) -> None:
    other = ProfileLock(lock_path_for(synced.path))  # as another OrderDesk would hold it
    assert other.acquire(0.0)
    try:
        report = synced.engine.run_once(lock_timeout=0.1)  # the engine's event reaches the bar
        assert report.pull is None
        qtbot.waitUntil(lambda: "Another OrderDesk" in window.status.errors.text())
        assert window.status.errors.text().startswith("Sync waits its turn: Another OrderDesk")
        assert "c62828" not in window.status.errors.styleSheet()
    finally:
        other.release()
    synced.sync()
    qtbot.waitUntil(lambda: window.status.errors.text() == "")


def test_columns_hidden_moved_resized_and_the_sort_are_remembered(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    first = make_window()
    first.resize(760, 620)  # within the offscreen screen, so the geometry restores as it was
    first.show()
    qtbot.waitExposed(first)
    first.list_splitter.setSizes([300, 250])
    header = first.table.horizontalHeader()
    first.table.set_column_visible(Column.SERVICE, False)
    header.moveSection(header.visualIndex(Column.UNREAD), 0)
    header.resizeSection(Column.BUYER, 321)
    first.orders_model.sort(Column.PAID, Qt.SortOrder.DescendingOrder)
    header.setSortIndicator(Column.PAID, Qt.SortOrder.DescendingOrder)
    first.views.select_view(OrderView.COMPLETED)
    settle(qtbot, first)
    sizes = first.list_splitter.sizes()
    first.close()

    second = make_window()
    second.show()
    qtbot.waitExposed(second)
    header = second.table.horizontalHeader()
    assert header.isSectionHidden(Column.SERVICE)
    assert header.visualIndex(Column.UNREAD) == 0
    assert header.sectionSize(Column.BUYER) == 321
    assert header.sortIndicatorSection() == Column.PAID
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert second.orders_model.query.sort is SortKey.PAID
    assert second.orders_model.query.descending
    assert second.orders_model.query.view is OrderView.COMPLETED
    assert second.size() == first.size()
    assert second.list_splitter.sizes() == sizes


def test_the_column_menu_hides_and_shows_a_column(window: MainWindow) -> None:
    actions = {action.text(): action for action in window.table.column_actions()}
    actions["Net receipt"].setChecked(False)
    assert window.table.horizontalHeader().isSectionHidden(Column.NET)
    actions["Net receipt"].setChecked(True)
    assert not window.table.horizontalHeader().isSectionHidden(Column.NET)
