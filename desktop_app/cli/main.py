"""Argument parsing and dispatch of `orderdesk <subcommand>`."""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from desktop_app.app import DEFAULT_PROFILE, ProfileError
from desktop_app.platform import AuthenticationError, CredentialStoreError, PlatformError
from desktop_app.store import StoreError, cache_problem

from . import commands, orders, outbox
from .context import Context
from .exit_codes import EXIT_CODES_HELP, ExitCode
from .output import error

__all__ = ["build_parser", "run"]

ACTIONS = (
    "confirm-delivery",
    "refuse-delivery",
    "approve-extension",
    "reject-extension",
    "approve-refund",
    "dispute-refund",
    "message",
)


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("global options")
    group.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where profiles and caches live (default: $ORDERDESK_DATA_DIR, else the "
        "platform's user data folder)",
    )
    group.add_argument(
        "--profile",
        metavar="NAME",
        help=f"the profile to use (default: the last one signed in, else {DEFAULT_PROFILE!r})",
    )
    group.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="orderdesk",
        description="OrderDesk on the command line: sign in, sync, list and act on orders "
        "(offline too: actions are queued and sent by `sync`).",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        name: str, help_text: str, handler: Callable[[Context], int]
    ) -> argparse.ArgumentParser:
        command = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            parents=[common],
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.set_defaults(handler=handler)
        return command

    login = add(
        "login", "sign in to a platform server (refresh token into the OS keyring)", commands.login
    )
    login.add_argument("--server", required=True, metavar="URL")
    login.add_argument("--username", required=True, metavar="NAME")
    login.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (else it is asked for)",
    )

    add("logout", "forget the profile's sign-in (its cache and outbox stay)", commands.logout)
    profiles = add("profiles", "list the profiles", commands.profiles)
    profiles.add_argument("--json", action="store_true")

    sync = add("sync", "pull changes and push queued operations (until stopped)", commands.sync)
    sync.add_argument(
        "--once",
        action="store_true",
        help="one sync: pull, push until the outbox is drained, pull, exit",
    )
    sync.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="with --once: give up waiting for retries after this long (default 120)",
    )
    sync.add_argument(
        "--interval",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="without --once: seconds between pulls (default 60)",
    )

    sync.add_argument(
        "--conversations",
        type=int,
        default=20,
        metavar="N",
        help="fetch up to N conversations per cycle (default 20; 0: none)",
    )

    listing = add("orders", "list cached orders", orders.list_orders)
    listing.add_argument(
        "--status",
        metavar="S",
        default="all",
        help="a view or status: " + ", ".join(orders.VIEW_NAMES),
    )
    listing.add_argument("--search", metavar="TEXT", default="")
    listing.add_argument("--sort", choices=orders.SORT_NAMES, default="deadline")
    listing.add_argument("--desc", action="store_true", help="sort descending")
    listing.add_argument("--limit", type=int, default=100, metavar="N")
    listing.add_argument("--offset", type=int, default=0, metavar="N")
    listing.add_argument("--json", action="store_true")

    show = add("show", "one order in full, with its pending operations and messages", orders.show)
    show.add_argument("number", metavar="NUMBER")
    show.add_argument("--json", action="store_true")

    act = add("act", "queue an operation on an order (checked first; sent by `sync`)", orders.act)
    act.add_argument("number", metavar="NUMBER")
    act.add_argument("action", choices=ACTIONS, metavar="ACTION", help=", ".join(ACTIONS))
    act.add_argument("--note", help="confirm-delivery: an optional note to the buyer")
    act.add_argument(
        "--reason-code",
        help="refuse-delivery: requirements_unclear, "
        "out_of_scope, capacity, buyer_unresponsive or other",
    )
    act.add_argument("--explanation", help="refuse-delivery: why (required)")
    act.add_argument("--reason", help="reject-extension, dispute-refund: why (required)")
    act.add_argument("--evidence", help="dispute-refund: the evidence (required)")
    act.add_argument("--text", help="message: the text to send")
    act.add_argument("--json", action="store_true")

    box = add("outbox", "queued operations and their state; retry or discard one", outbox.show)
    box.add_argument("--json", action="store_true")
    box.add_argument("--all", action="store_true", help="include applied and discarded ones")
    box_sub = box.add_subparsers(dest="outbox_command", metavar="retry|discard")
    for name, help_text, handler in (
        (
            "retry",
            "send a waiting operation now; apply a refused one again on the "
            "order's current version",
            outbox.retry,
        ),
        ("discard", "drop an operation never sent, or dismiss a refused one", outbox.discard),
    ):
        action = box_sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        action.add_argument("entry_id", type=int, metavar="ID")
        action.add_argument("--json", action="store_true")
        action.set_defaults(handler=handler)
    return parser


def run(args: list[str]) -> int:
    parser = build_parser()
    options = parser.parse_args(args)
    logging.basicConfig(
        level=logging.INFO if options.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    context = Context(options)
    try:
        return int(options.handler(context))
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except ProfileError as problem:
        error(str(problem))
        return ExitCode.NOT_FOUND if "no profile" in str(problem) else ExitCode.AUTH
    except (AuthenticationError, CredentialStoreError) as problem:
        error(f"{problem.detail} (run `orderdesk login`)")
        return ExitCode.AUTH
    except PlatformError as problem:
        error(str(problem))
        return ExitCode.OFFLINE
    except StoreError as problem:
        error(str(problem))
        return ExitCode.ERROR
    except (sqlite3.Error, SQLAlchemyError, OSError) as problem:
        plain = cache_problem(problem)
        if plain is None:
            raise
        error(f"{plain} ({type(getattr(problem, 'orig', problem)).__name__})")
        return ExitCode.CACHE
    finally:
        context.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(sys.argv[1:]))
