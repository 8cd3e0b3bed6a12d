"""Build the one-folder app with PyInstaller, then smoke-test what was built.

    python3 -m venv .venv && .venv/bin/pip install -e ".[package]"
    .venv/bin/python packaging/build.py

The result is `dist/OrderDesk/` (and `dist/OrderDesk.app` on macOS). The smoke test runs the
frozen executable's `--version` and its self-check (Qt starts offscreen, the domain, the
store's migrations and the keyring backend load), so a build that misses a hidden import fails
here, not on an operator's machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            str(ROOT / "packaging" / "orderdesk.spec"),
        ],
        cwd=ROOT,
        check=True,
    )
    name = "orderdesk.exe" if os.name == "nt" else "orderdesk"
    frozen = ROOT / "dist" / "OrderDesk" / name
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for args in (["--version"], ["--self-check"]):
        result = subprocess.run(
            [str(frozen), *args], capture_output=True, text=True, env=env, timeout=120
        )
        print(f"{frozen.name} {' '.join(args)} -> {result.returncode}: {result.stdout.strip()}")
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
