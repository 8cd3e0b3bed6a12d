"""What the store refuses, in words for the operator."""

from __future__ import annotations

import errno
import sqlite3

from .connection import StoreError

__all__ = [
    "OperationStateError",
    "OrderNotCachedError",
    "OutboxEntryNotFoundError",
    "StoreError",
    "cache_problem",
]

_FULL = (
    "The disk holding OrderDesk's local cache is full. Free some space: sync carries on by "
    "itself, and nothing queued is lost."
)
_READ_ONLY = (
    "OrderDesk's local cache cannot be written (a read-only file, folder or disk). Check its "
    "permissions; nothing queued is lost."
)
_LOCKED = (
    "OrderDesk's local cache is locked by another program (a backup or antivirus tool?). "
    "Sync tries again by itself."
)
_IO = (
    "The disk holding OrderDesk's local cache reported a read or write error. Check the disk; "
    "sync tries again by itself."
)
_DAMAGED = (
    "OrderDesk's local cache file is damaged or is not a cache. Choose another data folder, or "
    "move the file away to let OrderDesk sync a new one."
)
_CANNOT_OPEN = (
    "OrderDesk's local cache cannot be opened (a missing folder, or no permission). Check the "
    "data folder."
)
_BY_SQLITE_ERROR = {
    "SQLITE_FULL": _FULL,
    "SQLITE_READONLY": _READ_ONLY,
    "SQLITE_PERM": _READ_ONLY,
    "SQLITE_BUSY": _LOCKED,
    "SQLITE_LOCKED": _LOCKED,
    "SQLITE_IOERR": _IO,
    "SQLITE_CORRUPT": _DAMAGED,
    "SQLITE_NOTADB": _DAMAGED,
    "SQLITE_CANTOPEN": _CANNOT_OPEN,
}
_BY_ERRNO = {
    errno.ENOSPC: _FULL,
    errno.EDQUOT: _FULL,
    errno.EROFS: _READ_ONLY,
    errno.EACCES: _READ_ONLY,
    errno.EPERM: _READ_ONLY,
    errno.EIO: _IO,
}


def cache_problem(error: BaseException) -> str | None:
    """What the operator can do about an error of the cache file, in their words; None when
    the error is not one of those (a bug, to be logged with its traceback).

    Takes sqlite3 errors (also wrapped by SQLAlchemy, as `.orig`) and OS errors."""
    cause = getattr(error, "orig", None) or error
    if isinstance(cause, sqlite3.Error):
        name = getattr(cause, "sqlite_errorname", "") or ""
        primary = name.split("_")[0:2]  # SQLITE_IOERR_WRITE -> SQLITE_IOERR
        return _BY_SQLITE_ERROR.get("_".join(primary))
    if isinstance(cause, OSError):
        return _BY_ERRNO.get(cause.errno or 0)
    return None


class OrderNotCachedError(KeyError):
    """No order with that id (or number) in the cache."""

    def __str__(self) -> str:
        return f"No order {self.args[0]} in the local cache; sync first."


class OutboxEntryNotFoundError(KeyError):
    def __str__(self) -> str:
        return f"No operation {self.args[0]} in the outbox."


class OperationStateError(ValueError):
    """The outbox entry is not in a state that allows what was asked (e.g. discard after
    sending: the platform may already have applied it)."""
