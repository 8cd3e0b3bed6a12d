"""What each answer of the platform means for an operation of the outbox.

- applied (2xx): the server's order (or message) is stored, the entry is APPLIED;
- outcome unknown (network error, timeout, 5xx, 429, 503, 409 key in use, an unreadable
  answer): sent again later with the same idempotency key;
- 412, 409 invalid transition / request not pending: a decision NEEDS_REVIEW — the current
  order is fetched and the decision is never resent on its own; a message (not bound to a
  version) refused as invalid is REJECTED;
- 422 validation, 404: REJECTED with the platform's detail, the optimistic effect rolled back;
- 400/422 about the key, 428: SET_ASIDE as a bug;
- 401 after the client's own refresh: the engine waits for a new sign-in, the entry stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from desktop_app.domain import ActionKind, Order
from desktop_app.platform import (
    AuthenticationError,
    Conflict,
    CredentialStoreError,
    IdempotencyKeyInUse,
    IdempotencyKeyProblem,
    InvalidTransition,
    NotFound,
    PlatformError,
    PreconditionRequired,
    RequestNotPending,
    ValidationFailed,
    VersionMismatch,
)
from desktop_app.store import OutboxEntry

__all__ = ["Decision", "Verdict", "classify", "review_explanation"]


class Verdict(Enum):
    RETRY = "retry"
    REVIEW = "review"
    REJECT = "reject"
    SET_ASIDE = "set_aside"
    AUTH = "auth"


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    explanation: str
    retry_after: float | None = None
    current: Order | None = None


def review_explanation(entry: OutboxEntry, error: Conflict, current: Order | None) -> str:
    now_is = (
        f"it is now {current.status_label.lower()} (version {current.version})"
        if current is not None
        else "it changed"
    )
    if isinstance(error, VersionMismatch):
        return (
            f"The order changed on the platform after you acted on version "
            f"{entry.if_match}: {now_is}. Review it, then apply again or discard."
        )
    if isinstance(error, RequestNotPending):
        return (
            f"The request you answered is no longer the pending one; {now_is}. "
            "Review it, then apply again or discard."
        )
    return (
        f"The platform no longer allows {entry.kind.label.lower()} on this order; {now_is}. "
        "Review it, then apply again or discard."
    )


def classify(entry: OutboxEntry, error: PlatformError) -> Decision:
    """The verdict on `entry` after the platform (or the network) answered with `error`."""
    detail = error.detail or str(error)
    if isinstance(error, AuthenticationError | CredentialStoreError):
        return Decision(Verdict.AUTH, detail)
    if isinstance(error, IdempotencyKeyInUse):
        return Decision(Verdict.RETRY, detail, retry_after=error.retry_after or 1.0)
    if isinstance(error, IdempotencyKeyProblem | PreconditionRequired):
        return Decision(Verdict.SET_ASIDE, f"Set aside (a fault in OrderDesk): {detail}")
    if isinstance(error, ValidationFailed):
        fields = "; ".join(f"{name}: {reason}" for name, reason in sorted(error.fields.items()))
        return Decision(
            Verdict.REJECT,
            f"The platform refused it: {detail}" + (f" ({fields})" if fields else ""),
        )
    if isinstance(error, NotFound):
        return Decision(Verdict.REJECT, "The platform has no such order (any more).")
    if isinstance(error, Conflict):
        is_message = entry.kind is ActionKind.SEND_MESSAGE
        if is_message and isinstance(error, InvalidTransition):
            return Decision(Verdict.REJECT, f"The platform refused the message: {detail}")
        return Decision(Verdict.REVIEW, detail, current=error.current)
    # TransportError, ServerError, RateLimited, UnexpectedResponse and anything unforeseen:
    # the outcome is unknown, so the only safe move is the same request with the same key.
    return Decision(Verdict.RETRY, detail, retry_after=error.retry_after)
