"""Outlets: each article's identity, what reports found per article, the user's outlet file.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_COUNTS = ("credited", "uncredited", "verbatim", "partial", "altered", "paraphrased", "lone_conflicts")


def upgrade() -> None:
    op.create_table(
        "article_outlets",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.Text, nullable=True),
        sa.Column("name_key", sa.Text, nullable=True),
        sa.Column("domain", sa.Text, nullable=True),
        sa.Column("via", sa.String(8), nullable=False),
        sa.Column("wire", sa.Text, nullable=True),
        sa.Column("published", sa.Date, nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
    )
    op.create_index("ix_article_outlets_name_key", "article_outlets", ["name_key"])
    op.create_index("ix_article_outlets_domain", "article_outlets", ["domain"])
    op.create_table(
        "outlet_facts",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("originality", sa.String(8), nullable=False),
        sa.Column("copy_of", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL"), nullable=True),
        *(sa.Column(name, sa.Integer, nullable=False, server_default="0") for name in _COUNTS),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_outlet_facts_story_id", "outlet_facts", ["story_id"])
    op.create_table(
        "outlet_metadata",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=True),
        sa.Column("domains", sa.Text, nullable=False),
        sa.Column("aliases", sa.Text, nullable=False),
        sa.Column("columns", sa.Text, nullable=False),
    )
    op.create_table(
        "outlet_cache",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("stamp", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.execute("INSERT INTO store_state (key, value) VALUES ('outlets_version', 0)")


def downgrade() -> None:
    op.execute("DELETE FROM store_state WHERE key = 'outlets_version'")
    op.drop_table("outlet_cache")
    op.drop_table("outlet_metadata")
    op.drop_index("ix_outlet_facts_story_id", table_name="outlet_facts")
    op.drop_table("outlet_facts")
    op.drop_index("ix_article_outlets_domain", table_name="article_outlets")
    op.drop_index("ix_article_outlets_name_key", table_name="article_outlets")
    op.drop_table("article_outlets")
