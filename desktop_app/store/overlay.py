"""Pending operations applied on top of the platform's snapshot of an order."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from desktop_app.domain import (
    NotAllowedError,
    Operation,
    OperationValidationError,
    Order,
    apply_optimistically,
)

__all__ = ["overlay"]

log = logging.getLogger(__name__)


def overlay(order: Order, pending: Iterable[tuple[Operation, datetime]]) -> Order:
    """`order` with each pending operation's optimistic effect, in queue order.

    An operation that no longer applies (the snapshot already shows it, or the order moved on)
    adds nothing: the platform's answer to it will tell what happened.
    """
    for operation, created_at in pending:
        try:
            order = apply_optimistically(order, operation, created_at)
        except (NotAllowedError, OperationValidationError):
            log.debug("pending %s no longer applies to %s", operation.kind, order.number)
    return order
