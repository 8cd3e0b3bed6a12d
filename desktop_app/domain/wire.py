"""Orders to and from the contract's JSON, validating untrusted payloads on the way in.

`parse_order` turns a payload into an `Order` or raises `InvalidPayloadError` naming the field
at fault (``finance.net_receipt.amount: ...``). Unknown fields are ignored; an unknown status
or request status is kept as UNKNOWN rather than refused, so a newer platform does not stop an
older client.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .money import InvalidMoneyError, Money
from .order import (
    Attachment,
    Buyer,
    Deadlines,
    Delivery,
    Dispute,
    ExtensionRequest,
    Finance,
    Message,
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
    Author,
    DisputeStatus,
    OrderStatus,
    PayoutStatus,
    RefusalReason,
    RequestStatus,
)
from .timeutil import InvalidTimestampError, format_rfc3339, parse_rfc3339
from .wire_fast import MAX_TEXT, fast_parse_order

__all__ = [
    "InvalidPayloadError",
    "message_to_wire",
    "order_to_wire",
    "parse_message",
    "parse_order",
]

T = TypeVar("T")


class InvalidPayloadError(ValueError):
    """A payload that does not fit the contract; `path` names the field at fault."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class _Reader:
    """Reads one JSON object, naming the path of whatever is wrong."""

    def __init__(self, payload: object, path: str = "") -> None:
        if not isinstance(payload, Mapping):
            raise InvalidPayloadError(path, f"expected an object, got {type(payload).__name__}")
        self._payload = payload
        self._path = path

    def _at(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key

    def _get(self, key: str, *, optional: bool) -> Any:
        if key not in self._payload or self._payload[key] is None:
            if optional:
                return None
            raise InvalidPayloadError(self._at(key), "is required")
        return self._payload[key]

    def text(self, key: str, *, optional: bool = False, limit: int = MAX_TEXT) -> Any:
        value = self._get(key, optional=optional)
        if value is None:
            return None
        if not isinstance(value, str):
            raise InvalidPayloadError(self._at(key), f"expected text, got {type(value).__name__}")
        if len(value) > limit:
            raise InvalidPayloadError(self._at(key), f"longer than {limit} characters")
        return value

    def integer(self, key: str, *, minimum: int = 0, optional: bool = False) -> Any:
        value = self._get(key, optional=optional)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidPayloadError(self._at(key), f"expected an integer, got {value!r}")
        if value < minimum:
            raise InvalidPayloadError(self._at(key), f"must be at least {minimum}")
        return value

    def moment(self, key: str, *, optional: bool = False) -> Any:
        value = self._get(key, optional=optional)
        if value is None:
            return None
        try:
            return parse_rfc3339(value)
        except InvalidTimestampError as error:
            raise InvalidPayloadError(self._at(key), str(error)) from None

    def money(self, key: str) -> Money:
        try:
            return Money.from_wire(self._get(key, optional=False))
        except InvalidMoneyError as error:
            raise InvalidPayloadError(self._at(key), str(error)) from None

    def decimal(self, key: str) -> Decimal:
        value = self._get(key, optional=False)
        if not isinstance(value, str):
            raise InvalidPayloadError(self._at(key), "expected a decimal string")
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise InvalidPayloadError(self._at(key), f"not a decimal: {value!r}") from None
        if not number.is_finite() or number <= 0:
            raise InvalidPayloadError(self._at(key), "must be a positive number")
        return number

    def child(self, key: str, *, optional: bool = False) -> _Reader | None:
        value = self._get(key, optional=optional)
        return None if value is None else _Reader(value, self._at(key))

    def required_child(self, key: str) -> _Reader:
        return _Reader(self._get(key, optional=False), self._at(key))

    def items(
        self, key: str, parse: Callable[[_Reader], T], *, limit: int = 1_000
    ) -> tuple[T, ...]:
        value = self._get(key, optional=True)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise InvalidPayloadError(self._at(key), "expected a list")
        if len(value) > limit:
            raise InvalidPayloadError(self._at(key), f"more than {limit} items")
        return tuple(parse(_Reader(item, f"{self._at(key)}[{i}]")) for i, item in enumerate(value))

    def raw(self, key: str) -> Any:
        return self._payload.get(key)


def _buyer(r: _Reader) -> Buyer:
    timezone = r.text("timezone", limit=64)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: e.g. a tzdata folder
        timezone = "UTC"  # an unknown zone must not cost the order; show times in UTC instead
    return Buyer(
        id=r.text("id", limit=200),
        display_name=r.text("display_name", limit=500),
        country=r.text("country", limit=8),
        locale=r.text("locale", limit=64),
        timezone=timezone,
    )


def _service(r: _Reader) -> Service:
    return Service(
        title=r.text("title", limit=1_000),
        package=r.text("package", limit=1_000),
        specifications=r.items(
            "specifications", lambda s: Specification(s.text("name"), s.text("value"))
        ),
        delivery_days=r.integer("delivery_days"),
    )


def _requirements(r: _Reader) -> Requirements:
    return Requirements(
        text=r.text("text", optional=True) or "",
        answers=r.items("answers", lambda a: QuestionAnswer(a.text("question"), a.text("answer"))),
        attachments=r.items(
            "attachments",
            _attachment,
        ),
    )


def _finance(r: _Reader) -> Finance:
    paid = r.money("buyer_paid")
    amounts = {name: r.money(name) for name in ("service_fee", "payment_fee", "net_receipt")}
    if r.raw("refunded") is not None:
        amounts["refunded"] = r.money("refunded")
    for name, amount in amounts.items():
        if amount.currency != paid.currency:
            raise InvalidPayloadError(
                f"finance.{name}", f"is in {amount.currency}, the order in {paid.currency}"
            )
    s = r.required_child("settlement")
    settlement_net = s.money("net_receipt")
    currency = s.text("currency", limit=3)
    if settlement_net.currency != currency:
        raise InvalidPayloadError("finance.settlement.net_receipt", f"is not in {currency}")
    fx_rate, payout_status = s.decimal("fx_rate"), PayoutStatus.parse(r.text("payout_status"))
    try:
        return Finance(
            buyer_paid=paid,
            service_fee=amounts["service_fee"],
            payment_fee=amounts["payment_fee"],
            net_receipt=amounts["net_receipt"],
            refunded=amounts.get("refunded"),
            settlement=Settlement(currency=currency, fx_rate=fx_rate, net_receipt=settlement_net),
            payout_status=payout_status,
        )
    except ValueError as error:  # the amounts do not add up
        raise InvalidPayloadError("finance.net_receipt", str(error)) from None


def _extension(r: _Reader) -> ExtensionRequest:
    return ExtensionRequest(
        id=r.text("id", limit=200),
        requested_days=r.integer("requested_days", minimum=1),
        reason=r.text("reason", optional=True) or "",
        status=RequestStatus.parse(r.text("status")),
        requested_at=r.moment("requested_at"),
        respond_by=r.moment("respond_by", optional=True),
    )


def _refund(r: _Reader) -> RefundRequest:
    return RefundRequest(
        id=r.text("id", limit=200),
        amount=r.money("amount"),
        reason=r.text("reason", optional=True) or "",
        status=RequestStatus.parse(r.text("status")),
        requested_at=r.moment("requested_at"),
        respond_by=r.moment("respond_by", optional=True),
    )


def _dispute(r: _Reader) -> Dispute:
    return Dispute(
        id=r.text("id", limit=200),
        status=DisputeStatus.parse(r.text("status")),
        opened_at=r.moment("opened_at"),
        resolved_at=r.moment("resolved_at", optional=True),
        outcome=r.text("outcome", optional=True, limit=100),
    )


def _delivery(r: _Reader | None) -> Delivery:
    if r is None:
        return Delivery()
    code = r.text("refusal_reason_code", optional=True, limit=100)
    return Delivery(
        confirmed_at=r.moment("confirmed_at", optional=True),
        note=r.text("note", optional=True),
        refused_at=r.moment("refused_at", optional=True),
        refusal_reason_code=RefusalReason(code)
        if code in set(RefusalReason)
        else (RefusalReason.OTHER if code else None),
        refusal_explanation=r.text("refusal_explanation", optional=True),
    )


def _allowed_actions(value: object) -> frozenset[ActionKind]:
    if not isinstance(value, list):
        return frozenset()
    known = {kind.value for kind in ActionKind}
    return frozenset(ActionKind(item) for item in value if isinstance(item, str) and item in known)


def parse_order(payload: object) -> Order:
    """Validate a platform payload into an `Order`, or raise `InvalidPayloadError`.

    A well-formed payload takes `wire_fast`'s path (the same checks, several times cheaper);
    anything it does not accept as it stands is read again here by the reference path, which
    answers the order or names the field at fault.
    """
    order = fast_parse_order(payload)
    return order if order is not None else _parse_order_reference(payload)


def _parse_order_reference(payload: object) -> Order:
    """The reference reading of an order, field by field: the precise error, or the value
    `fast_parse_order` must agree with."""
    r = _Reader(payload)
    raw_status = r.text("status", limit=100)
    deadlines = r.child("deadlines", optional=True)
    extension, refund, dispute = (
        r.child("extension_request", optional=True),
        r.child("refund_request", optional=True),
        r.child("dispute", optional=True),
    )
    finance = _finance(r.required_child("finance"))
    order = Order(
        id=r.text("id", limit=200),
        number=r.text("number", limit=200),
        status=OrderStatus.parse(raw_status),
        version=r.integer("version"),
        created_at=r.moment("created_at"),
        updated_at=r.moment("updated_at"),
        buyer=_buyer(r.required_child("buyer")),
        service=_service(r.required_child("service")),
        requirements=_requirements(r.required_child("requirements")),
        finance=finance,
        deadlines=Deadlines(
            deliver_by=deadlines.moment("deliver_by", optional=True) if deadlines else None,
            confirm_by=deadlines.moment("confirm_by", optional=True) if deadlines else None,
            respond_by=deadlines.moment("respond_by", optional=True) if deadlines else None,
        ),
        delivery=_delivery(r.child("delivery", optional=True)),
        extension_request=_extension(extension) if extension else None,
        refund_request=_refund(refund) if refund else None,
        dispute=_dispute(dispute) if dispute else None,
        allowed_actions=_allowed_actions(r.raw("allowed_actions")),
        unread_messages=r.integer("unread_messages", optional=True) or 0,
        last_message_at=r.moment("last_message_at", optional=True),
        raw_status=raw_status,
    )
    if order.refund_request and order.refund_request.amount.currency != finance.currency:
        raise InvalidPayloadError("refund_request.amount", "is not in the order's currency")
    return order


def _time(moment: datetime | None) -> str | None:
    return format_rfc3339(moment) if moment is not None else None


def order_to_wire(order: Order) -> dict[str, Any]:
    """The contract's JSON for `order` (what `parse_order` reads back to an equal order)."""
    f = order.finance
    ext, refund, dispute, delivery = (
        order.extension_request,
        order.refund_request,
        order.dispute,
        order.delivery,
    )
    return {
        "id": order.id,
        "number": order.number,
        "status": order.raw_status if order.status is OrderStatus.UNKNOWN else order.status.value,
        "version": order.version,
        "created_at": _time(order.created_at),
        "updated_at": _time(order.updated_at),
        "buyer": {
            "id": order.buyer.id,
            "display_name": order.buyer.display_name,
            "country": order.buyer.country,
            "locale": order.buyer.locale,
            "timezone": order.buyer.timezone,
        },
        "service": {
            "title": order.service.title,
            "package": order.service.package,
            "specifications": [
                {"name": s.name, "value": s.value} for s in order.service.specifications
            ],
            "delivery_days": order.service.delivery_days,
        },
        "requirements": {
            "text": order.requirements.text,
            "answers": [
                {"question": a.question, "answer": a.answer} for a in order.requirements.answers
            ],
            "attachments": [
                {"name": a.name, "size": a.size, "media_type": a.media_type}
                for a in order.requirements.attachments
            ],
        },
        "finance": {
            "buyer_paid": f.buyer_paid.to_wire(),
            "service_fee": f.service_fee.to_wire(),
            "payment_fee": f.payment_fee.to_wire(),
            "net_receipt": f.net_receipt.to_wire(),
            "refunded": f.refunded.to_wire() if f.refunded is not None else None,
            "settlement": {
                "currency": f.settlement.currency,
                "fx_rate": str(f.settlement.fx_rate),
                "net_receipt": f.settlement.net_receipt.to_wire(),
            },
            "payout_status": f.payout_status.value,
        },
        "deadlines": {
            "deliver_by": _time(order.deadlines.deliver_by),
            "confirm_by": _time(order.deadlines.confirm_by),
            "respond_by": _time(order.deadlines.respond_by),
        },
        "delivery": {
            "confirmed_at": _time(delivery.confirmed_at),
            "note": delivery.note,
            "refused_at": _time(delivery.refused_at),
            "refusal_reason_code": delivery.refusal_reason_code.value
            if delivery.refusal_reason_code
            else None,
            "refusal_explanation": delivery.refusal_explanation,
        },
        "extension_request": None
        if ext is None
        else {
            "id": ext.id,
            "requested_days": ext.requested_days,
            "reason": ext.reason,
            "status": ext.status.value,
            "requested_at": _time(ext.requested_at),
            "respond_by": _time(ext.respond_by),
        },
        "refund_request": None
        if refund is None
        else {
            "id": refund.id,
            "amount": refund.amount.to_wire(),
            "reason": refund.reason,
            "status": refund.status.value,
            "requested_at": _time(refund.requested_at),
            "respond_by": _time(refund.respond_by),
        },
        "dispute": None
        if dispute is None
        else {
            "id": dispute.id,
            "status": dispute.status.value,
            "opened_at": _time(dispute.opened_at),
            "resolved_at": _time(dispute.resolved_at),
            "outcome": dispute.outcome,
        },
        "allowed_actions": sorted(kind.value for kind in order.allowed_actions),
        "unread_messages": order.unread_messages,
        "last_message_at": _time(order.last_message_at),
    }


def _attachment(a: _Reader) -> Attachment:
    return Attachment(
        a.text("name", limit=1_000), a.integer("size"), a.text("media_type", limit=200)
    )


def parse_message(payload: object) -> Message:
    """Validate one message of a conversation (its text is kept as the buyer wrote it)."""
    r = _Reader(payload)
    return Message(
        id=r.text("id", limit=200),
        author=Author.parse(r.text("author", limit=50)),
        text=r.text("text", limit=20_000),
        sent_at=r.moment("sent_at"),
        attachments=r.items("attachments", _attachment),
    )


def message_to_wire(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "author": message.author.value,
        "text": message.text,
        "sent_at": _time(message.sent_at),
        "attachments": [
            {"name": a.name, "size": a.size, "media_type": a.media_type}
            for a in message.attachments
        ],
    }
