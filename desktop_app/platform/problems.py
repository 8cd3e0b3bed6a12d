"""Reading the platform's error answers (RFC 9457 problem details) into `PlatformError`s.

The body of an error answer is untrusted like any other: it may be JSON, HTML from a proxy,
or nothing at all. Whatever it is, the status alone is enough to pick the class; the body only
adds the machine `code`, a `detail` for people, and for conflicts the current order.
"""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from desktop_app.domain import InvalidPayloadError, Order, parse_order

from .errors import (
    AuthenticationError,
    Conflict,
    CursorExpired,
    IdempotencyKeyInUse,
    IdempotencyKeyProblem,
    InvalidTransition,
    NotFound,
    PlatformError,
    PreconditionRequired,
    RateLimited,
    RequestNotPending,
    ServerError,
    UnexpectedResponse,
    ValidationFailed,
    VersionMismatch,
)

__all__ = ["error_from_response", "parse_retry_after", "read_problem", "safe_text"]

log = logging.getLogger(__name__)

DETAIL_MAX = 500
REDACTED = "[redacted]"

_BY_CODE: dict[str, type[PlatformError]] = {
    "version-mismatch": VersionMismatch,
    "invalid-transition": InvalidTransition,
    "request-not-pending": RequestNotPending,
    "validation-failed": ValidationFailed,
    "precondition-required": PreconditionRequired,
    "cursor-expired": CursorExpired,
    # Not in the contract; the sandbox answers it for a cursor it never issued (say, from
    # before a reset). The cure is the same as for an expired one: resync from the start.
    "invalid-cursor": CursorExpired,
    "idempotency-key-in-use": IdempotencyKeyInUse,
    "idempotency-key-missing": IdempotencyKeyProblem,
    "idempotency-key-reused": IdempotencyKeyProblem,
    "idempotency-key-invalid": IdempotencyKeyProblem,
    # OAuth 2 token endpoint errors (RFC 6749 §5.2).
    "invalid_grant": AuthenticationError,
    "invalid_client": AuthenticationError,
    "invalid_token": AuthenticationError,
}

_BY_STATUS: dict[int, type[PlatformError]] = {
    401: AuthenticationError,
    404: NotFound,
    409: Conflict,  # an unknown conflict is still a conflict: never resend blindly
    412: VersionMismatch,
    422: ValidationFailed,
    428: PreconditionRequired,
    429: RateLimited,
}

_PLAIN_TITLES: dict[type[PlatformError], str] = {
    AuthenticationError: "The platform did not accept the credentials; sign in again.",
    NotFound: "The platform has no such order for this merchant.",
    Conflict: "The order changed on the platform.",
    VersionMismatch: "The order changed on the platform since it was last seen.",
    InvalidTransition: "The order's current state does not allow this action.",
    RequestNotPending: "That request is no longer pending.",
    ValidationFailed: "The platform refused the request's content.",
    PreconditionRequired: "The request lacked the order version it was based on.",
    CursorExpired: "The changes cursor has expired; a full resync is needed.",
    IdempotencyKeyInUse: "The same request is still being processed by the platform.",
    IdempotencyKeyProblem: "The request's idempotency key was refused.",
    RateLimited: "Too many requests; the platform asked to slow down.",
    ServerError: "The platform had an internal problem or is unavailable.",
    UnexpectedResponse: "The platform answered in a way this version does not understand.",
}


def safe_text(value: object, secrets: Iterable[str] = (), limit: int = DETAIL_MAX) -> str:
    """Untrusted text made fit for a log line or a message box: one line, bounded, no secret."""
    text = value if isinstance(value, str) else ""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" and ch != " " else ch for ch in text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds to wait: delta-seconds, or an HTTP date (RFC 9110 §10.2.3)."""
    if value is None:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        seconds = float(value)
        return seconds if math.isfinite(seconds) else None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # an HTTP date is always GMT
        moment = moment.replace(tzinfo=UTC)
    reference = now if now is not None else datetime.now(UTC)
    return max(0.0, (moment - reference).total_seconds())


def read_problem(response: httpx.Response) -> Mapping[str, Any]:
    """The JSON object of an error body, or an empty mapping when it is anything else."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}
    return body if isinstance(body, Mapping) else {}


def _fields(problem: Mapping[str, Any], secrets: Iterable[str]) -> dict[str, str]:
    """The failing fields of a 422, in whichever of the common shapes the platform used."""
    secrets = tuple(secrets)
    found: dict[str, str] = {}
    raw = problem.get("fields")
    if isinstance(raw, Mapping):
        for name, reason in raw.items():
            if isinstance(name, str):
                found[safe_text(name, secrets, 100)] = safe_text(
                    reason if isinstance(reason, str) else "is invalid", secrets
                )
    for key in ("errors", "invalid_params", "invalid-params"):
        items = problem.get(key)
        if not isinstance(items, list):
            continue
        for item in items[:100]:
            if not isinstance(item, Mapping):
                continue
            name = item.get("field", item.get("name", item.get("pointer")))
            if isinstance(item.get("loc"), list) and name is None:
                name = ".".join(str(part) for part in item["loc"] if part != "body")
            reason = item.get("message", item.get("reason", item.get("detail", item.get("msg"))))
            if isinstance(name, str) and name:
                found.setdefault(
                    safe_text(name, secrets, 100),
                    safe_text(reason if isinstance(reason, str) else "is invalid", secrets),
                )
    return found


def _current(problem: Mapping[str, Any]) -> Order | None:
    payload = problem.get("current")
    if payload is None:
        return None
    try:
        return parse_order(payload)
    except InvalidPayloadError as error:
        log.warning("Ignored the current order of a conflict answer: %s", safe_text(str(error)))
        return None


def error_from_response(response: httpx.Response, *, secrets: Iterable[str] = ()) -> PlatformError:
    """The `PlatformError` for an answer that is not a success.

    The class follows the problem's `code` when it is one the contract names, else the HTTP
    status. `secrets` (tokens, a password) are scrubbed from any text taken from the answer.
    """
    secrets = tuple(secrets)
    status = response.status_code
    problem = read_problem(response)
    raw_code = problem.get("code", problem.get("error"))
    code = (safe_text(raw_code, secrets, 100) or None) if isinstance(raw_code, str) else None

    cls: type[PlatformError]
    if code in _BY_CODE:
        cls = _BY_CODE[code]
    elif status >= 500:
        cls = ServerError
    else:
        cls = _BY_STATUS.get(status, UnexpectedResponse)
    # A code names the reaction only together with an error status; never trust a "success".
    if status < 400:
        cls = UnexpectedResponse

    raw_detail = problem.get("detail", problem.get("error_description", problem.get("title")))
    detail = safe_text(raw_detail, secrets) or _PLAIN_TITLES.get(
        cls, f"The platform answered HTTP {status}."
    )
    retry_after = parse_retry_after(response.headers.get("Retry-After"))

    if issubclass(cls, Conflict):
        return cls(
            detail, status=status, code=code, retry_after=retry_after, current=_current(problem)
        )
    if issubclass(cls, ValidationFailed):
        return cls(
            detail,
            status=status,
            code=code,
            retry_after=retry_after,
            fields=_fields(problem, secrets),
        )
    return cls(detail, status=status, code=code, retry_after=retry_after)
