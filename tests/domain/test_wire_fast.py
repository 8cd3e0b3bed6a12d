"""`parse_order`'s fast path must agree with its reference path: on every payload, the same
order (down to each Decimal's exponent and each datetime's tzinfo) or the same error."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import fields, replace
from datetime import datetime
from decimal import Decimal, localcontext
from functools import cache
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain import Finance, Money, Order, OrderStatus, order_to_wire, parse_order
from desktop_app.domain.wire import _parse_order_reference
from desktop_app.domain.wire_fast import fast_parse_order, zone_is_known
from desktop_app.sandbox.seed import SCHEDULE, OrderFactory
from tests.builders import NOW, order
from tests.store.factories import order_wire

# -- payloads ----------------------------------------------------------------------------------


@cache
def _valid_payloads() -> tuple[str, ...]:
    """Well-formed payloads of every shape we know (as JSON, so each test gets its own copy):
    the sandbox's seeded orders, the domain builders' orders, the store factories' orders."""
    payloads: list[dict[str, Any]] = []
    factory = OrderFactory(7, 0, "USD")
    for index in range(60):
        seeded = factory.make(index, NOW, SCHEDULE[index % len(SCHEDULE)])
        payload = json.loads(seeded.state.model_dump_json())
        payload["allowed_actions"] = ["send_message", "confirm_delivery"][: index % 3]
        payload["last_message_at"] = "2026-11-25T08:00:00.250000Z" if index % 2 else None
        payloads.append(payload)
    for status in OrderStatus:
        for currency in ("EUR", "JPY", "KWD", "USD"):
            payloads.append(order_to_wire(order(status, currency=currency)))
    payloads += [order_wire(index) for index in range(10)]
    payloads.append(order_wire(11, status="refund_requested"))
    return tuple(json.dumps(payload) for payload in payloads)


def valid_payload(index: int) -> dict[str, Any]:
    payloads = _valid_payloads()
    loaded: dict[str, Any] = json.loads(payloads[index % len(payloads)])
    return loaded


def _fingerprint(parsed: Order) -> tuple[str, list[str]]:
    """Everything about an order, exactly: the repr shows each Decimal's digits and exponent
    and each datetime's tzinfo (the set of actions apart: a frozenset's repr has no order)."""
    return repr(replace(parsed, allowed_actions=frozenset())), sorted(parsed.allowed_actions)


def _outcome(parse: Any, payload: object) -> tuple[Any, ...]:
    try:
        parsed = parse(payload)
    except Exception as error:  # the reference path may raise more than InvalidPayloadError
        return ("error", type(error), str(error), getattr(error, "path", None))
    return ("order", _fingerprint(parsed))


def assert_paths_agree(payload: object) -> None:
    before = copy.deepcopy(payload)
    reference = _outcome(_parse_order_reference, payload)
    assert _outcome(parse_order, payload) == reference
    fast = fast_parse_order(payload)
    if fast is not None:
        assert reference[0] == "order", (
            f"the fast path accepted what the reference refuses: {reference}"
        )
        assert ("order", _fingerprint(fast)) == reference
    assert payload == before


# -- the fast path is taken, and agrees, on well-formed payloads --------------------------------


def test_every_well_formed_payload_takes_the_fast_path_and_agrees() -> None:
    for index in range(len(_valid_payloads())):
        payload = valid_payload(index)
        fast = fast_parse_order(payload)
        assert fast is not None, payload
        assert _fingerprint(fast) == _fingerprint(_parse_order_reference(payload))


def test_fast_money_and_finance_are_whole_values() -> None:
    """The fast path builds Money and Finance without their __post_init__ (having made the
    same checks): every field is set, and the values behave as the constructors' do."""
    finance = fast_parse_order(valid_payload(5))
    assert finance is not None
    f = finance.finance
    for value in (f, f.buyer_paid, f.settlement.net_receipt):
        for field in fields(value):
            getattr(value, field.name)  # an unset slot would raise AttributeError
    assert {field.name for field in fields(Finance)} >= {"refunded", "settlement"}
    assert f == Finance(
        f.buyer_paid,
        f.service_fee,
        f.payment_fee,
        f.net_receipt,
        f.settlement,
        f.payout_status,
        f.refunded,
    )
    assert f.buyer_paid == Money(f.buyer_paid.amount, f.buyer_paid.currency)
    assert f.fees == f.service_fee + f.payment_fee


# -- and on payloads it does not take, or that are wrong ----------------------------------------


