"""orders, show, act."""

from __future__ import annotations

from desktop_app.domain import (
    ActionKind,
    ApproveExtension,
    ApproveRefund,
    ConfirmDelivery,
    DisputeRefund,
    NotAllowedError,
    Operation,
    OperationValidationError,
    Order,
    RefuseDelivery,
    RejectExtension,
    SendMessage,
    availability,
    next_deadline,
    order_to_wire,
    refusal_reason,
    utc_now,
)
from desktop_app.store import OrderQuery, OrderView, SortKey, Store

from .context import Context
from .exit_codes import ExitCode
from .output import emit_json, error, table

__all__ = ["SORT_NAMES", "VIEW_NAMES", "act", "list_orders", "show"]

VIEW_NAMES = [view.value.replace("_", "-") for view in OrderView]
SORT_NAMES = [key.value for key in SortKey]
# Raw statuses accepted by --status, each mapped to the view that shows it.
_STATUS_VIEWS = {
    "refund-requested": OrderView.REFUND_REQUESTS,
    "refunded": OrderView.REFUNDED_CANCELLED,
    "partially-refunded": OrderView.REFUNDED_CANCELLED,
    "cancelled": OrderView.REFUNDED_CANCELLED,
}


def _view(name: str) -> OrderView | None:
    key = name.strip().lower().replace("_", "-")
    if key in _STATUS_VIEWS:
        return _STATUS_VIEWS[key]
    try:
        return OrderView(key.replace("-", "_"))
    except ValueError:
        return None


def list_orders(context: Context) -> int:
    options = context.options
    view = _view(options.status)
    if view is None:
        error(f"unknown status {options.status!r}; choose one of {', '.join(VIEW_NAMES)}")
        return ExitCode.USAGE
    store = context.session().store
    now = utc_now()
    query = OrderQuery(
        view=view, search=options.search, sort=SortKey(options.sort), descending=options.desc
    )
    rows = store.list_orders(query, options.offset, options.limit, now)
    if options.json:
        emit_json({"total": store.count_orders(query, now), "orders": rows})
        return ExitCode.OK
    table(
        ["NUMBER", "STATUS", "BUYER", "SERVICE", "PAID", "NET", "NEXT DEADLINE", "SYNC"],
        [
            [
                row.number,
                row.status_label,
                f"{row.buyer_name} ({row.buyer_country})",
                row.service_title[:40],
                str(row.paid),
                str(row.net_settlement),
                (
                    f"{row.deadline_kind.label if row.deadline_kind else ''} "
                    f"{row.deadline_at:%Y-%m-%d %H:%M}Z"
                    if row.deadline_at
                    else ""
                ),
                ("! " if row.sync_problem else "")
                + (f"{row.pending_operations} queued" if row.pending_operations else ""),
            ]
            for row in rows
        ],
    )
    print(f"({len(rows)} of {store.count_orders(query, now)})")
    return ExitCode.OK


def _find(store: Store, number: str) -> Order | None:
    order_id = store.order_id_for_number(number) or number
    return store.get_order(order_id)


