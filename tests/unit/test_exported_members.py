"""The public surface is curated: `storyline.__all__` is exactly this, and every name in it exists
(as httpx's tests/test_exported_members.py)."""

from __future__ import annotations

import inspect

import storyline
import storyline.errors
import storyline.options
import storyline.services

PUBLIC = [
    "Article",
    "IngestOptions",
    "IngestReport",
    "IngestResult",
    "NotFoundError",
    "OptionsError",
    "ReportOptions",
    "Story",
    "StoryOptions",
    "StoryReport",
    "StorylineError",
    "__version__",
    "build_report",
    "ingest",
    "open_store",
    "story_copies",
    "story_quotes",
]


def test_all_is_exactly_the_curated_names() -> None:
    assert storyline.__all__ == PUBLIC


def test_every_exported_name_exists() -> None:
    import storyline.cli._common
    import storyline.cli.browse
    import storyline.cli.db
    import storyline.cli.ingest
    import storyline.cli.report
    import storyline.cli.serve

    modules = (storyline, storyline.errors, storyline.options, storyline.services, storyline.cli)
    commands = (storyline.cli.browse, storyline.cli.db, storyline.cli.ingest, storyline.cli.report, storyline.cli.serve)
    for module in (*modules, storyline.cli._common, *commands):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_every_public_exception_lives_in_errors() -> None:
    """No module defines an exception of its own: every one is in storyline.errors, under StorylineError."""
    import importlib
    import pkgutil

    defined = []
    for info in pkgutil.walk_packages(storyline.__path__, "storyline."):
        if info.name.startswith(("storyline.store.migrations", "storyline.__main__", "storyline.errors")):
            continue  # Alembic's scripts, the entry point (it runs the CLI), the one home of errors
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            public = inspect.isclass(value) and not name.startswith("_") and value.__module__ == info.name
            if public and issubclass(value, BaseException):
                defined.append(f"{info.name}.{name}")
    assert defined == [], "define these in storyline.errors (and draw them in its docstring's tree), then import them"
    for name in storyline.errors.__all__:
        assert issubclass(getattr(storyline.errors, name), storyline.errors.StorylineError)


def test_version_is_the_package_version() -> None:
    from importlib.metadata import version

    assert storyline.__version__ == version("storyline")
