"""Fixtures of the sandbox's own tests: a real sandbox on loopback, spoken to over HTTP.

One sandbox serves the session. Tests that change orders make fresh ones through the control
endpoints, so they do not depend on each other or on the seed; tests that move the platform
clock, reset the world or need short-lived tokens start a small sandbox of their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from desktop_app.sandbox.control import SandboxControl
from desktop_app.sandbox.server import RunningSandbox, SandboxOptions, start_sandbox

DEMO = ("demo", "demo-password")
RIVAL = ("rival", "rival-password")


class Api:
    """An httpx client signed in as one merchant, with helpers for the contract's writes."""

    def __init__(self, url: str, username: str, password: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)
        answer = self.http.post(
            "/v1/auth/token",
            data={
                "grant_type": "password",
                "username": username,
                "password": password,
            },
        )
        assert answer.status_code == 200, answer.text
        self.tokens: dict[str, Any] = answer.json()
        self.http.headers["Authorization"] = f"Bearer {self.tokens['access_token']}"

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params)

    def order(self, order_id: str) -> dict[str, Any]:
        answer = self.http.get(f"/v1/orders/{order_id}")
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def act(
        self,
        order: dict[str, Any] | str,
        action: str,
        body: dict[str, Any] | None = None,
        *,
        key: str | None = "new",
        if_match: str | int | None = "current",
    ) -> httpx.Response:
        """POST a write. ``key="new"``: a fresh key; ``if_match="current"``: the order's
        version as given (a dict) or as fetched now (an id)."""
        order_id = order if isinstance(order, str) else order["id"]
        headers: dict[str, str] = {}
        if key is not None:
            headers["Idempotency-Key"] = f"test-{uuid.uuid4()}" if key == "new" else key
        if if_match == "current":
            current = self.order(order_id) if isinstance(order, str) else order
            if_match = current["version"]
        if if_match is not None and not action.startswith("messages"):
            headers["If-Match"] = f'"{if_match}"' if isinstance(if_match, int) else if_match
        return self.http.post(f"/v1/orders/{order_id}/{action}", json=body or {}, headers=headers)

    def feed_all(
        self, cursor: str | None = None, limit: int = 500
    ) -> tuple[list[dict[str, Any]], str]:
        """Every order changed after ``cursor``, page by page; and the last next_cursor."""
        orders: list[dict[str, Any]] = []
        while True:
            params: dict[str, Any] = {"limit": limit}
            if cursor:
                params["cursor"] = cursor
            page = self.http.get("/v1/orders", params=params)
            assert page.status_code == 200, page.text
            body = page.json()
            ids = [o["id"] for o in body["orders"]]
            assert len(ids) == len(set(ids)), "an order twice in one page"
            orders += body["orders"]
            cursor = body["next_cursor"]
            if not body["has_more"]:
                return orders, cursor


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert an RFC 9457 answer with this status and code; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxOptions(orders=60, seed=7)) as running:
        yield running


@pytest.fixture
def control(sandbox: RunningSandbox) -> Iterator[SandboxControl]:
    with SandboxControl(sandbox.url) as ctl:
        yield ctl
        ctl.clear_faults()


@pytest.fixture
def demo(sandbox: RunningSandbox) -> Iterator[Api]:
    api = Api(sandbox.url, *DEMO)
    yield api
    api.close()


@pytest.fixture
def rival(sandbox: RunningSandbox) -> Iterator[Api]:
    api = Api(sandbox.url, *RIVAL)
    yield api
    api.close()


@pytest.fixture
def new_order(control: SandboxControl) -> Callable[..., dict[str, Any]]:
    def make(status: str = "pending_delivery", merchant: str = "demo") -> dict[str, Any]:
        return control.new_orders(merchant, 1, status)[0]

    return make


def half(amount: str) -> str:
    """Half of a wire amount, in the same minor units."""
    paid = Decimal(amount)
    return str((paid / 2).quantize(Decimal(1).scaleb(paid.as_tuple().exponent)))  # type: ignore[arg-type]


#: Every state an order can be in, and how the merchant and the buyer get it there over HTTP.
STATES = (
    "pending_delivery",
    "awaiting_confirmation",
    "awaiting_confirmation+extension",
    "delivery_refused",
    "refund_requested",
    "in_mediation",
    "completed",
    "refunded",
    "partially_refunded",
    "cancelled",
)


def walk(api: Api, control: SandboxControl, state: str) -> dict[str, Any]:
    """A fresh order of ``api``'s merchant, brought to ``state`` by HTTP alone."""
    order = control.new_orders("demo", 1, "pending_delivery")[0]
    oid = order["id"]

    def ok(answer: httpx.Response) -> dict[str, Any]:
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    if state == "pending_delivery":
        return order
    if state.startswith("awaiting_confirmation") or state == "completed":
        order = ok(api.act(order, "confirm-delivery", {"note": "Files attached"}))
        if state.endswith("+extension"):
            order = control.buyer_request_extension(oid, days=4)
        if state == "completed":
            order = control.buyer_confirm(oid)
        return order
    if state in ("delivery_refused", "cancelled"):
        order = ok(
            api.act(
                order, "refuse-delivery", {"reason_code": "capacity", "explanation": "Fully booked"}
            )
        )
        if state == "cancelled":
            order = control.buyer_accept_cancellation(oid)
        return order
    partial = state == "partially_refunded"
    paid = order["finance"]["buyer_paid"]
    amount = half(paid["amount"]) if partial else None
    order = control.buyer_request_refund(oid, amount=amount)
    request_id = order["refund_request"]["id"]
    if state == "in_mediation":
        order = ok(
            api.act(
                order,
                "refund/dispute",
                {"request_id": request_id, "reason": "Delivered in full", "evidence": "final.zip"},
            )
        )
    elif state in ("refunded", "partially_refunded"):
        order = ok(api.act(order, "refund/approve", {"request_id": request_id}))
    return order


@pytest.fixture
def order_in(demo: Api, control: SandboxControl) -> Callable[[str], dict[str, Any]]:
    return lambda state: walk(demo, control, state)


@pytest.fixture
def own_sandbox() -> Iterator[Callable[..., RunningSandbox]]:
    """Start small sandboxes of a test's own (stopped at its end)."""
    started: list[RunningSandbox] = []

    def start(**options: Any) -> RunningSandbox:
        options.setdefault("orders", 5)
        running = start_sandbox(SandboxOptions(**options))
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
