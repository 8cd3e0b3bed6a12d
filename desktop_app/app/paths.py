"""Where OrderDesk keeps its data: the platform's user data folder, unless told otherwise.

Order of precedence: an explicit ``--data-dir``, then ``ORDERDESK_DATA_DIR``, then the
platform's standard location (``platformdirs.user_data_dir("OrderDesk")``).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["APP_NAME", "DATA_DIR_ENV", "resolve_data_dir"]

APP_NAME = "OrderDesk"
DATA_DIR_ENV = "ORDERDESK_DATA_DIR"


def resolve_data_dir(explicit: Path | str | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
