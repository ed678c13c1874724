"""Records of the ingest phase: an input before extraction, what it carried, and what became of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from .serial import Record, key

__all__ = ["DocumentKind", "Hints", "IngestOutcome", "IngestReport", "IngestStatus", "RawDocument", "Rejected"]

DocumentKind = Literal["text", "html"]
IngestStatus = Literal["stored", "already stored", "rejected"]


@dataclass(frozen=True, slots=True)
class Hints(Record):
    """Metadata an input carried beside its content (a JSON record's fields, a feed entry)."""

    url: str | None = None
    title: str | None = None
    published: dt.date | None = None
    outlet: str | None = None


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One unit of input before extraction: a file, a JSON line, a WARC record, a fetched page.

    Attributes:
        source: where it came from, for messages (`path`, `path:line`, a URL, `<stdin>`).
        external_id: the id shown to users (JSON `id`, else file name without extensions, else URL).
        content: the raw bytes (decoded later, so encoding problems become `Rejected`).
        kind: whether the content is HTML or plain text.
        hints: metadata given beside the content; it wins over what extraction finds.
    """

    source: str
    external_id: str
    content: bytes
    kind: DocumentKind
    hints: Hints = field(default_factory=Hints)


@dataclass(frozen=True, slots=True)
class Rejected(Record):
    """An input that could not be read or is not an article. Counted and shown, never dropped."""

    source: str
    reason: str = field(metadata=key("rejected"))
    external_id: str | None = field(default=None, metadata=key("id"))


@dataclass(frozen=True, slots=True)
class IngestOutcome(Record):
    """What happened to one input during ingest."""

    status: IngestStatus
    source: str
    external_id: str | None = field(metadata=key("id"))
    detail: str = ""


@dataclass(frozen=True, slots=True)
class IngestReport:
    """The outcome of one ingest run: one entry per input, and the counts."""

    outcomes: tuple[IngestOutcome, ...]

    def count(self, status: IngestStatus) -> int:
        """How many inputs ended with `status`."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def counts(self) -> dict[str, int]:
        """Counts per status, in the order users read them."""
        return {s: self.count(s) for s in ("stored", "already stored", "rejected")}

    @property
    def readable(self) -> bool:
        """True when at least one input was an article (stored now or before)."""
        return self.count("stored") + self.count("already stored") > 0
