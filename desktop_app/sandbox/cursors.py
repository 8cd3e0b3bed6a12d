"""Opaque, signed cursors for the changes feed.

A cursor names a position in the feed (the change sequence of the last order the client has
seen), the merchant it belongs to, the world it was issued in and when (platform time). It is
signed with the database's secret (kept across resets), so it survives a restart with a file
database; a cursor from before a reset (another world) or older than 30 days is
``cursor-expired``: the client resyncs from the start.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from desktop_app.sandbox.clock import epoch, utc

CURSOR_LIFETIME = timedelta(days=30)
_VERSION = 1


class InvalidCursorError(ValueError):
    """Not a cursor this platform issued (or one for another merchant)."""


class ExpiredCursorError(ValueError):
    """A genuine cursor that can no longer be honoured."""


@dataclass(frozen=True)
class Cursor:
    position: int
    merchant_id: int
    epoch: str
    issued_at: datetime


def encode(cursor: Cursor, secret: bytes) -> str:
    payload = json.dumps(
        [_VERSION, cursor.epoch, cursor.merchant_id, cursor.position, epoch(cursor.issued_at)],
        separators=(",", ":"),
    ).encode()
    body = base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
    return f"{body}.{_sign(body, secret)}"


def decode(text: str, secret: bytes, *, merchant_id: int, world_epoch: str,
           now: datetime) -> Cursor:
    body, _, signature = text.partition(".")
    if not body or not hmac.compare_digest(signature.encode(), _sign(body, secret).encode()):
        raise InvalidCursorError("the cursor is not one this platform issued")
    version, issued_epoch, owner, position, issued = json.loads(_unpad(body))
    if version != _VERSION or owner != merchant_id:
        raise InvalidCursorError("the cursor belongs to another merchant")
    if issued_epoch != world_epoch:
        raise ExpiredCursorError("the cursor is from before a reset of the platform")
    issued_at = utc(issued)
    if now - issued_at > CURSOR_LIFETIME:
        raise ExpiredCursorError("the cursor is more than 30 days old")
    return Cursor(position, owner, issued_epoch, issued_at)


def _sign(body: str, secret: bytes) -> str:
    digest = hmac.new(secret, body.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode()


def _unpad(body: str) -> bytes:
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))

