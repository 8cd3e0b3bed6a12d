"""`orderdesk`: the window on the current profile's cache, with its sync engine running.

Without a signed-in profile the app asks for the sign-in first (`first_sign_in`); when the
platform ends the sign-in later, the status bar offers "Sign in…" and the engine carries on
with the queued work once the operator has signed in again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from desktop_app.app import (
    DEFAULT_PROFILE,
    Profile,
    ProfileError,
    ProfileRegistry,
    Session,
    resolve_data_dir,
    sign_in,
)
from desktop_app.app.session import CredentialFactory, keyring_credentials
from desktop_app.sync import SyncEngine
from desktop_app.ui.app import build_window, upgrade_with_progress
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sign_in import SignInDialog
from desktop_app.ui.sync_bridge import SyncBridge
from desktop_app.ui.workers import BackgroundRunner

__all__ = ["ProfileWindow", "first_sign_in", "open_profile", "run_profile"]

log = logging.getLogger(__name__)


def _attempt(
    registry: ProfileRegistry, name: str, credentials: CredentialFactory
) -> Callable[[str, str, str], Profile]:
    def attempt(server: str, username: str, password: str) -> Profile:
        return sign_in(registry, name, server, username, password, credentials=credentials)

    return attempt


def first_sign_in(
    runner: BackgroundRunner,
    registry: ProfileRegistry,
    name: str | None,
    *,
    credentials: CredentialFactory = keyring_credentials,
    parent: QWidget | None = None,
) -> SignInDialog:
    """The sign-in dialog for a profile not signed in yet (prefilled when it is known)."""
    name = name or registry.current_name() or DEFAULT_PROFILE
    server, username = "https://", ""
    try:
        known = registry.get(name)
    except ProfileError:
        pass
    else:
        server, username = known.server, known.username
    return SignInDialog(
        runner,
        _attempt(registry, name, credentials),
        server=server,
        username=username,
        parent=parent,
    )


@dataclass
class ProfileWindow:
    """A profile opened in the window: its session, engine, window and what closes them."""

    session: Session
    engine: SyncEngine
    window: MainWindow
    bridge: SyncBridge
    runner: BackgroundRunner
    close_window: Callable[[], None]
    credentials: CredentialFactory = keyring_credentials
    dialogs: list[SignInDialog] = field(default_factory=list)

    def sign_in_again(self) -> SignInDialog:
        """Ask for the password of this profile's account; on success the engine resumes."""
        for dialog in self.dialogs:
            if dialog.isVisible():
                dialog.raise_()
                dialog.activateWindow()
                return dialog
        profile = self.session.profile
        registry = ProfileRegistry(self.session.data_dir)
        dialog = SignInDialog(
            self.runner,
            _attempt(registry, profile.name, self.credentials),
            server=profile.server,
            username=profile.username,
            again=True,
            parent=self.window,
        )
        dialog.accepted.connect(self.engine.resume)
        dialog.finished.connect(lambda _result: self.dialogs.remove(dialog))
        self.dialogs.append(dialog)
        dialog.open()
        return dialog

    def close(self) -> None:
        self.bridge.close()
        self.session.close()
        self.close_window()
        self.runner.wait_for_done()


def open_profile(
    folder: Path,
    name: str | None,
    *,
    credentials: CredentialFactory = keyring_credentials,
    runner: BackgroundRunner | None = None,
) -> ProfileWindow:
    """The window on profile `name` (default: current) with its engine started."""
    # (a cache from an older OrderDesk is updated first, behind a busy dialog)
    upgrade_with_progress(ProfileRegistry(folder).get(name).cache_path(folder))
    session = Session.open(folder, name, credentials=credentials)
    bridge = SyncBridge()
    try:
        engine = session.make_engine()
        profile = session.profile
        window, close_window = build_window(
            cache=session.store.path,
            settings_path=folder / f"window-{profile.name}.ini",
            sync=bridge,
            title=f"OrderDesk — {profile.merchant_name or profile.username}",
        )
    except BaseException:
        bridge.close()
        session.close()
        raise
    opened = ProfileWindow(
        session, engine, window, bridge, runner or BackgroundRunner(), close_window, credentials
    )
    window.status.sign_in_requested.connect(opened.sign_in_again)
    bridge.attach(engine)
    engine.start()
    return opened


def run_profile(app: QApplication, data_dir: Path | None = None, profile: str | None = None) -> int:
    folder = resolve_data_dir(data_dir)
    runner = BackgroundRunner()
    try:
        opened = open_profile(folder, profile, runner=runner)
    except ProfileError as error:
        log.info("No signed-in profile: %s", error)
        try:
            dialog = first_sign_in(runner, ProfileRegistry(folder), profile)
        except ProfileError as unreadable:  # profiles.json itself cannot be read
            QMessageBox.critical(None, "OrderDesk", str(unreadable))
            return 1
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return 1
        signed_in = dialog.result_value
        assert isinstance(signed_in, Profile)
        opened = open_profile(folder, signed_in.name, runner=runner)
    try:
        opened.window.show()
        return app.exec()
    finally:
        opened.close()
