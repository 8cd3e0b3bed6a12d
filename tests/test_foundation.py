"""The ground rules: a Qt-free core, and no PySide6 that loses references to None."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
NONE_REFCOUNT_PROBE = """
import sys
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import QApplication, QTableView

app = QApplication([])

class Model(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()):
        return 1000
    def columnCount(self, parent=QModelIndex()):
        return 6
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{index.row()},{index.column()}"
        return None

model = Model()
view = QTableView()
view.setModel(model)
view.resize(1200, 900)
view.show()
for _ in range(50):  # let the view settle its own constant references first
    view.viewport().repaint()
before = sys.getrefcount(None)
for i in range(3000):
    view.viewport().repaint()
    model.data(model.index(i % 1000, 1), Qt.ItemDataRole.ToolTipRole)
print(sys.getrefcount(None) - before)
item = QStandardItem()
before = sys.getrefcount(None)
for _ in range(1000):
    item.setData("x", Qt.ItemDataRole.UserRole)
print(sys.getrefcount(None) - before)
"""


def test_the_core_loads_no_qt() -> None:
    code = (
        "import sys\n"
        "import desktop_app.domain, desktop_app.store, desktop_app.platform, desktop_app.sync\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(qt)\n"
        "sys.exit(1 if qt else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pyside6_keeps_its_references_to_none() -> None:
    """PySide6 6.12.0 drops a reference to None per QVariant conversion and, on Python 3.11,
    aborts the interpreter ("none_dealloc") after a few thousand: see shared/notes."""
    result = subprocess.run(
        [sys.executable, "-c", NONE_REFCOUNT_PROBE],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    view_delta, set_data_delta = (int(line) for line in result.stdout.split())
    # a healthy build keeps a small constant; the broken one loses one per call (-3000, -1000)
    assert view_delta > -100, f"the model's data() lost {-view_delta} references to None"
    assert set_data_delta > -100, f"setData lost {-set_data_delta} references to None"


@pytest.mark.parametrize(
    ("python", "pyside", "allowed"),
    [
        ("3.11", "6.11.3", True),
        ("3.11", "6.12.0", False),
        ("3.11", "6.8.3", True),
        ("3.12", "6.12.0", True),
        ("3.13", "6.13.0", False),  # unknown future releases are opted into by a person, not pip
    ],
)
def test_the_requirement_never_pairs_python_311_with_a_broken_pyside6(
    python: str, pyside: str, allowed: bool
) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    environment = {"python_version": python, "python_full_version": f"{python}.0"}
    admitted = [
        requirement
        for text in project["dependencies"]
        if (requirement := Requirement(text)).name.lower() == "pyside6-essentials"
        and (requirement.marker is None or requirement.marker.evaluate(environment))
    ]
    assert admitted, f"no PySide6 requirement applies to Python {python}"
    assert all(Version(pyside) in r.specifier for r in admitted) is allowed


def test_the_self_check_of_an_installed_build_passes() -> None:
    """What the packaging smoke test runs against the frozen app, run here on the source."""
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--self-check"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ok: store and its migrations" in result.stdout
