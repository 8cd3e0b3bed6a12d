"""Acting on orders: success, replay, and every error the platform answers, mapped to a class."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from desktop_app.domain import (
    ApproveRefund,
    ConfirmDelivery,
    OrderStatus,
    RefuseDelivery,
    SendMessage,
)
from desktop_app.platform import (
    ActionResult,
    IdempotencyKeyInUse,
    IdempotencyKeyProblem,
    InvalidTransition,
    MemoryCredentials,
    NotFound,
    PlatformClient,
    PreconditionRequired,
    RequestNotPending,
    ValidationFailed,
    VersionMismatch,
)
from desktop_app.platform.problems import error_from_response
from desktop_app.sandbox.server import RunningSandbox

from .conftest import DEMO, Control


def key() -> str:
    return f"test-{uuid.uuid4()}"


def test_an_action_answers_the_updated_order_and_a_retry_replays_it(
    client: PlatformClient, control: Control
) -> None:
    order = control.new_order("pending_delivery")
    op, k = ConfirmDelivery(note="Delivered as agreed."), key()

    first = client.perform(order.id, op, idempotency_key=k, if_match=order.version)
    assert first.order is not None and first.message is None and not first.replayed
    assert first.order.status is OrderStatus.AWAITING_CONFIRMATION
    assert first.order.version == order.version + 1
    assert first.order.delivery.note == "Delivered as agreed."

    again = client.perform(order.id, op, idempotency_key=k, if_match=order.version)
    assert again.replayed and again.order == first.order
    assert [e["idempotency_key"] for e in control.ledger()].count(k) == 1


def test_a_message_answers_the_message(client: PlatformClient, control: Control) -> None:
    order = control.new_order("completed")
    result = client.perform(
        order.id, SendMessage("Thanks for the order!"), idempotency_key=key(), if_match=None
    )
    assert result.order is None and result.message is not None
    assert result.message.text == "Thanks for the order!"


def test_a_stale_version_is_a_version_mismatch_with_the_current_order(
    client: PlatformClient, control: Control
) -> None:
    order = control.new_order("pending_delivery")
    control.request_refund(order.id)  # the buyer moves first: version + 1
    with pytest.raises(VersionMismatch) as caught:
        client.perform(order.id, ConfirmDelivery(), idempotency_key=key(), if_match=order.version)
    error = caught.value
    assert (error.status, error.code) == (412, "version-mismatch")
    assert error.current is not None
    assert error.current.status is OrderStatus.REFUND_REQUESTED
    assert error.current.version == order.version + 1


def test_an_action_the_state_forbids_is_an_invalid_transition(
    client: PlatformClient, control: Control
) -> None:
    order = control.new_order("completed")
    with pytest.raises(InvalidTransition) as caught:
        client.perform(order.id, ConfirmDelivery(), idempotency_key=key(), if_match=order.version)
    assert (caught.value.status, caught.value.code) == (409, "invalid-transition")
    assert caught.value.current is not None
    assert caught.value.current.status is OrderStatus.COMPLETED


def test_answering_a_request_that_is_not_the_pending_one(
    client: PlatformClient, control: Control
) -> None:
    order = control.request_refund(control.new_order("pending_delivery").id)
    assert order.refund_request is not None
    with pytest.raises(RequestNotPending) as caught:
        client.perform(
            order.id,
            ApproveRefund("not-the-request"),
            idempotency_key=key(),
            if_match=order.version,
        )
    assert (caught.value.status, caught.value.code) == (409, "request-not-pending")
    assert caught.value.current is not None
    assert caught.value.current.refund_request == order.refund_request
    assert caught.value.current.version == order.version  # nothing changed

    k = key()
    done = client.perform(
        order.id, ApproveRefund(order.refund_request.id), idempotency_key=k, if_match=order.version
    )
    assert done.order is not None and done.order.status is OrderStatus.REFUNDED
    assert [e["idempotency_key"] for e in control.ledger()].count(k) == 1


def test_a_body_the_platform_refuses_is_validation_failed_with_the_fields(
    client: PlatformClient, control: Control
) -> None:
    order = control.new_order("pending_delivery")
    with pytest.raises(ValidationFailed) as caught:
        client.perform(
            order.id,
            RefuseDelivery("other", ""),  # the domain would refuse it; the platform too
            idempotency_key=key(),
            if_match=order.version,
        )
    assert (caught.value.status, caught.value.code) == (422, "validation-failed")
    assert "explanation" in caught.value.fields
    assert caught.value.fields["explanation"]


def test_an_order_action_without_if_match_is_precondition_required(
    client: PlatformClient, control: Control
) -> None:
    order = control.new_order("pending_delivery")
    with pytest.raises(PreconditionRequired) as caught:
        client.perform(order.id, ConfirmDelivery(), idempotency_key=key(), if_match=None)
    assert (caught.value.status, caught.value.code) == (428, "precondition-required")


def test_a_key_reused_with_another_body_is_a_key_problem(
    client: PlatformClient, control: Control
) -> None:
    order = control.new_order("pending_delivery")
    k = key()
    client.perform(order.id, ConfirmDelivery(note="one"), idempotency_key=k, if_match=order.version)
    with pytest.raises(IdempotencyKeyProblem) as caught:
        client.perform(
            order.id, ConfirmDelivery(note="two"), idempotency_key=k, if_match=order.version
        )
    assert (caught.value.status, caught.value.code) == (422, "idempotency-key-reused")


def test_a_missing_key_is_a_key_problem(client: PlatformClient, control: Control) -> None:
    order = control.new_order("pending_delivery")
    for bad in ("", "x" * 256, "with space", "naïve"):
        with pytest.raises(IdempotencyKeyProblem):
            client.perform(order.id, ConfirmDelivery(), idempotency_key=bad, if_match=order.version)
    assert client.get_order(order.id).version == order.version  # nothing was sent

    # What the platform itself answers to a write without a key maps to the same class.
    answer = control.http.post(
        f"/v1/orders/{order.id}/confirm-delivery",
        json={"note": None},
        headers={"Authorization": f"Bearer {raw_token(control)}", "If-Match": f'"{order.version}"'},
    )
    error = error_from_response(answer)
    assert isinstance(error, IdempotencyKeyProblem)
    assert (error.status, error.code) == (400, "idempotency-key-missing")


def raw_token(control: Control) -> str:
    """An access token of the test's own, for a request the client would never send."""
    answer = control.http.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": "demo", "password": "demo-password"},
    )
    token: str = answer.json()["access_token"]
    return token


