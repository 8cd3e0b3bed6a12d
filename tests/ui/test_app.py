"""Opening the window: a cache written by an older OrderDesk is updated behind a busy dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog
from pytestqt.qtbot import QtBot

from desktop_app.store import OrderView, Store, StoreError
from desktop_app.store.connection import upgrade_pending
from desktop_app.store.rows import upsert_orders
from desktop_app.ui.app import UPGRADE_TEXT, build_window
from tests.store.factories import make_order
from tests.store.test_migrations import at_revision


def _dialogs_while(action: object) -> tuple[object, list[str]]:
    """Run `action()`, noting the text of every busy dialog shown meanwhile."""
    seen: list[str] = []

    def look() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QProgressDialog) and widget.isVisible():
                seen.append(widget.labelText())

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(5)
    try:
        result = action()  # type: ignore[operator]
    finally:
        timer.stop()
    return result, seen


def test_an_older_cache_is_updated_behind_a_busy_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    order = make_order(1, buyer="王芳")
    with Store.open(path) as store, store.write() as conn:
        upsert_orders(conn, [order])
    at_revision(path, "0006")
    assert upgrade_pending(path)

    (window, close), seen = _dialogs_while(  # type: ignore[misc]
        lambda: build_window(cache=path, settings_path=tmp_path / "ui.ini", sync=None, title="t")
    )
    qtbot.addWidget(window)
    try:
        assert seen and set(seen) == {UPGRADE_TEXT}  # (shown while the update ran)
        assert not upgrade_pending(path)
        window.views.select_view(OrderView.ALL)
        qtbot.waitUntil(lambda: window.orders_model.query.view is OrderView.ALL)
        row = window.orders_model.row_at(0)
        assert window.orders_model.rowCount() == 1 and row is not None and row.id == order.id
    finally:
        window.close()
        close()


def test_an_up_to_date_cache_opens_without_a_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Store.open(path):
        pass
    (window, close), seen = _dialogs_while(  # type: ignore[misc]
        lambda: build_window(cache=path, settings_path=tmp_path / "ui.ini", sync=None, title="t")
    )
    qtbot.addWidget(window)
    window.close()
    close()
    assert seen == []


def test_a_cache_that_cannot_be_updated_says_why(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Store.open(path):
        pass
    at_revision(path, "0006")
    with Store.open(path) as store, store.write() as conn:  # (now at the head again)
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError, match="newer OrderDesk"):
        build_window(cache=path, settings_path=tmp_path / "ui.ini", sync=None, title="t")
