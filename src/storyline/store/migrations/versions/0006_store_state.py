"""Counters the story writers keep: the story version and the largest story id handed out.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_state",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO store_state (key, value) VALUES ('story_version', 0)")
    op.execute(
        "INSERT INTO store_state (key, value) SELECT 'story_id', COALESCE(MAX(id), 0) FROM "
        "(SELECT id FROM stories UNION ALL SELECT story_id FROM story_members) AS ids"
    )


def downgrade() -> None:
    op.drop_table("store_state")
