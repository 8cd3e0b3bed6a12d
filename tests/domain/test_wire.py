import copy
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain import (
    ActionKind,
    Author,
    InvalidPayloadError,
    OrderStatus,
    RequestStatus,
    format_rfc3339,
    message_to_wire,
    order_to_wire,
    parse_message,
    parse_order,
    parse_rfc3339,
)
from tests.builders import NOW, order


@pytest.mark.parametrize("status", list(OrderStatus))
@pytest.mark.parametrize("currency", ["EUR", "JPY", "KWD"])
def test_every_order_round_trips_through_the_wire(status: OrderStatus, currency: str) -> None:
    subject = order(status, currency=currency)
    assert parse_order(order_to_wire(subject)) == subject


def wire(**changes: Any) -> dict[str, Any]:
    payload = order_to_wire(order(OrderStatus.REFUND_REQUESTED))
    for dotted, value in changes.items():
        target = payload
        *parents, leaf = dotted.split("__")
        for key in parents:
            target = target[key]
        target[leaf] = value
    return payload


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"finance__buyer_paid__amount": 120.0}, "finance.buyer_paid"),
        ({"finance__net_receipt__amount": "99.00"}, "finance.net_receipt"),
        ({"finance__service_fee__currency": "USD"}, "finance.service_fee"),
        ({"finance__settlement__fx_rate": "-1"}, "finance.settlement.fx_rate"),
        ({"version": "3"}, "version"),
        ({"version": True}, "version"),
        ({"created_at": "2026-11-26 08:00"}, "created_at"),
        ({"updated_at": "2026-11-26T08:00:00"}, "updated_at"),
        ({"buyer": None}, "buyer"),
        ({"number": ["SO-1"]}, "number"),
        (
            {"refund_request__amount": {"amount": "1.00", "currency": "USD"}},
            "refund_request.amount",
        ),
        ({"service__specifications": [{"name": "x"}]}, "service.specifications[0].value"),
        ({"requirements__attachments": "a.pdf"}, "requirements.attachments"),
    ],
)
def test_invalid_payloads_name_the_field_at_fault(changes: dict[str, Any], path: str) -> None:
    with pytest.raises(InvalidPayloadError) as error:
        parse_order(wire(**changes))
    assert error.value.path == path


def test_unknown_fields_are_ignored_and_unknown_values_kept_as_unknown() -> None:
    payload = wire(status="on_hold", refund_request__status="escalated", shiny_new_field={"a": 1})
    payload["allowed_actions"] = ["confirm_delivery", "teleport"]
    parsed = parse_order(payload)
    assert parsed.status is OrderStatus.UNKNOWN
    assert parsed.raw_status == "on_hold"
    assert (
        parsed.refund_request is not None and parsed.refund_request.status is RequestStatus.UNKNOWN
    )
    assert parsed.allowed_actions == frozenset({ActionKind.CONFIRM_DELIVERY})
    assert order_to_wire(parsed)["status"] == "on_hold"


def test_an_unknown_time_zone_falls_back_to_utc() -> None:
    assert parse_order(wire(buyer__timezone="Mars/Olympus")).buyer.timezone == "UTC"


def test_a_non_object_is_refused() -> None:
    for payload in (None, [], "order", 3):
        with pytest.raises(InvalidPayloadError):
            parse_order(payload)


def test_parsing_does_not_change_the_payload() -> None:
    payload = wire()
    before = copy.deepcopy(payload)
    parse_order(payload)
    assert payload == before


def test_messages_round_trip_and_keep_the_buyers_text_verbatim() -> None:
    text = "<b>urgent</b> & <script>alert(1)</script> 你好 👋"
    payload = {
        "id": "m-1",
        "author": "buyer",
        "text": text,
        "sent_at": "2026-11-26T08:00:00Z",
        "attachments": [],
    }
    message = parse_message(payload)
    assert message.text == text and message.author is Author.BUYER
    assert message_to_wire(message) == payload
    assert replace(message, text="x").text == "x"


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    )
)
def test_timestamps_round_trip_in_utc(moment: datetime) -> None:
    text = format_rfc3339(moment)
    assert text.endswith("Z")
    assert parse_rfc3339(text) == moment


def test_offsets_are_converted_to_utc_and_nanoseconds_cut() -> None:
    assert parse_rfc3339("2026-11-26T17:00:00+09:00") == NOW.replace(hour=8)
    assert parse_rfc3339("2026-11-26T08:00:00.123456789Z").microsecond == 123456


def test_a_refund_counts_in_the_net_receipt() -> None:
    payload = wire(finance__refunded={"amount": "20.00", "currency": "EUR"})
    with pytest.raises(InvalidPayloadError, match="refunded"):
        parse_order(payload)  # the net no longer adds up
    net = parse_order(wire()).finance.net_receipt
    payload["finance"]["net_receipt"]["amount"] = f"{net.amount - 20:f}"
    parsed = parse_order(payload)
    assert str(parsed.finance.refunded_amount) == "20.00 EUR"
    assert parse_order(order_to_wire(parsed)) == parsed
