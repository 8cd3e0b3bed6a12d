from datetime import timedelta

import pytest

from desktop_app.domain import (
    Actor,
    DeadlineKind,
    OrderStatus,
    RequestStatus,
    Urgency,
    next_deadline,
    urgency,
)
from tests.builders import NOW, order


@pytest.mark.parametrize(
    ("subject", "kind", "actor"),
    [
        (order(OrderStatus.PENDING_DELIVERY), DeadlineKind.DELIVER, Actor.MERCHANT),
        (order(OrderStatus.AWAITING_CONFIRMATION), DeadlineKind.ANSWER_EXTENSION, Actor.MERCHANT),
        (
            order(OrderStatus.AWAITING_CONFIRMATION, extension=RequestStatus.REJECTED),
            DeadlineKind.BUYER_CONFIRMS,
            Actor.BUYER,
        ),
        (order(OrderStatus.REFUND_REQUESTED), DeadlineKind.ANSWER_REFUND, Actor.MERCHANT),
    ],
)
def test_next_deadline_says_what_is_due_and_who_acts(
    subject: object, kind: DeadlineKind, actor: Actor
) -> None:
    deadline = next_deadline(subject)  # type: ignore[arg-type]
    assert deadline is not None
    assert (deadline.kind, deadline.actor) == (kind, actor)


@pytest.mark.parametrize(
    "status",
    [
        OrderStatus.COMPLETED,
        OrderStatus.DELIVERY_REFUSED,
        OrderStatus.IN_MEDIATION,
        OrderStatus.CANCELLED,
    ],
)
def test_orders_with_no_clock_running_have_no_deadline(status: OrderStatus) -> None:
    assert next_deadline(order(status)) is None


def test_urgency_marks_the_last_day_and_overdue() -> None:
    deadline = next_deadline(order(OrderStatus.PENDING_DELIVERY))
    assert deadline is not None
    assert urgency(deadline, NOW) is Urgency.LATER
    assert urgency(deadline, deadline.due - timedelta(hours=23)) is Urgency.SOON
    assert urgency(deadline, deadline.due) is Urgency.OVERDUE
