"""A profile's working set: its cache, its platform client, and (when asked) its sync engine.

The GUI and the CLI both build one of these. The GUI reads through `session.store` on its
own thread; the sync engine works on a second `Store` of the same file in its thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from desktop_app.domain import Operation, utc_now
from desktop_app.platform import CredentialStore, KeyringCredentials, PlatformClient
from desktop_app.store import OutboxEntry, Store
from desktop_app.sync import SyncEngine

from .profiles import Profile, ProfileRegistry

__all__ = ["CredentialFactory", "Session", "keyring_credentials", "sign_in"]

CredentialFactory = Callable[[Profile], CredentialStore]


def keyring_credentials(profile: Profile) -> CredentialStore:
    """The profile's refresh token in the OS keyring (the default everywhere but the demo)."""
    return KeyringCredentials(profile.credential_key)


def sign_in(
    registry: ProfileRegistry,
    name: str,
    server: str,
    username: str,
    password: str,
    *,
    credentials: CredentialFactory = keyring_credentials,
    timeout: float = 15.0,
) -> Profile:
    """Sign in (refresh token into the keyring), record the profile, create its cache."""
    profile = Profile(name=name, server=server.rstrip("/"), username=username)
    with PlatformClient(profile.server, credentials(profile), timeout=timeout) as client:
        merchant = client.sign_in(username, password)
    profile = replace(
        profile,
        merchant_id=merchant.id,
        merchant_name=merchant.name,
        settlement_currency=merchant.settlement_currency,
    )
    registry.save(profile)
    with Store.open(profile.cache_path(registry.data_dir)) as store:
        store.set_state(
            {
                "server": profile.server,
                "merchant_id": merchant.id,
                "merchant_name": merchant.name,
                "settlement_currency": merchant.settlement_currency,
            }
        )
    return profile


class Session:
    """One profile opened: `store` for this thread, `client`, and `engine` once started."""

    def __init__(
        self,
        profile: Profile,
        data_dir: Path,
        *,
        credentials: CredentialFactory = keyring_credentials,
        timeout: float = 15.0,
    ) -> None:
        self.profile = profile
        self.data_dir = data_dir
        self.store = Store.open(profile.cache_path(data_dir))
        self.client = PlatformClient(profile.server, credentials(profile), timeout=timeout)
        self._engine_store: Store | None = None
        self.engine: SyncEngine | None = None

    @classmethod
    def open(
        cls,
        data_dir: Path,
        profile_name: str | None = None,
        *,
        credentials: CredentialFactory = keyring_credentials,
        timeout: float = 15.0,
    ) -> Self:
        profile = ProfileRegistry(data_dir).get(profile_name)
        return cls(profile, data_dir, credentials=credentials, timeout=timeout)

    def make_engine(self, *, own_store: bool = True, **options: Any) -> SyncEngine:
        """The sync engine of this profile; with `own_store` it writes through a second
        connection, so this thread's `store` stays free for the GUI."""
        if self.engine is not None:
            return self.engine
        store = self.store
        if own_store:
            self._engine_store = store = Store.open(self.store.path)
        self.engine = SyncEngine(store, self.client, **options)
        return self.engine

    def act(self, order_id: str, operation: Operation, now: datetime | None = None) -> OutboxEntry:
        """Queue an operation (domain-checked, with its effect) and wake the engine."""
        entry = self.store.enqueue(order_id, operation, now or utc_now())
        if self.engine is not None:
            self.engine.push_now()
        return entry

    def close(self) -> None:
        if self.engine is not None:
            self.engine.stop()
        if self._engine_store is not None:
            self._engine_store.close()
        self.client.close()
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
