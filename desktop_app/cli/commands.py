"""login, logout, profiles, sync."""

from __future__ import annotations

import getpass
import signal
import sys
import threading
from types import FrameType

from desktop_app.app import sign_in
from desktop_app.platform import AuthenticationError, KeyringCredentials
from desktop_app.store import OperationState
from desktop_app.sync import OperationSettled, SyncEvent, SyncStateChanged

from .context import Context
from .exit_codes import ExitCode
from .output import emit_json, error, table

__all__ = ["login", "logout", "profiles", "sync"]


def login(context: Context) -> int:
    options = context.options
    if options.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {options.username}: ")
    try:
        profile = sign_in(
            context.registry, context.profile_name, options.server, options.username, password
        )
    except AuthenticationError as problem:
        error(problem.detail)
        return ExitCode.AUTH
    print(
        f"Signed in as {profile.merchant_name} ({profile.merchant_id}) on {profile.server}; "
        f"profile {profile.name!r}."
    )
    return ExitCode.OK


def logout(context: Context) -> int:
    profile = context.registry.get(context.profile_name)
    KeyringCredentials(profile.credential_key).clear()
    print(f"Signed out of profile {profile.name!r}; its cache and outbox are kept.")
    return ExitCode.OK


def profiles(context: Context) -> int:
    found = context.registry.all()
    current = context.registry.current_name()
    if context.options.json:
        emit_json([{**vars(p), "current": p.name == current} for p in found])
        return ExitCode.OK
    table(
        ["", "PROFILE", "SERVER", "USERNAME", "MERCHANT"],
        [
            ["*" if p.name == current else "", p.name, p.server, p.username, p.merchant_name or ""]
            for p in found
        ],
    )
    return ExitCode.OK


class _EventPrinter:
    """Prints settled operations and changes of the connection (not every success)."""

    def __init__(self) -> None:
        self._last: tuple[bool, str | None] | None = None

    def __call__(self, event: SyncEvent) -> None:
        if isinstance(event, OperationSettled):
            detail = f": {event.explanation}" if event.explanation else ""
            print(f"operation {event.entry_id}: {event.state.label.lower()}{detail}", flush=True)
        elif isinstance(event, SyncStateChanged):
            state = (event.online, event.error)
            if state != self._last:
                self._last = state
                shown = "online" if event.online else "offline"
                print(f"sync: {shown}" + (f" ({event.error})" if event.error else ""), flush=True)


def sync(context: Context) -> int:
    session = context.session()
    options = context.options
    if options.once:
        engine = session.make_engine(own_store=False, messages_per_cycle=options.conversations)
        engine.subscribe(_EventPrinter())
        quiet = engine.drain(timeout=options.timeout)
        store = session.store
        counts = store.outbox_counts()
        status = store.sync_status()
        print(
            f"{store.order_count()} orders cached; outbox: "
            + ", ".join(f"{counts[s]} {s.label.lower()}" for s in OperationState if counts[s])
            if any(counts.values())
            else f"{store.order_count()} orders cached; outbox empty."
        )
        if engine.auth_required:
            error(f"{engine.last_error} (run `orderdesk login`)")
            return ExitCode.AUTH
        if not quiet:
            error(f"sync did not finish: {engine.last_error or status.last_error or 'timed out'}")
            return ExitCode.OFFLINE
        if store.problem_operations():
            return ExitCode.ATTENTION
        return ExitCode.OK
    engine = session.make_engine(
        own_store=False,
        pull_interval=options.interval,
        messages_per_cycle=options.conversations,
    )
    engine.subscribe(_EventPrinter())
    stopped = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, _stop)
    engine.start()
    print("Syncing; press Ctrl+C to stop.", flush=True)
    try:
        while not stopped.wait(0.5):
            if engine.auth_required:
                error(f"{engine.last_error} (run `orderdesk login`)")
                return ExitCode.AUTH
    except KeyboardInterrupt:
        pass
    finally:
        engine.stop()
    return ExitCode.OK
