"""The status bar: online or offline, the last successful sync, queued operations, sync
errors, and Sync now (F5)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QStatusBar, QToolButton, QWidget

from desktop_app.ui.formatting import Formatter
from desktop_app.ui.views.plain import plain_label, set_plain

__all__ = ["StatusBar", "SyncSnapshot"]

_ERROR_STYLE = "color: #c62828;"


@dataclass(frozen=True, slots=True)
class SyncSnapshot:
    """What the status bar shows; assembled from the store and the sync engine's events."""

    online: bool | None = None  # None: not known yet (no attempt so far)
    syncing: bool = False
    progress: tuple[int, int | None] | None = None  # orders stored so far, and an estimate
    auth_required: bool = False  # the platform ended the sign-in
    standby: bool = False  # `last_error` says why sync waits its turn (not a fault)
    last_success_at: datetime | None = None
    last_error: str | None = None
    queued: int = 0  # operations not yet applied (queued or sending)
    problems: int = 0  # operations refused or needing review
    sync_available: bool = True  # False: no sync engine (viewing the cache only)


class StatusBar(QStatusBar):
    sync_requested = Signal()
    pending_requested = Signal()  # the operator wants to see the pending operations
    sign_in_requested = Signal()  # the platform ended the sign-in; the operator signs in again

    def __init__(
        self, formatter: Formatter, clock: Callable[[], datetime], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self._fmt = formatter
        self._clock = clock
        self._snapshot = SyncSnapshot()

        self.connection = plain_label(wrap=False, object_name="connectionState", selectable=False)
        self.last_sync = plain_label(wrap=False, object_name="lastSync", selectable=False)
        self.queued = QToolButton()
        self.queued.setObjectName("queuedOperations")
        self.queued.setAutoRaise(True)
        self.queued.clicked.connect(self.pending_requested)
        self.errors: QLabel = plain_label(wrap=False, object_name="syncErrors", selectable=False)
        self.errors.setStyleSheet(_ERROR_STYLE)
        self.sync_button = QToolButton()
        self.sync_button.setObjectName("syncNow")
        self.sync_button.setText("Sync now")
        self.sync_button.setToolTip("Sync with the platform now (F5)")
        self.sync_button.clicked.connect(self.sync_requested)
        self.sign_in_button = QToolButton()
        self.sign_in_button.setObjectName("signInAgain")
        self.sign_in_button.setText("Sign in…")
        self.sign_in_button.setToolTip("Sign in again to carry on syncing")
        self.sign_in_button.clicked.connect(self.sign_in_requested)

        self.addWidget(self.connection)
        self.addWidget(self.last_sync)
        self.addWidget(self.errors, 1)
        self.addPermanentWidget(self.queued)
        self.addPermanentWidget(self.sign_in_button)
        self.addPermanentWidget(self.sync_button)
        self.show_snapshot(self._snapshot)

    @property
    def snapshot(self) -> SyncSnapshot:
        return self._snapshot

    def show_snapshot(self, snapshot: SyncSnapshot) -> None:
        self._snapshot = snapshot
        if not snapshot.sync_available:
            connection = "○ Offline (no account)"
        elif snapshot.auth_required:
            connection = "○ Signed out — sign in again"
        elif snapshot.syncing and snapshot.progress is not None:
            connection = f"⟳ Syncing… {snapshot.progress[0]:,} orders"
        elif snapshot.syncing:
            connection = "⟳ Syncing…"
        elif snapshot.online is None:
            connection = "○ Connecting…"
        elif snapshot.online:
            connection = "● Online"
        else:
            connection = "○ Offline"
        set_plain(self.connection, connection)
        self.connection.setStyleSheet(
            "color: #2e7d32;" if snapshot.online and not snapshot.syncing else ""
        )
        self.update_times()

        queued = snapshot.queued
        problems = snapshot.problems
        parts = []
        if queued:
            parts.append(f"{queued} queued")
        if problems:
            parts.append(f"{problems} need attention")
        self.queued.setText(" · ".join(parts) if parts else "No queued operations")
        self.queued.setToolTip(
            "Operations waiting to be sent, and those the platform refused or that need review"
        )
        if snapshot.last_error:
            prefix = "Sync waits its turn:" if snapshot.standby else "Sync error:"
            set_plain(self.errors, f"{prefix} {snapshot.last_error}")
            self.errors.setStyleSheet("" if snapshot.standby else _ERROR_STYLE)
            self.errors.setToolTip(snapshot.last_error)
        else:
            set_plain(self.errors, "")
            self.errors.setToolTip("")
        self.sync_button.setEnabled(snapshot.sync_available)
        self.sign_in_button.setVisible(snapshot.sync_available and snapshot.auth_required)

    def update_times(self) -> None:
        """Re-word "last synced 5 min ago" (called as time passes)."""
        moment = self._snapshot.last_success_at
        if moment is None:
            set_plain(self.last_sync, "Never synced")
            self.last_sync.setToolTip("")
        else:
            set_plain(self.last_sync, f"Last synced {self._fmt.since(moment, self._clock())}")
            self.last_sync.setToolTip(self._fmt.moment_long(moment))
