import pytest

from desktop_app.domain import (
    ActionKind,
    ConfirmDelivery,
    DisputeRefund,
    RefuseDelivery,
    RejectExtension,
    SendMessage,
    operation_from_body,
)
from desktop_app.domain.operations import NOTE_MAX, REASON_MAX, TEXT_MAX


@pytest.mark.parametrize(
    ("operation", "fields"),
    [
        (ConfirmDelivery(note=None), set()),
        (ConfirmDelivery(note="x" * NOTE_MAX), set()),
        (ConfirmDelivery(note="x" * (NOTE_MAX + 1)), {"note"}),
        (RefuseDelivery("capacity", "Fully booked until March."), set()),
        (RefuseDelivery("", "Fully booked."), {"reason_code"}),
        (RefuseDelivery("capacity", "\n \t"), {"explanation"}),
        (RefuseDelivery("capacity", "x" * (REASON_MAX + 1)), {"explanation"}),
        (RejectExtension("ext-1", ""), {"reason"}),
        (RejectExtension("", "fine"), {"request_id"}),
        (DisputeRefund("ref-1", "Delivered as agreed.", ""), {"evidence"}),
        (SendMessage("x" * TEXT_MAX), set()),
        (SendMessage("x" * (TEXT_MAX + 1)), {"text"}),
        (SendMessage("hi\x00there"), {"text"}),
        (SendMessage("مرحبا 👋\nline two"), set()),
    ],
)
def test_validation_names_every_bad_field(operation: object, fields: set[str]) -> None:
    assert {error.field for error in operation.validate()} == fields  # type: ignore[attr-defined]


def test_only_decisions_are_bound_to_a_version() -> None:
    assert ConfirmDelivery().needs_version
    assert not SendMessage("hi").needs_version


@pytest.mark.parametrize(
    "operation",
    [
        ConfirmDelivery(note="Files attached"),
        RefuseDelivery("other", "We cannot do 3D."),
        RejectExtension("ext-9", "Final files were approved."),
        DisputeRefund("ref-2", "Delivered", "Screenshots"),
        SendMessage("Hello"),
    ],
)
def test_an_operation_is_rebuilt_from_its_stored_body(operation: object) -> None:
    kind: ActionKind = operation.kind  # type: ignore[attr-defined]
    assert operation_from_body(kind, operation.body()) == operation  # type: ignore[attr-defined]


def test_bodies_follow_the_contract() -> None:
    assert RefuseDelivery("capacity", "  Booked.  ").body() == {
        "reason_code": "capacity",
        "explanation": "Booked.",
    }
    assert DisputeRefund("r", "a", "b").path("o-1") == "/v1/orders/o-1/refund/dispute"
