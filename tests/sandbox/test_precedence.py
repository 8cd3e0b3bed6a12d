"""When several refusals apply, the first wins, in the contract's order:
401 -> 404 -> 400 key missing -> stored answer (replay, 409 in use, 422 reused) -> 428 ->
422 body -> 412 version -> 409 state."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from desktop_app.sandbox.control import SandboxControl

from .conftest import Api, problem

BAD_BODY = {"reason_code": "bored", "explanation": ""}


def completed_and_stale(order_in: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """An order where confirming delivery is refused on every count: wrong state, and the
    version a client would send is stale."""
    return order_in("completed")


def test_401_before_everything(
    sandbox: Any, rival: Api, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order = completed_and_stale(order_in)
    answer = httpx.post(f"{sandbox.url}/v1/orders/{order['id']}/refuse-delivery", json=BAD_BODY)
    problem(answer, 401, "authentication-required")


def test_404_before_the_key(rival: Api, order_in: Callable[[str], dict[str, Any]]) -> None:
    order = completed_and_stale(order_in)  # demo's
    problem(
        rival.act(order, "refuse-delivery", BAD_BODY, key=None, if_match=None), 404, "not-found"
    )


def test_400_key_missing_before_if_match_and_body(
    demo: Api, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order = completed_and_stale(order_in)
    problem(
        demo.act(order, "refuse-delivery", BAD_BODY, key=None, if_match=None),
        400,
        "idempotency-key-missing",
    )


def test_a_stored_answer_before_if_match_body_and_version(
    demo: Api, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order = order_in("pending_delivery")
    key = f"k-{uuid.uuid4()}"
    body = {"note": "done"}
    first = demo.act(order, "confirm-delivery", body, key=key)
    assert first.status_code == 200
    for if_match in (None, order["version"]):  # no If-Match; a now stale version
        again = demo.act(order, "confirm-delivery", body, key=key, if_match=if_match)
        assert again.status_code == 200
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
    other = demo.act(order, "confirm-delivery", {"note": 5}, key=key, if_match=None)
    problem(other, 422, "idempotency-key-reused")


def test_in_use_before_if_match(
    demo: Api, control: SandboxControl, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order = order_in("pending_delivery")
    key = f"k-{uuid.uuid4()}"
    results: list[httpx.Response] = []
    first = threading.Thread(
        target=lambda: results.append(demo.act(order, "confirm-delivery", {}, key=key))
    )
    with Api(str(demo.http.base_url), "demo", "demo-password") as other:
        control.set_faults(latency_ms=1500)  # a write holds its key while the platform works
        first.start()
        time.sleep(0.5)
        second = other.act(order, "confirm-delivery", {}, key=key, if_match=None)
        first.join()
    problem(second, 409, "idempotency-key-in-use")
    assert second.headers["Retry-After"] == "1"
    assert results[0].status_code == 200


def test_428_before_the_body(demo: Api, order_in: Callable[[str], dict[str, Any]]) -> None:
    order = completed_and_stale(order_in)
    problem(
        demo.act(order, "refuse-delivery", BAD_BODY, if_match=None), 428, "precondition-required"
    )


def test_422_body_before_the_version(demo: Api, order_in: Callable[[str], dict[str, Any]]) -> None:
    order = completed_and_stale(order_in)
    body = problem(
        demo.act(order, "refuse-delivery", BAD_BODY, if_match=1), 422, "validation-failed"
    )
    assert sorted(e["field"] for e in body["errors"]) == ["explanation", "reason_code"]


def test_412_version_before_the_state(demo: Api, order_in: Callable[[str], dict[str, Any]]) -> None:
    order = completed_and_stale(order_in)
    good = {"reason_code": "capacity", "explanation": "Busy"}
    body = problem(demo.act(order, "refuse-delivery", good, if_match=1), 412, "version-mismatch")
    assert body["current"] == demo.order(order["id"])
    problem(demo.act(order, "refuse-delivery", good), 409, "invalid-transition")


def test_messages_need_no_if_match_but_a_valid_body(
    demo: Api, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order = order_in("pending_delivery")
    problem(demo.act(order, "messages", {"text": ""}, if_match=None), 422, "validation-failed")
    sent = demo.act(order, "messages", {"text": "x" * 5000}, if_match=None)
    assert sent.status_code == 201
    problem(demo.act(order, "messages", {"text": "x" * 5001}), 422, "validation-failed")
