"""Signing in, silent sign-in from the keyring, refresh on expiry, rotation, sign-in lost."""

from __future__ import annotations

import threading
import time

import httpx
import keyring
import pytest

from desktop_app.platform import (
    KEYRING_SERVICE,
    AuthenticationError,
    CredentialStoreError,
    KeyringCredentials,
    MemoryCredentials,
    PlatformClient,
    profile_key,
)
from desktop_app.sandbox.server import RunningSandbox

from .conftest import DEMO, TTL, BrokenKeyring, InMemoryKeyring


def refresh_directly(url: str, token: str) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=10) as http:
        return http.post(
            "/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": token}
        )


def test_sign_in_returns_the_merchant_and_stores_the_refresh_token(
    sandbox: RunningSandbox, memory_keyring: InMemoryKeyring
) -> None:
    key = profile_key("demo", sandbox.url)
    with PlatformClient(sandbox.url, KeyringCredentials(key)) as client:
        assert client.merchant is None
        merchant = client.sign_in(*DEMO)
        assert client.merchant == merchant
        assert merchant.id and merchant.name
        assert len(merchant.settlement_currency) == 3
        stored = keyring.get_password(KEYRING_SERVICE, key)
        assert stored
        # The stored token is a working refresh token.
        assert refresh_directly(sandbox.url, stored).status_code == 200


def test_a_wrong_password_is_an_authentication_error(
    sandbox: RunningSandbox, credentials: KeyringCredentials
) -> None:
    with PlatformClient(sandbox.url, credentials) as client:
        with pytest.raises(AuthenticationError) as caught:
            client.sign_in("demo", "not-the-password")
        assert caught.value.status in (400, 401)
        assert client.merchant is None
        assert credentials.load_refresh_token() is None
        with pytest.raises(AuthenticationError):
            client.sign_in("nobody", "demo-password")


def test_a_new_process_signs_in_silently_from_the_stored_token(
    sandbox: RunningSandbox, credentials: KeyringCredentials
) -> None:
    with PlatformClient(sandbox.url, credentials) as first:
        first.sign_in(*DEMO)
        signed_in_as = first.merchant
    stored = credentials.load_refresh_token()

    with PlatformClient(sandbox.url, credentials) as second:
        page = second.changes(None, limit=5)
        assert page.orders
        assert second.merchant == signed_in_as
    rotated = credentials.load_refresh_token()
    assert rotated and rotated != stored
    # Rotation: the token the second process started from is revoked.
    old = refresh_directly(sandbox.url, stored or "")
    assert old.status_code == 400
    assert old.json().get("code", old.json().get("error")) == "invalid_grant"


def test_without_a_stored_sign_in_every_call_asks_to_sign_in(
    sandbox: RunningSandbox, credentials: KeyringCredentials
) -> None:
    with PlatformClient(sandbox.url, credentials) as client, pytest.raises(AuthenticationError):
        client.changes(None)


def test_an_expired_access_token_is_refreshed_once_and_the_request_retried(
    short_lived: RunningSandbox, credentials: KeyringCredentials
) -> None:
    with PlatformClient(short_lived.url, credentials) as client:
        client.sign_in(*DEMO)
        first_refresh = credentials.load_refresh_token()
        before = client.changes(None)
        time.sleep(TTL + 0.5)
        after = client.changes(None)  # 401 -> refresh -> retry, invisible to the caller
        assert [o.id for o in after.orders] == [o.id for o in before.orders]
        second_refresh = credentials.load_refresh_token()
        assert second_refresh and second_refresh != first_refresh
        assert refresh_directly(short_lived.url, first_refresh or "").status_code == 400


