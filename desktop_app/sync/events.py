"""What the sync engine reports, as plain values delivered to subscriber callbacks.

Callbacks run on the engine's thread; a GUI turns each event into a Qt signal on its side
(never touch a widget from a callback). A callback that raises is logged and unsubscribed from
nothing: the engine carries on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from desktop_app.store import OperationState

__all__ = [
    "EventBus",
    "MessagesChanged",
    "OperationSettled",
    "OrdersChanged",
    "OutboxChanged",
    "SyncEvent",
    "SyncProgress",
    "SyncStateChanged",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SyncEvent:
    """Base of every event."""


@dataclass(frozen=True, slots=True)
class OrdersChanged(SyncEvent):
    """Orders were written to the cache. `many` means a large batch (a feed page): refresh
    the whole view rather than row by row."""

    order_ids: tuple[str, ...]
    many: bool = False


@dataclass(frozen=True, slots=True)
class OutboxChanged(SyncEvent):
    """The outbox changed (an entry went in flight, settled, or was queued)."""


@dataclass(frozen=True, slots=True)
class OperationSettled(SyncEvent):
    """One operation reached an answer: applied, rejected, needs review or set aside."""

    entry_id: int
    order_id: str
    state: OperationState
    explanation: str | None


@dataclass(frozen=True, slots=True)
class MessagesChanged(SyncEvent):
    order_id: str


@dataclass(frozen=True, slots=True)
class SyncStateChanged(SyncEvent):
    """Online or not, the last good sync, and what went wrong (None: nothing).

    `auth_required`: the platform ended the sign-in; the engine waits for a new one."""

    online: bool
    last_success_at: datetime | None
    error: str | None
    auth_required: bool = False
    standby: bool = False  # `error` says why the engine waits (another process syncs): no fault


@dataclass(frozen=True, slots=True)
class SyncProgress(SyncEvent):
    """Feed pages stored so far in this pull. `total_estimate` grows while `has_more`; it is
    None once the pull is over (done = the orders received)."""

    done: int
    total_estimate: int | None


Callback = Callable[[SyncEvent], None]


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Callback] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        """Add `callback`; returns a function that removes it again."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def emit(self, event: SyncEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:
                log.exception("A sync event subscriber failed on %s", type(event).__name__)
