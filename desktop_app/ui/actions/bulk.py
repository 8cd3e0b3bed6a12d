"""Bulk actions on a multi-selection: approve or reject several extension requests, or send one
message to several buyers. Each order gets its own operation (its own outbox entry, key and
version); the dialog shows, per order, whether it was queued (or why not) and then where its
operation stands with the platform.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import (
    ActionKind,
    ApproveExtension,
    Operation,
    Order,
    RejectExtension,
    SendMessage,
    refusal_reason,
)
from desktop_app.domain.operations import REASON_MAX, TEXT_MAX
from desktop_app.store.types import OperationState, OutboxEntry
from desktop_app.ui.actions.bulk_model import BulkModel, BulkRow
from desktop_app.ui.actions.fields import TextField
from desktop_app.ui.actions.service import ActionService, BulkOutcome
from desktop_app.ui.actions.texts import extension_dates, more_days
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.views.plain import plain_label, set_plain
from desktop_app.ui.workers import BackgroundRunner, LatestOnly

__all__ = ["BULK_KINDS", "BulkDialog", "BulkModel", "BulkRow"]

BULK_KINDS = (ActionKind.APPROVE_EXTENSION, ActionKind.REJECT_EXTENSION, ActionKind.SEND_MESSAGE)

_TITLES = {
    ActionKind.APPROVE_EXTENSION: "Approve extension requests",
    ActionKind.REJECT_EXTENSION: "Reject extension requests",
    ActionKind.SEND_MESSAGE: "Message several buyers",
}


class BulkDialog(QDialog):
    def __init__(
        self,
        kind: ActionKind,
        order_ids: Sequence[str],
        service: ActionService,
        runner: BackgroundRunner,
        formatter: Formatter,
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        if kind not in BULK_KINDS:
            raise ValueError(f"{kind.label} is not a bulk action")
        super().__init__(parent)
        self.setObjectName("bulkDialog")
        self.setWindowTitle(_TITLES[kind])
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.kind = kind
        self._service = service
        self._fmt = formatter
        self._clock = clock
        self._ids = list(dict.fromkeys(order_ids))
        self._loaded = False
        self._running = False
        self._done = False
        self._states_job: LatestOnly[dict[int, OutboxEntry]] = LatestOnly(
            runner, self._show_states, owner=self
        )

        self.intro = plain_label(object_name="bulkIntro")
        self.model = BulkModel(self)
        self.table = QTableView()
        self.table.setObjectName("bulkTable")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, 300)

        self.text: TextField | None = None
        if kind is ActionKind.REJECT_EXTENSION:
            self.text = TextField(
                "reason",
                "Your reason for rejecting (every buyer reads it)",
                limit=REASON_MAX,
                required=True,
                lines=3,
            )
        elif kind is ActionKind.SEND_MESSAGE:
            self.text = TextField(
                "text",
                "The message (each buyer gets it in their own conversation)",
                limit=TEXT_MAX,
                required=True,
                lines=4,
            )
        self.summary = plain_label(object_name="bulkSummary", selectable=False)
        self.primary_button = QPushButton()
        self.primary_button.setObjectName("primaryButton")
        self.primary_button.setDefault(True)
        self.close_button = QPushButton("Cancel")
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.primary_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        if self.text is not None:
            layout.addWidget(self.text)
        layout.addLayout(buttons)
        self.primary_button.clicked.connect(self._run)
        self.close_button.clicked.connect(self._close)

        self.model.set_rows([BulkRow(order_id, "…") for order_id in self._ids])
        self._update_buttons()
        self.resize(860, 520)
        reader = service.reader
        ids = list(self._ids)
        runner.run(
            lambda: [(order_id, reader.get_order(order_id)) for order_id in ids],
            self._show_orders,
            self._read_failed,
        )

    # -- state -----------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._loaded

    @property
    def queued_all(self) -> bool:
        """Every order's operation was queued (or refused); results are shown."""
        return self._done

    @property
    def settled(self) -> bool:
        return self._loaded and not self._running and not self._states_job.busy

    def eligible(self) -> list[BulkRow]:
        return [row for row in self.model.rows() if row.order is not None and row.skip is None]

    def results(self) -> dict[str, str]:
        """Order number → the result shown."""
        return {row.number: row.result for row in self.model.rows()}

    # -- reading the orders --------------------------------------------------------------------

    def _show_orders(self, found: list[tuple[str, Order | None]]) -> None:
        now = self._clock()
        rows = []
        for order_id, order in found:
            if order is None:
                rows.append(BulkRow(order_id, order_id, skip="not in the local cache"))
                continue
            buyer = f"{order.buyer.display_name} ({order.buyer.country})"
            rows.append(
                BulkRow(
                    order_id,
                    order.number,
                    buyer,
                    self._describe(order),
                    order,
                    refusal_reason(order, self.kind, now),
                )
            )
        self._loaded = True
        self.model.set_rows(rows)
        self._update_buttons()

    def _describe(self, order: Order) -> str:
        if self.kind is ActionKind.SEND_MESSAGE:
            return order.status_label
        request = order.pending_extension
        if request is None:
            return order.status_label
        reason = " ".join(request.reason.split())  # one line; shown as plain text
        if len(reason) > 60:
            reason = reason[:59] + "…"
        _, new = extension_dates(order, request)
        until = f", until {self._fmt.moment(new)}" if new is not None else ""
        return f"{more_days(request.requested_days)}{until} — “{reason}”"

    def _read_failed(self, error: BaseException) -> None:
        self._loaded = True
        set_plain(self.summary, f"Could not read the orders: {error}")
        self._update_buttons()

    def _update_buttons(self) -> None:
        count = len(self.eligible())
        skipped = len(self.model.rows()) - count if self._loaded else 0
        verb = {
            ActionKind.APPROVE_EXTENSION: f"Approve {count} request{'s' if count != 1 else ''}",
            ActionKind.REJECT_EXTENSION: f"Reject {count} request{'s' if count != 1 else ''}",
            ActionKind.SEND_MESSAGE: f"Send to {count} buyer{'s' if count != 1 else ''}",
        }[self.kind]
        if self._done:
            self.primary_button.setVisible(False)
            self.close_button.setText("Close")
            return
        self.primary_button.setText(verb)
        self.primary_button.setEnabled(self._loaded and count > 0 and not self._running)
        total = len(self._ids)
        what = "extension requests" if self.kind is not ActionKind.SEND_MESSAGE else "buyers"
        intro = f"{total} order{'s' if total != 1 else ''} selected. "
        if not self._loaded:
            intro += "Reading them…"
        else:
            intro += f"{count} {what} will each get their own operation"
            intro += f"; {skipped} skipped (see why below)." if skipped else "."
        set_plain(self.intro, intro)

    # -- running -----------------------------------------------------------------------------

    def _operation(self, order: Order, text: str) -> Operation:
        if self.kind is ActionKind.SEND_MESSAGE:
            return SendMessage(text)
        request = order.pending_extension
        request_id = request.id if request is not None else ""
        if self.kind is ActionKind.REJECT_EXTENSION:
            return RejectExtension(request_id, text)
        return ApproveExtension(request_id)

    def _run(self) -> None:
        if self._running or self._done:
            return
        text = self.text.text() if self.text is not None else ""
        if self.text is not None:
            probe = (
                SendMessage(text)
                if self.kind is ActionKind.SEND_MESSAGE
                else RejectExtension("probe", text)
            )
            errors = [e for e in probe.validate() if e.field == self.text.name]
            if errors:
                self.text.show_error(errors[0].message)
                self.text.focus_input()
                return
        items = [
            (row.order, self._operation(row.order, text))
            for row in self.eligible()
            if row.order is not None
        ]
        if not items:
            return
        self._running = True
        self._update_buttons()
        if self.text is not None:
            self.text.setEnabled(False)
        set_plain(self.summary, f"Queuing {len(items)} operations…")
        self._service.enqueue_many(items, self._show_outcomes)

    def _show_outcomes(self, outcomes: list[BulkOutcome]) -> None:
        by_order = {outcome.order_id: outcome for outcome in outcomes}
        rows = [
            replace(row, outcome=by_order[row.order_id]) if row.order_id in by_order else row
            for row in self.model.rows()
        ]
        self.model.set_rows(rows)
        self._running = False
        self._done = True
        self._update_buttons()
        self._summarise()
        self.refresh_states()

    def _summarise(self) -> None:
        """Where the queued operations stand now, then what was not queued."""
        counts: dict[str, int] = {}
        refused = skipped = 0
        for row in self.model.rows():
            if row.outcome is None:
                skipped += row.skip is not None
            elif row.outcome.entry is None:
                refused += 1
            else:
                state = row.state or OperationState.QUEUED
                word = "need attention" if row.failed else state.label.lower()
                counts[word] = counts.get(word, 0) + 1
        parts = [f"{n} {word}" for word, n in counts.items()]
        if refused:
            parts.append(f"{refused} not queued")
        if skipped:
            parts.append(f"{skipped} skipped")
        set_plain(self.summary, " · ".join(parts))

    def refresh_states(self) -> None:
        """Re-read the sync state of the operations queued here (the outbox changed)."""
        ids = [
            row.outcome.entry.id
            for row in self.model.rows()
            if row.outcome is not None and row.outcome.entry is not None
        ]
        if not ids:
            return
        reader = self._service.reader
        self._states_job.request(lambda: {entry_id: reader.operation(entry_id) for entry_id in ids})

    def _show_states(self, entries: dict[int, OutboxEntry]) -> None:
        rows = []
        for row in self.model.rows():
            entry = row.outcome.entry if row.outcome is not None else None
            current = entries.get(entry.id) if entry is not None else None
            if current is not None:
                row = replace(row, state=current.state, state_detail=current.last_error)
            rows.append(row)
        self.model.set_rows(rows)
        self._summarise()

    def _close(self) -> None:
        if not self._running:
            self.accept() if self._done else self.reject()

    def reject(self) -> None:
        if not self._running:
            super().reject()
