"""`orderdesk --self-check`: prove that an installed or frozen build has every part it needs.

Used by the packaging smoke test: a missing hidden import, data file or migration script fails
here, on the build machine, instead of on an operator's.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path


def run() -> list[str]:
    """Exercise each layer once; return what was checked (raises on the first failure)."""
    checked: list[str] = []
    from desktop_app.domain import Money

    assert Money.parse("1.005", "KWD").to_wire()["amount"] == "1.005"
    assert Money.parse("100", "JPY").scaled(Decimal("0.1")).wire_amount() == "10"
    checked.append("domain and CLDR currency data")

    from zoneinfo import ZoneInfo

    ZoneInfo("Asia/Tokyo")
    checked.append("time zone database")

    from desktop_app.store import Store

    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "check.sqlite3")
        store.close()
    checked.append("store and its migrations")

    import keyring

    checked.append(f"keyring backend {type(keyring.get_keyring()).__name__}")

    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    _app = QApplication.instance() or QApplication(["orderdesk"])
    checked.append(f"Qt {qVersion()} on the {QGuiApplication.platformName()} platform")
    return checked
