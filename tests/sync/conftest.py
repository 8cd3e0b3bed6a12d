from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.platform import MemoryCredentials, PlatformClient
from desktop_app.sandbox.server import SandboxOptions, start_sandbox
from desktop_app.store import Store
from desktop_app.sync import SyncEngine

from .sandbox import DEMO, SandboxControl


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    with start_sandbox(SandboxOptions(orders=40, seed=7, control=True), port=0) as running:
        yield running.url


@pytest.fixture
def control(sandbox_url: str) -> Iterator[SandboxControl]:
    """A fresh world (40 orders per merchant), no faults."""
    driver = SandboxControl(sandbox_url)
    driver.reset(orders=40, seed=7)
    try:
        yield driver
    finally:
        driver.faults()
        driver.close()


@pytest.fixture
def client(sandbox_url: str, control: SandboxControl) -> Iterator[PlatformClient]:
    with PlatformClient(sandbox_url, MemoryCredentials(), timeout=5.0) as signed_in:
        signed_in.sign_in(*DEMO)
        yield signed_in


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "cache.sqlite3") as opened:
        yield opened


def fast_engine(store: Store, client: PlatformClient, **options: object) -> SyncEngine:
    """An engine with short backoffs, so fault tests finish in seconds."""
    settings: dict[str, object] = {
        "backoff_base": 0.02,
        "backoff_cap": 0.3,
        "push_workers": 3,
        "messages_per_cycle": 0,
    }
    settings.update(options)
    return SyncEngine(store, client, **settings)  # type: ignore[arg-type]


@pytest.fixture
def engine(store: Store, client: PlatformClient) -> Iterator[SyncEngine]:
    made = fast_engine(store, client)
    try:
        yield made
    finally:
        made.stop()
