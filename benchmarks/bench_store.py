"""The store's ingest rate beside raw sqlite3 executemany of the same rows, and list queries
on a large cache. Prints medians of --repeat runs; not a timed test.

    python benchmarks/bench_store.py                    # 100,000 orders, 3 runs
    python benchmarks/bench_store.py --orders 20000 --repeat 1
    python benchmarks/bench_store.py --query-orders 1000000   # also list/count/sort at 1M

Figures:
- store, first sync: feed pages of 500 through `Store.apply_page` into an empty cache, as the
  sync's puller does when pages arrive faster than they are stored (each page with its
  cursor; `more_coming`, so a few pages share a commit); the page as the client hands it over
  (validated Order objects and each order's JSON text as the platform sent it) in, rows out
  (list columns, search text, overlay check, view counters, the document as sent); sort
  indexes deferred and built at the end (with the final WAL checkpoint), search entries
  after.
- store, incremental: pages of changed orders into the filled cache with every index live.
- raw sqlite3: `executemany` of the very rows the store wrote (same columns, same document
  text) into a table without secondary indexes, one transaction per page, with SQLite's
  defaults plus the store's durability (WAL, synchronous=FULL): a naive loader, which the
  store is allowed to beat at its own game (e.g. by checkpointing in the background).

The platform's text of each order is made before timing, as the feed's bytes would be: the
compact JSON of `order_to_wire`, as the sandbox sends it.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.domain import Order, order_to_wire
from desktop_app.store import OrderQuery, OrderView, SortKey, Store
from desktop_app.store.codec import ORDER_COLUMNS, dump_json, order_columns
from tests.store.factories import NOW, mixed_orders

PAGE = 500


def iter_orders(count: int, seed: int = 1) -> Iterator[Order]:
    """`count` distinct orders: 2,000 varied ones, cloned with fresh ids, numbers, times."""
    base = mixed_orders(min(count, 2_000), seed=seed)
    rng = random.Random(seed)
    for index in range(count):
        template = base[index % len(base)]
        shift = timedelta(minutes=rng.randint(-3000, 3000))
        deadlines = template.deadlines
        yield dataclasses.replace(
            template,
            id=f"ord-{index:08d}",
            number=f"SO-2026{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}-{index:07d}",
            updated_at=template.updated_at + shift,
            deadlines=dataclasses.replace(
                deadlines,
                deliver_by=deadlines.deliver_by + shift if deadlines.deliver_by else None,
            ),
        )


def make_orders(count: int, seed: int = 1) -> list[Order]:
    return list(iter_orders(count, seed))


def wire_texts(orders: list[Order]) -> list[str]:
    """Each order's JSON text as the platform sends it in the feed."""
    return [dump_json(order_to_wire(o)) for o in orders]


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def first_sync_pages(store: Store, orders: list[Order], texts: list[str]) -> None:
    """`orders` into `store` (in a bulk load) as the sync's puller stores a first sync's pages
    arriving faster than they are stored."""
    for start in range(0, len(orders), PAGE):
        end = start + PAGE
        store.apply_page(
            orders[start:end],
            [],
            f"cursor-{start}",
            NOW,
            documents=texts[start:end],
            more_coming=end < len(orders),
        )
    store.flush()


def store_first_sync(orders: list[Order], texts: list[str], folder: Path) -> dict[str, float]:
    path = folder / "store.sqlite3"
    with Store.open(path) as store:
        store.begin_bulk_load()
        ingest = timed(lambda: first_sync_pages(store, orders, texts))
        indexes = timed(store.end_bulk_load)

        def search() -> None:
            while store.index_search(20_000):
                pass

        searchable = timed(search)
    return {"ingest": ingest, "indexes": indexes, "search": searchable}


def store_incremental(orders: list[Order], folder: Path, changes: int) -> float:
    changed = [dataclasses.replace(o, version=o.version + 1, unread_messages=2) for o in orders]
    changed = random.Random(2).sample(changed, changes)
    texts = wire_texts(changed)
    with Store.open(folder / "store.sqlite3") as store:

        def pages() -> None:
            for start in range(0, len(changed), PAGE):
                end = start + PAGE
                store.apply_page(
                    changed[start:end], [], f"next-{start}", NOW, documents=texts[start:end]
                )

        return timed(pages)


def raw_rows(orders: list[Order], texts: list[str]) -> list[tuple[object, ...]]:
    return [
        (o.id, o.version, text, 0, *order_columns(o)) for o, text in zip(orders, texts, strict=True)
    ]


