"""Entry point of the frozen app: the same `orderdesk` command as the installed one."""

import sys

from desktop_app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
