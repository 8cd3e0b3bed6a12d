"""The HTTP client of the platform API (platform-api.md): sign-in, the feed, orders, actions.

What it guarantees to the layers above:

- Every call has a timeout, TLS is verified, and plain ``http://`` is refused unless the
  server is on a loopback address.
- The access token lives in this object only. On a 401 the client refreshes once from the
  stored refresh token, stores the rotated refresh token *before* using the new access token,
  and retries the request once. A new process therefore signs in silently.
- Answers are untrusted: every order is validated into a domain `Order`; an order of the feed
  that fails is set aside as an `InvalidOrder` (logged) and never stops the others.
- Failures come out as the `PlatformError` classes of `errors.py`, whose texts carry no secret.
- It never retries on its own beyond the one refresh: backoff is the sync engine's business.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import httpx

from desktop_app import __version__
from desktop_app.domain import (
    ActionKind,
    InvalidPayloadError,
    Message,
    Operation,
    Order,
    parse_message,
    parse_order,
)

from .credentials import CredentialStore
from .errors import (
    AuthenticationError,
    IdempotencyKeyProblem,
    TransportError,
    UnexpectedResponse,
)
from .problems import error_from_response, safe_text

__all__ = [
    "ActionResult",
    "ChangesPage",
    "InvalidOrder",
    "Merchant",
    "MessagesPage",
    "PlatformClient",
    "is_loopback_host",
]

log = logging.getLogger(__name__)

TOKEN_PATH = "/v1/auth/token"  # noqa: S105 - a path, not a secret
FEED_LIMIT_MAX = 500
MESSAGES_LIMIT_MAX = 500
IDEMPOTENCY_KEY_MAX = 255
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")


@dataclass(frozen=True)
class Merchant:
    id: str
    name: str
    settlement_currency: str


@dataclass(frozen=True)
class InvalidOrder:
    """An order payload of the feed that failed validation, set aside with the reason."""

    order_id: str | None
    number: str | None
    reason: str


@dataclass(frozen=True)
class ChangesPage:
    """One page of the feed. `documents[i]` is the JSON text of `orders[i]` exactly as the
    platform sent it (validated into that order), so the cache can keep it as it is."""

    orders: list[Order]
    invalid: list[InvalidOrder]
    next_cursor: str
    has_more: bool
    documents: list[str]


@dataclass(frozen=True)
class MessagesPage:
    messages: list[Message]
    has_more: bool


@dataclass(frozen=True)
class ActionResult:
    """A write that took effect. `order`/`message` is None only if its answer was unreadable."""

    order: Order | None
    message: Message | None
    replayed: bool


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1``."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _checked_base_url(base_url: str) -> httpx.URL:
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as error:
        raise ValueError(f"Not a valid server address: {base_url!r} ({error}).") from None
    if url.scheme not in ("https", "http") or not url.host:
        raise ValueError(
            f"The server address must start with https:// and name a host, not {base_url!r}."
        )
    if url.userinfo:
        raise ValueError("The server address must not contain a username or password.")
    if url.query or url.fragment:
        raise ValueError("The server address must not contain a query or a fragment.")
    if url.scheme == "http" and not is_loopback_host(url.host):
        raise ValueError(
            f"Refusing plain http:// to {url.host}: the connection would not be encrypted. "
            "Use https://; plain http:// is only allowed to this computer "
            "(localhost, 127.0.0.1 or ::1)."
        )
    return url


class PlatformClient:
    """One merchant's session with one platform server. See the module docstring."""

    def __init__(
        self,
        base_url: str,
        credentials: CredentialStore,
        *,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        url = _checked_base_url(base_url)
        if not timeout > 0:
            raise ValueError("The timeout must be a positive number of seconds.")
        self.base_url = str(url)
        self.merchant: Merchant | None = None
        self._credentials = credentials
        self._access_token: str | None = None
        self._refresh_lock = threading.RLock()
        self._http = httpx.Client(
            base_url=url,
            timeout=httpx.Timeout(timeout),  # connect, read, write and pool alike
            verify=True,
            follow_redirects=False,
            # Proxy settings from the environment are for the outside world, never for a
            # server on this computer.
            trust_env=not is_loopback_host(url.host),
            transport=transport,
            headers={
                "User-Agent": f"OrderDesk/{__version__}",
                "Accept": "application/json, application/problem+json",
            },
        )

    def __repr__(self) -> str:
        return f"PlatformClient({self.base_url!r})"

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- authentication ---------------------------------------------------------------------

    def sign_in(self, username: str, password: str) -> Merchant:
        """Sign in with the password grant; the refresh token goes to the credential store."""
        if not username or not password:
            raise AuthenticationError("Enter both the username and the password.")
        with self._refresh_lock:
            try:
                _, merchant = self._grant(
                    {"grant_type": "password", "username": username, "password": password},
                    secrets=(password,),
                )
            except AuthenticationError as error:
                raise AuthenticationError(
                    "The platform did not accept this username and password.",
                    status=error.status,
                    code=error.code,
                ) from None
            return merchant

    def _grant(self, form: dict[str, str], *, secrets: tuple[str, ...]) -> tuple[str, Merchant]:
        """POST the token endpoint; store the refresh token, then adopt the access token."""
        response = self._send("POST", TOKEN_PATH, secrets=secrets, data=form)
        if not response.is_success:
            raise error_from_response(response, secrets=secrets)
        body = self._json_object(response, "the token answer")
        access, refresh = body.get("access_token"), body.get("refresh_token")
        token_type = body.get("token_type", "Bearer")
        if not (isinstance(access, str) and _VISIBLE_ASCII.fullmatch(access)):
            raise UnexpectedResponse("The token answer has no usable access token.")
        if not (isinstance(refresh, str) and refresh):
            raise UnexpectedResponse("The token answer has no refresh token.")
        if not (isinstance(token_type, str) and token_type.lower() == "bearer"):
            raise UnexpectedResponse("The token answer is not for a Bearer token.")
        merchant = _merchant(body.get("merchant"))
        # The old refresh token is revoked now: keep the new one before anything else, so a
        # crash from here on still leaves a working sign-in behind.
        self._credentials.save_refresh_token(refresh)
        self._access_token = access
        self.merchant = merchant
        return access, merchant

    def _refresh(self, stale: str | None) -> str:
        """A fresh access token, unless another thread already replaced `stale`."""
        with self._refresh_lock:
            current = self._access_token
            if current is not None and current != stale:
                return current
            self._access_token = None
            token = self._credentials.load_refresh_token()
            if not token:
                raise AuthenticationError("Not signed in to the platform: sign in again.")
            log.debug("Refreshing the access token")
            for attempt in range(2):
                try:
                    access, _ = self._grant(
                        {"grant_type": "refresh_token", "refresh_token": token}, secrets=(token,)
                    )
                    return access
                except AuthenticationError as error:
                    if error.code != "invalid_grant":
                        raise
                    latest = self._credentials.load_refresh_token()
                    if attempt == 0 and latest and latest != token:
                        # Another process of this profile rotated it meanwhile: use theirs.
                        token = latest
                        continue
                    if latest == token:
                        self._credentials.clear()
                    raise AuthenticationError(
                        "The platform ended this sign-in (it expired or was revoked): "
                        "sign in again.",
                        status=error.status,
                        code=error.code,
                    ) from None
            raise AssertionError("unreachable")  # pragma: no cover

    # -- reading ----------------------------------------------------------------------------

    def changes(self, cursor: str | None, limit: int = FEED_LIMIT_MAX) -> ChangesPage:
        """One page of the changes feed from `cursor` (None: from the beginning)."""
        if not 1 <= limit <= FEED_LIMIT_MAX:
            raise ValueError(f"limit must be 1..{FEED_LIMIT_MAX}, not {limit}")
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = self._call("GET", "/v1/orders", params=params)
        body, spans = _feed_object(response)
        items, next_cursor, has_more = (
            body.get("orders"),
            body.get("next_cursor"),
            body.get("has_more"),
        )
        if not isinstance(items, list):
            raise UnexpectedResponse("The feed answer has no list of orders.")
        if not (isinstance(next_cursor, str) and next_cursor):
            raise UnexpectedResponse("The feed answer has no next cursor.")
        if not isinstance(has_more, bool):
            raise UnexpectedResponse("The feed answer does not say whether more follows.")
        orders: list[Order] = []
        documents: list[str] = []
        invalid: list[InvalidOrder] = []
        for item, text in zip(items, spans, strict=True):
            try:
                orders.append(parse_order(item))
            except Exception as error:  # one bad payload must never stop the rest
                invalid.append(_set_aside(item, error))
            else:
                documents.append(text)
        return ChangesPage(orders, invalid, next_cursor, has_more, documents)

    def get_order(self, order_id: str) -> Order:
        response = self._call("GET", f"/v1/orders/{_segment(order_id)}")
        payload = self._json_object(response, "the order")
        try:
            return parse_order(payload)
        except InvalidPayloadError as error:
            raise UnexpectedResponse(
                f"The platform sent order {safe_text(order_id, limit=200)} in a form that "
                f"failed validation: {safe_text(str(error))}"
            ) from None

    def messages(self, order_id: str, after: str | None = None, limit: int = 100) -> MessagesPage:
        """The conversation of an order, oldest first, after the message `after`."""
        if not 1 <= limit <= MESSAGES_LIMIT_MAX:
            raise ValueError(f"limit must be 1..{MESSAGES_LIMIT_MAX}, not {limit}")
        params: dict[str, str | int] = {"limit": limit}
        if after:
            params["after"] = after
        response = self._call("GET", f"/v1/orders/{_segment(order_id)}/messages", params=params)
        body = self._json_object(response, "the conversation")
        items, has_more = body.get("messages"), body.get("has_more")
        if not isinstance(items, list) or not isinstance(has_more, bool):
            raise UnexpectedResponse("The conversation answer is not in the expected form.")
        messages: list[Message] = []
        for index, item in enumerate(items):
            try:
                messages.append(parse_message(item))
            except InvalidPayloadError as error:
                log.warning(
                    "Skipped message %d of order %s: %s",
                    index,
                    safe_text(order_id, limit=200),
                    safe_text(str(error)),
                )
        return MessagesPage(messages, has_more)

    # -- acting -----------------------------------------------------------------------------

    def perform(
        self,
        order_id: str,
        operation: Operation,
        *,
        idempotency_key: str,
        if_match: int | None,
    ) -> ActionResult:
        """Send one operation. Raises a `PlatformError` unless the platform applied it."""
        if not (
            len(idempotency_key) <= IDEMPOTENCY_KEY_MAX
            and _VISIBLE_ASCII.fullmatch(idempotency_key)
        ):
            raise IdempotencyKeyProblem(
                "The idempotency key must be 1 to 255 visible ASCII characters.",
                code="idempotency-key-invalid",
            )
        headers = {"Idempotency-Key": idempotency_key}
        if if_match is not None:
            headers["If-Match"] = f'"{int(if_match)}"'
        response = self._call(
            "POST", operation.path(_segment(order_id)), json=operation.body(), headers=headers
        )
        replayed = response.headers.get("Idempotent-Replayed", "").strip().lower() == "true"
        what = "message" if operation.kind is ActionKind.SEND_MESSAGE else "order"
        try:
            payload = json.loads(response.content)
            if operation.kind is ActionKind.SEND_MESSAGE:
                return ActionResult(None, parse_message(payload), replayed)
            return ActionResult(parse_order(payload), None, replayed)
        except (ValueError, TypeError, ArithmeticError, RecursionError) as error:
            # The write took effect all the same; the next pull brings the order.
            log.warning(
                "The platform applied %s on order %s but its %s could not be read: %s",
                operation.kind.value,
                safe_text(order_id, limit=200),
                what,
                safe_text(str(error)),
            )
            return ActionResult(None, None, replayed)

    # -- plumbing ---------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """An authorized request: refresh once on 401 and retry; errors raised as classes."""
        token = self._access_token or self._refresh(stale=None)
        response = self._send_with(token, method, path, params, json, headers)
        if response.status_code == 401:
            token = self._refresh(stale=token)
            response = self._send_with(token, method, path, params, json, headers)
            if response.status_code == 401:
                with self._refresh_lock:
                    if self._access_token == token:
                        self._access_token = None
                raise AuthenticationError(
                    "The platform refused a freshly issued access token: sign in again.",
                    status=401,
                    code=error_from_response(response, secrets=(token,)).code,
                )
        if not response.is_success:
            raise error_from_response(response, secrets=(token,))
        return response

    def _send_with(
        self,
        token: str,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        json: Any,
        headers: Mapping[str, str] | None,
    ) -> httpx.Response:
        return self._send(
            method,
            path,
            secrets=(token,),
            params=params,
            json=json,
            headers={**(headers or {}), "Authorization": f"Bearer {token}"},
        )

    def _send(
        self, method: str, path: str, *, secrets: tuple[str, ...], **kwargs: Any
    ) -> httpx.Response:
        started = time.monotonic()
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as error:
            log.debug("%s %s -> timed out (%s)", method, path, type(error).__name__)
            raise TransportError(
                f"The platform did not answer {method} {path} in time; "
                "whether it took effect is unknown."
            ) from None
        except httpx.RequestError as error:  # connect, dropped connection, broken answer
            log.debug("%s %s -> %s", method, path, type(error).__name__)
            reason = safe_text(str(error), secrets, 200) or type(error).__name__
            raise TransportError(
                f"No answer from the platform to {method} {path} ({reason}); "
                "whether it took effect is unknown."
            ) from None
        log.debug(
            "%s %s -> %d (%.0f ms)",
            method,
            path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response

    @staticmethod
    def _json_object(response: httpx.Response, what: str) -> Mapping[str, Any]:
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise UnexpectedResponse(
                f"The platform sent {what} as something other than JSON.",
                status=response.status_code,
            ) from None
        if not isinstance(body, Mapping):
            raise UnexpectedResponse(
                f"The platform sent {what} as something other than a JSON object.",
                status=response.status_code,
            )
        return body


_DECODER = json.JSONDecoder()
_SCAN = _DECODER.raw_decode  # the C scanner json.loads uses: (value, end) from an index
_SPACE = re.compile(r"[ \t\n\r]*")


def _skip(text: str, at: int) -> int:
    """The index of the first character at or after `at` that is not JSON whitespace."""
    space = _SPACE.match(text, at)
    return space.end() if space is not None else at


def _feed_object(response: httpx.Response) -> tuple[Mapping[str, Any], list[str]]:
    """The feed answer decoded as `json.loads` decodes it, with the text of each element of
    its ``orders`` array (the last ``orders`` member, as `json.loads` keeps the last)."""
    try:
        text = response.content.decode(json.detect_encoding(response.content), "surrogatepass")
        body, spans = _object_with_spans(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise UnexpectedResponse(
            "The platform sent the feed as something other than JSON.",
            status=response.status_code,
        ) from None
    if body is None:
        raise UnexpectedResponse(
            "The platform sent the feed as something other than a JSON object.",
            status=response.status_code,
        )
    return body, spans


def _object_with_spans(text: str) -> tuple[dict[str, Any] | None, list[str]]:
    """Walk a top-level JSON object member by member with the C scanner; an ``orders`` array
    element by element, keeping each element's text. (None, []) for valid JSON that is not
    an object; ValueError for text that is not JSON."""
    at = _skip(text, 0)
    if not text.startswith("{", at):
        _DECODER.decode(text)  # raises for what is not JSON at all
        return None, []
    body: dict[str, Any] = {}
    spans: list[str] = []
    at = _skip(text, at + 1)
    if text.startswith("}", at):
        at += 1
    else:
        while True:
            if not text.startswith('"', at):
                raise ValueError("a member name was expected")
            key, at = _SCAN(text, at)
            at = _skip(text, at)
            if not text.startswith(":", at):
                raise ValueError("':' was expected")
            at = _skip(text, at + 1)
            if key == "orders" and text.startswith("[", at):
                value, spans, at = _array_with_spans(text, at)
            else:
                value, at = _SCAN(text, at)
            body[key] = value
            at = _skip(text, at)
            if text.startswith(",", at):
                at = _skip(text, at + 1)
                continue
            if text.startswith("}", at):
                at += 1
                break
            raise ValueError("',' or '}' was expected")
    if _skip(text, at) != len(text):
        raise ValueError("extra data after the object")
    return body, spans


def _array_with_spans(text: str, at: int) -> tuple[list[Any], list[str], int]:
    values: list[Any] = []
    spans: list[str] = []
    at = _skip(text, at + 1)
    if text.startswith("]", at):
        return values, spans, at + 1
    while True:
        value, end = _SCAN(text, at)
        values.append(value)
        spans.append(text[at:end])
        at = _skip(text, end)
        if text.startswith(",", at):
            at = _skip(text, at + 1)
            continue
        if text.startswith("]", at):
            return values, spans, at + 1
        raise ValueError("',' or ']' was expected")


def _segment(order_id: str) -> str:
    """An id as one path segment: ids come from untrusted payloads."""
    if not isinstance(order_id, str) or not order_id:
        raise ValueError("an order id is required")
    return quote(order_id, safe="")


def _merchant(payload: object) -> Merchant:
    if isinstance(payload, Mapping):
        fields = [payload.get(name) for name in ("id", "name", "settlement_currency")]
        if all(isinstance(value, str) and value for value in fields):
            merchant_id, name, currency = (str(value) for value in fields)
            return Merchant(merchant_id, name, currency)
    raise UnexpectedResponse("The token answer does not describe the merchant.")


def _set_aside(payload: object, error: Exception) -> InvalidOrder:
    order_id = number = None
    if isinstance(payload, Mapping):
        raw_id, raw_number = payload.get("id"), payload.get("number")
        order_id = (safe_text(raw_id, limit=200) or None) if isinstance(raw_id, str) else None
        number = (safe_text(raw_number, limit=200) or None) if isinstance(raw_number, str) else None
    if isinstance(error, InvalidPayloadError):
        reason = safe_text(str(error))
    else:
        reason = f"could not be read ({type(error).__name__}: {safe_text(str(error), limit=200)})"
    log.warning(
        "Set aside order %s (%s) from the feed: %s",
        order_id or "without an id",
        number or "no number",
        reason,
    )
    return InvalidOrder(order_id, number, reason)
