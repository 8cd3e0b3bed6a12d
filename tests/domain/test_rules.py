"""The state machine, table-driven: every (status x operation) pair."""

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain import (
    ActionKind,
    ApproveExtension,
    ApproveRefund,
    ConfirmDelivery,
    DisputeRefund,
    Money,
    NotAllowedError,
    Operation,
    OperationValidationError,
    OrderStatus,
    PayoutStatus,
    RefuseDelivery,
    RejectExtension,
    RequestStatus,
    SendMessage,
    StatusTransitions,
    apply_optimistically,
    availability,
)
from tests.builders import NOW, order

A = ActionKind
MSG = {A.SEND_MESSAGE}

# (status, which request is pending) -> the operations allowed now; every other one is refused.
ALLOWED: list[tuple[OrderStatus, RequestStatus | None, set[ActionKind]]] = [
    (OrderStatus.PENDING_DELIVERY, None, {A.CONFIRM_DELIVERY, A.REFUSE_DELIVERY, *MSG}),
    (
        OrderStatus.AWAITING_CONFIRMATION,
        RequestStatus.PENDING,
        {A.APPROVE_EXTENSION, A.REJECT_EXTENSION, *MSG},
    ),
    (OrderStatus.AWAITING_CONFIRMATION, RequestStatus.APPROVED, MSG),
    (OrderStatus.AWAITING_CONFIRMATION, RequestStatus.EXPIRED, MSG),
    (OrderStatus.COMPLETED, None, MSG),
    (OrderStatus.DELIVERY_REFUSED, None, MSG),
    (OrderStatus.REFUND_REQUESTED, None, {A.APPROVE_REFUND, A.DISPUTE_REFUND, *MSG}),
    (OrderStatus.IN_MEDIATION, None, MSG),
    (OrderStatus.REFUNDED, None, MSG),
    (OrderStatus.PARTIALLY_REFUNDED, None, MSG),
    (OrderStatus.CANCELLED, None, MSG),
    (OrderStatus.UNKNOWN, None, MSG),
]

CASES = [
    pytest.param(
        status,
        extension,
        kind,
        kind in allowed,
        id=f"{status.value}-{extension or 'none'}-{kind.value}",
    )
    for status, extension, allowed in ALLOWED
    for kind in ActionKind
]


def example_operation(kind: ActionKind) -> Operation:
    return {
        A.CONFIRM_DELIVERY: ConfirmDelivery(note="Delivered the files."),
        A.REFUSE_DELIVERY: RefuseDelivery(
            "out_of_scope", "3D renders are not part of this package."
        ),
        A.APPROVE_EXTENSION: ApproveExtension("ext-1"),
        A.REJECT_EXTENSION: RejectExtension("ext-1", "The files are final."),
        A.APPROVE_REFUND: ApproveRefund("ref-1"),
        A.DISPUTE_REFUND: DisputeRefund("ref-1", "Delivered as agreed.", "Chat of 12 Nov."),
        A.SEND_MESSAGE: SendMessage("Hello!"),
    }[kind]


@pytest.mark.parametrize(("status", "extension", "kind", "allowed"), CASES)
def test_every_status_answers_every_operation(
    status: OrderStatus, extension: RequestStatus | None, kind: ActionKind, allowed: bool
) -> None:
    subject = (
        order(status, extension=extension)
        if status is OrderStatus.AWAITING_CONFIRMATION
        else order(status)
    )
    verdict = availability(subject, NOW)[kind]
    assert verdict.allowed is allowed
    if allowed:
        after = apply_optimistically(subject, example_operation(kind), NOW)
        assert after.status is subject.status or after.status in StatusTransitions[subject.status]
    else:
        # a short sentence a tooltip can show
        assert verdict.reason and verdict.reason.endswith(".") and len(verdict.reason) < 200
        with pytest.raises(NotAllowedError) as refused:
            apply_optimistically(subject, example_operation(kind), NOW)
        assert refused.value.reason == verdict.reason


def test_an_unknown_status_explains_itself() -> None:
    subject = replace(order(OrderStatus.UNKNOWN), raw_status="on_hold")
    reason = availability(subject, NOW)[A.CONFIRM_DELIVERY].reason
    assert reason is not None and "on_hold" in reason


