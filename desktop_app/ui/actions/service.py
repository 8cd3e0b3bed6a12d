"""Writing the operator's operations to the outbox, off the GUI thread.

Every write (queue an operation, send again, apply again, discard) is one short transaction of
the store, run through the window's `BackgroundRunner`: the sync engine may hold SQLite's write
lock for a moment and the GUI must not wait on it. The caller's callbacks run on the GUI thread
with the `OutboxEntry` written, or with an `ActionProblem` that says in the operator's words why
nothing was written.

The service also remembers, for this session, the platform's order as it was when each
operation was queued, so that an operation that comes back as *needs review* can be compared
field by field with the platform's order now (the outbox itself keeps only the version).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from PySide6.QtCore import QObject, Signal
from sqlalchemy.exc import SQLAlchemyError

from desktop_app.domain import (
    FieldError,
    NotAllowedError,
    Operation,
    OperationValidationError,
    Order,
)
from desktop_app.store.connection import StoreError
from desktop_app.store.errors import (
    OperationStateError,
    OrderNotCachedError,
    OutboxEntryNotFoundError,
    cache_problem,
)
from desktop_app.store.types import MessageEntry, OutboxEntry
from desktop_app.ui.workers import BackgroundRunner

__all__ = ["ActionProblem", "ActionService", "BulkOutcome", "OutboxStore", "problem_of"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class OutboxStore(Protocol):
    """The store's outbox API, as the actions use it."""

    def get_order(self, order_id: str) -> Order | None: ...

    def platform_order(self, order_id: str) -> Order | None: ...

    def messages(self, order_id: str) -> Sequence[MessageEntry]: ...

    def operations(self, order_id: str | None = None) -> Sequence[OutboxEntry]: ...

    def operation(self, entry_id: int) -> OutboxEntry: ...

    def acted_on(self, entry_id: int) -> Order | None: ...

    def enqueue(
        self,
        order_id: str,
        operation: Operation,
        now: datetime,
        *,
        base_version: int | None = None,
    ) -> OutboxEntry: ...

    def retry(self, entry_id: int, now: datetime) -> OutboxEntry: ...

    def reapply(self, entry_id: int, now: datetime) -> OutboxEntry: ...

    def discard(self, entry_id: int, now: datetime) -> OutboxEntry: ...


@dataclass(frozen=True, slots=True)
class ActionProblem:
    """Why nothing was written: a sentence for the operator, and the fields at fault."""

    message: str
    field_errors: tuple[FieldError, ...] = ()
    not_allowed: bool = False  # the order (no longer) allows it: the inputs are not at fault


def problem_of(error: BaseException) -> ActionProblem:
    """An exception of a write, in the operator's words (a bug is logged, not explained)."""
    if isinstance(error, NotAllowedError):
        return ActionProblem(f"Not possible now: {error.reason}", not_allowed=True)
    if isinstance(error, OperationValidationError):
        return ActionProblem("Please correct the fields marked below.", tuple(error.errors))
    if isinstance(error, OperationStateError | OrderNotCachedError | OutboxEntryNotFoundError):
        return ActionProblem(str(error), not_allowed=True)
    if isinstance(error, StoreError | SQLAlchemyError | sqlite3.Error | OSError):
        plain = cache_problem(error) or (
            "The local cache could not be written (is the disk full, or the file locked by "
            "another program?)."
        )
        return ActionProblem(f"{plain} Nothing was queued. Details: {type(error).__name__}")
    log.error("an operation could not be written", exc_info=error)
    return ActionProblem(
        f"OrderDesk could not queue this because of an internal error ({type(error).__name__})."
        " Nothing was queued."
    )


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """What happened to one order of a bulk action."""

    order_id: str
    number: str
    entry: OutboxEntry | None = None
    problem: ActionProblem | None = None


Done = Callable[[OutboxEntry], None]
Failed = Callable[[ActionProblem], None]


