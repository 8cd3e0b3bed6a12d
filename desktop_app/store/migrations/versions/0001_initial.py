"""The first schema: orders (list columns + document), search, messages, outbox, sync state.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Sort key -> column. Frozen here: a later change of sort columns is a new migration.
_SORT_COLUMNS = {
    "number": "number",
    "buyer": "buyer_name",
    "service": "service_title",
    "status": "status_rank",
    "paid": "paid_sort",
    "net": "net_sort",
    "deadline": "deadline_sort",
    "updated": "updated_at",
    "unread": "unread",
    "pending": "pending_ops",
}

_TABLES = [
    # One row per order. `document` is the platform's last snapshot (contract JSON); the list
    # columns show the order with our pending operations applied on top.
    """
    CREATE TABLE orders (
        pk INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL,
        document TEXT NOT NULL,
        search_hash INTEGER NOT NULL,
        number TEXT NOT NULL,
        status TEXT NOT NULL,
        status_rank INTEGER NOT NULL,
        view_group INTEGER NOT NULL,
        buyer_name TEXT NOT NULL COLLATE NOCASE,
        buyer_country TEXT NOT NULL,
        service_title TEXT NOT NULL COLLATE NOCASE,
        paid_amount TEXT NOT NULL,
        paid_currency TEXT NOT NULL,
        paid_sort INTEGER NOT NULL,
        net_amount TEXT NOT NULL,
        net_currency TEXT NOT NULL,
        net_sort INTEGER NOT NULL,
        deadline_sort INTEGER NOT NULL,
        deadline_kind TEXT,
        deadline_actor TEXT,
        updated_at INTEGER NOT NULL,
        unread INTEGER NOT NULL,
        last_message_at INTEGER,
        na_from INTEGER,
        na_until INTEGER,
        pending_ops INTEGER NOT NULL DEFAULT 0,
        problem_ops INTEGER NOT NULL DEFAULT 0,
        messages_synced_at INTEGER,
        messages_wanted INTEGER NOT NULL DEFAULT 0
    )
    """,
    # Search: trigram substring match over number, buyer, service and requirements. Its own
    # content (not external) so that a row can be replaced by rowid; detail=none keeps it small
    # (substring LIKE is all we ask of it). rowid = orders.pk.
    """
    CREATE VIRTUAL TABLE orders_fts USING fts5(
        search_text, tokenize = 'trigram', detail = 'none'
    )
    """,
    # Rows whose search entry is still to be written (a bulk load defers it); searched with
    # LIKE until the indexer has caught up.
    "CREATE TABLE search_backlog (pk INTEGER PRIMARY KEY)",
    # Per view-group counters kept by triggers, so the status views' counts are instant.
    "CREATE TABLE view_counts (view_group INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
    """
    CREATE TABLE messages (
        order_id TEXT NOT NULL,
        id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        sent_at INTEGER NOT NULL,
        document TEXT NOT NULL,
        PRIMARY KEY (order_id, id)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX ix_messages_order ON messages (order_id, seq)",
    """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        seq INTEGER NOT NULL,
        order_id TEXT NOT NULL,
        order_number TEXT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        base_version INTEGER,
        if_match INTEGER,
        idempotency_key TEXT NOT NULL UNIQUE,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        result TEXT
    )
    """,
    "CREATE INDEX ix_outbox_order ON outbox (order_id, seq)",
    "CREATE INDEX ix_outbox_state ON outbox (state, next_attempt_at)",
    "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT)",
    """
    CREATE TABLE invalid_orders (
        order_id TEXT PRIMARY KEY,
        number TEXT,
        reason TEXT NOT NULL,
        seen_at INTEGER NOT NULL
    )
    """,
    # Secondary indexes dropped for a bulk load, kept here to be created again afterwards.
    "CREATE TABLE deferred_indexes (name TEXT PRIMARY KEY, sql TEXT NOT NULL)",
]

_TRIGGERS = [
    """
    CREATE TRIGGER orders_count_insert AFTER INSERT ON orders BEGIN
        INSERT INTO view_counts (view_group, n) VALUES (NEW.view_group, 1)
        ON CONFLICT (view_group) DO UPDATE SET n = n + 1;
    END
    """,
    """
    CREATE TRIGGER orders_count_delete AFTER DELETE ON orders BEGIN
        UPDATE view_counts SET n = n - 1 WHERE view_group = OLD.view_group;
    END
    """,
    """
    CREATE TRIGGER orders_count_update AFTER UPDATE OF view_group ON orders
    WHEN OLD.view_group IS NOT NEW.view_group BEGIN
        UPDATE view_counts SET n = n - 1 WHERE view_group = OLD.view_group;
        INSERT INTO view_counts (view_group, n) VALUES (NEW.view_group, 1)
        ON CONFLICT (view_group) DO UPDATE SET n = n + 1;
    END
    """,
]


def _indexes() -> list[str]:
    statements = [
        "CREATE INDEX ix_needs_action ON orders (na_from, na_until) WHERE na_from IS NOT NULL",
        "CREATE INDEX ix_messages_wanted ON orders (messages_wanted) WHERE messages_wanted > 0",
    ]
    for key, column in _SORT_COLUMNS.items():
        statements += [
            f"CREATE INDEX ix_sort_group_{key} ON orders (view_group, {column})",
            f"CREATE INDEX ix_sort_all_{key} ON orders ({column})",
            f"CREATE INDEX ix_sort_needs_{key} ON orders ({column}) WHERE na_from IS NOT NULL",
        ]
    return statements


def upgrade() -> None:
    for statement in _TABLES + _TRIGGERS + _indexes():
        op.execute(statement)


def downgrade() -> None:
    for table in (
        "deferred_indexes",
        "invalid_orders",
        "sync_state",
        "outbox",
        "messages",
        "view_counts",
        "search_backlog",
        "orders_fts",
        "orders",
    ):
        op.execute(f"DROP TABLE IF EXISTS {table}")
