"""The rows of a bulk action: per order, whether it is included (or why not), and once queued,
where its operation stands with the platform."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QColor

from desktop_app.domain import Order
from desktop_app.store.types import OperationState
from desktop_app.ui.actions.service import BulkOutcome
from desktop_app.ui.models.list_model import PROBLEM_COLOR, SUCCESS_COLOR, Column, RowListModel

__all__ = ["BulkModel", "BulkRow"]


@dataclass(frozen=True, slots=True)
class BulkRow:
    order_id: str
    number: str
    buyer: str = ""
    request: str = ""
    order: Order | None = None
    skip: str | None = None  # why this order gets no operation (None: it will)
    outcome: BulkOutcome | None = None
    state: OperationState | None = None  # the operation's sync state, once queued
    state_detail: str | None = None

    @property
    def result(self) -> str:
        if self.outcome is None:
            if self.order is None and self.skip is None:
                return "Reading…"
            return f"Skipped: {self.skip}" if self.skip else "Will be included"
        if self.outcome.problem is not None:
            return f"Not queued: {self.outcome.problem.message}"
        state = self.state or OperationState.QUEUED
        text = state.label
        if self.state_detail and state is not OperationState.APPLIED:
            text += f": {self.state_detail}"
        return text

    @property
    def failed(self) -> bool:
        if self.outcome is not None and self.outcome.problem is not None:
            return True
        return self.state in (
            OperationState.REJECTED,
            OperationState.NEEDS_REVIEW,
            OperationState.SET_ASIDE,
        )


def _result_color(row: BulkRow) -> QColor | None:
    if row.failed or (row.outcome is None and row.skip):
        return PROBLEM_COLOR
    return SUCCESS_COLOR if row.state is OperationState.APPLIED else None


class BulkModel(RowListModel):
    """Per order of a bulk action: whether it is included (or why not), then its result."""

    def __init__(self, parent: Any = None) -> None:
        columns = [
            Column("Order", lambda row: row.number),
            Column("Buyer", lambda row: row.buyer),
            Column("Request", lambda row: row.request),
            Column("Result", lambda row: row.result, color=_result_color),
        ]
        super().__init__(columns, key=lambda row: row.order_id, parent=parent)
