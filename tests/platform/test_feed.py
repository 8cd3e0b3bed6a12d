"""Reading: the changes feed to its end and onwards, one order, a conversation."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from desktop_app.domain import Author, ConfirmDelivery, OrderStatus, order_to_wire
from desktop_app.platform import (
    ActionResult,
    ChangesPage,
    MemoryCredentials,
    NotFound,
    PlatformClient,
    UnexpectedResponse,
)
from desktop_app.sandbox.server import RunningSandbox

from .conftest import RIVAL, SEED_ORDERS, Control


def drain(client: PlatformClient, cursor: str | None, limit: int) -> tuple[list[ChangesPage], str]:
    pages: list[ChangesPage] = []
    while True:
        page = client.changes(cursor, limit=limit)
        pages.append(page)
        cursor = page.next_cursor
        if not page.has_more:
            return pages, cursor
        assert len(pages) < 100, "the feed never ends"


def test_the_feed_pages_through_every_order_then_only_the_changes(
    client: PlatformClient, control: Control
) -> None:
    pages, cursor = drain(client, None, limit=7)
    assert len(pages) >= 2
    ids = [order.id for page in pages for order in page.orders]
    assert len(ids) == len(set(ids)) >= SEED_ORDERS  # every order once, at its latest version
    assert all(len(page.orders) <= 7 and not page.invalid for page in pages)

    # Nothing changed: asking again from the stored cursor returns nothing new.
    assert client.changes(cursor).orders == []

    order = control.new_order("pending_delivery")
    talked_to = next(o.id for page in pages for o in page.orders)
    control.buyer_message(talked_to, "Any news?")
    later, cursor = drain(client, cursor, limit=500)
    changed = {o.id: o for page in later for o in page.orders}
    assert set(changed) == {order.id, talked_to}
    assert changed[talked_to].unread_messages >= 1
    assert client.changes(cursor).orders == []


def test_the_feed_keeps_each_merchant_to_its_own_orders(
    client: PlatformClient, sandbox: RunningSandbox, control: Control
) -> None:
    rival_order = control.new_order("pending_delivery", merchant="rival")
    pages, _ = drain(client, None, limit=500)
    assert rival_order.id not in {o.id for page in pages for o in page.orders}
    with pytest.raises(NotFound):
        client.get_order(rival_order.id)
    with PlatformClient(sandbox.url, MemoryCredentials()) as rival:
        rival.sign_in(*RIVAL)
        assert rival.get_order(rival_order.id).id == rival_order.id


def test_get_order_and_its_conversation(client: PlatformClient, control: Control) -> None:
    order = control.new_order("pending_delivery")
    fetched = client.get_order(order.id)
    assert fetched.id == order.id and fetched.number == order.number
    assert fetched.status is OrderStatus.PENDING_DELIVERY

    for i in range(5):
        control.buyer_message(order.id, f"message {i} <b>not html</b>")
    first = client.messages(order.id, limit=2)
    assert first.has_more and len(first.messages) == 2
    rest = client.messages(order.id, after=first.messages[-1].id, limit=100)
    texts = [m.text for m in first.messages + rest.messages if m.author is Author.BUYER]
    assert texts[-5:] == [f"message {i} <b>not html</b>" for i in range(5)]
    assert not rest.has_more


def test_a_missing_order_is_not_found(client: PlatformClient) -> None:
    with pytest.raises(NotFound) as caught:
        client.get_order("no-such-order")
    assert caught.value.status == 404
    with pytest.raises(NotFound):
        client.messages("no-such-order")
    with pytest.raises(NotFound):
        client.get_order("../../v1/orders")  # an id is one path segment, whatever it holds


def test_limits_are_checked_before_asking(client: PlatformClient) -> None:
    with pytest.raises(ValueError, match="limit"):
        client.changes(None, limit=0)
    with pytest.raises(ValueError, match="limit"):
        client.changes(None, limit=501)
    with pytest.raises(ValueError, match="limit"):
        client.messages("x", limit=0)


# -- untrusted payloads, served by a transport that stands in for a broken platform ---------


def feed_server(orders: list[Any], caught: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        caught.append(request)
        if request.url.path == "/v1/auth/token":
            return httpx.Response(
                200,
                json={
                    "access_token": "access-1",
                    "refresh_token": "refresh-2",
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "merchant": {"id": "m1", "name": "Demo", "settlement_currency": "EUR"},
                },
            )
        if request.url.path == "/v1/orders":
            return httpx.Response(
                200, json={"orders": orders, "next_cursor": "c2", "has_more": False}
            )
        return httpx.Response(404, json={"code": "not-found", "status": 404})

    return httpx.MockTransport(handle)


def test_an_invalid_order_is_set_aside_and_the_others_come_through(
    client: PlatformClient, control: Control, caplog: pytest.LogCaptureFixture
) -> None:
    good = [order_to_wire(control.new_order("pending_delivery")) for _ in range(2)]
    broken = json.loads(json.dumps(good[0]))
    broken["id"], broken["number"] = "broken-1", "SO-BROKEN"
    broken["finance"]["net_receipt"]["amount"] = "not money"
    broken["buyer"]["display_name"] = "SECRET-BUYER-TEXT"
    future = json.loads(json.dumps(good[1]))
    future["id"], future["status"] = "future-1", "on_hold_by_a_newer_platform"
    future["a_field_from_the_future"] = {"anything": [1, 2, 3]}

    caught: list[httpx.Request] = []
    payloads = [good[0], broken, "not even an object", future, good[1]]
    transport = feed_server(payloads, caught)
    with (
        caplog.at_level(logging.WARNING, logger="desktop_app.platform"),
        PlatformClient("http://127.0.0.1:9", MemoryCredentials("stored"), transport=transport) as c,
    ):
        page = c.changes(None)

    assert [o.id for o in page.orders] == [good[0]["id"], "future-1", good[1]["id"]]
    assert page.orders[1].status is OrderStatus.UNKNOWN
    assert page.orders[1].raw_status == "on_hold_by_a_newer_platform"
    assert page.next_cursor == "c2" and page.has_more is False
    assert [(i.order_id, i.number) for i in page.invalid] == [
        ("broken-1", "SO-BROKEN"),
        (None, None),
    ]
    assert "finance.net_receipt" in page.invalid[0].reason

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "broken-1" in warnings[0] and "SO-BROKEN" in warnings[0]
    assert "finance.net_receipt" in warnings[0]
    assert not any("SECRET-BUYER-TEXT" in w for w in warnings)  # never the whole payload
    # The silent sign-in happened on the way: refresh grant first, then the feed.
    assert [r.url.path for r in caught] == ["/v1/auth/token", "/v1/orders"]


@pytest.mark.parametrize(
    "body",
    [
        b"<html>proxy error</html>",
        b'{"orders": "nope", "next_cursor": "c", "has_more": false}',
        b'{"orders": [], "has_more": false}',
        b'{"orders": [], "next_cursor": "c", "has_more": "no"}',
        b"[]",
    ],
)
def test_a_feed_answer_outside_the_contract_is_unexpected(body: bytes) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/auth/token":
            return feed_server([], []).handle_request(request)
        return httpx.Response(200, content=body)

    with (
        PlatformClient(
            "http://localhost:9", MemoryCredentials("stored"), transport=httpx.MockTransport(handle)
        ) as c,
        pytest.raises(UnexpectedResponse),
    ):
        c.changes(None)


def test_an_applied_write_with_an_unreadable_answer_still_counts_as_applied(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/auth/token":
            return feed_server([], []).handle_request(request)
        return httpx.Response(
            200, json={"id": "o1", "status": "refunded"}, headers={"Idempotent-Replayed": "true"}
        )

    with (
        caplog.at_level(logging.WARNING, logger="desktop_app.platform"),
        PlatformClient(
            "http://127.0.0.1:9", MemoryCredentials("stored"), transport=httpx.MockTransport(handle)
        ) as c,
    ):
        result = c.perform("o1", ConfirmDelivery(), idempotency_key="k-1", if_match=3)
    assert result == ActionResult(order=None, message=None, replayed=True)
    assert "applied confirm_delivery on order o1" in caplog.text


def _serve_feed_text(body: bytes) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/auth/token":
            return feed_server([], []).handle_request(request)
        return httpx.Response(200, content=body)

    return httpx.MockTransport(handle)


def test_each_order_comes_with_its_text_exactly_as_the_platform_sent_it(
    client: PlatformClient, control: Control
) -> None:
    page = client.changes(None, limit=25)
    assert len(page.documents) == len(page.orders) == 25
    for order, text in zip(page.orders, page.documents, strict=True):
        assert json.loads(text)["id"] == order.id
        assert text.startswith("{") and text.endswith("}")
    # Spacing, escapes, member order and unknown members are kept as sent; a set-aside order
    # has no document, and the others stay aligned with their orders.
    good = [order_to_wire(control.new_order("pending_delivery")) for _ in range(2)]
    first = json.dumps({**good[0], "from_the_future": [1, {"a": "\\u00e9"}]}, indent=1)
    second = json.dumps(good[1], ensure_ascii=True, separators=(",", ":"))
    body = (
        f'  {{ "has_more" : false , "orders" : [ {first} ,\n{{"id": 7}}, {second}\t],'
        f'"next_cursor":"c2" }}\n'
    ).encode()
    with PlatformClient(
        "http://127.0.0.1:9", MemoryCredentials("stored"), transport=_serve_feed_text(body)
    ) as c:
        sent = c.changes(None)
    assert [o.id for o in sent.orders] == [good[0]["id"], good[1]["id"]]
    assert sent.documents == [first, second]
    assert len(sent.invalid) == 1


@pytest.mark.parametrize(
    "body",
    [
        b'{"orders": [], "next_cursor": "c", "has_more": false} trailing',
        b'{"orders": [{"id": 1},], "next_cursor": "c", "has_more": false}',
        b'{"orders": [] "next_cursor": "c", "has_more": false}',
        b'{"orders": [], "next_cursor": "c", "has_more": false,}',
        b'{orders: [], "next_cursor": "c", "has_more": false}',
        b'{"orders": [{"id": 1}, "next_cursor": "c", "has_more": false}',
        b'"orders"',
        b"",
    ],
)
def test_a_feed_answer_that_is_not_one_json_object_is_unexpected(body: bytes) -> None:
    with (
        PlatformClient(
            "http://localhost:9", MemoryCredentials("stored"), transport=_serve_feed_text(body)
        ) as c,
        pytest.raises(UnexpectedResponse, match="JSON"),
    ):
        c.changes(None)


def test_the_feed_reads_duplicate_members_and_encodings_as_json_loads_does() -> None:
    body = (
        '\ufeff{"orders": [{"id": 1}], "next_cursor": "old", "orders": [], '
        '"next_cursor": "c2", "has_more": false}'
    ).encode("utf-8")
    assert json.loads(body)["orders"] == []
    with PlatformClient(
        "http://localhost:9", MemoryCredentials("stored"), transport=_serve_feed_text(body)
    ) as c:
        page = c.changes(None)
    assert page.orders == [] and page.documents == [] and page.invalid == []
    assert page.next_cursor == "c2"
