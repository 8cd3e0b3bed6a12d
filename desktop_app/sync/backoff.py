"""Retry delays: full-jitter exponential backoff, capped, never shorter than Retry-After."""

from __future__ import annotations

import random

__all__ = ["BACKOFF_BASE", "BACKOFF_CAP", "full_jitter"]

BACKOFF_BASE = 1.0  # seconds
BACKOFF_CAP = 60.0


def full_jitter(
    attempt: int,
    *,
    rng: random.Random,
    base: float = BACKOFF_BASE,
    cap: float = BACKOFF_CAP,
    retry_after: float | None = None,
) -> float:
    """Seconds to wait before try `attempt + 1` (`attempt` >= 1 tries failed so far).

    Full jitter (uniform in [0, min(cap, base * 2**(attempt-1))]) spreads many clients' retries
    apart; the platform's Retry-After, when it gave one, is a floor (capped like the rest, so a
    bogus huge value cannot park the outbox for days).
    """
    ceiling = min(cap, base * 2 ** max(0, min(attempt - 1, 30)))
    delay = rng.uniform(0, ceiling)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(retry_after, cap))
    return delay
