"""An order and its parts, as immutable values matching the platform contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .money import Money
from .status import (
    ActionKind,
    Author,
    DisputeStatus,
    OrderStatus,
    PayoutStatus,
    RefusalReason,
    RequestStatus,
)

# (An enum's members read through its class cost a Python-level lookup: these run per order.)
_PENDING = RequestStatus.PENDING

__all__ = [
    "Attachment",
    "Buyer",
    "Deadlines",
    "Delivery",
    "Dispute",
    "ExtensionRequest",
    "Finance",
    "Message",
    "Order",
    "QuestionAnswer",
    "RefundRequest",
    "Requirements",
    "Service",
    "Settlement",
    "Specification",
]


@dataclass(frozen=True, slots=True)
class Buyer:
    id: str
    display_name: str
    country: str  # ISO 3166-1 alpha-2
    locale: str
    timezone: str  # IANA zone name, e.g. "Asia/Tokyo"


@dataclass(frozen=True, slots=True)
class Specification:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Service:
    title: str
    package: str
    specifications: tuple[Specification, ...]
    delivery_days: int


@dataclass(frozen=True, slots=True)
class QuestionAnswer:
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    size: int  # bytes
    media_type: str


@dataclass(frozen=True, slots=True)
class Requirements:
    text: str
    answers: tuple[QuestionAnswer, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class Settlement:
    """The net receipt converted to the merchant's settlement currency."""

    currency: str
    fx_rate: Decimal  # settlement units per order-currency unit
    net_receipt: Money


@dataclass(frozen=True, slots=True)
class Finance:
    buyer_paid: Money
    service_fee: Money
    payment_fee: Money
    net_receipt: Money
    settlement: Settlement
    payout_status: PayoutStatus
    refunded: Money | None = None  # what went back to the buyer; None: nothing (or not said)

    def __post_init__(self) -> None:
        expected = self.buyer_paid - self.refunded_amount - self.service_fee - self.payment_fee
        if self.net_receipt != expected:
            raise ValueError(
                f"net receipt {self.net_receipt} is not paid - refunded - fees ({expected})"
            )

    @property
    def refunded_amount(self) -> Money:
        return self.refunded if self.refunded is not None else Money.zero(self.currency)

    @property
    def currency(self) -> str:
        return self.buyer_paid.currency

    @property
    def fees(self) -> Money:
        return self.service_fee + self.payment_fee


@dataclass(frozen=True, slots=True)
class Deadlines:
    deliver_by: datetime | None = None
    confirm_by: datetime | None = None
    respond_by: datetime | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    confirmed_at: datetime | None = None
    note: str | None = None
    refused_at: datetime | None = None
    refusal_reason_code: RefusalReason | None = None
    refusal_explanation: str | None = None


@dataclass(frozen=True, slots=True)
class ExtensionRequest:
    id: str
    requested_days: int
    reason: str
    status: RequestStatus
    requested_at: datetime
    respond_by: datetime | None


@dataclass(frozen=True, slots=True)
class RefundRequest:
    id: str
    amount: Money
    reason: str
    status: RequestStatus
    requested_at: datetime
    respond_by: datetime | None


@dataclass(frozen=True, slots=True)
class Dispute:
    id: str
    status: DisputeStatus
    opened_at: datetime
    resolved_at: datetime | None = None
    outcome: str | None = None


@dataclass(frozen=True, slots=True)
class Order:
    """One service order as the platform last described it (plus, in the cache, our own
    pending operations applied on top)."""

    id: str
    number: str
    status: OrderStatus
    version: int
    created_at: datetime
    updated_at: datetime
    buyer: Buyer
    service: Service
    requirements: Requirements
    finance: Finance
    deadlines: Deadlines = field(default_factory=Deadlines)
    delivery: Delivery = field(default_factory=Delivery)
    extension_request: ExtensionRequest | None = None
    refund_request: RefundRequest | None = None
    dispute: Dispute | None = None
    allowed_actions: frozenset[ActionKind] = frozenset()
    unread_messages: int = 0
    last_message_at: datetime | None = None
    raw_status: str = ""  # the wire's status text, kept when it is one we do not know

    @property
    def status_label(self) -> str:
        if self.status is OrderStatus.UNKNOWN:
            return f"Unknown status ({self.raw_status})" if self.raw_status else "Unknown status"
        return self.status.label

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        request = self.extension_request
        return request if request and request.status is _PENDING else None

    @property
    def pending_refund(self) -> RefundRequest | None:
        request = self.refund_request
        return request if request and request.status is _PENDING else None


@dataclass(frozen=True, slots=True)
class Message:
    """One message of an order's conversation. `text` is untrusted when the buyer wrote it:
    show it as plain text only."""

    id: str
    author: Author
    text: str
    sent_at: datetime
    attachments: tuple[Attachment, ...] = ()
