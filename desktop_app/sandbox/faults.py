"""Injected faults for ``/v1/``: latency, errors, dropped connections and a rate limit.

:class:`FaultInjector` is the outermost ASGI layer, so that it can hold back an answer and
close the connection itself. A drop closes the connection without any answer; half of the drops
happen *after* the request was fully handled (for a write: applied and its answer stored under
its idempotency key), the case idempotency keys exist for.

The latency of a write that carries an ``Idempotency-Key`` is spent inside the write, while the
key is held (see ``routes_v1.py``), so that a duplicate sent meanwhile meets
``idempotency-key-in-use`` as it would on a busy platform.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any, Literal

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from desktop_app.sandbox.problems import ProblemError

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FaultSettings:
    latency_ms: int = 0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    rate_limit_per_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class Faults:
    """The current fault settings and the rate limiter's token buckets (one per access token)."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng or random.Random()  # noqa: S311 - fault dice, not security
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}
        self.settings = FaultSettings()

    def configure(self, settings: FaultSettings) -> None:
        with self._lock:
            self.settings = settings
            self._buckets.clear()

    def reset(self) -> None:
        self.configure(FaultSettings())

    def latency_s(self) -> float:
        return self.settings.latency_ms / 1000

    def take(self, token: str) -> float | None:
        """Spend one request from ``token``'s bucket: ``None`` if allowed, else seconds to wait."""
        rate = self.settings.rate_limit_per_s
        if rate <= 0:
            return None
        burst = max(rate, 1.0)
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.setdefault(token, _Bucket(burst, now))
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.stamp) * rate)
            bucket.stamp = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return None
            return (1 - bucket.tokens) / rate

    def roll_error(self) -> bool:
        with self._lock:
            return self._rng.random() < self.settings.error_rate

    def roll_drop(self) -> Literal["before", "after"] | None:
        with self._lock:
            if self._rng.random() >= self.settings.drop_rate:
                return None
            return "before" if self._rng.random() < 0.5 else "after"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _bearer(scope: Scope) -> str | None:
    value = _header(scope, b"authorization")
    if value is None:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


class FaultInjector:
    """ASGI middleware applying :class:`Faults` to ``/v1/`` requests only."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        settings = self.faults.settings
        token = _bearer(scope)
        if token is not None and (wait := self.faults.take(token)) is not None:
            retry = str(max(1, math.ceil(wait)))
            problem = ProblemError("rate-limited", f"Slow down; retry in {retry} s",
                                   headers={"Retry-After": retry})
            await problem.response()(scope, receive, send)
            return
        deferred = scope.get("method") == "POST" and _header(scope, b"idempotency-key")
        if settings.latency_ms and not deferred:
            await anyio.sleep(settings.latency_ms / 1000)
        if self.faults.roll_error():
            problem = ProblemError("unavailable", "Injected fault: the platform is overloaded",
                                   headers={"Retry-After": "1"})
            await problem.response()(scope, receive, send)
            return
        drop = self.faults.roll_drop()
        if drop is None:
            await self.app(scope, receive, send)
            return
        if drop == "after":
            async def swallow(_message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)
        await _drop_connection(send)


async def _drop_connection(send: Send) -> None:
    """Close the client's connection without an answer.

    ASGI has no message for this, so we reach for the server's transport: under uvicorn ``send``
    is bound to the request cycle, which holds it. Marking the cycle disconnected keeps uvicorn
    from answering 500 in our stead.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise RuntimeError("cannot drop the connection: not running under uvicorn")
    transport.close()
    if hasattr(cycle, "disconnected"):
        cycle.disconnected = True  # type: ignore[union-attr]
