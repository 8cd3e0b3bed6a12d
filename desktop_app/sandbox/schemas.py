"""The wire shapes of the platform API (pydantic), and the source of the OpenAPI components.

``OrderState`` is what the platform stores for an order; ``Order`` adds what it computes on
every read (``allowed_actions``, message counters). Money amounts are decimal strings with the
currency's minor units; timestamps are RFC 3339 UTC with ``Z``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from desktop_app.sandbox import money

AMOUNT_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


class OrderStatus(StrEnum):
    PENDING_DELIVERY = "pending_delivery"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    DELIVERY_REFUSED = "delivery_refused"
    REFUND_REQUESTED = "refund_requested"
    IN_MEDIATION = "in_mediation"
    COMPLETED = "completed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"
    CANCELLED = "cancelled"


class Action(StrEnum):
    CONFIRM_DELIVERY = "confirm_delivery"
    REFUSE_DELIVERY = "refuse_delivery"
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"
    APPROVE_REFUND = "approve_refund"
    DISPUTE_REFUND = "dispute_refund"
    SEND_MESSAGE = "send_message"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISPUTED = "disputed"
    EXPIRED = "expired"


class PayoutStatus(StrEnum):
    HELD = "held"
    RELEASED = "released"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class RefusalReason(StrEnum):
    REQUIREMENTS_UNCLEAR = "requirements_unclear"
    OUT_OF_SCOPE = "out_of_scope"
    CAPACITY = "capacity"
    BUYER_UNRESPONSIVE = "buyer_unresponsive"
    OTHER = "other"


class MediationOutcome(StrEnum):
    REFUND_BUYER = "refund_buyer"
    RELEASE_TO_MERCHANT = "release_to_merchant"
    PARTIAL = "partial"


class DisputeStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Author(StrEnum):
    BUYER = "buyer"
    MERCHANT = "merchant"
    PLATFORM = "platform"


class Wire(BaseModel):
    """Base of the wire models (a place for shared configuration)."""


class Money(Wire):
    amount: Annotated[str, Field(pattern=AMOUNT_PATTERN, examples=["120.00"])]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])]

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> Money:
        # Trusted construction: the amount is formatted here, so skip re-validating it.
        return cls.model_construct(amount=money.format_amount(amount, currency), currency=currency)

    @property
    def value(self) -> Decimal:
        return Decimal(self.amount)


class Buyer(Wire):
    id: str
    display_name: str
    country: Annotated[str, Field(description="ISO 3166-1 alpha-2")]
    locale: Annotated[str, Field(description="BCP 47 language tag")]
    timezone: Annotated[str, Field(description="IANA time zone")]


class Specification(Wire):
    name: str
    value: str


class Service(Wire):
    title: str
    package: str
    specifications: list[Specification]
    delivery_days: int


class Answer(Wire):
    question: str
    answer: str


class Attachment(Wire):
    name: str
    size: Annotated[int, Field(ge=0, description="bytes")]
    media_type: str


class Requirements(Wire):
    text: str
    answers: list[Answer]
    attachments: list[Attachment]


class Settlement(Wire):
    currency: str
    fx_rate: Annotated[
        str, Field(pattern=AMOUNT_PATTERN, description="settlement units per order unit")
    ]
    net_receipt: Money


class Finance(Wire):
    buyer_paid: Money
    service_fee: Money
    payment_fee: Money
    net_receipt: Money = Field(description="buyer_paid - refunded - service_fee - payment_fee")
    refunded: Money = Field(description="what went back to the buyer (zero if nothing)")
    settlement: Settlement
    payout_status: PayoutStatus


class Deadlines(Wire):
    deliver_by: datetime | None
    confirm_by: datetime | None
    respond_by: datetime | None


class Delivery(Wire):
    confirmed_at: datetime | None = None
    note: str | None = None
    refused_at: datetime | None = None
    refusal_reason_code: RefusalReason | None = None
    refusal_explanation: str | None = None


class ExtensionRequest(Wire):
    id: str
    requested_days: int
    reason: str
    status: RequestStatus
    requested_at: datetime
    respond_by: datetime
    resolved_at: datetime | None = None
    rejection_reason: str | None = None


class RefundRequest(Wire):
    id: str
    amount: Money
    reason: str
    status: RequestStatus
    requested_at: datetime
    respond_by: datetime
    resolved_at: datetime | None = None


class Dispute(Wire):
    id: str
    status: DisputeStatus
    opened_at: datetime
    resolved_at: datetime | None = None
    outcome: MediationOutcome | None = None
    reason: str
    evidence: str


class OrderState(Wire):
    """What the platform stores for an order."""

    id: str
    number: Annotated[str, Field(examples=["SO-20261126-000123"])]
    status: OrderStatus
    version: Annotated[int, Field(ge=1, description="+1 on every change")]
    created_at: datetime
    updated_at: datetime
    buyer: Buyer
    service: Service
    requirements: Requirements
    finance: Finance
    deadlines: Deadlines
    delivery: Delivery
    extension_request: ExtensionRequest | None = None
    refund_request: RefundRequest | None = None
    dispute: Dispute | None = None


class Order(OrderState):
    allowed_actions: list[Action] = Field(description="what the merchant may do now")
    unread_messages: Annotated[
        int, Field(ge=0, description="buyer messages since the merchant's last message")
    ]
    last_message_at: datetime | None


class OrderPage(Wire):
    orders: list[Order]
    next_cursor: str
    has_more: bool


class Message(Wire):
    id: str
    author: Author
    text: str
    sent_at: datetime
    attachments: list[Attachment]


class MessagePage(Wire):
    messages: list[Message]
    has_more: bool


class MerchantInfo(Wire):
    id: str
    name: str
    settlement_currency: str


class TokenResponse(Wire):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    merchant: MerchantInfo


class FieldError(Wire):
    field: str
    message: str


class Problem(Wire):
    """RFC 9457 problem details, with a stable machine ``code``."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] | None = None
    current: Order | None = None
    error: str | None = Field(default=None, description="OAuth error (token endpoint)")


