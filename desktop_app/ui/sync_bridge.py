"""The sync engine, as Qt signals on the GUI thread.

The engine runs in its own thread and calls its subscribers there with plain event objects.
`SyncBridge` subscribes one callback that only emits a signal carrying the event; that signal
is connected queued, so the translation into "orders changed", "outbox changed", "state
changed" happens on the GUI thread, where the window's slots run. No widget is touched from the
engine's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, Signal

if TYPE_CHECKING:
    from desktop_app.sync.events import SyncEvent

__all__ = ["ConnectionState", "SyncBridge", "SyncControl"]


class SyncControl(Protocol):
    """What the window asks of the sync engine."""

    def subscribe(self, callback: Callable[[SyncEvent], None]) -> Callable[[], None]: ...

    def sync_now(self) -> None: ...

    def push_now(self) -> None: ...

    def request_messages(self, order_id: str) -> None: ...


@dataclass(frozen=True, slots=True)
class ConnectionState:
    online: bool | None = None  # None: no contact with the platform yet
    syncing: bool = False  # a pull is storing pages now (more to come)
    progress: tuple[int, int | None] | None = None  # (done, estimated total) while syncing
    last_success_at: datetime | None = None
    error: str | None = None
    auth_required: bool = False
    standby: bool = False  # `error` says why sync waits its turn: not a fault


class SyncBridge(QObject):
    # A sync wrote these orders (a frozenset of ids), or None when too many to list.
    orders_changed = Signal(object)
    # Operations moved in the outbox (queued, sent, applied, refused).
    outbox_changed = Signal()
    # One operation got its answer (the `OperationSettled` event).
    operation_settled = Signal(object)
    # Online or not, syncing or not, the last good sync and the error (a `ConnectionState`).
    state_changed = Signal(object)

    _event_arrived = Signal(object)  # emitted on the engine's thread, delivered queued

    def __init__(self, engine: SyncControl | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine: SyncControl | None = None
        self._state = ConnectionState()
        self._event_arrived.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe: Callable[[], None] | None = None
        if engine is not None:
            self.attach(engine)

    def attach(self, engine: SyncControl) -> None:
        """Start listening to `engine` (it may start after the window, e.g. in the demo)."""
        self.close()
        self._engine = engine
        self._unsubscribe = engine.subscribe(self._event_arrived.emit)

    @property
    def attached(self) -> bool:
        return self._engine is not None

    @property
    def state(self) -> ConnectionState:
        return self._state

    def close(self) -> None:
        """Stop listening (before the engine or the window goes)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._engine = None

    def report_error(self, text: str) -> None:
        """An error of the session around the engine (it could not start, sign-in failed)."""
        self._set_state(online=False, error=text)

    # -- asking the engine (non-blocking: each only wakes its thread) --------------------------

    def sync_now(self) -> None:
        if self._engine is not None:
            self._engine.sync_now()

    def push_now(self) -> None:
        if self._engine is not None:
            self._engine.push_now()

    def request_messages(self, order_id: str) -> None:
        if self._engine is not None:
            self._engine.request_messages(order_id)

    # -- events, on the GUI thread -------------------------------------------------------------

    def _dispatch(self, event: object) -> None:
        # Imported here, not at start-up: `desktop_app.sync` brings the HTTP client with it,
        # which the window does not need to show its first rows.
        from desktop_app.sync.events import (
            MessagesChanged,
            OperationSettled,
            OrdersChanged,
            OutboxChanged,
            SyncProgress,
            SyncStateChanged,
        )

        match event:
            case OrdersChanged(order_ids=ids, many=many):
                self.orders_changed.emit(None if many else frozenset(ids))
            case MessagesChanged(order_id=order_id):
                self.orders_changed.emit(frozenset({order_id}))
            case OperationSettled():
                self.operation_settled.emit(event)
                self.outbox_changed.emit()
            case OutboxChanged():
                self.outbox_changed.emit()
            case SyncProgress(done=done, total_estimate=total):
                if total is None:
                    self._set_state(syncing=False, progress=None)
                else:
                    self._set_state(syncing=True, progress=(done, total))
            case SyncStateChanged():
                self._set_state(
                    online=event.online,
                    syncing=False if event.error else self._state.syncing,
                    last_success_at=event.last_success_at,
                    error=event.error,
                    auth_required=event.auth_required,
                    standby=event.standby,
                )
                if event.last_success_at is not None and event.error is None:
                    self._set_state(syncing=False, progress=None)

    def _set_state(self, **changes: object) -> None:
        values: dict[str, object] = {
            "online": self._state.online,
            "syncing": self._state.syncing,
            "progress": self._state.progress,
            "last_success_at": self._state.last_success_at,
            "error": self._state.error,
            "auth_required": self._state.auth_required,
            "standby": self._state.standby,
        }
        values.update(changes)
        state = ConnectionState(**values)  # type: ignore[arg-type]
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)
