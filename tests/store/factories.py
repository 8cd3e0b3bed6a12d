"""Orders for store tests, built through the wire codec so they are valid by construction."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from desktop_app.domain import Order, format_rfc3339, parse_order

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)

_CURRENCIES = [("EUR", 2), ("USD", 2), ("JPY", 0), ("KWD", 3), ("GBP", 2)]
_NAMES = ["Anna Müller", "王芳", "李雷", "Olga Ivanova", "محمد علي", "John Smith", "佐藤 健"]
_SERVICES = ["Logo design", "Website translation", "SEO audit", "Video editing", "Copywriting"]


def _t(moment: datetime | None) -> str | None:
    return format_rfc3339(moment) if moment is not None else None


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    digits = dict(_CURRENCIES)[currency]
    return {"amount": f"{amount.quantize(Decimal(1).scaleb(-digits)):f}", "currency": currency}


def order_wire(
    index: int,
    *,
    status: str = "pending_delivery",
    version: int = 1,
    now: datetime = NOW,
    rng: random.Random | None = None,
    buyer: str | None = None,
    service: str | None = None,
    requirements: str | None = None,
    deliver_in: timedelta | None = timedelta(days=3),
    refund_amount: Decimal | None = None,
    extension_days: int | None = None,
    respond_in: timedelta = timedelta(hours=30),
    unread: int = 0,
) -> dict[str, Any]:
    rng = rng or random.Random(index)
    currency, digits = _CURRENCIES[index % len(_CURRENCIES)]
    paid = Decimal(rng.randint(1_000, 100_000)) / (10**digits) * (100 if digits == 0 else 1)
    paid = paid.quantize(Decimal(1).scaleb(-digits))
    service_fee = (paid * Decimal("0.1")).quantize(Decimal(1).scaleb(-digits))
    payment_fee = (paid * Decimal("0.03")).quantize(Decimal(1).scaleb(-digits))
    net = paid - service_fee - payment_fee
    rate = Decimal("1.25") if currency != "JPY" else Decimal("0.0061")
    settlement_net = (net * rate).quantize(Decimal("0.01"))
    created = now - timedelta(days=10, minutes=index)
    deadlines: dict[str, Any] = {"deliver_by": None, "confirm_by": None, "respond_by": None}
    extension = refund = None
    delivery: dict[str, Any] = {}
    if status == "pending_delivery" and deliver_in is not None:
        deadlines["deliver_by"] = _t(now + deliver_in)
    if status in ("awaiting_confirmation", "completed", "refund_requested"):
        delivery["confirmed_at"] = _t(now - timedelta(days=1))
    if status == "awaiting_confirmation":
        deadlines["confirm_by"] = _t(now + timedelta(days=6))
        if extension_days is not None:
            extension = {
                "id": f"ext-{index}-{version}",
                "requested_days": extension_days,
                "reason": "Need more time",
                "status": "pending",
                "requested_at": _t(now - timedelta(hours=2)),
                "respond_by": _t(now + respond_in),
            }
            deadlines["respond_by"] = _t(now + respond_in)
    if status == "refund_requested":
        amount = refund_amount if refund_amount is not None else paid
        refund = {
            "id": f"ref-{index}-{version}",
            "amount": _money(amount, currency),
            "reason": "Not what I wanted",
            "status": "pending",
            "requested_at": _t(now - timedelta(hours=2)),
            "respond_by": _t(now + respond_in),
        }
        deadlines["respond_by"] = _t(now + respond_in)
    return {
        "id": f"ord-{index:07d}",
        "number": f"SO-20261126-{index:06d}",
        "status": status,
        "version": version,
        "created_at": _t(created),
        "updated_at": _t(created + timedelta(minutes=version)),
        "buyer": {
            "id": f"b-{index}",
            "display_name": buyer or _NAMES[index % len(_NAMES)],
            "country": "DE",
            "locale": "de-DE",
            "timezone": "Europe/Berlin",
        },
        "service": {
            "title": service or _SERVICES[index % len(_SERVICES)],
            "package": "Standard",
            "specifications": [{"name": "Revisions", "value": "2"}],
            "delivery_days": 3,
        },
        "requirements": {
            "text": requirements
            or f"Please make it blue, order {index}, with a modern look and a clean font.",
            "answers": [{"question": "Brand name?", "answer": f"Brand{index}"}],
            "attachments": [],
        },
        "finance": {
            "buyer_paid": _money(paid, currency),
            "service_fee": _money(service_fee, currency),
            "payment_fee": _money(payment_fee, currency),
            "net_receipt": _money(net, currency),
            "settlement": {
                "currency": "EUR",
                "fx_rate": str(rate),
                "net_receipt": {"amount": f"{settlement_net:f}", "currency": "EUR"},
            },
            "payout_status": "held",
        },
        "deadlines": deadlines,
        "delivery": delivery,
        "extension_request": extension,
        "refund_request": refund,
        "dispute": None,
        "allowed_actions": [],
        "unread_messages": unread,
        "last_message_at": None,
    }


def make_order(index: int, **options: Any) -> Order:
    return parse_order(order_wire(index, **options))


STATUSES = [
    "pending_delivery",
    "awaiting_confirmation",
    "refund_requested",
    "in_mediation",
    "delivery_refused",
    "completed",
    "refunded",
    "cancelled",
]


def mixed_orders(count: int, seed: int = 1) -> list[Order]:
    rng = random.Random(seed)
    orders = []
    for index in range(count):
        status = STATUSES[index % len(STATUSES)]
        orders.append(
            make_order(
                index,
                status=status,
                rng=rng,
                deliver_in=timedelta(hours=rng.randint(-48, 24 * 7)),
                extension_days=3 if index % 16 == 1 else None,
            )
        )
    return orders
