"""The order an operation was decided on, kept with the operation.

A decision that comes back as *needs review* is shown beside the platform's order now. The
order the operator acted on used to live in the window's memory only, so after a restart the
review could show only what the operation assumed. It is now written with the operation.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE outbox ADD COLUMN acted_on TEXT")


def downgrade() -> None:
    op.execute("ALTER TABLE outbox DROP COLUMN acted_on")
