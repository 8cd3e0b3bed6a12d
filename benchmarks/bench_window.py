"""The main window over a cache of 1,000,000 orders, beside the naive baseline.

    .venv/bin/python benchmarks/bench_window.py [--orders 1000000] [--baseline-rows 200000]

Fills (once; the file is kept) a cache with generated orders through the store's own bulk
ingest, then measures, each in a fresh process so memory is the process's own:

- start-up: from `Popen` to the window painted with its first rows (`orderdesk --cache FILE`
  path: QApplication, the stores, the window, the first block of rows), several runs;
- in one window process: a status view chosen → table repainted; a search keystroke (the work
  after the debounce) → table repainted with its first rows (`settled`), and → its exact count
  shown too (`count_known`: a search's count is read after its rows); a sort by every column,
  both ways; the view counts refreshed (background job → list repainted); a jump to the end
  of the list; a refresh after a sync (the selection followed); peak resident memory;
- the baseline: every row in a QStandardItemModel behind a QSortFilterProxyModel, filtered and
  sorted by Qt in memory (at --baseline-rows, 200,000 by default).

Qt runs offscreen unless a DISPLAY is set. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CACHE_DIR = Path(os.environ.get("ORDERDESK_BENCH_DIR", "/tmp/orderdesk-bench"))

TARGETS = {
    "startup_s": 1.5,
    "view_p95_ms": 50,
    "search_p95_ms": 50,
    "sort_max_ms": 150,
    "counts_p95_ms": 60,
    "rss_mb": 300,
}
SEARCHES = ("María", "Silva", "SO-2026111", "田中", "Logo design", "qzxv")


# -- helpers shared by the child processes -------------------------------------------------------


def _rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process, in MB (Linux /proc)."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values_ms), 2),
        "p95": round(_p95(values_ms), 2),
        "max": round(max(values_ms), 2),
        "n": len(values_ms),
    }


def _qt_environment() -> None:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


# -- child: start-up ------------------------------------------------------------------------------


def child_startup(cache: Path, settings: Path) -> dict[str, Any]:
    """The app's own path for `orderdesk --cache FILE`, until the first rows are painted."""
    _qt_environment()
    marks = {"imports_start": time.time()}
    # What `orderdesk --cache FILE` imports: the entry point, the CLI's command list, the UI.
    from PySide6.QtCore import QEvent, QObject, QTimer

    import desktop_app.__main__  # noqa: F401
    from desktop_app.cli import COMMANDS  # noqa: F401
    from desktop_app.ui.app import OrderDeskApplication, build_window
    from desktop_app.ui.formatting import Formatter

    marks["imported"] = time.time()
    app = OrderDeskApplication(sys.argv[:1])
    window, close = build_window(
        cache=cache, settings_path=settings, sync=None, title="OrderDesk", formatter=Formatter()
    )
    marks["built"] = time.time()
    table = window.table

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's
            if event.type() == QEvent.Type.Paint and window.orders_model.rowCount() > 0:
                # After this paint has run: the rows are on screen.
                QTimer.singleShot(0, painted)
                watched.removeEventFilter(self)
            return False

    def painted() -> None:
        marks["painted"] = time.time()
        marks["rows_cached"] = window.orders_model.cached_rows()
        app.quit()

    spy = FirstPaint()
    table.viewport().installEventFilter(spy)
    window.show()
    app.exec()
    window.close()
    close()
    marks["rss_mb"], marks["peak_rss_mb"] = _rss_mb()
    return marks


# -- child: the window under load -----------------------------------------------------------------


