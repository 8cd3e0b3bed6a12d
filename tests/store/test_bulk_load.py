"""The first sync's bulk load: the WAL while it runs, after it ends, and after a kill -9."""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop_app.store import OrderQuery, OrderView, Store
from desktop_app.store.store import HELD_PAGES

from .factories import NOW, make_order, mixed_orders

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
    hold = sys.argv[2] == "hold"
    store.begin_bulk_load()
    page = 0
    while True:  # the same orders again and again, as new versions, until killed
        batch = [dataclasses.replace(o, version=o.version + page) for o in orders]
        store.apply_page(batch, [], f"cursor-{page}", NOW, more_coming=hold)
        print(page, flush=True)  # (held: stored, and committed with a later page)
        page += 1
    """
)


@pytest.mark.parametrize("pages", ["one by one", "hold"])
def test_a_kill_during_a_bulk_load_leaves_a_usable_cache_that_resumes(
    tmp_path: Path, pages: str
) -> None:
    path = tmp_path / "cache.sqlite3"
    loader = subprocess.Popen(
        [sys.executable, "-c", _LOADER, str(path), pages],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert loader.stdout is not None
    stored = 6 if pages == "one by one" else 3 * HELD_PAGES
    try:
        printed = [int(loader.stdout.readline()) for _ in range(stored)]
    finally:
        loader.send_signal(signal.SIGKILL)
        loader.wait()
        loader.stdout.close()
    assert printed == list(range(stored))
    with Store.open(path) as store:
        assert store.in_bulk_load()
        cursor = store.feed_cursor()
        assert cursor is not None
        page = int(cursor.rsplit("-", 1)[1])
        # Held pages commit in groups: at least the first full group is in.
        assert page >= (5 if pages == "one by one" else HELD_PAGES - 1)
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


def _orders_by_view(store: Store) -> dict[OrderView, int]:
    """The view counters, checked against counting the rows of each view."""
    counts = store.view_counts(NOW)
    for view in OrderView:
        if view is not OrderView.NEEDS_ACTION:
            assert counts[view] == store.count_orders(OrderQuery(view=view), NOW), view
    return counts


def test_view_counts_stay_right_through_a_bulk_load_its_restart_and_after(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cache.sqlite3"
    orders = mixed_orders(300)
    with Store.open(path) as store:
        store.begin_bulk_load()  # the insert trigger is off: pages add their own counts
        store.apply_page(orders[:100], [], "c1", NOW, more_coming=True)
        store.apply_page(orders[100:200], [], "c2", NOW)
        assert _orders_by_view(store)[OrderView.ALL] == 200
    with Store.open(path) as store:  # restarted mid-load
        assert store.in_bulk_load()
        moved = dataclasses.replace(
            orders[0], version=orders[0].version + 1, status=orders[5].status
        )
        assert moved.status is not orders[0].status
        store.apply_page([moved, *orders[200:]], [], "c3", NOW)
        store.end_bulk_load()
        assert _orders_by_view(store)[OrderView.ALL] == 300
        # The trigger is back: a new order is counted once, by it.
        store.apply_page([make_order(900, status="completed")], [], "c4", NOW)
        assert _orders_by_view(store)[OrderView.ALL] == 301


def test_during_a_bulk_load_needs_action_and_wanted_conversations_read_without_indexes(
    store: Store,
) -> None:
    orders = [
        dataclasses.replace(order, last_message_at=NOW) if index % 3 == 0 else order
        for index, order in enumerate(mixed_orders(120))
    ]
    store.apply_page(orders[:60], [], "c0", NOW)
    wanted_before = store.orders_wanting_messages(500)
    needs_before = store.list_orders(OrderQuery(view=OrderView.NEEDS_ACTION), 0, 500, NOW)
    store.begin_bulk_load()
    with store.read() as conn:
        names = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
    assert "ix_needs_action" not in names and "ix_messages_wanted" not in names
    assert sorted(store.orders_wanting_messages(500)) == sorted(wanted_before)  # (ties: any order)
    assert store.list_orders(OrderQuery(view=OrderView.NEEDS_ACTION), 0, 500, NOW) == needs_before
    assert wanted_before and needs_before
    store.apply_page(orders[60:], [], "c1", NOW)
    store.end_bulk_load()
    with store.read() as conn:
        names = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
    assert {"ix_needs_action", "ix_messages_wanted", "orders_count_insert"} <= names
    assert len(store.orders_wanting_messages(500)) == 40


def test_held_pages_share_a_commit_made_by_the_next_call_at_the_latest(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    orders = mixed_orders(40)
    with Store.open(path) as store, Store.open(path) as other:
        store.begin_bulk_load()
        store.apply_page(orders[:10], [], "c1", NOW, more_coming=True)
        store.apply_page(orders[10:20], [], "c2", NOW, more_coming=True)
        assert other.feed_cursor() is None and other.order_count() == 0  # not committed yet
        assert store.feed_cursor() == "c2"  # any call commits them first
        assert other.feed_cursor() == "c2" and other.order_count() == 20
        store.apply_page(orders[20:30], [], "c3", NOW, more_coming=True)
        store.apply_page(orders[30:], [], "c4", NOW)  # the last page: committed with it
        assert other.feed_cursor() == "c4" and other.order_count() == 40
        for page in range(HELD_PAGES):  # a group never grows past HELD_PAGES
            store.apply_page([make_order(100 + page)], [], f"g{page}", NOW, more_coming=True)
        assert other.feed_cursor() == f"g{HELD_PAGES - 1}"
        store.end_bulk_load()
        # Outside a bulk load a page is committed at once, `more_coming` or not.
        store.apply_page([make_order(200)], [], "after", NOW, more_coming=True)
        assert other.feed_cursor() == "after"


def _refuse_number(path: Path, number: str) -> None:
    """A real failure inside the store's transaction: the database itself refuses a row."""
    with sqlite3.connect(path) as raw:
        raw.execute(
            f"CREATE TRIGGER refuse AFTER INSERT ON orders WHEN NEW.number = '{number}' "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )


