"""The seeded world: deterministic from the seed, and as varied as the platform's merchants'
real orders (statuses, currencies, scripts, time zones, money that adds up)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel import Locale

from desktop_app.sandbox.control import SandboxControl
from desktop_app.sandbox.schemas import Order
from desktop_app.sandbox.server import RunningSandbox, SandboxOptions, start_sandbox

from .conftest import DEMO, RIVAL, Api

STATUSES = {
    "pending_delivery",
    "awaiting_confirmation",
    "delivery_refused",
    "refund_requested",
    "in_mediation",
    "completed",
    "refunded",
    "partially_refunded",
    "cancelled",
}
SCRIPTS = {
    "CJK": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]"),
    "Cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "Arabic": re.compile(r"[\u0600-\u06ff]"),
    "Hebrew": re.compile(r"[\u0590-\u05ff]"),
    "emoji": re.compile(r"[\U0001F300-\U0001FAFF\u2728]"),
    "Latin with accents": re.compile(r"[À-ɏ]"),
}


@pytest.fixture(scope="module")
def world() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxOptions(orders=100, seed=42)) as running:
        yield running


@pytest.fixture(scope="module")
def demo_orders(world: RunningSandbox) -> list[dict[str, Any]]:
    with Api(world.url, *DEMO) as api:
        return api.feed_all()[0]


def test_each_merchant_gets_its_orders_in_every_status(
    world: RunningSandbox, demo_orders: list[dict[str, Any]]
) -> None:
    with Api(world.url, *RIVAL) as rival:
        rival_orders = rival.feed_all()[0]
    for orders in (demo_orders, rival_orders):
        assert len(orders) == 100
        statuses = Counter(o["status"] for o in orders)
        assert set(statuses) == STATUSES
        assert statuses["pending_delivery"] >= len(orders) / 5


@pytest.mark.parametrize("orders", [1, 4, 7, 13])
def test_small_worlds_keep_a_fifth_pending(
    own_sandbox: Callable[..., RunningSandbox], orders: int
) -> None:
    with Api(own_sandbox(orders=orders).url, *DEMO) as api:
        seeded = api.feed_all()[0]
    assert len(seeded) == orders
    assert sum(o["status"] == "pending_delivery" for o in seeded) >= orders / 5


def test_the_same_seed_makes_the_same_world(demo_orders: list[dict[str, Any]]) -> None:
    def timeless(order: dict[str, Any]) -> tuple[Any, ...]:
        return (
            order["id"],
            order["number"][-6:],
            order["status"],
            order["version"],
            order["buyer"],
            order["service"],
            order["requirements"],
            order["finance"],
        )

    with start_sandbox(SandboxOptions(orders=100, seed=42)) as again, Api(again.url, *DEMO) as api:
        same = api.feed_all()[0]
    with start_sandbox(SandboxOptions(orders=100, seed=43)) as other, Api(other.url, *DEMO) as api:
        different = api.feed_all()[0]
    assert sorted(map(timeless, same)) == sorted(map(timeless, demo_orders))
    assert sorted(map(timeless, different)) != sorted(map(timeless, demo_orders))


def test_currencies_with_0_2_and_3_minor_units(demo_orders: list[dict[str, Any]]) -> None:
    currencies = Counter(o["finance"]["buyer_paid"]["currency"] for o in demo_orders)
    assert len(currencies) >= 5
    assert {"JPY", "KWD", "EUR", "USD"} <= set(currencies)
    digits = {"JPY": 0, "KRW": 0, "EUR": 2, "USD": 2, "GBP": 2, "KWD": 3, "BHD": 3}
    for order in demo_orders:
        finance = order["finance"]
        currency = finance["buyer_paid"]["currency"]
        for name in ("buyer_paid", "service_fee", "payment_fee", "net_receipt", "refunded"):
            money = finance[name]
            assert money["currency"] == currency
            if currency in digits:
                assert len(money["amount"].partition(".")[2]) == digits[currency], money
        settled = finance["settlement"]
        assert settled["currency"] == "USD"  # demo settles in USD
        assert len(settled["net_receipt"]["amount"].partition(".")[2]) == 2


def test_net_is_paid_minus_refunds_minus_fees_exactly(
    demo_orders: list[dict[str, Any]],
) -> None:
    for order in demo_orders:
        f = order["finance"]
        amount = {
            k: Decimal(f[k]["amount"])
            for k in ("buyer_paid", "refunded", "service_fee", "payment_fee", "net_receipt")
        }
        assert amount["net_receipt"] == (
            amount["buyer_paid"]
            - amount["refunded"]
            - amount["service_fee"]
            - amount["payment_fee"]
        )
        assert amount["service_fee"] >= 0 and amount["payment_fee"] >= 0
        assert amount["net_receipt"] >= 0
        settlement = f["settlement"]
        expected = (amount["net_receipt"] * Decimal(settlement["fx_rate"])).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        assert Decimal(settlement["net_receipt"]["amount"]) == expected
        if order["status"] in ("refunded", "cancelled"):
            assert f["refunded"] == f["buyer_paid"]
        if order["status"] not in ("refunded", "cancelled", "partially_refunded"):
            assert amount["refunded"] == 0


def test_buyers_from_many_places_in_many_scripts(demo_orders: list[dict[str, Any]]) -> None:
    countries = {o["buyer"]["country"] for o in demo_orders}
    assert len(countries) >= 10
    for order in demo_orders:
        buyer = order["buyer"]
        ZoneInfo(buyer["timezone"])
        assert Locale.parse(buyer["locale"], sep="-").territory == buyer["country"]
    text = " ".join(o["buyer"]["display_name"] + o["requirements"]["text"] for o in demo_orders)
    for script, pattern in SCRIPTS.items():
        assert pattern.search(text), script
    assert any(unicodedata.bidirectional(c) == "AL" for c in text)  # right-to-left Arabic


def test_requirements_have_answers_and_attachments(demo_orders: list[dict[str, Any]]) -> None:
    assert all(o["requirements"]["answers"] for o in demo_orders)
    attachments = [a for o in demo_orders for a in o["requirements"]["attachments"]]
    assert attachments
    assert all(a["size"] > 0 and "/" in a["media_type"] for a in attachments)
    services = {(o["service"]["title"], o["service"]["package"]) for o in demo_orders}
    assert len(services) >= 15
    assert all(o["service"]["specifications"] for o in demo_orders)


def test_message_threads(world: RunningSandbox, demo_orders: list[dict[str, Any]]) -> None:
    with_messages = [o for o in demo_orders if o["last_message_at"]]
    assert len(with_messages) > len(demo_orders) / 2
    assert any(o["unread_messages"] > 0 for o in demo_orders)
    with Api(world.url, *DEMO) as api:
        thread = api.get(f"/v1/orders/{with_messages[0]['id']}/messages").json()["messages"]
    assert thread and thread[-1]["sent_at"] == with_messages[0]["last_message_at"]
    assert {m["author"] for m in thread} <= {"buyer", "merchant", "platform"}


def test_deadlines_past_and_future(demo_orders: list[dict[str, Any]]) -> None:
    now = datetime.now(UTC)

    def when(order: dict[str, Any], name: str) -> datetime | None:
        value = order["deadlines"][name]
        return None if value is None else datetime.fromisoformat(value)

    pending = [o for o in demo_orders if o["status"] == "pending_delivery"]
    due = [when(o, "deliver_by") for o in pending]
    assert any(d is not None and d < now for d in due)  # late
    assert any(d is not None and d > now for d in due)
    for order in demo_orders:
        running = {k for k, v in order["deadlines"].items() if v is not None}
        expected = {
            "pending_delivery": {"deliver_by"},
            "awaiting_confirmation": {"confirm_by"}
            | ({"respond_by"} if "approve_extension" in order["allowed_actions"] else set()),
            "refund_requested": {"respond_by"},
        }.get(order["status"], set())
        assert running == expected, order["deadlines"]
        for name in ("confirm_by", "respond_by"):
            moment = when(order, name)
            assert moment is None or moment > now  # the platform acts on passed ones at once
    extensions = Counter((o["extension_request"] or {}).get("status") for o in demo_orders)
    assert {"pending", "approved", "rejected", "expired"} <= set(extensions)


def test_every_seeded_order_fits_the_model(demo_orders: list[dict[str, Any]]) -> None:
    for order in demo_orders:
        Order.model_validate(order)
        assert order["created_at"] <= order["updated_at"]
        assert re.fullmatch(r"SO-\d{8}-\d{6}", order["number"])
        assert order["number"][3:11] == order["created_at"][:10].replace("-", "")


def test_a_buyer_is_the_same_person_on_every_order(
    own_sandbox: Callable[..., RunningSandbox],
) -> None:
    running = own_sandbox(orders=60)
    with SandboxControl(running.url) as control:
        later = control.new_orders("demo", 60)  # bought after the seeding
    with Api(running.url, *DEMO) as api:
        orders = api.feed_all()[0]
    people: dict[str, dict[str, Any]] = {}
    for order in orders + later:
        buyer = order["buyer"]
        assert people.setdefault(buyer["id"], buyer) == buyer
    assert len(people) < len(orders)  # buyers come back
