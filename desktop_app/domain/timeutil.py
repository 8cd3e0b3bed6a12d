"""Time is timezone-aware UTC inside OrderDesk; the wire carries RFC 3339 with a ``Z``."""

from __future__ import annotations

import re
from datetime import UTC, datetime

__all__ = ["InvalidTimestampError", "ensure_utc", "format_rfc3339", "parse_rfc3339", "utc_now"]

_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})"
)


class InvalidTimestampError(ValueError):
    """A timestamp that is not RFC 3339 with an explicit offset."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def ensure_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is a bug (we cannot know its zone), so it is refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidTimestampError(f"naive datetime {moment!r}: OrderDesk needs aware times")
    return moment.astimezone(UTC)


def parse_rfc3339(text: object) -> datetime:
    if not isinstance(text, str) or not _RFC3339.fullmatch(text):
        raise InvalidTimestampError(f"expected an RFC 3339 timestamp with offset, got {text!r}")
    normalized = text.replace("z", "Z").replace("t", "T")
    if "." in normalized:  # Python keeps microseconds: cut nanoseconds off
        head, _, tail = normalized.partition(".")
        digits = re.match(r"\d+", tail)
        assert digits is not None
        normalized = f"{head}.{digits.group()[:6].ljust(6, '0')}{tail[digits.end() :]}"
    try:
        return datetime.fromisoformat(normalized.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError as error:
        raise InvalidTimestampError(f"not a valid moment: {text!r}") from error


def format_rfc3339(moment: datetime) -> str:
    """``2026-11-26T08:00:00Z``; microseconds only when there are any."""
    utc = ensure_utc(moment)
    text = utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds")
    return text.replace("+00:00", "Z")
