"""The real sandbox over loopback, and a small driver for its control endpoints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from desktop_app.domain import Order
from desktop_app.platform import MemoryCredentials, PlatformClient
from desktop_app.sandbox.control import SandboxControl as _SandboxControl

DEMO = ("demo", "demo-password")


class SandboxControl(_SandboxControl):
    """The sandbox's own control client, plus what the sync tests check with it: the ledger
    of the demo merchant, the platform's truth read through our client, faults for a while."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url
        self._merchant: PlatformClient | None = None

    def close(self) -> None:
        if self._merchant is not None:
            self._merchant.close()
        super().close()

    def reset(self, seed: int = 7, orders: int = 40) -> dict[str, Any]:
        result = super().reset(seed=seed, orders=orders)
        if self._merchant is not None:  # its tokens died with the old world
            self._merchant.close()
            self._merchant = None
        return result

    def faults(self, **settings: Any) -> None:
        self.set_faults(**settings)

    @contextmanager
    def faulty(self, **settings: Any) -> Iterator[None]:
        self.set_faults(**settings)
        try:
            yield
        finally:
            self.clear_faults()

    def ledger(self, merchant: str | None = "demo") -> list[dict[str, Any]]:
        return super().ledger(merchant)

    def assert_no_key_applied_twice(self) -> Counter[str]:
        keys = Counter(entry["idempotency_key"] for entry in self.ledger())
        twice = {key: n for key, n in keys.items() if n > 1}
        assert not twice, f"idempotency keys applied more than once: {twice}"
        return keys

    def buyer(self, order_id: str, move: str, body: dict[str, Any] | None = None) -> Any:
        return self.move(order_id, f"buyer/{move}", body)

    def merchant(self) -> PlatformClient:
        """A client of the demo merchant, for reading the platform's truth."""
        if self._merchant is None:
            self._merchant = PlatformClient(self.url, MemoryCredentials())
            self._merchant.sign_in(*DEMO)
        return self._merchant

    def platform_order(self, order_id: str) -> Order:
        with self.faulty():
            return self.merchant().get_order(order_id)

    def all_orders(self) -> dict[str, Order]:
        orders: dict[str, Order] = {}
        cursor: str | None = None
        while True:
            page = self.merchant().changes(cursor)
            orders.update((order.id, order) for order in page.orders)
            cursor = page.next_cursor
            if not page.has_more:
                return orders
