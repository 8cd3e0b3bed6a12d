"""What each operation does and what happens next, in the operator's words. No Qt.

The sentences name dates in the operator's own zone (with the zone's abbreviation, so nobody
wonders whose 3 PM it is) and amounts in each currency's minor units.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from babel.dates import format_date, format_time

from desktop_app.domain import (
    CONFIRMATION_PERIOD,
    ExtensionRequest,
    Money,
    Order,
    RefundRequest,
)
from desktop_app.ui.formatting import Formatter

__all__ = [
    "RefundEffect",
    "confirm_delivery_text",
    "days",
    "dispute_text",
    "extension_dates",
    "long_moment",
    "more_days",
    "refund_effect",
    "refuse_delivery_text",
]


def long_moment(fmt: Formatter, moment: datetime) -> str:
    """``Thursday, December 3, 2026, 3:58 PM CET``: the operator's zone, named."""
    local = moment.astimezone(fmt.zone)
    date = format_date(local.date(), "full", locale=fmt.locale)
    time = format_time(local, "short", tzinfo=fmt.zone, locale=fmt.locale)
    return f"{date}, {time} {local.tzname() or ''}".strip()


def days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def more_days(count: int) -> str:
    """``5 more days``."""
    return f"{count} more day{'s' if count != 1 else ''}"


def confirm_delivery_text(
    order: Order, now: datetime, fmt: Formatter, *, online: bool | None
) -> str:
    """The second confirmation of Confirm delivery: what happens next, and until when."""
    until = now + CONFIRMATION_PERIOD
    period = days(CONFIRMATION_PERIOD.days)
    net = fmt.money(order.finance.net_receipt)
    settlement = fmt.money(order.finance.settlement.net_receipt)
    lines = [
        f"Confirm that you delivered {order.number} to {order.buyer.display_name}?",
        "",
        f"The buyer then has {period} to check the work and confirm: until "
        f"{long_moment(fmt, until)}.",
        f"Your payment ({net}, about {settlement} in your settlement currency) is released "
        "when the buyer confirms, or automatically at that moment if they do not answer.",
        "Until then the buyer may still ask for more time to check, or for a refund.",
    ]
    if online is False:
        lines += [
            "",
            f"You are offline: the confirmation is sent when the connection returns, and the "
            f"{period} count from the moment the platform receives it.",
        ]
    return "\n".join(lines)


def refuse_delivery_text(order: Order, fmt: Formatter, reason_label: str, explanation: str) -> str:
    paid = fmt.money(order.finance.buyer_paid)
    return "\n".join(
        [
            f"Refuse delivery of {order.number} to {order.buyer.display_name}?",
            "",
            f"Reason: {reason_label}",
            f"Your explanation: {explanation.strip()}",
            "",
            "The order becomes “Delivery refused” and the buyer is told your explanation. "
            "They can revise the requirements (the order returns to pending delivery with a new "
            f"delivery date), or accept cancellation: they get their {paid} back and you "
            "receive nothing.",
            "",
            "Next, the conversation opens so that you can propose an alternative.",
        ]
    )


def extension_dates(
    order: Order, request: ExtensionRequest
) -> tuple[datetime | None, datetime | None]:
    """(the confirmation date now, the date if the extension is approved)."""
    current = order.deadlines.confirm_by
    if current is None:
        return None, None
    return current, current + timedelta(days=request.requested_days)


@dataclass(frozen=True, slots=True)
class RefundEffect:
    """What approving a refund does to the merchant's money."""

    refund: Money
    paid: Money
    whole: bool
    net_now: Money
    kept_before_fees: Money  # what stays with the merchant before the platform's fees
    net_after: Money  # an estimate for a partial refund: fees are recalculated on what is kept
    settlement_now: Money
    settlement_after: Money
    exact: bool  # False: `net_after` is an estimate


def refund_effect(order: Order, request: RefundRequest) -> RefundEffect:
    finance = order.finance
    paid, currency = finance.buyer_paid, finance.currency
    refund = request.amount
    whole = refund.currency == currency and refund >= paid
    if refund.currency != currency:  # not expected from the platform; say nothing false
        kept = paid
    else:
        kept = Money.zero(currency) if whole else paid - refund - finance.refunded_amount
    if whole or not kept:
        net_after, exact = Money.zero(currency), True
    else:
        # The platform recalculates its fees on what the merchant keeps; the fees scale with
        # it, so the net keeps its share of the payment. An estimate, said so on screen.
        share = finance.net_receipt.amount / paid.amount if paid.amount else Decimal(0)
        net_after, exact = kept.scaled(share), False
    rate = finance.settlement.fx_rate
    settlement_currency = finance.settlement.currency
    return RefundEffect(
        refund=refund,
        paid=paid,
        whole=whole,
        net_now=finance.net_receipt,
        kept_before_fees=kept,
        net_after=net_after,
        settlement_now=finance.settlement.net_receipt,
        settlement_after=net_after.converted(rate, settlement_currency)
        if rate > 0
        else Money.zero(settlement_currency),
        exact=exact,
    )


def refund_effect_text(effect: RefundEffect, fmt: Formatter) -> str:
    refund = fmt.money(effect.refund)
    if effect.whole:
        outcome = (
            f"The buyer gets the whole {refund} back. The order becomes “Refunded” and you "
            f"receive nothing: your net receipt goes from {fmt.money(effect.net_now)} to "
            f"{fmt.money(effect.net_after)}."
        )
    else:
        estimate = "" if effect.exact else "about "
        outcome = (
            f"The buyer gets {refund} of the {fmt.money(effect.paid)} they paid back. You keep "
            f"{fmt.money(effect.kept_before_fees)} before the platform's fees, which it "
            f"recalculates on what you keep: your net receipt goes from "
            f"{fmt.money(effect.net_now)} to {estimate}{fmt.money(effect.net_after)} "
            f"({estimate}{fmt.money(effect.settlement_after)} in your settlement currency). "
            "The order becomes “Partially refunded” and the rest is released to you."
        )
    return outcome


def approve_refund_text(order: Order, effect: RefundEffect, fmt: Formatter) -> str:
    return "\n".join(
        [
            f"Approve the refund of {fmt.money(effect.refund)} to "
            f"{order.buyer.display_name} on {order.number}?",
            "",
            refund_effect_text(effect, fmt),
            "",
            "This cannot be undone.",
        ]
    )


def dispute_text() -> str:
    return (
        "The platform then mediates: a mediator reads the buyer's request and your reason and "
        "evidence, and may ask either of you for more in the conversation. Meanwhile the order "
        "is “In mediation” and the payment stays held. The mediator refunds the buyer in full, "
        "releases the payment to you, or settles on a partial refund; the outcome arrives here "
        "with a sync."
    )


__all__ += ["approve_refund_text", "refund_effect_text"]
