"""Writing platform snapshots: versions, overlays, counters, bulk loads and the document."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from desktop_app.domain import (
    ConfirmDelivery,
    DeadlineKind,
    Deadlines,
    Money,
    Order,
    OrderStatus,
    minor_units,
    next_deadline,
    order_to_wire,
)
from desktop_app.store import OrderQuery, OrderView, Store
from desktop_app.store.codec import (
    DEADLINE_NONE,
    NEEDS_ACTION_LEAD,
    ORDER_COLUMNS,
    TIME_MAX,
    clock_columns,
    order_columns,
    search_text,
    to_micros,
)
from desktop_app.store.connection import driver_of
from desktop_app.store.document import encode_order
from desktop_app.store.rows import ROWS_PER_STATEMENT, upsert_orders
from desktop_app.store.sync_side import FeedInvalid

from .factories import NOW, make_order, mixed_orders


def test_the_fast_document_is_the_contract_json(store: Store) -> None:
    for order in mixed_orders(64):
        assert json.loads(encode_order(order)) == order_to_wire(order)
    odd = replace(make_order(9), allowed_actions=frozenset(), raw_status="")
    assert json.loads(encode_order(odd)) == order_to_wire(odd)


def test_list_amounts_are_the_wire_amounts_and_sort_keys_the_minor_units() -> None:
    at = {name: index for index, name in enumerate(ORDER_COLUMNS)}
    for order in mixed_orders(200):
        columns = order_columns(order)
        settlement = order.finance.settlement
        digits = minor_units(settlement.net_receipt.currency)
        assert columns[at["paid_amount"]] == order.finance.buyer_paid.wire_amount()
        assert columns[at["net_amount"]] == settlement.net_receipt.wire_amount()
        assert columns[at["net_sort"]] == settlement.net_receipt.amount.scaleb(digits)
        paid_in_settlement = Money.rounded(
            order.finance.buyer_paid.amount * settlement.fx_rate, settlement.net_receipt.currency
        )
        assert columns[at["paid_sort"]] == paid_in_settlement.amount.scaleb(digits)


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("1234.50", "EUR", 123450),
        ("-0.50", "EUR", -50),
        ("0.00", "EUR", 0),
        ("1200", "JPY", 1200),
        ("0.001", "KWD", 1),
        ("-12.340", "KWD", -12340),
        ("98765432109876543.21", "USD", 9876543210987654321),
    ],
)
def test_the_net_amount_column_and_its_sort_key(amount: str, currency: str, minor: int) -> None:
    # The sort key is read off the amount's text: exact for every quantized amount.
    order = make_order(1)
    settlement = replace(order.finance.settlement, net_receipt=Money.parse(amount, currency))
    order = replace(order, finance=replace(order.finance, settlement=settlement))
    columns = dict(zip(ORDER_COLUMNS, order_columns(order), strict=True))
    assert columns["net_amount"] == amount and columns["net_currency"] == currency
    assert (
        columns["net_sort"] == minor == settlement.net_receipt.amount.scaleb(minor_units(currency))
    )


@pytest.mark.parametrize(
    ("fx_rate", "key"), [("0.125", 12), ("0.135", 14), ("0.145", 14), ("0.1251", 13)]
)
def test_the_paid_sort_key_rounds_half_to_even(fx_rate: str, key: int) -> None:
    order = make_order(1)
    dollar, nothing = Money.parse("1.00", "USD"), Money.parse("0.00", "USD")
    finance = replace(
        order.finance,
        buyer_paid=dollar,
        service_fee=nothing,
        payment_fee=nothing,
        net_receipt=dollar,
        refunded=None,
        settlement=replace(order.finance.settlement, fx_rate=Decimal(fx_rate)),
    )
    columns = dict(zip(ORDER_COLUMNS, order_columns(replace(order, finance=finance)), strict=True))
    assert columns["paid_sort"] == key and type(columns["paid_sort"]) is int


def needs_action_window(order: Order) -> tuple[int, int] | None:
    """[from, until) in micros during which the order needs my action, or None: the rule
    `clock_columns` computes, stated plainly."""
    match order.status:
        case OrderStatus.PENDING_DELIVERY if order.deadlines.deliver_by is not None:
            return to_micros(order.deadlines.deliver_by - NEEDS_ACTION_LEAD), TIME_MAX
        case OrderStatus.REFUND_REQUESTED if order.pending_refund is not None:
            due = order.pending_refund.respond_by or order.deadlines.respond_by
            return 0, to_micros(due) if due is not None else TIME_MAX
        case OrderStatus.AWAITING_CONFIRMATION if order.pending_extension is not None:
            due = order.pending_extension.respond_by or order.deadlines.respond_by
            return 0, to_micros(due) if due is not None else TIME_MAX
        case _:
            return None


def _clock_variants(order: Order) -> Iterator[Order]:
    """`order`, and copies missing each date a deadline can come from."""
    yield order
    for name in ("deliver_by", "confirm_by", "respond_by"):
        yield replace(order, deadlines=replace(order.deadlines, **{name: None}))
    no_dates = replace(order, deadlines=Deadlines())
    yield no_dates
    for subject in (order, no_dates):
        if subject.extension_request is not None:
            request = replace(subject.extension_request, respond_by=None)
            yield replace(subject, extension_request=request)
        if subject.refund_request is not None:
            yield replace(subject, refund_request=replace(subject.refund_request, respond_by=None))


def test_clock_columns_are_next_deadline_and_the_needs_action_window() -> None:
    seen: set[object] = set()
    for order in (v for o in mixed_orders(600) for v in _clock_variants(o)):
        deadline = next_deadline(order)
        window = needs_action_window(order)
        expected = (
            DEADLINE_NONE if deadline is None else to_micros(deadline.due),
            None if deadline is None else deadline.kind.value,
            None if deadline is None else deadline.actor.value,
            *(window or (None, None)),
        )
        assert clock_columns(order) == expected, order
        seen.add((order.status, expected[1], window is None, window and window[1] == TIME_MAX))
    kinds = {kind for _, kind, _, _ in seen}
    assert kinds == {None, *(kind.value for kind in DeadlineKind)}
    assert len(seen) >= 12  # every status with and without each of its clocks


@pytest.mark.parametrize("bulk", [True, False])
def test_new_rows_go_in_many_per_statement_within_sqlites_variable_limit(
    tmp_path: Path, bulk: bool
) -> None:
    # SQLite before 3.32 (and builds that lower it) allows 999 variables in a statement: a
    # page of new orders is split to fit, and every row lands whole and once.
    orders = mixed_orders(ROWS_PER_STATEMENT * 2 + 7)
    with Store.open(tmp_path / "cache.sqlite3") as store:
        with store.write() as conn:
            driver_of(conn).setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
        if bulk:
            store.begin_bulk_load()
        store.apply_page(orders, [], "c1", NOW)
        with store.read() as conn:
            # Each row's pk (numbered by the statements) is the one of its document and, in a
            # bulk load, of its search backlog entry.
            stored = conn.exec_driver_sql(
                "SELECT o.pk, o.id, d.document, b.search_text FROM orders o "
                "JOIN order_documents d ON d.pk = o.pk "
                "LEFT JOIN search_backlog b ON b.pk = o.pk ORDER BY o.pk"
            ).all()
        assert [(pk, order_id) for pk, order_id, _, _ in stored] == [
            (index, order.id) for index, order in enumerate(orders, 1)
        ]
        for (_, _, document, text), order in zip(stored, orders, strict=True):
            assert document == encode_order(order)
            assert text == (search_text(order) if bulk else None)
        if bulk:
            store.end_bulk_load()
            while store.index_search():
                pass
        assert store.order_count() == len(orders)
        for order in orders:
            assert store.get_order(order.id) == order
        assert store.count_orders(OrderQuery(search=orders[-1].number), NOW) == 1
        counts = store.view_counts(NOW)
        assert counts[OrderView.ALL] == len(orders)


@pytest.mark.parametrize("bulk", [True, False])
def test_new_rows_hold_their_columns_nulls_included(store: Store, bulk: bool) -> None:
    # New rows bind their NULLs as a stand-in value the statement turns back into NULL.
    orders = [*mixed_orders(300), replace(make_order(1000), last_message_at=NOW)]
    if bulk:
        store.begin_bulk_load()
    store.apply_page(orders, [], "c1", NOW)
    with store.read() as conn:
        stored = conn.exec_driver_sql(
            f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders ORDER BY pk"
        ).all()
    assert [tuple(row) for row in stored] == [order_columns(order) for order in orders]
    assert {value for row in stored for value in row if value is None} == {None}


def test_a_page_and_its_cursor_are_stored_together(store: Store) -> None:
    orders = mixed_orders(30)
    changed = store.apply_page(orders, [FeedInvalid("bad-1", "SO-X", "finance: nope")], "c1", NOW)
    assert set(changed) == {o.id for o in orders}
    assert store.feed_cursor() == "c1"
    assert store.sync_status().invalid_orders == 1
    store.apply_page([], [], "c2", NOW)
    assert store.feed_cursor() == "c2"
    store.restart_feed()
    assert store.feed_cursor() is None


def test_an_older_snapshot_never_replaces_a_newer_one(store: Store) -> None:
    newer = make_order(1, status="awaiting_confirmation", version=3)
    store.apply_page([newer], [], "c1", NOW)
    assert store.apply_page([make_order(1, version=2)], [], "c2", NOW) == []
    cached = store.get_order(newer.id)
    assert cached is not None and cached.version == 3
    assert store.feed_cursor() == "c2"


def test_a_pulled_snapshot_is_overlaid_with_pending_operations(store: Store) -> None:
    store.apply_page([make_order(1)], [], "c1", NOW)
    store.enqueue(make_order(1).id, ConfirmDelivery(), NOW)
    store.apply_page([make_order(1, version=2, unread=3)], [], "c2", NOW)
    shown = store.get_order(make_order(1).id)
    assert shown is not None
    assert shown.status is OrderStatus.AWAITING_CONFIRMATION and shown.unread_messages == 3
    assert store.count_orders(OrderQuery(view=OrderView.AWAITING_CONFIRMATION), NOW) == 1
    assert store.count_orders(OrderQuery(view=OrderView.PENDING_DELIVERY), NOW) == 0


def test_view_counters_follow_status_changes(store: Store) -> None:
    store.apply_page([make_order(i) for i in range(5)], [], "c1", NOW)
    store.apply_page([make_order(0, status="completed", version=2)], [], "c2", NOW)
    counts = store.view_counts(NOW)
    assert counts[OrderView.PENDING_DELIVERY] == 4 and counts[OrderView.COMPLETED] == 1
    assert counts[OrderView.ALL] == 5


def test_a_bulk_load_defers_indexes_and_search_but_reads_keep_working(store: Store) -> None:
    store.begin_bulk_load()
    assert store.in_bulk_load()
    orders = mixed_orders(120)
    store.apply_page(orders[:60], [], "c1", NOW)
    store.apply_page(orders[60:], [], "c2", NOW)
    # Mid-load the GUI still lists, sorts and searches (without the sort indexes).
    query = OrderQuery(view=OrderView.PENDING_DELIVERY)
    rows = store.list_orders(query, 0, 500, NOW)
    assert len(rows) == store.count_orders(query, NOW) > 0
    assert store.position_of(query, rows[3].id, NOW) == 3
    assert store.count_orders(OrderQuery(search="blue, order 77"), NOW) == 1  # the backlog
    store.end_bulk_load()
    assert not store.in_bulk_load() and store.search_backlog() == 120
    while store.index_search(50):
        pass
    assert store.count_orders(OrderQuery(search="blue, order 77"), NOW) == 1  # the index
    assert store.list_orders(query, 0, 500, NOW) == rows


def test_search_entries_follow_changed_text(store: Store) -> None:
    store.apply_page([make_order(1, buyer="Alice Example")], [], "c1", NOW)
    assert store.count_orders(OrderQuery(search="Alice"), NOW) == 1
    store.apply_page([make_order(1, version=2, buyer="Bob Example")], [], "c2", NOW)
    assert store.count_orders(OrderQuery(search="Alice"), NOW) == 0
    assert store.count_orders(OrderQuery(search="Bob E"), NOW) == 1


def test_conversations_are_wanted_when_the_platform_has_newer_messages(store: Store) -> None:
    order = replace(make_order(1), last_message_at=NOW)
    store.apply_page([order, make_order(2)], [], "c1", NOW)
    assert [oid for oid, _ in store.orders_wanting_messages(10)] == [order.id]
    store.store_conversation(order.id, [], complete=True)
    assert store.orders_wanting_messages(10) == []
    store.request_messages(make_order(2).id)
    assert store.orders_wanting_messages(10)[0][0] == make_order(2).id


def test_upsert_in_the_callers_transaction(store: Store) -> None:
    with store.write() as conn:
        assert upsert_orders(conn, []) == []
        assert upsert_orders(conn, [make_order(1), make_order(1)]) == [make_order(1).id]


def _stored_document(store: Store, order_id: str) -> str:
    with store.read() as conn:
        return str(
            conn.exec_driver_sql(
                "SELECT d.document FROM orders o JOIN order_documents d ON d.pk = o.pk "
                "WHERE o.id = ?",
                (order_id,),
            ).scalar_one()
        )


def test_a_feed_page_keeps_each_order_as_the_platform_sent_it(store: Store) -> None:
    orders = mixed_orders(40)
    # The platform's own spelling: member order, spacing, escapes and members we do not know.
    sent = [
        json.dumps({"from_a_newer_platform": True, **order_to_wire(o)}, sort_keys=True, indent=1)
        for o in orders
    ]
    store.begin_bulk_load()
    store.apply_page(orders[:20], [], "c1", NOW, documents=sent[:20])
    store.end_bulk_load()
    store.apply_page(orders[20:], [], "c2", NOW, documents=sent[20:])
    for order, text in zip(orders, sent, strict=True):
        assert _stored_document(store, order.id) == text
        assert store.platform_order(order.id) == order
    # Snapshots that come without their text (answers, conflicts) are encoded as before.
    answer = replace(orders[0], version=orders[0].version + 1, unread_messages=4)
    store.store_platform_order(answer)
    assert _stored_document(store, answer.id) == encode_order(answer)


def test_documents_must_match_the_orders_one_for_one(store: Store) -> None:
    orders = mixed_orders(3)
    with pytest.raises(ValueError, match="2 documents for 3 orders"):
        store.apply_page(orders, [], "c1", NOW, documents=["{}", "{}"])
    assert store.feed_cursor() is None and store.is_empty()
