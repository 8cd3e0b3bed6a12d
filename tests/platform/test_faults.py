"""A failing platform, for real: rate limits, server errors, dropped connections, slowness."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from desktop_app.domain import ConfirmDelivery, OrderStatus
from desktop_app.platform import (
    CursorExpired,
    MemoryCredentials,
    PlatformClient,
    RateLimited,
    ServerError,
    TransportError,
)
from desktop_app.sandbox.server import RunningSandbox, SandboxOptions, start_sandbox

from .conftest import DEMO, Control


def test_too_many_requests_is_rate_limited_with_retry_after(
    client: PlatformClient, control: Control
) -> None:
    control.faults(rate_limit_per_s=1)
    with pytest.raises(RateLimited) as caught:
        for _ in range(5):  # burst = rate: the second request within a second is refused
            client.changes(None, limit=1)
    assert caught.value.status == 429
    assert caught.value.retry_after is not None and caught.value.retry_after > 0


def test_a_failing_server_is_a_server_error(client: PlatformClient, control: Control) -> None:
    control.faults(error_rate=1.0)
    with pytest.raises(ServerError) as caught:
        client.changes(None, limit=1)
    assert caught.value.status is not None and caught.value.status >= 500
    if caught.value.status == 503:
        assert caught.value.retry_after is not None


def test_a_dropped_connection_is_a_transport_error(
    client: PlatformClient, control: Control
) -> None:
    control.faults(drop_rate=1.0)
    with pytest.raises(TransportError) as caught:
        client.changes(None, limit=1)
    assert caught.value.status is None
    assert "unknown" in str(caught.value)


def test_a_slow_server_times_out(sandbox: RunningSandbox, control: Control) -> None:
    with PlatformClient(sandbox.url, MemoryCredentials(), timeout=0.3) as impatient:
        impatient.sign_in(*DEMO)
        control.faults(latency_ms=1500)
        with pytest.raises(TransportError, match="in time"):
            impatient.changes(None, limit=1)


def test_a_write_whose_answer_was_lost_is_applied_once_when_resent(
    client: PlatformClient, control: Control
) -> None:
    """Drops lose the answer after the write half of the time: resending with the same key
    either applies it or replays it, and the ledger holds the key once."""
    order = control.new_order("pending_delivery")
    op, k = ConfirmDelivery(note="once"), f"test-{uuid.uuid4()}"
    control.faults(drop_rate=1.0)
    for _ in range(4):
        with pytest.raises(TransportError):
            client.perform(order.id, op, idempotency_key=k, if_match=order.version)
    control.faults()
    result = client.perform(order.id, op, idempotency_key=k, if_match=order.version)
    assert result.order is not None
    assert result.order.status is OrderStatus.AWAITING_CONFIRMATION
    assert [e["idempotency_key"] for e in control.ledger()].count(k) == 1


@pytest.fixture(scope="module")
def clocked() -> Iterator[RunningSandbox]:
    """A sandbox of its own, since moving its clock by a month fires every deadline."""
    with start_sandbox(SandboxOptions(orders=4, seed=3, control=True), port=0) as s:
        yield s


def test_a_cursor_older_than_its_lifetime_is_expired(clocked: RunningSandbox) -> None:
    with PlatformClient(clocked.url, MemoryCredentials()) as client, Control(clocked.url) as ctl:
        client.sign_in(*DEMO)
        cursor = client.changes(None).next_cursor
        ctl.advance(31 * 24 * 3600)  # a cursor stays valid for at least 30 days, not forever
        with pytest.raises(CursorExpired) as caught:
            client.changes(cursor)
        assert (caught.value.status, caught.value.code) == (410, "cursor-expired")
        assert client.changes(None).orders  # the cure: start again from the beginning


def test_a_cursor_the_platform_never_issued_also_means_resync(client: PlatformClient) -> None:
    """Not in the contract: the sandbox answers 400 invalid-cursor (say, a cursor kept from
    before a reset). The client reads it as an expired cursor: the cure is the same."""
    with pytest.raises(CursorExpired) as caught:
        client.changes("not-a-cursor-of-this-platform")
    assert (caught.value.status, caught.value.code) == (400, "invalid-cursor")
