"""What can go wrong talking to the platform, as one class per way the caller must react.

Every exception's text is safe to show to the operator and to write to a log: it is built from
the platform's problem `detail` (scrubbed of any secret the client holds) and from our own
words, never from request headers or bodies, so it never carries a token or a password.

How the sync engine reads them:

- `TransportError`, `ServerError`, `RateLimited`: the outcome is unknown (or nothing happened);
  retry later with the same idempotency key, honouring `retry_after`.
- `IdempotencyKeyInUse`: the first request with this key is still running; wait and retry.
- `Conflict` (`VersionMismatch`, `InvalidTransition`, `RequestNotPending`): the order moved on;
  `current` is the platform's order when it sent one.
- `ValidationFailed`: the platform refused the body; `fields` says why, per field.
- `IdempotencyKeyProblem`, `PreconditionRequired`, `UnexpectedResponse`: a bug, ours or theirs.
- `AuthenticationError`: the operator must sign in again.
- `CredentialStoreError`: the OS keyring could not be read or written.
"""

# The class names are the interface the sync engine and the UI code against; they say what
# happened (NotFound, Conflict) and read better without an "Error" suffix.
# ruff: noqa: N818

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.domain import Order

__all__ = [
    "AuthenticationError",
    "Conflict",
    "CredentialStoreError",
    "CursorExpired",
    "IdempotencyKeyInUse",
    "IdempotencyKeyProblem",
    "InvalidTransition",
    "NotFound",
    "PlatformError",
    "PreconditionRequired",
    "RateLimited",
    "RequestNotPending",
    "ServerError",
    "TransportError",
    "UnexpectedResponse",
    "ValidationFailed",
    "VersionMismatch",
]


class PlatformError(Exception):
    """A request to the platform that did not succeed.

    `status` is the HTTP status (None when no answer came), `code` the problem's stable machine
    code when there is one, `detail` a sentence for people, `retry_after` the seconds the
    platform asked us to wait (429, 503), if it said.
    """

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.code = code
        self.retry_after = retry_after

    def __str__(self) -> str:
        tags = [f"HTTP {self.status}"] if self.status is not None else []
        if self.code:
            tags.append(self.code)
        return f"{self.detail} [{', '.join(tags)}]" if tags else self.detail

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"detail={self.detail!r}, retry_after={self.retry_after!r})"
        )


class TransportError(PlatformError):
    """No usable answer: connect error, timeout, dropped connection, unreadable response.

    The request may or may not have taken effect on the platform.
    """


class ServerError(PlatformError):
    """A 5xx answer (503 included: overload or maintenance)."""


class RateLimited(PlatformError):
    """429: too many requests; wait `retry_after` seconds."""


class AuthenticationError(PlatformError):
    """Wrong password, a revoked or unknown refresh token, or none stored: sign in again."""


class CredentialStoreError(PlatformError):
    """The OS keyring refused to read or store the refresh token."""


class NotFound(PlatformError):
    """404: no such order, or one that belongs to another merchant (the platform can't tell)."""


class CursorExpired(PlatformError):
    """410: the feed cursor is too old; resync from the start."""


class IdempotencyKeyInUse(PlatformError):
    """409: a request with the same idempotency key is still running on the platform."""


class IdempotencyKeyProblem(PlatformError):
    """400 key missing, 422 key reused with another body, or a key we could not send: our bug."""


class Conflict(PlatformError):
    """The order is no longer where the operation expected it; `current` is where it is now."""

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
        current: Order | None = None,
    ) -> None:
        super().__init__(detail, status=status, code=code, retry_after=retry_after)
        self.current = current


class VersionMismatch(Conflict):
    """412: the order changed since the version the operator acted on."""


class InvalidTransition(Conflict):
    """409: the action is not allowed in the order's current state."""


class RequestNotPending(Conflict):
    """409: the extension or refund request answered is not the pending one."""


class ValidationFailed(PlatformError):
    """422: the platform refused the request body; `fields` maps each field to its reason."""

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail, status=status, code=code, retry_after=retry_after)
        self.fields: dict[str, str] = dict(fields or {})


class PreconditionRequired(PlatformError):
    """428: an order action was sent without `If-Match`: our bug."""


class UnexpectedResponse(PlatformError):
    """An answer outside the contract: bad JSON, a malformed body, an unknown 4xx."""
