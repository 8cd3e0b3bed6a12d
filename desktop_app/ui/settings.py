"""The window's remembered state, in one typed place: geometry, splitters, the table's columns
(widths, order, hidden) and sort, the chosen view.

Backed by a `QSettings` INI file whose path the caller chooses (the profile's folder, a test's
tmp_path), so nothing depends on the organisation name or the registry.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from desktop_app.store.types import OrderView, SortKey

__all__ = ["UiSettings"]

_GEOMETRY = "window/geometry"
_WINDOW_STATE = "window/state"
_MAIN_SPLITTER = "window/main_splitter"
_LIST_SPLITTER = "window/list_splitter"
_HEADER = "orders/header"
_SORT_KEY = "orders/sort_key"
_SORT_DESCENDING = "orders/sort_descending"
_VIEW = "orders/view"
_DETAIL_TAB = "detail/tab"
_VERSION = "settings/version"

SETTINGS_VERSION = 1


class UiSettings:
    """Reads and writes the window's state; every getter has a default."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)
        if self._int(_VERSION, 0) != SETTINGS_VERSION:
            # Layouts saved by another version may not fit this one's columns: start clean.
            self._settings.clear()
            self._settings.setValue(_VERSION, SETTINGS_VERSION)

    @property
    def path(self) -> Path:
        return Path(self._settings.fileName())

    def sync(self) -> None:
        self._settings.sync()

    # -- blobs saved by Qt widgets (saveState / saveGeometry) ------------------------------

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def _int(self, key: str, default: int) -> int:
        value = self._settings.value(key, default)
        try:
            return int(str(value))
        except ValueError:
            return default

    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes(_GEOMETRY)

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._settings.setValue(_GEOMETRY, value)

    @property
    def window_state(self) -> QByteArray | None:
        return self._bytes(_WINDOW_STATE)

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._settings.setValue(_WINDOW_STATE, value)

    @property
    def main_splitter(self) -> QByteArray | None:
        return self._bytes(_MAIN_SPLITTER)

    @main_splitter.setter
    def main_splitter(self, value: QByteArray) -> None:
        self._settings.setValue(_MAIN_SPLITTER, value)

    @property
    def list_splitter(self) -> QByteArray | None:
        return self._bytes(_LIST_SPLITTER)

    @list_splitter.setter
    def list_splitter(self, value: QByteArray) -> None:
        self._settings.setValue(_LIST_SPLITTER, value)

    @property
    def header_state(self) -> QByteArray | None:
        """The order table header: column widths, order and hidden columns."""
        return self._bytes(_HEADER)

    @header_state.setter
    def header_state(self, value: QByteArray) -> None:
        self._settings.setValue(_HEADER, value)

    # -- plain values ----------------------------------------------------------------------

    @property
    def sort(self) -> tuple[SortKey, bool]:
        key = str(self._settings.value(_SORT_KEY, SortKey.DEADLINE.value))
        descending = str(self._settings.value(_SORT_DESCENDING, "false")).lower() == "true"
        try:
            return SortKey(key), descending
        except ValueError:
            return SortKey.DEADLINE, False

    @sort.setter
    def sort(self, value: tuple[SortKey, bool]) -> None:
        self._settings.setValue(_SORT_KEY, value[0].value)
        self._settings.setValue(_SORT_DESCENDING, "true" if value[1] else "false")

    @property
    def view(self) -> OrderView:
        try:
            return OrderView(str(self._settings.value(_VIEW, OrderView.NEEDS_ACTION.value)))
        except ValueError:
            return OrderView.NEEDS_ACTION

    @view.setter
    def view(self, value: OrderView) -> None:
        self._settings.setValue(_VIEW, value.value)

    @property
    def detail_tab(self) -> int:
        return self._int(_DETAIL_TAB, 0)

    @detail_tab.setter
    def detail_tab(self, value: int) -> None:
        self._settings.setValue(_DETAIL_TAB, value)
