"""What the client refuses to do, and what it never lets out: tokens and passwords."""

from __future__ import annotations

import logging
import time
import uuid

import httpx
import pytest

from desktop_app.domain import ConfirmDelivery, RefuseDelivery
from desktop_app.platform import (
    AuthenticationError,
    KeyringCredentials,
    PlatformClient,
    PlatformError,
    is_loopback_host,
)
from desktop_app.sandbox.server import RunningSandbox

from .conftest import DEMO, TTL, Control, InMemoryKeyring


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "http://platform.example.com:8750/api",
        "http://10.0.0.5:8750",
        "http://192.168.1.1",
        "http://[::2]:80",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
    ],
)
def test_plain_http_to_another_computer_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"https://"):
        PlatformClient(url, KeyringCredentials("x"))


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1", "https://user:pw@example.com", "not a url", "https://"]
)
def test_malformed_server_addresses_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        PlatformClient(url, KeyringCredentials("x"))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8750",
        "http://127.3.2.1",
        "http://localhost:8750",
        "http://LOCALHOST",
        "http://[::1]:8750",
        "https://platform.example.com",
        "https://10.0.0.5/api",
    ],
)
def test_loopback_http_and_any_https_are_accepted(url: str) -> None:
    PlatformClient(url, KeyringCredentials("x")).close()


def test_loopback_hosts() -> None:
    assert is_loopback_host("127.0.0.1") and is_loopback_host("::1")
    assert not is_loopback_host("0.0.0.0") and not is_loopback_host("::")


def test_no_token_or_password_in_any_error_or_log_record(
    sandbox: RunningSandbox,
    short_lived: RunningSandbox,
    control: Control,
    memory_keyring: InMemoryKeyring,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen_tokens: set[str] = set()

    class Watch(httpx.HTTPTransport):
        """Notes every token that goes over the wire, to look for it afterwards."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            auth = request.headers.get("Authorization", "")
            if auth.startswith("Bearer "):
                seen_tokens.add(auth.removeprefix("Bearer "))
            response = super().handle_request(request)
            if request.url.path == "/v1/auth/token":
                response.read()
                if response.is_success:
                    body = response.json()
                    seen_tokens.update((body["access_token"], body["refresh_token"]))
            return response

    errors: list[PlatformError] = []
    caplog.set_level(logging.DEBUG)
    credentials = KeyringCredentials(f"demo-{uuid.uuid4().hex[:6]}@127.0.0.1")
    wrong_password = "Wr0ng-Passw0rd-" + uuid.uuid4().hex
    with PlatformClient(sandbox.url, credentials, transport=Watch()) as client:
        with pytest.raises(AuthenticationError) as bad:
            client.sign_in("demo", wrong_password)
        errors.append(bad.value)
        client.sign_in(*DEMO)
        order = control.new_order("completed")
        for op, version in (
            (ConfirmDelivery(), order.version),  # invalid transition
            (ConfirmDelivery(), order.version - 1),  # version mismatch
            (RefuseDelivery("other", ""), order.version),  # validation failed
        ):
            try:
                client.perform(order.id, op, idempotency_key=str(uuid.uuid4()), if_match=version)
            except PlatformError as error:
                errors.append(error)
        for faults in ({"drop_rate": 1.0}, {"error_rate": 1.0}, {"rate_limit_per_s": 1}):
            control.faults(**faults)
            try:
                for _ in range(3):
                    client.changes(None, limit=1)
            except PlatformError as error:
                errors.append(error)
            control.faults()

    # A sign-in lost for good: the refresh token is revoked behind the client's back and the
    # access token runs out.
    with PlatformClient(short_lived.url, credentials, transport=Watch()) as client:
        client.sign_in(*DEMO)
        stored = credentials.load_refresh_token()
        assert stored
        assert httpx.post(
            f"{short_lived.url}/v1/auth/token",
            data={"grant_type": "refresh_token", "refresh_token": stored},
        ).is_success
        time.sleep(TTL + 0.5)
        with pytest.raises(AuthenticationError) as lost:
            client.changes(None)
        errors.append(lost.value)

    assert len(errors) >= 6
    seen_tokens.update(memory_keyring.saved)
    secrets = {t for t in seen_tokens if t} | {wrong_password, DEMO[1]}
    assert len(secrets) >= 4
    texts = [str(e) for e in errors] + [repr(e) for e in errors] + [e.detail for e in errors]
    texts += [r.getMessage() for r in caplog.records] + [caplog.text]
    for secret in secrets:
        assert not any(secret in text for text in texts), "a secret leaked"
