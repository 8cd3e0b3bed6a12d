"""OAuth 2 password and refresh grants, and bearer access tokens.

Tokens are random strings; the database keeps only their SHA-256. Access tokens live
``token_ttl`` seconds of *wall* time, whatever the platform clock does. A refresh grant rotates:
the refresh token used is revoked and a new pair is issued.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop_app.sandbox.models import MerchantRow, TokenRow
from desktop_app.sandbox.problems import ProblemError

if TYPE_CHECKING:
    from desktop_app.sandbox.world import World

REFRESH_TTL_S = 30 * 86400
INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
NO_TOKEN = {"WWW-Authenticate": 'Bearer realm="platform"'}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str, salt: str) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 1000)
    return f"{salt}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    salt, _, _hex = stored.partition("$")
    return secrets.compare_digest(hash_password(password, salt), stored)


def merchant_info(merchant: MerchantRow) -> dict[str, str]:
    return {
        "id": merchant.public_id,
        "name": merchant.name,
        "settlement_currency": merchant.settlement_currency,
    }


def _issue(session: Session, world: World, merchant: MerchantRow) -> dict[str, Any]:
    access = secrets.token_urlsafe(32)
    refresh = secrets.token_urlsafe(32)
    now = time.time()
    session.add(TokenRow(token_hash=_digest(access), kind="access", merchant_id=merchant.id,
                         expires_at=now + world.token_ttl, revoked=False))
    session.add(TokenRow(token_hash=_digest(refresh), kind="refresh", merchant_id=merchant.id,
                         expires_at=now + REFRESH_TTL_S, revoked=False))
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": world.token_ttl,
        "merchant": merchant_info(merchant),
    }


def _oauth_error(code: str, detail: str) -> ProblemError:
    # RFC 6749 clients read ``error``; everyone else reads ``code``.
    return ProblemError(code, detail, error=code, error_description=detail)


def grant(session: Session, world: World, form: Mapping[str, str]) -> dict[str, Any]:
    """``POST /v1/auth/token``: the password or the refresh grant."""
    grant_type = form.get("grant_type")
    if grant_type == "password":
        username, password = form.get("username"), form.get("password")
        if not username or password is None:
            raise _oauth_error("invalid_request", "username and password are required")
        merchant = session.scalar(select(MerchantRow).where(MerchantRow.username == username))
        if merchant is None or not check_password(password, merchant.password_hash):
            raise _oauth_error("invalid_grant", "wrong username or password")
        return _issue(session, world, merchant)
    if grant_type == "refresh_token":
        presented = form.get("refresh_token")
        if not presented:
            raise _oauth_error("invalid_request", "refresh_token is required")
        row = session.get(TokenRow, _digest(presented))
        if row is None or row.kind != "refresh" or row.revoked or row.expires_at <= time.time():
            raise _oauth_error("invalid_grant", "the refresh token is unknown, used or expired")
        row.revoked = True
        merchant = session.get(MerchantRow, row.merchant_id)
        assert merchant is not None
        return _issue(session, world, merchant)
    if grant_type is None:
        raise _oauth_error("invalid_request", "grant_type is required")
    raise _oauth_error("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")


def authenticate(session: Session, authorization: str | None) -> MerchantRow:
    """The merchant behind a bearer token, or 401."""
    if not authorization:
        raise ProblemError("authentication-required", "Send Authorization: Bearer <token>",
                           headers=NO_TOKEN)
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ProblemError("authentication-required", "Only bearer tokens are accepted",
                           headers=NO_TOKEN)
    row = session.get(TokenRow, _digest(token))
    if row is None or row.kind != "access" or row.revoked or row.expires_at <= time.time():
        raise ProblemError("invalid-token", headers=INVALID_TOKEN)
    merchant = session.get(MerchantRow, row.merchant_id)
    assert merchant is not None
    return merchant


def expire_access_tokens(session: Session) -> int:
    """Sandbox control: make every access token expire now (refresh tokens stay valid)."""
    result = session.execute(
        update(TokenRow)
        .where(TokenRow.kind == "access", TokenRow.expires_at > time.time())
        .values(expires_at=time.time())
    )
    return int(getattr(result, "rowcount", 0) or 0)
