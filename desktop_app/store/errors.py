"""What the store refuses, in words for the operator."""

from __future__ import annotations

from .connection import StoreError

__all__ = ["OperationStateError", "OrderNotCachedError", "OutboxEntryNotFoundError", "StoreError"]


class OrderNotCachedError(KeyError):
    """No order with that id (or number) in the cache."""

    def __str__(self) -> str:
        return f"No order {self.args[0]} in the local cache; sync first."


class OutboxEntryNotFoundError(KeyError):
    def __str__(self) -> str:
        return f"No operation {self.args[0]} in the outbox."


class OperationStateError(ValueError):
    """The outbox entry is not in a state that allows what was asked (e.g. discard after
    sending: the platform may already have applied it)."""
