"""`orderdesk`: the window by default; a subcommand (login, sync, orders, ...) runs the CLI."""

from __future__ import annotations

import sys


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

    from desktop_app.cli import COMMANDS

    if args and args[0] in COMMANDS:
        from desktop_app.cli import main as cli_main

        return cli_main(args)
    from desktop_app.ui.app import main as gui_main

    return gui_main(args)


if __name__ == "__main__":
    sys.exit(main())
