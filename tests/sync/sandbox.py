"""The real sandbox over loopback, and a small driver for its control endpoints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from desktop_app.domain import Order
from desktop_app.platform import MemoryCredentials, PlatformClient

DEMO = ("demo", "demo-password")


class SandboxControl:
    """Plays the buyer and the platform, sets faults, reads the ledger."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._http = httpx.Client(base_url=url, timeout=60)
        self._merchant: PlatformClient | None = None

    def close(self) -> None:
        if self._merchant is not None:
            self._merchant.close()
        self._http.close()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._http.post(path, json=body or {})
        response.raise_for_status()
        return response.json()

    def reset(self, orders: int = 40, seed: int = 7) -> None:
        self._post("/_sandbox/reset", {"seed": seed, "orders": orders})
        if self._merchant is not None:
            self._merchant.close()
            self._merchant = None

    def faults(
        self,
        latency_ms: int = 0,
        error_rate: float = 0.0,
        drop_rate: float = 0.0,
        rate_limit_per_s: float = 0.0,
    ) -> None:
        self._post(
            "/_sandbox/faults",
            {
                "latency_ms": latency_ms,
                "error_rate": error_rate,
                "drop_rate": drop_rate,
                "rate_limit_per_s": rate_limit_per_s,
            },
        )

    @contextmanager
    def faulty(self, **settings: Any) -> Iterator[None]:
        self.faults(**settings)
        try:
            yield
        finally:
            self.faults()

    def ledger(self, merchant: str = "demo") -> list[dict[str, Any]]:
        response = self._http.get("/_sandbox/ledger", params={"merchant": merchant})
        response.raise_for_status()
        return list(response.json()["entries"])

    def assert_no_key_applied_twice(self) -> Counter[str]:
        keys = Counter(entry["idempotency_key"] for entry in self.ledger())
        twice = {key: n for key, n in keys.items() if n > 1}
        assert not twice, f"idempotency keys applied more than once: {twice}"
        return keys

    def advance(self, seconds: float) -> None:
        self._post("/_sandbox/clock/advance", {"seconds": seconds})

    def buyer(self, order_id: str, move: str, body: dict[str, Any] | None = None) -> Any:
        return self._post(f"/_sandbox/orders/{order_id}/buyer/{move}", body)

    def resolve(self, order_id: str, outcome: str, amount: str | None = None) -> Any:
        return self._post(
            f"/_sandbox/orders/{order_id}/mediation/resolve", {"outcome": outcome, "amount": amount}
        )

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
