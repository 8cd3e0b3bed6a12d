"""`orderdesk`: the window on the current profile's cache, with its sync engine running."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.app import ProfileError, Session, resolve_data_dir
from desktop_app.ui.app import build_window
from desktop_app.ui.sync_bridge import SyncBridge

__all__ = ["run_profile"]

log = logging.getLogger(__name__)


def run_profile(app: QApplication, data_dir: Path | None = None, profile: str | None = None) -> int:
    folder = resolve_data_dir(data_dir)
    try:
        session = Session.open(folder, profile)
    except ProfileError as error:
        QMessageBox.information(
            None,
            "OrderDesk",
            f"{error}\n\nTo try OrderDesk without an account, run: orderdesk --demo",
        )
        return 1
    bridge = SyncBridge()
    close_window = None
    try:
        engine = session.make_engine()
        profile_info = session.profile
        window, close_window = build_window(
            cache=session.store.path,
            settings_path=folder / f"window-{profile_info.name}.ini",
            sync=bridge,
            title=f"OrderDesk — {profile_info.merchant_name or profile_info.username}",
        )
        bridge.attach(engine)
        engine.start()
        window.show()
        return app.exec()
    finally:
        bridge.close()
        session.close()
        if close_window is not None:
            close_window()
