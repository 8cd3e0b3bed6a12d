"""Moves made by the buyer and the platform, shared by the control endpoints and the
simulated buyers. Each runs in one transaction after the due deadlines have fired, and answers
the order as the API shows it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop_app.sandbox import orders_repo, rules
from desktop_app.sandbox.models import MerchantRow, OrderRow
from desktop_app.sandbox.problems import ProblemError, field_error, validation_failed
from desktop_app.sandbox.schemas import Author, OrderState, OrderStatus

if TYPE_CHECKING:
    from desktop_app.sandbox.world import World

Move = Callable[[OrderState, datetime], None]


def _order(session: Session, world: World, order_id: str) -> tuple[OrderRow, datetime]:
    now = world.clock.now()
    orders_repo.fire_deadlines(session, world, now)
    row = orders_repo.get(session, order_id)
    if row is None:
        raise ProblemError("not-found", "No such order")
    return row, now


def apply(world: World, order_id: str, move: Move) -> dict[str, Any]:
    """Apply a buyer's or the platform's move; 404, 409 with ``current`` or 422 if refused."""
    with world.transaction() as session:
        row, now = _order(session, world, order_id)
        state = orders_repo.state_of(row)
        try:
            move(state, now)
        except rules.InvalidValueError as exc:
            raise validation_failed([field_error(exc.field, exc.message)]) from None
        except rules.RuleError as exc:
            raise ProblemError(exc.code, str(exc), current=orders_repo.wire(row, now)) from None
        orders_repo.save(session, world, row, state)
        return orders_repo.wire(row, now)


def buyer_message(world: World, order_id: str, text: str) -> dict[str, Any]:
    with world.transaction() as session:
        row, now = _order(session, world, order_id)
        if not rules.can_message(orders_repo.state_of(row), now):
            raise ProblemError("invalid-transition", "Messaging closes 90 days after cancellation",
                               current=orders_repo.wire(row, now))
        orders_repo.add_message(session, world, row, Author.BUYER, text, now)
        return orders_repo.wire(row, now)


def new_orders(world: World, username: str, count: int,
               status: OrderStatus) -> list[dict[str, Any]]:
    """Orders bought just now (or, for a later status, whose story ended just now)."""
    with world.transaction() as session:
        merchant = session.scalar(select(MerchantRow).where(MerchantRow.username == username))
        if merchant is None:
            raise ProblemError("not-found", f"No merchant {username!r}")
        now = world.clock.now()
        orders_repo.fire_deadlines(session, world, now)
        start = session.scalar(
            select(func.count()).select_from(OrderRow).where(OrderRow.merchant_id == merchant.id)
        ) or 0
        factory = world.factory(merchant)
        just_bought = status is OrderStatus.PENDING_DELIVERY
        made = (factory.make(start + i, now, status, just_bought=just_bought)
                for i in range(count))
        ids = orders_repo.insert_orders(session, world, merchant.id, made)
        rows = [orders_repo.get(session, order_id) for order_id in ids]
        return [orders_repo.wire(row, now) for row in rows if row is not None]
