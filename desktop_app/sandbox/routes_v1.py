"""``/v1``: the platform API itself (authentication, the changes feed, orders, messages, writes).

Handlers are thin: they read the raw request, then run the blocking work (database, locks)
in a worker thread. Input is parsed by hand, in the contract's order of refusals.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import anyio
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from desktop_app.sandbox import auth, cursors, orders_repo, writes
from desktop_app.sandbox.openapi import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    SECURITY,
    WRITE_HEADERS,
    answers,
    json_body,
    path_param,
    query,
)
from desktop_app.sandbox.problems import ProblemError, field_error, validation_failed
from desktop_app.sandbox.schemas import Message, MessagePage, Order, OrderPage, TokenResponse

if TYPE_CHECKING:
    from desktop_app.sandbox.world import World

MAX_LIMIT = 500
DEFAULT_FEED_LIMIT = 100
DEFAULT_MESSAGE_LIMIT = 100
ETAG_HEADER = {"ETag": {"description": '"<version>"', "schema": {"type": "string"},
                        "required": True}}
LIMIT = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}

TOKEN_FORM = {
    "required": True,
    "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object",
        "properties": {
            "grant_type": {"type": "string", "enum": ["password", "refresh_token"]},
            "username": {"type": "string"},
            "password": {"type": "string"},
            "refresh_token": {"type": "string"},
        },
        "required": ["grant_type"],
    }}},
}


def parse_limit(raw: str | None, default: int) -> int:
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise validation_failed([field_error("limit", f"an integer from 1 to {MAX_LIMIT}")])
    return int(raw)


def router(world: World) -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.post(
        "/auth/token",
        operation_id="getToken",
        summary="Get tokens: password grant or refresh grant (rotates the refresh token)",
        responses=answers(200, TokenResponse, 400),
        openapi_extra={"requestBody": TOKEN_FORM},
    )
    async def token(request: Request) -> Response:
        body = await request.body()
        try:
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            form = {}

        def grant() -> Response:
            with world.transaction() as session:
                answer = auth.grant(session, world, form)
            return writes.json_response(200, answer, {"Cache-Control": "no-store"})

        return await run_in_threadpool(grant)

    @api.get(
        "/orders",
        operation_id="listOrderChanges",
        summary="The changes feed: orders in the order of their last change",
        responses=answers(200, OrderPage, 400, 401, 410, 422),
        openapi_extra={
            "security": SECURITY,
            "parameters": [
                query("cursor", {"type": "string"}, "next_cursor of an earlier page"),
                query("limit", LIMIT, f"1 to {MAX_LIMIT} (default {DEFAULT_FEED_LIMIT})"),
            ],
        },
    )
    async def feed(request: Request) -> Response:
        authorization = request.headers.get("authorization")
        params = dict(request.query_params)
        return await run_in_threadpool(_feed, world, authorization, params)

    @api.get(
        "/orders/{order_id}",
        operation_id="getOrder",
        summary="One order, with its version as ETag",
        responses=answers(200, Order, 401, 404, headers=ETAG_HEADER),
        openapi_extra={"security": SECURITY, "parameters": [path_param("order_id")]},
    )
    async def get_order(request: Request) -> Response:
        authorization = request.headers.get("authorization")
        order_id = request.path_params["order_id"]
        return await run_in_threadpool(_get_order, world, authorization, order_id)

    @api.get(
        "/orders/{order_id}/messages",
        operation_id="listMessages",
        summary="The conversation, oldest first",
        responses=answers(200, MessagePage, 401, 404, 422),
        openapi_extra={
            "security": SECURITY,
            "parameters": [
                path_param("order_id"),
                query("after", {"type": "string"}, "a message id: answer the messages after it"),
                query("limit", LIMIT, f"1 to {MAX_LIMIT} (default {DEFAULT_MESSAGE_LIMIT})"),
            ],
        },
    )
    async def get_messages(request: Request) -> Response:
        authorization = request.headers.get("authorization")
        order_id = request.path_params["order_id"]
        params = dict(request.query_params)
        return await run_in_threadpool(_messages, world, authorization, order_id, params)

    for write in (*writes.ORDER_ACTIONS, writes.SEND_MESSAGE):
        _add_write(api, world, write)
    return api


def _add_write(api: APIRouter, world: World, write: writes.Write) -> None:
    is_message = write.act is None
    if is_message:
        responses = answers(201, Message, 400, 401, 404, 409, 422, headers=WRITE_HEADERS,
                            description="The message sent")
        parameters = [path_param("order_id"), IDEMPOTENCY_KEY]
    else:
        responses = answers(200, Order, 400, 401, 404, 409, 412, 422, 428,
                            headers={**WRITE_HEADERS, **ETAG_HEADER},
                            description="The updated order")
        parameters = [path_param("order_id"), IDEMPOTENCY_KEY, IF_MATCH]

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        started = await run_in_threadpool(
            writes.begin, world, request.path_params["order_id"], write,
            method="POST", path=request.url.path, headers=headers, body=body,
        )
        if isinstance(started, Response):
            return started
        try:
            # An injected latency is time the platform spends on the write, holding its key.
            await anyio.sleep(world.faults.latency_s())
            return await run_in_threadpool(writes.complete, world, started)
        finally:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(writes.release, world, started)

    api.add_api_route(
        f"/orders/{{order_id}}/{write.path}",
        endpoint,
        methods=["POST"],
        name=write.operation_id,
        operation_id=write.operation_id,
        summary=write.summary,
        status_code=201 if is_message else 200,
        responses=responses,
        openapi_extra={"security": SECURITY, "parameters": parameters,
                       "requestBody": json_body(write.body)},
    )


def _feed(world: World, authorization: str | None, params: dict[str, str]) -> Response:
    with world.transaction() as session:
        merchant = auth.authenticate(session, authorization)
        limit = parse_limit(params.get("limit"), DEFAULT_FEED_LIMIT)
        now = world.clock.now()
        after = 0
        if raw := params.get("cursor"):
            try:
                after = cursors.decode(raw, world.secret, merchant_id=merchant.id,
                                       world_epoch=world.epoch, now=now).position
            except cursors.ExpiredCursorError as exc:
                raise ProblemError("cursor-expired", str(exc)) from None
            except cursors.InvalidCursorError as exc:
                raise ProblemError("invalid-cursor", str(exc)) from None
        orders_repo.fire_deadlines(session, world, now)
        rows, has_more = orders_repo.feed(session, merchant.id, after, limit)
        position = rows[-1].change_seq if rows else after
        next_cursor = cursors.encode(
            cursors.Cursor(position, merchant.id, world.epoch, now), world.secret
        )
        orders = ",".join(orders_repo.wire_json(row, now) for row in rows)
    tail = json.dumps({"next_cursor": next_cursor, "has_more": has_more}, separators=(",", ":"))
    return Response(f'{{"orders":[{orders}],{tail[1:]}', media_type="application/json")


def _get_order(world: World, authorization: str | None, order_id: str) -> Response:
    with world.transaction() as session:
        merchant = auth.authenticate(session, authorization)
        now = world.clock.now()
        orders_repo.fire_deadlines(session, world, now)
        row = orders_repo.get(session, order_id, merchant.id)
        if row is None:
            raise ProblemError("not-found", "No such order")
        return writes.json_response(200, orders_repo.wire(row, now),
                                    {"ETag": writes.etag(row.version)})


def _messages(
    world: World, authorization: str | None, order_id: str, params: dict[str, str]
) -> Response:
    with world.transaction() as session:
        merchant = auth.authenticate(session, authorization)
        if orders_repo.get(session, order_id, merchant.id) is None:
            raise ProblemError("not-found", "No such order")
        after = 0
        if (raw := params.get("after")) is not None:
            try:
                after = orders_repo.parse_message_id(raw)
            except ValueError:
                raise validation_failed([field_error("after", "not a message id")]) from None
        limit = parse_limit(params.get("limit"), DEFAULT_MESSAGE_LIMIT)
        rows, has_more = orders_repo.messages(session, order_id, after, limit)
        payload = {"messages": [orders_repo.message_wire(m) for m in rows], "has_more": has_more}
    return writes.json_response(200, payload)