def test_requests_past_their_answer_time_are_not_offered() -> None:
    subject = order(OrderStatus.REFUND_REQUESTED)
    later = NOW + timedelta(hours=31)
    reason = availability(subject, later)[A.APPROVE_REFUND].reason
    assert reason is not None and "automatically" in reason


def test_messaging_closes_90_days_after_cancellation() -> None:
    subject = order(OrderStatus.CANCELLED)
    assert availability(subject, subject.updated_at + timedelta(days=89))[A.SEND_MESSAGE].allowed
    assert not availability(subject, subject.updated_at + timedelta(days=91))[
        A.SEND_MESSAGE
    ].allowed


def test_confirm_delivery_starts_the_seven_day_confirmation_period() -> None:
    after = apply_optimistically(order(), ConfirmDelivery(), NOW)
    assert after.status is OrderStatus.AWAITING_CONFIRMATION
    assert after.deadlines.confirm_by == NOW + timedelta(days=7)
    assert after.deadlines.deliver_by is None
    assert after.delivery.confirmed_at == NOW


def test_approving_an_extension_moves_confirm_by_by_the_days_asked() -> None:
    subject = order(OrderStatus.AWAITING_CONFIRMATION)
    assert subject.deadlines.confirm_by is not None
    after = apply_optimistically(subject, ApproveExtension("ext-1"), NOW)
    assert after.deadlines.confirm_by == subject.deadlines.confirm_by + timedelta(days=3)
    rejected = apply_optimistically(subject, RejectExtension("ext-1", "No."), NOW)
    assert rejected.deadlines.confirm_by == subject.deadlines.confirm_by


def test_refund_of_the_whole_amount_refunds_a_part_partially() -> None:
    subject = order(OrderStatus.REFUND_REQUESTED)
    whole = apply_optimistically(subject, ApproveRefund("ref-1"), NOW)
    assert (whole.status, whole.finance.payout_status) == (
        OrderStatus.REFUNDED,
        PayoutStatus.REFUNDED,
    )
    assert subject.refund_request is not None
    part = replace(
        subject, refund_request=replace(subject.refund_request, amount=Money.parse("20.00", "EUR"))
    )
    after = apply_optimistically(part, ApproveRefund("ref-1"), NOW)
    assert after.status is OrderStatus.PARTIALLY_REFUNDED


def test_answering_a_request_that_is_no_longer_pending_is_refused() -> None:
    subject = order(OrderStatus.REFUND_REQUESTED)
    with pytest.raises(NotAllowedError):
        apply_optimistically(subject, ApproveRefund("ref-old"), NOW)


def test_invalid_input_is_refused_before_anything_else() -> None:
    with pytest.raises(OperationValidationError) as error:
        apply_optimistically(order(), RefuseDelivery("because", "  "), NOW)
    assert {e.field for e in error.value.errors} == {"reason_code", "explanation"}


def test_naive_time_is_a_bug() -> None:
    with pytest.raises(ValueError, match="naive"):
        availability(order(), NOW.replace(tzinfo=None))


@given(
    status=st.sampled_from([s for s in OrderStatus]),
    extension=st.sampled_from([None, *RequestStatus]),
    refund=st.sampled_from([None, *RequestStatus]),
    kind=st.sampled_from(list(ActionKind)),
    hours=st.integers(min_value=-24 * 10, max_value=24 * 120),
)
def test_an_allowed_operation_always_yields_a_status_the_contract_allows(
    status: OrderStatus,
    extension: RequestStatus | None,
    refund: RequestStatus | None,
    kind: ActionKind,
    hours: int,
) -> None:
    subject = order(status, extension=extension, refund=refund)
    now = NOW + timedelta(hours=hours)
    if availability(subject, now)[kind].allowed:
        try:
            after = apply_optimistically(subject, example_operation(kind), now)
        except NotAllowedError:
            return  # e.g. the request id answered is not the one pending
        assert after.status is subject.status or after.status in StatusTransitions[subject.status]
        assert after.version == subject.version  # only the platform moves the version
