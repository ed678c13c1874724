"""Stories grouped online that no end-of-run rebuild has settled yet.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("stories_pending", sa.Column("story_id", sa.Integer, primary_key=True, autoincrement=False))


def downgrade() -> None:
    op.drop_table("stories_pending")
