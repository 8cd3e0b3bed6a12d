"""The vocabulary of the contract: order statuses, request statuses, payout statuses, actions."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

__all__ = [
    "ActionKind",
    "Actor",
    "Author",
    "DisputeStatus",
    "OrderStatus",
    "PayoutStatus",
    "RefusalReason",
    "RequestStatus",
]


class _Tolerant(StrEnum):
    """An enum that maps a value this version does not know to UNKNOWN instead of failing."""

    @classmethod
    def parse(cls, value: str) -> Self:
        try:
            return cls(value)
        except ValueError:
            return cls("unknown")


class OrderStatus(_Tolerant):
    PENDING_DELIVERY = "pending_delivery"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    COMPLETED = "completed"
    DELIVERY_REFUSED = "delivery_refused"
    REFUND_REQUESTED = "refund_requested"
    IN_MEDIATION = "in_mediation"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in _FINAL_STATUSES


_STATUS_LABELS = {
    OrderStatus.PENDING_DELIVERY: "Pending delivery",
    OrderStatus.AWAITING_CONFIRMATION: "Awaiting confirmation",
    OrderStatus.COMPLETED: "Completed",
    OrderStatus.DELIVERY_REFUSED: "Delivery refused",
    OrderStatus.REFUND_REQUESTED: "Refund requested",
    OrderStatus.IN_MEDIATION: "In mediation",
    OrderStatus.REFUNDED: "Refunded",
    OrderStatus.PARTIALLY_REFUNDED: "Partially refunded",
    OrderStatus.CANCELLED: "Cancelled",
    OrderStatus.UNKNOWN: "Unknown status",
}

_FINAL_STATUSES = frozenset(
    {
        OrderStatus.COMPLETED,
        OrderStatus.REFUNDED,
        OrderStatus.PARTIALLY_REFUNDED,
        OrderStatus.CANCELLED,
    }
)


class RequestStatus(_Tolerant):
    """The state of a buyer's extension or refund request."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISPUTED = "disputed"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


class PayoutStatus(_Tolerant):
    HELD = "held"
    RELEASED = "released"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"
    UNKNOWN = "unknown"


class DisputeStatus(_Tolerant):
    OPEN = "open"
    RESOLVED = "resolved"
    UNKNOWN = "unknown"


class RefusalReason(StrEnum):
    """Why a merchant refuses delivery (the contract's closed list)."""

    REQUIREMENTS_UNCLEAR = "requirements_unclear"
    OUT_OF_SCOPE = "out_of_scope"
    CAPACITY = "capacity"
    BUYER_UNRESPONSIVE = "buyer_unresponsive"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            RefusalReason.REQUIREMENTS_UNCLEAR: "Requirements unclear",
            RefusalReason.OUT_OF_SCOPE: "Out of scope",
            RefusalReason.CAPACITY: "No capacity",
            RefusalReason.BUYER_UNRESPONSIVE: "Buyer unresponsive",
            RefusalReason.OTHER: "Other",
        }[self]


class ActionKind(StrEnum):
    """The seven things a merchant can do to an order; values are the contract's names."""

    CONFIRM_DELIVERY = "confirm_delivery"
    REFUSE_DELIVERY = "refuse_delivery"
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"
    APPROVE_REFUND = "approve_refund"
    DISPUTE_REFUND = "dispute_refund"
    SEND_MESSAGE = "send_message"

    @property
    def label(self) -> str:
        return {
            ActionKind.CONFIRM_DELIVERY: "Confirm delivery",
            ActionKind.REFUSE_DELIVERY: "Refuse delivery",
            ActionKind.APPROVE_EXTENSION: "Approve extension",
            ActionKind.REJECT_EXTENSION: "Reject extension",
            ActionKind.APPROVE_REFUND: "Approve refund",
            ActionKind.DISPUTE_REFUND: "Dispute refund",
            ActionKind.SEND_MESSAGE: "Contact buyer",
        }[self]

    @property
    def is_decision(self) -> bool:
        """Decisions are bound to an order version; a message is not."""
        return self is not ActionKind.SEND_MESSAGE


class Actor(StrEnum):
    """Who must act next on an order."""

    MERCHANT = "merchant"
    BUYER = "buyer"
    PLATFORM = "platform"


class Author(_Tolerant):
    """Who wrote a message."""

    BUYER = "buyer"
    MERCHANT = "merchant"
    PLATFORM = "platform"
    UNKNOWN = "unknown"