# --- request bodies -------------------------------------------------------------------------

Reason = Annotated[str, Field(min_length=1, max_length=2000)]


class ConfirmDeliveryBody(Wire):
    note: Annotated[str | None, Field(max_length=2000)] = None


class RefuseDeliveryBody(Wire):
    reason_code: RefusalReason
    explanation: Reason


class ApproveRequestBody(Wire):
    request_id: Annotated[str, Field(min_length=1, max_length=255)]


class RejectExtensionBody(Wire):
    request_id: Annotated[str, Field(min_length=1, max_length=255)]
    reason: Reason


class DisputeRefundBody(Wire):
    request_id: Annotated[str, Field(min_length=1, max_length=255)]
    reason: Reason
    evidence: Reason


class SendMessageBody(Wire):
    text: Annotated[str, Field(min_length=1, max_length=5000)]


# --- sandbox control ------------------------------------------------------------------------


class ResetBody(Wire):
    seed: int = 7
    orders: Annotated[int, Field(ge=0, le=1_000_000)] = 200


class AdvanceBody(Wire):
    seconds: Annotated[float, Field(ge=0, le=10 * 365 * 86400)]


class ClockAnswer(Wire):
    now: datetime


class NewOrdersBody(Wire):
    count: Annotated[int, Field(ge=1, le=10_000)] = 1
    status: OrderStatus = OrderStatus.PENDING_DELIVERY


class OrderList(Wire):
    orders: list[Order]


class RequestExtensionBody(Wire):
    days: Annotated[int, Field(ge=1, le=14)]
    reason: Reason


class RequestRefundBody(Wire):
    amount: Annotated[str | None, Field(pattern=AMOUNT_PATTERN)] = None
    reason: Reason


class BuyerMessageBody(Wire):
    text: Annotated[str, Field(min_length=1, max_length=5000)]


class ReviseRequirementsBody(Wire):
    text: Annotated[str, Field(min_length=1, max_length=10_000)]


class ResolveMediationBody(Wire):
    outcome: MediationOutcome
    amount: Annotated[str | None, Field(pattern=AMOUNT_PATTERN)] = None


class FaultsBody(Wire):
    latency_ms: Annotated[int, Field(ge=0, le=60_000)] = 0
    error_rate: Annotated[float, Field(ge=0, le=1)] = 0.0
    drop_rate: Annotated[float, Field(ge=0, le=1)] = 0.0
    rate_limit_per_s: Annotated[float, Field(ge=0)] = 0.0


class LedgerEntry(Wire):
    idempotency_key: str
    method: str
    path: str
    order_id: str
    status: Annotated[int, Field(description="the HTTP status answered")]
    applied_at: datetime
    merchant: str
    order_status: OrderStatus
    order_version: int


class Ledger(Wire):
    entries: list[LedgerEntry]


class ResetAnswer(Wire):
    seed: int
    orders: int
    merchants: list[str]


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
