"""The changes feed: complete, incremental, once per page, stable across a restart; 410 for
a cursor that has expired."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop_app.sandbox.control import SandboxControl
from desktop_app.sandbox.server import RunningSandbox

from .conftest import DEMO, Api, problem


def test_paging_from_the_start_gives_every_order_once(demo: Api) -> None:
    everything, _ = demo.feed_all()
    paged, _ = demo.feed_all(limit=7)
    assert sorted(o["id"] for o in paged) == sorted(o["id"] for o in everything)
    assert len({o["id"] for o in paged}) == len(paged)


def test_the_feed_is_in_the_order_of_the_last_change(demo: Api) -> None:
    orders, _ = demo.feed_all()
    last_change = [max(o["updated_at"], o["last_message_at"] or "") for o in orders]
    assert last_change == sorted(last_change)


def test_a_stored_cursor_answers_only_what_changed_since(
    demo: Api, control: SandboxControl, new_order: Callable[..., dict[str, Any]]
) -> None:
    order = new_order()
    _, cursor = demo.feed_all()
    quiet, cursor_again = demo.feed_all(cursor)
    assert quiet == []
    confirmed = demo.act(order, "confirm-delivery").json()
    control.buyer_message(order["id"], "Привет! 👋")
    born = new_order()
    changed, _ = demo.feed_all(cursor_again)
    assert [o["id"] for o in changed] == [order["id"], born["id"]]
    first = changed[0]
    assert first["version"] == confirmed["version"]  # the latest version, and only once
    assert first["unread_messages"] >= 1 and first["last_message_at"] is not None


def test_a_message_puts_the_order_in_the_feed_without_a_new_version(
    demo: Api, control: SandboxControl, new_order: Callable[..., dict[str, Any]]
) -> None:
    order = new_order()
    _, cursor = demo.feed_all()
    sent = demo.act(order, "messages", {"text": "Starting today"})
    assert sent.status_code == 201
    changed, _ = demo.feed_all(cursor)
    assert [o["id"] for o in changed] == [order["id"]]
    assert changed[0]["version"] == order["version"]
    assert changed[0]["unread_messages"] == 0
    control.buyer_message(order["id"], "شكراً")
    control.buyer_message(order["id"], "ありがとう")
    assert demo.order(order["id"])["unread_messages"] == 2


def test_no_order_is_missed_while_orders_change_during_paging(
    demo: Api, control: SandboxControl, new_order: Callable[..., dict[str, Any]]
) -> None:
    _, cursor = demo.feed_all()
    targets = [new_order() for _ in range(12)]
    stop = threading.Event()
    touched: list[str] = []

    def buyers_write() -> None:
        i = 0
        while not stop.is_set() and i < 60:
            order = targets[i % len(targets)]
            control.buyer_message(order["id"], f"message {i}")
            touched.append(order["id"])
            i += 1

    writer = threading.Thread(target=buyers_write)
    writer.start()
    seen: dict[str, int] = {}
    try:
        for _ in range(30):
            page = demo.get("/v1/orders", cursor=cursor, limit=3).json()
            for order in page["orders"]:
                seen[order["id"]] = seen.get(order["id"], 0) + 1
            cursor = page["next_cursor"]
    finally:
        stop.set()
        writer.join()
    rest, _ = demo.feed_all(cursor)
    seen_ids = set(seen) | {o["id"] for o in rest}
    assert {o["id"] for o in targets} <= seen_ids
    assert set(touched) <= seen_ids


@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten", "1.5", ""])
def test_a_bad_limit_is_422_naming_the_field(demo: Api, limit: str) -> None:
    body = problem(demo.get("/v1/orders", limit=limit), 422, "validation-failed")
    assert body["errors"][0]["field"] == "limit"


def test_limits_1_and_500_are_fine(demo: Api) -> None:
    assert len(demo.get("/v1/orders", limit=1).json()["orders"]) == 1
    assert demo.get("/v1/orders", limit=500).status_code == 200


@pytest.mark.parametrize("cursor", ["garbage", "eyJ4IjoxfQ.AAAA", "a.b.c", "🙂"])
def test_a_forged_cursor_is_400(demo: Api, cursor: str) -> None:
    problem(demo.get("/v1/orders", cursor=cursor), 400, "invalid-cursor")


def test_another_merchants_cursor_is_400(demo: Api, rival: Api) -> None:
    _, theirs = rival.feed_all()
    problem(demo.get("/v1/orders", cursor=theirs), 400, "invalid-cursor")


def test_a_cursor_lives_30_days_of_platform_time(
    own_sandbox: Callable[..., RunningSandbox],
) -> None:
    running = own_sandbox()
    api = Api(running.url, *DEMO)
    try:
        _, cursor = api.feed_all()
        with SandboxControl(running.url) as control:
            control.advance(29 * 86400)
            assert api.get("/v1/orders", cursor=cursor).status_code == 200
            control.advance(2 * 86400)
        problem(api.get("/v1/orders", cursor=cursor), 410, "cursor-expired")
        assert api.get("/v1/orders").status_code == 200  # resync from the start
    finally:
        api.close()


def test_a_cursor_from_before_a_reset_has_expired(
    own_sandbox: Callable[..., RunningSandbox],
) -> None:
    running = own_sandbox()
    with SandboxControl(running.url) as control:
        api = Api(running.url, *DEMO)
        _, cursor = api.feed_all()
        api.close()
        control.reset(seed=7, orders=5)
    api = Api(running.url, *DEMO)
    try:
        problem(api.get("/v1/orders", cursor=cursor), 410, "cursor-expired")
    finally:
        api.close()


def test_the_same_answers_after_a_restart_with_a_file_database(
    own_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    db = tmp_path / "platform.sqlite"
    first = own_sandbox(orders=30, db_path=db)
    api = Api(first.url, *DEMO)
    page = api.get("/v1/orders", limit=10).json()
    middle = page["next_cursor"]
    before_rest, end = api.feed_all(middle)
    order = before_rest[0]
    api.act(order, "messages", {"text": "before the restart"})
    _, end = api.feed_all(end)
    api.close()
    first.stop()

    second = own_sandbox(orders=999, seed=1, db_path=db)  # reopened, not reseeded
    api = Api(second.url, *DEMO)
    try:
        after_rest, _ = api.feed_all(middle)
        assert [o["id"] for o in after_rest[:-1]] == [o["id"] for o in before_rest
                                                      if o["id"] != order["id"]]
        assert after_rest[-1]["id"] == order["id"]
        assert api.feed_all(end)[0] == []  # nothing changed since
        everything, _ = api.feed_all()
        assert len(everything) == 30
    finally:
        api.close()
