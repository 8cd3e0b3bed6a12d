"""Search: the dictionary behind queries of one or two characters and the name keys its walks
test, the backlog of a bulk load, case folding and literal text in every plan, and what
migrations 0005 and 0007 build."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from desktop_app.store import OrderQuery, OrderView, SortKey, Store
from desktop_app.store.queries import Plan
from desktop_app.store.rows import index_search_backlog, upsert_orders
from desktop_app.store.search_terms import name_key

from .factories import NOW, make_order
from .test_migrations import at_revision

# The limits of `listing` that make each plan the choice.
PLAN_LIMITS: dict[Plan, dict[str, int]] = {
    Plan.SPARSE: {"SPARSE_MATCHES": 10**9},
    Plan.PROBE: {
        "SPARSE_MATCHES": -1,
        "THIN_MATCHES": 10**9,
        "PROBE_ROWS_PER_MATCH": 10**9,
    },
    Plan.DENSE: {
        "SPARSE_MATCHES": -1,
        "THIN_MATCHES": -1,
        "WALK_BUDGET": 10**9,
        "WINDOW": 1,
    },
}


def use_limits(monkeypatch: pytest.MonkeyPatch, limits: dict[str, int]) -> None:
    """Set these limits of `listing` (`PLAN_LIMITS[plan]`: the ones that make `plan` the
    choice)."""
    from desktop_app.store import listing

    for name, value in limits.items():
        monkeypatch.setattr(listing, name, value)


def found(store: Store, text: str, view: OrderView = OrderView.ALL) -> set[str]:
    query = OrderQuery(view=view, search=text)
    rows = store.list_orders(query, 0, 1000, NOW)
    assert store.count_orders(query, NOW) == len(rows)
    return {row.id for row in rows}


@pytest.fixture
def orders(store: Store) -> list[str]:
    written = [
        make_order(1, buyer="王芳", service="Poster design", requirements="spring festival"),
        make_order(2, buyer="Anna Müller", service="Logo redesign"),
        make_order(3, buyer="李雷", service="Subtitle translation", requirements="字幕翻译"),
        make_order(4, buyer="Élodie Durand", service="Voice over", requirements="50% off, a_c"),
    ]
    with store.write() as conn:
        upsert_orders(conn, written)
    return [order.id for order in written]


def test_one_or_two_characters_search_buyers_and_services_through_the_dictionary(
    store: Store, orders: list[str]
) -> None:
    assert found(store, "王芳") == {orders[0]}  # a two-character CJK name
    assert found(store, "芳") == {orders[0]}
    assert found(store, "GO") == {orders[1]}  # case-insensitive: "Logo redesign"
    assert found(store, "mü") == {orders[1]}
    assert found(store, "él") == {orders[3]}  # "Élodie": every letter's case folds
    assert found(store, "qz") == set()  # no name holds it: nothing scanned, nothing found
    assert found(store, "字幕") == set()  # requirements need three characters
    assert found(store, "字幕翻") == {orders[2]}
    # The dictionary is the way in: a name taken out of it is no longer found.
    with store.write() as conn:
        conn.exec_driver_sql("DELETE FROM search_terms WHERE term = '王芳'")
    assert found(store, "王芳") == set()
    assert found(store, "spring fest") == {orders[0]}  # (3+ characters: the trigram index)


@pytest.mark.parametrize("plan", list(Plan))
def test_orders_of_a_bulk_load_are_found_before_and_after_their_search_entries(
    store: Store, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (a dense walk joins each walked order to its text or term ids: an order still in the
    # backlog has neither, and is found all the same)

    use_limits(monkeypatch, PLAN_LIMITS[plan])
    order = make_order(7, buyer="田中", service="Menu translation")
    with store.write() as conn:
        upsert_orders(conn, [order], defer_search=True)
        assert conn.exec_driver_sql("SELECT count(*) FROM search_terms").scalar_one() == 0
    assert found(store, "田中") == {order.id}  # from the backlog
    assert found(store, "menu tr") == {order.id}
    with store.write() as conn:
        assert index_search_backlog(conn, 100) == 1
        terms = {t for (t,) in conn.exec_driver_sql("SELECT term FROM search_terms")}
    assert terms == {"田中", "Menu translation"}
    assert found(store, "田中") == {order.id}  # from the dictionary
    assert found(store, "menu tr") == {order.id}


@pytest.mark.parametrize("plan", list(Plan))
def test_every_plan_folds_case_and_takes_the_text_literally(
    store: Store, orders: list[str], plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:

    use_limits(monkeypatch, PLAN_LIMITS[plan])
    for view in (OrderView.ALL, OrderView.PENDING_DELIVERY):
        assert found(store, "élodie", view) == {orders[3]}  # "Élodie"
        assert found(store, "ÉLODIE", view) == {orders[3]}
        assert found(store, "MÜLLER", view) == {orders[1]}
        assert found(store, "50%", view) == {orders[3]}
        assert found(store, "0% o", view) == {orders[3]}
        assert found(store, "%%%", view) == set()  # not a wildcard
        assert found(store, "a_c", view) == {orders[3]}
        assert found(store, "a_d", view) == set()
        assert found(store, "%", view) == set()
        assert found(store, "_", view) == set()


def test_migration_0005_builds_the_dictionary_of_a_filled_cache(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    written = [make_order(1, buyer="王芳"), make_order(2, buyer="Anna Müller")]
    with Store.open(path) as store, store.write() as conn:
        upsert_orders(conn, written)
        upsert_orders(conn, [make_order(3, buyer="李雷")], defer_search=True)
    at_revision(path, "0004")
    with Store.open(path) as store:
        with store.read() as conn:
            terms = {t for (t,) in conn.exec_driver_sql("SELECT term FROM search_terms")}
        assert {"王芳", "Anna Müller"} <= terms and "李雷" not in terms  # (still in the backlog)
        assert found(store, "芳") == {written[0].id}
        assert len(found(store, "李")) == 1
    assert len(list(tmp_path.glob("cache.sqlite3.before-*-from-0004.bak"))) == 1


@pytest.mark.parametrize("plan", [Plan.DENSE, Plan.PROBE])
@pytest.mark.parametrize("descending", [False, True])
def test_typing_a_text_one_character_at_a_time_finds_what_typing_it_at_once_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, descending: bool, plan: Plan
) -> None:
    """A text's walk starts at the first match of the text it extends (its matches are
    among those): the rows are the same as a fresh walk's, in every view."""

    from .factories import mixed_orders

    use_limits(monkeypatch, PLAN_LIMITS[plan])
    with (
        Store.open(tmp_path / "cache.sqlite3") as typed,
        Store.open(tmp_path / "b.sqlite3") as fresh,
    ):
        for store in (typed, fresh):
            with store.write() as conn:
                upsert_orders(conn, mixed_orders(300))
        for view in (OrderView.ALL, OrderView.NEEDS_ACTION, OrderView.COMPLETED):
            for text in ("e", "er", "SO-", "SO-2", "ma", "mar"):
                query = OrderQuery(view=view, search=text, descending=descending)
                assert typed.list_orders(query, 0, 1, NOW) == fresh.list_orders(query, 0, 1, NOW)
                assert typed.list_orders(query, 0, 500, NOW) == fresh.list_orders(
                    query, 0, 500, NOW
                )
                fresh._list._plans.clear()  # (a fresh walk: no text before it)


