"""The shape every operation dialog shares.

A form page, then (for the operations that cannot be undone) a second page that says what
happens next and asks to confirm; the operation is written to the outbox, with its optimistic
effect, before the dialog closes. Bad input shows an inline error beside its field and queues
nothing; a refusal of the domain (the order moved on) shows above the form.

Dialogs are opened with `open()` (window-modal, never a nested event loop), so a test drives
them like an operator: fill the fields, click the buttons, wait for `finished`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import FieldError, Operation, Order
from desktop_app.store.types import OutboxEntry
from desktop_app.ui.actions.fields import ERROR_STYLE, FieldWidget
from desktop_app.ui.actions.service import ActionProblem, ActionService
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.views.plain import plain_label, set_plain

__all__ = ["DialogContext", "OperationDialog"]


class DialogContext:
    """What every dialog needs: the writer, the operator's formatter and clock, and whether
    the platform is reachable (for the wording only: acting works offline)."""

    def __init__(
        self,
        service: ActionService,
        formatter: Formatter,
        clock: Callable[[], datetime],
        online: Callable[[], bool | None] = lambda: None,
    ) -> None:
        self.service = service
        self.formatter = formatter
        self.clock = clock
        self.online = online


class OperationDialog(QDialog):
    """Subclasses build the form and say which operation it makes and how to confirm it."""

    queued = Signal(object)  # the `OutboxEntry` written

    FORM, CONFIRM = 0, 1

    def __init__(
        self, order: Order, context: DialogContext, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} — {order.number}")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.order = order
        self.ctx = context
        self.fmt = context.formatter
        self.entry: OutboxEntry | None = None
        self._operation: Operation | None = None
        self._busy = False
        self._first_show = True

        layout = QVBoxLayout(self)
        self.heading = plain_label(
            f"{order.number} · {order.buyer.display_name} ({order.buyer.country}) · "
            f"{order.service.title}",
            object_name="dialogHeading",
        )
        bold = QFont(self.heading.font())
        bold.setBold(True)
        self.heading.setFont(bold)
        layout.addWidget(self.heading)

        self.problem = plain_label(object_name="dialogProblem")
        self.problem.setStyleSheet(
            f"QLabel {{ {ERROR_STYLE} border: 1px solid #c62828; "
            "border-radius: 4px; padding: 6px; }"
        )
        self.problem.setVisible(False)
        layout.addWidget(self.problem)

        self.pages = QStackedWidget()
        self.form_page = QWidget()
        self.form_layout = QVBoxLayout(self.form_page)
        self.form_layout.setContentsMargins(0, 0, 4, 0)
        # Long texts and a small screen: the form scrolls rather than squeezing its fields.
        self.form_scroll = QScrollArea()
        self.form_scroll.setObjectName("formScroll")
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setWidget(self.form_page)
        self.confirm_page = QFrame()
        confirm_layout = QVBoxLayout(self.confirm_page)
        confirm_layout.setContentsMargins(0, 0, 0, 0)
        self.confirmation = plain_label(object_name="confirmationText")
        self.confirmation.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        confirm_layout.addWidget(self.confirmation, 1)
        self.pages.addWidget(self.form_scroll)
        self.pages.addWidget(self.confirm_page)
        layout.addWidget(self.pages, 1)

        self.saving = plain_label("Queuing…", object_name="dialogSaving", selectable=False)
        self.saving.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.saving, 1)
        self.back_button = QPushButton("Back")
        self.back_button.setObjectName("backButton")
        self.back_button.setAutoDefault(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAutoDefault(False)
        self.primary_button = QPushButton()
        self.primary_button.setObjectName("primaryButton")
        self.primary_button.setDefault(True)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.primary_button)
        layout.addLayout(buttons)

        self.back_button.clicked.connect(self._back)
        self.cancel_button.clicked.connect(self.reject)
        self.primary_button.clicked.connect(self._primary)
        # Enter makes a new line in the text fields; Ctrl+Enter goes on, as in the compose box.
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self._primary)

        self.setMinimumWidth(620)
        self.build_form(self.form_layout)
        self.form_layout.addStretch(1)
        self._show_page(self.FORM)
        self.fit_to_content()

    # -- for subclasses ---------------------------------------------------------------------

    def build_form(self, layout: QVBoxLayout) -> None:
        raise NotImplementedError

    def fields(self) -> Sequence[FieldWidget]:
        return ()

    def current_operation(self) -> Operation:
        raise NotImplementedError

    def confirmation_text(self, operation: Operation) -> str | None:
        """The second confirmation's text; None: the form is the confirmation."""
        return None

    def primary_text(self) -> str:
        raise NotImplementedError

    def confirm_button_text(self) -> str:
        return self.primary_text()

    def fit_to_content(self) -> None:
        """As tall as the form needs (its texts wrap at the dialog's width), within the
        screen; beyond that the form scrolls."""
        width = max(self.width(), self.minimumWidth())
        form = self.form_layout
        inner = width - 40
        needed = form.heightForWidth(inner) if form.hasHeightForWidth() else -1
        if needed < 0:
            needed = form.sizeHint().height()
        outer = self.layout()
        chrome = outer.sizeHint().height() - self.pages.sizeHint().height() if outer else 80
        screen = self.screen().availableGeometry()
        self.resize(width, min(int(screen.height() * 0.9), needed + max(chrome, 60) + 12))
        if self.isVisible():  # grown past the bottom of the screen: move up
            frame = self.frameGeometry()
            if frame.bottom() > screen.bottom():
                self.move(frame.x(), max(screen.top(), screen.bottom() - frame.height()))

    def refresh_primary(self) -> None:
        """The form changed in a way that changes the primary button (a choice)."""
        if self.pages.currentIndex() == self.FORM:
            self.primary_button.setText(self.primary_text())

    # -- the flow ---------------------------------------------------------------------------

    @property
    def page(self) -> int:
        return self.pages.currentIndex()

    @property
    def busy(self) -> bool:
        return self._busy

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.back_button.setVisible(page == self.CONFIRM)
        self.primary_button.setText(
            self.primary_text() if page == self.FORM else self.confirm_button_text()
        )

    def _primary(self) -> None:
        if self._busy:
            return
        if self.page == self.CONFIRM and self._operation is not None:
            self._submit(self._operation)
            return
        self._clear_problems()
        operation = self.current_operation()
        errors = operation.validate()
        if errors:
            self.show_field_errors(errors)
            return
        text = self.confirmation_text(operation)
        if text is None:
            self._submit(operation)
            return
        self._operation = operation
        set_plain(self.confirmation, text)
        self._show_page(self.CONFIRM)
        self.primary_button.setFocus()

    def _back(self) -> None:
        if not self._busy:
            self._operation = None
            self._show_page(self.FORM)

    def _submit(self, operation: Operation) -> None:
        self._set_busy(True)
        self.ctx.service.enqueue(self.order, operation, self._queued, self._failed)

    def _queued(self, entry: OutboxEntry) -> None:
        self._set_busy(False)
        self.entry = entry
        self.queued.emit(entry)
        self.accept()

    def _failed(self, problem: ActionProblem) -> None:
        self._set_busy(False)
        if problem.field_errors:
            self._show_page(self.FORM)
            self.show_field_errors(list(problem.field_errors), message=problem.message)
        else:
            self.show_problem(problem.message)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.saving.setVisible(busy)
        for widget in (self.primary_button, self.back_button, self.cancel_button, self.pages):
            widget.setEnabled(not busy)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._first_show:
            self._first_show = False
            first = next((f for f in self.fields() if f.isEnabled()), None)
            if first is not None:
                first.focus_input()
            else:
                self.primary_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def reject(self) -> None:
        if not self._busy:  # the write on its way finishes first: it closes the dialog
            super().reject()

    # -- errors -----------------------------------------------------------------------------

    def _clear_problems(self) -> None:
        self.problem.setVisible(False)
        for field in self.fields():
            field.clear_error()

    def order_moved(self, platform: Order) -> None:
        """A sync brought a newer version of the order while the dialog is open."""
        if self._busy or self.entry is not None:
            return
        self.show_problem(
            f"This order changed on the platform while you were deciding: it is now "
            f"{platform.status_label.lower()} (version {platform.version}, you are looking at "
            f"version {self.order.version}). Cancel and open it again to decide on the latest; "
            "if you go on, the platform will send it back to you for review."
        )

    def show_problem(self, message: str) -> None:
        set_plain(self.problem, message)
        self.problem.setVisible(True)

    def show_field_errors(self, errors: Sequence[FieldError], message: str | None = None) -> None:
        by_name = {field.name: field for field in self.fields()}
        unplaced = []
        first: FieldWidget | None = None
        for error in errors:
            field = by_name.get(error.field)
            if field is None:
                unplaced.append(error.message)
                continue
            field.show_error(error.message)
            first = first or field
        if unplaced:
            self.show_problem(" ".join(unplaced))
        elif message and first is None:
            self.show_problem(message)
        if first is not None:
            first.focus_input()

    def error_texts(self) -> dict[str, str]:
        """The inline errors shown now, by field (for tests and accessibility checks)."""
        return {
            field.name: field.error.text() for field in self.fields() if not field.error.isHidden()
        }


def section(title: str) -> QLabel:
    label = plain_label(title, wrap=False, selectable=False)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label


__all__ += ["section"]
