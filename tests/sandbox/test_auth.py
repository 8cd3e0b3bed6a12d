"""Authentication: the password and refresh grants, rotation, expiry by wall time, 401s."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from desktop_app.sandbox.control import SandboxControl
from desktop_app.sandbox.server import RunningSandbox

from .conftest import DEMO, problem


def grant(url: str, **form: str) -> httpx.Response:
    return httpx.post(f"{url}/v1/auth/token", data=form)


def password_grant(url: str, username: str = DEMO[0], password: str = DEMO[1]) -> httpx.Response:
    return grant(url, grant_type="password", username=username, password=password)


def test_the_password_grant_answers_tokens_and_the_merchant(sandbox: RunningSandbox) -> None:
    answer = password_grant(sandbox.url)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"] and body["refresh_token"]
    assert body["merchant"] == {
        "id": "mer_demo", "name": "Demo Studio", "settlement_currency": "USD"
    }
    rival = password_grant(sandbox.url, "rival", "rival-password").json()
    assert rival["merchant"]["settlement_currency"] == "EUR"


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"grant_type": "password", "username": "demo", "password": "wrong"}, "invalid_grant"),
        ({"grant_type": "password", "username": "nobody", "password": "x"}, "invalid_grant"),
        ({"grant_type": "password", "username": "demo"}, "invalid_request"),
        ({"grant_type": "refresh_token", "refresh_token": "forged"}, "invalid_grant"),
        ({"grant_type": "refresh_token"}, "invalid_request"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({}, "invalid_request"),
    ],
)
def test_a_bad_grant_is_a_400_problem_with_the_oauth_error(
    sandbox: RunningSandbox, form: dict[str, str], code: str
) -> None:
    body = problem(grant(sandbox.url, **form), 400, code)
    assert body["error"] == code  # what an RFC 6749 client reads


def test_the_refresh_grant_rotates_and_revokes_the_old_refresh_token(
    sandbox: RunningSandbox,
) -> None:
    first = password_grant(sandbox.url).json()
    second = grant(sandbox.url, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200
    fresh = second.json()
    assert fresh["refresh_token"] != first["refresh_token"]
    assert fresh["access_token"] != first["access_token"]
    assert fresh["merchant"]["id"] == "mer_demo"
    again = grant(sandbox.url, grant_type="refresh_token", refresh_token=first["refresh_token"])
    problem(again, 400, "invalid_grant")
    third = grant(sandbox.url, grant_type="refresh_token", refresh_token=fresh["refresh_token"])
    assert third.status_code == 200


def test_a_refresh_token_is_no_access_token(sandbox: RunningSandbox) -> None:
    tokens = password_grant(sandbox.url).json()
    answer = httpx.get(f"{sandbox.url}/v1/orders",
                       headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    problem(answer, 401, "invalid-token")


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "authentication-required"),
        ("Basic ZGVtbzpkZW1vLXBhc3N3b3Jk", "authentication-required"),
        ("Bearer", "authentication-required"),
        ("Bearer unknown-token", "invalid-token"),
    ],
)
@pytest.mark.parametrize(
    "path", ["/v1/orders", "/v1/orders/ord_x", "/v1/orders/ord_x/messages"]
)
def test_no_or_a_bad_token_is_401(
    sandbox: RunningSandbox, authorization: str | None, code: str, path: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    answer = httpx.get(f"{sandbox.url}{path}", headers=headers)
    problem(answer, 401, code)
    challenge = answer.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    if code == "invalid-token":
        assert challenge == 'Bearer error="invalid_token"'


def test_access_tokens_expire_by_wall_time_not_platform_time(
    own_sandbox: Callable[..., RunningSandbox],
) -> None:
    running = own_sandbox(token_ttl=1)
    tokens = password_grant(running.url).json()
    assert tokens["expires_in"] == 1
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    with SandboxControl(running.url) as control:
        control.advance(86400 * 30)  # the platform clock does not age tokens
    assert httpx.get(f"{running.url}/v1/orders", headers=headers).status_code == 200
    time.sleep(1.3)
    expired = httpx.get(f"{running.url}/v1/orders", headers=headers)
    problem(expired, 401, "invalid-token")
    assert expired.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    # The refresh token outlives the access token.
    renewed = grant(running.url, grant_type="refresh_token",
                    refresh_token=tokens["refresh_token"]).json()
    headers = {"Authorization": f"Bearer {renewed['access_token']}"}
    assert httpx.get(f"{running.url}/v1/orders", headers=headers).status_code == 200


def test_the_control_can_expire_every_access_token(
    own_sandbox: Callable[..., RunningSandbox],
) -> None:
    running = own_sandbox()
    tokens = password_grant(running.url).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    with SandboxControl(running.url) as control:
        assert control.expire_access_tokens() == 1
    problem(httpx.get(f"{running.url}/v1/orders", headers=headers), 401, "invalid-token")


def test_a_reset_forgets_every_token(own_sandbox: Callable[..., RunningSandbox]) -> None:
    running = own_sandbox()
    tokens = password_grant(running.url).json()
    with SandboxControl(running.url) as control:
        control.reset(seed=1, orders=2)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    problem(httpx.get(f"{running.url}/v1/orders", headers=headers), 401, "invalid-token")
    refreshed = grant(running.url, grant_type="refresh_token",
                      refresh_token=tokens["refresh_token"])
    problem(refreshed, 400, "invalid_grant")
