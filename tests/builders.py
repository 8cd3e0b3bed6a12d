"""Domain orders for tests, built consistently for each status (no I/O, no Qt)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from desktop_app.domain import (
    Buyer,
    Deadlines,
    Delivery,
    Dispute,
    DisputeStatus,
    ExtensionRequest,
    Finance,
    Money,
    Order,
    OrderStatus,
    PayoutStatus,
    RefundRequest,
    RequestStatus,
    Requirements,
    Service,
    Settlement,
    Specification,
)

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)

_PAID = {"EUR": "120.00", "JPY": "15800", "KWD": "42.125", "USD": "99.99"}


def finance(currency: str = "EUR", paid: str | None = None) -> Finance:
    buyer_paid = Money.parse(paid or _PAID[currency], currency)
    service_fee = buyer_paid.scaled(Decimal("0.10"))
    payment_fee = buyer_paid.scaled(Decimal("0.029"))
    net = buyer_paid - service_fee - payment_fee
    rate = Decimal("1.08") if currency != "USD" else Decimal(1)
    return Finance(
        buyer_paid=buyer_paid,
        service_fee=service_fee,
        payment_fee=payment_fee,
        net_receipt=net,
        settlement=Settlement("USD", rate, net.converted(rate, "USD")),
        payout_status=PayoutStatus.HELD,
    )


def order(
    status: OrderStatus = OrderStatus.PENDING_DELIVERY,
    *,
    currency: str = "EUR",
    now: datetime = NOW,
    extension: RequestStatus | None = None,
    refund: RequestStatus | None = None,
) -> Order:
    """An order in `status`, with the requests and deadlines that status implies at `now`."""
    base = Order(
        id="ord-1",
        number="SO-20261126-000001",
        status=status,
        version=3,
        created_at=now - timedelta(days=5),
        updated_at=now - timedelta(days=1),
        buyer=Buyer("b-1", "山田 花子", "JP", "ja-JP", "Asia/Tokyo"),
        service=Service(
            "Logo design", "Standard", (Specification("Concepts", "3"),), delivery_days=5
        ),
        requirements=Requirements("A fox, orange, minimal."),
        finance=finance(currency),
        raw_status=status.value,
    )
    deadlines = Deadlines()
    extension_request = refund_request = dispute = None
    delivery = Delivery()
    match status:
        case OrderStatus.PENDING_DELIVERY:
            deadlines = Deadlines(deliver_by=now + timedelta(days=2))
        case OrderStatus.AWAITING_CONFIRMATION:
            delivery = Delivery(confirmed_at=now - timedelta(days=1))
            deadlines = Deadlines(confirm_by=now + timedelta(days=6))
            extension = extension or RequestStatus.PENDING
        case OrderStatus.DELIVERY_REFUSED:
            delivery = Delivery(refused_at=now - timedelta(hours=3))
        case OrderStatus.REFUND_REQUESTED:
            refund = refund or RequestStatus.PENDING
        case OrderStatus.IN_MEDIATION:
            refund = RequestStatus.DISPUTED
            dispute = Dispute("d-1", DisputeStatus.OPEN, now - timedelta(hours=5))
        case _:
            pass
    if extension is not None:
        respond_by = now + timedelta(hours=40)
        extension_request = ExtensionRequest(
            "ext-1", 3, "Travelling", extension, now - timedelta(hours=8), respond_by
        )
        if extension is RequestStatus.PENDING:
            deadlines = replace(deadlines, respond_by=respond_by)
    if refund is not None:
        respond_by = now + timedelta(hours=30)
        refund_request = RefundRequest(
            "ref-1",
            base.finance.buyer_paid,
            "Not what I asked for",
            refund,
            now - timedelta(hours=18),
            respond_by,
        )
        if refund is RequestStatus.PENDING:
            deadlines = replace(deadlines, respond_by=respond_by)
    return replace(
        base,
        deadlines=deadlines,
        delivery=delivery,
        extension_request=extension_request,
        refund_request=refund_request,
        dispute=dispute,
    )
