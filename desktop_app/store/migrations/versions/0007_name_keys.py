"""Searches of one or two characters walk the sort index alone.

Such a search (a two-character CJK name, the first letters of a buyer's name) finds the names
that hold its gram in the dictionary, then, for a common gram, walks the view's sort index
testing each order's names. It tested them in `search_order_terms`, one lookup by pk per
order walked: 2-3 us each, several times that from disk, and a walk may pass ten thousand
orders. Every sort index now carries a key of the buyer name and one of the service title (a
23-bit hash of the lower-cased name, `search_terms.name_key`), so the walk tests the keys
read from the index itself, and reads the names of only the orders whose keys match. The
sort indexes list `pk` before the keys, so they still yield (sort key, pk) order.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import re
import sqlite3
import zlib

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_KEYS = ", pk, buyer_key, service_key)"


def _name_key(name: str | None) -> int:
    # Frozen here (the store's `search_terms.name_key` may change in a later revision).
    return zlib.crc32((name or "").lower().encode()) & 0x7FFFFF


def _sort_indexes() -> list[tuple[str, str, bool]]:
    """(name, sql, deferred) of every sort index: in the schema, or kept aside by a bulk
    load under way (it builds them at its end)."""
    connection = op.get_bind()
    present = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_sort_%'"
    ).all()
    deferred = connection.exec_driver_sql(
        "SELECT name, sql FROM deferred_indexes WHERE name LIKE 'ix_sort_%'"
    ).all()
    return [(name, sql, False) for name, sql in present] + [
        (name, sql, True) for name, sql in deferred
    ]


def _rewrite(sql: str, *, keys: bool) -> str:
    # "CREATE INDEX ix ON orders (a, b) [WHERE ...]": the column list gains or loses the keys.
    if keys:
        return re.sub(r"\)(\s*(WHERE .*)?)$", _KEYS + r"\1", sql.strip(), count=1)
    return sql.replace(_KEYS, ")")


def _put(name: str, sql: str, *, deferred: bool) -> None:
    """Create the index `name` by `sql` (an index of that name dropped first), or, deferred by
    a bulk load, have its end create it so."""
    if deferred:
        op.get_bind().exec_driver_sql(
            "UPDATE deferred_indexes SET sql = ? WHERE name = ?", (sql, name)
        )
        return
    op.execute(f'DROP INDEX IF EXISTS "{name}"')
    op.execute(sql)


def upgrade() -> None:
    connection = op.get_bind()
    raw = connection.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    op.execute("ALTER TABLE orders ADD COLUMN buyer_key INTEGER NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE orders ADD COLUMN service_key INTEGER NOT NULL DEFAULT 0")
    indexes = _sort_indexes()
    for name, _, deferred in indexes:  # (first: filling the keys then touches no index)
        if not deferred:
            op.execute(f'DROP INDEX "{name}"')
    raw.create_function("orderdesk_migration_key", 1, _name_key, deterministic=True)
    op.execute(
        "UPDATE orders SET buyer_key = orderdesk_migration_key(buyer_name),"
        " service_key = orderdesk_migration_key(service_title)"
    )
    for name, sql, deferred in indexes:
        _put(name, _rewrite(sql, keys=True), deferred=deferred)
    op.execute("DROP TABLE search_order_terms")


def downgrade() -> None:
    op.execute(
        "CREATE TABLE search_order_terms ("
        " pk INTEGER PRIMARY KEY, buyer INTEGER NOT NULL, service INTEGER NOT NULL)"
    )
    op.execute(
        "INSERT INTO search_order_terms (pk, buyer, service) "
        "SELECT o.pk, coalesce(b.id, 0), coalesce(s.id, 0) FROM orders o "
        "LEFT JOIN search_terms b ON b.term = o.buyer_name "
        "LEFT JOIN search_terms s ON s.term = o.service_title "
        "WHERE o.pk NOT IN (SELECT pk FROM search_backlog) ORDER BY o.pk"
    )
    for name, sql, deferred in _sort_indexes():
        _put(name, _rewrite(sql, keys=False), deferred=deferred)
    op.execute("ALTER TABLE orders DROP COLUMN service_key")
    op.execute("ALTER TABLE orders DROP COLUMN buyer_key")
