"""``/_sandbox``: the control endpoints (only with ``--control``; otherwise they answer 404).

They play the buyer and the platform, move the clock, set faults, reset the world and show the
ledger. No token; JSON in, the updated order (or the stated object) out. Not part of the
platform's OpenAPI document: a real platform has no such endpoints.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from desktop_app.sandbox import auth, moves, orders_repo, rules
from desktop_app.sandbox.clock import rfc3339, utc
from desktop_app.sandbox.faults import FaultSettings
from desktop_app.sandbox.models import LedgerRow, MerchantRow
from desktop_app.sandbox.schemas import (
    AdvanceBody,
    BuyerMessageBody,
    FaultsBody,
    NewOrdersBody,
    OrderState,
    RequestExtensionBody,
    RequestRefundBody,
    ResetBody,
    ResolveMediationBody,
    ReviseRequirementsBody,
)
from desktop_app.sandbox.writes import json_response, parse_body

if TYPE_CHECKING:
    from desktop_app.sandbox.world import World


def router(world: World) -> APIRouter:
    control = APIRouter(prefix="/_sandbox", include_in_schema=False)

    def post(path: str, body: type[BaseModel] | None,
             handle: Callable[[Any, dict[str, str]], Any]) -> None:
        async def endpoint(request: Request) -> Response:
            raw = await request.body()
            parsed = parse_body(body, raw) if body is not None else None
            params = dict(request.path_params)
            return json_response(200, await run_in_threadpool(handle, parsed, params))

        control.add_api_route(path, endpoint, methods=["POST"])

    def get(path: str, handle: Callable[[dict[str, str]], Any]) -> None:
        async def endpoint(request: Request) -> Response:
            params = dict(request.query_params)
            return json_response(200, await run_in_threadpool(handle, params))

        control.add_api_route(path, endpoint, methods=["GET"])

    def order_move(path: str, body: type[BaseModel] | None,
                   act: Callable[[OrderState, datetime, Any], None]) -> None:
        def handle(parsed: Any, params: dict[str, str]) -> dict[str, Any]:
            return moves.apply(world, params["order_id"], lambda o, now: act(o, now, parsed))

        post(f"/orders/{{order_id}}/{path}", body, handle)

    # --- the world ------------------------------------------------------------------------

    def reset(parsed: ResetBody, _params: dict[str, str]) -> dict[str, Any]:
        world.reset(parsed.seed, parsed.orders)
        return {"seed": parsed.seed, "orders": parsed.orders, "merchants": ["demo", "rival"]}

    def advance(parsed: AdvanceBody, _params: dict[str, str]) -> dict[str, Any]:
        with world.transaction() as session:
            world.advance_clock(session, parsed.seconds)
            now = world.clock.now()
            orders_repo.fire_deadlines(session, world, now)
        return {"now": rfc3339(now)}

    def faults(parsed: FaultsBody, _params: dict[str, str]) -> dict[str, Any]:
        world.faults.configure(FaultSettings(**parsed.model_dump()))
        return world.faults.settings.as_dict()

    def expire_tokens(_parsed: None, _params: dict[str, str]) -> dict[str, Any]:
        with world.transaction() as session:
            return {"expired": auth.expire_access_tokens(session)}

    def new_orders(parsed: NewOrdersBody, params: dict[str, str]) -> dict[str, Any]:
        return {"orders": moves.new_orders(world, params["username"], parsed.count,
                                           parsed.status)}

    post("/reset", ResetBody, reset)
    post("/clock/advance", AdvanceBody, advance)
    get("/clock", lambda _params: {"now": rfc3339(world.clock.now())})
    post("/faults", FaultsBody, faults)
    get("/faults", lambda _params: world.faults.settings.as_dict())
    get("/ledger", lambda params: ledger(world, params.get("merchant")))
    post("/tokens/expire", None, expire_tokens)
    post("/merchants/{username}/orders", NewOrdersBody, new_orders)

    # --- the buyer and the platform -------------------------------------------------------

    order_move("buyer/confirm", None, lambda o, now, _b: rules.buyer_confirm(o, now))
    order_move("buyer/request-extension", RequestExtensionBody,
               lambda o, now, b: rules.request_extension(o, now, b.days, b.reason))
    order_move("buyer/request-refund", RequestRefundBody,
               lambda o, now, b: rules.request_refund(o, now, b.amount, b.reason))
    order_move("buyer/revise-requirements", ReviseRequirementsBody,
               lambda o, now, b: rules.revise_requirements(o, now, b.text))
    order_move("buyer/accept-cancellation", None,
               lambda o, now, _b: rules.accept_cancellation(o, now))
    order_move("mediation/resolve", ResolveMediationBody,
               lambda o, now, b: rules.resolve_mediation(o, now, b.outcome, b.amount))
    post("/orders/{order_id}/buyer/message", BuyerMessageBody,
         lambda b, params: moves.buyer_message(world, params["order_id"], b.text))
    return control


def ledger(world: World, merchant: str | None = None) -> dict[str, Any]:
    """Every merchant write through /v1 that took effect, once, in the order applied."""
    with world.transaction() as session:
        query = (
            select(LedgerRow, MerchantRow.username)
            .join(MerchantRow, MerchantRow.id == LedgerRow.merchant_id)
            .order_by(LedgerRow.id)
        )
        if merchant:
            query = query.where(MerchantRow.username == merchant)
        entries = [
            {
                "idempotency_key": entry.idempotency_key,
                "method": entry.method,
                "path": entry.path,
                "order_id": entry.order_id,
                "status": entry.status,
                "applied_at": rfc3339(utc(entry.applied_at)),
                "merchant": username,
                "order_status": entry.order_status,
                "order_version": entry.order_version,
            }
            for entry, username in session.execute(query).all()
        ]
    return {"entries": entries}
