"""Background work: results and errors come back on the GUI thread; the newest request wins."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from desktop_app.ui.workers import BackgroundRunner, LatestOnly


def test_a_result_comes_back_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = BackgroundRunner()
    seen: list[tuple[int, bool]] = []
    main = threading.get_ident()
    runner.run(
        lambda: threading.get_ident() != main,
        lambda off_thread: seen.append((threading.get_ident(), off_thread)),
    )
    qtbot.waitUntil(runner.is_idle)
    assert seen == [(main, True)]


def test_an_error_comes_back_to_the_failure_callback(qtbot: QtBot) -> None:
    runner = BackgroundRunner()
    errors: list[BaseException] = []

    def boom() -> None:
        raise ValueError("disk full")

    runner.run(boom, on_failure=errors.append)
    qtbot.waitUntil(runner.is_idle)
    assert [str(e) for e in errors] == ["disk full"]


def test_latest_only_runs_one_at_a_time_and_keeps_the_newest_request(qtbot: QtBot) -> None:
    runner = BackgroundRunner()
    results: list[int] = []
    job: LatestOnly[int] = LatestOnly(runner, results.append)
    gate = threading.Event()

    def first() -> int:
        gate.wait(5)
        return 1

    job.request(first)
    job.request(lambda: 2)  # superseded by the next one
    job.request(lambda: 3)
    assert job.busy
    gate.set()
    qtbot.waitUntil(lambda: not job.busy)
    assert results == [3]


def test_an_answer_for_an_owner_closed_meanwhile_is_dropped(qtbot: QtBot) -> None:
    runner = BackgroundRunner()
    owner = QObject()
    shown: list[int] = []
    failures: list[BaseException] = []
    job: LatestOnly[int] = LatestOnly(runner, shown.append, failures.append, owner=owner)
    gate = threading.Event()

    def slow() -> int:
        gate.wait(5)
        return 1

    job.request(slow)
    shiboken6.delete(owner)  # the dialog was closed while its read ran
    gate.set()
    qtbot.waitUntil(runner.is_idle)
    assert shown == [] and failures == []
