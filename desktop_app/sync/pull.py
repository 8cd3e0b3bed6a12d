"""Pull: the changes feed from the stored cursor, each page stored with its cursor at once.

A 410 (cursor expired) starts the feed over from the beginning; the outbox is untouched and
its pending operations are overlaid again on every snapshot that arrives. The first sync into
an empty cache runs as a bulk load (sort indexes built once at the end, search entries after).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from desktop_app.platform import ChangesPage, CursorExpired
from desktop_app.store import Store
from desktop_app.store.sync_side import FeedInvalid

from .api import PlatformApi
from .events import EventBus, OrdersChanged, SyncProgress

__all__ = ["PullReport", "Puller"]

log = logging.getLogger(__name__)

MANY = 50  # more changed orders than this in one page: tell the UI to refresh wholesale


@dataclass
class PullReport:
    pages: int = 0
    orders: int = 0
    invalid: int = 0
    restarted: bool = False
    complete: bool = False
    changed: list[str] = field(default_factory=list)


class Puller:
    def __init__(
        self,
        store: Store,
        client: PlatformApi,
        bus: EventBus,
        *,
        clock: Callable[[], datetime],
        page_size: int = 500,
        bulk_threshold: int = 1,
    ) -> None:
        self._store = store
        self._client = client
        self._bus = bus
        self._clock = clock
        self._page_size = page_size
        self._bulk_threshold = bulk_threshold

    def pull(self, should_stop: Callable[[], bool] = lambda: False) -> PullReport:
        """Read the feed to its end (raises the client's errors; what was stored stays).

        The next page is requested while the current one is being stored (its cursor is known
        as soon as the current page arrives), so the platform's time and ours overlap; each
        page is stored with its cursor, in feed order. During a bulk load pages that arrive
        faster than they are stored share a commit; the commit is made before waiting on the
        platform, so it never waits on the network.
        """
        report = PullReport()
        cursor = self._store.feed_cursor()
        if cursor is None and self._store.is_empty() and not self._store.in_bulk_load():
            self._store.begin_bulk_load()
        expired_once = False
        with ThreadPoolExecutor(1, thread_name_prefix="orderdesk-feed") as prefetch:
            ahead: Future[ChangesPage] | None = None
            while not should_stop():
                if ahead is None or not ahead.done():
                    # About to wait for the platform: a bulk load's held pages commit first,
                    # so nothing stays uncommitted (nor the write lock held) during the wait.
                    self._store.flush()
                try:
                    page = (
                        ahead.result()
                        if ahead is not None
                        else self._client.changes(cursor, self._page_size)
                    )
                except CursorExpired:
                    if expired_once:
                        raise
                    expired_once = True
                    log.warning("The feed cursor expired; reading the whole feed again")
                    self._store.restart_feed()
                    report.restarted = True
                    cursor, ahead = None, None
                    continue
                ahead = (
                    prefetch.submit(self._client.changes, page.next_cursor, self._page_size)
                    if page.has_more
                    else None
                )
                self._store_page(page, report, more_coming=page.has_more)
                cursor = page.next_cursor
                if page.has_more:
                    self._bus.emit(SyncProgress(report.orders, report.orders + self._page_size))
                    continue
                report.complete = True
                break
            self._store.flush()
            if ahead is not None:
                ahead.cancel()
                with contextlib.suppress(Exception):
                    ahead.result()  # stopped early: let the request finish, drop its page
        if report.complete:
            if self._store.in_bulk_load():
                self._store.end_bulk_load()
                self._bus.emit(OrdersChanged((), many=True))
            self._store.mark_initial_sync_done()
            self._bus.emit(SyncProgress(report.orders, None))
        return report

    def _store_page(self, page: ChangesPage, report: PullReport, *, more_coming: bool) -> None:
        invalid = [FeedInvalid(i.order_id, i.number, i.reason) for i in page.invalid]
        if invalid:
            log.info("%d orders of this page set aside (see invalid_orders)", len(invalid))
        changed = self._store.apply_page(
            page.orders,
            invalid,
            page.next_cursor,
            self._clock(),
            documents=page.documents,
            more_coming=more_coming,
        )
        report.pages += 1
        report.orders += len(page.orders)
        report.invalid += len(invalid)
        report.changed += changed
        if changed:
            self._bus.emit(OrdersChanged(tuple(changed), many=len(changed) > MANY))
