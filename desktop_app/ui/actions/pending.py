"""Pending operations: everything the platform has not applied yet, and what to do about it.

Queued and sending operations can be sent now (the same idempotency key) or, if never sent,
discarded. Refused ones (rejected, needs review, set aside) can be applied again on the order's
current version or discarded; for those the dialog shows what changed on the platform since the
operator acted, side by side, and whether applying again is possible now.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import Order
from desktop_app.store.types import (
    PROBLEM_STATES,
    OperationState,
    OutboxEntry,
)
from desktop_app.ui.actions.pending_model import (
    ENTRY_ROLE,
    PROBLEM_COLOR,
    PendingOperationsModel,
    is_pending,
)
from desktop_app.ui.actions.review import compare, reapply_blocker, state_explanation
from desktop_app.ui.actions.service import ActionProblem, ActionService, OutboxStore
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.models.operations_model import describe_operation
from desktop_app.ui.views.plain import plain_label, set_plain
from desktop_app.ui.workers import BackgroundRunner, LatestOnly

__all__ = ["ENTRY_ROLE", "PendingOperationsDialog", "PendingOperationsModel", "is_pending"]


class PendingOperationsDialog(QDialog):
    """Non-modal: it stays open beside the window and follows the outbox as it changes."""

    open_order = Signal(str)  # the operator wants to see this order in the window

    def __init__(
        self,
        service: ActionService,
        reader: OutboxStore,
        runner: BackgroundRunner,
        formatter: Formatter,
        clock: Callable[[], datetime],
        online: Callable[[], bool | None] = lambda: None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pendingOperationsDialog")
        self.setWindowTitle("Pending operations")
        self._service = service
        self._reader = reader
        self._fmt = formatter
        self._clock = clock
        self._online = online
        self._wanted: int | None = None  # an entry to select once the list has it
        self._loaded = False
        self._job: LatestOnly[list[OutboxEntry]] = LatestOnly(
            runner, self._show_entries, self._read_failed, owner=self
        )

        self.model = PendingOperationsModel(formatter, self)
        self.summary = plain_label(object_name="pendingSummary")
        self.table = QTableView()
        self.table.setObjectName("pendingTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column, mode in enumerate(
            (
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.Interactive,
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.Stretch,
            )
        ):
            header.setSectionResizeMode(column, mode)
        header.resizeSection(1, 260)

        self.detail = QWidget()
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        self.title = plain_label(object_name="pendingTitle")
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.state_text = plain_label(object_name="pendingState")
        self.review_box = QGroupBox("What changed on the platform since you acted")
        review_layout = QVBoxLayout(self.review_box)
        self.comparison = QTableWidget(0, 3)
        self.comparison.setObjectName("reviewComparison")
        self.comparison.setHorizontalHeaderLabels(["", "When you acted", "On the platform now"])
        self.comparison.verticalHeader().setVisible(False)
        self.comparison.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.comparison.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.comparison.setWordWrap(True)
        self.comparison.setMinimumHeight(200)
        compare_header = self.comparison.horizontalHeader()
        compare_header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        compare_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        compare_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.reapply_text = plain_label(object_name="reapplyVerdict")
        review_layout.addWidget(self.comparison, 1)
        review_layout.addWidget(self.reapply_text)
        detail_layout.addWidget(self.title)
        detail_layout.addWidget(self.state_text)
        detail_layout.addWidget(self.review_box, 1)
        detail_layout.addStretch(0)  # takes the room while the review is hidden

        self.outcome = plain_label(object_name="pendingOutcome", selectable=False)
        self.send_now_button = QPushButton("Send now")
        self.send_now_button.setObjectName("sendNowButton")
        self.reapply_button = QPushButton("Apply again")
        self.reapply_button.setObjectName("reapplyButton")
        self.discard_button = QPushButton("Discard")
        self.discard_button.setObjectName("discardButton")
        self.show_order_button = QPushButton("Show order")
        self.show_order_button.setObjectName("showOrderButton")
        close_button = QPushButton("Close")
        close_button.setObjectName("closeButton")
        close_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.outcome, 1)
        for button in (
            self.send_now_button,
            self.reapply_button,
            self.discard_button,
            self.show_order_button,
        ):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addWidget(close_button)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([170, 480])
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self.model.modelReset.connect(self._after_reset)
        self.model.dataChanged.connect(lambda *_: self._show_selected())
        self.send_now_button.clicked.connect(self._send_now)
        self.reapply_button.clicked.connect(self._reapply)
        self.discard_button.clicked.connect(self._discard)
        self.show_order_button.clicked.connect(self._show_order)
        close_button.clicked.connect(self.close)
        self.resize(1000, 760)
        self._show_selected()
        self.refresh()

    # -- reading -----------------------------------------------------------------------------

    @property
    def settled(self) -> bool:
        """The list shows the outbox as last read, and no change is on its way."""
        return self._loaded and not self._job.busy and not self._service.busy

    def refresh(self) -> None:
        reader = self._service.reader
        self._job.request(lambda: [e for e in reader.operations() if is_pending(e)])

    def select_entry(self, entry_id: int) -> None:
        """Select `entry_id` (now, or once the list has been read)."""
        row = self.model.row_of(entry_id)
        if row is None:
            self._wanted = entry_id
            return
        self._wanted = None
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _show_entries(self, entries: list[OutboxEntry]) -> None:
        self._loaded = True
        selected = self.selected_entry()
        self.model.set_entries(entries)
        if self._wanted is not None and self.model.row_of(self._wanted) is not None:
            self.select_entry(self._wanted)
        elif selected is not None and self.model.row_of(selected.id) is not None:
            self.select_entry(selected.id)
        elif self.model.rowCount() and not self.table.currentIndex().isValid():
            self.select_entry(self.model.entries()[0].id)
        problems = sum(1 for e in entries if e.state in PROBLEM_STATES)
        waiting = len(entries) - problems
        if not entries:
            text = "Nothing is waiting: every operation was applied by the platform."
        else:
            text = f"{waiting} waiting to be applied · {problems} need your attention"
        set_plain(self.summary, text)
        self._show_selected()

    def _read_failed(self, error: BaseException) -> None:
        self._loaded = True
        set_plain(self.summary, f"Could not read the outbox: {error}")

    def _after_reset(self) -> None:
        self._show_selected()

    def selected_entry(self) -> OutboxEntry | None:
        index = self.table.currentIndex()
        entry = index.data(ENTRY_ROLE) if index.isValid() else None
        return entry if isinstance(entry, OutboxEntry) else None

    # -- the selected entry --------------------------------------------------------------------

    def _show_selected(self) -> None:
        entry = self.selected_entry()
        buttons = (
            self.send_now_button,
            self.reapply_button,
            self.discard_button,
            self.show_order_button,
        )
        if entry is None:
            set_plain(self.title, "")
            set_plain(
                self.state_text,
                "Choose an operation to see where it stands." if self.model.rowCount() else "",
            )
            self.review_box.setVisible(False)
            for button in buttons:
                button.setEnabled(False)
            return
        fmt = self._fmt
        set_plain(
            self.title,
            f"{describe_operation(entry)} — {entry.order_number} "
            f"(done {fmt.moment(entry.created_at)})",
        )
        set_plain(self.state_text, state_explanation(entry, online=self._online()))
        problem = entry.state in PROBLEM_STATES
        blocker: str | None = None
        self.review_box.setVisible(problem)
        if problem:
            blocker = self._show_review(entry)
        self.show_order_button.setEnabled(True)

        queued = entry.state is OperationState.QUEUED
        self.send_now_button.setEnabled(queued)
        self.send_now_button.setToolTip(
            "Send it now instead of waiting (with the same key: it cannot be applied twice)"
            if queued
            else "Only an operation waiting to be sent can be sent now."
        )

        self.reapply_button.setText(
            "Apply again on the new version"
            if entry.state is OperationState.NEEDS_REVIEW
            else "Try again"
        )
        self.reapply_button.setEnabled(problem and blocker is None)
        if not problem:
            tip = "Only an operation the platform refused can be applied again."
        elif blocker is not None:
            tip = f"Not possible now: {blocker}"
        else:
            tip = "Queue it again on the order as the platform has it now (a new request)."
        self.reapply_button.setToolTip(tip)

        never_sent = queued and not entry.was_sent
        can_discard = never_sent or problem
        self.discard_button.setEnabled(can_discard)
        if can_discard:
            tip = (
                "Drop it: it was never sent, so the platform never saw it."
                if never_sent
                else "Dismiss it: the platform did not apply it."
            )
        elif entry.state is OperationState.SENDING:
            tip = "It is being sent now; wait for the platform's answer."
        else:
            tip = (
                "It was already sent and the platform may have applied it; "
                "wait for its answer (it is retried with the same key)."
            )
        self.discard_button.setToolTip(tip)

    def _show_review(self, entry: OutboxEntry) -> str | None:
        current: Order | None = None
        shown: Order | None = None
        try:
            current = self._reader.platform_order(entry.order_id)
            shown = self._reader.get_order(entry.order_id)
        except Exception as error:
            set_plain(self.reapply_text, f"Could not read the order: {error}")
            return str(error)
        rows = compare(entry, self._service.acted_on(entry.id), current, self._fmt)
        self.comparison.setRowCount(len(rows))
        for number, row in enumerate(rows):
            cells = (row.what, row.then, row.now)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if row.changed:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                    if column == 2:
                        item.setForeground(QBrush(PROBLEM_COLOR))
                self.comparison.setItem(number, column, item)
        self.comparison.resizeRowsToContents()
        blocker = reapply_blocker(entry, shown, self._clock())
        if blocker is None:
            version = f" (version {current.version})" if current is not None else ""
            verdict = (
                f"Applying it again is possible: it would be sent as a new request on the "
                f"order as the platform has it now{version}."
            )
        else:
            verdict = f"Applying it again is not possible now: {blocker} Discard it."
        set_plain(self.reapply_text, verdict)
        return blocker

    # -- acting ----------------------------------------------------------------------------------

    def _send_now(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self._act(self._service.retry, entry, "It will be sent now.")

    def _reapply(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self._act(
                self._service.reapply, entry, "Queued again on the platform's current version."
            )

    def _discard(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self._act(self._service.discard, entry, "Discarded.")

    def _act(
        self,
        change: Callable[
            [int, Callable[[OutboxEntry], None], Callable[[ActionProblem], None]], None
        ],
        entry: OutboxEntry,
        success: str,
    ) -> None:
        for button in (self.send_now_button, self.reapply_button, self.discard_button):
            button.setEnabled(False)

        def done(changed: OutboxEntry) -> None:
            set_plain(self.outcome, f"{changed.order_number}: {success}")
            self.refresh()

        def failed(problem: ActionProblem) -> None:
            set_plain(self.outcome, problem.message)
            self.refresh()

        change(entry.id, done, failed)

    def _show_order(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self.open_order.emit(entry.order_id)
