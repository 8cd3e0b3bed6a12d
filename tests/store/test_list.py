"""The order list: views, sorting, paging, search and positions, all done by SQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from desktop_app.domain import OrderStatus, next_deadline
from desktop_app.store import OrderQuery, OrderView, SortKey, Store
from desktop_app.store.queries import Plan
from desktop_app.store.rows import upsert_orders

from .factories import NOW, make_order, mixed_orders
from .test_search import PLAN_LIMITS, use_limits


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One cache of 400 orders, shared by the read-only tests of this module."""
    with Store.open(tmp_path_factory.mktemp("list") / "cache.sqlite3") as store:
        with store.write() as conn:
            upsert_orders(conn, mixed_orders(400))
        yield store


def test_views_partition_the_orders(filled: Store) -> None:
    counts = filled.view_counts(NOW)
    status_views = [
        view for view in OrderView if view not in (OrderView.ALL, OrderView.NEEDS_ACTION)
    ]
    assert sum(counts[view] for view in status_views) == counts[OrderView.ALL] == 400
    for view in OrderView:
        assert filled.count_orders(OrderQuery(view=view), NOW) == counts[view]
        assert len(filled.list_orders(OrderQuery(view=view), 0, 1000, NOW)) == counts[view]


def test_needs_action_is_requests_and_deliveries_due_within_48_hours(filled: Store) -> None:
    rows = filled.list_orders(OrderQuery(view=OrderView.NEEDS_ACTION), 0, 1000, NOW)
    assert rows
    for row in rows:
        order = filled.get_order(row.id)
        assert order is not None
        if order.status is OrderStatus.PENDING_DELIVERY:
            assert order.deadlines.deliver_by is not None
            assert order.deadlines.deliver_by <= NOW + timedelta(hours=48)
        else:
            assert order.pending_refund or order.pending_extension
    later = filled.count_orders(OrderQuery(view=OrderView.NEEDS_ACTION), NOW + timedelta(days=2))
    assert later != len(rows)  # time moves orders in and out


