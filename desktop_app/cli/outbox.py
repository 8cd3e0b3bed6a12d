"""outbox, outbox retry ID, outbox discard ID."""

from __future__ import annotations

from desktop_app.domain import NotAllowedError, OperationValidationError, utc_now
from desktop_app.store import (
    OperationState,
    OperationStateError,
    OrderNotCachedError,
    OutboxEntryNotFoundError,
)

from .context import Context
from .exit_codes import ExitCode
from .output import emit_json, error, table

__all__ = ["discard", "retry", "show"]

_HIDDEN = {OperationState.APPLIED, OperationState.DISCARDED}


def show(context: Context) -> int:
    entries = context.session().store.operations()
    if not context.options.all:
        entries = [entry for entry in entries if entry.state not in _HIDDEN]
    if context.options.json:
        emit_json(entries)
        return ExitCode.OK
    if not entries:
        print("The outbox is empty." if context.options.all else "Nothing waiting.")
        return ExitCode.OK
    table(
        ["ID", "ORDER", "ACTION", "STATE", "ATTEMPTS", "LAST ERROR"],
        [
            [
                str(entry.id),
                entry.order_number,
                entry.kind.label,
                entry.state.label,
                str(entry.attempts),
                entry.last_error or "",
            ]
            for entry in entries
        ],
    )
    return ExitCode.OK


def _change(context: Context, retry: bool) -> int:
    store = context.session().store
    entry_id = context.options.entry_id
    try:
        entry = (store.retry if retry else store.discard)(entry_id, utc_now())
    except OutboxEntryNotFoundError as problem:
        error(str(problem))
        return ExitCode.NOT_FOUND
    except (OperationStateError, NotAllowedError, OrderNotCachedError) as problem:
        error(str(problem))
        return ExitCode.USAGE
    except OperationValidationError as problem:
        error(str(problem))
        return ExitCode.USAGE
    if context.options.json:
        emit_json(entry)
    else:
        print(
            f"Operation {entry.id} ({entry.kind.label} on {entry.order_number}) is now "
            f"{entry.state.label.lower()}."
        )
    return ExitCode.OK


def retry(context: Context) -> int:
    return _change(context, retry=True)


def discard(context: Context) -> int:
    return _change(context, retry=False)
