"""Signing in from the window: the first time (no profile yet) and again when the platform
ended the sign-in ("Signed out — sign in again" in the status bar).

The dialog asks for the server, the user name and the password and hands them to an
`attempt` callable, run off the GUI thread (a slow or unreachable server never freezes the
window). What goes wrong is said plainly under the fields — a refused password, a server that
cannot be reached, an address that is not https — and the operator can correct it and try
again. The password lives in the field only: it is cleared after every attempt, and the
refresh token the platform returns goes to the OS keyring (by `attempt`), nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.app import ProfileError
from desktop_app.platform import PlatformError, TransportError
from desktop_app.ui.views.plain import plain_label, set_plain
from desktop_app.ui.workers import BackgroundRunner

__all__ = ["SignInDialog", "sign_in_problem"]

log = logging.getLogger(__name__)

# Signs in with (server, username, password) and returns what the caller needs (a profile).
Attempt = Callable[[str, str, str], object]


def sign_in_problem(error: BaseException, server: str) -> str:
    """What to tell the operator about a failed sign-in (never a secret: the client scrubs
    them from the platform's texts, and the password is not part of any message)."""
    if isinstance(error, TransportError):
        return (
            f"Could not reach {server}. Check the address and this computer's connection, "
            "then try again."
        )
    if isinstance(error, PlatformError):
        return error.detail
    if isinstance(error, ProfileError):  # profiles.json unreadable, a bad profile name
        return str(error)
    if isinstance(error, ValueError):  # the server address (see PlatformClient)
        return str(error)
    if isinstance(error, OSError):  # the data folder: disk full, no permission
        return f"Could not save the sign-in on this computer: {error.strerror or error}"
    return "Signing in failed unexpectedly; the details are in the log."


class SignInDialog(QDialog):
    """Ask for the platform's sign-in; `result_value` holds what `attempt` returned."""

    def __init__(
        self,
        runner: BackgroundRunner,
        attempt: Attempt,
        *,
        server: str = "https://",
        username: str = "",
        again: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        """`again`: the same account signs in anew (server and user name are fixed)."""
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle("Sign in again" if again else "Sign in to the platform")
        self.setMinimumWidth(440)
        self._runner = runner
        self._attempt = attempt
        self._busy = False
        self.result_value: object = None
        self._server_tried = ""

        intro = plain_label(
            f"The platform ended the sign-in of {username}. Enter the password to carry on; "
            "queued operations are kept and sent once you are signed in."
            if again
            else "Sign in with your merchant account. The password is not stored: the platform "
            "gives OrderDesk a token, which is kept in this computer's keychain.\n"
            "To look around without an account, start OrderDesk with --demo.",
            object_name="signInIntro",
        )
        self.server = QLineEdit(server)
        self.server.setObjectName("signInServer")
        self.server.setPlaceholderText("https://platform.example.com")
        self.username = QLineEdit(username)
        self.username.setObjectName("signInUsername")
        self.password = QLineEdit()
        self.password.setObjectName("signInPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        for field in (self.server, self.username):
            field.setReadOnly(again)
        form = QFormLayout()
        form.addRow("&Server:", self.server)
        form.addRow("&User name:", self.username)
        form.addRow("&Password:", self.password)

        self.problem: QLabel = plain_label(object_name="signInProblem")
        self.problem.setStyleSheet("color: #c62828;")
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText("&Sign in")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for field in (self.server, self.username, self.password):
            field.textChanged.connect(self._update)
        (self.password if again or username else self.username).setFocus(
            Qt.FocusReason.OtherFocusReason
        )
        self._update()

    @property
    def busy(self) -> bool:
        return self._busy

    def _update(self) -> None:
        ready = all(f.text().strip() for f in (self.server, self.username)) and bool(
            self.password.text()
        )
        self.sign_in_button.setEnabled(ready and not self._busy)

    def submit(self) -> None:
        if self._busy or not self.sign_in_button.isEnabled():
            return
        server, username = self.server.text().strip(), self.username.text().strip()
        password = self.password.text()
        self._server_tried = server
        self._set_busy(True)
        set_plain(self.problem, "Signing in…")
        self.problem.setStyleSheet("")
        self.problem.show()
        self._runner.run(
            lambda: self._attempt(server, username, password),
            on_success=self._signed_in,
            on_failure=self._failed,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for field in (self.server, self.username, self.password):
            field.setEnabled(not busy)
        self._update()

    def _signed_in(self, value: object) -> None:
        self.result_value = value
        self.password.clear()
        self._set_busy(False)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, PlatformError | ProfileError | ValueError | OSError):
            log.error("signing in failed", exc_info=error)
        else:
            log.info("sign-in refused: %s", type(error).__name__)
        self.password.clear()
        self._set_busy(False)
        self.problem.setStyleSheet("color: #c62828;")
        set_plain(self.problem, sign_in_problem(error, self._server_tried))
        self.problem.show()
        self.problem.setToolTip(str(error) if isinstance(error, PlatformError) else "")
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def reject(self) -> None:
        if self._busy:  # the attempt finishes in the background; wait for its word
            return
        super().reject()
