"""The platform clock: wall time plus an offset that only ever grows.

Platform time follows the wall clock while the sandbox runs and jumps forward under
``POST /_sandbox/clock/advance``. It has whole-second resolution, like the timestamps on the
wire. Access tokens deliberately do *not* use it: they expire by wall time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(int(ts), UTC)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class PlatformClock:
    def __init__(self, offset_s: float = 0.0, wall: Callable[[], float] = time.time) -> None:
        self._offset_s = offset_s
        self._wall = wall
        self._lock = threading.Lock()

    @property
    def offset_s(self) -> float:
        return self._offset_s

    def now(self) -> datetime:
        return utc(self._wall() + self._offset_s)

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("the platform clock never goes back")
        with self._lock:
            self._offset_s += seconds
        return self.now()

    def reset(self, offset_s: float = 0.0) -> None:
        with self._lock:
            self._offset_s = offset_s
