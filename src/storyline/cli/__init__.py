"""The `storyline` command line, in spaCy's shape: each command parses its options and calls one
:mod:`storyline.services` function.

- :mod:`._common`: the Typer app, the shared options (their defaults read from the options
  objects), the consoles and the tables;
- :mod:`.ingest`: `ingest`, `extract`, `demo`, `watch`;
- :mod:`.browse`: `articles`, `article`, `rejected`, `stories`, `story`, `similar`, `copies`,
  `sources`, `quotes`;
- :mod:`.outlets`: `outlets`, `outlet`, `coverage`;
- :mod:`.report`: `report`;
- :mod:`.db`: `recluster`, `db upgrade`;
- :mod:`.serve`: `serve`.

:func:`main` is the entry point (`storyline = "storyline.cli:main"`): it turns Storyline's errors
into one line on stderr and exit code 2.
"""

from __future__ import annotations

import sys

from storyline.errors import StorylineError

from ._common import app, db_app

# isort: off
# Imported for their commands, in the order `storyline --help` lists them.
from . import ingest, browse, outlets, report, db, serve
# isort: on

app.add_typer(db_app, name="db")

__all__ = ["app", "browse", "db", "ingest", "main", "outlets", "report", "serve"]


def main() -> None:
    """Entry point: run the app, turning Storyline errors into one line and exit code 2."""
    try:
        app()  # standalone mode: usage errors, --help and exit codes handled by Typer
    except StorylineError as exc:
        sys.stderr.write(f"error: {' '.join(str(exc).split())}\n")
        sys.exit(2)