def test_the_rival_merchants_order_is_not_found(client: PlatformClient, control: Control) -> None:
    theirs = control.new_order("pending_delivery", merchant="rival")
    with pytest.raises(NotFound) as caught:
        client.perform(theirs.id, ConfirmDelivery(), idempotency_key=key(), if_match=theirs.version)
    assert caught.value.status == 404
    assert not any(e["order_id"] == theirs.id for e in control.ledger())


def test_the_same_key_while_the_first_request_runs_is_key_in_use(
    client: PlatformClient, control: Control, sandbox: RunningSandbox
) -> None:
    order = control.new_order("pending_delivery")
    k, op = key(), ConfirmDelivery(note="in flight")
    with PlatformClient(sandbox.url, MemoryCredentials()) as other_thread_client:
        other_thread_client.sign_in(*DEMO)
        control.faults(latency_ms=1000)
        outcome: list[ActionResult] = []
        runner = threading.Thread(
            target=lambda: outcome.append(
                client.perform(order.id, op, idempotency_key=k, if_match=order.version)
            )
        )
        runner.start()
        try:
            time.sleep(0.3)  # the first request is inside the platform, holding the key
            with pytest.raises(IdempotencyKeyInUse) as caught:
                other_thread_client.perform(order.id, op, idempotency_key=k, if_match=order.version)
            assert (caught.value.status, caught.value.code) == (409, "idempotency-key-in-use")
        finally:
            runner.join(10)
    assert outcome and outcome[0].order is not None
    assert [e["idempotency_key"] for e in control.ledger()].count(k) == 1
