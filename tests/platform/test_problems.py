"""Reading error answers: defensively, whatever the body, and never echoing a secret."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from desktop_app.platform import (
    AuthenticationError,
    Conflict,
    CursorExpired,
    NotFound,
    PlatformError,
    RateLimited,
    ServerError,
    UnexpectedResponse,
    ValidationFailed,
    VersionMismatch,
)
from desktop_app.platform.problems import error_from_response, parse_retry_after, safe_text


def answer(status: int, body: object = None, **headers: str) -> httpx.Response:
    if isinstance(body, bytes):
        return httpx.Response(status, content=body, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


NOW = datetime(2026, 11, 26, 8, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        (" 120 ", 120.0),
        ("1.5", 1.5),
        ("Thu, 26 Nov 2026 08:00:30 GMT", 30.0),
        ("Thu, 26 Nov 2026 07:00:00 GMT", 0.0),  # already past: no wait
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize(
    ("response", "cls"),
    [
        (answer(502, b"<html>Bad gateway</html>"), ServerError),
        (answer(503, b"", **{"Retry-After": "7"}), ServerError),
        (answer(500, {"code": "internal-error"}), ServerError),
        (answer(429, b"slow down", **{"Retry-After": "2"}), RateLimited),
        (answer(404, b"nothing"), NotFound),
        (answer(418, {"code": "teapot"}), UnexpectedResponse),
        (answer(400, {"code": "invalid_request"}), UnexpectedResponse),
        (answer(403, b"forbidden"), UnexpectedResponse),
        (answer(302, b"", Location="http://elsewhere"), UnexpectedResponse),
        (answer(200, {"code": "version-mismatch"}), UnexpectedResponse),
        (answer(400, {"error": "invalid_grant"}), AuthenticationError),
        (answer(401, b""), AuthenticationError),
        (answer(409, {"code": "something-new"}), Conflict),
        (answer(412, b"not json"), VersionMismatch),
        (answer(410, {"code": "cursor-expired"}), CursorExpired),
        (answer(422, ["not", "an", "object"]), ValidationFailed),
    ],
)
def test_any_error_body_maps_to_a_class(response: httpx.Response, cls: type[PlatformError]) -> None:
    error = error_from_response(response)
    assert type(error) is cls
    assert error.status == response.status_code
    assert error.detail  # always something to show


def test_retry_after_travels_with_the_error() -> None:
    assert error_from_response(answer(503, b"", **{"Retry-After": "7"})).retry_after == 7.0
    assert error_from_response(answer(429, {}, **{"Retry-After": "2"})).retry_after == 2.0


def test_a_broken_current_order_is_dropped_not_fatal() -> None:
    error = error_from_response(
        answer(412, {"code": "version-mismatch", "current": {"id": "o1", "status": 5}})
    )
    assert isinstance(error, VersionMismatch) and error.current is None


def test_field_errors_in_the_shapes_seen_in_the_wild() -> None:
    error = error_from_response(
        answer(
            422,
            {
                "code": "validation-failed",
                "errors": [{"field": "reason", "message": "is required"}, "junk"],
                "invalid_params": [{"name": "evidence", "reason": "too long"}],
                "fields": {"note": "too long", "bad": 3},
            },
        )
    )
    assert isinstance(error, ValidationFailed)
    assert error.fields == {
        "reason": "is required",
        "evidence": "too long",
        "note": "too long",
        "bad": "is invalid",
    }


def test_secrets_and_control_characters_are_scrubbed_from_details() -> None:
    error = error_from_response(
        answer(401, {"detail": "token abc.def-123 is\nexpired\x1b[31m", "code": "invalid-token"}),
        secrets=("abc.def-123",),
    )
    assert "abc.def-123" not in str(error)
    assert "\n" not in str(error) and "\x1b" not in str(error)
    assert "[redacted]" in error.detail
    assert str(error).endswith("[HTTP 401, invalid-token]")


def test_safe_text_bounds_length() -> None:
    assert len(safe_text("x" * 10_000)) == 500
    assert safe_text(None) == ""
