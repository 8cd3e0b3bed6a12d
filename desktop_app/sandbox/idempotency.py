"""Idempotency keys: one answer per (merchant, key), replayed for the same request.

The answer of a write that took effect is stored in the same transaction as the effect, so
"applied" and "answer remembered" cannot come apart. Refusals are not stored: they changed
nothing, and asking again under the same key is as safe as asking the first time. While a
request holds its key (in memory: a restart forgets running requests, never answers), a
duplicate gets ``idempotency-key-in-use``; the same key with another request (method, path,
JSON body) gets ``idempotency-key-reused``.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session
from starlette.responses import Response

from desktop_app.sandbox.models import IdempotencyRow
from desktop_app.sandbox.problems import ProblemError

if TYPE_CHECKING:
    from desktop_app.sandbox.world import World

MAX_KEY_LENGTH = 255
REPLAYED_HEADER = "Idempotent-Replayed"


def check_key(key: str | None) -> str:
    """The key from the header, or 400."""
    if key is None or key == "":
        raise ProblemError("idempotency-key-missing", "Send an Idempotency-Key header")
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ProblemError("idempotency-key-invalid",
                           f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable characters")
    return key


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Identifies "the same request": method, path and the body (as JSON when it is JSON)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def claim(world: World, merchant_id: int, key: str, fp: str) -> Response | None:
    """Hold ``key`` for this request, or answer instead: a replay, 409 in use, 422 reused."""
    with world.transaction() as session:
        stored = session.get(IdempotencyRow, (merchant_id, key))
        if stored is not None:
            if stored.fingerprint != fp:
                raise ProblemError(
                    "idempotency-key-reused",
                    "This Idempotency-Key was first used with another request",
                )
            return replay(stored)
        if (merchant_id, key) in world.in_flight:
            raise ProblemError(
                "idempotency-key-in-use",
                "A request with this Idempotency-Key is still running; retry shortly",
                headers={"Retry-After": "1"},
            )
        world.in_flight.add((merchant_id, key))
    return None


def release(world: World, merchant_id: int, key: str) -> None:
    with world.lock:
        world.in_flight.discard((merchant_id, key))


def remember(
    session: Session,
    merchant_id: int,
    key: str,
    fp: str,
    response: Response,
) -> None:
    """Store the answer given under ``key`` (call in the transaction that made it)."""
    session.add(IdempotencyRow(
        merchant_id=merchant_id,
        key=key,
        fingerprint=fp,
        status_code=response.status_code,
        media_type=response.media_type or "application/json",
        body=bytes(response.body).decode(),
        etag=response.headers.get("etag"),
        created_at=time.time(),
    ))


def replay(stored: IdempotencyRow) -> Response:
    headers = {REPLAYED_HEADER: "true"}
    if stored.etag:
        headers["ETag"] = stored.etag
    return Response(
        content=stored.body,
        status_code=stored.status_code,
        media_type=stored.media_type,
        headers=headers,
    )
