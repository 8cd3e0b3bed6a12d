"""`orderdesk <subcommand>`: the command line on the same cache as the app.

Kept light: `desktop_app.__main__` imports this module to decide between the CLI and the GUI,
so the heavy parts load only once a subcommand runs.
"""

from __future__ import annotations

__all__ = ["COMMANDS", "main"]

COMMANDS = frozenset({"login", "logout", "sync", "orders", "show", "act", "outbox", "profiles"})


def main(args: list[str]) -> int:
    from .main import run

    return run(args)
