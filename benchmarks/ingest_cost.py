"""CPU instructions the store spends per order of a first sync: a figure that, unlike wall
time, does not drift with a shared machine's load. Run under callgrind:

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=ingest.out \\
        .venv/bin/python benchmarks/ingest_cost.py
    callgrind_annotate --inclusive=yes ingest.out | head -40   # where they go

Instrumentation is switched on only while `Store.apply_page` stores the pages (as
`bench_store.py` times them: pages of 500, `more_coming`, into an empty cache in a bulk load),
so start-up, making the orders and building indexes afterwards are not counted. Prints the
instructions per order (and the wall time, which under valgrind means little).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import first_sync_pages, make_orders, wire_texts  # (this folder's)

from desktop_app.store import Store


def _callgrind(switch: str) -> None:
    subprocess.run(
        ["callgrind_control", "--instr=" + switch, str(os.getpid())],
        check=True,
        capture_output=True,
    )


def _instructions() -> int | None:
    """Instructions counted so far in this process (None: not under callgrind)."""
    try:
        done = subprocess.run(
            ["callgrind_control", "-e", "Ir", str(os.getpid())], capture_output=True, text=True
        )
    except FileNotFoundError:  # (valgrind is not installed)
        return None
    if done.returncode != 0 or f"PID {os.getpid()}" not in done.stdout:
        return None
    if "instrumentation is switched off" in done.stdout:
        return 0
    # "Totals: Ir" then a line per thread: "Th 1  92,879,831"
    return sum(
        int(count.replace(",", ""))
        for count in re.findall(r"^\s*Th\s+\d+\s+([\d,]+)", done.stdout, re.MULTILINE)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=5_000)
    args = parser.parse_args()
    orders = make_orders(args.orders)
    texts = wire_texts(orders)
    under_callgrind = _instructions() is not None
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "s.sqlite3") as store:
        store.begin_bulk_load()
        if under_callgrind:
            _callgrind("on")
        started = time.perf_counter()
        first_sync_pages(store, orders, texts)
        took = time.perf_counter() - started
        counted = _instructions()  # (read while instrumenting: off, callgrind says nothing)
        if under_callgrind:
            _callgrind("off")
    print(f"{args.orders:,} orders stored in {took:.2f} s", end="")
    if counted is None:
        print(" (not under callgrind: no instruction count; see this script's docstring)")
    else:
        print(f"; {counted / args.orders:,.0f} instructions per order")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
