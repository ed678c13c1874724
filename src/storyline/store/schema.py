"""The store's tables, as SQLAlchemy Core metadata.

This is the live schema the code queries. Migrations under `migrations/versions`
create and change it step by step; `tests/test_store.py` checks the two agree.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("external_id", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("published", sa.Date, nullable=True),
    sa.Column("outlet", sa.Text, nullable=True),
    sa.Column("language", sa.String(16), nullable=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("external_id", name="uq_articles_external_id"),
    sa.UniqueConstraint("url", name="uq_articles_url"),
    sa.UniqueConstraint("content_hash", name="uq_articles_content_hash"),
)
sa.Index("ix_articles_published", articles.c.published)

rejections = sa.Table(
    "rejections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("external_id", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("times", sa.Integer, nullable=False, server_default="1"),
    sa.UniqueConstraint("source", name="uq_rejections_source"),
)

article_aliases = sa.Table(
    "article_aliases",
    metadata,
    sa.Column("external_id", sa.Text, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
)
sa.Index("ix_article_aliases_article_id", article_aliases.c.article_id)

article_features = sa.Table(
    "article_features",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("vector", sa.LargeBinary, nullable=False),
    sa.Column("features", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=True),
)

stories = sa.Table(
    "stories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("headline", sa.Text, nullable=False),
    sa.Column("first_seen", sa.Date, nullable=True),
    sa.Column("last_seen", sa.Date, nullable=True),
    sa.Column("article_count", sa.Integer, nullable=False),
    sa.Column("outlets", sa.Text, nullable=False),
    sa.Column("names", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
sa.Index("ix_stories_last_seen", stories.c.last_seen)

story_members = sa.Table(
    "story_members",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("story_id", sa.Integer, nullable=False),
    sa.Column("score", sa.Float, nullable=True),
)
sa.Index("ix_story_members_story_id", story_members.c.story_id)

# Counters the story writers keep (migration 0006): `story_version` goes up with every story write,
# so a builder holding the story lock knows whether another process changed the stories since it
# read them; `story_id` is the largest story id ever handed out, so a story merged away never has
# its id given to another one.
store_state = sa.Table(
    "store_state",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

# Stories grouped online and not yet rebuilt at the end of a run (migration 0007): a run killed
# before its rebuild leaves them here, and the next run's rebuild takes them too.
stories_pending = sa.Table(
    "stories_pending",
    metadata,
    sa.Column("story_id", sa.Integer, primary_key=True, autoincrement=False),
)

# Quotes found in each article (a JSON list of QuoteMention dicts), cached per extraction version.
article_quotes = sa.Table(
    "article_quotes",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("quotes", sa.Text, nullable=False),
)

# Vectors of sentences and clauses by content (sha1 of model id, token limit and text), so a story
# report embeds only what it has not seen: re-analysis after a new article embeds that article.
text_vectors = sa.Table(
    "text_vectors",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("vector", sa.LargeBinary, nullable=False),
)

# Outlets (migration 0008, docs/outlets.md). Who published each article by its own metadata (site
# name, URL domain, byline agency), filled for new articles as they are first listed.
article_outlets = sa.Table(
    "article_outlets",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("name_key", sa.Text, nullable=True),
    sa.Column("domain", sa.Text, nullable=True),
    sa.Column("via", sa.String(8), nullable=False),
    sa.Column("wire", sa.Text, nullable=True),
    sa.Column("published", sa.Date, nullable=True),
    sa.Column("language", sa.String(16), nullable=True),
)
sa.Index("ix_article_outlets_name_key", article_outlets.c.name_key)
sa.Index("ix_article_outlets_domain", article_outlets.c.domain)

# What a story's report found about each of its articles, written when the report is made: the
# outlet profiles sum these instead of analysing stories again.
outlet_facts = sa.Table(
    "outlet_facts",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("story_id", sa.Integer, nullable=False),
    sa.Column("originality", sa.String(8), nullable=False),
    sa.Column("copy_of", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL"), nullable=True),
    *(
        sa.Column(name, sa.Integer, nullable=False, server_default="0")
        for name in (
            "credited",
            "uncredited",
            "verbatim",
            "partial",
            "altered",
            "paraphrased",
            "lone_conflicts",
        )
    ),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=False),
)
sa.Index("ix_outlet_facts_story_id", outlet_facts.c.story_id)

# The user's outlet file (`--outlets FILE`), as last loaded: replaced whole, never half.
outlet_metadata = sa.Table(
    "outlet_metadata",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("domains", sa.Text, nullable=False),
    sa.Column("aliases", sa.Text, nullable=False),
    sa.Column("columns", sa.Text, nullable=False),
)

# Outlet profiles as last computed, with the stamp of the store they were computed from (the story
# version, the outlet version that identities, findings and the outlet file move on, the article
# count): listing outlets reads this one row until something changes.
outlet_cache = sa.Table(
    "outlet_cache",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("stamp", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
)

# Full-text search (migration 0005) lives outside this metadata: on SQLite an FTS5 table over
# `articles` (with the shadow tables FTS5 makes and three triggers), on PostgreSQL a GIN index on
# the English tsvector of title and body. Neither is a Core table, so a comparison of the live
# schema with `metadata` leaves these names out (pass `include_name` to Alembic's comparison).
SEARCH_OBJECTS = frozenset(
    {
        "articles_fts",
        "articles_fts_config",
        "articles_fts_content",
        "articles_fts_data",
        "articles_fts_docsize",
        "articles_fts_idx",
        "ix_articles_search",
    }
)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic `include_name` hook: False for the full-text search objects, True for the rest."""
    return name not in SEARCH_OBJECTS
