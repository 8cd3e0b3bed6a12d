"""Deadlines fire as the platform clock passes them: auto-confirmation (which waits for a
pending extension request), lapsed extension requests, refunds approved by silence."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from desktop_app.sandbox.control import SandboxControl
from desktop_app.sandbox.server import RunningSandbox, SandboxOptions, start_sandbox

from .conftest import DEMO, Api, walk

MINUTE = timedelta(minutes=1)


@pytest.fixture(scope="module")
def clocked() -> Iterator[RunningSandbox]:
    """A sandbox of this module's own: its clock runs far ahead."""
    with start_sandbox(SandboxOptions(orders=10, seed=3)) as running:
        yield running


@pytest.fixture
def ctl(clocked: RunningSandbox) -> Iterator[SandboxControl]:
    with SandboxControl(clocked.url) as control:
        yield control


@pytest.fixture
def api(clocked: RunningSandbox) -> Iterator[Api]:
    with Api(clocked.url, *DEMO) as signed_in:
        yield signed_in


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def until(ctl: SandboxControl, moment: str, offset: timedelta = timedelta(0)) -> None:
    """Move the clock to ``moment + offset`` (it only moves forward)."""
    ctl.advance(max((at(moment) + offset - ctl.now()).total_seconds(), 0))


def test_the_clock_follows_wall_time_and_jumps_forward(ctl: SandboxControl) -> None:
    before = ctl.now()
    time.sleep(1.1)
    assert ctl.now() > before
    jumped = ctl.advance(3600)
    assert jumped >= before + timedelta(hours=1)
    answer = httpx.post(f"{ctl._base}/_sandbox/clock/advance", json={"seconds": -5})
    assert answer.status_code == 422
    assert answer.json()["code"] == "validation-failed"


def test_auto_confirmation_at_confirm_by(api: Api, ctl: SandboxControl) -> None:
    order = walk(api, ctl, "awaiting_confirmation")
    confirm_by = order["deadlines"]["confirm_by"]
    until(ctl, confirm_by, -MINUTE)
    assert api.order(order["id"])["status"] == "awaiting_confirmation"
    until(ctl, confirm_by, MINUTE)
    done = api.order(order["id"])
    assert done["status"] == "completed"
    assert done["finance"]["payout_status"] == "released"
    assert done["updated_at"] == confirm_by  # it happened at the deadline
    assert done["version"] == order["version"] + 1
    assert done["allowed_actions"] == ["send_message"]


def test_auto_confirmation_waits_for_a_pending_extension_request(
    api: Api, ctl: SandboxControl
) -> None:
    order = walk(api, ctl, "awaiting_confirmation")
    confirm_by = order["deadlines"]["confirm_by"]
    until(ctl, confirm_by, -timedelta(hours=6))
    order = ctl.buyer_request_extension(order["id"], days=3)
    until(ctl, confirm_by, timedelta(hours=12))  # past confirm_by, before respond_by
    waiting = api.order(order["id"])
    assert waiting["status"] == "awaiting_confirmation"
    assert waiting["extension_request"]["status"] == "pending"
    ext = waiting["extension_request"]["id"]
    approved = api.act(waiting, "extension/approve", {"request_id": ext}).json()
    new_confirm_by = approved["deadlines"]["confirm_by"]
    assert at(new_confirm_by) == at(confirm_by) + timedelta(days=3)
    until(ctl, new_confirm_by, -MINUTE)
    assert api.order(order["id"])["status"] == "awaiting_confirmation"
    until(ctl, new_confirm_by, MINUTE)
    assert api.order(order["id"])["status"] == "completed"


