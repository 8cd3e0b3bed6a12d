"""`orderdesk`: the window by default; a subcommand (login, sync, orders, ...) runs the CLI."""

from __future__ import annotations

import sys

_GLOBAL_OPTIONS_WITH_VALUE = ("--data-dir", "--profile")


def _command_position(args: list[str]) -> int | None:
    """Where the CLI subcommand stands, past any global options before it; None: the GUI."""
    from desktop_app.cli import COMMANDS

    position = 0
    while position < len(args):
        token = args[position]
        if token in COMMANDS:
            return position
        if token in _GLOBAL_OPTIONS_WITH_VALUE:
            position += 2
        elif token.startswith(tuple(f"{option}=" for option in _GLOBAL_OPTIONS_WITH_VALUE)):
            position += 1
        else:
            return None
    return None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--version"]:
        from desktop_app import __version__

        print(f"OrderDesk {__version__}")  # noqa: T201
        return 0
    if args[:1] == ["--self-check"]:
        from desktop_app.selfcheck import run

        for line in run():
            print(f"ok: {line}")  # noqa: T201
        return 0

    command_at = _command_position(args)
    if command_at is not None:
        from desktop_app.cli import main as cli_main

        # `orderdesk --data-dir X sync` reads as `orderdesk sync --data-dir X`
        return cli_main([args[command_at], *args[:command_at], *args[command_at + 1 :]])
    from desktop_app.ui.app import main as gui_main

    return gui_main(args)


if __name__ == "__main__":
    sys.exit(main())
