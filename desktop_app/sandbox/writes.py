"""The merchant's seven writes, with the contract's order of refusals.

401 -> 404 -> 400 key missing -> stored answer (replay, 409 in use, 422 reused) -> 428 ->
422 body -> 412 version -> 409 state. :func:`begin` takes a request up to its claim on the
key, :func:`complete` decides it, :func:`release` lets the key go; the route spends any
injected latency between the first two, while the key is held.

The answer of a write that took effect is stored under its key in the same transaction as the
effect and its ledger entry; a refused write leaves nothing behind, so the client may fix the
request (add If-Match, rebase on the current version) and send it again under the same key.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from desktop_app.sandbox import auth, idempotency, orders_repo, rules
from desktop_app.sandbox.clock import epoch
from desktop_app.sandbox.models import LedgerRow, MerchantRow, OrderRow
from desktop_app.sandbox.problems import ProblemError, field_error, validation_failed
from desktop_app.sandbox.schemas import (
    ApproveRequestBody,
    Author,
    ConfirmDeliveryBody,
    DisputeRefundBody,
    OrderState,
    RefuseDeliveryBody,
    RejectExtensionBody,
    SendMessageBody,
)

if TYPE_CHECKING:
    from desktop_app.sandbox.world import World

Act = Callable[[OrderState, datetime, Any], None]


@dataclass(frozen=True)
class Write:
    """One kind of merchant write: its body, and what it does to the order (``None``: a
    message, which needs no ``If-Match`` and answers 201 with the message)."""

    path: str
    body: type[BaseModel]
    act: Act | None
    summary: str
    operation_id: str


ORDER_ACTIONS: tuple[Write, ...] = (
    Write("confirm-delivery", ConfirmDeliveryBody,
          lambda o, now, b: rules.confirm_delivery(o, now, b.note),
          "Confirm delivery (pending_delivery -> awaiting_confirmation)", "confirmDelivery"),
    Write("refuse-delivery", RefuseDeliveryBody,
          lambda o, now, b: rules.refuse_delivery(o, now, b.reason_code, b.explanation),
          "Refuse delivery (pending_delivery -> delivery_refused)", "refuseDelivery"),
    Write("extension/approve", ApproveRequestBody,
          lambda o, now, b: rules.approve_extension(o, now, b.request_id),
          "Approve the pending extension request (confirm_by moves)", "approveExtension"),
    Write("extension/reject", RejectExtensionBody,
          lambda o, now, b: rules.reject_extension(o, now, b.request_id, b.reason),
          "Reject the pending extension request", "rejectExtension"),
    Write("refund/approve", ApproveRequestBody,
          lambda o, now, b: rules.approve_refund(o, now, b.request_id),
          "Approve the refund request (-> refunded or partially_refunded)", "approveRefund"),
    Write("refund/dispute", DisputeRefundBody,
          lambda o, now, b: rules.dispute_refund(o, now, b.request_id, b.reason, b.evidence),
          "Dispute the refund request (-> in_mediation)", "disputeRefund"),
)
SEND_MESSAGE = Write("messages", SendMessageBody, None, "Send the buyer a message", "sendMessage")


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_allows(header: str, version: int) -> bool:
    """HTTP If-Match: ``*`` or any listed entity tag equal to the order's."""
    if header.strip() == "*":
        return True
    tags = (tag.strip().removeprefix("W/") for tag in header.split(","))
    return etag(version) in tags


def json_response(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        content=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        media_type="application/json",
        headers=dict(headers or {}),
    )


