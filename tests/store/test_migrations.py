"""The versioned schema: Alembic's head, the copy before a migration, a newer file refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection

from desktop_app.store import Store, StoreError
from desktop_app.store.connection import (
    _alembic_config,
    create_store_engine,
    head_revision,
    upgrade_pending,
)
from desktop_app.store.migrations import SCHEMA_HEAD

from .factories import NOW, make_order


def test_the_fast_check_agrees_with_alembic() -> None:
    assert head_revision() == SCHEMA_HEAD


def test_pragmas(store: Store, tmp_path: Path) -> None:
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -64 * 1024  # (KiB)
    with Store.open(tmp_path / "small.sqlite3", cache_mib=8) as small, small.read() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -8 * 1024


def at_revision(path: Path, revision: str) -> None:
    """Bring the cache at `path` (new, or at any revision) to `revision`, up or down."""
    engine = create_store_engine(path)
    with engine.connect() as connection:
        config = _alembic_config(connection)
        current = connection.exec_driver_sql(
            "SELECT version_num FROM alembic_version"
        ).scalar() if _has_versions(connection) else None
        if current is not None and current > revision:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)
        connection.commit()
    engine.dispose()


def _has_versions(connection: Connection) -> bool:
    found = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'"
    ).first()
    return found is not None


def test_an_old_cache_is_copied_then_migrated_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    at_revision(path, "0001")
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO sync_state (key, value) VALUES ('cursor', 'abc')")
    raw.close()
    with Store.open(path) as store:
        assert store.feed_cursor() == "abc"
        store.apply_page([make_order(1)], [], "def", NOW)
    backups = list(tmp_path.glob("cache.sqlite3.before-*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert copy.execute("SELECT value FROM sync_state").fetchone() == ("abc",)
    copy.close()
    with Store.open(path):
        pass
    assert len(list(tmp_path.glob("*.bak"))) == 1  # up to date: no second copy


def test_a_new_cache_is_not_copied(tmp_path: Path) -> None:
    with Store.open(tmp_path / "new.sqlite3"):
        pass
    assert list(tmp_path.glob("*.bak")) == []


def test_a_cache_from_a_newer_orderdesk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Store.open(path):
        pass
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.close()
    with pytest.raises(StoreError, match="newer OrderDesk"):
        Store.open(path)


def test_upgrade_pending_tells_a_cache_to_migrate_from_a_new_or_current_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cache.sqlite3"
    assert not upgrade_pending(path)  # (none yet: created at the head)
    with Store.open(path):
        pass
    assert not upgrade_pending(path)
    at_revision(path, "0006")
    assert upgrade_pending(path)
    with Store.open(path):
        pass
    assert not upgrade_pending(path)
