"""The detail tabs over orders synced from the sandbox: money in each currency's own minor
units, buyer text as plain text, the actions with the domain's reasons, our operations."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop_app.domain import ActionKind, Order, SendMessage, availability, utc_now
from desktop_app.store import OrderQuery, OrderRow, OrderView, Store
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.models.order_table_model import ORDER_ROW_ROLE

from .conftest import SyncedCache

HOSTILE = (
    '<b>Bold?</b> <a href="https://evil.example">click</a> <img src=x onerror="alert(1)">'
    "\n<script>alert('x')</script> &amp; <i>done</i>"
)


def synced_order(qtbot: QtBot, window: MainWindow, currency: str) -> Order:
    """An order paid in `currency`, chosen in the window (in the All view)."""
    window.views.select_view(OrderView.ALL)
    qtbot.waitUntil(lambda: window.settled)
    store = window.detail._source  # the window's own read connection
    assert isinstance(store, Store)
    rows = store.list_orders(OrderQuery(), 0, 1000, utc_now())
    row = next(r for r in rows if r.paid.currency == currency)
    assert window.select_order(row.id)
    order = window.detail.order
    assert order is not None and order.id == row.id
    return order


@pytest.mark.parametrize(
    ("currency", "digits"), [("JPY", 0), ("KWD", 3)], ids=["JPY-no-minor-units", "KWD-three"]
)
def test_finances_show_the_orders_money_with_its_currencys_minor_units(
    qtbot: QtBot, window: MainWindow, synced: SyncedCache, currency: str, digits: int
) -> None:
    order = synced_order(qtbot, window, currency)
    platform = synced.client.get_order(order.id)  # what the platform itself says
    finances = window.detail.finances
    window.detail.tabs.setCurrentWidget(finances)

    def en_us(amount: Decimal) -> str:
        # en_US: the sign, the currency's symbol, grouping by thousands, `digits` decimals.
        symbol = {"JPY": "¥", "KWD": "KWD"}[currency]
        sign = "-" if amount < 0 else ""
        return f"{sign}{symbol}{abs(amount):,.{digits}f}"

    paid = platform.finance.buyer_paid
    assert paid.currency == currency
    assert finances.buyer_paid.text() == en_us(paid.amount)
    assert finances.service_fee.text() == en_us(-platform.finance.service_fee.amount)
    assert finances.payment_fee.text() == en_us(-platform.finance.payment_fee.amount)
    assert finances.net_receipt.text() == en_us(platform.finance.net_receipt.amount)
    if digits == 0:
        assert "." not in finances.buyer_paid.text()
    else:
        assert finances.buyer_paid.text().split(".")[-1].isdigit()
        assert len(finances.buyer_paid.text().split(".")[-1]) == 3
    settlement = platform.finance.settlement
    assert finances.fx_rate.text() == f"1 {currency} = {settlement.fx_rate} {settlement.currency}"
    assert finances.settlement_net.text() == window._ctx.formatter.money(settlement.net_receipt)
    assert finances.settlement_box.title().endswith(f"({settlement.currency})")


def test_a_buyer_message_with_html_is_shown_as_plain_text(
    qtbot: QtBot, window: MainWindow, synced: SyncedCache
) -> None:
    order = synced_order(qtbot, window, "JPY")
    synced.platform.buyer_message(order.id, HOSTILE)
    synced.engine.request_messages(order.id)
    synced.sync()  # the engine's events reach the window through its bridge
    messages = window.detail.messages
    window.detail.tabs.setCurrentWidget(messages)

    def shown() -> bool:
        return any(b.body.text() == HOSTILE for b in messages.bubbles())

    qtbot.waitUntil(shown, timeout=10_000)
    bubble = next(b for b in messages.bubbles() if b.body.text() == HOSTILE)
    assert bubble.body.textFormat() == Qt.TextFormat.PlainText
    assert "<b>" in bubble.body.text()  # shown verbatim, not interpreted
    assert "buyer's time" in bubble.header.text()
    for label in window.detail.findChildren(QLabel):
        if label.text():
            assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()


def test_overview_lists_the_actions_with_the_domains_reasons(
    qtbot: QtBot, window: MainWindow
) -> None:
    order = synced_order(qtbot, window, "JPY")
    overview = window.detail.overview
    answers = availability(order, utc_now())
    for kind, button in overview.action_buttons.items():
        assert button.isEnabled() == answers[kind].allowed
        reason = answers[kind].reason
        if reason is not None:
            assert reason in button.toolTip()
    assert overview.action_buttons[ActionKind.SEND_MESSAGE].isEnabled()
    assert order.number in overview.title.text()
    assert overview.timeline.topLevelItemCount() >= 1
    assert "must act" in overview.must_act.text() or "Nothing" in overview.must_act.text()


def test_requirements_show_the_package_and_the_buyers_text(
    qtbot: QtBot, window: MainWindow
) -> None:
    order = synced_order(qtbot, window, "KWD")
    tab = window.detail.requirements
    assert tab.requirements_text.isReadOnly()
    assert tab.requirements_text.toPlainText() == (order.requirements.text or "(none given)")
    texts = [label.text() for label in tab.findChildren(QLabel)]
    assert order.service.package in texts
    for spec in order.service.specifications:
        assert spec.value in texts


def test_history_shows_this_apps_operations_and_their_state(
    qtbot: QtBot, window: MainWindow, synced: SyncedCache, qtmodeltester: ModelTester
) -> None:
    order = synced_order(qtbot, window, "JPY")
    synced.store.enqueue(order.id, SendMessage("Hello from the test"), utc_now())
    window.refresh()
    qtbot.waitUntil(lambda: window.settled)
    history = window.detail.history
    qtbot.waitUntil(lambda: history.model.rowCount() == 1)
    assert history.model.index(0, 0).data() == "Contact buyer: Hello from the test"
    assert history.model.index(0, 2).data() == "Queued"
    qtmodeltester.check(history.model, force_py=True)
    row = window.table.currentIndex().data(ORDER_ROW_ROLE)
    assert isinstance(row, OrderRow) and row.pending_operations == 1
    qtbot.waitUntil(lambda: window.status.queued.text() == "1 queued")