def show(context: Context) -> int:
    store = context.session().store
    order = _find(store, context.options.number)
    if order is None:
        error(f"no order {context.options.number} in the cache (run `orderdesk sync`)")
        return ExitCode.NOT_FOUND
    operations = store.operations(order.id)
    messages = store.messages(order.id)
    now = utc_now()
    if context.options.json:
        emit_json(
            {
                "order": order_to_wire(order),
                "available_actions": {
                    kind.value: avail.reason for kind, avail in availability(order, now).items()
                },
                "operations": operations,
                "messages": messages,
            }
        )
        return ExitCode.OK
    finance = order.finance
    deadline = next_deadline(order)
    lines = [
        f"{order.number}  {order.status_label}  (version {order.version})",
        f"Buyer:     {order.buyer.display_name} ({order.buyer.country}, {order.buyer.timezone})",
        f"Service:   {order.service.title} / {order.service.package}",
        f"Paid:      {finance.buyer_paid}   fees {finance.fees}   net {finance.net_receipt}",
        f"Settled:   {finance.settlement.net_receipt} at {finance.settlement.fx_rate} "
        f"({finance.payout_status.value})",
    ]
    if deadline:
        lines.append(
            f"Deadline:  {deadline.label} {deadline.due:%Y-%m-%d %H:%M}Z ({deadline.actor})"
        )
    if order.pending_extension:
        ext = order.pending_extension
        lines.append(f"Extension: {ext.requested_days} days asked: {ext.reason}")
    if order.pending_refund:
        ref = order.pending_refund
        lines.append(f"Refund:    {ref.amount} asked: {ref.reason}")
    lines.append(f"Requirements: {order.requirements.text}")
    allowed = [kind.label for kind, a in availability(order, now).items() if a.allowed]
    lines.append(f"Actions now: {', '.join(allowed) or 'none'}")
    for line in lines:
        print("".join(ch if ch.isprintable() else " " for ch in line))
    if operations:
        print("Operations:")
        for entry in operations:
            extra = f" - {entry.last_error}" if entry.last_error else ""
            print(f"  #{entry.id} {entry.kind.label}: {entry.state.label}{extra}")
    if messages:
        print("Messages:")
        for item in messages[-20:]:
            state = f" [{item.sync_state.label}]" if item.sync_state else ""
            text = " ".join(item.message.text.split())
            print(f"  {item.message.sent_at:%Y-%m-%d %H:%M}Z {item.message.author}{state}: {text}")
    return ExitCode.OK


def _operation(order: Order, action: str, context: Context) -> Operation:
    options = context.options
    match action:
        case "confirm-delivery":
            return ConfirmDelivery(note=options.note)
        case "refuse-delivery":
            return RefuseDelivery(options.reason_code or "", options.explanation or "")
        case "approve-extension":
            return ApproveExtension(order.extension_request.id if order.extension_request else "")
        case "reject-extension":
            return RejectExtension(
                order.extension_request.id if order.extension_request else "",
                options.reason or "",
            )
        case "approve-refund":
            return ApproveRefund(order.refund_request.id if order.refund_request else "")
        case "dispute-refund":
            return DisputeRefund(
                order.refund_request.id if order.refund_request else "",
                options.reason or "",
                options.evidence or "",
            )
        case "message":
            return SendMessage(options.text or "")
    raise AssertionError(action)  # pragma: no cover


_KINDS = {
    "confirm-delivery": ActionKind.CONFIRM_DELIVERY,
    "refuse-delivery": ActionKind.REFUSE_DELIVERY,
    "approve-extension": ActionKind.APPROVE_EXTENSION,
    "reject-extension": ActionKind.REJECT_EXTENSION,
    "approve-refund": ActionKind.APPROVE_REFUND,
    "dispute-refund": ActionKind.DISPUTE_REFUND,
    "message": ActionKind.SEND_MESSAGE,
}


def act(context: Context) -> int:
    store = context.session().store
    options = context.options
    order = _find(store, options.number)
    if order is None:
        error(f"no order {options.number} in the cache (run `orderdesk sync`)")
        return ExitCode.NOT_FOUND
    now = utc_now()
    reason = refusal_reason(order, _KINDS[options.action], now)
    if reason is not None:
        error(f"{_KINDS[options.action].label} is not allowed on {order.number}: {reason}")
        return ExitCode.USAGE
    try:
        entry = store.enqueue(order.id, _operation(order, options.action, context), now)
    except NotAllowedError as problem:
        error(f"not allowed on {order.number}: {problem.reason}")
        return ExitCode.USAGE
    except OperationValidationError as problem:
        for item in problem.errors:
            error(f"--{item.field.replace('_', '-')}: {item.message}")
        return ExitCode.USAGE
    if options.json:
        emit_json(entry)
    else:
        print(
            f"Queued operation {entry.id}: {entry.kind.label} on {entry.order_number}. "
            "It is sent by `orderdesk sync`."
        )
    return ExitCode.OK
