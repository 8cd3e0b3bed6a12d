"""Order documents in a table of their own.

A document (~1.5 KB) inside the `orders` row made every row fill half a page: a scan of the
list columns (a short search, a count with a filter) read the documents too, and index
builds walked ten times more pages than needed. The list columns now live alone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE TABLE order_documents (pk INTEGER PRIMARY KEY, document TEXT NOT NULL)")
    op.execute("INSERT INTO order_documents (pk, document) SELECT pk, document FROM orders")
    op.execute("ALTER TABLE orders DROP COLUMN document")


def downgrade() -> None:
    op.execute("ALTER TABLE orders ADD COLUMN document TEXT NOT NULL DEFAULT ''")
    op.execute(
        "UPDATE orders SET document = "
        "(SELECT d.document FROM order_documents d WHERE d.pk = orders.pk)"
    )
    op.execute("DROP TABLE order_documents")
