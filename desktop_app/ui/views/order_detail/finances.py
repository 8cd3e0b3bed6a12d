"""Finances: what the buyer paid, the platform's fees and the net receipt in the order's
currency; the exchange rate and the net in the settlement currency; the payout status.
Every amount in the operator's locale with its own currency's minor units (JPY 0, KWD 3)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from desktop_app.domain import Order, PayoutStatus
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.views.plain import plain_label, set_plain

__all__ = ["FinancesTab"]

_PAYOUT = {
    PayoutStatus.HELD: "Held until the order completes",
    PayoutStatus.RELEASED: "Released to you",
    PayoutStatus.REFUNDED: "Refunded to the buyer",
    PayoutStatus.PARTIALLY_REFUNDED: "Partly refunded; the rest released to you",
    PayoutStatus.UNKNOWN: "Unknown",
}


def _amount_label(name: str) -> QLabel:
    label = plain_label(object_name=name, wrap=False)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return label


class FinancesTab(QWidget):
    def __init__(self, formatter: Formatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fmt = formatter
        layout = QVBoxLayout(self)

        self.order_box = QGroupBox("In the order's currency")
        order_form = QFormLayout(self.order_box)
        self.buyer_paid = _amount_label("buyerPaid")
        self.refunded = _amount_label("refunded")
        self.service_fee = _amount_label("serviceFee")
        self.payment_fee = _amount_label("paymentFee")
        self.net_receipt = _amount_label("netReceipt")
        bold = QFont(self.net_receipt.font())
        bold.setBold(True)
        self.net_receipt.setFont(bold)
        order_form.addRow(plain_label("Buyer paid", wrap=False, selectable=False), self.buyer_paid)
        order_form.addRow(
            plain_label("Refunded to the buyer", wrap=False, selectable=False), self.refunded
        )
        self._refunded_row = order_form.rowCount() - 1
        self._order_form = order_form
        order_form.addRow(
            plain_label("Service fee", wrap=False, selectable=False), self.service_fee
        )
        order_form.addRow(
            plain_label("Payment fee", wrap=False, selectable=False), self.payment_fee
        )
        order_form.addRow(
            plain_label("Net receipt", wrap=False, selectable=False), self.net_receipt
        )
        layout.addWidget(self.order_box)

        self.settlement_box = QGroupBox("In your settlement currency")
        settlement_form = QFormLayout(self.settlement_box)
        self.fx_rate = _amount_label("fxRate")
        self.settlement_net = _amount_label("settlementNet")
        self.settlement_net.setFont(bold)
        settlement_form.addRow(
            plain_label("Exchange rate", wrap=False, selectable=False), self.fx_rate
        )
        settlement_form.addRow(
            plain_label("Net receipt", wrap=False, selectable=False), self.settlement_net
        )
        layout.addWidget(self.settlement_box)

        payout_box = QGroupBox("Payout")
        payout_form = QFormLayout(payout_box)
        self.payout_status = plain_label(object_name="payoutStatus")
        self.refund_requested = plain_label(object_name="refundRequested")
        payout_form.addRow(plain_label("Status", wrap=False, selectable=False), self.payout_status)
        payout_form.addRow(
            plain_label("Refund asked", wrap=False, selectable=False), self.refund_requested
        )
        layout.addWidget(payout_box)
        layout.addStretch(1)

    def show_order(self, order: Order) -> None:
        fmt, finance = self._fmt, order.finance
        self.order_box.setTitle(f"In the order's currency ({finance.currency})")
        set_plain(self.buyer_paid, fmt.money(finance.buyer_paid))
        set_plain(self.refunded, fmt.money(-finance.refunded_amount))
        self._order_form.setRowVisible(self._refunded_row, bool(finance.refunded_amount))
        set_plain(self.service_fee, fmt.money(-finance.service_fee))
        set_plain(self.payment_fee, fmt.money(-finance.payment_fee))
        set_plain(self.net_receipt, fmt.money(finance.net_receipt))
        settlement = finance.settlement
        self.settlement_box.setTitle(f"In your settlement currency ({settlement.currency})")
        set_plain(
            self.fx_rate,
            f"1 {finance.currency} = {fmt.fx_rate(settlement.fx_rate)} {settlement.currency}",
        )
        set_plain(self.settlement_net, fmt.money(settlement.net_receipt))
        set_plain(self.payout_status, _PAYOUT.get(finance.payout_status, "Unknown"))
        refund = order.refund_request
        if refund is None:
            set_plain(self.refund_requested, "None")
        else:
            set_plain(
                self.refund_requested,
                f"{fmt.money(refund.amount)} ({refund.status.value.replace('_', ' ')})",
            )

    def clear(self) -> None:
        for label in (
            self.buyer_paid,
            self.refunded,
            self.service_fee,
            self.payment_fee,
            self.net_receipt,
            self.fx_rate,
            self.settlement_net,
            self.payout_status,
            self.refund_requested,
        ):
            set_plain(label, "")
