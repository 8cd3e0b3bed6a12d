"""`orderdesk --demo`: the platform sandbox inside the process, signed in as the demo merchant.

A small window says what is happening while, in the background, the sandbox seeds its sample
orders and starts serving on a free loopback port, the demo merchant signs in (its refresh token
kept in memory only) and a cache is created in the demo's own data folder. Then the main window
opens on that cache and the sync engine starts filling it; simulated buyers keep buying,
writing and asking while it runs.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget

from desktop_app.app import ProfileRegistry, Session, resolve_data_dir, sign_in
from desktop_app.platform import CredentialStore, MemoryCredentials
from desktop_app.sandbox.server import RunningSandbox, SandboxOptions, start_sandbox
from desktop_app.sync import SyncEngine
from desktop_app.ui.app import build_window
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sync_bridge import SyncBridge
from desktop_app.ui.workers import BackgroundRunner

__all__ = ["DEMO_PASSWORD", "DEMO_USER", "DemoBackend", "DemoLauncher", "run_demo"]

log = logging.getLogger(__name__)

DEMO_USER = "demo"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the sandbox's published demo account
BUYER_MOVES_PER_SECOND = 0.5
DEMO_PULL_INTERVAL = 10.0  # seconds: the simulated buyers' moves show up quickly


def demo_folder(explicit: Path | None = None) -> Path:
    return explicit if explicit is not None else resolve_data_dir() / "demo"


@dataclass
class DemoBackend:
    sandbox: RunningSandbox
    session: Session
    engine: SyncEngine

    def close(self) -> None:
        self.session.close()  # stops the engine first
        self.sandbox.stop()


def start_backend(
    folder: Path, orders: int, *, simulate_buyers: float = BUYER_MOVES_PER_SECOND, seed: int = 7
) -> DemoBackend:
    """The sandbox, a signed-in demo profile in `folder` and its (not yet started) engine.

    Runs off the GUI thread: seeding thousands of orders takes seconds.
    """
    # Every demo run is a fresh sandbox world: a cache of an earlier one would only mislead.
    shutil.rmtree(folder / "caches", ignore_errors=True)
    sandbox = start_sandbox(
        SandboxOptions(orders=orders, seed=seed, simulate_buyers=simulate_buyers), port=0
    )
    try:
        credentials = MemoryCredentials()

        def memory(_profile: object) -> CredentialStore:
            return credentials

        registry = ProfileRegistry(folder)
        profile = sign_in(
            registry, "demo", sandbox.url, DEMO_USER, DEMO_PASSWORD, credentials=memory
        )
        session = Session(profile, folder, credentials=memory)
        engine = session.make_engine(pull_interval=DEMO_PULL_INTERVAL)
    except BaseException:
        sandbox.stop()
        raise
    return DemoBackend(sandbox, session, engine)


class DemoLauncher(QObject):
    """Shows progress, starts the backend in the background, then opens the main window."""

    def __init__(
        self,
        runner: BackgroundRunner,
        *,
        orders: int,
        folder: Path,
        on_failure: Callable[[BaseException], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._orders = orders
        self._folder = folder
        self._on_failure = on_failure
        self.backend: DemoBackend | None = None
        self.window: MainWindow | None = None
        self.bridge = SyncBridge(parent=self)
        self._close_window: Callable[[], None] | None = None
        self.splash = QLabel()
        self.splash.setObjectName("demoSplash")
        self.splash.setWindowTitle("OrderDesk demo")
        self.splash.setTextFormat(Qt.TextFormat.PlainText)
        self.splash.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.splash.setMargin(32)
        self.splash.setText(
            f"Starting the demo platform with {orders:,} sample orders…\nData folder: {folder}"
        )

    def start(self) -> None:
        self.splash.show()
        folder, orders = self._folder, self._orders
        self._runner.run(lambda: start_backend(folder, orders), self._backend_ready, self._failed)

    def _backend_ready(self, backend: DemoBackend) -> None:
        self.backend = backend
        merchant = backend.session.profile.merchant_name or DEMO_USER
        window, close = build_window(
            cache=backend.session.store.path,
            settings_path=self._folder / "window.ini",
            sync=self.bridge,
            title=f"OrderDesk — {merchant} (demo)",
        )
        self.window, self._close_window = window, close
        self.bridge.attach(backend.engine)
        backend.engine.start()
        window.show()
        self.splash.close()

    def _failed(self, error: BaseException) -> None:
        log.error("the demo could not start", exc_info=error)
        self.splash.close()
        if self._on_failure is not None:
            self._on_failure(error)

    def close(self) -> None:
        """Stop listening, stop the engine and the sandbox, close the window's connections."""
        self.bridge.close()
        if self.window is not None:
            self.window.close()
        if self.backend is not None:
            self.backend.close()
            self.backend = None
        if self._close_window is not None:
            self._close_window()
            self._close_window = None


def run_demo(app: QApplication, *, orders: int, folder: Path | None = None) -> int:
    runner = BackgroundRunner()
    failure: list[BaseException] = []

    def failed(error: BaseException) -> None:
        failure.append(error)
        QMessageBox.critical(
            _parent_or_none(), "OrderDesk demo", f"The demo could not start:\n{error}"
        )
        app.quit()

    launcher = DemoLauncher(runner, orders=orders, folder=demo_folder(folder), on_failure=failed)
    launcher.start()
    try:
        code = app.exec()
    finally:
        runner.wait_for_done()
        launcher.close()
    return 1 if failure else code


def _parent_or_none() -> QWidget | None:
    return QApplication.activeWindow()
