"""`SyncEngine`: keeps one profile's cache in step with the platform, off the GUI thread.

Liveness: it pushes on a new operation (`push_now`), on reconnecting, and on a timer; it pulls
on a timer (60 s by default) and on demand (`sync_now`). It reports through events (see
`events`); it never touches Qt. One engine per store; `start()` runs it in its own thread,
`run_once()` / `drain()` run one cycle in the caller's thread (the CLI, tests).

Each cycle holds the profile's sync lock (see `lock`): when the window and a command line
both open one profile, one of them syncs at a time and the other waits its turn.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from desktop_app.domain import utc_now
from desktop_app.platform import (
    AuthenticationError,
    CredentialStoreError,
    NotFound,
    PlatformError,
    RateLimited,
)
from desktop_app.store import Store, cache_problem

from .api import PlatformApi
from .backoff import full_jitter
from .events import EventBus, MessagesChanged, SyncEvent, SyncStateChanged
from .lock import ProfileLock, lock_path_for
from .pull import Puller, PullReport
from .push import Pusher, PushReport

__all__ = ["CycleReport", "SyncEngine"]

log = logging.getLogger(__name__)

STANDBY_RETRY_SECONDS = 2.0  # how often a waiting engine tries the profile lock again


@dataclass
class CycleReport:
    pull: PullReport | None = None
    push: PushReport | None = None
    pull_error: str | None = None
    conversations: int = 0

    @property
    def ok(self) -> bool:
        return self.pull_error is None and not (self.push and self.push.network_failed)


class SyncEngine:
    def __init__(
        self,
        store: Store,
        client: PlatformApi,
        *,
        pull_interval: float = 60.0,
        push_interval: float = 30.0,
        page_size: int = 500,
        push_workers: int = 4,
        messages_per_cycle: int = 20,
        search_chunk: int = 5_000,
        clock: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
    ) -> None:
        self._store = store
        self._client = client
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self._pull_interval = pull_interval
        self._push_interval = push_interval
        self._messages_per_cycle = messages_per_cycle
        self._search_chunk = search_chunk
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._bus = EventBus()
        self._puller = Puller(store, client, self._bus, clock=clock, page_size=page_size)
        self._pusher = Pusher(
            store,
            client,
            self._bus,
            clock=clock,
            rng=self._rng,
            workers=push_workers,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
        )
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._cycle_lock = threading.Lock()  # one cycle at a time in this process
        self._profile_lock = ProfileLock(lock_path_for(store.path))  # ... and across processes
        self._standby = False
        self._thread: threading.Thread | None = None
        self._pull_requested = True
        self._next_pull = 0.0  # time.monotonic() of the next timed pull
        self._pull_failures = 0
        self._online: bool | None = None
        self._auth_required = False
        self._last_error: str | None = None
        self._requests_lock = threading.Lock()
        self._requested_conversations: set[str] = set()

    # -- public ------------------------------------------------------------------------------

    def subscribe(self, callback: Callable[[SyncEvent], None]) -> Callable[[], None]:
        """Receive every event (on the engine's thread); returns an unsubscribe function."""
        return self._bus.subscribe(callback)

    @property
    def online(self) -> bool | None:
        """None until the first contact with the platform."""
        return self._online

    @property
    def auth_required(self) -> bool:
        return self._auth_required

    @property
    def last_error(self) -> str | None:
        return self._last_error

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the sync engine is already running")
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="orderdesk-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the request in flight; safe to call twice."""
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
        self._pusher.close()

    def sync_now(self) -> None:
        """Pull now (and push whatever is due)."""
        self._pull_requested = True
        self._wake.set()

    def push_now(self) -> None:
        """An operation was queued: send it without waiting for the timer."""
        self._wake.set()

    def resume(self) -> None:
        """The operator signed in again: carry on."""
        self._auth_required = False
        self.sync_now()

    def request_messages(self, order_id: str) -> None:
        """Fetch this order's conversation soon (the operator opened it). Returns at once:
        the GUI thread never waits on the engine's connection."""
        with self._requests_lock:
            self._requested_conversations.add(order_id)
        self._wake.set()

    def run_once(self, lock_timeout: float = 30.0) -> CycleReport:
        """One cycle now, in this thread: pull, push what is due, conversations, search.

        Waits up to `lock_timeout` seconds while another process syncs this profile."""
        with self._cycle_lock:
            if not self._profile_lock.acquire(lock_timeout, self._stopping.is_set):
                return CycleReport(pull_error=self._enter_standby())
            try:
                return self._cycle(force_pull=True, search_all=True)
            finally:
                self._profile_lock.release()

    def drain(self, timeout: float = 60.0) -> bool:
        """Pull, push until no operation is left unfinished, pull again — retrying pulls and
        waiting out backoffs until `timeout` (seconds) has passed.

        True when it ended quiet: nothing unfinished, and the last pull succeeded."""
        deadline = time.monotonic() + timeout
        with self._cycle_lock:
            if not self._profile_lock.acquire(timeout, self._stopping.is_set):
                self._enter_standby()
                return False
            try:
                return self._drain_locked(deadline)
            finally:
                self._profile_lock.release()

    def _drain_locked(self, deadline: float) -> bool:
        pulled = self._pull_until(deadline)
        while not self._stopping.is_set() and not self._auth_required:
            self._push()
            if self._store.unfinished_operations() == 0:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._stopping.wait(min(self._seconds_to_next_due(), remaining))
        if pulled or self._store.unfinished_operations() == 0:
            pulled = self._pull_until(deadline)
        self._fetch_conversations()
        self._index_search(everything=True)
        return pulled and self._store.unfinished_operations() == 0

    def _pull_until(self, deadline: float) -> bool:
        """Pull, retrying after failures (with backoff) until it works or `deadline`."""
        while not self._stopping.is_set() and not self._auth_required:
            _, error = self._pull()
            if error is None:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._stopping.wait(min(max(0.0, self._next_pull - time.monotonic()), remaining))
        return False

    # -- the loop ----------------------------------------------------------------------------

    def _run(self) -> None:
        log.info("Sync engine started")
        while not self._stopping.is_set():
            try:
                with self._cycle_lock:
                    if self._profile_lock.acquire(0.0):
                        try:
                            due_pull = self._pull_requested or time.monotonic() >= self._next_pull
                            self._cycle(force_pull=due_pull, search_all=False)
                        finally:
                            self._profile_lock.release()
                    else:
                        self._enter_standby()
                        self._stopping.wait(STANDBY_RETRY_SECONDS)
                        continue
            except Exception as error:  # never let the worker die silently
                problem = cache_problem(error)
                if problem is None:
                    log.exception("Sync cycle failed")
                    problem = "An unexpected error stopped a sync cycle; retrying."
                else:  # the disk, not a bug: the operator is told what to do
                    log.warning("Sync cycle stopped by the cache: %s (%r)", problem, error)
                self._next_pull = time.monotonic() + self._backoff_cap
                self._report_problem(problem)
            if self._stopping.is_set():
                break
            self._wake.wait(self._sleep_seconds())
            self._wake.clear()
        log.info("Sync engine stopped")

    def _sleep_seconds(self) -> float:
        if self._pull_requested or self._requested_conversations:
            return 0.0
        if self._store.search_backlog():
            return 0.0
        waits = [self._next_pull - time.monotonic(), self._push_interval]
        if not self._auth_required:
            waits.append(self._seconds_to_next_due())
        return max(0.0, min(waits))

    def _seconds_to_next_due(self) -> float:
        due = self._store.next_operation_due_at()
        if due is None:
            return self._push_interval
        return max(0.0, (due - self._clock()).total_seconds())

    def _cycle(self, *, force_pull: bool, search_all: bool) -> CycleReport:
        report = CycleReport()
        self._standby = False
        if self._auth_required:
            return report
        if force_pull:
            report.pull, report.pull_error = self._pull()
        report.push = self._push()
        report.conversations = self._fetch_conversations()
        self._index_search(everything=search_all)
        return report

    def _pull(self) -> tuple[PullReport | None, str | None]:
        self._pull_requested = False
        try:
            result = self._puller.pull(self._stopping.is_set)
        except (AuthenticationError, CredentialStoreError) as error:
            self._need_auth(str(error.detail))
            return None, error.detail
        except PlatformError as error:
            self._pull_failures += 1
            delay = full_jitter(
                self._pull_failures,
                rng=self._rng,
                base=self._backoff_base,
                cap=self._backoff_cap,
                retry_after=error.retry_after,
            )
            self._next_pull = time.monotonic() + delay
            reached = error.status is not None and error.status < 500
            self._set_online(reached or isinstance(error, RateLimited), error.detail)
            return None, error.detail
        self._pull_failures = 0
        self._next_pull = time.monotonic() + self._pull_interval
        now = self._clock()
        self._store.record_sync(success_at=now, error=None)
        self._set_online(True, None, success_at=now)
        return result, None

    def _push(self) -> PushReport:
        report = self._pusher.push_due(self._stopping.is_set)
        if report.auth_failed:
            self._need_auth(report.last_error or "Sign in again.")
        elif report.reached_platform:
            self._set_online(True, self._last_error if report.network_failed else None)
        elif report.network_failed:
            self._set_online(False, report.last_error)
        return report

    def _fetch_conversations(self) -> int:
        with self._requests_lock:
            requested, self._requested_conversations = self._requested_conversations, set()
        for order_id in requested:
            self._store.request_messages(order_id)
        budget = self._messages_per_cycle + len(requested)
        fetched = 0
        for order_id, last in self._store.orders_wanting_messages(budget):
            if self._stopping.is_set():
                break
            try:
                while True:
                    page = self._client.messages(order_id, after=last, limit=100)
                    if page.messages:
                        last = page.messages[-1].id
                    self._store.store_conversation(
                        order_id, page.messages, complete=not page.has_more
                    )
                    if not page.has_more:
                        break
            except NotFound:
                self._store.store_conversation(order_id, [], complete=True)
                continue
            except PlatformError as error:
                log.info("Conversation of %s not fetched: %s", order_id, error)
                break
            fetched += 1
            self._bus.emit(MessagesChanged(order_id))
        return fetched

    def _index_search(self, *, everything: bool) -> None:
        while not self._stopping.is_set() and not self._store.in_bulk_load():
            done = self._store.index_search(self._search_chunk)
            if not done or not everything:
                break

    # -- state ---------------------------------------------------------------------------------

    def _enter_standby(self) -> str:
        """Another process holds the profile's sync lock: say so (once) and wait for a turn."""
        pid = self._profile_lock.holder_pid()
        holder = f" (process {pid})" if pid is not None else ""
        detail = f"Another OrderDesk{holder} is syncing this profile right now."
        if not self._standby or detail != self._last_error:
            self._standby = True
            self._last_error = detail
            log.info("Sync waits: the profile lock is held by another process%s", holder)
            self._bus.emit(
                SyncStateChanged(
                    online=bool(self._online),
                    last_success_at=self._store.sync_status().last_success_at,
                    error=detail,
                    standby=True,
                )
            )
        return detail

    def _need_auth(self, detail: str) -> None:
        self._auth_required = True
        self._last_error = detail
        self._store.record_sync(success_at=None, error=detail)
        self._bus.emit(
            SyncStateChanged(
                online=bool(self._online),
                last_success_at=self._store.sync_status().last_success_at,
                error=detail,
                auth_required=True,
            )
        )

    def _report_problem(self, problem: str) -> None:
        """A cycle failed on our side: say so, without writing to the cache (it may be the
        cache that failed)."""
        if problem == self._last_error:
            return
        self._last_error = problem
        try:
            last_success_at = self._store.sync_status().last_success_at
        except Exception:  # (an unreadable cache: the problem says so already)
            last_success_at = None
        self._bus.emit(
            SyncStateChanged(
                online=self._online is not False, last_success_at=last_success_at, error=problem
            )
        )

    def _set_online(
        self, online: bool, error: str | None, *, success_at: datetime | None = None
    ) -> None:
        came_back = online and self._online is False
        changed = online != self._online or error != self._last_error
        self._online = online
        self._last_error = error
        if error is not None:
            self._store.record_sync(success_at=None, error=error)
        if came_back:
            released = self._store.release_waiting_operations()
            if released:
                log.info("Back online: %d waiting operations are due now", released)
                self._wake.set()
        if changed or success_at is not None:
            self._bus.emit(
                SyncStateChanged(
                    online=online,
                    last_success_at=success_at or self._store.sync_status().last_success_at,
                    error=error,
                )
            )
