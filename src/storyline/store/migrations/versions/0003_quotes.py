"""Quotes found in each article, cached per extraction version.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_quotes",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("quotes", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("article_quotes")
