"""Signing in from the window, against the real sandbox: the first time, and again after the
platform ended the sign-in — with what goes wrong told plainly and nothing queued lost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog
from pytestqt.qtbot import QtBot

from desktop_app.app import Profile, ProfileRegistry, resolve_data_dir, sign_in
from desktop_app.domain import SendMessage, utc_now
from desktop_app.platform import KEYRING_SERVICE
from desktop_app.sandbox.control import SandboxControl
from desktop_app.sandbox.server import RunningSandbox
from desktop_app.store import OperationState, OrderQuery, OrderView
from desktop_app.store.connection import upgrade_pending
from desktop_app.ui.app import UPGRADE_TEXT
from desktop_app.ui.profile import ProfileWindow, first_sign_in, open_profile
from desktop_app.ui.sign_in import SignInDialog
from desktop_app.ui.workers import BackgroundRunner
from tests.conftest import MemoryKeyring
from tests.store.test_migrations import at_revision

from .conftest import ORDERS, SEED


@pytest.fixture
def platform(sandbox: RunningSandbox) -> Iterator[SandboxControl]:
    control = SandboxControl(sandbox.url)
    control.reset(seed=SEED, orders=ORDERS)
    try:
        yield control
    finally:
        control.close()


@pytest.fixture
def runner() -> Iterator[BackgroundRunner]:
    made = BackgroundRunner()
    try:
        yield made
    finally:
        made.wait_for_done()


@pytest.fixture
def first_dialog(qtbot: QtBot, runner: BackgroundRunner) -> SignInDialog:
    """The dialog `orderdesk` shows when no profile is signed in yet, on screen."""
    dialog = first_sign_in(runner, ProfileRegistry(resolve_data_dir()), None)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _submit(qtbot: QtBot, dialog: SignInDialog, server: str, username: str, password: str) -> None:
    dialog.server.setText(server)
    dialog.username.setText(username)
    dialog.password.setText(password)
    assert dialog.sign_in_button.isEnabled()
    dialog.sign_in_button.click()
    assert dialog.busy and not dialog.password.isEnabled()


def _problem_after(qtbot: QtBot, dialog: SignInDialog) -> str:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    return dialog.problem.text()


def test_a_refused_password_is_said_plainly_and_the_right_one_signs_in(
    qtbot: QtBot,
    sandbox: RunningSandbox,
    platform: SandboxControl,
    first_dialog: SignInDialog,
    isolated_environment: MemoryKeyring,
) -> None:
    folder, dialog = resolve_data_dir(), first_dialog
    assert not dialog.sign_in_button.isEnabled()  # nothing typed yet

    _submit(qtbot, dialog, sandbox.url, "demo", "not-the-password")
    assert _problem_after(qtbot, dialog) == (
        "The platform did not accept this username and password."
    )
    assert dialog.isVisible() and dialog.problem.isVisible() and dialog.password.text() == ""
    assert dialog.problem.textFormat().name == "PlainText"
    assert isolated_environment.secrets == {}  # nothing kept from a refused attempt

    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        _submit(qtbot, dialog, sandbox.url, "demo", "demo-password")
    profile = dialog.result_value
    assert isinstance(profile, Profile) and profile.merchant_id
    assert list(isolated_environment.secrets) == [(KEYRING_SERVICE, profile.credential_key)]
    token = next(iter(isolated_environment.secrets.values()))
    stored = (folder / "profiles.json").read_text("utf-8")
    assert token not in stored and "demo-password" not in stored
    assert ProfileRegistry(folder).get().merchant_id == profile.merchant_id


@pytest.mark.parametrize(
    ("server", "told"),
    [
        ("http://127.0.0.1:9", "reach"),
        ("http://platform.example.com", "Refusing plain http://"),
        ("ftp://platform.example.com", "must start with https://"),
    ],
)
def test_servers_that_cannot_be_used_are_told_plainly(
    qtbot: QtBot, first_dialog: SignInDialog, server: str, told: str
) -> None:
    dialog = first_dialog
    _submit(qtbot, dialog, server, "demo", "demo-password")
    assert told in _problem_after(qtbot, dialog)
    assert dialog.isVisible() and dialog.sign_in_button.isEnabled() is False  # password cleared


def test_the_window_offers_sign_in_when_signed_out_and_then_sends_what_was_queued(
    qtbot: QtBot,
    sandbox: RunningSandbox,
    platform: SandboxControl,
    runner: BackgroundRunner,
    isolated_environment: MemoryKeyring,
) -> None:
    folder = resolve_data_dir()
    sign_in(ProfileRegistry(folder), "work", sandbox.url, "demo", "demo-password")
    opened: ProfileWindow = open_profile(folder, "work", runner=runner)
    try:
        window, status = opened.window, opened.window.status
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: opened.session.store.order_count() > 0, timeout=30_000)
        assert status.sign_in_button.isHidden()

        # The platform ends the sign-in: the access token expires and the refresh token is
        # gone (revoked elsewhere, or the keychain entry deleted).
        isolated_environment.secrets.clear()
        platform.expire_access_tokens()
        row = opened.session.store.list_orders(
            OrderQuery(view=OrderView.PENDING_DELIVERY), 0, 1, utc_now()
        )[0]
        entry = opened.session.act(row.id, SendMessage("Written while signed out"))
        qtbot.waitUntil(lambda: status.sign_in_button.isVisible(), timeout=20_000)
        assert "sign in again" in status.connection.text().lower()

        status.sign_in_button.click()
        dialog = opened.dialogs[0]
        assert dialog.isVisible() and dialog.server.isReadOnly()
        assert dialog.server.text() == sandbox.url and dialog.username.text() == "demo"
        with qtbot.waitSignal(dialog.accepted, timeout=20_000):
            dialog.password.setText("demo-password")
            dialog.sign_in_button.click()

        def sent() -> bool:
            return opened.session.store.operation(entry.id).state is OperationState.APPLIED

        qtbot.waitUntil(sent, timeout=30_000)
        qtbot.waitUntil(lambda: status.sign_in_button.isHidden(), timeout=10_000)
        assert [e["idempotency_key"] for e in platform.ledger("demo")].count(
            entry.idempotency_key
        ) == 1
    finally:
        opened.close()


def test_a_profile_whose_cache_is_from_an_older_orderdesk_opens_after_a_busy_dialog(
    qtbot: QtBot,
    sandbox: RunningSandbox,
    runner: BackgroundRunner,
    isolated_environment: MemoryKeyring,
) -> None:
    folder = resolve_data_dir()
    profile = sign_in(ProfileRegistry(folder), "work", sandbox.url, "demo", "demo-password")
    cache = profile.cache_path(folder)
    at_revision(cache, "0006")
    seen: list[str] = []

    def look() -> None:
        seen.extend(
            widget.labelText()
            for widget in QApplication.topLevelWidgets()
            if isinstance(widget, QProgressDialog) and widget.isVisible()
        )

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(5)
    try:
        opened = open_profile(folder, "work", runner=runner)
    finally:
        timer.stop()
    try:
        qtbot.addWidget(opened.window)
        assert seen and set(seen) == {UPGRADE_TEXT}
        assert not upgrade_pending(cache)
    finally:
        opened.close()
