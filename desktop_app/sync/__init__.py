"""Sync: pull the changes feed into the cache, push the outbox to the platform. No Qt.

`SyncEngine(store, client)`; events in `events`; the answer policy in `answers`.
"""

from .answers import Decision, Verdict, classify
from .api import PlatformApi
from .backoff import full_jitter
from .engine import CycleReport, SyncEngine
from .events import (
    EventBus,
    MessagesChanged,
    OperationSettled,
    OrdersChanged,
    OutboxChanged,
    SyncEvent,
    SyncProgress,
    SyncStateChanged,
)

__all__ = [
    "CycleReport",
    "Decision",
    "EventBus",
    "MessagesChanged",
    "OperationSettled",
    "OrdersChanged",
    "OutboxChanged",
    "PlatformApi",
    "SyncEngine",
    "SyncEvent",
    "SyncProgress",
    "SyncStateChanged",
    "Verdict",
    "classify",
    "full_jitter",
]
