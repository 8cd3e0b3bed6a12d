"""Fixtures of the window's tests: a real sandbox on loopback, a cache filled by the real
sync engine from it, and the window built over that cache exactly as the app builds it.

One sandbox serves the module's tests; each test resets its world (same seed, so the same
orders) and syncs a fresh cache, so tests do not depend on each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.platform import MemoryCredentials, PlatformClient
from desktop_app.sandbox.control import SandboxControl
from desktop_app.sandbox.server import RunningSandbox, SandboxOptions, start_sandbox
from desktop_app.store import Store
from desktop_app.sync import SyncEngine
from desktop_app.ui.app import OrderDeskApplication, build_window
from desktop_app.ui.formatting import Formatter
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sync_bridge import SyncBridge

SEED = 7
ORDERS = 60
OPERATOR_ZONE = ZoneInfo("Europe/Berlin")


# Qt's offscreen platform (these tests' platform) says so whenever a top-level window with a
# layout gets size limits; the window itself is fine. Nothing else Qt says is ignored.
OFFSCREEN_NOTICE = "This plugin does not support propagateSizeHints()"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(re.escape(OFFSCREEN_NOTICE)))


@pytest.fixture(scope="session")
def qapp_cls() -> type[OrderDeskApplication]:
    return OrderDeskApplication


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxOptions(orders=ORDERS, seed=SEED, control=True), port=0) as running:
        yield running


@dataclass
class SyncedCache:
    platform: SandboxControl  # plays the buyer and the platform
    client: PlatformClient
    store: Store  # the engine's own connection
    engine: SyncEngine
    path: Path

    def sync(self) -> None:
        """One full sync cycle in this thread (pull, push, conversations, search index)."""
        report = self.engine.run_once()
        assert report.ok, report


@contextmanager
def _synced_cache(sandbox: RunningSandbox, path: Path) -> Iterator[SyncedCache]:
    """A fresh world (same seed: the same orders) synced into a new cache at `path`."""
    platform = SandboxControl(sandbox.url)
    platform.reset(seed=SEED, orders=ORDERS)
    client = PlatformClient(sandbox.url, MemoryCredentials())
    client.sign_in("demo", "demo-password")
    store = Store.open(path)
    engine = SyncEngine(store, client, pull_interval=3600, push_interval=3600)
    cache = SyncedCache(platform, client, store, engine, path)
    try:
        cache.sync()
        yield cache
    finally:
        engine.stop()
        store.close()
        client.close()
        platform.close()


@pytest.fixture
def synced(sandbox: RunningSandbox, tmp_path: Path) -> Iterator[SyncedCache]:
    """A cache of this test's own, which it may change (sync again, act)."""
    with _synced_cache(sandbox, tmp_path / "cache.sqlite3") as cache:
        yield cache


@pytest.fixture(scope="module")
def shared_cache(sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache synced once for the module's tests that only read it."""
    path = tmp_path_factory.mktemp("shared") / "cache.sqlite3"
    with _synced_cache(sandbox, path):
        pass
    return path


@pytest.fixture
def formatter() -> Formatter:
    return Formatter("en_US", OPERATOR_ZONE)


@pytest.fixture
def reader(shared_cache: Path) -> Iterator[Store]:
    """A read connection of the window's kind, on the module's shared synced cache."""
    with Store.open(shared_cache) as store:
        yield store


WindowFactory = Callable[[], MainWindow]


@pytest.fixture
def make_window(
    qtbot: QtBot, synced: SyncedCache, tmp_path: Path, formatter: Formatter
) -> Iterator[WindowFactory]:
    """Builds windows over the synced cache, with the engine's events bridged in, sharing one
    settings file (so a second window sees what the first one saved)."""
    closers: list[Callable[[], None]] = []
    bridges: list[SyncBridge] = []
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        bridge = SyncBridge(synced.engine)
        window, close = build_window(
            cache=synced.path,
            settings_path=tmp_path / "ui.ini",
            sync=bridge,
            title="OrderDesk test",
            formatter=formatter,
        )
        qtbot.addWidget(window)
        closers.append(close)
        bridges.append(bridge)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
    for bridge in bridges:
        bridge.close()
    for close in closers:
        close()


@pytest.fixture
def window(qtbot: QtBot, make_window: WindowFactory) -> MainWindow:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.settled)
    return window
