"""Form fields of the operation dialogs: a text field with a character count and an inline
error, a choice with an inline error, and read-only views of buyer-written text.

Everything here is plain text: QPlainTextEdit never interprets markup, and labels are fixed to
Qt.PlainText (`plain_label`).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.views.plain import plain_label, set_plain

__all__ = ["ChoiceField", "FieldWidget", "TextField", "buyer_text", "error_label"]

ERROR_STYLE = "color: #c62828;"


def error_label(object_name: str) -> QLabel:
    """An inline error: red, plain text, hidden until there is something to say."""
    label = plain_label(object_name=object_name, selectable=False)
    label.setStyleSheet(ERROR_STYLE)
    label.setVisible(False)
    return label


def buyer_text(text: str, object_name: str, *, lines: int = 4) -> QPlainTextEdit:
    """Buyer-written text, read-only and plain (never rich text)."""
    view = QPlainTextEdit()
    view.setObjectName(object_name)
    view.setReadOnly(True)
    view.setPlainText(text or "(no reason given)")
    view.setTabChangesFocus(True)
    height = QFontMetrics(view.font()).lineSpacing() * lines + 12
    view.setMaximumHeight(height)
    view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
    return view


class _Editor(QPlainTextEdit):
    """A plain-text editor that asks for its minimum height, not Qt's default 192 px: a form
    of several fields then fits its dialog, and grows only where there is room."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), self.minimumHeight())


class FieldWidget(QWidget):
    """A field that can show the error of its `name` (as the domain's `FieldError` names it)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.error = error_label(f"{name}Error")

    def show_error(self, message: str) -> None:
        set_plain(self.error, message)
        self.error.setVisible(bool(message))

    def clear_error(self) -> None:
        self.show_error("")

    def focus_input(self) -> None:
        self.setFocus(Qt.FocusReason.OtherFocusReason)


class TextField(FieldWidget):
    """A labelled multi-line plain-text input with "123 / 2,000" and an inline error."""

    changed = Signal()

    def __init__(
        self,
        name: str,
        label: str,
        *,
        limit: int,
        required: bool,
        placeholder: str = "",
        lines: int = 4,
        max_lines: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(name, parent)
        self.limit = limit
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        heading = QHBoxLayout()
        suffix = "" if required else " (optional)"
        self.label = plain_label(f"{label}{suffix}", wrap=False, selectable=False)
        self.count = plain_label(wrap=False, selectable=False, object_name=f"{name}Count")
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        heading.addWidget(self.label, 1)
        heading.addWidget(self.count)
        self.edit: QPlainTextEdit = _Editor()
        self.edit.setObjectName(f"{name}Edit")
        self.edit.setPlaceholderText(placeholder)
        self.edit.setTabChangesFocus(True)
        line = QFontMetrics(self.edit.font()).lineSpacing()
        self.edit.setMinimumHeight(line * lines + 12)
        if max_lines is not None:
            self.edit.setMaximumHeight(line * max_lines + 12)
        self.label.setBuddy(self.edit)
        self.edit.setAccessibleName(label)
        layout.addLayout(heading)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.error)
        self.edit.textChanged.connect(self._text_changed)
        self._update_count()

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)

    def focus_input(self) -> None:
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _text_changed(self) -> None:
        self._update_count()
        if not self.error.isHidden():
            self.clear_error()
        self.changed.emit()

    def _update_count(self) -> None:
        length = len(self.text())
        set_plain(self.count, f"{length:,} / {self.limit:,}")
        self.count.setStyleSheet(ERROR_STYLE if length > self.limit else "")


class ChoiceField(FieldWidget):
    """A labelled drop-down with no choice made at first (a placeholder), and an inline error."""

    def __init__(
        self,
        name: str,
        label: str,
        choices: list[tuple[str, str]],  # (value, label)
        *,
        placeholder: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(name, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        self.label = plain_label(label, wrap=False, selectable=False)
        self.combo = QComboBox()
        self.combo.setObjectName(f"{name}Combo")
        self.combo.setAccessibleName(label)
        for value, text in choices:
            self.combo.addItem(text, value)
        self.combo.setPlaceholderText(placeholder)
        self.combo.setCurrentIndex(-1)
        self.label.setBuddy(self.combo)
        layout.addWidget(self.label)
        layout.addWidget(self.combo)
        layout.addWidget(self.error)
        self.combo.currentIndexChanged.connect(lambda _i: self.clear_error())

    def value(self) -> str:
        data = self.combo.currentData()
        return data if isinstance(data, str) else ""

    def current_label(self) -> str:
        return self.combo.currentText()

    def choose(self, value: str) -> None:
        self.combo.setCurrentIndex(self.combo.findData(value))

    def focus_input(self) -> None:
        self.combo.setFocus(Qt.FocusReason.OtherFocusReason)
