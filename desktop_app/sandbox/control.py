"""A small typed client of the ``/_sandbox`` control endpoints, for tests and demos.

    with start_sandbox(SandboxOptions()) as sandbox, SandboxControl(sandbox.url) as control:
        order = control.new_orders("demo", status="awaiting_confirmation")[0]
        control.buyer_request_extension(order["id"], days=3)
        control.advance(timedelta(days=2))

Every method raises ``SandboxControlError`` (with the problem body) on an error answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

import httpx

DEFAULT_REASON = "Sandbox test"


class SandboxControlError(RuntimeError):
    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        try:
            self.problem: dict[str, Any] = response.json()
        except ValueError:
            self.problem = {"detail": response.text}
        self.code = self.problem.get("code")
        super().__init__(f"{response.request.method} {response.request.url.path}: "
                         f"{response.status_code} {self.code}: {self.problem.get('detail')}")


class SandboxControl:
    def __init__(self, base_url: str, client: httpx.Client | None = None) -> None:
        self._owned = client is None
        self._client = client or httpx.Client(base_url=base_url, timeout=120)
        self._base = base_url.rstrip("/")

    def close(self) -> None:
        if self._owned:
            self._client.close()

    def __enter__(self) -> SandboxControl:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None,
              params: dict[str, str] | None = None) -> Any:
        response = self._client.request(method, f"{self._base}/_sandbox{path}", json=body,
                                        params=params)
        if response.status_code >= 400:
            raise SandboxControlError(response)
        return response.json()

    # --- the world ------------------------------------------------------------------------

    def reset(self, seed: int = 7, orders: int = 200) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/reset", {"seed": seed, "orders": orders})
        return result

    def now(self) -> datetime:
        return datetime.fromisoformat(self._call("GET", "/clock")["now"])

    def advance(self, by: float | timedelta) -> datetime:
        seconds = by.total_seconds() if isinstance(by, timedelta) else by
        return datetime.fromisoformat(
            self._call("POST", "/clock/advance", {"seconds": seconds})["now"]
        )

    def set_faults(self, latency_ms: int = 0, error_rate: float = 0.0, drop_rate: float = 0.0,
                   rate_limit_per_s: float = 0.0) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/faults", {
            "latency_ms": latency_ms, "error_rate": error_rate, "drop_rate": drop_rate,
            "rate_limit_per_s": rate_limit_per_s,
        })
        return result

    def clear_faults(self) -> None:
        self.set_faults()

    def ledger(self, merchant: str | None = None) -> list[dict[str, Any]]:
        params = {"merchant": merchant} if merchant else None
        entries: list[dict[str, Any]] = self._call("GET", "/ledger", params=params)["entries"]
        return entries

    def expire_access_tokens(self) -> int:
        return int(self._call("POST", "/tokens/expire")["expired"])

    def new_orders(self, username: str = "demo", count: int = 1,
                   status: str = "pending_delivery") -> list[dict[str, Any]]:
        orders: list[dict[str, Any]] = self._call(
            "POST", f"/merchants/{username}/orders", {"count": count, "status": status}
        )["orders"]
        return orders

    # --- the buyer and the platform -------------------------------------------------------

    def move(self, order_id: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Any buyer or platform move on an order, by its path (``"buyer/confirm"``)."""
        return self._call("POST", f"/orders/{order_id}/{path}", body)

    def buyer_confirm(self, order_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.move(order_id, "buyer/confirm")
        return result

    def buyer_request_extension(self, order_id: str, days: int = 3,
                                reason: str = DEFAULT_REASON) -> dict[str, Any]:
        result: dict[str, Any] = self.move(order_id, "buyer/request-extension",
                                            {"days": days, "reason": reason})
        return result

    def buyer_request_refund(self, order_id: str, amount: str | None = None,
                             reason: str = DEFAULT_REASON) -> dict[str, Any]:
        body: dict[str, Any] = {"reason": reason}
        if amount is not None:
            body["amount"] = amount
        result: dict[str, Any] = self.move(order_id, "buyer/request-refund", body)
        return result

    def buyer_message(self, order_id: str, text: str) -> dict[str, Any]:
        result: dict[str, Any] = self.move(order_id, "buyer/message", {"text": text})
        return result

    def buyer_revise_requirements(self, order_id: str, text: str) -> dict[str, Any]:
        result: dict[str, Any] = self.move(order_id, "buyer/revise-requirements", {"text": text})
        return result

    def buyer_accept_cancellation(self, order_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.move(order_id, "buyer/accept-cancellation")
        return result

    def resolve_mediation(self, order_id: str, outcome: str,
                          amount: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"outcome": outcome}
        if amount is not None:
            body["amount"] = amount
        result: dict[str, Any] = self.move(order_id, "mediation/resolve", body)
        return result