def test_a_count_given_up_stops_at_once_and_leaves_the_connection_usable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search's count (up to a second at a million orders) gives up once its `cancel` is
    set, so that the reads replacing it get the connection."""
    from desktop_app.store import store as store_module
    from desktop_app.store.store import CountCancelled

    from .factories import mixed_orders

    monkeypatch.setattr(store_module, "CANCEL_CHECK_STEPS", 1)  # (look at every step)
    with Store.open(tmp_path / "cache.sqlite3") as store:
        with store.write() as conn:
            upsert_orders(conn, mixed_orders(200))
        query = OrderQuery(search="e")
        expected = store.count_orders(query, NOW)
        assert expected > 0
        cancel = threading.Event()
        assert store.count_orders(query, NOW, cancel) == expected  # (not set: counted)
        cancel.set()
        with pytest.raises(CountCancelled):
            store.count_orders(query, NOW, cancel)
        # The connection reads on, and no longer looks at that event.
        assert store.count_orders(query, NOW) == expected
        assert len(store.list_orders(query, 0, 500, NOW)) == expected


def _names_with_one_key() -> tuple[str, str]:
    """Two names with the same `name_key`, only the first holding the gram "9x"."""
    seen: dict[int, str] = {}
    for i in range(1_000_000):
        name = f"Käufer 9x{i}" if i % 2 else f"Käufer {i}"
        key = name_key(name)
        other = seen.get(key)
        if other is not None and ("9x" in other) != ("9x" in name):
            return (other, name) if "9x" in other else (name, other)
        seen.setdefault(key, name)
    raise AssertionError("no collision")


@pytest.mark.parametrize("plan", list(Plan))
def test_a_name_whose_key_collides_with_a_matching_one_is_not_found(
    store: Store, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (a walk tests the keys the sort index carries, then reads the names they pick)

    use_limits(monkeypatch, PLAN_LIMITS[plan])
    holding, other = _names_with_one_key()
    assert name_key(holding) == name_key(other) and "9x" not in other
    written = [make_order(1, buyer=other), make_order(2, buyer=holding), make_order(3, buyer=other)]
    with store.write() as conn:
        upsert_orders(conn, written)
    for view in (OrderView.ALL, OrderView.PENDING_DELIVERY):
        assert found(store, "9x", view) == {written[1].id}
        assert found(store, "9X", view) == {written[1].id}


@pytest.mark.parametrize("view", list(OrderView))
def test_a_short_search_walks_the_sort_index_alone(store: Store, view: OrderView) -> None:
    """A common gram's walk tests the name keys every sort index carries: each order walked
    is read from the index only (a few bytes), never from the table."""
    from desktop_app.store.listing import WINDOW
    from desktop_app.store.queries import WALKED_COLUMNS, match_join, order_by, view_filter

    for key in SortKey:
        query = OrderQuery(view=view, sort=key, search="ab")
        walk = view_filter(query, NOW)
        sql = (
            f"SELECT walked.pk FROM (SELECT {WALKED_COLUMNS} FROM orders INDEXED BY "
            f"{walk.index} WHERE {walk.where} ORDER BY {order_by(query)} LIMIT 100) AS walked "
            f"{match_join(query.search, 'walked')} LIMIT {WINDOW}"
        )
        with store.read() as conn:
            plan = [
                str(row[-1])
                for row in conn.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {sql}", {**walk.params, "gram": "ab", "pattern": "%ab%"}
                )
            ]
        scans = [step for step in plan if walk.index in step]
        assert scans and all("COVERING INDEX" in step for step in scans), plan
        assert not any("TEMP B-TREE" in step for step in plan), plan  # (still in order)


def test_migration_0007_gives_every_sort_index_the_name_keys(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    written = [make_order(i, buyer=f"王芳 {i % 3}", service=f"Logo {i % 2}") for i in range(30)]
    with Store.open(path) as store, store.write() as conn:
        upsert_orders(conn, written)
    at_revision(path, "0006")
    with Store.open(path) as store:
        with store.read() as conn:
            rows = conn.exec_driver_sql(
                "SELECT buyer_name, buyer_key, service_title, service_key FROM orders"
            ).all()
            indexes = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE name LIKE 'ix_sort_%'"
            ).all()
            gone = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE name = 'search_order_terms'"
            ).first()
        assert len(rows) == 30 and gone is None
        assert all(b == name_key(buyer) and s == name_key(service) for buyer, b, service, s in rows)
        assert len(indexes) == 30
        assert all("pk, buyer_key, service_key)" in sql for _, sql in indexes)
        assert len(found(store, "芳 1")) == 10
        assert len(found(store, "王")) == 30
        assert len(found(store, "o 1")) == 15
    assert len(list(tmp_path.glob("cache.sqlite3.before-*-from-0006.bak"))) == 1


def test_migration_0007_during_a_bulk_load_leaves_the_keys_to_its_end(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Store.open(path) as store:
        store.begin_bulk_load()
        with store.write() as conn:
            upsert_orders(conn, [make_order(1, buyer="李雷")], defer_search=True)
    at_revision(path, "0006")
    with Store.open(path) as store:
        with store.read() as conn:
            deferred = conn.exec_driver_sql(
                "SELECT sql FROM deferred_indexes WHERE name LIKE 'ix_sort_%'"
            ).scalars().all()
            present = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE 'ix_sort_%'"
            ).scalar_one()
        assert len(deferred) == 30 and present == 0
        assert all("pk, buyer_key, service_key)" in sql for sql in deferred)
        store.end_bulk_load()
        store.index_search()
        with store.read() as conn:
            built = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name LIKE 'ix_sort_%'"
            ).scalars().all()
        assert len(built) == 30 and all("buyer_key, service_key)" in sql for sql in built)
        assert len(found(store, "李")) == 1


@pytest.fixture
def zeds(store: Store) -> list[str]:
    """40 orders due one hour apart; every fourth buyer is a "Zed"."""
    names = [f"Zed {i}" if i % 4 == 1 else f"Ann {i}" for i in range(41)]
    written = [
        make_order(i, buyer=names[i], deliver_in=timedelta(hours=i)) for i in range(1, 41)
    ]
    with store.write() as conn:
        upsert_orders(conn, written)
    return [order.id for order in written]


def test_read_ahead_reads_what_the_next_keystroke_walks(
    store: Store, zeds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.store import listing

    view = OrderQuery(view=OrderView.PENDING_DELIVERY, sort=SortKey.DEADLINE)
    short = replace(view, search="Ze")
    store.list_orders(short, 0, 10, NOW)
    assert store.read_ahead(short, NOW) == 40  # (the next text walks from the top)
    monkeypatch.setattr(listing, "READ_AHEAD_ROWS", 7)
    assert store.read_ahead(short, NOW) == 7
    # A walked text: the rows past its first window (the next text walks on from there).
    use_limits(monkeypatch, {**PLAN_LIMITS[Plan.DENSE], "WINDOW": 2, "FLOOR_WALK_BUDGET": 5})
    longer = replace(view, search="Zed")
    assert [row.id for row in store.list_orders(longer, 0, 2, NOW)] == [zeds[0], zeds[4]]
    assert store.read_ahead(longer, NOW) == 5
    monkeypatch.setattr(listing, "FLOOR_WALK_BUDGET", 100)
    assert store.read_ahead(longer, NOW) == 35  # (orders 6..40)
    # Few matches, sorted: a longer text has fewer still; nothing to read ahead.
    use_limits(monkeypatch, PLAN_LIMITS[Plan.SPARSE])
    sorted_text = replace(view, search="Zed 1")
    store.list_orders(sorted_text, 0, 10, NOW)
    assert store.read_ahead(sorted_text, NOW) == 0


def test_read_ahead_gives_way_to_any_other_use_of_the_store(
    store: Store, zeds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.store import store as store_module

    monkeypatch.setattr(store_module, "CANCEL_CHECK_STEPS", 1)
    query = OrderQuery(search="Ze")
    cancel = threading.Event()
    cancel.set()
    assert store.read_ahead(query, NOW, cancel) is None
    listed: list[int] = []
    with store._lock:  # (the connection busy: a list read waits for it)
        reader = threading.Thread(target=lambda: listed.append(len(found(store, "Ze"))))
        reader.start()
        deadline = time.monotonic() + 10
        while store._lock.waiting == 0 and time.monotonic() < deadline:
            time.sleep(0.001)
        assert store.read_ahead(query, NOW) is None
    reader.join(10)
    assert listed == [10]
    assert store.read_ahead(query, NOW) == 40  # (idle again: read to the end)
