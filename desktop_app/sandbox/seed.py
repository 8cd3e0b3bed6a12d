"""Deterministic sample orders: the same ``--seed`` gives the same world, relative to its start.

Each order is born ``pending_delivery`` and then driven to its target status through the very
rules the API enforces, at back-dated moments, so seeded histories are ones the platform could
have produced. Every order draws from its own random stream (seed, merchant, index), so an order
does not depend on how many came before it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from desktop_app.sandbox import money, rules
from desktop_app.sandbox.catalog import (
    ATTACHMENTS,
    EXTENSION_REASONS,
    LOCALES,
    MERCHANT_REPLIES,
    REFUND_REASONS,
    SERVICES,
    Locale,
    Package,
    ServiceKind,
)
from desktop_app.sandbox.schemas import (
    Author,
    Buyer,
    MediationOutcome,
    OrderState,
    OrderStatus,
    PayoutStatus,
    RefusalReason,
)

S = OrderStatus
#: Target statuses by index. A pending slot every five keeps "at least a fifth pending
#: delivery" true for every prefix, so small worlds are as varied as large ones.
SCHEDULE: tuple[OrderStatus, ...] = (
    S.PENDING_DELIVERY, S.AWAITING_CONFIRMATION, S.DELIVERY_REFUSED, S.REFUND_REQUESTED,
    S.COMPLETED, S.PENDING_DELIVERY, S.IN_MEDIATION, S.REFUNDED, S.PARTIALLY_REFUNDED,
    S.CANCELLED, S.PENDING_DELIVERY, S.AWAITING_CONFIRMATION, S.COMPLETED, S.REFUND_REQUESTED,
    S.AWAITING_CONFIRMATION, S.PENDING_DELIVERY, S.COMPLETED, S.AWAITING_CONFIRMATION,
    S.COMPLETED, S.PENDING_DELIVERY,
)
#: The first buyers' countries, so that even a small world has JPY, KWD and more.
FIRST_LOCALES = ("JP", "KW", "DE", "US", "BR", "CN", "GB", "SA", "KR", "IL")
REFUSALS = (
    "The brief asks for a mobile app; this package covers a website only.",
    "I can't reach the buyer to clarify the required languages.",
    "Fully booked this month, sorry.",
    "The requirements are unclear: which pages are in scope?",
)
NOTES = ("Final files are attached in the conversation.", "Delivered as agreed, thank you!", None)
HOUR_S = 3600


@dataclass
class SeedMessage:
    author: Author
    text: str
    sent_at: datetime
    attachments: list[dict[str, str | int]] = field(default_factory=list)


@dataclass
class SeededOrder:
    state: OrderState
    messages: list[SeedMessage]


def _stream(seed: int, merchant_index: int, index: int, salt: int = 0) -> int:
    """A random stream's seed from its coordinates (integers seed ``random`` fast)."""
    return ((seed * 1_000_003 + merchant_index) * 4 + salt) * 10_000_019 + index


def order_id(seed: int, merchant_index: int, index: int) -> str:
    """Opaque, unique and stable: a bijection of (merchant, index) mixed with the seed."""
    mask = (1 << 48) - 1
    raw = (merchant_index << 32) | index
    return f"ord_{((raw * 0x9E3779B97F4B + seed * 0x5851F42D4C95) & mask):012x}"


def order_number(created_at: datetime, sequence: int) -> str:
    day = created_at.date()
    return f"SO-{day.year:04d}{day.month:02d}{day.day:02d}-{sequence:06d}"