@pytest.mark.parametrize("sort", list(SortKey))
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize(
    "view", [OrderView.ALL, OrderView.PENDING_DELIVERY, OrderView.NEEDS_ACTION]
)
def test_every_sort_pages_without_gaps_and_positions_agree(
    filled: Store, sort: SortKey, descending: bool, view: OrderView
) -> None:
    query = OrderQuery(view=view, sort=sort, descending=descending)
    total = filled.count_orders(query, NOW)
    whole = filled.list_orders(query, 0, total + 10, NOW)
    pages = []
    for offset in range(0, total, 37):
        pages += filled.list_orders(query, offset, 37, NOW)
    assert [row.id for row in pages] == [row.id for row in whole]
    assert len({row.id for row in whole}) == total
    for index in (0, total // 2, total - 1):
        assert filled.position_of(query, whole[index].id, NOW) == index


def test_sort_orders_are_right(filled: Store) -> None:
    rows = filled.list_orders(OrderQuery(sort=SortKey.DEADLINE), 0, 1000, NOW)
    dues = [row.deadline_at for row in rows if row.deadline_at is not None]
    assert dues == sorted(dues)
    assert rows[-1].deadline_at is None  # no deadline: last
    rows = filled.list_orders(OrderQuery(sort=SortKey.NET, descending=True), 0, 1000, NOW)
    nets = [row.net_settlement.amount for row in rows]
    assert nets == sorted(nets, reverse=True)
    order = filled.get_order(rows[0].id)
    assert order is not None
    deadline = next_deadline(order)
    assert (deadline.due if deadline else None) == rows[0].deadline_at


def test_search_latin_cjk_and_short(store: Store) -> None:
    orders = [
        make_order(1, buyer="王芳", requirements="Make a poster for the spring festival"),
        make_order(2, buyer="Anna Müller", service="Logo redesign"),
        make_order(3, buyer="李雷", requirements="字幕翻译, twenty minutes"),
    ]
    with store.write() as conn:
        upsert_orders(conn, orders)

    def found(text: str) -> set[str]:
        query = OrderQuery(search=text)
        rows = store.list_orders(query, 0, 100, NOW)
        assert store.count_orders(query, NOW) == len(rows)
        return {row.id for row in rows}

    assert found("王芳") == {orders[0].id}  # two characters: the LIKE fallback
    assert found("spring fest") == {orders[0].id}  # requirements, trigram index
    assert found("LOGO RE") == {orders[1].id}  # case-insensitive
    assert found("字幕翻") == {orders[2].id}
    assert found(orders[2].number) == {orders[2].id}
    assert found("000002") == {orders[1].id}
    assert found("nothing like this") == set()


@pytest.mark.parametrize("plan", list(Plan))
@pytest.mark.parametrize("text", ["blue", "bl", "e"])
def test_every_search_plan_gives_the_same_rows(
    filled: Store, plan: Plan, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Few matches are sorted; many are found by walking the sort index, each row tested
    against the set of matches (probe) or its own text (dense; for one or two characters,
    whose walk tests the name keys the index carries, in place of probing)."""
    from desktop_app.store import listing

    monkeypatch.setattr(filled._list, "_plans", {})  # plans chosen by earlier cases
    use_limits(monkeypatch, PLAN_LIMITS[plan])
    chosen = []
    choose = listing.OrderList._choose_plan
    monkeypatch.setattr(
        listing.OrderList,
        "_choose_plan",
        lambda *args: chosen.append(choose(*args)[0]) or choose(*args),
    )
    for view in (OrderView.ALL, OrderView.PENDING_DELIVERY, OrderView.NEEDS_ACTION):
        for sort in (SortKey.DEADLINE, SortKey.BUYER):
            query = OrderQuery(view=view, search=text, sort=sort, descending=True)
            rows = filled.list_orders(query, 0, 1000, NOW)
            plain = [
                r
                for r in filled.list_orders(
                    OrderQuery(view=view, sort=sort, descending=True), 0, 1000, NOW
                )
                if r.id in {x.id for x in rows}
            ]
            assert rows == plain and len(rows) == filled.count_orders(query, NOW)
            if rows:
                assert filled.position_of(query, rows[-1].id, NOW) == len(rows) - 1
                assert filled.list_orders(query, 0, 1, NOW) == rows[:1]
                short_probe = plan is Plan.PROBE and len(text) < 3
                assert chosen[-1] is (Plan.DENSE if short_probe else plan)


@pytest.mark.parametrize("deep", [False, True])
@pytest.mark.parametrize("text", ["Zed", "Z"])  # (a trigram search, a dictionary one)
@pytest.mark.parametrize("walk_first", [False, True])  # (a few thousand matches, or more)
def test_a_walk_goes_only_as_far_as_sorting_the_matches_would_cost(
    store: Store, deep: bool, text: str, walk_first: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matches deeper in the view's order than `PROBE_ROWS_PER_MATCH` rows a match
    (`KEY_ROWS_PER_MATCH` for one or two characters) are sorted (SPARSE), not walked to:
    before, a text whose few thousand matches sat far down the view (or outside it) walked
    the whole view, up to a quarter of a second at 1M."""
    from desktop_app.store import listing

    def buyer(index: int) -> str:
        matching = index >= 36 if deep else index < 4
        return f"Zed Quist {index}" if matching else f"Ann Berg {index}"

    written = [make_order(i, buyer=buyer(i), deliver_in=timedelta(hours=i + 1)) for i in range(40)]
    with store.write() as conn:
        upsert_orders(conn, written)
    thin = -1 if walk_first else 10**9  # (more than `thin` matches: a walk testing text first)
    limits = {"SPARSE_MATCHES": -1, "THIN_MATCHES": thin}
    walks = {"PROBE_ROWS_PER_MATCH": 2, "WALK_BUDGET": 2}
    walks |= {"KEY_ROWS_PER_MATCH": 2, "KEY_WALK_BUDGET": 2}
    use_limits(monkeypatch, {**limits, **walks, "WINDOW": 2})
    walked_plan = Plan.DENSE if len(text) < 3 else Plan.PROBE  # (a few thousand matches)
    chosen: list[Plan] = []
    choose = listing.OrderList._choose_plan

    def recording(*args: object) -> object:
        plan = choose(*args)  # type: ignore[arg-type]
        chosen.append(plan[0])
        return plan

    monkeypatch.setattr(listing.OrderList, "_choose_plan", recording)
    query = OrderQuery(view=OrderView.PENDING_DELIVERY, search=text, sort=SortKey.DEADLINE)
    expected = [o.id for o in written if o.buyer.display_name.startswith("Zed")]

    def listed() -> list[str]:
        store._list._plans.clear()
        return [row.id for row in store.list_orders(query, 0, 10, NOW)]

    assert listed() == expected
    if deep:
        assert chosen[-1] is Plan.SPARSE
    else:
        assert chosen[-1] is (Plan.DENSE if walk_first else walked_plan)
    if deep:  # A longer text walks from the first match of the sorted one: found at once.
        longer = OrderQuery(view=query.view, search={"Zed": "Zed Q", "Z": "Ze"}[text])
        assert [row.id for row in store.list_orders(longer, 0, 10, NOW)] == expected
        assert chosen[-1] is Plan.DENSE
    # A view shorter than the walk allowed: walked to its end, its few matches are all.
    monkeypatch.setattr(listing, "PROBE_ROWS_PER_MATCH", 100)
    monkeypatch.setattr(listing, "KEY_ROWS_PER_MATCH", 100)
    monkeypatch.setattr(listing, "WINDOW", 10)
    assert listed() == expected
    assert chosen[-1] is walked_plan
    # Too many matches to sort: walked (against their set, or their keys) as far as it takes.
    monkeypatch.setattr(listing, "PROBE_ROWS_PER_MATCH", 1)
    monkeypatch.setattr(listing, "KEY_ROWS_PER_MATCH", 1)
    monkeypatch.setattr(listing, "SORTABLE_MATCHES", 0 if walk_first else 10**9)
    assert listed() == expected
    assert chosen[-1] is (walked_plan if walk_first else Plan.SPARSE)


def test_a_short_search_walks_on_from_where_its_first_walk_stopped(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A walk of `KEY_WALK_BUDGET` rows that finds part of a window walks on (as far as
    sorting the matches would cost), keeping what it found: the window is whole and in
    order, and the rows after it are the same as a fresh read's."""

    # Matches at rows 1, 5, 9, ... of 40 (by deadline): 2 in the first walk of 6 rows.
    due = [timedelta(hours=i + 1) for i in range(40)]
    written = [
        make_order(i, buyer=f"Zed {i}" if i % 4 == 1 else f"Ann {i}", deliver_in=due[i])
        for i in range(40)
    ]
    with store.write() as conn:
        upsert_orders(conn, written)
    use_limits(
        monkeypatch,
        {"SPARSE_MATCHES": -1, "KEY_WALK_BUDGET": 6, "KEY_ROWS_PER_MATCH": 4, "WINDOW": 5},
    )
    query = OrderQuery(view=OrderView.PENDING_DELIVERY, search="Ze", sort=SortKey.DEADLINE)
    expected = [o.id for o in written if o.buyer.display_name.startswith("Zed")]
    assert [row.id for row in store.list_orders(query, 0, 5, NOW)] == expected[:5]
    plan, first = store._list._plans[(query.search, query.view, query.sort, query.descending)][1:]
    assert plan is Plan.DENSE and [row.id for row in first] == expected[:5]
    assert [row.id for row in store.list_orders(query, 0, 20, NOW)] == expected
