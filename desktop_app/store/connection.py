"""Opening the cache: SQLite in WAL mode with synchronous=FULL, migrated by Alembic.

(FULL: a commit returns once it is on the disk. The one exception is a first sync's feed
pages, committed with their cursor without that wait: see `Store._feed_write`.)

Before a migration touches an existing file, the file is copied beside itself
(``orders.sqlite3.before-0002.bak``), using SQLite's online backup so the copy is consistent
even with a WAL file beside it.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from .migrations import SCHEMA_HEAD

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

__all__ = [
    "BUSY_TIMEOUT_MS",
    "StoreError",
    "create_store_engine",
    "driver_of",
    "head_revision",
    "migrate",
]

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000
_MIGRATIONS = Path(__file__).with_name("migrations")


def _bind_null(value: None) -> None:
    return value


# sqlite3 "adapts" each parameter that is not exactly an int, float, str or bytearray, None
# included; on CPython 3.11 that lookup raises and formats an AttributeError for every NULL
# bound (some 3,000 instructions: a stored order binds four NULLs on average, which made
# up a tenth of storing it). An adapter registered for None is found first, by one dict
# lookup; it hands None back unchanged, so NULL is bound exactly as before.
sqlite3.register_adapter(type(None), _bind_null)


class StoreError(Exception):
    """The cache cannot be used (a newer schema, a locked or damaged file): tell the operator."""


def _alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision among the migration scripts (Alembic's view; `SCHEMA_HEAD` must
    agree, a test checks it)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


DEFAULT_CACHE_MIB = 64


def create_store_engine(path: Path, cache_mib: int = DEFAULT_CACHE_MIB) -> Engine:
    """One connection per engine (StaticPool): the store serialises its use with a lock.
    `cache_mib`: its page cache."""
    engine = create_engine(
        f"sqlite:///{path}",
        poolclass=StaticPool,
        hide_parameters=True,  # buyers' data stays out of error messages and logs
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver level: the store issues BEGIN [IMMEDIATE]/COMMIT itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA cache_size = -{int(cache_mib) * 1024}")  # (KiB)
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.close()

    return engine


def driver_of(connection: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under `connection` (same transaction, without SQLAlchemy)."""
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver


def _current_revision(connection: Connection) -> str | None:
    """The schema revision of the file, read directly (importing Alembic costs half a second:
    a CLI run on an up-to-date cache should not pay it)."""
    has_table = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).first()
    if has_table is None:
        return None
    value = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    return None if value is None else str(value)


def upgrade_pending(path: Path) -> bool:
    """Whether opening the cache at `path` will migrate data in it (a copy, then a rewrite
    of tables and indexes: at a million orders, minutes). Read without Alembic."""
    if not Path(path).exists():
        return False
    with closing(sqlite3.connect(path)) as raw:
        tables = {name for (name,) in raw.execute("SELECT name FROM sqlite_master")}
        if not tables:
            return False
        if "alembic_version" not in tables:
            return True
        found = raw.execute("SELECT version_num FROM alembic_version").fetchone()
    return found is None or found[0] != SCHEMA_HEAD


def _has_tables(connection: Connection) -> bool:
    count = connection.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
    ).scalar_one()
    return bool(count)


def _backup(connection: Connection, path: Path, revision: str | None) -> Path:
    target = path.with_name(f"{path.name}.before-{head_revision()}-from-{revision or 'none'}.bak")
    with sqlite3.connect(target) as copy:
        driver_of(connection).backup(copy)
    copy.close()
    log.info("copied %s to %s before migrating", path.name, target.name)
    return target


def _known(script: ScriptDirectory, revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def migrate(connection: Connection, path: Path) -> None:
    """Bring the schema to the newest revision, copying the file first if it holds data.

    The whole upgrade is one transaction taken with the write lock (a crash mid-way leaves the
    old schema intact), and the revision is read again under that lock: of two processes
    opening a new cache at once, the second finds the work done."""
    if _current_revision(connection) == SCHEMA_HEAD:
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    current = _current_revision(connection)
    if current is not None and not _known(script, current):
        raise StoreError(
            f"The cache {path} was written by a newer OrderDesk (schema {current}); "
            "update OrderDesk or choose another data folder."
        )
    if _has_tables(connection):
        _backup(connection, path, current)  # (SQLite's backup cannot run inside the upgrade)
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        if _current_revision(connection) != SCHEMA_HEAD:
            command.upgrade(_alembic_config(connection), "head")
    except BaseException:
        connection.exec_driver_sql("ROLLBACK")
        connection.rollback()
        raise
    connection.exec_driver_sql("COMMIT")
    connection.commit()
