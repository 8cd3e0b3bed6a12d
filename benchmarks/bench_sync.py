"""Sync figures against a local sandbox (a separate process), each beside a naive baseline
measured in the same run. Prints medians of --repeat runs; not a timed test.

    python benchmarks/bench_sync.py                 # 100,000 orders, 3 runs
    python benchmarks/bench_sync.py --orders 20000 --repeat 1

- parse_order: µs per order validating the feed's payloads (the first 5,000, each parsed
  once per round, several rounds). Baseline: the reference path alone (`parse_order`'s
  field-by-field reading, which it falls back to on a payload its fast path does not take).
- initial sync: an empty cache filled from the feed by the sync engine (pull, store, sort
  indexes, search entries), orders/s end to end. Baseline: the same pages fetched with httpx
  and json-decoded only (what the sandbox and the network alone cost).
- incremental sync of 1,000 changes (buyer messages on 1,000 orders). Baseline: a full
  resync from the start (what a client without a cursor would do).
- push of 1,000 queued operations (messages on distinct orders). Baseline: the same engine
  with one sender (`push_workers=1`), i.e. strictly one request after another.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.domain import SendMessage, parse_order, utc_now
from desktop_app.domain.wire import _parse_order_reference
from desktop_app.platform import MemoryCredentials, PlatformClient
from desktop_app.store import OrderQuery, Store
from desktop_app.sync import SyncEngine

DEMO = ("demo", "demo-password")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def sandbox(orders: int, db: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop_app.sandbox",
            "--port",
            str(port),
            "--orders",
            str(orders),
            "--seed",
            "7",
            "--control",
            "--db",
            str(db),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                httpx.get(f"{url}/openapi.json", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the sandbox did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def signed_in(url: str) -> PlatformClient:
    client = PlatformClient(url, MemoryCredentials(), timeout=120)
    client.sign_in(*DEMO)
    return client


def engine_for(store: Store, client: PlatformClient, **options: object) -> SyncEngine:
    return SyncEngine(store, client, messages_per_cycle=0, **options)  # type: ignore[arg-type]


def baseline_fetch(url: str) -> int:
    """Every feed page with httpx + json only; returns the number of orders."""
    with signed_in(url) as client:
        token = client._access_token
    total, cursor = 0, None
    with httpx.Client(base_url=url, timeout=120) as http:
        while True:
            params: dict[str, str | int] = {"limit": 500}
            if cursor:
                params["cursor"] = cursor
            body = http.get(
                "/v1/orders", params=params, headers={"Authorization": f"Bearer {token}"}
            ).json()
            total += len(body["orders"])
            cursor = body["next_cursor"]
            if not body["has_more"]:
                return total


def feed_payloads(url: str, count: int) -> list[dict[str, object]]:
    """The first `count` orders of the feed, as json-decoded payloads."""
    with signed_in(url) as client:
        token = client._access_token
    payloads: list[dict[str, object]] = []
    with httpx.Client(base_url=url, timeout=120) as http:
        cursor = None
        while len(payloads) < count:
            params: dict[str, str | int] = {"limit": 500}
            if cursor:
                params["cursor"] = cursor
            body = http.get(
                "/v1/orders", params=params, headers={"Authorization": f"Bearer {token}"}
            ).json()
            payloads += body["orders"]
            cursor = body["next_cursor"]
            if not body["has_more"]:
                break
    return payloads[:count]


def per_order(parse: Callable[[object], object], payloads: list[dict[str, object]]) -> float:
    """Seconds per order to parse every payload once."""
    started = time.perf_counter()
    for payload in payloads:
        parse(payload)
    return (time.perf_counter() - started) / len(payloads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--changes", type=int, default=1_000)
    options = parser.parse_args()
    figures: dict[str, list[float]] = {}

    def note(name: str, value: float) -> None:
        figures.setdefault(name, []).append(value)

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        print(f"seeding a sandbox with {options.orders:,} orders per merchant...", flush=True)
        seeded = timed(lambda: None)
        started = time.perf_counter()
        with sandbox(options.orders, base / "sandbox.sqlite3") as url:
            seeded = time.perf_counter() - started
            print(f"  up in {seeded:.0f}s", flush=True)
            control = httpx.Client(base_url=url, timeout=120)
            payloads = feed_payloads(url, 5_000)
            for _ in range(max(5, options.repeat)):  # alternated, so both see the same load
                note("parse_order", per_order(parse_order, payloads))
                note("parse_reference", per_order(_parse_order_reference, payloads))
            for run in range(options.repeat):
                cache = base / f"cache-{run}.sqlite3"
                count = 0

                def first(cache: Path = cache) -> None:
                    nonlocal count
                    with Store.open(cache) as store, signed_in(url) as client:
                        engine_for(store, client).run_once()
                        count = store.order_count()

                note("initial", timed(first))
                note("initial_orders", count)
                fetched = 0

                def fetch() -> None:
                    nonlocal fetched
                    fetched = baseline_fetch(url)

                note("baseline_fetch", timed(fetch))
                note("baseline_orders", fetched)

                with Store.open(cache) as store, signed_in(url) as client:
                    rows = store.list_orders(OrderQuery(), 0, 100_000, utc_now())
                    targets = random.Random(run).sample(rows, min(options.changes, len(rows)))
                    for row in targets:
                        control.post(
                            f"/_sandbox/orders/{row.id}/buyer/message", json={"text": "Hello"}
                        ).raise_for_status()
                    engine = engine_for(store, client)
                    note("incremental", timed(engine.run_once))
                    store.set_state({"cursor": None})
                    note("full_resync", timed(engine.run_once))

                    pushed = random.Random(run + 1).sample(rows, min(options.changes, len(rows)))
                    half = len(pushed) // 2
                    for row in pushed[:half]:
                        store.enqueue(row.id, SendMessage(f"Update {run}"), utc_now())
                    note(
                        "push_parallel", timed(lambda: engine_for(store, client).drain(600)) / half
                    )
                    for row in pushed[half:]:
                        store.enqueue(row.id, SendMessage(f"Update {run}"), utc_now())
                    one = engine_for(store, client, push_workers=1)
                    serial = timed(lambda one=one: one.drain(600))
                    note("push_serial", serial / (len(pushed) - half))
            control.close()

    m = {name: statistics.median(values) for name, values in figures.items()}
    n, r = m["initial_orders"], options.repeat
    print(f"\nsync figures, median of {r} (sandbox seeded in {seeded:.0f}s):")
    print(
        f"  parse_order, per order              {m['parse_order'] * 1e6:9.1f} µs "
        f"({len(payloads):,} feed payloads)"
    )
    print(f"    baseline: reference path          {m['parse_reference'] * 1e6:9.1f} µs")
    print(
        f"  initial sync, end to end            {n / m['initial']:9,.0f} orders/s "
        f"({n:,.0f} orders in {m['initial']:.1f}s)"
    )
    print(
        f"    baseline: fetch + json only       {m['baseline_orders'] / m['baseline_fetch']:9,.0f} "
        f"orders/s"
    )
    print(f"  incremental sync of {options.changes:,} changes    {m['incremental']:9.2f} s")
    print(f"    baseline: full resync             {m['full_resync']:9.2f} s")
    print(
        f"  push of {options.changes:,} operations (per op)  {m['push_parallel'] * 1000:9.1f} ms "
        f"(= {1 / m['push_parallel']:,.0f} ops/s)"
    )
    print(
        f"    baseline: one sender              {m['push_serial'] * 1000:9.1f} ms "
        f"(= {1 / m['push_serial']:,.0f} ops/s)"
    )
    if os.environ.get("BENCH_RAW"):
        print(figures)


if __name__ == "__main__":
    main()