def raw_executemany(rows: list[tuple[object, ...]], folder: Path) -> float:
    path = folder / "raw.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        columns = ("id", "version", "document", "search_hash", *ORDER_COLUMNS)
        connection.execute(f"CREATE TABLE orders (pk INTEGER PRIMARY KEY, {', '.join(columns)})")
        sql = (
            f"INSERT INTO orders ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        )

        def pages() -> None:
            for start in range(0, len(rows), PAGE):
                connection.execute("BEGIN")
                connection.executemany(sql, rows[start : start + PAGE])
                connection.execute("COMMIT")

        return timed(pages)
    finally:
        connection.close()


def fill(count: int, path: Path) -> None:
    """A cache of `count` orders through the first-sync path, without holding them all."""
    started = time.perf_counter()
    with Store.open(path) as store:
        store.begin_bulk_load()
        page: list[Order] = []
        for index, order in enumerate(iter_orders(count, seed=3)):
            page.append(order)
            if len(page) == PAGE:
                store.apply_page(page, [], f"cursor-{index}", NOW)
                page = []
        if page:
            store.apply_page(page, [], "cursor-last", NOW)
        filled = time.perf_counter() - started
        store.end_bulk_load()
        indexed = time.perf_counter() - started
        while store.index_search(50_000):
            pass
    print(
        f"  (filled in {filled:.0f}s, sort indexes by {indexed:.0f}s, "
        f"searchable by {time.perf_counter() - started:.0f}s)",
        flush=True,
    )


def query_figures(count: int, folder: Path) -> None:
    """Window, count, position and view counts on a cache of `count` orders."""
    print(f"\nlist queries on {count:,} orders (median of 5, ms):", flush=True)
    path = folder / "store.sqlite3"
    if path.exists():  # --keep: reuse (and migrate) the cache of an earlier run
        started = time.perf_counter()
        Store.open(path).close()
        print(f"  (reused; opened in {time.perf_counter() - started:.1f}s)", flush=True)
    else:
        fill(count, path)
    print(f"  cache file: {path.stat().st_size / 2**20:,.0f} MiB", flush=True)
    with Store.open(path) as store:
        probes: list[tuple[str, Callable[[], object]]] = [
            ("view_counts", lambda: store.view_counts(NOW)),
        ]
        for view in (OrderView.ALL, OrderView.PENDING_DELIVERY, OrderView.NEEDS_ACTION):
            for key in (SortKey.DEADLINE, SortKey.BUYER, SortKey.NET):
                query = OrderQuery(view=view, sort=key, descending=key is SortKey.NET)
                total = store.count_orders(query, NOW)
                probes.append(
                    (f"{view}/{key} first 200", lambda q=query: store.list_orders(q, 0, 200, NOW))
                )
                probes.append(
                    (
                        f"{view}/{key} window at 40%",
                        lambda q=query, t=total: store.list_orders(q, int(t * 0.4), 200, NOW),
                    )
                )
        needs = OrderQuery(view=OrderView.NEEDS_ACTION)
        probes.append(("needs_action count", lambda: store.count_orders(needs, NOW)))
        some = store.list_orders(OrderQuery(), count // 3, 1, NOW)[0].id
        probes.append(
            ("position_of (all/deadline)", lambda: store.position_of(OrderQuery(), some, NOW))
        )
        for text in ("Logo", "王芳", "SO-20260314", "blue, order 12"):
            query = OrderQuery(search=text)
            probes.append(
                (f"search {text!r} first 200", lambda q=query: store.list_orders(q, 0, 200, NOW))
            )
            probes.append((f"search {text!r} count", lambda q=query: store.count_orders(q, NOW)))
        for name, probe in probes:
            runs = [timed(probe) * 1000 for _ in range(5)]
            print(f"  {name:42s} {statistics.median(runs):8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--query-orders", type=int, default=0, metavar="N")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the query cache here")
    options = parser.parse_args()
    if options.orders == 0:
        if options.query_orders:
            folder = options.keep or Path(tempfile.mkdtemp())
            query_figures(options.query_orders, folder)
        return
    orders = make_orders(options.orders)
    texts = wire_texts(orders)
    rows = raw_rows(orders, texts)
    results: dict[str, list[float]] = {}
    for _ in range(options.repeat):
        with tempfile.TemporaryDirectory() as folder:
            base = Path(folder)
            first = store_first_sync(orders, texts, base)
            for name, seconds in first.items():
                results.setdefault(name, []).append(seconds)
            changes = min(10_000, options.orders)
            results.setdefault("incremental", []).append(store_incremental(orders, base, changes))
            results.setdefault("raw", []).append(raw_executemany(rows, base))
    n = options.orders
    median = {name: statistics.median(values) for name, values in results.items()}
    raw_rate = n / median["raw"]
    ingest_rate = n / median["ingest"]
    print(f"store ingest of {n:,} orders, median of {options.repeat} (orders/s):")
    print(f"  raw sqlite3 executemany, same rows       {raw_rate:10,.0f}")
    print(
        f"  store, first sync (pages + cursor)       {ingest_rate:10,.0f}  "
        f"({ingest_rate / raw_rate:.0%} of raw)"
    )
    runs = ", ".join(
        f"{n / store:,.0f} vs {n / raw:,.0f}"
        for store, raw in zip(results["ingest"], results["raw"], strict=True)
    )
    print(f"    (each run, store vs raw: {runs})")
    ready = median["ingest"] + median["indexes"]
    print(
        f"  store, first sync incl. sort indexes     {n / ready:10,.0f}  "
        f"(indexes built in {median['indexes']:.2f}s)"
    )
    print(
        f"  store, searchable (search entries too)   {n / (ready + median['search']):10,.0f}  "
        f"(search built in {median['search']:.2f}s)"
    )
    changes = min(10_000, n)
    print(f"  store, incremental, every index live     {changes / median['incremental']:10,.0f}")
    if options.query_orders:
        with tempfile.TemporaryDirectory() as folder:
            query_figures(options.query_orders, Path(folder))


if __name__ == "__main__":
    main()
