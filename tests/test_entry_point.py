"""`orderdesk`: the window by default, the CLI for a subcommand, wherever global options stand."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.__main__ import _command_position


@pytest.mark.parametrize(
    ("args", "position"),
    [
        ([], None),
        (["--demo"], None),
        (["--data-dir", "/x", "--demo"], None),
        (["sync", "--once"], 0),
        (["--data-dir", "/x", "sync"], 2),
        (["--data-dir=/x", "--profile", "p", "outbox"], 3),
        (["--profile"], None),
    ],
)
def test_the_subcommand_is_found_past_global_options(args: list[str], position: int | None) -> None:
    assert _command_position(args) == position


def test_a_global_option_before_the_subcommand_reaches_the_cli(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--data-dir", str(tmp_path), "outbox"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 5  # no such profile — in that folder, not the GUI
    assert str(tmp_path) in result.stderr
