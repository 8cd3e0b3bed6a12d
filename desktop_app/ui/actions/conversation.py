"""A conversation in a window of its own, with its compose box: it opens after a refusal of
delivery, so that the operator can negotiate an alternative right away, whatever the order
table shows meanwhile (the refused order usually leaves the view it was in)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from desktop_app.ui.actions.compose import ComposeBox
from desktop_app.ui.actions.service import ActionService, OutboxStore
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.views.order_detail.messages import MessagesTab
from desktop_app.ui.views.plain import plain_label, set_plain

__all__ = ["ConversationDialog"]

log = logging.getLogger(__name__)


class ConversationDialog(QDialog):
    def __init__(
        self,
        order_id: str,
        reader: OutboxStore,
        service: ActionService,
        formatter: Formatter,
        clock: Callable[[], datetime],
        intro: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conversationDialog")
        self.order_id = order_id
        self._reader = reader
        self.intro = plain_label(intro, object_name="conversationIntro")
        self.intro.setVisible(bool(intro))
        self.view = MessagesTab(formatter)
        self.compose = ComposeBox(service, clock)
        self.view.set_composer(self.compose)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 620)
        self.refresh()
        self.compose.focus_editor()

    def refresh(self) -> None:
        """Re-read the order and its conversation (something changed in the cache)."""
        try:
            order = self._reader.get_order(self.order_id)
            entries = self._reader.messages(self.order_id)
        except Exception:
            log.exception("reading the conversation of %s failed", self.order_id)
            return
        if order is None:
            self.compose.set_order(None)
            return
        self.setWindowTitle(f"Conversation — {order.number} with {order.buyer.display_name}")
        self.view.show_messages(entries, order.buyer, expected=order.last_message_at is not None)
        self.compose.set_order(order)

    def set_intro(self, text: str) -> None:
        set_plain(self.intro, text)
        self.intro.setVisible(bool(text))