class ActionService(QObject):
    """Queues operations and changes outbox entries, in the background."""

    # Something was written to the outbox (the `OutboxEntry`): the window re-reads and the
    # sync engine is woken.
    written = Signal(object)

    def __init__(
        self,
        writer: OutboxStore,
        runner: BackgroundRunner,
        clock: Callable[[], datetime],
        *,
        push: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._writer = writer
        self._runner = runner
        self._clock = clock
        self._push = push
        self._busy = 0

    @property
    def busy(self) -> bool:
        """A write is on its way (tests wait for this to settle)."""
        return self._busy > 0

    @property
    def reader(self) -> OutboxStore:
        """The store this service writes through, for reads made in the background."""
        return self._writer

    def acted_on(self, entry_id: int) -> Order | None:
        """The platform's order `entry_id` was decided on (None: unknown), as the store kept it
        with the entry when it was queued."""
        return self._writer.acted_on(entry_id)

    # -- queueing -------------------------------------------------------------------------------

    def enqueue(self, order: Order, operation: Operation, on_done: Done, on_failed: Failed) -> None:
        """Queue `operation` on `order` as the operator saw it (its version is the one the
        decision is bound to), with its optimistic effect, in one transaction."""
        problems = operation.validate()
        if problems:  # the same check the store makes; spares a trip to the pool
            on_failed(ActionProblem("Please correct the fields marked below.", tuple(problems)))
            return
        writer, clock = self._writer, self._clock
        order_id, version = order.id, order.version

        def write() -> OutboxEntry:
            return writer.enqueue(order_id, operation, clock(), base_version=version)

        self._run(write, self._then(on_done), on_failed)

    def enqueue_many(
        self,
        items: Sequence[tuple[Order, Operation]],
        on_done: Callable[[list[BulkOutcome]], None],
    ) -> None:
        """Queue one operation per order, each in its own transaction: one order refusing
        does not stop the others. `on_done` gets the outcome of every order, in order."""
        writer, clock = self._writer, self._clock
        work = list(items)

        def write() -> list[BulkOutcome]:
            outcomes: list[BulkOutcome] = []
            for order, operation in work:
                try:
                    entry = writer.enqueue(order.id, operation, clock(), base_version=order.version)
                except Exception as error:  # one order's problem is reported, not raised
                    outcomes.append(BulkOutcome(order.id, order.number, problem=problem_of(error)))
                    continue
                outcomes.append(BulkOutcome(order.id, order.number, entry=entry))
            return outcomes

        def done(result: list[BulkOutcome]) -> None:
            entries = [outcome.entry for outcome in result if outcome.entry is not None]
            if entries:
                self._written(entries[-1])
            on_done(result)

        def failed(problem: ActionProblem) -> None:
            on_done([BulkOutcome(order.id, order.number, problem=problem) for order, _ in work])

        self._run(write, done, failed)

    # -- changing entries ------------------------------------------------------------------------

    def retry(self, entry_id: int, on_done: Done, on_failed: Failed) -> None:
        """Send a waiting operation now (the same idempotency key)."""
        writer, clock = self._writer, self._clock
        self._run(lambda: writer.retry(entry_id, clock()), self._then(on_done), on_failed)

    def reapply(self, entry_id: int, on_done: Done, on_failed: Failed) -> None:
        """Queue a refused operation again on the platform's current version (a new key)."""
        writer, clock = self._writer, self._clock

        self._run(lambda: writer.reapply(entry_id, clock()), self._then(on_done), on_failed)

    def discard(self, entry_id: int, on_done: Done, on_failed: Failed) -> None:
        """Drop an operation never sent, or dismiss a refused one."""
        writer, clock = self._writer, self._clock

        self._run(lambda: writer.discard(entry_id, clock()), self._then(on_done), on_failed)

    # -- plumbing --------------------------------------------------------------------------------

    def _then(self, on_done: Done) -> Done:
        def done(entry: OutboxEntry) -> None:
            self._written(entry)
            on_done(entry)

        return done

    def _written(self, entry: OutboxEntry) -> None:
        self.written.emit(entry)
        if self._push is not None:
            self._push()

    def _run(self, work: Callable[[], T], done: Callable[[T], None], failed: Failed) -> None:
        self._busy += 1

        def succeeded(result: T) -> None:
            self._busy -= 1
            done(result)

        def broke(error: BaseException) -> None:
            self._busy -= 1
            failed(problem_of(error))

        self._runner.run(work, succeeded, broke)
