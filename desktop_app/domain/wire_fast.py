"""The fast path of `parse_order`: well-formed payloads only, every check still made.

`fast_parse_order` reads a payload the way `wire.parse_order`'s reference path does and makes
every check it makes (types, required fields, text limits, money exact in the currency's minor
units, RFC 3339 times, currencies that agree, a net receipt that adds up, nested objects), but
without naming the field at fault: on anything irregular — a wrong value, or merely a shape it
does not handle itself (a Mapping that is not a dict, a str subclass, a time with an offset) —
it answers None and `parse_order` runs the reference path, which gives the precise error or
the value. Where it answers an order, that order is the one the reference path builds, down to
the exponent of every Decimal and the tzinfo of every datetime (a property test holds both
paths to that).

Where the time goes in the reference path, and what this path does instead:
- `ZoneInfo(name)` re-reads the zone file from disk once its small LRU has moved on (about
  a third of the time on a feed of many buyers' zones): names that loaded once are remembered
  (only successes; a name that failed is tried again every time).
- `Money.__post_init__` quantizes every amount, and `Finance.__post_init__` re-adds the four
  amounts through `Money` arithmetic (four more quantized `Money`): an amount whose digits
  after the point are exactly the currency's minor units is already exact, so it is built
  directly, and the sum is checked here once, in `Decimal`.
- a regular expression, string surgery and `astimezone` per timestamp: the canonical
  ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` goes straight to `datetime.fromisoformat`.
- a `_Reader` object per nested object and a method call with keyword arguments per field:
  plain dict look-ups here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from decimal import Decimal, getcontext
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .money import Money, minor_units
from .order import (
    Attachment,
    Buyer,
    Deadlines,
    Delivery,
    Dispute,
    ExtensionRequest,
    Finance,
    Order,
    QuestionAnswer,
    RefundRequest,
    Requirements,
    Service,
    Settlement,
    Specification,
)
from .status import (
    ActionKind,
    DisputeStatus,
    OrderStatus,
    PayoutStatus,
    RefusalReason,
    RequestStatus,
)

__all__ = ["MAX_TEXT", "fast_parse_order", "zone_is_known"]

T = TypeVar("T")
MAX_TEXT = 100_000  # no single text field of an order is longer than this
MAX_ITEMS = 1_000  # no list of an order is longer than this


class _IrregularError(Exception):
    """Raised inside the fast path only; `fast_parse_order` answers None instead."""


# -- zones --------------------------------------------------------------------------------------

_KNOWN_ZONES: set[str] = set()
_KNOWN_ZONES_LIMIT = 4_096


def zone_is_known(name: str) -> bool:
    """Whether `ZoneInfo(name)` loads, as the reference path asks it (raises what it raises).

    Only names that loaded are remembered (a zone file that exists stays valid for the
    process, and `ZoneInfo` keeps its own instance anyway); the set is bounded so that a
    hostile feed of made-up names cannot grow it, since made-up names never enter it.
    """
    if name in _KNOWN_ZONES:
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: e.g. a tzdata folder
        return False
    if len(_KNOWN_ZONES) < _KNOWN_ZONES_LIMIT:
        _KNOWN_ZONES.add(name)
    return True


# -- scalars ------------------------------------------------------------------------------------

# The one shape the platform sends (and `format_rfc3339` writes): ASCII digits, "T", "Z".
_CANONICAL_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?Z"
)
_from_iso = datetime.fromisoformat

# An amount already exact in a currency's minor units: the form `Money.parse` accepts, with
# exactly that many digits after the point, unsigned (a negative amount, "-0.00" above all,
# is built the slow way) and at most 20 digits before it. So an exact amount has at most 24
# digits (CLDR has no currency with more than 4 minor units) and, while the Decimal context
# keeps at least 28 (the default), `quantize` succeeds on it and the `Finance` sum of up to
# four of them is exact, in the reference path's Money arithmetic as in this path's Decimal.
_MIN_PRECISION = 28
_LONGEST_AMOUNT = 20  # characters of an amount left to `Money.parse` (24 digits, rounded)
_EXACT_AMOUNT: dict[str, re.Pattern[str]] = {}  # currency -> pattern, for known codes only


def _exact_amount(currency: str) -> re.Pattern[str]:
    units = minor_units(currency)  # an unknown code raises (and the caller falls back)
    if units > 4:  # pragma: no cover - no such currency in CLDR
        raise _IrregularError
    fraction = rf"\.[0-9]{{{units}}}" if units else ""
    pattern = re.compile(rf"(?:0|[1-9][0-9]{{0,19}}){fraction}")
    _EXACT_AMOUNT[currency] = pattern
    return pattern


# Money and Finance are built here without their __post_init__, once this path has made the
# same checks; if either gains a field, this path must learn it (so say so at import).
_MONEY_FIELDS = ("amount", "currency")
_FINANCE_FIELDS = (
    "buyer_paid",
    "service_fee",
    "payment_fee",
    "net_receipt",
    "settlement",
    "payout_status",
    "refunded",
)
for _cls, _names in ((Money, _MONEY_FIELDS), (Finance, _FINANCE_FIELDS)):
    if {f.name for f in fields(_cls)} != set(_names):  # pragma: no cover - a tripwire
        raise RuntimeError(f"wire_fast builds {_cls.__name__} with fields {_names}: update it")


def _slot_setter(cls: type, name: str) -> Callable[[object, object], None]:
    """The slot's own setter, which a frozen dataclass's __setattr__ does not stand in front of."""
    setter: Callable[[object, object], None] = vars(cls)[name].__set__
    return setter


_new_money = Money.__new__
_set_amount = _slot_setter(Money, "amount")
_set_currency = _slot_setter(Money, "currency")


def _text(obj: dict[str, Any], key: str, limit: int = MAX_TEXT) -> str:
    value = obj.get(key)
    if type(value) is not str or len(value) > limit:
        raise _IrregularError
    return value


def _optional_text(obj: dict[str, Any], key: str, limit: int = MAX_TEXT) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if type(value) is not str or len(value) > limit:
        raise _IrregularError
    return value


def _integer(obj: dict[str, Any], key: str, minimum: int = 0) -> int:
    value = obj.get(key)
    if type(value) is not int or value < minimum:
        raise _IrregularError
    return value


def _moment(value: object) -> datetime:
    if type(value) is not str or not _CANONICAL_MOMENT.fullmatch(value):
        raise _IrregularError
    return _from_iso(value)  # tzinfo is datetime.UTC, as the reference path's astimezone(UTC)


def _optional_moment(value: object) -> datetime | None:
    return None if value is None else _moment(value)


def _money(value: object) -> Money:
    """`Money.from_wire(value)`, without re-quantizing an amount that is already exact."""
    if type(value) is not dict:
        raise _IrregularError
    amount, currency = value.get("amount"), value.get("currency")
    if type(amount) is not str or type(currency) is not str:
        raise _IrregularError
    exact = _EXACT_AMOUNT.get(currency) or _exact_amount(currency)
    if exact.fullmatch(amount) is None:
        # Not exact as it stands ("120" for EUR, "-5.00"): `Money.parse` rounds and checks.
        if len(amount) > _LONGEST_AMOUNT:
            raise _IrregularError
        return Money.parse(amount, currency)
    money = _new_money(Money)
    _set_amount(money, Decimal(amount))
    _set_currency(money, currency)
    return money


def _positive_decimal(value: object) -> Decimal:
    if type(value) is not str:
        raise _IrregularError
    number = Decimal(value)  # InvalidOperation on a non-number: the caller falls back
    if not number.is_finite() or number <= 0:
        raise _IrregularError
    return number


def _child(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    if type(value) is not dict:
        raise _IrregularError
    return value


def _optional_child(obj: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = obj.get(key)
    if value is None:
        return None
    if type(value) is not dict:
        raise _IrregularError
    return value


def _items(obj: dict[str, Any], key: str, parse: Callable[[Any], T]) -> tuple[T, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if type(value) is not list or len(value) > MAX_ITEMS:
        raise _IrregularError
    return tuple([parse(item) for item in value])


_ORDER_STATUS: dict[str, OrderStatus] = {status.value: status for status in OrderStatus}
_REQUEST_STATUS: dict[str, RequestStatus] = {status.value: status for status in RequestStatus}
_DISPUTE_STATUS: dict[str, DisputeStatus] = {status.value: status for status in DisputeStatus}
_PAYOUT_STATUS: dict[str, PayoutStatus] = {status.value: status for status in PayoutStatus}
_REFUSAL_REASON: dict[str, RefusalReason] = {reason.value: reason for reason in RefusalReason}
_ACTION_KIND: dict[str, ActionKind] = {kind.value: kind for kind in ActionKind}


# -- parts --------------------------------------------------------------------------------------


def _specification(item: object) -> Specification:
    if type(item) is not dict:
        raise _IrregularError
    return Specification(_text(item, "name"), _text(item, "value"))


def _answer(item: object) -> QuestionAnswer:
    if type(item) is not dict:
        raise _IrregularError
    return QuestionAnswer(_text(item, "question"), _text(item, "answer"))


def _attachment(item: object) -> Attachment:
    if type(item) is not dict:
        raise _IrregularError
    return Attachment(
        _text(item, "name", 1_000), _integer(item, "size"), _text(item, "media_type", 200)
    )


def _buyer(b: dict[str, Any]) -> Buyer:
    timezone = _text(b, "timezone", 64)
    return Buyer(
        _text(b, "id", 200),  # id
        _text(b, "display_name", 500),  # display_name
        _text(b, "country", 8),  # country
        _text(b, "locale", 64),  # locale
        timezone if zone_is_known(timezone) else "UTC",  # timezone
    )


_new_finance = Finance.__new__
_SET_FINANCE = tuple(_slot_setter(Finance, name) for name in _FINANCE_FIELDS)


def _finance(f: dict[str, Any]) -> Finance:
    paid = _money(f.get("buyer_paid"))
    service_fee = _money(f.get("service_fee"))
    payment_fee = _money(f.get("payment_fee"))
    net = _money(f.get("net_receipt"))
    raw_refunded = f.get("refunded")
    refunded = None if raw_refunded is None else _money(raw_refunded)
    currency = paid.currency
    if (
        service_fee.currency != currency
        or payment_fee.currency != currency
        or net.currency != currency
        or (refunded is not None and refunded.currency != currency)
    ):
        raise _IrregularError
    s = _child(f, "settlement")
    settlement_net = _money(s.get("net_receipt"))
    settlement_currency = _text(s, "currency", 3)
    if settlement_net.currency != settlement_currency:
        raise _IrregularError
    fx_rate = _positive_decimal(s.get("fx_rate"))
    payout_status = _PAYOUT_STATUS.get(_text(f, "payout_status"), PayoutStatus.UNKNOWN)
    # Finance.__post_init__'s check, once: net = paid - refunded - fees. With at most `prec - 4`
    # digits each and one exponent (one currency), this Decimal arithmetic is exact, as is the
    # reference path's Money arithmetic: both compare the same numbers.
    expected = paid.amount - service_fee.amount - payment_fee.amount
    if refunded is not None:
        expected -= refunded.amount
    if net.amount != expected:
        raise _IrregularError  # the reference path names the fault
    finance = _new_finance(Finance)
    values = (
        paid,
        service_fee,
        payment_fee,
        net,
        Settlement(settlement_currency, fx_rate, settlement_net),
        payout_status,
        refunded,
    )
    for set_field, value in zip(_SET_FINANCE, values, strict=True):
        set_field(finance, value)
    return finance


def _extension(e: dict[str, Any]) -> ExtensionRequest:
    return ExtensionRequest(
        _text(e, "id", 200),  # id
        _integer(e, "requested_days", 1),  # requested_days
        _optional_text(e, "reason") or "",  # reason
        _REQUEST_STATUS.get(_text(e, "status"), RequestStatus.UNKNOWN),  # status
        _moment(e.get("requested_at")),  # requested_at
        _optional_moment(e.get("respond_by")),  # respond_by
    )


def _refund(r: dict[str, Any]) -> RefundRequest:
    return RefundRequest(
        _text(r, "id", 200),  # id
        _money(r.get("amount")),  # amount
        _optional_text(r, "reason") or "",  # reason
        _REQUEST_STATUS.get(_text(r, "status"), RequestStatus.UNKNOWN),  # status
        _moment(r.get("requested_at")),  # requested_at
        _optional_moment(r.get("respond_by")),  # respond_by
    )


def _dispute(d: dict[str, Any]) -> Dispute:
    return Dispute(
        _text(d, "id", 200),  # id
        _DISPUTE_STATUS.get(_text(d, "status"), DisputeStatus.UNKNOWN),  # status
        _moment(d.get("opened_at")),  # opened_at
        _optional_moment(d.get("resolved_at")),  # resolved_at
        _optional_text(d, "outcome", 100),  # outcome
    )


def _delivery(d: dict[str, Any] | None) -> Delivery:
    if d is None:
        return Delivery()
    code = _optional_text(d, "refusal_reason_code", 100)
    return Delivery(
        _optional_moment(d.get("confirmed_at")),  # confirmed_at
        _optional_text(d, "note"),  # note
        _optional_moment(d.get("refused_at")),  # refused_at
        _REFUSAL_REASON.get(code, RefusalReason.OTHER) if code else None,  # refusal_reason_code
        _optional_text(d, "refusal_explanation"),  # refusal_explanation
    )


def _allowed_actions(value: object) -> frozenset[ActionKind]:
    if type(value) is not list:
        if isinstance(value, list):
            raise _IrregularError  # a list subclass: the reference path reads it
        return frozenset()
    kinds = []
    for item in value:
        if type(item) is str:
            kind = _ACTION_KIND.get(item)
            if kind is not None:
                kinds.append(kind)
        elif isinstance(item, str):
            raise _IrregularError
    return frozenset(kinds)


# -- the order ----------------------------------------------------------------------------------


def fast_parse_order(payload: object) -> Order | None:
    """The `Order` of a well-formed `payload`, or None: then ask the reference path."""
    if type(payload) is not dict:
        return None
    try:
        return _order(payload)
    except Exception:  # anything at all: the reference path decides, and names it
        return None


# The dataclasses below are built with positional arguments: a keyword call costs about half
# as much again, and the property tests compare every field with the reference path's.


def _order(p: dict[str, Any]) -> Order:
    if getcontext().prec < _MIN_PRECISION:
        raise _IrregularError  # the digit bounds of `_money` no longer make its arithmetic exact
    raw_status = _text(p, "status", 100)
    deadlines = _optional_child(p, "deadlines")
    extension = _optional_child(p, "extension_request")
    refund = _optional_child(p, "refund_request")
    dispute = _optional_child(p, "dispute")
    finance = _finance(_child(p, "finance"))
    refund_request = _refund(refund) if refund is not None else None
    if refund_request is not None and refund_request.amount.currency != finance.currency:
        raise _IrregularError
    unread = p.get("unread_messages")
    if unread is not None and (type(unread) is not int or unread < 0):
        raise _IrregularError
    return Order(
        _text(p, "id", 200),  # id
        _text(p, "number", 200),  # number
        _ORDER_STATUS.get(raw_status, OrderStatus.UNKNOWN),  # status
        _integer(p, "version"),  # version
        _moment(p.get("created_at")),  # created_at
        _moment(p.get("updated_at")),  # updated_at
        _buyer(_child(p, "buyer")),  # buyer
        _service(_child(p, "service")),  # service
        _requirements(_child(p, "requirements")),  # requirements
        finance,
        Deadlines(  # deadlines
            _optional_moment(deadlines.get("deliver_by")),  # deliver_by
            _optional_moment(deadlines.get("confirm_by")),  # confirm_by
            _optional_moment(deadlines.get("respond_by")),  # respond_by
        )
        if deadlines is not None
        else Deadlines(),
        _delivery(_optional_child(p, "delivery")),  # delivery
        _extension(extension) if extension is not None else None,  # extension_request
        refund_request,
        _dispute(dispute) if dispute is not None else None,  # dispute
        _allowed_actions(p.get("allowed_actions")),  # allowed_actions
        unread or 0,  # unread_messages
        _optional_moment(p.get("last_message_at")),  # last_message_at
        raw_status,
    )


def _service(s: dict[str, Any]) -> Service:
    return Service(
        _text(s, "title", 1_000),  # title
        _text(s, "package", 1_000),  # package
        _items(s, "specifications", _specification),  # specifications
        _integer(s, "delivery_days"),  # delivery_days
    )


def _requirements(r: dict[str, Any]) -> Requirements:
    return Requirements(
        _optional_text(r, "text") or "",  # text
        _items(r, "answers", _answer),  # answers
        _items(r, "attachments", _attachment),  # attachments
    )
