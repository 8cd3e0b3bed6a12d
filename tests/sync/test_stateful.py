"""A Hypothesis state machine: the operator acts, goes offline and online, the platform moves
orders, the app restarts. After a quiet drain the cache must equal the platform, every
operation must have an answer, and the ledger must show no idempotency key applied twice.

(The cache shows an operation's effect only while it is unfinished; a rejected one, or one
needing review, leaves the platform's order as it is. So the equality here holds for every
order, not only for those without refused operations.)
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

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
    OrderStatus,
    RefuseDelivery,
    RejectExtension,
    SendMessage,
    availability,
    order_to_wire,
    utc_now,
)
from desktop_app.platform import MemoryCredentials, PlatformClient
from desktop_app.store import OperationState, OrderQuery, Store
from desktop_app.sync import SyncEngine

from .conftest import fast_engine
from .sandbox import DEMO, SandboxControl

EXAMPLES = int(os.environ.get("ORDERDESK_STATEFUL_EXAMPLES", "8"))
ANSWERED = {
    OperationState.APPLIED,
    OperationState.REJECTED,
    OperationState.NEEDS_REVIEW,
    OperationState.DISCARDED,
}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _operation(order: Order, kind: ActionKind, text: str) -> Operation:
    ext, ref = order.extension_request, order.refund_request
    match kind:
        case ActionKind.CONFIRM_DELIVERY:
            return ConfirmDelivery(note=text)
        case ActionKind.REFUSE_DELIVERY:
            return RefuseDelivery("out_of_scope", text)
        case ActionKind.APPROVE_EXTENSION:
            return ApproveExtension(ext.id if ext else "")
        case ActionKind.REJECT_EXTENSION:
            return RejectExtension(ext.id if ext else "", text)
        case ActionKind.APPROVE_REFUND:
            return ApproveRefund(ref.id if ref else "")
        case ActionKind.DISPUTE_REFUND:
            return DisputeRefund(ref.id if ref else "", text, "Delivered on time, see chat")
        case ActionKind.SEND_MESSAGE:
            return SendMessage(text)
    raise AssertionError(kind)


class SyncMachine(RuleBasedStateMachine):
    url: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="orderdesk-stateful-"))
        self.control = SandboxControl(self.url)
        self.control.reset(orders=12, seed=3)
        self.online_client = PlatformClient(self.url, MemoryCredentials(), timeout=5.0)
        self.online_client.sign_in(*DEMO)
        self.offline_client = PlatformClient(
            f"http://127.0.0.1:{_closed_port()}", MemoryCredentials("none"), timeout=1.0
        )
        self.store = Store.open(self.folder / "cache.sqlite3")
        self.online = True
        self.engine = self._engine()
        self.acted = 0

    def _engine(self) -> SyncEngine:
        client = self.online_client if self.online else self.offline_client
        return fast_engine(self.store, client, push_workers=2)

    def _order_ids(self) -> list[str]:
        return [row.id for row in self.store.list_orders(OrderQuery(), 0, 100, utc_now())]

    @initialize()
    def first_sync(self) -> None:
        assert self.engine.drain(timeout=20)

    @rule(
        data=st.data(),
        text=st.text(
            st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), min_size=1, max_size=40
        ),
    )
    def operator_acts(self, data: st.DataObject, text: str) -> None:
        ids = self._order_ids()
        order = self.store.get_order(data.draw(st.sampled_from(ids), label="order"))
        assert order is not None
        allowed = sorted(k for k, a in availability(order, utc_now()).items() if a.allowed)
        if not allowed:
            return
        kind = data.draw(st.sampled_from(allowed), label="action")
        try:
            self.store.enqueue(order.id, _operation(order, kind, text), utc_now())
            self.acted += 1
        except (NotAllowedError, OperationValidationError):
            pass  # e.g. whitespace-only text: refused before queuing, nothing queued

    @rule(data=st.data())
    def operator_acts_offline(self, data: st.DataObject) -> None:
        """Acting while offline is the common case worth weighting."""
        if self.online:
            self.go_offline()
        self.operator_acts(data, "Offline note")

    @rule(data=st.data(), again=st.booleans())
    def operator_resolves_a_review(self, data: st.DataObject, again: bool) -> None:
        refused = [e for e in self.store.operations() if e.is_problem]
        if not refused:
            return
        entry = data.draw(st.sampled_from(refused), label="entry")
        try:
            if again:
                self.store.reapply(entry.id, utc_now())
            else:
                self.store.discard(entry.id, utc_now())
        except (NotAllowedError, OperationValidationError):
            pass  # no longer possible on the order as it is now: the entry stays as it was

    @rule()
    def go_offline(self) -> None:
        self.engine.stop()
        self.online = False
        self.engine = self._engine()

    @rule()
    def go_online(self) -> None:
        self.engine.stop()
        self.online = True
        self.engine = self._engine()

    @rule()
    def sync(self) -> None:
        self.engine.run_once()

    @rule(drop=st.sampled_from([0.3, 0.6]))
    def sync_over_a_flaky_network(self, drop: float) -> None:
        with self.control.faulty(drop_rate=drop, error_rate=0.2):
            self.engine.run_once()

    @rule()
    def app_restarts(self) -> None:
        self.engine.stop()
        self.store.close()
        self.store = Store.open(self.folder / "cache.sqlite3")
        self.engine = self._engine()

    @rule(data=st.data(), ours=st.booleans())
    def platform_moves_an_order(self, data: st.DataObject, ours: bool) -> None:
        """The buyer moves an order, often one we have a queued operation on (a conflict)."""
        waiting = sorted(
            {e.order_id for e in self.store.operations() if e.state.value in ("queued", "sending")}
        )
        candidates = waiting if ours and waiting else self._order_ids()
        order = self.control.platform_order(data.draw(st.sampled_from(candidates)))
        moves: list[tuple[str, dict[str, object] | None]] = [("message", {"text": "Any news?"})]
        if order.status in (OrderStatus.PENDING_DELIVERY, OrderStatus.AWAITING_CONFIRMATION):
            moves.append(("request-refund", {"reason": "Changed my mind"}))
        if order.status is OrderStatus.AWAITING_CONFIRMATION:
            moves.append(("confirm", None))
            if order.pending_extension is None:
                moves.append(("request-extension", {"days": 3, "reason": "Travelling"}))
        if order.status is OrderStatus.DELIVERY_REFUSED:
            moves.append(("revise-requirements", {"text": "Simpler, please"}))
        move, body = data.draw(st.sampled_from(moves), label="move")
        self.control.buyer(order.id, move, body)

    @rule(hours=st.sampled_from([1, 30, 24 * 8]))
    def platform_time_passes(self, hours: int) -> None:
        self.control.advance(hours * 3600)

    def teardown(self) -> None:
        try:
            self.check_after_quiet_drain()
        finally:
            self.engine.stop()
            self.store.close()
            self.online_client.close()
            self.offline_client.close()
            self.control.faults()
            self.control.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    def check_after_quiet_drain(self) -> None:
        self.engine.stop()
        self.online = True
        self.engine = self._engine()
        assert self.engine.drain(timeout=30), "the drain did not end quiet"
        entries = self.store.operations()
        if os.environ.get("STATEFUL_DEBUG"):
            print("STATES", sorted(e.state.value for e in entries), [e.attempts for e in entries])
        assert all(entry.state in ANSWERED for entry in entries), entries
        keys = self.control.assert_no_key_applied_twice()
        for entry in entries:
            applied = entry.state is OperationState.APPLIED
            assert (keys[entry.idempotency_key] == 1) == applied, entry
        platform = self.control.all_orders()
        assert set(platform) == set(self._order_ids())
        for order_id, truth in platform.items():
            cached = self.store.get_order(order_id)
            assert cached is not None
            assert order_to_wire(cached) == order_to_wire(truth), order_id


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_after_a_quiet_drain_the_cache_equals_the_platform(sandbox_url: str) -> None:
    SyncMachine.url = sandbox_url
    run_state_machine_as_test(
        SyncMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
        ),
    )
