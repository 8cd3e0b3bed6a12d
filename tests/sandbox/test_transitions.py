"""Every transition of the contract, walked over HTTP: what each state allows, what each action
does, and the 409s of everything else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from desktop_app.sandbox.control import SandboxControl, SandboxControlError
from desktop_app.sandbox.server import RunningSandbox

from .conftest import DEMO, STATES, Api, half, problem, walk

ACTIONS = {
    "confirm_delivery": "confirm-delivery",
    "refuse_delivery": "refuse-delivery",
    "approve_extension": "extension/approve",
    "reject_extension": "extension/reject",
    "approve_refund": "refund/approve",
    "dispute_refund": "refund/dispute",
}
ALLOWED = {
    "pending_delivery": {"confirm_delivery", "refuse_delivery"},
    "awaiting_confirmation+extension": {"approve_extension", "reject_extension"},
    "refund_requested": {"approve_refund", "dispute_refund"},
}
AFTER = {
    "confirm_delivery": "awaiting_confirmation",
    "refuse_delivery": "delivery_refused",
    "approve_extension": "awaiting_confirmation",
    "reject_extension": "awaiting_confirmation",
    "approve_refund": "refunded",
    "dispute_refund": "in_mediation",
}


def body_for(action: str, order: dict[str, Any]) -> dict[str, Any]:
    """A valid body; request ids are the pending request's, or a made-up one if none."""
    ext = (order.get("extension_request") or {}).get("id", "ext_none")
    ref = (order.get("refund_request") or {}).get("id", "ref_none")
    return {
        "confirm_delivery": {"note": "Final files are in the thread"},
        "refuse_delivery": {"reason_code": "out_of_scope", "explanation": "Website only"},
        "approve_extension": {"request_id": ext},
        "reject_extension": {"request_id": ext, "reason": "Delivered a week ago"},
        "approve_refund": {"request_id": ref},
        "dispute_refund": {"request_id": ref, "reason": "Delivered", "evidence": "v2.zip"},
    }[action]


def when(text: str | None) -> datetime:
    assert text is not None and text.endswith("Z")
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_follow_the_state(
    order_in: Callable[[str], dict[str, Any]], state: str
) -> None:
    order = order_in(state)
    assert order["status"] == state.partition("+")[0]
    assert set(order["allowed_actions"]) == ALLOWED.get(state, set()) | {"send_message"}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_every_action_in_every_state(
    demo: Api, order_in: Callable[[str], dict[str, Any]], state: str, action: str
) -> None:
    order = order_in(state)
    answer = demo.act(order, ACTIONS[action], body_for(action, order))
    if action in ALLOWED.get(state, ()):
        assert answer.status_code == 200, answer.text
        done = answer.json()
        assert done["status"] == AFTER[action]
        assert done["version"] == order["version"] + 1
        assert answer.headers["ETag"] == f'"{done["version"]}"'
        assert demo.order(order["id"]) == done
    else:
        body = problem(answer, 409, "invalid-transition")
        assert body["current"]["id"] == order["id"]
        assert body["current"]["version"] == order["version"]
        assert demo.order(order["id"])["version"] == order["version"]


