"""Every order belongs to one merchant; another merchant's order answers exactly as a missing
one (404, the same body), for reads and writes alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import Api, problem


def test_the_feed_holds_only_the_merchants_own_orders(demo: Api, rival: Api) -> None:
    demo_ids = {o["id"] for o in demo.feed_all()[0]}
    rival_ids = {o["id"] for o in rival.feed_all()[0]}
    assert demo_ids and rival_ids
    assert not demo_ids & rival_ids
    for order in rival.feed_all()[0]:
        assert order["finance"]["settlement"]["currency"] == "EUR"


@pytest.mark.parametrize(
    "path", ["/v1/orders/{id}", "/v1/orders/{id}/messages"]
)
def test_reading_another_merchants_order_is_a_plain_404(
    demo: Api, new_order: Callable[..., dict[str, Any]], path: str
) -> None:
    theirs = new_order(merchant="rival")
    foreign = demo.get(path.format(id=theirs["id"]))
    missing = demo.get(path.format(id="ord_000000000000"))
    assert problem(foreign, 404, "not-found") == problem(missing, 404, "not-found")


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("confirm-delivery", {}),
        ("refuse-delivery", {"reason_code": "capacity", "explanation": "Busy"}),
        ("extension/approve", {"request_id": "x"}),
        ("extension/reject", {"request_id": "x", "reason": "No"}),
        ("refund/approve", {"request_id": "x"}),
        ("refund/dispute", {"request_id": "x", "reason": "No", "evidence": "Files"}),
        ("messages", {"text": "Hello"}),
    ],
)
def test_acting_on_another_merchants_order_is_a_plain_404(
    demo: Api, rival: Api, new_order: Callable[..., dict[str, Any]], action: str,
    body: dict[str, Any],
) -> None:
    theirs = new_order(merchant="rival")
    foreign = demo.act(theirs["id"], action, body, if_match=theirs["version"])
    missing = demo.act("ord_000000000000", action, body, if_match=1)
    assert problem(foreign, 404, "not-found") == problem(missing, 404, "not-found")
    assert rival.order(theirs["id"])["version"] == theirs["version"]  # untouched
