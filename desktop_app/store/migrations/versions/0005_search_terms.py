"""A dictionary of buyer names and service titles for searches of one or two characters.

Too short for the trigram index, such a query (a two-character CJK name) used to test every
order with LIKE. Now it looks its gram up in `search_grams`, gets the names that hold it
from `search_terms`, and reads the orders through the buyer and service indexes; or, for a
common gram, walks the view's sort index testing each order's term ids in `search_order_terms`
(a narrow table: ~400 orders a page, where a row of `orders` fills a tenth of a page).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _grams(term: str) -> set[str]:
    # Frozen here (the store's `search_terms.grams` may change in a later revision).
    folded = term.lower()
    found = set(folded)
    found.update(folded[i : i + 2] for i in range(len(folded) - 1))
    return found


def upgrade() -> None:
    op.execute(
        "CREATE TABLE search_terms ("
        " id INTEGER PRIMARY KEY,"
        " term TEXT NOT NULL UNIQUE COLLATE NOCASE,"
        " kinds INTEGER NOT NULL)"  # 1: a buyer name, 2: a service title (bits)
    )
    op.execute(
        "CREATE TABLE search_grams ("
        " gram TEXT NOT NULL, term_id INTEGER NOT NULL,"
        " PRIMARY KEY (gram, term_id)) WITHOUT ROWID"
    )
    connection = op.get_bind()
    # Orders still in the search backlog join the dictionary when they are indexed.
    for column, kind in (("buyer_name", 1), ("service_title", 2)):
        connection.exec_driver_sql(
            f"INSERT INTO search_terms (term, kinds) SELECT DISTINCT {column}, {kind} "  # noqa: S608
            f"FROM orders WHERE pk NOT IN (SELECT pk FROM search_backlog) AND {column} <> '' "
            "ORDER BY 1 ON CONFLICT (term) DO UPDATE SET kinds = kinds | excluded.kinds"
        )
    op.execute(
        "CREATE TABLE search_order_terms ("
        " pk INTEGER PRIMARY KEY, buyer INTEGER NOT NULL, service INTEGER NOT NULL)"
    )
    connection.exec_driver_sql(
        "INSERT INTO search_order_terms (pk, buyer, service) "
        "SELECT o.pk, coalesce(b.id, 0), coalesce(s.id, 0) FROM orders o "
        "LEFT JOIN search_terms b ON b.term = o.buyer_name "
        "LEFT JOIN search_terms s ON s.term = o.service_title "
        "WHERE o.pk NOT IN (SELECT pk FROM search_backlog) ORDER BY o.pk"
    )
    terms = connection.exec_driver_sql("SELECT id, term FROM search_terms").all()
    entries = [(gram, term_id) for term_id, term in terms for gram in _grams(term)]
    entries.sort()
    if entries:
        connection.exec_driver_sql(
            "INSERT OR IGNORE INTO search_grams (gram, term_id) VALUES (?, ?)", entries
        )


def downgrade() -> None:
    op.execute("DROP TABLE search_order_terms")
    op.execute("DROP TABLE search_grams")
    op.execute("DROP TABLE search_terms")
