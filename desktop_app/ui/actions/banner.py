"""The open order's sync state, above its detail: queued, sending, applied, rejected with the
platform's reason, or needs review (with a way to review it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QWidget

from desktop_app.store.types import PROBLEM_STATES, OperationState, OutboxEntry
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.models.operations_model import describe_operation
from desktop_app.ui.views.plain import plain_label, set_plain

__all__ = ["OrderSyncBanner", "banner_text"]

RECENTLY = timedelta(hours=1)  # an applied operation is reported this long

_STYLES = {
    "problem": "QFrame#orderSyncBanner { background: #fdecea; border: 1px solid #e57373;"
    " border-radius: 4px; } QLabel { color: #8e1c1c; }",
    "waiting": "QFrame#orderSyncBanner { background: #fff8e1; border: 1px solid #ffd54f;"
    " border-radius: 4px; } QLabel { color: #5e3e00; }",
    "applied": "QFrame#orderSyncBanner { background: #e8f5e9; border: 1px solid #81c784;"
    " border-radius: 4px; } QLabel { color: #1b5e20; }",
}


def banner_text(
    entries: Sequence[OutboxEntry], now: datetime, fmt: Formatter, *, online: bool | None
) -> tuple[str, str, OutboxEntry] | None:
    """(the sentence, its kind: problem / waiting / applied, the entry it is about) or None."""
    problems = [e for e in entries if e.state in PROBLEM_STATES]
    if problems:
        entry = problems[-1]
        what = describe_operation(entry)
        if entry.state is OperationState.NEEDS_REVIEW:
            text = f"Needs review — {what}. {entry.last_error or 'The order changed.'}"
        elif entry.state is OperationState.REJECTED:
            text = f"Rejected by the platform — {what}. {entry.last_error or ''}".strip()
        else:
            text = f"Set aside (an OrderDesk fault) — {what}. {entry.last_error or ''}".strip()
        more = len(problems) - 1
        if more:
            text += f" (and {more} more)"
        return text, "problem", entry
    waiting = [e for e in entries if e.state in (OperationState.QUEUED, OperationState.SENDING)]
    if waiting:
        entry = waiting[0]
        what = describe_operation(entry)
        if entry.state is OperationState.SENDING:
            text = f"Sending — {what}…"
        elif entry.attempts:
            text = (
                f"Queued — {what}. Tried {entry.attempts}× without success; it is retried "
                "automatically with the same key, so it cannot be applied twice."
            )
        elif online is False:
            text = f"Queued — {what}. You are offline: it is sent when the connection returns."
        else:
            text = f"Queued — {what}. Sending shortly."
        if len(waiting) > 1:
            text += f" ({len(waiting) - 1} more after it)"
        return text, "waiting", entry
    applied = [e for e in entries if e.state is OperationState.APPLIED]
    if applied and now - applied[-1].updated_at <= RECENTLY:
        entry = applied[-1]
        text = (
            f"Applied by the platform — {describe_operation(entry)} "
            f"({fmt.since(entry.updated_at, now)})."
        )
        return text, "applied", entry
    return None


class OrderSyncBanner(QFrame):
    review_requested = Signal(int)  # an outbox entry id

    def __init__(
        self,
        formatter: Formatter,
        clock: Callable[[], datetime],
        online: Callable[[], bool | None] = lambda: None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("orderSyncBanner")
        self._fmt = formatter
        self._clock = clock
        self._online = online
        self._entry: OutboxEntry | None = None
        self.kind = ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.text = plain_label(object_name="orderSyncText")
        self.button = QPushButton("Review…")
        self.button.setObjectName("reviewButton")
        self.button.setAutoDefault(False)
        self.button.clicked.connect(self._review)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.setVisible(False)

    def show_entries(self, entries: Sequence[OutboxEntry]) -> None:
        shown = banner_text(entries, self._clock(), self._fmt, online=self._online())
        if shown is None:
            self._entry = None
            self.kind = ""
            self.setVisible(False)
            return
        text, kind, entry = shown
        self._entry = entry
        self.kind = kind
        set_plain(self.text, text)
        self.setStyleSheet(_STYLES[kind])
        self.button.setText("Review…" if kind == "problem" else "Pending operations…")
        self.button.setVisible(kind != "applied")
        self.setVisible(True)

    def _review(self) -> None:
        if self._entry is not None:
            self.review_requested.emit(self._entry.id)
