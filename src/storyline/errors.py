"""Every exception Storyline raises to its callers, in one place.

Hierarchy::

    StorylineError                 base: the CLI prints its message on one line, exit code 2;
    │                              the web answers {"error": message} with a 4xx or 5xx status
    ├── OptionsError               an impossible option value; the message says the fix (also a ValueError)
    ├── StoreError                 the store cannot be opened or written
    │   └── UnsupportedDatabaseError   a --db URL with an unknown scheme
    ├── SourceError                an input cannot be read at all (missing path, bad URL)
    │   └── FetchError             an HTTP fetch failed (refused address, status, size, type)
    ├── NotFoundError              a requested article or story does not exist (also a LookupError)
    ├── IndexFileError             a story index file beside the store is missing, damaged or made
    │                              for something else (the index is then rebuilt from the store)
    ├── ModelError                 a model cannot be loaded or run
    │   ├── ModelMissingError      a model package (MiniLM, its tokenizer) is not installed
    │   └── NliModelError          an NLI model directory (--nli-model) cannot be loaded or run
    └── RayError                   the Ray engine (--engine ray) cannot run
        ├── RayMissingError        Ray Data is not installed
        └── RayUnavailableError    Ray could not start, or the cluster cannot be reached

Per-input problems during ingest are not raised to the caller: they become
:class:`storyline.model.Rejected` records so the batch goes on.
"""

from __future__ import annotations

__all__ = [
    "FetchError",
    "IndexFileError",
    "ModelError",
    "ModelMissingError",
    "NliModelError",
    "NotFoundError",
    "OptionsError",
    "RayError",
    "RayMissingError",
    "RayUnavailableError",
    "SourceError",
    "StoreError",
    "StorylineError",
    "UnsupportedDatabaseError",
]


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


class IndexFileError(StorylineError):
    """A story index file that cannot be used (missing, damaged, or made for something else)."""


class ModelError(StorylineError):
    """A model cannot be loaded or run."""


class ModelMissingError(ModelError):
    """A model package is not installed."""


class NliModelError(ModelError):
    """An NLI model directory cannot be loaded or run."""


class RayError(StorylineError):
    """The Ray engine cannot run."""


class RayMissingError(RayError):
    """`--engine ray` was asked for but Ray Data is not installed."""


class RayUnavailableError(RayError):
    """Ray could not be started, or the cluster at the given address could not be reached."""
