"""Requirements: the service package and its specifications, the buyer's requirements, their
answers to the seller's questions, and the attachments. All buyer text is plain text."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import Order
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.views.plain import plain_label

__all__ = ["RequirementsTab", "human_size"]


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


def _clear_form(form: QFormLayout) -> None:
    while form.rowCount():
        form.removeRow(0)


class RequirementsTab(QScrollArea):
    def __init__(self, formatter: Formatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fmt = formatter
        self.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)

        service_box = QGroupBox("Service")
        self._service_form = QFormLayout(service_box)
        layout.addWidget(service_box)

        text_box = QGroupBox("The buyer's requirements")
        text_layout = QVBoxLayout(text_box)
        self.requirements_text = QPlainTextEdit()
        self.requirements_text.setObjectName("requirementsText")
        self.requirements_text.setReadOnly(True)
        self.requirements_text.setMinimumHeight(90)
        text_layout.addWidget(self.requirements_text)
        layout.addWidget(text_box)

        self._answers_box = QGroupBox("Answers to your questions")
        self._answers_form = QFormLayout(self._answers_box)
        layout.addWidget(self._answers_box)

        self._attachments_box = QGroupBox("Attachments")
        self._attachments_layout = QVBoxLayout(self._attachments_box)
        layout.addWidget(self._attachments_box)
        layout.addStretch(1)
        self.setWidget(body)

    def show_order(self, order: Order) -> None:
        service = order.service
        _clear_form(self._service_form)
        title = plain_label(service.title, object_name="serviceTitle")
        bold = QFont(title.font())
        bold.setBold(True)
        title.setFont(bold)
        self._service_form.addRow(plain_label("Service", wrap=False, selectable=False), title)
        self._service_form.addRow(
            plain_label("Package", wrap=False, selectable=False),
            plain_label(service.package, object_name="package"),
        )
        days = service.delivery_days
        self._service_form.addRow(
            plain_label("Delivery", wrap=False, selectable=False),
            plain_label(f"{days} day{'s' if days != 1 else ''}"),
        )
        for spec in service.specifications:
            self._service_form.addRow(plain_label(spec.name, wrap=False), plain_label(spec.value))

        requirements = order.requirements
        # QPlainTextEdit never interprets markup.
        self.requirements_text.setPlainText(requirements.text or "(none given)")

        _clear_form(self._answers_form)
        self._answers_box.setVisible(bool(requirements.answers))
        for qa in requirements.answers:
            question = plain_label(qa.question)
            question.setFont(bold)
            self._answers_form.addRow(question)
            self._answers_form.addRow(plain_label(qa.answer))

        while self._attachments_layout.count():
            item = self._attachments_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if not requirements.attachments:
            self._attachments_layout.addWidget(plain_label("No attachments"))
        for attachment in requirements.attachments:
            self._attachments_layout.addWidget(
                plain_label(
                    f"📎 {attachment.name} — {human_size(attachment.size)}, {attachment.media_type}"
                )
            )

    def clear(self) -> None:
        _clear_form(self._service_form)
        _clear_form(self._answers_form)
        self.requirements_text.clear()
