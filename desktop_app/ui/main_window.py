"""The main window: status views, search and the order table, the detail pane, the status bar.

It composes widgets and wires their signals; each widget holds its own logic. Everything it
needs comes in through `WindowContext`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QSplitter, QVBoxLayout, QWidget

from desktop_app.domain import ActionKind, Order
from desktop_app.store.types import (
    PROBLEM_STATES,
    UNFINISHED_STATES,
    OperationState,
    OrderQuery,
    OrderView,
    SyncStatus,
)
from desktop_app.ui.actions import ActionController, ActionService, OutboxStore
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.models.order_rows import OrderSource
from desktop_app.ui.models.order_table_model import OrderTableModel
from desktop_app.ui.models.status_views_model import StatusViewsModel
from desktop_app.ui.settings import UiSettings
from desktop_app.ui.status_bar import StatusBar, SyncSnapshot
from desktop_app.ui.sync_bridge import ConnectionState, SyncBridge
from desktop_app.ui.views.order_detail import DetailSource, OrderDetailPane
from desktop_app.ui.views.order_table import OrderTable
from desktop_app.ui.views.result_count import ResultCount
from desktop_app.ui.views.search_field import SearchField
from desktop_app.ui.views.status_views import StatusViewList
from desktop_app.ui.workers import BackgroundRunner, LatestOnly

__all__ = ["MainWindow", "WindowContext", "WindowStore"]

log = logging.getLogger(__name__)

TICK_MS = 30_000  # countdowns and "last synced" re-worded, Needs-my-action re-evaluated
REFRESH_COALESCE_MS = 50  # a burst of sync events becomes one refresh


class WindowStore(OrderSource, DetailSource, OutboxStore, Protocol):
    """The store's read API, and the outbox's write API, as the window uses them."""

    def view_counts(self, now: datetime) -> dict[OrderView, int]: ...

    def sync_status(self) -> SyncStatus: ...

    def outbox_counts(self) -> dict[OperationState, int]: ...


@dataclass(frozen=True)
class WindowContext:
    store: WindowStore  # the GUI thread's own read connection
    background_store: WindowStore  # a second read connection, for reads off the GUI thread
    count_store: WindowStore  # a third, for counts (off the GUI thread too)
    formatter: Formatter
    clock: Callable[[], datetime]
    runner: BackgroundRunner
    settings: UiSettings
    sync: SyncBridge | None = None  # None: the cache only, no account to sync with
    title: str = "OrderDesk"


_Counts = tuple[dict[OrderView, int], SyncStatus, dict[OperationState, int]]


class MainWindow(QMainWindow):
    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = context
        self.setObjectName("mainWindow")
        self.setWindowTitle(context.title)
        settings = context.settings
        sort_key, descending = settings.sort

        self.views_model = StatusViewsModel(self)
        self.views = StatusViewList(self.views_model)
        self.orders_model = OrderTableModel(
            context.store,
            context.formatter,
            context.clock,
            query=OrderQuery(view=settings.view, sort=sort_key, descending=descending),
            runner=context.runner,
            background_source=context.background_store,
            count_source=context.count_store,
            parent=self,
        )
        self.search = SearchField()
        self.result_count = ResultCount(self.orders_model)
        self.table = OrderTable(self.orders_model)
        self.detail = OrderDetailPane(context.store, context.formatter, context.clock)
        self.status = StatusBar(context.formatter, context.clock)
        self.setStatusBar(self.status)
        sync = context.sync
        self.action_service = ActionService(
            context.background_store,
            context.runner,
            context.clock,
            push=sync.push_now if sync is not None else None,
            parent=self,
        )
        self.order_actions = ActionController(
            self,
            service=self.action_service,
            reader=context.store,
            runner=context.runner,
            formatter=context.formatter,
            clock=context.clock,
            detail=self.detail,
            table=self.table,
            sync=sync,
            open_order=self.open_order,
        )

        list_area = QWidget()
        list_layout = QVBoxLayout(list_area)
        list_layout.setContentsMargins(0, 0, 0, 0)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.result_count)
        list_layout.addLayout(search_row)
        list_layout.addWidget(self.table, 1)
        self.list_splitter = QSplitter(Qt.Orientation.Vertical)
        self.list_splitter.setObjectName("listSplitter")
        self.list_splitter.addWidget(list_area)
        detail_area = QWidget()
        detail_layout = QVBoxLayout(detail_area)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.order_actions.banner)
        detail_layout.addWidget(self.detail, 1)
        self.list_splitter.addWidget(detail_area)
        self.list_splitter.setStretchFactor(0, 3)
        self.list_splitter.setStretchFactor(1, 2)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(self.views)
        self.main_splitter.addWidget(self.list_splitter)
        self.main_splitter.setStretchFactor(0, 0)
        self.main_splitter.setStretchFactor(1, 1)
        self.main_splitter.setSizes([230, 1200])
        self.setCentralWidget(self.main_splitter)

        self._counts_job: LatestOnly[_Counts] = LatestOnly(
            context.runner, self._show_counts, self._counts_failed
        )
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_COALESCE_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.refresh)
        self._pending_ids: set[str] | None = set()
        self._connection = ConnectionState()
        self._stored = SyncSnapshot()  # what the store says: last sync, error, outbox

        self._build_actions()
        self._connect()
        self._restore_state()
        self.views.select_view(settings.view)
        self.refresh_counts()
        self._tick.start()

    # -- building ------------------------------------------------------------------------------

    def _build_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.sync_action = QAction("&Sync now", self)
        self.sync_action.setObjectName("syncNowAction")
        self.sync_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.sync_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.sync_action.triggered.connect(self.sync_now)
        self.sync_action.setEnabled(self._ctx.sync is not None)
        file_menu.addAction(self.sync_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = menu.addMenu("&View")
        find = QAction("&Find…", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self._focus_search)
        view_menu.addAction(find)
        self.columns_menu = view_menu.addMenu("&Columns")
        self.columns_menu.aboutToShow.connect(self._fill_columns_menu)
        for number, view in enumerate(
            [
                OrderView.NEEDS_ACTION,
                OrderView.PENDING_DELIVERY,
                OrderView.AWAITING_CONFIRMATION,
                OrderView.REFUND_REQUESTS,
                OrderView.IN_MEDIATION,
                OrderView.DELIVERY_REFUSED,
                OrderView.COMPLETED,
                OrderView.REFUNDED_CANCELLED,
                OrderView.ALL,
            ],
            start=1,
        ):
            action = QAction(view.label, self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _=False, v=view: self.views.select_view(v))
            view_menu.addAction(action)
        self.order_menu = self.order_actions.fill_menu(menu)

    def _connect(self) -> None:
        self.views.view_chosen.connect(self._view_chosen)
        self.search.search_changed.connect(self.orders_model.set_search)
        self.orders_model.query_changed.connect(self._query_changed)
        self.orders_model.read_failed.connect(self._show_error)
        self.detail.read_failed.connect(self._show_error)
        self.detail.action_requested.connect(self._action_requested)
        self.table.current_order_changed.connect(self._order_chosen)
        self.status.sync_requested.connect(self.sync_now)
        self.status.pending_requested.connect(lambda: self.order_actions.show_pending())
        self.order_actions.message.connect(self._show_error)
        self.order_actions.outbox_written.connect(self._outbox_changed)
        self._ctx.runner.job_failed.connect(lambda error: self._show_error(str(error)))
        sync = self._ctx.sync
        if sync is not None:
            sync.orders_changed.connect(self._orders_changed)
            sync.outbox_changed.connect(self._outbox_changed)
            sync.state_changed.connect(self._sync_state_changed)

    def _restore_state(self) -> None:
        settings = self._ctx.settings
        if settings.geometry is not None:
            self.restoreGeometry(settings.geometry)
        else:
            self._first_geometry()
        if settings.main_splitter is not None:
            self.main_splitter.restoreState(settings.main_splitter)
        if settings.list_splitter is not None:
            self.list_splitter.restoreState(settings.list_splitter)
        else:
            height = self.height()
            self.list_splitter.setSizes([int(height * 0.55), int(height * 0.45)])
        self.table.restore_header(settings.header_state)
        query = self.orders_model.query
        self.table.enable_sorting(query.sort, query.descending)
        tab = settings.detail_tab
        if 0 <= tab < self.detail.tabs.count():
            self.detail.tabs.setCurrentIndex(tab)

    def _first_geometry(self) -> None:
        """Most of the screen on the first start (the table has many columns)."""
        screen = self.screen().availableGeometry()
        width = min(1560, max(1000, int(screen.width() * 0.95)))
        height = min(980, max(700, int(screen.height() * 0.95)))
        self.resize(min(width, screen.width()), min(height, screen.height()))
        frame = self.frameGeometry()
        frame.moveCenter(screen.center())
        self.move(frame.topLeft())

    def save_state(self) -> None:
        settings = self._ctx.settings
        settings.geometry = self.saveGeometry()
        settings.main_splitter = self.main_splitter.saveState()
        settings.list_splitter = self.list_splitter.saveState()
        settings.header_state = self.table.save_header()
        settings.sort = self.table.sort_state()
        view = self.views.current_view()
        if view is not None:
            settings.view = view
        settings.detail_tab = self.detail.tabs.currentIndex()
        settings.sync()

    # -- reacting ------------------------------------------------------------------------------

    def _view_chosen(self, view: OrderView) -> None:
        self.orders_model.set_view(view)

    def _query_changed(self) -> None:
        current = self.table.currentIndex()
        if current.isValid():
            self.table.scrollTo(current)
        else:
            self.table.scrollToTop()

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _fill_columns_menu(self) -> None:
        self.columns_menu.clear()
        for action in self.table.column_actions(self.columns_menu):
            self.columns_menu.addAction(action)

    def _orders_changed(self, ids: frozenset[str] | None) -> None:
        if ids is None or self._pending_ids is None:
            self._pending_ids = None
        else:
            self._pending_ids |= ids
        self._refresh_timer.start()

    def _outbox_changed(self) -> None:
        self._pending_ids = None  # the outbox changes what rows and the history show
        self._refresh_timer.start()

    def _sync_state_changed(self, state: ConnectionState) -> None:
        was_syncing = self._connection.syncing
        self._connection = state
        self._show_snapshot()
        if was_syncing and not state.syncing:
            self.refresh_counts()

    def refresh(self) -> None:
        """Re-read what the window shows: rows, counts, the open order, the status bar."""
        changed, self._pending_ids = self._pending_ids, set()
        self.orders_model.refresh()
        order_id = self.detail.order_id
        if order_id is not None and (changed is None or order_id in changed or not changed):
            self.detail.reload()
        self.order_actions.order_shown(self.detail.order)
        self.status.update_times()
        self.refresh_counts()

    def refresh_counts(self) -> None:
        store, clock = self._ctx.count_store, self._ctx.clock

        def read() -> _Counts:
            return store.view_counts(clock()), store.sync_status(), store.outbox_counts()

        self._counts_job.request(read)

    @property
    def counts_pending(self) -> bool:
        return self._counts_job.busy

    @property
    def settled(self) -> bool:
        """Nothing being read in the background: rows and counts show the latest query."""
        return self.orders_model.settled and not self._counts_job.busy

    def _show_counts(self, result: _Counts) -> None:
        counts, sync_status, outbox = result
        self.views_model.set_counts(counts)
        self._stored = SyncSnapshot(
            last_success_at=sync_status.last_success_at,
            last_error=sync_status.last_error,
            queued=sum(outbox.get(state, 0) for state in UNFINISHED_STATES),
            problems=sum(outbox.get(state, 0) for state in PROBLEM_STATES),
        )
        self._show_snapshot()

    def _show_snapshot(self) -> None:
        """The status bar from the engine's latest word and the store's record."""
        live, stored = self._connection, self._stored
        moments = [m for m in (live.last_success_at, stored.last_success_at) if m is not None]
        self.status.show_snapshot(
            SyncSnapshot(
                online=live.online,
                syncing=live.syncing,
                progress=live.progress,
                last_success_at=max(moments) if moments else None,
                # The engine's word is the newest; before it speaks, the store's record.
                last_error=live.error if live.online is not None else stored.last_error,
                auth_required=live.auth_required,
                standby=live.standby and live.error is not None,
                queued=stored.queued,
                problems=stored.problems,
                sync_available=self._ctx.sync is not None,
            )
        )

    def _counts_failed(self, error: BaseException) -> None:
        log.error("counting orders failed", exc_info=error)
        self._show_error(f"Could not count the orders: {error}")

    def _show_error(self, text: str) -> None:
        self.status.showMessage(text, 15_000)

    def sync_now(self) -> None:
        sync = self._ctx.sync
        if sync is not None:
            sync.sync_now()

    def _order_chosen(self, order_id: str | None) -> None:
        self.detail.show_order(order_id)
        self.order_actions.order_shown(self.detail.order)
        order, sync = self.detail.order, self._ctx.sync
        if order is None or sync is None or order.last_message_at is None:
            return
        # Ask the engine for what is new in this conversation before other orders'. It writes
        # the wish to the cache: off the GUI thread, as a sync may hold the write lock.
        order_id = order.id
        self._ctx.runner.run(lambda: sync.request_messages(order_id))

    def _action_requested(self, kind: ActionKind) -> None:
        order = self.detail.order
        if order is None:
            return
        self._act(order, kind)

    def _act(self, order: Order, kind: ActionKind) -> None:
        self.order_actions.act(order.id, kind)

    def open_order(self, order_id: str) -> None:
        """Show `order_id`: selected in the table if the view has it, else in the detail."""
        if not self.select_order(order_id):
            self._order_chosen(order_id)

    # -- for tests and the benchmark -----------------------------------------------------------

    def select_order(self, order_id: str) -> bool:
        found = self.table.select_order(order_id)
        if found:
            index = self.table.currentIndex()
            self.table.selectionModel().select(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        return found

    # -- closing -------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self._tick.stop()
        self._refresh_timer.stop()
        self.save_state()
        super().closeEvent(event)