def parse_body(model: type[BaseModel], raw: bytes) -> Any:
    """The validated body, or 422 ``validation-failed`` naming every failing field."""
    try:
        data = json.loads(raw) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise validation_failed([field_error("body", "not valid JSON")]) from None
    if not isinstance(data, dict):
        raise validation_failed([field_error("body", "must be a JSON object")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            field_error(".".join(str(p) for p in err["loc"]) or "body", err["msg"])
            for err in exc.errors()
        ]
        raise validation_failed(errors) from None


@dataclass(frozen=True)
class Attempt:
    """A write that holds its idempotency key: it will be decided, then the key released."""

    merchant: MerchantRow
    order_id: str
    write: Write
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    key: str
    fingerprint: str


def begin(
    world: World,
    order_id: str,
    write: Write,
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
) -> Response | Attempt:
    """401, 404, 400 key missing; then the stored answer (or 409 in use, 422 reused), or
    the key claimed for this attempt. ``headers`` have lower-case names."""
    with world.transaction() as session:
        merchant = auth.authenticate(session, headers.get("authorization"))
        if orders_repo.get(session, order_id, merchant.id) is None:
            raise ProblemError("not-found", "No such order")
    key = idempotency.check_key(headers.get("idempotency-key"))
    fp = idempotency.fingerprint(method, path, body)
    replayed = idempotency.claim(world, merchant.id, key, fp)
    if replayed is not None:
        return replayed
    return Attempt(merchant, order_id, write, method, path, headers, body, key, fp)


def complete(world: World, attempt: Attempt) -> Response:
    """Decide the write (428, 422, 412, 409 or done); if it took effect, store its answer under
    the key and book it in the ledger, in the same transaction as the effect."""
    with world.transaction() as session:
        answer = _decide(session, world, attempt.merchant, attempt.order_id, attempt.write,
                         attempt.headers, attempt.body)
        if answer.status_code < 300:
            idempotency.remember(session, attempt.merchant.id, attempt.key, attempt.fingerprint,
                                 answer)
            _book(session, world, attempt.merchant, attempt.order_id, attempt.key,
                  attempt.method, attempt.path, answer)
        return answer


def release(world: World, attempt: Attempt) -> None:
    idempotency.release(world, attempt.merchant.id, attempt.key)


def _decide(
    session: Session,
    world: World,
    merchant: MerchantRow,
    order_id: str,
    write: Write,
    headers: Mapping[str, str],
    body: bytes,
) -> Response:
    now = world.clock.now()
    orders_repo.fire_deadlines(session, world, now)
    row = orders_repo.get(session, order_id, merchant.id)
    if row is None:  # the world was reset meanwhile
        return ProblemError("not-found", "No such order").response()
    try:
        if write.act is None:
            return _send_message(session, world, row, parse_body(write.body, body), now)
        expected = headers.get("if-match")
        if expected is None:
            raise ProblemError("precondition-required",
                               'Send If-Match: "<version>" with every order action')
        parsed = parse_body(write.body, body)
        state = orders_repo.state_of(row)
        if not if_match_allows(expected, state.version):
            raise ProblemError(
                "version-mismatch",
                f"The order is at version {state.version}, not {expected}",
                current=orders_repo.wire(row, now),
            )
        try:
            write.act(state, now, parsed)
        except rules.InvalidValueError as exc:
            raise validation_failed([field_error(exc.field, exc.message)]) from None
        except rules.RuleError as exc:
            raise ProblemError(exc.code, str(exc), current=orders_repo.wire(row, now)) from None
        orders_repo.save(session, world, row, state)
        return json_response(200, orders_repo.wire(row, now), {"ETag": etag(row.version)})
    except ProblemError as problem:
        return problem.response()


def _send_message(
    session: Session, world: World, row: OrderRow, parsed: SendMessageBody, now: datetime
) -> Response:
    state = orders_repo.state_of(row)
    if not rules.can_message(state, now):
        raise ProblemError(
            "invalid-transition",
            "Messaging closes 90 days after cancellation",
            current=orders_repo.wire(row, now),
        )
    message = orders_repo.add_message(session, world, row, Author.MERCHANT, parsed.text, now)
    return json_response(201, orders_repo.message_wire(message))


def _book(
    session: Session,
    world: World,
    merchant: MerchantRow,
    order_id: str,
    key: str,
    method: str,
    path: str,
    answer: Response,
) -> None:
    row = orders_repo.get(session, order_id)
    assert row is not None
    session.add(LedgerRow(
        merchant_id=merchant.id,
        idempotency_key=key,
        method=method,
        path=path,
        order_id=order_id,
        status=answer.status_code,
        order_status=row.status,
        order_version=row.version,
        applied_at=epoch(world.clock.now()),
    ))
