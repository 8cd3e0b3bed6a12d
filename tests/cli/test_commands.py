"""The CLI end to end on the sandbox: login, sync, orders, show, act, outbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.cli.exit_codes import ExitCode
from desktop_app.store import OperationState

from ..sync.sandbox import SandboxControl
from .conftest import InProcessCli, MemoryKeyring, run_cli


def _login(cli: InProcessCli, url: str) -> None:
    result = cli(
        "login", "--server", url, "--username", "demo", "--password-stdin", stdin="demo-password\n"
    )
    assert result.code == ExitCode.OK, result.err
    assert "Demo" in result.out


def _first(cli: InProcessCli, status: str) -> dict[str, object]:
    result = cli("orders", "--status", status, "--json", "--limit", "5")
    assert result.code == 0, result.err
    rows = json.loads(result.out)["orders"]
    assert rows, f"no {status} orders"
    return dict(rows[0])


def test_login_keeps_the_refresh_token_in_the_keyring_only(
    cli: InProcessCli, control: SandboxControl, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    _login(cli, control.url)
    assert list(memory_keyring.values) == [("OrderDesk", f"demo@{control.url.split('//')[1]}")]
    token = next(iter(memory_keyring.values.values()))
    for file in (tmp_path / "data").rglob("*"):
        if file.is_file():
            assert token.encode() not in file.read_bytes(), file
    bad = cli(
        "login", "--server", control.url, "--username", "demo", "--password-stdin", stdin="wrong\n"
    )
    assert bad.code == ExitCode.AUTH


def test_sync_list_show_act_and_outbox(cli: InProcessCli, control: SandboxControl) -> None:
    _login(cli, control.url)
    synced = cli("sync", "--once", "--conversations", "2")
    assert synced.code == ExitCode.OK, synced.err
    assert "orders cached" in synced.out

    listing = cli("orders", "--status", "pending-delivery")
    assert listing.code == 0 and "Pending delivery" in listing.out
    order = _first(cli, "pending-delivery")
    number = str(order["number"])

    shown = cli("show", number)
    assert shown.code == 0 and number in shown.out and "Confirm delivery" in shown.out
    detail = json.loads(cli("show", number, "--json").out)
    assert detail["order"]["number"] == number

    queued = cli("act", number, "confirm-delivery", "--note", "Files delivered", "--json")
    assert queued.code == 0, queued.err
    entry = json.loads(queued.out)
    assert entry["state"] == "queued"
    # The cache shows it at once, offline.
    assert "Awaiting confirmation" in cli("show", number).out

    outbox = json.loads(cli("outbox", "--json").out)
    assert [e["id"] for e in outbox] == [entry["id"]]

    synced = cli("sync", "--once", "--conversations", "0")
    assert synced.code == ExitCode.OK, synced.err + synced.out
    applied = json.loads(cli("outbox", "--all", "--json").out)
    assert applied[0]["state"] == OperationState.APPLIED.value
    keys = control.assert_no_key_applied_twice()
    assert keys[entry["idempotency_key"]] == 1


def test_act_checks_the_domain_first_and_queues_nothing_when_not_allowed(
    cli: InProcessCli, control: SandboxControl
) -> None:
    _login(cli, control.url)
    cli("sync", "--once", "--conversations", "0")
    order = _first(cli, "completed")
    refused = cli("act", str(order["number"]), "confirm-delivery")
    assert refused.code == ExitCode.USAGE
    assert "not allowed" in refused.err and "completed" in refused.err
    pending = _first(cli, "pending-delivery")
    invalid = cli("act", str(pending["number"]), "refuse-delivery", "--reason-code", "capacity")
    assert invalid.code == ExitCode.USAGE and "--explanation" in invalid.err
    assert json.loads(cli("outbox", "--all", "--json").out) == []
    missing = cli("act", "SO-00000000-000000", "message", "--text", "hi")
    assert missing.code == ExitCode.NOT_FOUND


def test_outbox_retry_and_discard(cli: InProcessCli, control: SandboxControl) -> None:
    _login(cli, control.url)
    cli("sync", "--once", "--conversations", "0")
    number = str(_first(cli, "pending-delivery")["number"])
    first = json.loads(cli("act", number, "message", "--text", "One", "--json").out)
    second = json.loads(cli("act", number, "message", "--text", "Two", "--json").out)
    assert cli("outbox", "discard", str(second["id"])).code == ExitCode.OK
    assert cli("outbox", "retry", str(first["id"])).code == ExitCode.OK  # due now
    assert cli("outbox", "discard", "999").code == ExitCode.NOT_FOUND
    assert cli("sync", "--once", "--conversations", "0").code == ExitCode.OK
    states = {e["id"]: e["state"] for e in json.loads(cli("outbox", "--all", "--json").out)}
    assert states == {first["id"]: "applied", second["id"]: "discarded"}
    again = cli("outbox", "discard", str(first["id"]))
    assert again.code == ExitCode.USAGE and "applied" in again.err


def test_sync_without_a_profile_or_offline(cli: InProcessCli, control: SandboxControl) -> None:
    assert cli("sync", "--once").code == ExitCode.NOT_FOUND
    _login(cli, control.url)
    with control.faulty(drop_rate=1.0):
        result = cli("sync", "--once", "--timeout", "0.5", "--conversations", "0")
    assert result.code == ExitCode.OFFLINE


def test_a_cache_that_cannot_be_used_is_told_plainly_with_its_exit_code(
    cli: InProcessCli, control: SandboxControl
) -> None:
    _login(cli, control.url)
    assert cli("sync", "--once", "--conversations", "0").code == ExitCode.OK
    (cache,) = (cli.data_dir / "caches").glob("*.sqlite3")
    for extra in cache.parent.glob(cache.name + "-*"):
        extra.unlink()
    cache.write_bytes(b"not a database at all" * 500)  # e.g. overwritten by another program
    result = cli("orders", "--limit", "1")
    assert result.code == ExitCode.CACHE
    assert "damaged" in result.err and "Traceback" not in result.err


def test_help_lists_the_exit_codes(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "sync", "--help")
    assert result.returncode == 0
    for code in ("0 ", "2 ", "3 ", "4 ", "5 ", "6 ", "7 "):
        assert f"\n  {code}" in result.stdout


@pytest.mark.parametrize("status", ["needs-action", "refund_requested", "all"])
def test_orders_accepts_views_and_statuses(
    cli: InProcessCli, control: SandboxControl, status: str
) -> None:
    _login(cli, control.url)
    cli("sync", "--once", "--conversations", "0")
    assert cli("orders", "--status", status).code == 0
    assert cli("orders", "--status", "nonsense").code == ExitCode.USAGE
