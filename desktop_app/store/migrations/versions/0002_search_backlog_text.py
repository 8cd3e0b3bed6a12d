"""The search backlog carries the text to index, so catching up needs no document parsing.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE search_backlog ADD COLUMN search_text TEXT")


def downgrade() -> None:
    op.execute("ALTER TABLE search_backlog DROP COLUMN search_text")
