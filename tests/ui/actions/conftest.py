"""Fixtures of the action tests: the window of tests/ui over a cache synced from the sandbox,
and `Acting`, a small driver that plays the operator (find an order, open it, click, type)
and the platform (the buyer's moves, faults, the ledger).

One sandbox serves the whole package (each test still resets its world and syncs a fresh
cache: see tests/ui/conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain import Order, OrderStatus, utc_now
from desktop_app.sandbox.server import RunningSandbox, SandboxOptions, start_sandbox
from desktop_app.store import OperationState, OrderQuery, OrderView, OutboxEntry
from desktop_app.ui.actions import ActionController
from desktop_app.ui.main_window import MainWindow

from ..conftest import OFFSCREEN_NOTICE, ORDERS, SEED, SyncedCache

D = TypeVar("D", bound=QDialog)


@pytest.fixture(scope="package")
def sandbox() -> Iterator[RunningSandbox]:
    """One sandbox for every module of this package (the worlds are reset per test)."""
    with start_sandbox(SandboxOptions(orders=ORDERS, seed=SEED, control=True), port=0) as running:
        yield running


@dataclass
class Acting:
    qtbot: QtBot
    window: MainWindow
    synced: SyncedCache

    # -- the operator ------------------------------------------------------------------------

    @property
    def controller(self) -> ActionController:
        return self.window.order_actions

    def settle(self) -> None:
        """Wait until no write is on its way and the window shows what the cache holds."""
        self.qtbot.waitUntil(
            lambda: self.controller.settled and self.window.settled, timeout=10_000
        )

    def orders(self, status: OrderStatus, count: int, **wanted: Any) -> list[Order]:
        """`count` cached orders in `status` (optionally without a pending extension)."""
        store = self.synced.store
        rows = store.list_orders(OrderQuery(view=OrderView.ALL), 0, 1000, utc_now())
        found = []
        for row in rows:
            order = store.get_order(row.id)
            if order is None or order.status is not status:
                continue
            if wanted.get("no_extension") and order.extension_request is not None:
                continue
            found.append(order)
            if len(found) == count:
                return found
        raise AssertionError(f"the sandbox has fewer than {count} orders in {status}")

    def show(self, order_id: str) -> Order:
        """Choose `order_id` in the All view; returns the order as the detail shows it."""
        window = self.window
        window.views.select_view(OrderView.ALL)
        self.qtbot.waitUntil(lambda: window.settled)
        assert window.select_order(order_id)
        order = window.detail.order
        assert order is not None and order.id == order_id
        return order

    def select(self, order_ids: list[str]) -> None:
        """A multi-selection of these orders in the All view (as Ctrl+click makes one)."""
        window = self.window
        window.views.select_view(OrderView.ALL)
        self.qtbot.waitUntil(lambda: window.settled)
        model, selection = window.orders_model, window.table.selectionModel()
        selection.clearSelection()
        for order_id in order_ids:
            row = model.row_of(order_id)
            assert row is not None, order_id
            selection.select(
                model.index(row, 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )
        assert len(window.table.selected_rows()) == len(order_ids)

    def click(self, widget: QWidget) -> None:
        assert widget.isEnabled(), f"{widget.objectName()} is disabled: {widget.toolTip()}"
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)

    def dialog(self, kind: type[D]) -> D:
        """The operation dialog the controller opened, once it is shown."""
        self.qtbot.waitUntil(lambda: isinstance(self.controller.dialog, kind))
        dialog = self.controller.dialog
        assert isinstance(dialog, kind)
        self.qtbot.waitExposed(dialog)
        return dialog

    def press_shortcut(self, sequence: str) -> None:
        """A keyboard shortcut typed in the main window (which must be the active window)."""
        window = self.window
        window.activateWindow()
        self.qtbot.waitUntil(window.isActiveWindow)
        key = sequence.split("+")[-1]
        modifiers = Qt.KeyboardModifier.NoModifier
        if "Ctrl" in sequence:
            modifiers |= Qt.KeyboardModifier.ControlModifier
        if "Shift" in sequence:
            modifiers |= Qt.KeyboardModifier.ShiftModifier
        self.qtbot.keyClick(window.table, getattr(Qt.Key, f"Key_{key}"), modifiers)

    def finish(self, dialog: QDialog) -> OutboxEntry:
        """Click the dialog's primary button and wait until it closed, queued."""
        queued: list[OutboxEntry] = []
        dialog.queued.connect(queued.append)  # type: ignore[attr-defined]
        with self.qtbot.waitSignal(dialog.finished, timeout=10_000):
            self.click(dialog.primary_button)  # type: ignore[attr-defined]
        assert len(queued) == 1 and dialog.result() == QDialog.DialogCode.Accepted
        return queued[0]

    # -- the cache and the platform ----------------------------------------------------------

    def operations(self, order_id: str) -> list[OutboxEntry]:
        return list(self.synced.store.operations(order_id))

    def state(self, entry: OutboxEntry) -> OperationState:
        return self.synced.store.operation(entry.id).state

    def sync(self) -> None:
        """One sync cycle (pull, push, conversations), then the window caught up."""
        self.synced.sync()
        self.settle()

    def buyer(self, order_id: str, move: str, body: dict[str, Any] | None = None) -> Any:
        return self.synced.platform.move(order_id, f"buyer/{move}", body)

    def faults(self, **settings: float) -> None:
        self.synced.platform.set_faults(**settings)

    def ledger(self) -> list[dict[str, Any]]:
        return self.synced.platform.ledger("demo")

    def applied_once(self, entry: OutboxEntry) -> dict[str, Any]:
        """The ledger's one entry for `entry`'s key (the platform applied it exactly once)."""
        entries = [e for e in self.ledger() if e["idempotency_key"] == entry.idempotency_key]
        assert len(entries) == 1, entries
        return entries[0]


@pytest.fixture
def acting(qtbot: QtBot, window: MainWindow, synced: SyncedCache) -> Iterator[Acting]:
    driver = Acting(qtbot, window, synced)
    try:
        yield driver
    finally:
        driver.faults()
        for dialog in window.findChildren(QDialog):
            dialog.close()


# Qt's offscreen platform cannot raise a window either; an open dialog asked for again is
# brought forward, which it says. The dialog itself is fine. (pytest-qt reads only the closest
# qt_log_ignore marker, so this one repeats the parent package's notice.)
OFFSCREEN_RAISE = "This plugin does not support raise()"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(
                pytest.mark.qt_log_ignore(re.escape(OFFSCREEN_NOTICE), re.escape(OFFSCREEN_RAISE))
            )
