"""The client's domain and the platform sandbox are written independently; here they must
agree, order by order, on what the merchant may do now, and every seeded payload must pass the
client's validation."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from desktop_app.domain import ActionKind, OrderStatus, availability, parse_order, parse_rfc3339
from desktop_app.sandbox.server import SandboxOptions, start_sandbox


@pytest.fixture(scope="module")
def seeded_orders() -> tuple[list[dict[str, object]], str]:
    with (
        start_sandbox(SandboxOptions(orders=400, seed=11)) as sandbox,
        httpx.Client(base_url=sandbox.url, timeout=30) as http,
    ):
        token = http.post(
            "/v1/auth/token",
            data={"grant_type": "password", "username": "demo", "password": "demo-password"},
        ).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        payloads: list[dict[str, object]] = []
        cursor = None
        while True:
            page = http.get(
                "/v1/orders", params={"limit": 500, **({"cursor": cursor} if cursor else {})}
            ).json()
            payloads += page["orders"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
        now = http.get("/_sandbox/clock").json()["now"]
    return payloads, now


def test_every_seeded_order_passes_the_clients_validation(
    seeded_orders: tuple[list[dict[str, object]], str],
) -> None:
    payloads, _ = seeded_orders
    orders = [parse_order(payload) for payload in payloads]
    assert len(orders) == 400
    statuses = Counter(order.status for order in orders)
    assert OrderStatus.UNKNOWN not in statuses
    assert set(statuses) >= set(OrderStatus) - {OrderStatus.UNKNOWN}
    assert {"JPY", "KWD"} <= {order.finance.currency for order in orders}


def test_the_domain_allows_exactly_what_the_platform_allows(
    seeded_orders: tuple[list[dict[str, object]], str],
) -> None:
    payloads, clock = seeded_orders
    now = parse_rfc3339(clock)
    disagreements = []
    for payload in payloads:
        order = parse_order(payload)
        ours = {kind for kind, verdict in availability(order, now).items() if verdict.allowed}
        if ours != set(order.allowed_actions):
            disagreements.append(
                (order.number, order.status.value, sorted(ours ^ set(order.allowed_actions)))
            )
    assert not disagreements, disagreements[:10]
    assert any(
        ActionKind.APPROVE_EXTENSION in order_actions
        for order_actions in (parse_order(p).allowed_actions for p in payloads)
    )