def test_an_error_in_a_held_group_rolls_back_its_pages_and_cursors_together(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cache.sqlite3"
    with Store.open(path) as store:
        _refuse_number(path, "SO-BAD")
        store.begin_bulk_load()
        orders = mixed_orders(30)
        store.apply_page(orders[:10], [], "c1", NOW)
        store.apply_page(orders[10:20], [], "c2", NOW, more_coming=True)
        bad = dataclasses.replace(make_order(99), number="SO-BAD")
        with pytest.raises(sqlite3.IntegrityError):
            store.apply_page([bad], [], "c3", NOW, more_coming=True)
        assert store.feed_cursor() == "c1" and store.order_count() == 10
        store.apply_page(orders[10:], [], "c2-again", NOW)  # the feed is read again from c1
        assert store.feed_cursor() == "c2-again" and store.order_count() == 30
        assert _orders_by_view(store)[OrderView.ALL] == 30  # the group's counts went too


def _synchronous(store: Store) -> int:
    with store.read() as conn:
        return int(conn.exec_driver_sql("PRAGMA synchronous").scalar_one())


def test_only_a_bulk_loads_own_pages_commit_without_waiting_for_the_disk(tmp_path: Path) -> None:
    full = 2
    path = tmp_path / "cache.sqlite3"
    with Store.open(path) as store:
        _refuse_number(path, "SO-BAD")
        assert _synchronous(store) == full
        store.begin_bulk_load()
        store.apply_page(mixed_orders(10), [], "c1", NOW, more_coming=True)
        assert _synchronous(store) == full  # (the read committed the group first)
        store.apply_page(mixed_orders(20)[10:], [], "c2", NOW)
        assert _synchronous(store) == full
        bad = dataclasses.replace(make_order(99), number="SO-BAD")
        with pytest.raises(sqlite3.IntegrityError):
            store.apply_page([bad], [], "c3", NOW, more_coming=True)
        assert _synchronous(store) == full  # after a rollback too
        store.end_bulk_load()
        store.apply_page([make_order(100)], [], "c4", NOW, more_coming=True)
        assert _synchronous(store) == full
