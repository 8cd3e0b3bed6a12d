"""Labels that can never turn text into markup: everything buyer-written goes through these."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

__all__ = ["plain_label", "set_plain"]


def plain_label(
    text: str = "",
    parent: QWidget | None = None,
    *,
    wrap: bool = True,
    selectable: bool = True,
    object_name: str | None = None,
) -> QLabel:
    """A QLabel fixed to plain text (no auto-detection of rich text), optionally wrapping."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if object_name:
        label.setObjectName(object_name)
    label.setText(text)
    return label


def set_plain(label: QLabel, text: str) -> None:
    """Set `text` on `label`, making sure it is shown as plain text."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
