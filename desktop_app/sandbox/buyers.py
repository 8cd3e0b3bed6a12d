"""Simulated buyers (``--simulate-buyers RATE``): now and then a buyer buys, writes, confirms,
asks for more time or for a refund, so that a demo feels alive. ``RATE`` is the mean number of
buyer moves per second across the whole world (a Poisson process)."""

from __future__ import annotations

import logging
import math
import random
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from desktop_app.sandbox import moves, rules
from desktop_app.sandbox.catalog import EXTENSION_REASONS, LOCALES, REFUND_REASONS
from desktop_app.sandbox.models import OrderRow
from desktop_app.sandbox.problems import ProblemError
from desktop_app.sandbox.schemas import OrderStatus

if TYPE_CHECKING:
    from desktop_app.sandbox.world import World

_log = logging.getLogger(__name__)
TICK_S = 0.25
S = OrderStatus


class BuyerSimulator:
    def __init__(self, world: World, rate: float, seed: int = 0) -> None:
        self.world = world
        self.rate = rate
        self._rng = random.Random(seed)  # noqa: S311 - simulation, not security
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sandbox-buyers", daemon=True)
        self._messages = [text for loc in LOCALES for text in loc.messages]
        self._moves: list[tuple[float, Callable[[], None]]] = [
            (0.20, self.buy),
            (0.35, self.write),
            (0.12, self.confirm),
            (0.10, self.ask_extension),
            (0.05, self.ask_refund),
            (0.12, self.revise),
            (0.06, self.accept_cancellation),
        ]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(TICK_S):
            for _ in range(self._poisson(self.rate * TICK_S)):
                self.step()

    def _poisson(self, mean: float) -> int:
        # Knuth's method; the means here are small.
        limit, k, p = math.exp(-mean), 0, 1.0
        while True:
            p *= self._rng.random()
            if p <= limit:
                return k
            k += 1

    def step(self) -> None:
        weights = [w for w, _ in self._moves]
        _, move = self._rng.choices(self._moves, weights=weights)[0]
        try:
            move()
        except ProblemError:
            pass  # the order moved on meanwhile; the buyer shrugs
        except Exception:
            _log.exception("a simulated buyer stumbled")

    def _pick(self, *statuses: OrderStatus, extension_pending: bool | None = None) -> str | None:
        with self.world.transaction() as session:
            query = select(OrderRow.id).where(OrderRow.status.in_([s.value for s in statuses]))
            if extension_pending is not None:
                query = query.where(OrderRow.extension_pending == extension_pending)
            return session.scalar(query.order_by(func.random()).limit(1))

    def buy(self) -> None:
        username = "demo" if self._rng.random() < 0.7 else "rival"
        moves.new_orders(self.world, username, 1, S.PENDING_DELIVERY)

    def write(self) -> None:
        if order_id := self._pick(S.PENDING_DELIVERY, S.AWAITING_CONFIRMATION,
                                  S.DELIVERY_REFUSED, S.REFUND_REQUESTED, S.IN_MEDIATION):
            moves.buyer_message(self.world, order_id, self._rng.choice(self._messages))

    def confirm(self) -> None:
        if order_id := self._pick(S.AWAITING_CONFIRMATION, extension_pending=False):
            moves.apply(self.world, order_id, rules.buyer_confirm)

    def ask_extension(self) -> None:
        if order_id := self._pick(S.AWAITING_CONFIRMATION, extension_pending=False):
            days, reason = self._rng.randint(1, 14), self._rng.choice(EXTENSION_REASONS)
            moves.apply(self.world, order_id,
                        lambda o, now: rules.request_extension(o, now, days, reason))

    def ask_refund(self) -> None:
        if order_id := self._pick(S.PENDING_DELIVERY, S.AWAITING_CONFIRMATION):
            reason = self._rng.choice(REFUND_REASONS)
            moves.apply(self.world, order_id,
                        lambda o, now: rules.request_refund(o, now, None, reason))

    def revise(self) -> None:
        if order_id := self._pick(S.DELIVERY_REFUSED):
            text = "Updated brief: " + self._rng.choice(self._messages)
            moves.apply(self.world, order_id,
                        lambda o, now: rules.revise_requirements(o, now, text))

    def accept_cancellation(self) -> None:
        if order_id := self._pick(S.DELIVERY_REFUSED):
            moves.apply(self.world, order_id, rules.accept_cancellation)
