"""Push: send the outbox, each order's operations in turn, different orders side by side.

An entry is marked SENDING (in its own committed transaction) before it goes to the network,
and keeps its idempotency key on every retry; a crash between the platform applying it and
us storing the answer is healed by sending it again: the platform replays its first answer.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from desktop_app.domain import operation_from_body
from desktop_app.platform import ActionResult, Conflict, PlatformError, TransportError
from desktop_app.store import OperationState, OutboxEntry, Store

from .answers import Verdict, classify, review_explanation
from .api import PlatformApi
from .backoff import full_jitter
from .events import (
    EventBus,
    MessagesChanged,
    OperationSettled,
    OrdersChanged,
    OutboxChanged,
)

__all__ = ["PushReport", "Pusher"]

log = logging.getLogger(__name__)

_Answer = ActionResult | PlatformError


@dataclass
class PushReport:
    sent: int = 0
    applied: int = 0
    retrying: int = 0
    refused: int = 0
    auth_failed: bool = False
    network_failed: bool = False  # at least one send got no answer / a server error
    reached_platform: bool = False  # at least one send got an answer
    last_error: str | None = None
    settled_orders: set[str] = field(default_factory=set)


class Pusher:
    def __init__(
        self,
        store: Store,
        client: PlatformApi,
        bus: EventBus,
        *,
        clock: Callable[[], datetime],
        rng: random.Random,
        workers: int = 4,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
    ) -> None:
        self._store = store
        self._client = client
        self._bus = bus
        self._clock = clock
        self._rng = rng
        self._workers = max(1, workers)
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._pool: ThreadPoolExecutor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def push_due(self, should_stop: Callable[[], bool] = lambda: False) -> PushReport:
        """Send every entry that is due now, until none is (followers of an entry settled in
        this round become due in the next)."""
        report = PushReport()
        while not should_stop():
            heads = self._store.due_operations(self._clock(), limit=self._workers * 8)
            if not heads:
                break
            entries = self._store.mark_sending([entry.id for entry in heads], self._clock())
            self._bus.emit(OutboxChanged())
            report.sent += len(entries)
            self._send_all(entries, report)
            if report.auth_failed:
                break
        return report

    def _send_all(self, entries: list[OutboxEntry], report: PushReport) -> None:
        if self._workers == 1 or len(entries) == 1:
            for entry in entries:
                self._settle(entry, self._send(entry), report)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="orderdesk-push")
        pending: dict[Future[_Answer], OutboxEntry] = {
            self._pool.submit(self._send, entry): entry for entry in entries
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                self._settle(pending.pop(future), future.result(), report)

    def _send(self, entry: OutboxEntry) -> _Answer:
        operation = operation_from_body(entry.kind, entry.body)
        try:
            return self._client.perform(
                entry.order_id,
                operation,
                idempotency_key=entry.idempotency_key,
                if_match=entry.if_match,
            )
        except PlatformError as error:
            return error
        except Exception as error:  # a bug below us: keep the entry, retry later
            log.exception("Sending operation %d failed unexpectedly", entry.id)
            return TransportError(f"Sending failed unexpectedly ({type(error).__name__}).")

    def _settle(self, entry: OutboxEntry, answer: _Answer, report: PushReport) -> None:
        now = self._clock()
        if isinstance(answer, ActionResult):
            self._store.settle_applied(
                entry, answer.order, answer.message, now, replayed=answer.replayed
            )
            report.applied += 1
            report.reached_platform = True
            self._settled(entry, OperationState.APPLIED, None, report)
            if answer.message is not None:
                self._bus.emit(MessagesChanged(entry.order_id))
            return
        decision = classify(entry, answer)
        report.last_error = decision.explanation
        if decision.verdict is Verdict.RETRY:
            if answer.status is None or answer.status >= 500:
                report.network_failed = True
            else:
                report.reached_platform = True
            delay = full_jitter(
                entry.attempts,
                rng=self._rng,
                base=self._backoff_base,
                cap=self._backoff_cap,
                retry_after=decision.retry_after,
            )
            self._store.settle_retry(
                entry, decision.explanation, now + timedelta(seconds=delay), now
            )
            report.retrying += 1
            self._bus.emit(OutboxChanged())
            return
        if decision.verdict is Verdict.AUTH:
            report.auth_failed = True
            self._store.settle_retry(entry, decision.explanation, now, now)
            self._bus.emit(OutboxChanged())
            return
        report.reached_platform = True
        report.refused += 1
        current = decision.current
        explanation = decision.explanation
        if decision.verdict is Verdict.REVIEW:
            state = OperationState.NEEDS_REVIEW
            if current is None:
                try:
                    current = self._client.get_order(entry.order_id)
                except PlatformError as error:
                    log.info("Could not fetch order %s for review: %s", entry.order_number, error)
            if isinstance(answer, Conflict):
                explanation = review_explanation(entry, answer, current)
        elif decision.verdict is Verdict.REJECT:
            state = OperationState.REJECTED
        else:
            state = OperationState.SET_ASIDE
            log.error("Operation %d set aside: %s", entry.id, explanation)
        self._store.settle_refused(entry, state, explanation, now, current=current)
        self._settled(entry, state, explanation, report)

    def _settled(
        self,
        entry: OutboxEntry,
        state: OperationState,
        explanation: str | None,
        report: PushReport,
    ) -> None:
        report.settled_orders.add(entry.order_id)
        self._bus.emit(OperationSettled(entry.id, entry.order_id, state, explanation))
        self._bus.emit(OrdersChanged((entry.order_id,)))
        self._bus.emit(OutboxChanged())
