"""Aliases of duplicate inputs; article vectors and features; stories and their members.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_aliases",
        sa.Column("external_id", sa.Text, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
    )
    op.create_index("ix_article_aliases_article_id", "article_aliases", ["article_id"])
    op.create_table(
        "article_features",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.Column("features", sa.Text, nullable=False),
        sa.Column("label", sa.Text, nullable=True),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("headline", sa.Text, nullable=False),
        sa.Column("first_seen", sa.Date, nullable=True),
        sa.Column("last_seen", sa.Date, nullable=True),
        sa.Column("article_count", sa.Integer, nullable=False),
        sa.Column("outlets", sa.Text, nullable=False),
        sa.Column("names", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_stories_last_seen", "stories", ["last_seen"])
    op.create_table(
        "story_members",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=True),
    )
    op.create_index("ix_story_members_story_id", "story_members", ["story_id"])


def downgrade() -> None:
    op.drop_table("story_members")
    op.drop_table("stories")
    op.drop_table("article_features")
    op.drop_table("article_aliases")
