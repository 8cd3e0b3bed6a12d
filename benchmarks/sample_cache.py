"""A cache file full of generated orders, for the window benchmark and for trying the window.

A few thousand distinct orders come from the sandbox's own seed (every status, many scripts and
currencies, histories the platform could have produced); the rest are copies of them under new
ids, numbers and moments. They go in through the store's own bulk ingest, as a first sync does:
`begin_bulk_load` (sort indexes dropped), `upsert_orders` in batches, `end_bulk_load` (indexes
built, ANALYZE). Search entries are written with the rows: the store's deferred path
(`index_search`) parses every order's JSON document again, about 0.6 ms an order.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop_app.domain import Order, parse_order
from desktop_app.sandbox.seed import SCHEDULE, OrderFactory
from desktop_app.store import Store
from desktop_app.store.rows import upsert_orders

__all__ = ["distinct_orders", "fill_cache"]

DISTINCT = 4_000
BATCH = 5_000


def distinct_orders(count: int, now: datetime, seed: int = 7) -> list[Order]:
    factory = OrderFactory(seed, 0, "USD")
    orders = []
    for index in range(count):
        seeded = factory.make(index, now, SCHEDULE[index % len(SCHEDULE)])
        wire = json.loads(seeded.state.model_dump_json())
        wire["allowed_actions"] = []
        buyer_messages = [m for m in seeded.messages if m.author.value == "buyer"]
        wire["unread_messages"] = len(buyer_messages) % 4
        last = seeded.messages[-1].sent_at if seeded.messages else None
        wire["last_message_at"] = last.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if last else None
        orders.append(parse_order(wire))
    return orders


def _copy(order: Order, n: int) -> Order:
    """The n-th copy of `order`: a new id and number, moments shifted by up to a few hours
    (deadlines too, so countdowns, urgency and Needs my action stay varied)."""
    shift = timedelta(minutes=(n * 37) % 600 - 300)
    deadlines = order.deadlines
    return replace(
        order,
        id=f"{order.id}-{n}",
        number=f"{order.number[:-6]}{n:07d}",
        created_at=order.created_at + shift,
        updated_at=order.updated_at + shift,
        deadlines=replace(
            deadlines,
            deliver_by=deadlines.deliver_by + shift if deadlines.deliver_by else None,
            confirm_by=deadlines.confirm_by + shift if deadlines.confirm_by else None,
        ),
    )


def fill_cache(path: Path, total: int, *, now: datetime | None = None, log: bool = True) -> None:
    """Create `path` with `total` orders (skipped when it already holds that many)."""
    now = now or datetime.now(UTC)
    with Store.open(path) as store:
        if store.order_count() >= total:
            return
        started = time.perf_counter()
        base = distinct_orders(min(DISTINCT, total), now)
        done = store.order_count()
        if done == 0 and not store.in_bulk_load():
            store.begin_bulk_load()  # as the first sync does: sort indexes built at the end
        while done < total:
            batch = [_copy(base[i % len(base)], i) for i in range(done, min(total, done + BATCH))]
            with store.write() as conn:
                upsert_orders(conn, batch)
            done += len(batch)
            if log and done % 100_000 == 0:
                print(f"  {done:,} orders written ({time.perf_counter() - started:.0f} s)")
        if log:
            print(f"  rows written in {time.perf_counter() - started:.0f} s; building indexes")
        if store.in_bulk_load():
            store.end_bulk_load()
        if log:
            print(f"  indexes built at {time.perf_counter() - started:.0f} s; search entries")
        while store.index_search(20_000):
            pass
        if log:
            print(f"  cache of {total:,} orders ready in {time.perf_counter() - started:.0f} s")