def _set(payload: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    target: Any = payload
    *parents, leaf = dotted.split(".")
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    key: Any = int(leaf) if isinstance(target, list) else leaf
    if value is _DELETE:
        del target[key]
    else:
        target[key] = value
    return payload


_DELETE = object()

_EDGE_CASES: list[tuple[str, Any]] = [
    # money: more or fewer digits than the minor units, signs, floats, exponents, huge
    ("finance.buyer_paid.amount", "120.000"),
    ("finance.buyer_paid.amount", "120"),
    ("finance.buyer_paid.amount", "120.001"),
    ("finance.buyer_paid.amount", "120.0"),
    ("finance.buyer_paid.amount", 120.0),
    ("finance.buyer_paid.amount", "1.2e2"),
    ("finance.buyer_paid.amount", " 120.00"),
    ("finance.buyer_paid.amount", "120.00\n"),
    ("finance.buyer_paid.amount", "١٢٠.٠٠"),
    ("finance.buyer_paid.amount", "9" * 30 + ".00"),
    ("finance.buyer_paid.amount", "9" * 21 + ".00"),
    ("finance.service_fee.amount", "-0.00"),
    ("finance.service_fee.amount", "-1.00"),
    ("finance.service_fee.amount", "0"),
    ("finance.net_receipt.amount", "99.00"),
    ("finance.settlement.net_receipt.amount", "9" * 30 + ".00"),
    ("finance.settlement.net_receipt.amount", "9" * 26 + ".00"),
    ("finance.settlement.net_receipt.amount", "9" * 20 + ".00"),
    ("finance.settlement.net_receipt.amount", "9" * 21 + ".00"),
    ("finance.settlement.net_receipt.currency", "EUR"),
    ("finance.net_receipt.currency", "SEK"),
    ("finance.net_receipt.currency", "USD"),
    ("finance.service_fee.currency", "SEK"),
    ("finance.payment_fee.currency", "SEK"),
    ("finance.buyer_paid.currency", "eur"),
    ("finance.buyer_paid.currency", "XYZ"),
    ("finance.buyer_paid.currency", "EURO"),
    ("finance.buyer_paid", ["120.00", "EUR"]),
    ("finance.refunded", {"amount": "0.00", "currency": "EUR"}),
    ("finance.refunded", {"amount": "1.00", "currency": "EUR"}),
    ("finance.refunded", {"amount": "0.00", "currency": "USD"}),
    ("finance.refunded", "0.00"),
    ("finance.settlement.fx_rate", "0"),
    ("finance.settlement.fx_rate", "-1.08"),
    ("finance.settlement.fx_rate", "NaN"),
    ("finance.settlement.fx_rate", "sNaN"),
    ("finance.settlement.fx_rate", "Infinity"),
    ("finance.settlement.fx_rate", "1e-3"),
    ("finance.settlement.fx_rate", "1_0"),
    ("finance.settlement.fx_rate", " 1.08 "),
    ("finance.settlement.fx_rate", "abc"),
    ("finance.settlement.fx_rate", 1.08),
    ("finance.settlement.currency", "EUR"),
    ("finance.settlement.currency", "USDX"),
    ("finance.settlement", None),
    ("finance.payout_status", "frozen"),
    ("finance.payout_status", None),
    (
        "refund_request",
        {
            "id": "r",
            "amount": {"amount": "1", "currency": "EUR"},
            "status": "pending",
            "requested_at": "2026-11-26T08:00:00Z",
        },
    ),
    (
        "refund_request",
        {
            "id": "r",
            "amount": {"amount": "9" * 30 + ".00", "currency": "EUR"},
            "status": "pending",
            "requested_at": "2026-11-26T08:00:00Z",
        },
    ),
    (
        "refund_request",
        {
            "id": "r",
            "amount": {"amount": "1.00", "currency": "JPY"},
            "status": "pending",
            "requested_at": "2026-11-26T08:00:00Z",
        },
    ),
    # times: offsets, fractions, separators, out of range, not ASCII
    ("created_at", "2026-11-26T17:00:00+09:00"),
    ("created_at", "2026-11-26T08:00:00-00:00"),
    ("created_at", "2026-11-26T08:00:00.123456789Z"),
    ("created_at", "2026-11-26T08:00:00.5Z"),
    ("created_at", "2026-11-26T08:00:00.123Z"),
    ("created_at", "2026-11-26T08:00:00.000000Z"),
    ("created_at", "2026-11-26t08:00:00z"),
    ("created_at", "2026-11-26 08:00:00Z"),
    ("created_at", "2026-11-26T08:00:00"),
    ("created_at", "2026-02-30T08:00:00Z"),
    ("created_at", "2026-11-26T24:00:00Z"),
    ("created_at", "2026-11-26T23:59:60Z"),
    ("created_at", "0000-01-01T00:00:00Z"),
    ("created_at", "0001-01-01T00:00:00+01:00"),
    ("created_at", "9999-12-31T23:59:59Z"),
    ("created_at", "٢٠٢٦-١١-٢٦T08:00:00Z"),
    ("created_at", "2026-11-26T08:00:00+0900"),
    ("created_at", 1_764_144_000),
    ("deadlines.deliver_by", "2026-11-26T08:00:00Z"),
    ("deadlines", None),
    ("deadlines", {}),
    ("deadlines", []),
    ("last_message_at", "yesterday"),
    # texts, limits, integers, enums, lists, nested objects
    ("status", "on_hold"),
    ("status", "unknown"),
    ("status", "x" * 101),
    ("status", ""),
    ("id", "x" * 200),
    ("id", "x" * 201),
    ("number", 123),
    ("buyer.timezone", "Mars/Olympus"),
    ("buyer.timezone", "../../etc/passwd"),
    ("buyer.timezone", "Europe"),
    ("buyer.timezone", "UTC"),
    ("buyer.timezone", "x" * 65),
    ("buyer.country", "x" * 9),
    ("buyer.display_name", "x" * 501),
    ("buyer", []),
    ("version", -1),
    ("version", True),
    ("version", 2**80),
    ("version", 1.0),
    ("unread_messages", -1),
    ("unread_messages", None),
    ("unread_messages", False),
    ("unread_messages", 0),
    ("service.delivery_days", "3"),
    ("service.specifications", None),
    ("service.specifications", [{"name": "a", "value": "b"}] * 1_000),
    ("service.specifications", [{"name": "a", "value": "b"}] * 1_001),
    ("service.specifications", [["a", "b"]]),
    ("service.specifications", {"name": "a"}),
    ("requirements.text", None),
    ("requirements.text", ""),
    ("requirements.text", "x" * 100_001),
    ("requirements.attachments", [{"name": "a.pdf", "size": -1, "media_type": "x"}]),
    ("requirements.attachments", [{"name": "a.pdf", "size": 1, "media_type": "x" * 201}]),
    ("requirements", {}),
    ("delivery", None),
    ("delivery", {"refusal_reason_code": "capacity"}),
    ("delivery", {"refusal_reason_code": "bored"}),
    ("delivery", {"refusal_reason_code": ""}),
    ("delivery", {"refusal_reason_code": "x" * 101}),
    ("delivery", {"note": 3}),
    (
        "extension_request",
        {
            "id": "e",
            "requested_days": 0,
            "status": "pending",
            "requested_at": "2026-11-26T08:00:00Z",
        },
    ),
    (
        "extension_request",
        {
            "id": "e",
            "requested_days": 2,
            "status": "someday",
            "requested_at": "2026-11-26T08:00:00Z",
            "reason": None,
        },
    ),
    ("extension_request", {"id": "e", "requested_days": 2, "status": "pending"}),
    (
        "dispute",
        {"id": "d", "status": "open", "opened_at": "2026-11-26T08:00:00Z", "outcome": "x" * 101},
    ),
    ("dispute", {"id": "d", "status": "closed", "opened_at": "2026-11-26T08:00:00Z"}),
    ("allowed_actions", ["teleport", 3, None, "approve_refund"]),
    ("allowed_actions", "confirm_delivery"),
    ("allowed_actions", None),
    ("shiny_new_field", {"a": 1}),
]


@pytest.mark.parametrize("base", range(0, 120, 23))
@pytest.mark.parametrize(("dotted", "value"), _EDGE_CASES)
def test_the_paths_agree_on_edge_cases(base: int, dotted: str, value: Any) -> None:
    assert_paths_agree(_set(valid_payload(base), dotted, copy.deepcopy(value)))


@pytest.mark.parametrize(
    "dotted",
    [
        "id",
        "finance",
        "finance.buyer_paid.amount",
        "buyer.timezone",
        "created_at",
        "deadlines",
        "service.specifications",
    ],
)
def test_the_paths_agree_on_missing_fields(dotted: str) -> None:
    assert_paths_agree(_set(valid_payload(3), dotted, _DELETE))


class _Mapping(dict[str, Any]):
    pass


class _Text(str):
    __slots__ = ()


def test_the_paths_agree_on_other_containers_and_subclasses() -> None:
    """Shapes JSON never makes but a caller might: the reference path decides."""
    for payload in (None, [], "order", 3, {}):
        assert_paths_agree(payload)
    payload = valid_payload(1)
    assert_paths_agree(_Mapping(payload))
    payload["buyer"] = _Mapping(payload["buyer"])
    payload["status"] = _Text(payload["status"])
    payload["allowed_actions"] = [_Text("send_message")]
    assert_paths_agree(payload)


def test_a_smaller_decimal_context_leaves_the_reference_path_to_decide() -> None:
    payload = _set(valid_payload(2), "finance.buyer_paid.amount", "9" * 20 + ".00")
    with localcontext() as context:
        context.prec = 6
        assert fast_parse_order(valid_payload(2)) is None
        assert_paths_agree(payload)
        assert_paths_agree(valid_payload(2))


def test_zone_names_are_remembered_only_when_they_load() -> None:
    assert zone_is_known("Asia/Tokyo") and zone_is_known("Asia/Tokyo")
    assert not zone_is_known("Mars/Olympus") and not zone_is_known("Mars/Olympus")
    # A folder of tzdata, or a path ZoneInfo cannot read: unknown, like a made-up name.
    assert not zone_is_known("Europe") and not zone_is_known("Europe")


def test_a_zone_naming_a_tzdata_folder_costs_the_order_nothing() -> None:
    payload = _set(valid_payload(2), "buyer.timezone", "Europe")
    assert parse_order(payload).buyer.timezone == "UTC"
    assert_paths_agree(payload)


# -- and on any mutation of a well-formed payload -----------------------------------------------


def _paths(value: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path
            yield from _paths(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield f"{prefix}.{index}"
            yield from _paths(item, f"{prefix}.{index}")


_MOMENTS = st.builds(
    lambda moment, fraction, zone, sep: moment.strftime(f"%Y-%m-%d{sep}%H:%M:%S") + fraction + zone,
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.sampled_from(["", ".5", ".123", ".123456", ".123456789", ".000000"]),
    st.sampled_from(["Z", "z", "+00:00", "-05:30", "+14:00", ""]),
    st.sampled_from(["T", "t", " "]),
)
_AMOUNTS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(
        lambda d: f"{d:f}" if d.is_finite() else str(d)
    ),
    st.decimals(min_value=-(10**6), max_value=10**6, places=3).map(str),
    st.from_regex(r"-?[0-9]{1,25}(\.[0-9]{0,5})?", fullmatch=True),
)
_NASTY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-2, max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["x" * n for n in (3, 4, 8, 9, 64, 65, 100, 101, 200, 201, 500, 501, 1001)]),
    st.sampled_from(["EUR", "JPY", "KWD", "USD", "eur", "XXX", "pending", "open", "capacity"]),
    _MOMENTS,
    _AMOUNTS,
    st.builds(
        lambda a, c: {"amount": a, "currency": c},
        _AMOUNTS,
        st.sampled_from(["EUR", "JPY", "KWD", "BHD", "USD", "XYZ"]),
    ),
    st.just([]),
    st.just({}),
)


