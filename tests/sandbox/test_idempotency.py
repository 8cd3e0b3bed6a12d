"""Idempotency keys: replay, reuse, missing, in flight, and concurrent duplicates applied once
(as the ledger proves)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from desktop_app.sandbox.control import SandboxControl

from .conftest import DEMO, RIVAL, Api, problem


def entries(control: SandboxControl, key: str) -> list[dict[str, Any]]:
    return [e for e in control.ledger() if e["idempotency_key"] == key]


def test_the_same_key_and_body_replay_the_first_answer(
    demo: Api, control: SandboxControl, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order = order_in("pending_delivery")
    key = f"k-{uuid.uuid4()}"
    first = demo.act(
        order, "refuse-delivery", {"reason_code": "other", "explanation": "Out of office"}, key=key
    )
    assert first.status_code == 200
    assert "Idempotent-Replayed" not in first.headers
    # The same body written differently is the same request.
    again = demo.act(
        order, "refuse-delivery", {"explanation": "Out of office", "reason_code": "other"}, key=key
    )
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.content == first.content
    [entry] = entries(control, key)
    assert entry == {
        "idempotency_key": key,
        "method": "POST",
        "path": f"/v1/orders/{order['id']}/refuse-delivery",
        "order_id": order["id"],
        "status": 200,
        "applied_at": entry["applied_at"],
        "merchant": "demo",
        "order_status": "delivery_refused",
        "order_version": order["version"] + 1,
    }


def test_a_message_is_replayed_not_sent_twice(
    demo: Api, control: SandboxControl, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order = order_in("pending_delivery")
    key = f"k-{uuid.uuid4()}"
    first = demo.act(order, "messages", {"text": "On it!"}, key=key)
    again = demo.act(order, "messages", {"text": "On it!"}, key=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    thread = demo.get(f"/v1/orders/{order['id']}/messages").json()["messages"]
    assert [m["text"] for m in thread].count("On it!") == 1
    assert len(entries(control, key)) == 1


def test_the_same_key_with_another_request_is_422(
    demo: Api, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order, other = order_in("pending_delivery"), order_in("pending_delivery")
    key = f"k-{uuid.uuid4()}"
    assert demo.act(order, "confirm-delivery", {"note": "a"}, key=key).status_code == 200
    problem(
        demo.act(order, "confirm-delivery", {"note": "b"}, key=key, if_match=None),
        422,
        "idempotency-key-reused",
    )
    problem(
        demo.act(other, "confirm-delivery", {"note": "a"}, key=key), 422, "idempotency-key-reused"
    )
    problem(demo.act(order, "messages", {"note": "a"}, key=key), 422, "idempotency-key-reused")


def test_keys_belong_to_one_merchant(
    sandbox: Any,
    demo: Api,
    order_in: Callable[[str], dict[str, Any]],
    new_order: Callable[..., dict[str, Any]],
) -> None:
    key = f"k-{uuid.uuid4()}"
    assert demo.act(order_in("pending_delivery"), "confirm-delivery", key=key).status_code == 200
    with Api(sandbox.url, *RIVAL) as rival:
        theirs = new_order(merchant="rival")
        answer = rival.act(theirs, "confirm-delivery", key=key)
        assert answer.status_code == 200
        assert "Idempotent-Replayed" not in answer.headers


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (None, "idempotency-key-missing"),
        ("", "idempotency-key-missing"),
        ("k" * 256, "idempotency-key-invalid"),
    ],
)
def test_a_missing_or_malformed_key_is_400(
    demo: Api, order_in: Callable[[str], dict[str, Any]], key: str | None, code: str
) -> None:
    order = order_in("pending_delivery")
    answer = demo.http.post(
        f"/v1/orders/{order['id']}/confirm-delivery",
        json={},
        headers={"If-Match": f'"{order["version"]}"'}
        | ({} if key is None else {"Idempotency-Key": key}),
    )
    problem(answer, 400, code)
    longest = uuid.uuid4().hex.ljust(255, "k")
    assert demo.act(order, "confirm-delivery", key=longest).status_code == 200


def test_a_refused_write_stores_nothing_so_the_fixed_request_may_reuse_its_key(
    demo: Api, control: SandboxControl, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order = order_in("pending_delivery")
    key = f"k-{uuid.uuid4()}"
    problem(
        demo.act(order, "confirm-delivery", key=key, if_match=None), 428, "precondition-required"
    )
    problem(demo.act(order, "confirm-delivery", key=key, if_match=99), 412, "version-mismatch")
    assert entries(control, key) == []
    assert demo.act(order, "confirm-delivery", key=key).status_code == 200
    assert len(entries(control, key)) == 1


def test_concurrent_duplicates_are_applied_once(
    sandbox: Any, control: SandboxControl, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order = order_in("pending_delivery")
    key = f"k-{uuid.uuid4()}"
    clients = [Api(sandbox.url, *DEMO) for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def send(api: Api) -> None:
        barrier.wait()
        answer = api.act(order, "confirm-delivery", {"note": "once"}, key=key)
        with lock:
            answers.append(answer)

    control.set_faults(latency_ms=200)  # keep the first one busy while the others arrive
    threads = [threading.Thread(target=send, args=(api,)) for api in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for api in clients:
        api.close()
    statuses = sorted(a.status_code for a in answers)
    originals = [
        a for a in answers if a.status_code == 200 and "Idempotent-Replayed" not in a.headers
    ]
    assert len(originals) == 1, statuses
    assert set(statuses) <= {200, 409}
    for answer in answers:
        if answer.status_code == 409:
            problem(answer, 409, "idempotency-key-in-use")
        else:
            assert answer.json() == originals[0].json()
    assert len(entries(control, key)) == 1
    with Api(sandbox.url, *DEMO) as api:
        assert api.order(order["id"])["version"] == order["version"] + 1
        replay = api.act(order, "confirm-delivery", {"note": "once"}, key=key)
        assert replay.headers["Idempotent-Replayed"] == "true"


def test_concurrent_writes_with_different_keys_meet_the_version_check(
    sandbox: Any, control: SandboxControl, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order = order_in("pending_delivery")
    clients = [Api(sandbox.url, *DEMO) for _ in range(6)]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def send(api: Api) -> None:
        barrier.wait()
        statuses.append(api.act(order, "confirm-delivery").status_code)

    threads = [threading.Thread(target=send, args=(api,)) for api in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for api in clients:
        api.close()
    assert sorted(statuses) == [200] + [412] * 5
    applied = [e for e in control.ledger() if e["order_id"] == order["id"]]
    assert len(applied) == 1
