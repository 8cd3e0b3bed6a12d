"""RFC 9457 problem details: the one shape of every error the sandbox answers.

Handlers raise :class:`ProblemError`; the app turns it (and the framework's own 404, 405 and
validation errors, and any bug) into ``application/problem+json`` with a stable ``code``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://orderdesk.invalid/problems/"

_log = logging.getLogger(__name__)

#: code -> (status, title). The codes are part of the contract; titles are for humans.
CODES: dict[str, tuple[int, str]] = {
    "invalid_request": (400, "The token request is malformed"),
    "invalid_grant": (400, "The grant is invalid, expired or revoked"),
    "unsupported_grant_type": (400, "This grant type is not supported"),
    "idempotency-key-missing": (400, "The Idempotency-Key header is required"),
    "idempotency-key-invalid": (400, "The Idempotency-Key header is malformed"),
    "invalid-cursor": (400, "The cursor is not one this platform issued"),
    "authentication-required": (401, "Authentication is required"),
    "invalid-token": (401, "The access token is expired, revoked or unknown"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "invalid-transition": (409, "The action is not allowed in the order's current state"),
    "request-not-pending": (409, "The request is not the pending one"),
    "idempotency-key-in-use": (409, "A request with this Idempotency-Key is still running"),
    "cursor-expired": (410, "The cursor has expired; resync from the start"),
    "version-mismatch": (412, "The order has changed since that version"),
    "idempotency-key-reused": (422, "The Idempotency-Key was used with another request"),
    "validation-failed": (422, "The request failed validation"),
    "precondition-required": (428, "The If-Match header is required"),
    "rate-limited": (429, "Too many requests"),
    "internal-error": (500, "Internal error"),
    "unavailable": (503, "The platform is temporarily unavailable"),
}


class ProblemError(Exception):
    """An error answer. ``extra`` members go into the problem body beside the standard ones."""

    def __init__(
        self,
        code: str,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        status, title = CODES[code]
        super().__init__(f"{code}: {detail or title}")
        self.code = code
        self.status = status
        self.title = title
        self.detail = detail or title
        self.headers = dict(headers or {})
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {
            "type": TYPE_BASE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            **self.extra,
        }

    def response(self) -> Response:
        return problem_response(self.status, self.body(), self.headers)


def problem_response(
    status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        content=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


def field_error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def validation_failed(errors: list[dict[str, str]]) -> ProblemError:
    fields = ", ".join(e["field"] for e in errors)
    return ProblemError("validation-failed", f"Invalid fields: {fields}", errors=errors)


def install_handlers(app: FastAPI) -> None:
    """Make every error, the framework's own included, a problem+json answer."""

    async def on_problem(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return exc.response()

    async def on_http(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            problem = ProblemError("not-found", "No such resource", headers=headers)
        elif exc.status_code == 405:
            problem = ProblemError("method-not-allowed", headers=headers)
        else:
            body = {
                "type": "about:blank",
                "title": str(exc.detail),
                "status": exc.status_code,
                "detail": str(exc.detail),
                "code": f"http-{exc.status_code}",
            }
            return problem_response(exc.status_code, body, headers)
        return problem.response()

    async def on_validation(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            field_error(".".join(str(p) for p in err.get("loc", ())), str(err.get("msg", "")))
            for err in exc.errors()
        ]
        return validation_failed(errors).response()

    async def on_disconnect(_request: Request, _exc: Exception) -> Response:
        # The client went away while sending its request (a killed process, a dropped
        # connection): nothing was done and nobody reads the answer. Not a bug of ours.
        _log.info("client disconnected before its request was read")
        return Response(status_code=499)

    async def on_bug(_request: Request, exc: Exception) -> Response:
        _log.error("unhandled error in the sandbox", exc_info=exc)
        return ProblemError("internal-error", "The sandbox hit a bug").response()

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ClientDisconnect, on_disconnect)
    app.add_exception_handler(Exception, on_bug)
