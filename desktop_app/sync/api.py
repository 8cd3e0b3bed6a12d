"""What the sync engine needs of the platform client (`PlatformClient` provides it)."""

from __future__ import annotations

from typing import Protocol

from desktop_app.domain import Operation, Order
from desktop_app.platform import ActionResult, ChangesPage, MessagesPage

__all__ = ["PlatformApi"]


class PlatformApi(Protocol):
    def changes(self, cursor: str | None, limit: int = ...) -> ChangesPage: ...

    def get_order(self, order_id: str) -> Order: ...

    def messages(
        self, order_id: str, after: str | None = None, limit: int = ...
    ) -> MessagesPage: ...

    def perform(
        self,
        order_id: str,
        operation: Operation,
        *,
        idempotency_key: str,
        if_match: int | None,
    ) -> ActionResult: ...
