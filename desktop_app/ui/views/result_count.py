"""How many orders the table lists, said honestly while a search is still being counted."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from desktop_app.ui.models.order_table_model import OrderTableModel

__all__ = ["ResultCount", "result_count_text"]


def result_count_text(rows: int, known: bool, searching: bool) -> str:
    noun = "order" if rows == 1 and known else "orders"
    if not known:
        return f"{rows:,}+ {noun} · counting…"
    return f"{rows:,} {noun} found" if searching else f"{rows:,} {noun}"


class ResultCount(QLabel):
    """ "1,234 orders"; for a search whose count is still being read, "64+ orders · counting…"
    (the first rows are shown before the count is known)."""

    def __init__(self, model: OrderTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultCount")
        self.setAccessibleName("Orders listed")
        self._model = model
        # Wide enough for the longest text: a new count re-lays nothing out around it.
        widest = result_count_text(10_000_000, known=False, searching=True)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance(widest) + 8)
        for signal in (
            model.settled_changed,
            model.count_known_changed,
            model.rowsInserted,
            model.rowsRemoved,
            model.layoutChanged,
            model.modelReset,
        ):
            signal.connect(self.update_text)
        self.update_text()

    def update_text(self, *_: object) -> None:
        model = self._model
        self.setText(
            result_count_text(model.rowCount(), model.count_known, bool(model.query.search))
        )