def test_confirming_delivery_starts_seven_days_to_confirm(
    demo: Api, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order = order_in("pending_delivery")
    assert order["deadlines"]["deliver_by"] is not None
    done = demo.act(order, "confirm-delivery", {"note": "Here you go"}).json()
    confirmed = when(done["delivery"]["confirmed_at"])
    assert done["delivery"]["note"] == "Here you go"
    assert when(done["deadlines"]["confirm_by"]) == confirmed + timedelta(days=7)
    assert done["deadlines"]["deliver_by"] is None
    assert done["finance"]["payout_status"] == "held"
    assert demo.act(order_in("pending_delivery"), "confirm-delivery").status_code == 200  # no note


def test_approving_an_extension_moves_confirm_by(
    demo: Api, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order = order_in("awaiting_confirmation+extension")
    ext = order["extension_request"]
    assert ext["status"] == "pending" and ext["requested_days"] == 4
    assert when(ext["respond_by"]) == when(ext["requested_at"]) + timedelta(hours=48)
    assert order["deadlines"]["respond_by"] == ext["respond_by"]
    done = demo.act(order, "extension/approve", {"request_id": ext["id"]}).json()
    assert done["extension_request"]["status"] == "approved"
    assert when(done["deadlines"]["confirm_by"]) == (
        when(order["deadlines"]["confirm_by"]) + timedelta(days=4)
    )
    assert done["deadlines"]["respond_by"] is None


def test_rejecting_an_extension_keeps_confirm_by(
    demo: Api, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order = order_in("awaiting_confirmation+extension")
    ext = order["extension_request"]
    done = demo.act(order, "extension/reject",
                    {"request_id": ext["id"], "reason": "Files were final"}).json()
    assert done["extension_request"]["status"] == "rejected"
    assert done["extension_request"]["rejection_reason"] == "Files were final"
    assert done["deadlines"]["confirm_by"] == order["deadlines"]["confirm_by"]


def test_the_buyer_confirming_completes_and_releases_the_payout(
    order_in: Callable[[str], dict[str, Any]],
) -> None:
    done = order_in("completed")
    assert done["status"] == "completed"
    assert done["finance"]["payout_status"] == "released"
    assert done["deadlines"] == {"deliver_by": None, "confirm_by": None, "respond_by": None}


def test_a_refused_order_goes_back_to_pending_when_the_buyer_revises(
    demo: Api, control: SandboxControl, order_in: Callable[[str], dict[str, Any]]
) -> None:
    refused = order_in("delivery_refused")
    assert refused["delivery"]["refusal_reason_code"] == "capacity"
    assert refused["delivery"]["refusal_explanation"] == "Fully booked"
    revised = control.buyer_revise_requirements(refused["id"], "Only the logo, no website.")
    assert revised["status"] == "pending_delivery"
    assert revised["requirements"]["text"] == "Only the logo, no website."
    assert revised["deadlines"]["deliver_by"] is not None
    assert revised["version"] == refused["version"] + 1
    assert demo.act(revised, "confirm-delivery").status_code == 200


def test_cancelling_refunds_everything(order_in: Callable[[str], dict[str, Any]]) -> None:
    cancelled = order_in("cancelled")
    finance = cancelled["finance"]
    assert cancelled["status"] == "cancelled"
    assert finance["payout_status"] == "refunded"
    assert finance["refunded"] == finance["buyer_paid"]
    assert Decimal(finance["net_receipt"]["amount"]) == 0


def net_is_paid_minus_refunded_minus_fees(finance: dict[str, Any]) -> bool:
    amount = {k: Decimal(finance[k]["amount"]) for k in
              ("buyer_paid", "refunded", "service_fee", "payment_fee", "net_receipt")}
    return amount["net_receipt"] == (
        amount["buyer_paid"] - amount["refunded"] - amount["service_fee"] - amount["payment_fee"]
    )


def test_a_full_refund(order_in: Callable[[str], dict[str, Any]]) -> None:
    done = order_in("refunded")
    assert done["refund_request"]["status"] == "approved"
    assert done["finance"]["payout_status"] == "refunded"
    assert done["finance"]["refunded"] == done["finance"]["buyer_paid"]
    assert net_is_paid_minus_refunded_minus_fees(done["finance"])


def test_a_partial_refund_releases_the_rest(order_in: Callable[[str], dict[str, Any]]) -> None:
    done = order_in("partially_refunded")
    finance = done["finance"]
    assert done["status"] == "partially_refunded"
    assert finance["payout_status"] == "partially_refunded"
    assert finance["refunded"] == done["refund_request"]["amount"]
    assert Decimal(finance["net_receipt"]["amount"]) > 0
    assert net_is_paid_minus_refunded_minus_fees(finance)


@pytest.mark.parametrize(
    ("outcome", "amount", "status", "payout"),
    [
        ("refund_buyer", None, "refunded", "refunded"),
        ("release_to_merchant", None, "completed", "released"),
        ("partial", "half", "partially_refunded", "partially_refunded"),
    ],
)
def test_mediation_outcomes(
    control: SandboxControl, order_in: Callable[[str], dict[str, Any]],
    outcome: str, amount: str | None, status: str, payout: str,
) -> None:
    order = order_in("in_mediation")
    assert order["refund_request"]["status"] == "disputed"
    assert order["dispute"]["status"] == "open"
    assert order["dispute"]["reason"] == "Delivered in full"
    if amount == "half":
        amount = half(order["finance"]["buyer_paid"]["amount"])
    done = control.resolve_mediation(order["id"], outcome, amount)
    assert done["status"] == status
    assert done["finance"]["payout_status"] == payout
    assert done["dispute"]["status"] == "resolved"
    assert done["dispute"]["outcome"] == outcome
    assert net_is_paid_minus_refunded_minus_fees(done["finance"])


@pytest.mark.parametrize("action", ["extension/approve", "extension/reject"])
def test_an_extension_request_id_that_is_not_the_pending_one(
    demo: Api, control: SandboxControl, order_in: Callable[[str], dict[str, Any]], action: str
) -> None:
    order = order_in("awaiting_confirmation+extension")
    old = order["extension_request"]["id"]
    order = demo.act(order, "extension/approve", {"request_id": old}).json()
    order = control.buyer_request_extension(order["id"], days=2)
    assert order["extension_request"]["id"] != old
    body = problem(demo.act(order, action, {"request_id": old, "reason": "No"}),
                   409, "request-not-pending")
    assert body["current"]["extension_request"]["status"] == "pending"


@pytest.mark.parametrize("action", ["refund/approve", "refund/dispute"])
def test_a_refund_request_id_that_is_not_the_pending_one(
    demo: Api, order_in: Callable[[str], dict[str, Any]], action: str
) -> None:
    order = order_in("refund_requested")
    body = {"request_id": "ref_someone_else", "reason": "No", "evidence": "final.zip"}
    problem(demo.act(order, action, body), 409, "request-not-pending")


def test_buyer_moves_out_of_turn_are_409(
    control: SandboxControl, order_in: Callable[[str], dict[str, Any]]
) -> None:
    pending = order_in("pending_delivery")
    with pytest.raises(SandboxControlError, match="invalid-transition"):
        control.buyer_confirm(pending["id"])
    with pytest.raises(SandboxControlError, match="invalid-transition"):
        control.buyer_request_extension(pending["id"])
    with pytest.raises(SandboxControlError, match="invalid-transition"):
        control.resolve_mediation(pending["id"], "refund_buyer")
    extended = order_in("awaiting_confirmation+extension")
    with pytest.raises(SandboxControlError, match="invalid-transition"):
        control.buyer_request_extension(extended["id"])  # one at a time
    with pytest.raises(SandboxControlError, match="validation-failed"):
        control.buyer_request_refund(pending["id"], amount="0")


def test_messages_page_oldest_first(
    demo: Api, control: SandboxControl, order_in: Callable[[str], dict[str, Any]]
) -> None:
    order = order_in("pending_delivery")
    seeded = demo.get(f"/v1/orders/{order['id']}/messages").json()["messages"]
    for i in range(5):
        control.buyer_message(order["id"], f"question {i} ❓")
    sent = demo.act(order, "messages", {"text": "مرحبا — answers below"})
    assert sent.status_code == 201
    message = sent.json()
    assert message["author"] == "merchant" and message["attachments"] == []
    assert message["text"] == "مرحبا — answers below"
    path = f"/v1/orders/{order['id']}/messages"
    everything = demo.get(path, limit=500).json()
    assert everything["has_more"] is False
    texts = [m["text"] for m in everything["messages"]]
    assert texts[len(seeded):] == [f"question {i} ❓" for i in range(5)] + [message["text"]]
    first = demo.get(path, limit=2).json()
    assert first["has_more"] is True and len(first["messages"]) == 2
    rest = demo.get(path, after=first["messages"][-1]["id"], limit=500).json()
    assert first["messages"] + rest["messages"] == everything["messages"]
    assert demo.get(path, after=message["id"]).json() == {"messages": [], "has_more": False}
    assert demo.order(order["id"])["version"] == order["version"]


@pytest.mark.parametrize("params", [{"after": "7"}, {"after": "msg_x"}, {"limit": "0"}])
def test_bad_message_paging_is_422(
    demo: Api, order_in: Callable[[str], dict[str, Any]], params: dict[str, str]
) -> None:
    order = order_in("pending_delivery")
    problem(demo.get(f"/v1/orders/{order['id']}/messages", **params), 422, "validation-failed")


def test_no_messages_90_days_after_cancellation(
    own_sandbox: Callable[..., RunningSandbox],
) -> None:
    running = own_sandbox()
    with SandboxControl(running.url) as control:
        api = Api(running.url, *DEMO)
        try:
            order = walk(api, control, "cancelled")
            assert api.act(order, "messages", {"text": "Sorry again"}).status_code == 201
            control.advance(timedelta(days=89))
            assert api.act(order, "messages", {"text": "Still here"}).status_code == 201
            control.advance(timedelta(days=2))
            order = api.order(order["id"])
            assert "send_message" not in order["allowed_actions"]
            answer = api.act(order, "messages", {"text": "Hello?"})
            assert problem(answer, 409, "invalid-transition")["current"]["id"] == order["id"]
            with pytest.raises(SandboxControlError, match="invalid-transition"):
                control.buyer_message(order["id"], "Hello?")
        finally:
            api.close()
