"""The offline cache: orders, messages, the outbox and the sync state, in SQLite.

The GUI reads it (its own `Store`), the sync worker writes it; see `Store` for the API.
"""

from .connection import StoreError
from .errors import (
    OperationStateError,
    OrderNotCachedError,
    OutboxEntryNotFoundError,
    cache_problem,
)
from .store import Store
from .types import (
    PROBLEM_STATES,
    UNFINISHED_STATES,
    InvalidOrderEntry,
    MessageEntry,
    OperationState,
    OrderQuery,
    OrderRow,
    OrderView,
    OutboxEntry,
    SortKey,
    SyncStatus,
)

__all__ = [
    "PROBLEM_STATES",
    "UNFINISHED_STATES",
    "InvalidOrderEntry",
    "MessageEntry",
    "OperationState",
    "OperationStateError",
    "OrderNotCachedError",
    "OrderQuery",
    "OrderRow",
    "OrderView",
    "OutboxEntry",
    "OutboxEntryNotFoundError",
    "SortKey",
    "Store",
    "StoreError",
    "SyncStatus",
    "cache_problem",
]
