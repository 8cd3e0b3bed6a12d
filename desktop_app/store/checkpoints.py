"""WAL checkpoints during a bulk load, off the writer's path.

In WAL mode every commit appends pages to the WAL; a checkpoint copies them into the database
file and syncs it. By default the committing connection runs that checkpoint itself whenever
the WAL passes 1,000 pages, so during a first sync the writer stops every two or three feed
pages to copy and sync: about a third of the ingest time.

While a bulk load runs, the writer's automatic checkpoint is raised to `BULK_WAL_PAGES` (a
bound on the WAL, not the usual route) and a `Checkpointer` thread with a connection of its own
runs PASSIVE checkpoints after each commit, so the copying overlaps the writer's Python work
(SQLite releases the GIL). A PASSIVE checkpoint never blocks the writer nor readers; when it
has copied every frame, the writer's next transaction starts the WAL over from its beginning,
so the WAL file stays about the size of a few feed pages. Should the thread fall behind, the
writer's own checkpoint at `BULK_WAL_PAGES` still bounds the WAL (about 64 MiB).

A checkpoint only copies committed pages, and syncs the WAL before it copies and the database
after. (A bulk load's own commits do not wait for the disk, see `Store._feed_write`; every
other commit does.) A crash mid-load leaves a WAL that SQLite replays on the next open; the
next connection has the default automatic checkpoint again.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

__all__ = ["BULK_WAL_PAGES", "DEFAULT_WAL_PAGES", "Checkpointer"]

log = logging.getLogger(__name__)

DEFAULT_WAL_PAGES = 1_000  # SQLite's default automatic checkpoint
BULK_WAL_PAGES = 16_384  # the writer's own checkpoint while a bulk load runs: 64 MiB of 4 KiB


class Checkpointer:
    """A thread that runs a PASSIVE checkpoint of `path` each time it is `nudge`d."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="orderdesk-checkpoint", daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        """A transaction committed: checkpoint what the WAL holds (coalesced if still busy)."""
        self._wake.set()

    def stop(self) -> None:
        """Finish the checkpoint under way, if any, and end the thread."""
        self._stopping = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=True)
        except sqlite3.Error as error:  # the writer's own checkpoints still bound the WAL
            log.warning("No background checkpoints during the bulk load: %s", error)
            return
        try:
            connection.execute("PRAGMA synchronous = FULL")  # sync the database file
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as error:  # busy or locked: the next nudge tries again
                    log.debug("background checkpoint skipped: %s", error)
        finally:
            connection.close()
