"""What the dialogs, the banner and the review say, on orders built in memory (no sandbox):
money in each currency's minor units, dates in the operator's zone, every sync state."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from desktop_app.domain import ActionKind, Money, OrderStatus, RequestStatus
from desktop_app.store import OperationState, OutboxEntry
from desktop_app.ui.actions.banner import banner_text
from desktop_app.ui.actions.review import compare, reapply_blocker, state_explanation
from desktop_app.ui.actions.service import problem_of
from desktop_app.ui.actions.texts import (
    confirm_delivery_text,
    long_moment,
    refund_effect,
    refund_effect_text,
)
from desktop_app.ui.formatting import Formatter

from ...builders import NOW, order

FMT = Formatter("en_US", ZoneInfo("America/New_York"))


def entry(
    state: OperationState,
    kind: ActionKind = ActionKind.CONFIRM_DELIVERY,
    *,
    attempts: int = 0,
    error: str | None = None,
    body: dict[str, str] | None = None,
) -> OutboxEntry:
    return OutboxEntry(
        id=7,
        order_id="ord-1",
        order_number="SO-20261126-000001",
        kind=kind,
        body=body if body is not None else {"note": "Files attached"},
        state=state,
        attempts=attempts,
        last_error=error,
        created_at=NOW - timedelta(minutes=5),
        updated_at=NOW - timedelta(minutes=1),
        base_version=3,
        idempotency_key="od-test",
    )


def test_the_confirmation_date_is_in_the_operators_zone_with_its_name() -> None:
    text = confirm_delivery_text(order(), NOW, FMT, online=False)
    assert "until Thursday, December 3, 2026, 3:00\u202fAM EST" in text
    assert "offline" in text and "7 days count from the moment the platform receives it" in text
    assert long_moment(Formatter("de_DE", ZoneInfo("Asia/Tokyo")), NOW).startswith(
        "Donnerstag, 26. November 2026"
    )


@pytest.mark.parametrize(
    ("currency", "refund", "net_after", "shown"),
    [
        ("JPY", "15800", "0", "¥0"),  # the whole payment: nothing left, exactly
        # The rest keeps its share of the payment: 10,800 x 13,762 / 15,800, no minor units.
        ("JPY", "5000", "9407", "¥9,407"),
        ("KWD", "10.000", "27.981", "KWD27.981"),  # 32.125 x 36.691 / 42.125, three digits
    ],
)
def test_a_refunds_effect_on_the_net_receipt_in_the_currencys_minor_units(
    currency: str, refund: str, net_after: str, shown: str
) -> None:
    base = order(OrderStatus.REFUND_REQUESTED, currency=currency)
    assert base.refund_request is not None
    request = replace(base.refund_request, amount=Money.parse(refund, currency))
    effect = refund_effect(base, request)
    assert effect.whole is (refund == base.finance.buyer_paid.wire_amount())
    assert effect.net_after == Money(Decimal(net_after), currency)
    assert effect.exact is effect.whole
    text = refund_effect_text(effect, FMT)
    assert shown in text
    assert ("about" in text) is not effect.whole


def test_the_banner_says_where_the_orders_operations_stand() -> None:
    def say(*entries: OutboxEntry, online: bool | None = True) -> tuple[str, str] | None:
        found = banner_text(list(entries), NOW, FMT, online=online)
        return None if found is None else (found[0], found[1])

    assert say() is None
    queued = entry(OperationState.QUEUED)
    assert say(queued, online=False) == (
        "Queued — Confirm delivery: Files attached. You are offline: it is sent when the "
        "connection returns.",
        "waiting",
    )
    tried = say(entry(OperationState.QUEUED, attempts=2))
    assert tried is not None and "Tried 2×" in tried[0] and "same key" in tried[0]
    assert say(entry(OperationState.SENDING)) == (
        "Sending — Confirm delivery: Files attached…",
        "waiting",
    )
    applied = say(entry(OperationState.APPLIED))
    assert applied is not None and applied[1] == "applied" and "Applied" in applied[0]
    old = replace(entry(OperationState.APPLIED), updated_at=NOW - timedelta(hours=2))
    assert say(old) is None  # an old success is not news
    refused = say(entry(OperationState.REJECTED, error="The platform refused it: too late"))
    assert refused == (
        "Rejected by the platform — Confirm delivery: Files attached. The platform refused it:"
        " too late",
        "problem",
    )
    review = say(queued, entry(OperationState.NEEDS_REVIEW, error="It changed."))
    assert review is not None and review[1] == "problem"  # problems first
    assert review[0].startswith("Needs review")


def test_the_review_without_a_remembered_order_compares_what_the_operation_assumed() -> None:
    # After a restart only the operation itself says what it was made on.
    pending = entry(
        OperationState.NEEDS_REVIEW, ActionKind.APPROVE_EXTENSION, body={"request_id": "ext-1"}
    )
    now = order(OrderStatus.AWAITING_CONFIRMATION, extension=RequestStatus.EXPIRED)
    now = replace(now, version=5)
    rows = {row.what: row for row in compare(pending, None, now, FMT)}
    assert (rows["Version"].then, rows["Version"].now, rows["Version"].changed) == ("3", "5", True)
    assert rows["Status"].changed is False
    assert rows["Extension request"].then.endswith("— pending")
    assert rows["Extension request"].now.endswith("— expired")
    assert rows["Extension request"].changed
    assert rows["Refund request"].then == "not known" and not rows["Refund request"].changed
    blocker = reapply_blocker(pending, now, NOW)
    assert blocker == "The extension request was already settled (expired)."
    assert reapply_blocker(entry(OperationState.QUEUED), now, NOW) is None


def test_state_explanations_say_what_can_still_be_done() -> None:
    assert "can still be discarded" in state_explanation(entry(OperationState.QUEUED), online=True)
    assert "when the connection returns" in state_explanation(
        entry(OperationState.QUEUED), online=False
    )
    sent = state_explanation(entry(OperationState.QUEUED, attempts=1, error="dropped"), online=None)
    assert "(dropped)" in sent and "can no longer be discarded" in sent
    rejected = state_explanation(entry(OperationState.REJECTED, error="nope"), online=True)
    assert rejected == "The platform refused it: nope"


def test_a_write_the_cache_refused_is_explained_in_the_operators_words(tmp_path: Path) -> None:
    with closing(sqlite3.connect(tmp_path / "full.sqlite3")) as full:
        full.execute("CREATE TABLE t (x)")
        full.execute("PRAGMA max_page_count = 2")  # SQLite's own "database or disk is full"
        with pytest.raises(sqlite3.OperationalError) as refused:
            full.execute("INSERT INTO t VALUES (zeroblob(100000))")
    problem = problem_of(refused.value)
    assert problem.message.startswith("The disk holding OrderDesk's local cache is full.")
    assert "Nothing was queued" in problem.message and not problem.not_allowed
