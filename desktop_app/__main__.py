"""`orderdesk`: the window by default; a subcommand (login, sync, orders, ...) runs the CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    from desktop_app.cli import COMMANDS

    if args and args[0] in COMMANDS:
        from desktop_app.cli import main as cli_main

        return cli_main(args)
    from desktop_app.ui.app import main as gui_main

    return gui_main(args)


if __name__ == "__main__":
    sys.exit(main())
