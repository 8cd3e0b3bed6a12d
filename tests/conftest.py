"""Test setup shared by every suite: offscreen Qt, isolated data and settings, a real keyring
backend kept in memory (the OS keyring is not there on CI), patient Hypothesis deadlines."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from hypothesis import HealthCheck, settings
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# These machines are small and noisy: judge properties, never wall time.
settings.register_profile(
    "orderdesk", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "orderdesk"))


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps secrets in memory for the length of one test."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def fail_on_unexpected_log_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """A record at ERROR or above fails the test, unless the test says it expects one
    (`@pytest.mark.expected_log_errors`): a bug logged in a thread must not pass unseen."""
    handler = _ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
    if handler.records and request.node.get_closest_marker("expected_log_errors") is None:
        lines = "\n".join(
            f"{record.levelname} {record.name}: {record.getMessage()}" for record in handler.records
        )
        pytest.fail(f"unexpected log errors:\n{lines}", pytrace=False)


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MemoryKeyring]:
    """Every test gets its own data folder, settings folder and keyring."""
    monkeypatch.setenv("ORDERDESK_DATA_DIR", str(tmp_path / "orderdesk-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        yield memory
    finally:
        keyring.set_keyring(previous)