def child_window(cache: Path, settings: Path, busy_wait: bool = False) -> dict[str, Any]:
    _qt_environment()
    from PySide6.QtCore import QAbstractEventDispatcher, QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.store import OrderView, SortKey
    from desktop_app.ui.app import OrderDeskApplication, build_window
    from desktop_app.ui.formatting import Formatter
    from desktop_app.ui.models.order_columns import COLUMNS
    from desktop_app.ui.models.status_views_model import VIEWS

    _app = OrderDeskApplication(sys.argv[:1])
    window, close = build_window(
        cache=cache, settings_path=settings, sync=None, title="OrderDesk", formatter=Formatter()
    )
    window.resize(1480, 900)
    window.show()
    model, table = window.orders_model, window.table

    stalls: list[float] = []  # the longest time the GUI thread was busy, per action
    # The time the GUI thread spends blocked in the event loop, waiting for events (the event
    # loop's own account: measuring it costs nothing).
    blocked: dict[str, float] = {"since": 0.0, "total": 0.0}
    dispatcher = QAbstractEventDispatcher.instance()
    assert dispatcher is not None

    def about_to_block() -> None:
        blocked["since"] = time.perf_counter()

    def awake() -> None:
        if blocked["since"]:
            blocked["total"] += time.perf_counter() - blocked["since"]
            blocked["since"] = 0.0

    dispatcher.aboutToBlock.connect(about_to_block)
    dispatcher.awake.connect(awake)
    wake = QTimer()  # (a wait never blocks for good)
    wake.start(1000)

    def wait_until(condition: Callable[[], bool]) -> float:
        """Let the GUI thread work until `condition` holds; returns its longest busy spell.

        By default the thread sleeps in the event loop between events, as the app's does
        (the read in the background has the CPU to itself). `busy_wait`: it calls
        processEvents() every 0.2 ms, the way this script first measured; on a two-core
        machine that polling takes CPU from the read being waited for."""
        deadline = time.monotonic() + 60
        longest = 0.0
        if busy_wait:
            while not condition() and time.monotonic() < deadline:
                began = time.perf_counter()
                QApplication.processEvents()
                longest = max(longest, time.perf_counter() - began)
                time.sleep(0.0002)
            return longest
        while not condition() and time.monotonic() < deadline:
            began, blocked["total"] = time.perf_counter(), 0.0
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
            awake()
            longest = max(longest, time.perf_counter() - began - blocked["total"])
        return longest

    def settle() -> None:
        # The query is read in the background; its rows are shown on the GUI thread.
        stalls.append(wait_until(lambda: model.settled))
        QApplication.processEvents()
        table.viewport().repaint()  # runs the pending layout, fetches and paints visible rows
        window.views.viewport().repaint()

    def timed(action: Callable[[], None]) -> float:
        started = time.perf_counter()
        action()
        settle()
        return _ms(time.perf_counter() - started)

    def wait_count_known() -> None:
        wait_until(lambda: model.count_known)
        QApplication.processEvents()
        window.result_count.repaint()

    counted: list[float] = []  # per search keystroke: until the exact count is shown too
    keystrokes: list[tuple[str, float, float]] = []  # (text, rows shown, count known)

    def timed_search(text: str) -> float:
        started = time.perf_counter()
        model.set_search(text)
        settle()
        shown = _ms(time.perf_counter() - started)
        wait_count_known()
        counted.append(_ms(time.perf_counter() - started))
        keystrokes.append((text, shown, counted[-1]))
        return shown

    settle()
    wait_until(lambda: not window.counts_pending)
    result: dict[str, Any] = {}
    window.views.select_view(OrderView.ALL)
    settle()
    result["orders"] = model.rowCount()

    # A status view chosen: 5 rounds through the nine views.
    view_times = []
    view_counted = []  # until the view's exact row count is shown too
    view_labelled: list[tuple[str, float]] = []
    for _ in range(5):
        for view in VIEWS:
            started = time.perf_counter()
            view_times.append(timed(lambda v=view: window.views.select_view(v)))
            wait_count_known()
            view_counted.append(_ms(time.perf_counter() - started))
            view_labelled.append((view.value, view_times[-1]))
    result["view_ms"] = _summary(view_times)
    result["view_counted_ms"] = _summary(view_counted)
    result["view_slowest"] = sorted(view_labelled, key=lambda item: -item[1])[:5]

    # Search keystrokes (after the debounce: the query and the repaint), in All.
    window.views.select_view(OrderView.ALL)
    settle()
    search_times: dict[str, list[float]] = {}
    short: list[float] = []  # 1-2 characters: no trigram to look up
    stalls.clear()
    for text in SEARCHES:
        for end in range(1, len(text) + 1):
            took = timed_search(text[:end])
            search_times.setdefault(text, []).append(took)
            if end < 3:
                short.append(took)
        search_times[text].append(timed_search(""))
    every = [t for times in search_times.values() for t in times]
    result["search_ms"] = _summary(every)
    result["search_short_ms"] = _summary(short)
    result["search_long_ms"] = _summary(
        [t for text, times in search_times.items() for t in times[2:-1]]
    )
    result["search_counted_ms"] = _summary(counted)
    result["search_slowest"] = sorted(keystrokes, key=lambda item: -item[1])[:6]
    result["search_gui_stall_ms"] = _ms(max(stalls))
    result["search_by_query_max_ms"] = {text: max(times) for text, times in search_times.items()}

    # Sorts: every column both ways, in All and in one status view.
    sort_times: dict[str, float] = {}
    for view in (OrderView.ALL, OrderView.PENDING_DELIVERY):
        window.views.select_view(view)
        settle()
        for spec in COLUMNS:
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                label = f"{view.value}:{spec.sort.value}:{'desc' if order else 'asc'}"
                sort_times[label] = timed(lambda c=spec.column, o=order: table.sortByColumn(c, o))
    result["sort_ms"] = _summary(list(sort_times.values()))
    result["sort_slowest"] = sorted(sort_times.items(), key=lambda item: -item[1])[:5]

    # Counts: the background job and the list repainted, 20 times.
    count_times = []
    for _ in range(20):
        started = time.perf_counter()
        window.refresh_counts()
        wait_until(lambda: not window.counts_pending)
        window.views.viewport().repaint()
        count_times.append(_ms(time.perf_counter() - started))
    result["counts_ms"] = _summary(count_times)

    # Scrolling: to the end of All (the far blocks), and back.
    window.views.select_view(OrderView.ALL)
    table.sortByColumn(COLUMNS[0].column, Qt.SortOrder.AscendingOrder)
    settle()
    result["scroll_end_ms"] = timed(table.scrollToBottom)
    result["scroll_middle_ms"] = timed(
        lambda: table.scrollTo(model.index(model.rowCount() // 2, 0))
    )
    result["scroll_top_ms"] = timed(table.scrollToTop)

    # A refresh after a sync, with a selected row followed to its place.
    table.sortByColumn(COLUMNS[0].column, Qt.SortOrder.AscendingOrder)
    window.views.select_view(OrderView.PENDING_DELIVERY)
    settle()
    table.selectRow(40)
    refresh_times = [timed(model.refresh) for _ in range(10)]
    result["refresh_ms"] = _summary(refresh_times)
    result["cached_rows"] = model.cached_rows()
    _ = SortKey  # (the sort keys are the columns')

    wake.stop()
    window.close()
    close()
    result["rss_mb"], result["peak_rss_mb"] = _rss_mb()
    result["busy_wait"] = busy_wait
    return result


# -- child: the naive baseline ------------------------------------------------------------------


def child_baseline(cache: Path, rows: int) -> dict[str, Any]:
    """Every row in a QStandardItemModel, a QSortFilterProxyModel doing filter and sort."""
    _qt_environment()
    from PySide6.QtCore import QRegularExpression, QSortFilterProxyModel, Qt
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView

    from desktop_app.domain import utc_now
    from desktop_app.store import OrderQuery, SortKey, Store
    from desktop_app.ui.formatting import Formatter
    from desktop_app.ui.models.order_columns import COLUMNS, Column, cell_text

    app = QApplication(sys.argv[:1])
    fmt, now = Formatter(), utc_now()
    started = time.perf_counter()
    with Store.open(cache) as store:
        order_rows = store.list_orders(OrderQuery(sort=SortKey.NUMBER), 0, rows, now)
    read_s = time.perf_counter() - started
    model = QStandardItemModel(0, len(COLUMNS))
    model.setHorizontalHeaderLabels([spec.title for spec in COLUMNS])
    for row in order_rows:
        model.appendRow([QStandardItem(cell_text(c, row, fmt, now)) for c in Column])
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    view = QTableView()
    view.setModel(proxy)
    view.resize(1400, 800)
    view.show()
    app.processEvents()
    view.viewport().repaint()
    load_s = time.perf_counter() - started
    del order_rows

    def timed(action: Callable[[], None]) -> float:
        began = time.perf_counter()
        action()
        app.processEvents()
        view.viewport().repaint()
        return _ms(time.perf_counter() - began)

    statuses = ["Pending delivery", "Completed", "Awaiting confirmation", "In mediation"]
    proxy.setFilterKeyColumn(Column.STATUS)
    filter_times = [
        timed(
            lambda s=s: proxy.setFilterRegularExpression(
                QRegularExpression(f"^{QRegularExpression.escape(s)}$")
            )
        )
        for s in statuses
    ]
    proxy.setFilterRegularExpression(QRegularExpression())
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    search_times = [timed(lambda t=t: proxy.setFilterFixedString(t)) for t in ("Mar", "María")]
    proxy.setFilterFixedString("")
    sort_times = [
        timed(lambda c=c: proxy.sort(c, Qt.SortOrder.AscendingOrder))
        for c in (Column.NUMBER, Column.BUYER, Column.PAID)
    ]
    result = {
        "rows": model.rowCount(),
        "read_s": round(read_s, 2),
        "load_s": round(load_s, 2),
        "filter_ms": _summary(filter_times),
        "search_ms": _summary(search_times),
        "sort_ms": _summary(sort_times),
    }
    result["rss_mb"], result["peak_rss_mb"] = _rss_mb()
    view.close()
    return result


# -- the parent ---------------------------------------------------------------------------------


def _run_child(*args: str) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    spawned = time.time()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=3600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["spawned"] = spawned
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=200_000)
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the naive baseline (while iterating)"
    )
    parser.add_argument("--cache", type=Path, default=None, help="the cache file (kept)")
    parser.add_argument(
        "--busy-wait",
        action="store_true",
        help="wait for each result by calling processEvents() every 0.2 ms (the first way "
        "this script measured; the polling competes with the background read for the CPU)",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.child:
        kind, *rest = options.child
        if kind == "startup":
            print(json.dumps(child_startup(Path(rest[0]), Path(rest[1]))))
        elif kind == "window":
            print(json.dumps(child_window(Path(rest[0]), Path(rest[1]), rest[2:] == ["busy"])))
        elif kind == "baseline":
            print(json.dumps(child_baseline(Path(rest[0]), int(rest[1]))))
        return 0

    sys.path.insert(0, str(HERE))
    from sample_cache import fill_cache

    cache = options.cache or DEFAULT_CACHE_DIR / f"orders-{options.orders}.sqlite3"
    cache.parent.mkdir(parents=True, exist_ok=True)
    print(f"cache: {cache}")
    started = time.perf_counter()
    fill_cache(cache, options.orders)
    print(f"cache ready ({time.perf_counter() - started:.0f} s, {cache.stat().st_size >> 20} MB)")
    settings = cache.with_suffix(".bench.ini")
    settings.unlink(missing_ok=True)

    startups = []
    for _ in range(options.startup_runs):
        marks = _run_child("startup", str(cache), str(settings))
        startups.append(marks)
    shown = [m["painted"] - m["spawned"] for m in startups]
    python_start = [m["imports_start"] - m["spawned"] for m in startups]
    imports = [m["imported"] - m["imports_start"] for m in startups]
    built = [m["built"] - m["imported"] for m in startups]
    first_paint = [m["painted"] - m["built"] for m in startups]

    window = _run_child(
        "window", str(cache), str(settings), *(["busy"] if options.busy_wait else [])
    )
    if options.no_baseline:
        blank = {"median": float("nan"), "p95": float("nan"), "max": float("nan"), "n": 0}
        baseline = {
            "rows": 0,
            "read_s": float("nan"),
            "load_s": float("nan"),
            "filter_ms": blank,
            "search_ms": blank,
            "sort_ms": blank,
            "peak_rss_mb": float("nan"),
        }
    else:
        baseline = _run_child("baseline", str(cache), str(options.baseline_rows))
    if not startups:
        startups = [{k: 0.0 for k in ("spawned", "imports_start", "imported", "built", "painted")}]

    def line(name: str, ours: str, naive: str, target: str) -> None:
        print(f"  {name:<38} {ours:>26}   {naive:>22}   {target}")

    print()
    print(f"OrderDesk window over {window['orders']:,} orders; baseline over {baseline['rows']:,}")
    waiting = "busy-waiting (processEvents every 0.2 ms)" if window["busy_wait"] else "event loop"
    print(f"  (the GUI thread waits for results in the {waiting})")
    line("", "window (median; p95)", "naive baseline", "target")
    line(
        "shown with first rows, from spawn",
        f"{statistics.median(shown):.2f} s (max {max(shown):.2f})",
        f"{baseline['load_s']:.2f} s",
        f"<= {TARGETS['startup_s']} s",
    )
    line(
        "  python start / imports / window / paint",
        " / ".join(
            f"{statistics.median(x):.2f}" for x in (python_start, imports, built, first_paint)
        ),
        "",
        "",
    )
    v, s, c = window["view_ms"], window["search_ms"], window["counts_ms"]
    line(
        "status view chosen -> view updated",
        f"{v['median']} ms; p95 {v['p95']} ms",
        f"{baseline['filter_ms']['median']:.0f} ms",
        f"p95 <= {TARGETS['view_p95_ms']} ms",
    )
    vc = window["view_counted_ms"]
    line("  -> its count known too", f"{vc['median']} ms; p95 {vc['p95']} ms", "", "")
    line(
        "search keystroke -> view updated",
        f"{s['median']} ms; p95 {s['p95']} ms",
        f"{baseline['search_ms']['median']:.0f} ms",
        f"p95 <= {TARGETS['search_p95_ms']} ms (+180 ms debounce)",
    )
    for label, key in (
        ("  1-2 characters", "search_short_ms"),
        ("  3+ characters", "search_long_ms"),
    ):
        part = window[key]
        line(label, f"{part['median']} ms; p95 {part['p95']} ms", "", "")
    counted = window["search_counted_ms"]
    line(
        "  -> count known too (after the rows)",
        f"{counted['median']} ms; p95 {counted['p95']} ms",
        "",
        "",
    )
    line(
        "  longest GUI-thread stall while searching",
        f"{window['search_gui_stall_ms']} ms",
        "(all of it: Qt filters on the GUI thread)",
        "",
    )
    so = window["sort_ms"]
    line(
        "sort by a column (20 sorts x 2 views)",
        f"{so['median']} ms; max {so['max']} ms",
        f"{baseline['sort_ms']['median']:.0f} ms",
        f"<= {TARGETS['sort_max_ms']} ms",
    )
    line(
        "view counts refreshed",
        f"{c['median']} ms; p95 {c['p95']} ms",
        "(n/a: counted in Python)",
        f"<= {TARGETS['counts_p95_ms']} ms",
    )
    r = window["refresh_ms"]
    line("refresh after a sync (selection kept)", f"{r['median']} ms; p95 {r['p95']} ms", "", "")
    line(
        "jump to the end / middle / top",
        f"{window['scroll_end_ms']} / {window['scroll_middle_ms']} / {window['scroll_top_ms']} ms",
        "",
        "",
    )
    line(
        "resident memory (peak)",
        f"{window['peak_rss_mb']:.0f} MB",
        f"{baseline['peak_rss_mb']:.0f} MB",
        f"<= {TARGETS['rss_mb']} MB",
    )
    line("rows held in memory", f"{window['cached_rows']:,}", f"{baseline['rows']:,}", "")
    print()
    print("  slowest sorts:", ", ".join(f"{k} {t} ms" for k, t in window["sort_slowest"]))
    print(
        "  slowest search per query:",
        ", ".join(f"{k!r} {t} ms" for k, t in window["search_by_query_max_ms"].items()),
    )
    print("  slowest status views:", ", ".join(f"{k} {t} ms" for k, t in window["view_slowest"]))
    print(
        "  slowest keystrokes (rows; count):",
        ", ".join(f"{k!r} {a}; {b} ms" for k, a, b in window["search_slowest"]),
    )
    print(f"  baseline: read {baseline['read_s']} s of its {baseline['load_s']} s load")
    return 0


if __name__ == "__main__":
    sys.exit(main())