@given(
    base=st.integers(min_value=0, max_value=1_000),
    mutations=st.lists(
        st.tuples(st.integers(min_value=0, max_value=10_000), st.booleans(), _NASTY),
        min_size=1,
        max_size=3,
    ),
)
def test_the_paths_agree_on_any_mutation(base: int, mutations: list[tuple[int, bool, Any]]) -> None:
    payload = valid_payload(base)
    for choice, delete, value in mutations:
        paths = list(_paths(payload))
        if not paths:
            break
        _set(payload, paths[choice % len(paths)], _DELETE if delete else value)
    assert_paths_agree(payload)


@given(
    st.integers(min_value=0, max_value=1_000),
    _AMOUNTS,
    st.sampled_from(["buyer_paid", "service_fee", "payment_fee", "net_receipt", "refunded"]),
)
def test_the_paths_agree_on_any_amount(base: int, amount: str, name: str) -> None:
    payload = valid_payload(base)
    currency = payload["finance"]["buyer_paid"]["currency"]
    payload["finance"][name] = {"amount": amount, "currency": currency}
    assert_paths_agree(payload)


@given(st.integers(min_value=0, max_value=1_000), _MOMENTS)
def test_the_paths_agree_on_any_moment(base: int, moment: str) -> None:
    assert_paths_agree(_set(valid_payload(base), "created_at", moment))


def test_amounts_written_with_the_exact_minor_units_keep_them() -> None:
    payload = valid_payload(0)
    payload["finance"]["refunded"] = {
        "amount": "0.000" if payload["finance"]["buyer_paid"]["currency"] != "KWD" else "0.0000",
        "currency": payload["finance"]["buyer_paid"]["currency"],
    }
    parsed = parse_order(payload)
    assert parsed.finance.refunded is not None
    assert parsed.finance.refunded.amount.as_tuple().exponent == -len(
        payload["finance"]["buyer_paid"]["amount"].partition(".")[2]
    )
    assert parsed.finance.refunded.amount == Decimal(0)
