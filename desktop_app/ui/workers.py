"""The one way the UI runs work off the GUI thread.

A callable runs on a `QThreadPool`; its result or exception comes back on the GUI thread as a
queued signal, where the success or failure callback runs. The callable never touches a widget.
`LatestOnly` keeps one job of a kind running at a time and, while it runs, remembers only the
newest request (a fresh count of the views supersedes a stale one).

    runner.run(lambda: store.view_counts(now), on_success=views.set_counts)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

__all__ = ["BackgroundRunner", "LatestOnly"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Relay(QObject):
    """Lives on the GUI thread; the pool thread emits, Qt queues the call over."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as error:
            self._relay.failed.emit(error)
        else:
            self._relay.succeeded.emit(result)


class BackgroundRunner(QObject):
    """Runs callables on a thread pool; callbacks run on the thread that owns the runner."""

    # Emitted with the exception when a job fails and its caller gave no failure callback.
    job_failed = Signal(object)
    idle_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool if pool is not None else QThreadPool(self)
        self._relays: set[_Relay] = set()

    @property
    def pending(self) -> int:
        return len(self._relays)

    def is_idle(self) -> bool:
        return not self._relays

    def run(
        self,
        fn: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        relay = _Relay(self)
        was_idle = not self._relays
        self._relays.add(relay)

        def finish() -> None:
            self._relays.discard(relay)
            relay.deleteLater()
            if not self._relays:
                self.idle_changed.emit(True)

        def succeeded(result: object) -> None:
            try:
                if on_success is not None:
                    on_success(result)  # type: ignore[arg-type]
            finally:
                finish()

        def failed(error: object) -> None:
            try:
                assert isinstance(error, BaseException)
                if on_failure is not None:
                    on_failure(error)
                else:
                    log.error("background job failed", exc_info=error)
                    self.job_failed.emit(error)
            finally:
                finish()

        # Queued: the pool thread emits, the callbacks run on the relay's (GUI) thread.
        relay.succeeded.connect(succeeded, Qt.ConnectionType.QueuedConnection)
        relay.failed.connect(failed, Qt.ConnectionType.QueuedConnection)
        if was_idle:
            self.idle_changed.emit(False)
        self._pool.start(_Job(fn, relay))

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until the pool's threads finish (shutdown); callbacks are not run."""
        return self._pool.waitForDone(msecs)


class LatestOnly(Generic[T]):
    """At most one job of a kind at a time; requests made meanwhile collapse into the newest.

    Use for reads whose newest answer is the only one worth showing (counts, a reload). With
    an `owner` (the dialog or model the callbacks belong to), an answer that arrives after the
    owner was deleted (a dialog closed while its read ran) is dropped.
    """

    def __init__(
        self,
        runner: BackgroundRunner,
        on_success: Callable[[T], None],
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        owner: QObject | None = None,
    ) -> None:
        self._runner = runner
        self._owner = owner
        self._on_success = on_success
        self._on_failure = on_failure
        self._running = False
        self._next: Callable[[], T] | None = None

    @property
    def busy(self) -> bool:
        return self._running or self._next is not None

    def request(self, fn: Callable[[], T]) -> None:
        if self._running:
            self._next = fn
            return
        self._start(fn)

    def _start(self, fn: Callable[[], T]) -> None:
        self._running = True
        self._runner.run(fn, self._succeeded, self._failed)

    def _succeeded(self, result: T) -> None:
        self._running = False
        if self._next is not None:  # a newer request: its answer supersedes this one
            fn, self._next = self._next, None
            self._start(fn)
            return
        if self._owner_gone():
            return
        self._on_success(result)

    def _owner_gone(self) -> bool:
        return self._owner is not None and not shiboken6.isValid(self._owner)

    def _failed(self, error: BaseException) -> None:
        self._running = False
        if self._next is not None:
            fn, self._next = self._next, None
            self._start(fn)
            return
        if self._owner_gone():
            log.info("background job failed after its owner closed", exc_info=error)
            return
        if self._on_failure is not None:
            self._on_failure(error)
        else:
            log.error("background job failed", exc_info=error)
