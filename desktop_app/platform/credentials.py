"""Where the refresh token lives between runs: the OS keyring, and nowhere else.

The access token is never stored (the client keeps it in memory). A profile is one platform
server and one merchant login; its key names the keyring entry, e.g. ``demo@127.0.0.1:8750``.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

import keyring
import keyring.errors

from .errors import CredentialStoreError

__all__ = [
    "KEYRING_SERVICE",
    "CredentialStore",
    "KeyringCredentials",
    "MemoryCredentials",
    "profile_key",
]

KEYRING_SERVICE = "OrderDesk"


@runtime_checkable
class CredentialStore(Protocol):
    def load_refresh_token(self) -> str | None: ...

    def save_refresh_token(self, token: str) -> None: ...

    def clear(self) -> None: ...


def profile_key(username: str, base_url: str) -> str:
    """The keyring username of a profile: ``<username>@<host>:<port>`` of the server."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal keeps its brackets, so the port stays readable
        host = f"[{host}]"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{username}@{host}:{port}"


class KeyringCredentials:
    """The refresh token of one profile in the OS keyring (service ``OrderDesk``)."""

    def __init__(self, profile_key: str) -> None:
        if not profile_key:
            raise ValueError("a profile key is required")
        self.profile_key = profile_key

    def __repr__(self) -> str:
        return f"KeyringCredentials({self.profile_key!r})"

    def load_refresh_token(self) -> str | None:
        try:
            token = keyring.get_password(KEYRING_SERVICE, self.profile_key)
        except keyring.errors.KeyringError as error:
            raise _store_error("read the sign-in from", error) from None
        return token if isinstance(token, str) and token else None

    def save_refresh_token(self, token: str) -> None:
        if not token:
            raise ValueError("an empty refresh token cannot be saved")
        try:
            keyring.set_password(KEYRING_SERVICE, self.profile_key, token)
        except keyring.errors.KeyringError as error:
            raise _store_error("save the sign-in to", error) from None

    def clear(self) -> None:
        try:
            keyring.delete_password(KEYRING_SERVICE, self.profile_key)
        except keyring.errors.PasswordDeleteError:
            pass  # nothing stored: already clear
        except keyring.errors.KeyringError as error:
            raise _store_error("remove the sign-in from", error) from None


def _store_error(doing: str, error: Exception) -> CredentialStoreError:
    # The backend's own message is left out: a backend is free to echo what it was given.
    return CredentialStoreError(
        f"Could not {doing} the system keyring ({type(error).__name__}). "
        "Unlock the keyring or check that one is installed, then sign in again."
    )


class MemoryCredentials:
    """A refresh token held in memory only: for the embedded demo's throwaway sign-ins."""

    def __init__(self, token: str | None = None) -> None:
        self._token = token
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "MemoryCredentials(<hidden>)" if self._token else "MemoryCredentials()"

    def load_refresh_token(self) -> str | None:
        with self._lock:
            return self._token

    def save_refresh_token(self, token: str) -> None:
        if not token:
            raise ValueError("an empty refresh token cannot be saved")
        with self._lock:
            self._token = token

    def clear(self) -> None:
        with self._lock:
            self._token = None
