"""Fixtures of the platform client's tests: a real sandbox on loopback and an in-memory keyring.

One sandbox serves the whole session; tests that change orders make fresh ones of their own
through the control endpoints, so they do not depend on each other. Tests that move the
platform clock or need short-lived tokens start a sandbox of their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import keyring
import keyring.backend
import keyring.errors
import pytest
from jaraco.classes import properties

from desktop_app.domain import Order, parse_order
from desktop_app.platform import KeyringCredentials, PlatformClient
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


class Control:
    """The sandbox's control endpoints (the buyer and the platform), over plain httpx."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=10)

    def __enter__(self) -> Control:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.http.close()

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.post(path, json=body if body is not None else {})
        assert response.status_code < 300, (path, response.status_code, response.text)
        return response.json()

    def new_orders(self, status: str, count: int = 1, merchant: str = "demo") -> list[Order]:
        answer = self.post(
            f"/_sandbox/merchants/{merchant}/orders", {"count": count, "status": status}
        )
        items = answer["orders"] if isinstance(answer, dict) else answer
        return [parse_order(item) for item in items]

    def new_order(self, status: str, merchant: str = "demo") -> Order:
        return self.new_orders(status, 1, merchant)[0]

    def request_refund(self, order_id: str, amount: str | None = None) -> Order:
        body: dict[str, Any] = {"reason": "Not what I ordered"}
        if amount is not None:
            body["amount"] = amount
        return parse_order(self.post(f"/_sandbox/orders/{order_id}/buyer/request-refund", body))

    def buyer_message(self, order_id: str, text: str) -> Any:
        return self.post(f"/_sandbox/orders/{order_id}/buyer/message", {"text": text})

    def faults(
        self,
        *,
        latency_ms: int = 0,
        error_rate: float = 0,
        drop_rate: float = 0,
        rate_limit_per_s: float = 0,
    ) -> None:
        self.post(
            "/_sandbox/faults",
            {
                "latency_ms": latency_ms,
                "error_rate": error_rate,
                "drop_rate": drop_rate,
                "rate_limit_per_s": rate_limit_per_s,
            },
        )

    def advance(self, seconds: float) -> None:
        self.post("/_sandbox/clock/advance", {"seconds": seconds})

    def ledger(self) -> list[dict[str, Any]]:
        response = self.http.get("/_sandbox/ledger")
        assert response.status_code == 200
        entries: list[dict[str, Any]] = response.json()["entries"]
        return entries
