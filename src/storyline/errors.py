"""Errors raised by Storyline.

Hierarchy::

    StorylineError                 base: the CLI prints its message on one line, exit code 2
    ├── OptionsError               an impossible option value; the message says the fix
    ├── StoreError                 the store cannot be opened or written
    │   └── UnsupportedDatabaseError   a --db URL with an unknown scheme
    ├── SourceError                an input cannot be read at all (missing path, bad URL)
    │   └── FetchError             an HTTP fetch failed (refused address, status, size, type)
    └── NotFoundError              a requested article or story does not exist

Per-input problems during ingest are not raised to the caller: they become
:class:`storyline.model.Rejected` records so the batch goes on.
"""

from __future__ import annotations


class StorylineError(Exception):
    """Base class for every error Storyline reports to users."""


class OptionsError(StorylineError, ValueError):
    """An option has a value that cannot work."""


class StoreError(StorylineError):
    """The store cannot be opened, migrated or written."""


class UnsupportedDatabaseError(StoreError):
    """A database URL names a scheme Storyline does not support."""


class SourceError(StorylineError):
    """An input cannot be read at all."""


class FetchError(SourceError):
    """An HTTP fetch failed or was refused."""


class NotFoundError(StorylineError, LookupError):
    """A requested record does not exist."""
