"""The seven operations a merchant can take, with their inputs and validation.

An operation is built from what the operator typed; `validate` says, per field, what is wrong
in words a form can show beside the field. A valid operation knows its request body and path.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, ClassVar

from .status import ActionKind, RefusalReason

__all__ = [
    "NOTE_MAX",
    "REASON_MAX",
    "TEXT_MAX",
    "ApproveExtension",
    "ApproveRefund",
    "ConfirmDelivery",
    "DisputeRefund",
    "FieldError",
    "Operation",
    "OperationValidationError",
    "RefuseDelivery",
    "RejectExtension",
    "SendMessage",
    "operation_from_body",
]

NOTE_MAX = 2_000
REASON_MAX = 2_000
TEXT_MAX = 5_000
EXTENSION_DAYS = range(1, 15)


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class OperationValidationError(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))


def _text_errors(
    name: str, label: str, value: str | None, *, required: bool, limit: int
) -> list[FieldError]:
    if value is None or not value.strip():
        return [FieldError(name, f"{label} is required.")] if required else []
    if len(value) > limit:
        return [FieldError(name, f"{label} is {len(value):,} characters; at most {limit:,}.")]
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        return [FieldError(name, f"{label} contains control characters.")]
    return []


class Operation:
    """Common behaviour of the seven operations (each a frozen dataclass below)."""

    kind: ClassVar[ActionKind]
    endpoint: ClassVar[str]  # path under /v1/orders/{id}

    def validate(self) -> list[FieldError]:
        raise NotImplementedError

    def check(self) -> None:
        """Raise `OperationValidationError` listing every bad field."""
        errors = self.validate()
        if errors:
            raise OperationValidationError(errors)

    def body(self) -> dict[str, Any]:
        raise NotImplementedError

    def path(self, order_id: str) -> str:
        return f"/v1/orders/{order_id}/{self.endpoint}"

    @property
    def needs_version(self) -> bool:
        return self.kind.is_decision

    @property
    def request_id(self) -> str | None:
        return None


@dataclass(frozen=True, slots=True)
class ConfirmDelivery(Operation):
    kind: ClassVar[ActionKind] = ActionKind.CONFIRM_DELIVERY
    endpoint: ClassVar[str] = "confirm-delivery"
    note: str | None = None

    def validate(self) -> list[FieldError]:
        return _text_errors("note", "The note", self.note, required=False, limit=NOTE_MAX)

    def body(self) -> dict[str, Any]:
        return {"note": self.note.strip() if self.note and self.note.strip() else None}


@dataclass(frozen=True, slots=True)
class RefuseDelivery(Operation):
    kind: ClassVar[ActionKind] = ActionKind.REFUSE_DELIVERY
    endpoint: ClassVar[str] = "refuse-delivery"
    reason_code: str
    explanation: str

    def validate(self) -> list[FieldError]:
        errors = []
        if self.reason_code not in set(RefusalReason):
            errors.append(FieldError("reason_code", "Choose a reason for refusing."))
        errors += _text_errors(
            "explanation", "The explanation", self.explanation, required=True, limit=REASON_MAX
        )
        return errors

    def body(self) -> dict[str, Any]:
        return {"reason_code": self.reason_code, "explanation": self.explanation.strip()}


@dataclass(frozen=True, slots=True)
class ApproveExtension(Operation):
    kind: ClassVar[ActionKind] = ActionKind.APPROVE_EXTENSION
    endpoint: ClassVar[str] = "extension/approve"
    extension_id: str

    def validate(self) -> list[FieldError]:
        return _request_id_errors(self.extension_id)

    def body(self) -> dict[str, Any]:
        return {"request_id": self.extension_id}

    @property
    def request_id(self) -> str | None:
        return self.extension_id


@dataclass(frozen=True, slots=True)
class RejectExtension(Operation):
    kind: ClassVar[ActionKind] = ActionKind.REJECT_EXTENSION
    endpoint: ClassVar[str] = "extension/reject"
    extension_id: str
    reason: str

    def validate(self) -> list[FieldError]:
        return _request_id_errors(self.extension_id) + _text_errors(
            "reason", "The reason", self.reason, required=True, limit=REASON_MAX
        )

    def body(self) -> dict[str, Any]:
        return {"request_id": self.extension_id, "reason": self.reason.strip()}

    @property
    def request_id(self) -> str | None:
        return self.extension_id


@dataclass(frozen=True, slots=True)
class ApproveRefund(Operation):
    kind: ClassVar[ActionKind] = ActionKind.APPROVE_REFUND
    endpoint: ClassVar[str] = "refund/approve"
    refund_id: str

    def validate(self) -> list[FieldError]:
        return _request_id_errors(self.refund_id)

    def body(self) -> dict[str, Any]:
        return {"request_id": self.refund_id}

    @property
    def request_id(self) -> str | None:
        return self.refund_id


@dataclass(frozen=True, slots=True)
class DisputeRefund(Operation):
    kind: ClassVar[ActionKind] = ActionKind.DISPUTE_REFUND
    endpoint: ClassVar[str] = "refund/dispute"
    refund_id: str
    reason: str
    evidence: str

    def validate(self) -> list[FieldError]:
        return (
            _request_id_errors(self.refund_id)
            + _text_errors("reason", "The reason", self.reason, required=True, limit=REASON_MAX)
            + _text_errors(
                "evidence", "The evidence", self.evidence, required=True, limit=REASON_MAX
            )
        )

    def body(self) -> dict[str, Any]:
        return {
            "request_id": self.refund_id,
            "reason": self.reason.strip(),
            "evidence": self.evidence.strip(),
        }

    @property
    def request_id(self) -> str | None:
        return self.refund_id


@dataclass(frozen=True, slots=True)
class SendMessage(Operation):
    kind: ClassVar[ActionKind] = ActionKind.SEND_MESSAGE
    endpoint: ClassVar[str] = "messages"
    text: str

    def validate(self) -> list[FieldError]:
        return _text_errors("text", "The message", self.text, required=True, limit=TEXT_MAX)

    def body(self) -> dict[str, Any]:
        return {"text": self.text.strip()}


def _request_id_errors(request_id: str) -> list[FieldError]:
    if not request_id:
        return [FieldError("request_id", "There is no request to answer.")]
    return []


_BY_KIND: dict[ActionKind, type[Operation]] = {
    cls.kind: cls
    for cls in (
        ConfirmDelivery,
        RefuseDelivery,
        ApproveExtension,
        RejectExtension,
        ApproveRefund,
        DisputeRefund,
        SendMessage,
    )
}


def operation_from_body(kind: ActionKind, body: dict[str, Any]) -> Operation:
    """Rebuild an operation from its kind and request body (as stored in the outbox)."""
    match kind:
        case ActionKind.CONFIRM_DELIVERY:
            return ConfirmDelivery(note=body.get("note"))
        case ActionKind.REFUSE_DELIVERY:
            return RefuseDelivery(body["reason_code"], body["explanation"])
        case ActionKind.APPROVE_EXTENSION:
            return ApproveExtension(body["request_id"])
        case ActionKind.REJECT_EXTENSION:
            return RejectExtension(body["request_id"], body["reason"])
        case ActionKind.APPROVE_REFUND:
            return ApproveRefund(body["request_id"])
        case ActionKind.DISPUTE_REFUND:
            return DisputeRefund(body["request_id"], body["reason"], body["evidence"])
        case ActionKind.SEND_MESSAGE:
            return SendMessage(body["text"])
    raise ValueError(f"unknown operation kind {kind!r}")  # pragma: no cover


def operation_class(kind: ActionKind) -> type[Operation]:
    return _BY_KIND[kind]
