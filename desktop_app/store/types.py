"""The values the store hands out: queries, list rows, outbox entries, sync status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from desktop_app.domain import ActionKind, Actor, DeadlineKind, Message, Money, OrderStatus

__all__ = [
    "PROBLEM_STATES",
    "UNFINISHED_STATES",
    "InvalidOrderEntry",
    "MessageEntry",
    "OperationState",
    "OrderQuery",
    "OrderRow",
    "OrderView",
    "OutboxEntry",
    "SortKey",
    "SyncStatus",
]


class OrderView(StrEnum):
    """The status views of the main window. NEEDS_ACTION: refund and extension requests awaiting
    my answer (before their `respond_by`), and deliveries due within 48 hours or overdue."""

    NEEDS_ACTION = "needs_action"
    PENDING_DELIVERY = "pending_delivery"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    REFUND_REQUESTS = "refund_requests"
    IN_MEDIATION = "in_mediation"
    DELIVERY_REFUSED = "delivery_refused"
    COMPLETED = "completed"
    REFUNDED_CANCELLED = "refunded_cancelled"
    ALL = "all"

    @property
    def label(self) -> str:
        return _VIEW_LABELS[self]


_VIEW_LABELS = {
    OrderView.NEEDS_ACTION: "Needs my action",
    OrderView.PENDING_DELIVERY: "Pending delivery",
    OrderView.AWAITING_CONFIRMATION: "Awaiting confirmation",
    OrderView.REFUND_REQUESTS: "Refund requests",
    OrderView.IN_MEDIATION: "In mediation",
    OrderView.DELIVERY_REFUSED: "Delivery refused",
    OrderView.COMPLETED: "Completed",
    OrderView.REFUNDED_CANCELLED: "Refunded and cancelled",
    OrderView.ALL: "All",
}


class SortKey(StrEnum):
    """Columns the order list sorts by. Every sort ends with a stable tie-break (the cache's
    row id), so windows fetched by offset never repeat or skip a row.

    PAID sorts by the amount converted to the settlement currency (amounts in different
    currencies are not comparable as such); DEADLINE puts orders without a running deadline
    after all others (and first when descending: a descending sort is the exact reverse)."""

    NUMBER = "number"
    BUYER = "buyer"
    SERVICE = "service"
    STATUS = "status"
    PAID = "paid"
    NET = "net"
    DEADLINE = "deadline"
    UPDATED = "updated"
    UNREAD = "unread"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class OrderQuery:
    view: OrderView = OrderView.ALL
    search: str = ""
    sort: SortKey = SortKey.DEADLINE
    descending: bool = False


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One line of the order table, as cached (pending operations applied on top)."""

    id: str
    number: str
    buyer_name: str
    buyer_country: str
    service_title: str
    status: OrderStatus
    status_label: str
    paid: Money
    net_settlement: Money
    deadline_at: datetime | None
    deadline_kind: DeadlineKind | None
    deadline_actor: Actor | None
    updated_at: datetime
    unread: int
    pending_operations: int
    sync_problem: bool  # an operation rejected, needing review or set aside, not yet dismissed


class OperationState(StrEnum):
    """Where an operation of the outbox stands.

    QUEUED: waiting to be sent (again: `attempts` > 0 means an earlier try's outcome is unknown
    and it will be resent with the same idempotency key). SENDING: handed to the network now
    (a row found SENDING at start is resent with the same key). APPLIED: the platform took it.
    REJECTED: the platform refused it (422, or the order is gone); its effect is rolled back.
    NEEDS_REVIEW: the order changed on the platform (412, 409) — the decision is kept, not
    resent, until the operator applies it again on the new version or discards it.
    SET_ASIDE: the platform refused the request itself (idempotency key, missing If-Match): a
    bug, kept for diagnostics. DISCARDED: the operator dropped it (before it was sent, or after
    a refusal).
    """

    QUEUED = "queued"
    SENDING = "sending"
    APPLIED = "applied"
    REJECTED = "rejected"
    NEEDS_REVIEW = "needs_review"
    SET_ASIDE = "set_aside"
    DISCARDED = "discarded"

    @property
    def label(self) -> str:
        return {
            OperationState.QUEUED: "Queued",
            OperationState.SENDING: "Sending",
            OperationState.APPLIED: "Applied",
            OperationState.REJECTED: "Rejected",
            OperationState.NEEDS_REVIEW: "Needs review",
            OperationState.SET_ASIDE: "Set aside (error)",
            OperationState.DISCARDED: "Discarded",
        }[self]


UNFINISHED_STATES = frozenset({OperationState.QUEUED, OperationState.SENDING})
PROBLEM_STATES = frozenset(
    {OperationState.REJECTED, OperationState.NEEDS_REVIEW, OperationState.SET_ASIDE}
)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    order_id: str
    order_number: str
    kind: ActionKind
    body: dict[str, Any]
    state: OperationState
    attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    base_version: int | None  # the order version the operator acted on (None: a message)
    idempotency_key: str
    next_attempt_at: datetime | None = None  # when a QUEUED entry is due again (backoff)
    if_match: int | None = None  # the version sent as If-Match (rebased after earlier ops)

    @property
    def was_sent(self) -> bool:
        """True once the entry went to the network: it may have been applied."""
        return self.attempts > 0

    @property
    def is_problem(self) -> bool:
        return self.state in PROBLEM_STATES


@dataclass(frozen=True, slots=True)
class MessageEntry:
    """A message of the conversation; `sync_state` is None for one the platform has, else the
    state of our outgoing message still in the outbox."""

    message: Message
    sync_state: OperationState | None = None
    outbox_id: int | None = None


@dataclass(frozen=True, slots=True)
class InvalidOrderEntry:
    """An order the platform sent that failed validation; set aside with its reason."""

    order_id: str
    number: str | None
    reason: str
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class SyncStatus:
    last_success_at: datetime | None
    last_error: str | None
    invalid_orders: int
    last_pull_at: datetime | None = None
    initial_sync_done: bool = False
