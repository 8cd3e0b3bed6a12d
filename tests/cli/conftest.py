from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest

from desktop_app.cli import main as cli_main
from desktop_app.sandbox.server import SandboxOptions, start_sandbox

from ..sync.sandbox import SandboxControl


class MemoryKeyring(keyring.backend.KeyringBackend):  # type: ignore[misc]
    """The OS keyring's stand-in for in-process tests."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.values.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def cli_sandbox_url() -> Iterator[str]:
    with start_sandbox(SandboxOptions(orders=30, seed=11, control=True), port=0) as running:
        yield running.url


@pytest.fixture
def control(cli_sandbox_url: str) -> Iterator[SandboxControl]:
    driver = SandboxControl(cli_sandbox_url)
    driver.reset(orders=30, seed=11)
    try:
        yield driver
    finally:
        driver.faults()
        driver.close()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


class InProcessCli:
    """Runs `orderdesk ...` in this process (fast), on its own data folder."""

    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data_dir = data_dir
        self._capsys = capsys

    def __call__(self, *args: str, stdin: str | None = None) -> CliResult:
        self._capsys.readouterr()
        arguments = [*args, "--data-dir", str(self.data_dir)]
        if stdin is not None:
            import io

            saved = sys.stdin
            sys.stdin = io.StringIO(stdin)
            try:
                code = cli_main(arguments)
            finally:
                sys.stdin = saved
        else:
            code = cli_main(arguments)
        captured = self._capsys.readouterr()
        return CliResult(code, captured.out, captured.err)


@pytest.fixture
def cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], memory_keyring: MemoryKeyring
) -> InProcessCli:
    return InProcessCli(tmp_path / "data", capsys)


def subprocess_env(tmp_path: Path) -> dict[str, str]:
    """A child's environment: the file keyring (no Secret Service here) in tmp_path."""
    env = dict(os.environ)
    env.update(
        {
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
            "XDG_DATA_HOME": str(tmp_path / "xdg"),
            "ORDERDESK_DATA_DIR": str(tmp_path / "data"),
            "PYTHONWARNINGS": "ignore",
        }
    )
    return env


def run_cli(
    tmp_path: Path, *args: str, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=subprocess_env(tmp_path),
        timeout=timeout,
        check=False,
    )
