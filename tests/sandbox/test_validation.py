"""422 validation-failed names every failing field, for every write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import Api, problem

CASES = [
    ("confirm-delivery", {"note": "x" * 2001}, ["note"]),
    ("confirm-delivery", {"note": 5}, ["note"]),
    ("refuse-delivery", {}, ["explanation", "reason_code"]),
    ("refuse-delivery", {"reason_code": "lazy", "explanation": "x"}, ["reason_code"]),
    ("refuse-delivery", {"reason_code": "capacity", "explanation": "x" * 2001}, ["explanation"]),
    ("extension/approve", {}, ["request_id"]),
    ("extension/reject", {"request_id": "ext_1"}, ["reason"]),
    ("extension/reject", {"request_id": "ext_1", "reason": ""}, ["reason"]),
    ("refund/approve", {"request_id": ""}, ["request_id"]),
    ("refund/dispute", {"request_id": "ref_1", "reason": ""}, ["evidence", "reason"]),
    ("messages", {"text": ""}, ["text"]),
    ("messages", {"text": "x" * 5001}, ["text"]),
    ("messages", {}, ["text"]),
]


@pytest.mark.parametrize(("action", "body", "fields"), CASES)
def test_a_bad_body_is_422_with_the_failing_fields(
    demo: Api, order_in: Callable[[str], dict[str, Any]], action: str, body: dict[str, Any],
    fields: list[str],
) -> None:
    order = order_in("pending_delivery")
    answer = problem(demo.act(order, action, body), 422, "validation-failed")
    assert sorted(e["field"] for e in answer["errors"]) == fields
    assert all(e["message"] for e in answer["errors"])
    assert demo.order(order["id"])["version"] == order["version"]


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_a_body_that_is_no_json_object_is_422(
    demo: Api, order_in: Callable[[str], dict[str, Any]], raw: bytes
) -> None:
    order = order_in("pending_delivery")
    answer = demo.http.post(
        f"/v1/orders/{order['id']}/refuse-delivery", content=raw,
        headers={"Idempotency-Key": f"raw-{raw.hex()}-{order['id']}",
                 "If-Match": f'"{order["version"]}"', "Content-Type": "application/json"},
    )
    assert [e["field"] for e in problem(answer, 422, "validation-failed")["errors"]] == ["body"]


def test_unknown_fields_are_ignored(demo: Api, order_in: Callable[[str], dict[str, Any]]) -> None:
    order = order_in("pending_delivery")
    assert demo.act(order, "confirm-delivery", {"note": "ok", "extra": 1}).status_code == 200
