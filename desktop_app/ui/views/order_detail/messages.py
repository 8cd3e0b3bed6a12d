"""Messages: the conversation, oldest first, each with the operator's time and the buyer's
local time beside it. Message text is untrusted and shown as plain text only."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop_app.domain import Author, Buyer
from desktop_app.store.types import MessageEntry, OperationState
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.views.plain import plain_label

__all__ = ["MessageBubble", "MessagesTab"]

_AUTHOR = {
    Author.BUYER: "Buyer",
    Author.MERCHANT: "You",
    Author.PLATFORM: "Platform",
    Author.UNKNOWN: "Unknown",
}
# A message of ours shows as sending from the moment it is queued until the platform has it
# (offline, it waits in the outbox: still "sending" from the operator's point of view).
_SYNC_WORDS = {
    OperationState.QUEUED: "sending…",
    OperationState.SENDING: "sending…",
    OperationState.REJECTED: "not sent: the platform refused it",
    OperationState.NEEDS_REVIEW: "needs review",
    OperationState.SET_ASIDE: "not sent (error)",
    OperationState.DISCARDED: "discarded",
}


class MessageBubble(QFrame):
    """One message: a plain-text header line and the plain-text body."""

    def __init__(self, entry: MessageEntry, buyer: Buyer, fmt: Formatter) -> None:
        super().__init__()
        message = entry.message
        self.setObjectName(f"message_{message.author.value}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        mine = message.author is Author.MERCHANT
        self.setStyleSheet(
            "QFrame#message_merchant { background: palette(alternate-base);"
            " border-radius: 6px; }"
            "QFrame#message_buyer, QFrame#message_platform, QFrame#message_unknown"
            " { border-radius: 6px; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        who = (
            f"{buyer.display_name} (buyer)"
            if message.author is Author.BUYER
            else _AUTHOR.get(message.author, "Unknown")
        )
        when = fmt.moment(message.sent_at)
        buyer_time = f"{fmt.in_zone(message.sent_at, buyer.timezone)} buyer's time"
        state = f" · {_SYNC_WORDS[entry.sync_state]}" if entry.sync_state in _SYNC_WORDS else ""
        self.sync_words = _SYNC_WORDS.get(entry.sync_state, "") if entry.sync_state else ""
        self.header = plain_label(f"{who} · {when} · {buyer_time}{state}", wrap=True)
        self.header.setObjectName("messageHeader")
        self.header.setStyleSheet("color: palette(placeholder-text);")
        self.body: QLabel = plain_label(message.text, object_name="messageText")
        layout.addWidget(self.header)
        layout.addWidget(self.body)
        for attachment in message.attachments:
            layout.addWidget(plain_label(f"📎 {attachment.name}"))
        if mine:
            # Right-align the text, not the layout: a right-aligned layout shrinks wrapping
            # labels to their narrowest width and cuts the header and body off.
            for label in (self.header, self.body):
                label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)


class MessagesTab(QWidget):
    """The conversation, scrolling, and below it a place for a compose box (`set_composer`)."""

    def __init__(self, formatter: Formatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fmt = formatter
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self._outer.addWidget(self.scroll_area, 1)
        self._body = QWidget()
        self._layout = QVBoxLayout(self._body)
        self._layout.setSpacing(8)
        self._layout.addStretch(1)
        self.scroll_area.setWidget(self._body)
        self.composer: QWidget | None = None
        self._empty = plain_label("No messages yet.")
        self._layout.insertWidget(0, self._empty)
        self._shown: tuple[object, ...] = ()
        self._bubbles: list[MessageBubble] = []

    def bubbles(self) -> list[MessageBubble]:
        return list(self._bubbles)

    def set_composer(self, composer: QWidget) -> None:
        """Put `composer` (a message box) under the conversation, replacing any earlier one."""
        if self.composer is not None:
            self._outer.removeWidget(self.composer)
            self.composer.deleteLater()
        self.composer = composer
        self._outer.addWidget(composer)

    def show_messages(
        self, entries: Sequence[MessageEntry], buyer: Buyer, *, expected: bool = False
    ) -> None:
        """Show `entries`; `expected`: the order has a conversation not fetched yet."""
        key = (buyer, expected, *entries)
        if key == self._shown:
            return  # a refresh that changed nothing: keep the scroll position
        was_at_bottom = self._at_bottom()
        self._clear()
        self._shown = key
        self._empty.setText(
            "Fetching the conversation from the platform…" if expected else "No messages yet."
        )
        self._empty.setVisible(not entries)
        for entry in entries:
            bubble = MessageBubble(entry, buyer, self._fmt)
            self._bubbles.append(bubble)
            self._layout.insertWidget(self._layout.count() - 1, bubble)
        if was_at_bottom or not entries:
            QTimer.singleShot(0, self, self._scroll_to_bottom)

    def clear(self) -> None:
        self._clear()
        self._shown = ()
        self._empty.setVisible(True)

    def _clear(self) -> None:
        for bubble in self._bubbles:
            self._layout.removeWidget(bubble)
            bubble.deleteLater()
        self._bubbles.clear()

    def _at_bottom(self) -> bool:
        bar = self.scroll_area.verticalScrollBar()
        return bar.value() >= bar.maximum() - 4

    def _scroll_to_bottom(self) -> None:
        bar = self.scroll_area.verticalScrollBar()
        bar.setValue(bar.maximum())
