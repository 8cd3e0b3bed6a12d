"""Acting on orders, from wherever the operator is: the Order menu and its keyboard shortcuts,
the detail pane's buttons, the order table's context menu, the compose box, bulk actions on a
multi-selection, and Pending operations (also from the status bar).

Each of the seven operations is one `QAction`, enabled only when the domain allows it on the
current order, its tooltip saying why not. With several orders selected, the extension and
message shortcuts open the bulk dialog for the selection instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QMenuBar, QWidget

from desktop_app.domain import ActionKind, Order, OrderStatus, availability, refusal_reason
from desktop_app.store.types import OperationState, OrderRow, OutboxEntry
from desktop_app.ui.actions.banner import OrderSyncBanner
from desktop_app.ui.actions.bulk import BULK_KINDS, BulkDialog
from desktop_app.ui.actions.compose import ComposeBox
from desktop_app.ui.actions.conversation import ConversationDialog
from desktop_app.ui.actions.dialogs.base import DialogContext, OperationDialog
from desktop_app.ui.actions.dialogs.delivery import ConfirmDeliveryDialog, RefuseDeliveryDialog
from desktop_app.ui.actions.dialogs.extension import ExtensionDialog
from desktop_app.ui.actions.dialogs.refund import RefundDialog
from desktop_app.ui.actions.pending import PendingOperationsDialog
from desktop_app.ui.actions.service import ActionService, OutboxStore
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.models.order_table_model import ORDER_ID_ROLE
from desktop_app.ui.sync_bridge import SyncBridge
from desktop_app.ui.views.order_detail import OrderDetailPane
from desktop_app.ui.views.order_detail.overview import ACTION_ORDER
from desktop_app.ui.views.order_table import OrderTable
from desktop_app.ui.workers import BackgroundRunner

__all__ = ["PENDING_SHORTCUT", "SHORTCUTS", "ActionController"]

log = logging.getLogger(__name__)

SHORTCUTS: dict[ActionKind, str] = {
    ActionKind.CONFIRM_DELIVERY: "Ctrl+Shift+D",
    ActionKind.REFUSE_DELIVERY: "Ctrl+Shift+R",
    ActionKind.APPROVE_EXTENSION: "Ctrl+Shift+E",
    ActionKind.REJECT_EXTENSION: "Ctrl+Shift+X",
    ActionKind.APPROVE_REFUND: "Ctrl+Shift+F",
    ActionKind.DISPUTE_REFUND: "Ctrl+Shift+P",
    ActionKind.SEND_MESSAGE: "Ctrl+Shift+M",
}
PENDING_SHORTCUT = "Ctrl+Shift+O"

_MENU_LABELS = {
    ActionKind.CONFIRM_DELIVERY: "&Confirm delivery…",
    ActionKind.REFUSE_DELIVERY: "&Refuse delivery…",
    ActionKind.APPROVE_EXTENSION: "&Approve extension…",
    ActionKind.REJECT_EXTENSION: "Re&ject extension…",
    ActionKind.APPROVE_REFUND: "Approve re&fund…",
    ActionKind.DISPUTE_REFUND: "&Dispute refund…",
    ActionKind.SEND_MESSAGE: "Contact &buyer",
}
_BULK_LABELS = {
    ActionKind.APPROVE_EXTENSION: "Approve the selection's extension requests…",
    ActionKind.REJECT_EXTENSION: "Reject the selection's extension requests…",
    ActionKind.SEND_MESSAGE: "Message the selected buyers…",
}


def _bring_forward(dialog: QDialog) -> None:
    """An open dialog asked for again: in front, and focused (where the platform can)."""
    if dialog.isVisible():
        dialog.raise_()
        dialog.activateWindow()


def _plain_menu_text(kind: ActionKind) -> str:
    return _MENU_LABELS[kind].replace("&", "")


class ActionController(QObject):
    message = Signal(str)  # a sentence for the status bar
    outbox_written = Signal()  # this window queued or changed an operation

    def __init__(
        self,
        window: QWidget,
        *,
        service: ActionService,
        reader: OutboxStore,
        runner: BackgroundRunner,
        formatter: Formatter,
        clock: Callable[[], datetime],
        detail: OrderDetailPane,
        table: OrderTable,
        sync: SyncBridge | None,
        open_order: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self.service = service
        self._reader = reader
        self._runner = runner
        self._fmt = formatter
        self._clock = clock
        self._detail = detail
        self._table = table
        self._sync = sync
        self._open_order = open_order
        self._order: Order | None = None
        self.context = DialogContext(service, formatter, clock, self.online)
        self.dialog: QDialog | None = None  # the operation or bulk dialog open now
        self.pending_dialog: PendingOperationsDialog | None = None
        self.conversations: dict[str, ConversationDialog] = {}
        self.context_menu: QMenu | None = None

        self.actions: dict[ActionKind, QAction] = {}
        for kind in ACTION_ORDER:
            action = QAction(_MENU_LABELS[kind], window)
            action.setObjectName(f"act_{kind.value}")
            action.setShortcut(QKeySequence(SHORTCUTS[kind]))
            action.triggered.connect(lambda _=False, k=kind: self.trigger(k))
            window.addAction(action)
            self.actions[kind] = action
        self.bulk_actions: dict[ActionKind, QAction] = {}
        for kind in BULK_KINDS:
            action = QAction(_BULK_LABELS[kind], window)
            action.setObjectName(f"bulk_{kind.value}")
            action.triggered.connect(lambda _=False, k=kind: self.open_bulk(k))
            self.bulk_actions[kind] = action
        self.pending_action = QAction("&Pending operations…", window)
        self.pending_action.setObjectName("act_pending")
        self.pending_action.setShortcut(QKeySequence(PENDING_SHORTCUT))
        self.pending_action.setToolTip(
            "Operations not yet applied by the platform: send now, apply again, discard"
        )
        self.pending_action.triggered.connect(lambda _=False: self.show_pending())
        window.addAction(self.pending_action)

        self.compose = ComposeBox(service, clock)
        detail.messages.set_composer(self.compose)
        self.banner = OrderSyncBanner(formatter, clock, self.online)
        self.banner.review_requested.connect(self.show_pending)
        history = detail.history.model
        history.modelReset.connect(self._update_banner)
        history.dataChanged.connect(lambda *_: self._update_banner())

        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._table_menu)
        table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())

        service.written.connect(self._written)
        if sync is not None:
            sync.outbox_changed.connect(self._outbox_changed)
            sync.orders_changed.connect(self._orders_changed)
            sync.operation_settled.connect(self._settled)
        self._update_actions()

    # -- state -----------------------------------------------------------------------------

    def online(self) -> bool | None:
        if self._sync is None:
            return False
        return self._sync.state.online

    @property
    def order(self) -> Order | None:
        return self._order

    @property
    def settled(self) -> bool:
        """No write on its way and every open view of the outbox shows the latest read."""
        if self.service.busy:
            return False
        if self.pending_dialog is not None and not self.pending_dialog.settled:
            return False
        return not (isinstance(self.dialog, BulkDialog) and not self.dialog.settled)

    def order_shown(self, order: Order | None) -> None:
        """The detail pane shows `order` now (another one, or the same re-read)."""
        self._order = order
        self.compose.set_order(order)
        self._update_actions()
        self._update_banner()

    def fill_menu(self, menu_bar: QMenuBar) -> QMenu:
        """The Order menu: the seven operations, the bulk actions, pending operations."""
        menu = menu_bar.addMenu("&Order")
        menu.setObjectName("orderMenu")
        menu.setToolTipsVisible(True)
        for kind in ACTION_ORDER:
            if kind is ActionKind.SEND_MESSAGE:
                menu.addSeparator()
            menu.addAction(self.actions[kind])
        menu.addSeparator()
        for action in self.bulk_actions.values():
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.pending_action)
        menu.aboutToShow.connect(self._update_actions)
        return menu

    def _selected(self) -> list[OrderRow]:
        return self._table.selected_rows()

    def _update_actions(self) -> None:
        order, rows = self._order, self._selected()
        multi = len(rows) > 1
        answers = availability(order, self._clock()) if order is not None else None
        for kind, action in self.actions.items():
            if multi and kind in BULK_KINDS:
                enabled, tip = self._bulk_state(kind, rows)
            elif order is None or answers is None:
                enabled, tip = False, "Choose an order first."
            elif answers[kind].allowed:
                enabled, tip = True, f"{kind.label} on {order.number}"
            else:
                enabled, tip = False, f"Not now: {answers[kind].reason}"
            action.setEnabled(enabled)
            action.setToolTip(tip)
            action.setStatusTip(tip)
        for kind, action in self.bulk_actions.items():
            enabled, tip = self._bulk_state(kind, rows)
            action.setEnabled(enabled)
            action.setToolTip(tip)
            action.setStatusTip(tip)

    @staticmethod
    def _bulk_state(kind: ActionKind, rows: list[OrderRow]) -> tuple[bool, str]:
        if not rows:
            return False, "Select orders in the table first (Ctrl+click, Shift+click)."
        if kind is ActionKind.SEND_MESSAGE:
            return True, f"One message, sent to each of the {len(rows)} selected buyers"
        awaiting = sum(1 for row in rows if row.status is OrderStatus.AWAITING_CONFIRMATION)
        if not awaiting:
            return False, (
                "None of the selected orders awaits the buyer's confirmation, so none has an "
                "extension request to answer."
            )
        return True, (
            f"{awaiting} of the {len(rows)} selected orders await confirmation; each one's "
            "extension request is checked before anything is queued"
        )

    def _update_banner(self) -> None:
        model = self._detail.history.model
        entries = [model.entry(row) for row in range(model.rowCount())]
        self.banner.show_entries([entry for entry in entries if entry is not None])

    # -- acting ------------------------------------------------------------------------------

    def trigger(self, kind: ActionKind) -> None:
        """A menu item or shortcut: the current order, or the selection for bulk actions."""
        rows = self._selected()
        if len(rows) > 1 and kind in BULK_KINDS:
            self.open_bulk(kind, [row.id for row in rows])
            return
        if self._order is None:
            self.message.emit("Choose an order first.")
            return
        self.act(self._order.id, kind)

    def act(self, order_id: str, kind: ActionKind) -> None:
        """Open `kind`'s dialog on the order (as the cache shows it now)."""
        if self.dialog is not None:
            _bring_forward(self.dialog)
            return
        order = self._reader.get_order(order_id)
        if order is None:
            self.message.emit("That order is not in the local cache any more.")
            return
        reason = refusal_reason(order, kind, self._clock())
        if reason is not None:
            self.message.emit(f"{kind.label} on {order.number}: not now — {reason}")
            return
        if kind is ActionKind.SEND_MESSAGE:
            self.contact_buyer(order_id)
            return
        dialog: OperationDialog
        match kind:
            case ActionKind.CONFIRM_DELIVERY:
                dialog = ConfirmDeliveryDialog(order, self.context, self._window)
            case ActionKind.REFUSE_DELIVERY:
                dialog = RefuseDeliveryDialog(order, self.context, self._window)
            case ActionKind.APPROVE_EXTENSION | ActionKind.REJECT_EXTENSION:
                dialog = ExtensionDialog(order, self.context, kind, self._window)
            case _:
                dialog = RefundDialog(order, self.context, kind, self._window)
        dialog.queued.connect(lambda entry, o=order: self._queued(o, entry))
        self._open_dialog(dialog)

    def _open_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _result, d=dialog: self._dialog_finished(d))
        dialog.open()

    def _dialog_finished(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _queued(self, order: Order, entry: OutboxEntry) -> None:
        waiting = " (offline: sent when the connection returns)" if self.online() is False else ""
        self.message.emit(f"{order.number}: {entry.kind.label.lower()} queued{waiting}.")
        if entry.kind is ActionKind.REFUSE_DELIVERY:
            self.open_conversation(
                order.id,
                "You refused delivery. Propose an alternative to the buyer here: a revised "
                "scope, another date, or what they could change in the requirements.",
            )

    def contact_buyer(self, order_id: str) -> None:
        """The conversation of `order_id` in the Messages tab, the cursor in the compose box."""
        if self._detail.order_id != order_id:
            self._open_order(order_id)
        self._detail.tabs.setCurrentIndex(OrderDetailPane.MESSAGES)
        self.compose.focus_editor()

    def open_conversation(self, order_id: str, intro: str = "") -> ConversationDialog:
        dialog = self.conversations.get(order_id)
        if dialog is None:
            dialog = ConversationDialog(
                order_id, self._reader, self.service, self._fmt, self._clock, intro, self._window
            )
            dialog.finished.connect(lambda _r, i=order_id: self._conversation_closed(i))
            self.conversations[order_id] = dialog
            sync = self._sync
            if sync is not None:
                self._runner.run(lambda: sync.request_messages(order_id))
        else:
            if intro:
                dialog.set_intro(intro)
            _bring_forward(dialog)
        dialog.show()
        dialog.compose.focus_editor()
        return dialog

    def _conversation_closed(self, order_id: str) -> None:
        dialog = self.conversations.pop(order_id, None)
        if dialog is not None:
            dialog.deleteLater()

    def open_bulk(self, kind: ActionKind, order_ids: list[str] | None = None) -> None:
        if self.dialog is not None:
            _bring_forward(self.dialog)
            return
        ids = order_ids if order_ids is not None else [row.id for row in self._selected()]
        if not ids:
            self.message.emit("Select orders in the table first.")
            return
        dialog = BulkDialog(
            kind, ids, self.service, self._runner, self._fmt, self._clock, self._window
        )
        self._open_dialog(dialog)

    def show_pending(self, entry_id: int | None = None) -> PendingOperationsDialog:
        dialog = self.pending_dialog
        if dialog is None:
            dialog = PendingOperationsDialog(
                self.service,
                self._reader,
                self._runner,
                self._fmt,
                self._clock,
                self.online,
                self._window,
            )
            dialog.open_order.connect(self._open_order)
            self.pending_dialog = dialog
        else:
            dialog.refresh()
            _bring_forward(dialog)
        dialog.show()
        if entry_id is not None:
            dialog.select_entry(entry_id)
        return dialog

    # -- the table's context menu -------------------------------------------------------------

    def _table_menu(self, position: QPoint) -> None:
        menu = self.build_context_menu(position)
        if menu is not None:
            menu.popup(self._table.viewport().mapToGlobal(position))

    def build_context_menu(self, position: QPoint) -> QMenu | None:
        """The menu for a right-click at `position` (viewport coordinates) of the table."""
        rows = self._selected()
        menu = QMenu(self._table)
        menu.setObjectName("orderContextMenu")
        menu.setToolTipsVisible(True)
        if len(rows) > 1:
            self._update_actions()
            menu.addSection(f"{len(rows)} orders selected")
            for action in self.bulk_actions.values():
                menu.addAction(action)
        else:
            index = self._table.indexAt(position)
            value = index.data(ORDER_ID_ROLE) if index.isValid() else None
            order_id = value if isinstance(value, str) else self._table.current_order_id()
            order = self._reader.get_order(order_id) if order_id else None
            if order is None:
                menu.deleteLater()
                return None
            menu.addSection(order.number)
            answers = availability(order, self._clock())
            for kind in ACTION_ORDER:
                if kind is ActionKind.SEND_MESSAGE:
                    menu.addSeparator()
                item = menu.addAction(f"{_plain_menu_text(kind)}\t{SHORTCUTS[kind]}")
                item.setObjectName(f"menu_{kind.value}")
                answer = answers[kind]
                item.setEnabled(answer.allowed)
                item.setToolTip(kind.label if answer.allowed else f"Not now: {answer.reason}")
                item.triggered.connect(lambda _=False, k=kind, i=order.id: self.act(i, k))
        menu.addSeparator()
        menu.addAction(self.pending_action)
        if self.context_menu is not None:
            self.context_menu.deleteLater()
        self.context_menu = menu
        return menu

    # -- the outbox moved ----------------------------------------------------------------------

    def _written(self, _entry: OutboxEntry) -> None:
        self.outbox_written.emit()
        self._outbox_changed()

    def _outbox_changed(self) -> None:
        if self.pending_dialog is not None:
            self.pending_dialog.refresh()
        if isinstance(self.dialog, BulkDialog):
            self.dialog.refresh_states()
        for dialog in self.conversations.values():
            dialog.refresh()

    def _orders_changed(self, ids: frozenset[str] | None) -> None:
        for order_id, dialog in self.conversations.items():
            if ids is None or order_id in ids:
                dialog.refresh()
        open_dialog = self.dialog
        if isinstance(open_dialog, OperationDialog) and (
            ids is None or open_dialog.order.id in ids
        ):
            try:
                fresh = self._reader.platform_order(open_dialog.order.id)
            except Exception:
                log.exception("re-reading order %s failed", open_dialog.order.id)
                return
            if fresh is not None and fresh.version != open_dialog.order.version:
                open_dialog.order_moved(fresh)

    def _settled(self, event: object) -> None:
        entry_id = getattr(event, "entry_id", None)
        if not isinstance(entry_id, int):
            return
        try:
            entry = self._reader.operation(entry_id)
        except Exception:
            log.debug("operation %s is gone", entry_id)
            return
        what = f"{entry.order_number}: {entry.kind.label.lower()}"
        if entry.state is OperationState.APPLIED:
            self.message.emit(f"{what} applied by the platform.")
        elif entry.is_problem:
            self.message.emit(
                f"{what} — {entry.state.label.lower()}. See Pending operations "
                f"({PENDING_SHORTCUT})."
            )