class OrderFactory:
    """Makes the orders of one merchant."""

    def __init__(self, seed: int, merchant_index: int, settlement_currency: str) -> None:
        self.seed = seed
        self.merchant_index = merchant_index
        self.settlement_currency = settlement_currency
        self._by_country = {loc.country: loc for loc in LOCALES}
        self._buyers: dict[int, tuple[Locale, Buyer]] = {}

    def make(self, index: int, now: datetime, status: OrderStatus | None = None,
             *, just_bought: bool = False) -> SeededOrder:
        rng = random.Random(_stream(self.seed, self.merchant_index, index))  # noqa: S311
        target = status or SCHEDULE[index % len(SCHEDULE)]
        kind = rng.choice(SERVICES)
        package = rng.choice(kind.packages)
        locale, buyer = self._buyer(rng, index)
        steps: list[tuple[datetime, Step]] = []
        created = now
        if not just_bought:
            created, steps = _plan(rng, target, package.delivery_days, now)
        state = self._new(rng, index, created, kind, package, locale, buyer)
        for at, step in steps:
            step(state, at)
        messages = _thread(rng, locale, created, min(now, state.updated_at + timedelta(days=3)))
        return SeededOrder(state, messages)

    def _buyer(self, rng: random.Random, index: int) -> tuple[Locale, Buyer]:
        """A buyer of the pool (buyers come back). The first orders go to the first buyers,
        whose countries are fixed, so that even a small world is varied."""
        return self._pooled(index if index < len(FIRST_LOCALES) else rng.randrange(8 + index // 3))

    def _pooled(self, buyer_no: int) -> tuple[Locale, Buyer]:
        if (known := self._buyers.get(buyer_no)) is not None:
            return known
        brng = random.Random(_stream(self.seed, self.merchant_index, buyer_no, salt=1))  # noqa: S311
        if buyer_no < len(FIRST_LOCALES):
            locale = self._by_country[FIRST_LOCALES[buyer_no]]
        else:
            locale = brng.choice(LOCALES)
        buyer = Buyer(
            id=f"buy_{self.merchant_index}{buyer_no:07d}",
            display_name=brng.choice(locale.names),
            country=locale.country,
            locale=locale.locale,
            timezone=brng.choice(locale.timezones),
        )
        self._buyers[buyer_no] = (locale, buyer)
        return locale, buyer

    def _new(self, rng: random.Random, index: int, created: datetime, kind: ServiceKind,
             package: Package, locale: Locale, buyer: Buyer) -> OrderState:
        currency = locale.currency
        paid = _price(package.price_usd * Decimal(rng.choice(("1", "1", "1.15", "0.9"))), currency)
        fees = money.fees_for(paid, currency)
        net = paid - fees.total
        rate = money.fx_rate(currency, self.settlement_currency)
        n_attach = rng.choice((0, 1, 1, 2, 3))
        settlement = self.settlement_currency

        def cash(amount: Decimal, in_currency: str = currency) -> dict[str, str]:
            return {"amount": money.format_amount(amount, in_currency), "currency": in_currency}

        # One validation of the whole nested document is much faster than a model per part.
        state = OrderState.model_validate({
            "id": order_id(self.seed, self.merchant_index, index),
            "number": "SO-PENDING",
            "status": OrderStatus.PENDING_DELIVERY,
            "version": 1,
            "created_at": created,
            "updated_at": created,
            "buyer": buyer,
            "service": {
                "title": kind.title,
                "package": package.name,
                "specifications": [{"name": n, "value": v} for n, v in package.specifications],
                "delivery_days": package.delivery_days,
            },
            "requirements": {
                "text": rng.choice(locale.requirements),
                "answers": [
                    {"question": q, "answer": rng.choice(locale.answers)} for q in kind.questions
                ],
                "attachments": [_attachment(rng) for _ in range(n_attach)],
            },
            "finance": {
                "buyer_paid": cash(paid),
                "service_fee": cash(fees.service_fee),
                "payment_fee": cash(fees.payment_fee),
                "net_receipt": cash(net),
                "refunded": cash(Decimal(0)),
                "settlement": {
                    "currency": settlement,
                    "fx_rate": f"{rate:f}",
                    "net_receipt": cash(money.quantize(net * rate, settlement), settlement),
                },
                "payout_status": PayoutStatus.HELD,
            },
            "deadlines": {
                "deliver_by": created + timedelta(days=package.delivery_days),
                "confirm_by": None,
                "respond_by": None,
            },
            "delivery": {},
        })
        return state


def _price(usd: Decimal, currency: str) -> Decimal:
    """A shop price in ``currency``: the converted amount rounded to two significant digits."""
    amount = usd / money.USD_PER_UNIT[currency]
    step = Decimal(10) ** max(amount.adjusted() - 1, -money.minor_units(currency))
    return (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def _attachment(rng: random.Random) -> dict[str, str | int]:
    name, media_type, size = rng.choice(ATTACHMENTS)
    return {"name": name, "size": size + rng.randrange(4096), "media_type": media_type}


def _thread(
    rng: random.Random, locale: Locale, start: datetime, end: datetime
) -> list[SeedMessage]:
    count = rng.choice((0, 1, 2, 2, 3, 3, 4, 5, 6))
    span = max(int((end - start).total_seconds()), count + 1)
    moments = sorted(rng.sample(range(1, span), min(count, span - 1)))
    messages: list[SeedMessage] = []
    author = Author.BUYER
    for offset in moments:
        at = start + timedelta(seconds=offset)
        if author is Author.BUYER:
            attachments = [_attachment(rng)] if rng.random() < 0.15 else []
            messages.append(SeedMessage(author, rng.choice(locale.messages), at, attachments))
        else:
            messages.append(SeedMessage(author, rng.choice(MERCHANT_REPLIES), at))
        author = Author.MERCHANT if rng.random() < 0.6 else Author.BUYER
    return messages


Step = Callable[[OrderState, datetime], None]


def _plan(rng: random.Random, target: OrderStatus, days: int,
          now: datetime) -> tuple[datetime, list[tuple[datetime, Step]]]:
    """When the order was bought, and the moves that bring it to ``target`` by ``now``."""

    def ago(lo_h: float, hi_h: float) -> datetime:
        return now - timedelta(seconds=int(rng.uniform(lo_h, hi_h) * HOUR_S))

    def after(moment: datetime, lo_h: float, hi_h: float) -> datetime:
        return min(moment + timedelta(seconds=int(rng.uniform(lo_h, hi_h) * HOUR_S)), now)

    def deliver(state: OrderState, at: datetime) -> None:
        rules.confirm_delivery(state, at, rng.choice(NOTES))

    def refuse(state: OrderState, at: datetime) -> None:
        rules.refuse_delivery(state, at, rng.choice(list(RefusalReason)), rng.choice(REFUSALS))

    def ask_refund(partial: bool) -> Step:
        def step(state: OrderState, at: datetime) -> None:
            amount = None
            if partial:
                paid = state.finance.buyer_paid
                share = money.quantize(paid.value * Decimal(rng.randrange(20, 80)) / 100,
                                       paid.currency)
                amount = money.format_amount(share, paid.currency)
            rules.request_refund(state, at, amount, rng.choice(REFUND_REASONS))
        return step

    def approve_refund(state: OrderState, at: datetime) -> None:
        assert state.refund_request is not None
        rules.approve_refund(state, at, state.refund_request.id)

    def dispute(state: OrderState, at: datetime) -> None:
        assert state.refund_request is not None
        rules.dispute_refund(state, at, state.refund_request.id,
                             "The work was delivered as specified.", "Draft v2 and final files.")

    def resolve(outcome: MediationOutcome) -> Step:
        def step(state: OrderState, at: datetime) -> None:
            amount = None
            if outcome is MediationOutcome.PARTIAL:
                paid = state.finance.buyer_paid
                amount = money.format_amount(money.quantize(paid.value / 2, paid.currency),
                                             paid.currency)
            rules.resolve_mediation(state, at, outcome, amount)
        return step

    def ask_extension(state: OrderState, at: datetime) -> None:
        rules.request_extension(state, at, rng.randint(1, 14), rng.choice(EXTENSION_REASONS))

    def answer_extension(approve: bool) -> Step:
        def step(state: OrderState, at: datetime) -> None:
            assert state.extension_request is not None
            if approve:
                rules.approve_extension(state, at, state.extension_request.id)
            else:
                rules.reject_extension(state, at, state.extension_request.id,
                                       "The files were delivered in full a week ago.")
        return step

    def passes(state: OrderState, at: datetime) -> None:
        rules.fire_due(state, at)

    steps: list[tuple[datetime, Step]] = []
    variant = rng.random()
    if target is S.PENDING_DELIVERY:
        return ago(1, days * 24 * 1.6 + 24), []
    if target is S.AWAITING_CONFIRMATION:
        if variant < 0.3:  # an extension request waits for the merchant
            delivered = ago(2, 6.5 * 24)
            steps = [(delivered, deliver), (after(max(delivered, ago(46, 46)), 0.1, 40),
                                            ask_extension)]
        elif variant < 0.5:  # one was answered already
            delivered = ago(30, 6.5 * 24)
            asked = after(delivered, 1, 20)
            steps = [(delivered, deliver), (asked, ask_extension),
                     (after(asked, 1, 8), answer_extension(variant < 0.4))]
        elif variant < 0.6:  # one lapsed unanswered
            delivered = ago(5 * 24, 6.5 * 24)
            asked = after(delivered, 1, 10)
            steps = [(delivered, deliver), (asked, ask_extension),
                     (asked + rules.RESPONSE_PERIOD, passes)]
        else:
            steps = [(ago(1, 6.5 * 24), deliver)]
    elif target is S.DELIVERY_REFUSED:
        steps = [(ago(1, 240), refuse)]
    elif target is S.REFUND_REQUESTED:
        asked = ago(1, 46)
        if variant < 0.5:
            steps = [(asked - timedelta(hours=rng.randint(1, 120)), deliver)]
        steps.append((asked, ask_refund(partial=rng.random() < 0.3)))
    elif target is S.IN_MEDIATION:
        asked = ago(72, 480)
        steps = [(asked, ask_refund(partial=False)), (after(asked, 1, 40), dispute)]
    elif target is S.COMPLETED:
        delivered = ago(8 * 24, 60 * 24)
        if variant < 0.6:
            steps = [(delivered, deliver), (after(delivered, 1, 150), rules.buyer_confirm)]
        else:
            steps = [(delivered, deliver), (delivered + rules.CONFIRMATION_PERIOD, passes)]
    elif target is S.REFUNDED or target is S.PARTIALLY_REFUNDED:
        partial = target is S.PARTIALLY_REFUNDED
        asked = ago(72, 50 * 24)
        if variant < 0.4:
            steps = [(asked, ask_refund(partial)), (after(asked, 1, 40), approve_refund)]
        elif variant < 0.7:
            steps = [(asked, ask_refund(partial)), (asked + rules.RESPONSE_PERIOD, passes)]
        else:
            outcome = MediationOutcome.PARTIAL if partial else MediationOutcome.REFUND_BUYER
            disputed = after(asked, 1, 40)
            steps = [(asked, ask_refund(False)), (disputed, dispute),
                     (after(disputed, 2, 30), resolve(outcome))]
    elif target is S.CANCELLED:
        refused = ago(48, 40 * 24)
        steps = [(refused, refuse), (after(refused, 1, 72), rules.accept_cancellation)]
    created = steps[0][0] - timedelta(seconds=int(rng.uniform(2, 72) * HOUR_S))
    return created, steps
