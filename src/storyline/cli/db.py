"""Commands that maintain the store: `db upgrade` and `recluster`."""

from __future__ import annotations

import typer

from storyline import services

from ._common import CLUSTER, Join, Merge, WindowDays, app, db_app, opened, out, story_options

__all__ = ["db_upgrade", "recluster_cmd"]


@app.command("recluster")
def recluster_cmd(
    ctx: typer.Context,
    join: Join = CLUSTER.join,
    merge: Merge = CLUSTER.merge,
    window_days: WindowDays = CLUSTER.window_days,
) -> None:
    """Group every stored article into stories again, from scratch, with the same algorithm.

    Stories that come out with mostly the same articles keep their ids.

    Example: storyline recluster
    """
    with opened(ctx) as store:
        before = store.count_stories()
        update = services.recluster(store, story_options(join, merge, window_days))
    out.print(f"{update.analysed} articles in {update.stories_touched} stories (before: {before})")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply pending schema migrations to the store.

    Example: storyline --db postgresql://localhost/news db upgrade
    """
    with opened(ctx) as store:
        revision = store.upgrade()
    out.print(f"schema at revision {revision}")
