"""One sync at a time per profile, across processes.

The window and the command line may open the same profile at once. Both read the cache and
queue operations (SQLite serialises their writes); only one of them at a time talks to the
platform for it, so the outbox is never sent twice in parallel and the feed cursor only moves
forward. A sync cycle holds an OS file lock beside the cache (``<cache>.sync-lock``). The OS
drops the lock when its process ends, killed or not: a crash never leaves a profile locked.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = ["ProfileLock", "lock_path_for"]

_POLL_SECONDS = 0.05


def lock_path_for(cache: Path) -> Path:
    return cache.with_name(cache.name + ".sync-lock")


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle: IO[bytes]) -> bool:
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class ProfileLock:
    """An exclusive lock on one profile's sync, held by at most one process (and one holder
    in it) at a time. Not re-entrant."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None
        self._guard = threading.Lock()

    def acquire(
        self, timeout: float = 0.0, should_stop: Callable[[], bool] = lambda: False
    ) -> bool:
        """Take the lock, waiting up to `timeout` seconds; False if another holder kept it."""
        deadline = time.monotonic() + timeout
        while True:
            if self._try_once():
                return True
            if should_stop() or time.monotonic() >= deadline:
                return False
            time.sleep(min(_POLL_SECONDS, max(0.0, deadline - time.monotonic())))

    def _try_once(self) -> bool:
        with self._guard:
            if self._handle is not None:
                raise RuntimeError("the profile lock is already held by this object")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # "a+b": never truncates another holder's note; created when missing.
            handle = self.path.open("a+b")
            if not _try_lock(handle):
                handle.close()
                return False
            handle.truncate(0)
            handle.write(f"{os.getpid()}\n".encode("ascii"))
            handle.flush()
            self._handle = handle
            return True

    def release(self) -> None:
        with self._guard:
            handle, self._handle = self._handle, None
        if handle is not None:
            try:
                _unlock(handle)
            finally:
                handle.close()

    def holder_pid(self) -> int | None:
        """The process id the current holder wrote, when readable (for messages)."""
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return int(text) if text.isdigit() else None
