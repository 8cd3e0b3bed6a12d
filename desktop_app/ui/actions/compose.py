"""Contact buyer: the compose box under the conversation. Ctrl+Enter sends.

Sending queues a `SendMessage` in the outbox (off the GUI thread) and clears the box; the
message then shows in the conversation as "sending…" until the platform has it. An empty or
over-long message shows an inline error and queues nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from desktop_app.domain import ActionKind, Order, SendMessage, refusal_reason
from desktop_app.domain.operations import TEXT_MAX
from desktop_app.store.types import OutboxEntry
from desktop_app.ui.actions.fields import TextField
from desktop_app.ui.actions.service import ActionProblem, ActionService
from desktop_app.ui.views.plain import plain_label, set_plain

__all__ = ["ComposeBox"]

SEND_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)  # with Ctrl: send


class ComposeBox(QWidget):
    sent = Signal(object)  # the `OutboxEntry` of the queued message

    def __init__(
        self,
        service: ActionService,
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("composeBox")
        self._service = service
        self._clock = clock
        self._order: Order | None = None
        self._sending = False
        self._drafts: dict[str, str] = {}  # order id -> unsent text, kept while switching

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.field = TextField(
            "text",
            "Message to the buyer",
            limit=TEXT_MAX,
            required=True,
            lines=3,
            max_lines=6,
            placeholder="Write to the buyer… (Ctrl+Enter sends)",
        )
        self.editor = self.field.edit
        self.editor.setObjectName("composeEdit")
        self.field.label.setVisible(False)
        self.status = plain_label(object_name="composeStatus", selectable=False)
        self.status.setStyleSheet("color: palette(placeholder-text);")
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.clicked.connect(self.send)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.send_button)
        layout.addWidget(self.field)
        layout.addLayout(row)
        self.send_button.setAutoDefault(False)
        # Ctrl+Enter is taken from the editor's own key events rather than a QShortcut: it
        # then works wherever the editor has the keyboard, whichever window Qt deems active.
        self.editor.installEventFilter(self)
        self.set_order(None)

    @property
    def order_id(self) -> str | None:
        return self._order.id if self._order is not None else None

    @property
    def sending(self) -> bool:
        return self._sending

    def set_order(self, order: Order | None) -> None:
        """The order whose buyer the box writes to (None: nobody: disabled). What was typed
        for an order waits as its draft while other orders are shown."""
        previous = self.order_id
        self._order = order
        if (order is None or order.id != previous) and not self._sending:
            if previous is not None:
                text = self.field.text()
                if text.strip():
                    self._drafts[previous] = text
                else:
                    self._drafts.pop(previous, None)
            self.field.set_text(self._drafts.pop(order.id, "") if order is not None else "")
            self.field.clear_error()
        reason = (
            "Choose an order first."
            if order is None
            else refusal_reason(order, ActionKind.SEND_MESSAGE, self._clock())
        )
        enabled = reason is None and not self._sending
        self.field.setEnabled(enabled)
        self.send_button.setEnabled(enabled)
        tip = "" if reason is None else f"Not now: {reason}"
        self.editor.setToolTip(tip)
        self.send_button.setToolTip(
            tip or "Queue the message; it is sent at once when online (Ctrl+Enter)"
        )
        if order is not None and reason is None:
            self.editor.setPlaceholderText(
                f"Write to {order.buyer.display_name}… (Ctrl+Enter sends)"
            )
        if reason is not None or order is None or order.id != previous:
            set_plain(self.status, reason or "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.editor
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in SEND_KEYS
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.send()
            return True
        return super().eventFilter(watched, event)

    def focus_editor(self) -> None:
        self.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def send(self) -> None:
        order = self._order
        if order is None or self._sending or not self.send_button.isEnabled():
            return
        operation = SendMessage(self.field.text())
        errors = operation.validate()
        if errors:
            self.field.show_error(errors[0].message)
            self.focus_editor()
            return
        self._set_sending(True)
        self._service.enqueue(order, operation, self._queued, self._failed)

    def _set_sending(self, sending: bool) -> None:
        self._sending = sending
        self.field.setEnabled(not sending)
        self.send_button.setEnabled(not sending)
        set_plain(self.status, "Queuing…" if sending else "")

    def _queued(self, entry: OutboxEntry) -> None:
        self._set_sending(False)
        if entry.order_id == self.order_id:
            self.editor.clear()
            self.focus_editor()
        self.sent.emit(entry)

    def _failed(self, problem: ActionProblem) -> None:
        self._set_sending(False)
        message = problem.field_errors[0].message if problem.field_errors else problem.message
        self.field.show_error(message)