def test_an_unanswered_extension_request_expires_and_confirm_by_stands(
    api: Api, ctl: SandboxControl
) -> None:
    order = walk(api, ctl, "awaiting_confirmation+extension")
    ext = order["extension_request"]
    until(ctl, ext["respond_by"], MINUTE)
    lapsed = api.order(order["id"])
    assert lapsed["status"] == "awaiting_confirmation"
    assert lapsed["extension_request"]["status"] == "expired"
    assert lapsed["extension_request"]["resolved_at"] == ext["respond_by"]
    assert lapsed["deadlines"]["confirm_by"] == order["deadlines"]["confirm_by"]
    assert lapsed["deadlines"]["respond_by"] is None
    assert lapsed["allowed_actions"] == ["send_message"]
    assert lapsed["version"] == order["version"] + 1


def test_a_lapse_after_confirm_by_completes_at_once(api: Api, ctl: SandboxControl) -> None:
    order = walk(api, ctl, "awaiting_confirmation")
    confirm_by = order["deadlines"]["confirm_by"]
    until(ctl, confirm_by, -timedelta(hours=1))
    order = ctl.buyer_request_extension(order["id"], days=5)
    respond_by = order["extension_request"]["respond_by"]
    until(ctl, respond_by, timedelta(days=1))  # one jump over both deadlines
    done = api.order(order["id"])
    assert done["extension_request"]["status"] == "expired"
    assert done["status"] == "completed"
    assert done["updated_at"] == respond_by
    assert done["version"] == order["version"] + 2


def test_rejecting_late_completes_at_once(api: Api, ctl: SandboxControl) -> None:
    order = walk(api, ctl, "awaiting_confirmation")
    confirm_by = order["deadlines"]["confirm_by"]
    until(ctl, confirm_by, -timedelta(hours=1))
    order = ctl.buyer_request_extension(order["id"], days=5)
    until(ctl, confirm_by, timedelta(hours=2))
    ext = order["extension_request"]["id"]
    rejected = api.act(order["id"], "extension/reject", {"request_id": ext, "reason": "No"})
    assert rejected.json()["status"] == "awaiting_confirmation"
    assert api.order(order["id"])["status"] == "completed"


@pytest.mark.parametrize(("partial", "status"), [(False, "refunded"), (True, "partially_refunded")])
def test_a_refund_request_unanswered_for_48h_is_approved(
    api: Api, ctl: SandboxControl, partial: bool, status: str
) -> None:
    order = walk(api, ctl, "refund_requested" if not partial else "pending_delivery")
    if partial:
        order = ctl.buyer_request_refund(order["id"], amount="1")
    ref = order["refund_request"]
    assert at(ref["respond_by"]) == at(ref["requested_at"]) + timedelta(hours=48)
    until(ctl, ref["respond_by"], -MINUTE)
    assert api.order(order["id"])["status"] == "refund_requested"
    until(ctl, ref["respond_by"], MINUTE)
    done = api.order(order["id"])
    assert done["status"] == status
    assert done["refund_request"]["status"] == "approved"
    assert done["finance"]["payout_status"] == status


def test_moves_made_by_deadlines_reach_the_feed_but_not_the_ledger(
    api: Api, ctl: SandboxControl
) -> None:
    order = walk(api, ctl, "awaiting_confirmation")
    ledger_before = ctl.ledger()
    _, cursor = api.feed_all()
    until(ctl, order["deadlines"]["confirm_by"], MINUTE)
    changed, _ = api.feed_all(cursor)
    assert order["id"] in {o["id"] for o in changed}
    assert next(o for o in changed if o["id"] == order["id"])["status"] == "completed"
    assert ctl.ledger() == ledger_before


def test_merchant_writes_see_deadlines_first(api: Api, ctl: SandboxControl) -> None:
    order: dict[str, Any] = walk(api, ctl, "refund_requested")
    until(ctl, order["refund_request"]["respond_by"], MINUTE)
    # The client still holds the old version: the order has moved on by itself.
    answer = api.act(order, "refund/approve", {"request_id": order["refund_request"]["id"]})
    assert answer.status_code == 412
    assert answer.json()["current"]["status"] == "refunded"
