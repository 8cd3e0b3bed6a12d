"""The detail pane: loads one order (and its messages and operations) from the store and hands
each tab its part. Reloads when a sync touches the order, keeping the chosen tab."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QTabWidget, QWidget

from desktop_app.domain import Order
from desktop_app.store.types import MessageEntry, OutboxEntry
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.views.order_detail.finances import FinancesTab
from desktop_app.ui.views.order_detail.history import HistoryTab
from desktop_app.ui.views.order_detail.messages import MessagesTab
from desktop_app.ui.views.order_detail.overview import OverviewTab
from desktop_app.ui.views.order_detail.requirements import RequirementsTab
from desktop_app.ui.views.plain import plain_label

__all__ = ["DetailSource", "OrderDetailPane"]

log = logging.getLogger(__name__)


class DetailSource(Protocol):
    """What the pane reads (the store's read API)."""

    def get_order(self, order_id: str) -> Order | None: ...

    def messages(self, order_id: str) -> Sequence[MessageEntry]: ...

    def operations(self, order_id: str | None = None) -> Sequence[OutboxEntry]: ...


class OrderDetailPane(QStackedWidget):
    """A placeholder when no order is chosen, else the tabs."""

    action_requested = Signal(object)  # ActionKind, for the current order
    read_failed = Signal(str)

    OVERVIEW, FINANCES, REQUIREMENTS, MESSAGES, HISTORY = range(5)

    def __init__(
        self,
        source: DetailSource,
        formatter: Formatter,
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("orderDetail")
        self._source = source
        self._clock = clock
        self._order: Order | None = None
        self._order_id: str | None = None
        self._messages: Sequence[MessageEntry] = ()

        self.placeholder = plain_label("Choose an order to see its details.")
        self.placeholder.setObjectName("detailPlaceholder")
        self.placeholder.setMargin(24)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("detailTabs")
        self.tabs.setDocumentMode(True)
        self.overview = OverviewTab(formatter)
        self.finances = FinancesTab(formatter)
        self.requirements = RequirementsTab(formatter)
        self.messages = MessagesTab(formatter)
        self.history = HistoryTab(formatter)
        self.tabs.addTab(self.overview, "Overview")
        self.tabs.addTab(self.finances, "Finances")
        self.tabs.addTab(self.requirements, "Requirements")
        self.tabs.addTab(self.messages, "Messages")
        self.tabs.addTab(self.history, "History")
        self.addWidget(self.placeholder)
        self.addWidget(self.tabs)
        self.overview.action_requested.connect(self.action_requested)

    @property
    def order(self) -> Order | None:
        return self._order

    @property
    def order_id(self) -> str | None:
        return self._order_id

    @property
    def messages_shown(self) -> Sequence[MessageEntry]:
        return self._messages

    def show_order(self, order_id: str | None) -> None:
        self._order_id = order_id
        self.reload()

    def reload(self) -> None:
        """Read the current order again (a sync changed it, or time passed)."""
        order_id = self._order_id
        order: Order | None = None
        messages: Sequence[MessageEntry] = ()
        operations: Sequence[OutboxEntry] = ()
        if order_id is not None:
            try:
                order = self._source.get_order(order_id)
                if order is not None:
                    messages = self._source.messages(order_id)
                    operations = self._source.operations(order_id)
            except Exception as error:
                log.exception("reading order %s failed", order_id)
                self.read_failed.emit(f"Could not read the order from the cache: {error}")
                order = None
        self._order = order
        self._messages = messages
        if order is None:
            self._clear()
            self.setCurrentWidget(self.placeholder)
            return
        now = self._clock()
        self.overview.show_order(order, now)
        self.finances.show_order(order)
        self.requirements.show_order(order)
        self.messages.show_messages(
            messages, order.buyer, expected=order.last_message_at is not None
        )
        self.history.show_operations(operations)
        self.tabs.setTabText(
            self.MESSAGES,
            f"Messages ({order.unread_messages})" if order.unread_messages else "Messages",
        )
        self.tabs.setTabText(
            self.HISTORY, f"History ({len(operations)})" if operations else "History"
        )
        self.setCurrentWidget(self.tabs)

    def _clear(self) -> None:
        self.overview.clear()
        self.finances.clear()
        self.requirements.clear()
        self.messages.clear()
        self.history.clear()
