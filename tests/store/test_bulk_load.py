"""The first sync's bulk load: the WAL while it runs, after it ends, and after a kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from desktop_app.store import OrderQuery, Store

from .factories import NOW, mixed_orders

ROOT = Path(__file__).resolve().parents[2]


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def test_after_a_bulk_load_the_wal_is_copied_into_the_database_and_emptied(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cache.sqlite3"
    orders = mixed_orders(1_200)
    with Store.open(path) as store:
        store.begin_bulk_load()
        for start in range(0, len(orders), 300):
            store.apply_page(orders[start : start + 300], [], f"c{start}", NOW)
        store.end_bulk_load()
        assert _wal(path).stat().st_size == 0
        assert store.order_count() == 1_200
        # Writes after the load go through the WAL (and its usual checkpoints) as before.
        store.apply_page(orders[:10], [], "after", NOW)
        assert store.feed_cursor() == "after"


def test_the_background_checkpoints_end_with_the_bulk_load_and_with_the_store(
    tmp_path: Path,
) -> None:
    def checkpoint_threads() -> int:
        import threading

        return sum(t.name == "orderdesk-checkpoint" for t in threading.enumerate())

    before = checkpoint_threads()
    with Store.open(tmp_path / "cache.sqlite3") as store:
        store.begin_bulk_load()
        store.apply_page(mixed_orders(50), [], "c1", NOW)
        assert checkpoint_threads() == before + 1
        store.end_bulk_load()
        assert checkpoint_threads() == before
        store.apply_page(mixed_orders(5), [], "c2", NOW)  # no bulk load: no thread
        assert checkpoint_threads() == before
    with Store.open(tmp_path / "other.sqlite3") as store:
        store.begin_bulk_load()
        store.apply_page(mixed_orders(50), [], "c1", NOW)
    assert checkpoint_threads() == before  # closed mid-load: stopped with the store


_LOADER = textwrap.dedent(
    """
    import dataclasses
    import sys
    from pathlib import Path
    from desktop_app.store import Store
    from tests.store.factories import NOW, mixed_orders

    orders = mixed_orders(400)
    store = Store.open(Path(sys.argv[1]))
    store.begin_bulk_load()
    page = 0
    while True:  # the same orders again and again, as new versions, until killed
        batch = [dataclasses.replace(o, version=o.version + page) for o in orders]
        store.apply_page(batch, [], f"cursor-{page}", NOW)
        print(page, flush=True)
        page += 1
    """
)


def test_a_kill_during_a_bulk_load_leaves_a_usable_cache_that_resumes(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    loader = subprocess.Popen(
        [sys.executable, "-c", _LOADER, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert loader.stdout is not None
    try:
        committed = [int(loader.stdout.readline()) for _ in range(6)]
    finally:
        loader.send_signal(signal.SIGKILL)
        loader.wait()
        loader.stdout.close()
    assert committed == list(range(6))
    with Store.open(path) as store:
        assert store.in_bulk_load()
        cursor = store.feed_cursor()
        assert cursor is not None and int(cursor.rsplit("-", 1)[1]) >= 5
        page = int(cursor.rsplit("-", 1)[1])
        assert store.order_count() == 400
        # Every order carries the version of the page whose cursor was saved with it.
        versions = {
            order.version - original.version
            for original in mixed_orders(400)
            if (order := store.platform_order(original.id)) is not None
        }
        assert versions == {page}
        store.apply_page(mixed_orders(400)[:5], [], "resumed", NOW)  # older: ignored
        store.end_bulk_load()
        assert _wal(path).stat().st_size == 0
        assert store.count_orders(OrderQuery(), NOW) == 400
        assert store.feed_cursor() == "resumed"
