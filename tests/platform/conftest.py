"""Fixtures of the platform client's tests: a real sandbox on loopback and an in-memory keyring.

One sandbox serves the whole session; tests that change orders make fresh ones of their own
through the control endpoints, so they do not depend on each other. Tests that move the
platform clock or need short-lived tokens start a sandbox of their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import keyring
import keyring.backend
import keyring.errors
import pytest
from jaraco.classes import properties

from desktop_app.domain import Order, parse_order
from desktop_app.platform import KeyringCredentials, PlatformClient
from desktop_app.sandbox.control import SandboxControl
from desktop_app.sandbox.server import RunningSandbox, SandboxOptions, start_sandbox

DEMO = ("demo", "demo-password")
RIVAL = ("rival", "rival-password")
SEED_ORDERS = 40
TTL = 1  # seconds an access token of the `short_lived` sandbox lives


class InMemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that forgets everything; `saved` lists every password ever stored."""

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - never picked by keyring's own discovery
        raise RuntimeError("a test backend")

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}
        self.saved: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password
        self.saved.append(password)

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such entry")


class BrokenKeyring(InMemoryKeyring):
    """A locked keyring: every call fails, with a message that echoes what it was given."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked(f"locked while reading {username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"could not store {password}")


@pytest.fixture
def memory_keyring() -> Iterator[InMemoryKeyring]:
    previous = keyring.get_keyring()
    backend = InMemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(
        SandboxOptions(orders=SEED_ORDERS, seed=11, control=True), port=0
    ) as running:
        yield running


@pytest.fixture(scope="session")
def short_lived() -> Iterator[RunningSandbox]:
    """A sandbox whose access tokens live `TTL` seconds of wall time."""
    with start_sandbox(
        SandboxOptions(orders=3, seed=5, token_ttl=TTL, control=True), port=0
    ) as running:
        yield running


@pytest.fixture
def control(sandbox: RunningSandbox) -> Iterator[Control]:
    with Control(sandbox.url) as ctl:
        yield ctl
        ctl.faults()  # whatever a test injected ends with it


@pytest.fixture
def credentials(memory_keyring: InMemoryKeyring) -> KeyringCredentials:
    return KeyringCredentials(f"demo-{uuid.uuid4().hex[:8]}@127.0.0.1")


@pytest.fixture
def client(sandbox: RunningSandbox, credentials: KeyringCredentials) -> Iterator[PlatformClient]:
    with PlatformClient(sandbox.url, credentials, timeout=10) as signed_in:
        signed_in.sign_in(*DEMO)
        yield signed_in


class Control(SandboxControl):
    """The sandbox's own control client, answering in domain orders where the tests want them."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=10)  # also for raw requests of a test
        super().__init__(url, client=self.http)
        self.url = url

    def close(self) -> None:
        self.http.close()

    def new_orders(  # type: ignore[override]
        self, status: str, count: int = 1, merchant: str = "demo"
    ) -> list[Order]:
        return [parse_order(item) for item in super().new_orders(merchant, count, status)]

    def new_order(self, status: str, merchant: str = "demo") -> Order:
        return self.new_orders(status, 1, merchant)[0]

    def request_refund(self, order_id: str, amount: str | None = None) -> Order:
        return parse_order(self.buyer_request_refund(order_id, amount, "Not what I ordered"))

    def faults(
        self,
        *,
        latency_ms: int = 0,
        error_rate: float = 0,
        drop_rate: float = 0,
        rate_limit_per_s: float = 0,
    ) -> None:
        self.set_faults(latency_ms, error_rate, drop_rate, rate_limit_per_s)
