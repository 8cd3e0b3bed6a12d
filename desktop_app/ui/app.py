"""`orderdesk [--demo | --cache FILE]`: the QApplication, the operator's locale and zone, the
session behind the window (demo, profile or a bare cache file), and the event loop."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QEventLoop, QLocale, Qt, QTimer, QTimeZone
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from desktop_app import __version__
from desktop_app.domain import utc_now
from desktop_app.store import Store, StoreError
from desktop_app.store.connection import upgrade_pending
from desktop_app.ui.formatting import Formatter, locale_or_default
from desktop_app.ui.main_window import MainWindow, WindowContext
from desktop_app.ui.settings import UiSettings
from desktop_app.ui.sync_bridge import SyncBridge
from desktop_app.ui.workers import BackgroundRunner

COUNT_CACHE_MIB = 16  # the page cache of the window's count connection (see `build_window`)

__all__ = [
    "UPGRADE_TEXT",
    "OrderDeskApplication",
    "build_window",
    "main",
    "operator_formatter",
    "upgrade_with_progress",
]

log = logging.getLogger(__name__)


class OrderDeskApplication(QApplication):
    """The app's own QApplication (tests use it through pytest-qt's `qapp_cls`)."""

    def __init__(self, argv: Sequence[str]) -> None:
        super().__init__(list(argv))
        self.setApplicationName("OrderDesk")
        self.setOrganizationName("OrderDesk")
        self.setApplicationDisplayName("OrderDesk")
        self.setApplicationVersion(__version__)


def operator_formatter() -> Formatter:
    """A formatter for the operator's own locale and time zone, as the system reports them."""
    locale = locale_or_default(QLocale.system().name())
    zone_id = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    try:
        zone = ZoneInfo(zone_id) if zone_id else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: e.g. a tzdata folder
        zone = ZoneInfo("UTC")
    return Formatter(locale, zone)


def build_window(
    *,
    cache: Path,
    settings_path: Path,
    sync: SyncBridge | None,
    title: str,
    formatter: Formatter | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> tuple[MainWindow, Callable[[], None]]:
    """The window over the cache at `cache`, and a function that closes what it opened.

    The window gets read connections of its own: one for the GUI thread, one for reads in the
    background (queries, and reading ahead for them), and one for counts, with a small page
    cache: a count of a common text streams through tens of megabytes of index, which would
    push out of the other's cache the pages the next keystroke reads. The sync engine writes
    through yet another.
    """
    upgrade_with_progress(cache)
    store = Store.open(cache)
    background_store = Store.open(cache)
    count_store = Store.open(cache, cache_mib=COUNT_CACHE_MIB)
    runner = BackgroundRunner()
    context = WindowContext(
        store=store,
        background_store=background_store,
        count_store=count_store,
        formatter=formatter or operator_formatter(),
        clock=clock,
        runner=runner,
        settings=UiSettings(settings_path),
        sync=sync,
        title=title,
    )
    window = MainWindow(context)

    def close() -> None:
        runner.wait_for_done()
        store.close()
        background_store.close()
        count_store.close()

    return window, close


UPGRADE_TEXT = (
    "Updating the order cache for this version of OrderDesk…\n"
    "This happens once. A cache of many orders takes a few minutes."
)


def upgrade_with_progress(cache: Path) -> None:
    """Migrate the cache at `cache`, when it needs it, off the GUI thread, with a busy
    dialog: at a million orders it takes minutes, which would look like a hang. (A failure
    is raised here, as opening the cache would.)"""
    if QApplication.instance() is None or not upgrade_pending(cache):
        return
    log.info("updating the cache %s to this version's schema", cache.name)
    outcome: list[BaseException | None] = []

    def upgrade() -> None:
        try:
            Store.open(cache).close()
        except BaseException as error:  # (raised again on the GUI thread)
            outcome.append(error)
        else:
            outcome.append(None)

    dialog = QProgressDialog(UPGRADE_TEXT, "", 0, 0)
    dialog.setWindowTitle("OrderDesk")
    dialog.setCancelButton(None)  # (no button: the update cannot stop half-way)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    loop = QEventLoop()
    poll = QTimer()
    poll.timeout.connect(lambda: loop.quit() if outcome else None)
    worker = threading.Thread(target=upgrade, name="cache-upgrade", daemon=True)
    dialog.show()
    worker.start()
    poll.start(50)
    loop.exec()
    poll.stop()
    worker.join()
    dialog.close()
    dialog.deleteLater()
    if outcome[0] is not None:
        raise outcome[0]


def _parse(args: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="orderdesk", description="OrderDesk: service orders of cross-border merchants."
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--demo",
        action="store_true",
        help="run against a platform sandbox started inside the app, with sample data",
    )
    mode.add_argument(
        "--cache",
        type=Path,
        metavar="FILE",
        help="open this cache file without syncing (to look at a copy)",
    )
    parser.add_argument(
        "--orders", type=int, default=3000, help="sample orders in the demo (default 3000)"
    )
    parser.add_argument(
        "--demo-dir", type=Path, default=None, help="the demo's data folder (default: a fresh one)"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="OrderDesk's data folder (profiles, caches)"
    )
    parser.add_argument("--profile", default=None, help="the profile to open (default: current)")
    parser.add_argument("--version", action="version", version=f"OrderDesk {__version__}")
    return parser.parse_args(list(args))


def _configure_logging(data_dir: Path | None) -> None:
    """Warnings and errors on the console; everything from INFO up in a rotating file in the
    data folder, so that a bug an operator reports comes with what led to it. Request lines of
    httpx stay out of both (the sync logs its own summary)."""
    from logging.handlers import RotatingFileHandler

    from desktop_app.app.paths import resolve_data_dir

    root = logging.getLogger()
    root.setLevel(logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(console)
    try:
        folder = resolve_data_dir(data_dir) / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        file = RotatingFileHandler(
            folder / "orderdesk.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as error:  # a read-only or full disk must not stop the app
        log.warning("Not writing a log file: %s", error)
    else:
        file.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
        )
        root.addHandler(file)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def main(args: list[str]) -> int:
    options = _parse(args)
    _configure_logging(options.data_dir)
    app = QApplication.instance() or OrderDeskApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    try:
        if options.demo:
            from desktop_app.ui.demo import run_demo

            return run_demo(app, orders=options.orders, folder=options.demo_dir)
        if options.cache is not None:
            window, close = build_window(
                cache=options.cache,
                settings_path=options.cache.with_suffix(".ui.ini"),
                sync=None,
                title=f"OrderDesk — {options.cache.name}",
            )
            window.show()
            try:
                return app.exec()
            finally:
                close()
        from desktop_app.ui.profile import run_profile

        return run_profile(app, options.data_dir, options.profile)
    except StoreError as error:
        QMessageBox.critical(None, "OrderDesk", str(error))
        return 1
