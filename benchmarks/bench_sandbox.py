"""Sandbox benchmark: prints figures (medians), it is not a test.

- The changes feed over loopback HTTP: pages of 500 orders from the start, in orders/s, beside
  a naive baseline measured in the same run (one ``GET /v1/orders/{id}`` per order).
  Target: >= 2,000 orders/s.
- Seeding a world of 100,000 orders (two merchants, 50,000 each), in seconds. Target: < 60 s.

    .venv/bin/python benchmarks/bench_sandbox.py [--feed-orders 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.sandbox.server import SandboxOptions, open_world, start_sandbox


def timed(run: Callable[[], int], runs: int) -> tuple[float, list[float]]:
    """Median items per second over ``runs`` runs of ``run`` (which returns its item count)."""
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        count = run()
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates), rates


def bench_feed(orders: int, runs: int, baseline_sample: int) -> None:
    print(f"Seeding {orders:,} orders per merchant for the feed benchmark ...", flush=True)
    with start_sandbox(SandboxOptions(orders=orders, seed=7)) as sandbox, httpx.Client(
        base_url=sandbox.url, timeout=120
    ) as http:
        token = http.post("/v1/auth/token", data={
            "grant_type": "password", "username": "demo", "password": "demo-password",
        }).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"

        def whole_feed() -> int:
            count, cursor = 0, None
            while True:
                params: dict[str, str | int] = {"limit": 500}
                if cursor:
                    params["cursor"] = cursor
                page = http.get("/v1/orders", params=params).json()
                count += len(page["orders"])
                cursor = page["next_cursor"]
                if not page["has_more"]:
                    return count

        ids = [o["id"] for o in http.get("/v1/orders", params={"limit": 500}).json()["orders"]]
        sample = (ids * (baseline_sample // len(ids) + 1))[:baseline_sample]

        def one_by_one() -> int:
            for order_id in sample:
                http.get(f"/v1/orders/{order_id}").raise_for_status()
            return len(sample)

        whole_feed()  # warm up
        feed_rate, feed_runs = timed(whole_feed, runs)
        naive_rate, naive_runs = timed(one_by_one, runs)
    print(f"Feed, pages of 500 over HTTP: median {feed_rate:,.0f} orders/s "
          f"(runs: {', '.join(f'{r:,.0f}' for r in feed_runs)}; target >= 2,000)")
    print(f"Naive baseline, one GET per order: median {naive_rate:,.0f} orders/s "
          f"(runs: {', '.join(f'{r:,.0f}' for r in naive_runs)})")
    print(f"Feed / baseline: {feed_rate / naive_rate:.1f}x")


def bench_seed(per_merchant: int, runs: int) -> None:
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        world = open_world(SandboxOptions(orders=per_merchant, seed=7))
        durations.append(time.perf_counter() - started)
        world.close()
    total = 2 * per_merchant
    print(f"Seeding {total:,} orders ({per_merchant:,} per merchant, in memory): median "
          f"{statistics.median(durations):.1f} s "
          f"(runs: {', '.join(f'{d:.1f}' for d in durations)}; target < 60 s; "
          f"{total / statistics.median(durations):,.0f} orders/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feed-orders", type=int, default=10_000, help="orders per merchant")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-sample", type=int, default=1_000)
    parser.add_argument("--seed-orders", type=int, default=50_000, help="per merchant")
    parser.add_argument("--seed-runs", type=int, default=3)
    args = parser.parse_args()
    bench_feed(args.feed_orders, args.runs, args.baseline_sample)
    bench_seed(args.seed_orders, args.seed_runs)


if __name__ == "__main__":
    main()
