"""The search field: the query goes out once typing pauses (debounced), or at once on Enter."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

__all__ = ["SearchField"]

DEBOUNCE_MS = 180


class SearchField(QLineEdit):
    search_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None, debounce_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self.setObjectName("search")
        self.setPlaceholderText(
            "Search order number, buyer, service, requirements (3+ characters; "
            "1–2 characters: buyer or service)…  (Ctrl+F)"
        )
        self.setToolTip(
            "Finds orders as you type. Three characters or more search the order number, "
            "the buyer, the service and the buyer's requirements; one or two characters "
            "(a short name such as 田中) search buyer names and service titles only."
        )
        self.setAccessibleName("Search orders")
        self.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._emit)
        self._last = ""
        self.textEdited.connect(self._timer.start)
        self.textChanged.connect(self._on_text_changed)
        self.returnPressed.connect(self._emit)

    def _on_text_changed(self, text: str) -> None:
        if not text:  # the clear button: no reason to wait
            self._emit()

    def _emit(self) -> None:
        self._timer.stop()
        text = self.text().strip()
        if text != self._last:
            self._last = text
            self.search_changed.emit(text)