def test_the_rotated_token_is_stored_before_the_new_access_token_is_used(
    short_lived: RunningSandbox,
) -> None:
    events: list[str] = []

    class Recording(MemoryCredentials):
        def save_refresh_token(self, token: str) -> None:
            events.append("saved")
            super().save_refresh_token(token)

    class Spy(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path != "/v1/auth/token":
                events.append("used")
            return super().handle_request(request)

    with PlatformClient(short_lived.url, Recording(), transport=Spy()) as client:
        client.sign_in(*DEMO)
        client.changes(None)
        time.sleep(TTL + 0.5)
        events.clear()
        client.changes(None)
    # 401 with the old token, the rotated refresh token saved, then the retry.
    assert events == ["used", "saved", "used"]


def test_a_revoked_refresh_token_clears_the_stored_sign_in(
    short_lived: RunningSandbox, credentials: KeyringCredentials
) -> None:
    with PlatformClient(short_lived.url, credentials) as client:
        client.sign_in(*DEMO)
        # Someone else uses (and so revokes) the stored refresh token.
        assert refresh_directly(short_lived.url, credentials.load_refresh_token() or "").is_success
        time.sleep(TTL + 0.5)
        with pytest.raises(AuthenticationError) as caught:
            client.changes(None)
        assert caught.value.code == "invalid_grant"
        assert credentials.load_refresh_token() is None


def test_a_token_rotated_by_another_process_meanwhile_is_picked_up(
    sandbox: RunningSandbox,
) -> None:
    """Two processes of one profile share the keyring: the one that loses the race to rotate
    reads the other's new token instead of wiping the sign-in."""
    shared = MemoryCredentials()
    with PlatformClient(sandbox.url, shared) as app:
        app.sign_in(*DEMO)
    stale = shared.load_refresh_token()

    class RacedStore(MemoryCredentials):
        """Its first read happened before the other process stored its rotation."""

        reads = 0

        def load_refresh_token(self) -> str | None:
            self.reads += 1
            return stale if self.reads == 1 else shared.load_refresh_token()

        def save_refresh_token(self, token: str) -> None:
            shared.save_refresh_token(token)

        def clear(self) -> None:
            shared.clear()

    with PlatformClient(sandbox.url, shared) as other:
        other.changes(None, limit=1)  # rotates the shared token
    rotated = shared.load_refresh_token()
    assert rotated != stale

    with PlatformClient(sandbox.url, RacedStore()) as late:
        late.changes(None, limit=1)  # tries the stale token first, then the other's
        assert late.merchant is not None
    assert shared.load_refresh_token() not in (None, stale, rotated)


def test_a_locked_keyring_is_a_credential_store_error_without_the_secret(
    sandbox: RunningSandbox,
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        store = KeyringCredentials("demo@127.0.0.1:1")
        with pytest.raises(CredentialStoreError) as caught:
            store.save_refresh_token("s3cret-token-value")
        assert "s3cret-token-value" not in str(caught.value)
        assert caught.value.__suppress_context__
        with pytest.raises(CredentialStoreError):
            store.load_refresh_token()
        with PlatformClient(sandbox.url, store) as client, pytest.raises(CredentialStoreError):
            client.sign_in(*DEMO)
    finally:
        keyring.set_keyring(previous)


def test_keyring_credentials_round_trip(memory_keyring: InMemoryKeyring) -> None:
    store = KeyringCredentials("demo@127.0.0.1:8750")
    assert store.load_refresh_token() is None
    store.save_refresh_token("abc")
    assert memory_keyring.entries == {(KEYRING_SERVICE, "demo@127.0.0.1:8750"): "abc"}
    store.clear()
    store.clear()  # clearing twice is fine
    assert store.load_refresh_token() is None
    assert "abc" not in repr(store)


def test_profile_keys() -> None:
    assert profile_key("demo", "http://127.0.0.1:8750") == "demo@127.0.0.1:8750"
    assert profile_key("demo", "https://Platform.Example.com/") == "demo@platform.example.com:443"
    assert profile_key("demo", "http://[::1]:9000/api") == "demo@[::1]:9000"


def test_threads_that_find_the_token_expired_together_refresh_it_once(
    short_lived: RunningSandbox,
) -> None:
    saved: list[str] = []

    class Counting(MemoryCredentials):
        def save_refresh_token(self, token: str) -> None:
            saved.append(token)
            super().save_refresh_token(token)

    with PlatformClient(short_lived.url, Counting()) as client:
        client.sign_in(*DEMO)
        time.sleep(TTL + 0.5)
        start = threading.Barrier(4)
        failures: list[BaseException] = []

        def read() -> None:
            start.wait()
            try:
                client.changes(None, limit=1)
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=read) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert failures == []
    assert len(saved) == 2  # the sign-in, then one rotation for all four threads
