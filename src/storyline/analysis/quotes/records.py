"""The record of one quote in one article, as the rest of the analysis and the caches read it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Attribution", "QuoteKind", "QuoteMention"]

QuoteKind = Literal["direct", "indirect"]
Attribution = Literal["parse", "according-to", "continued", "none"]


@dataclass(frozen=True, slots=True)
class QuoteMention:
    """One quote in one article.

    Attributes:
        article: the article's external id.
        kind: "direct" (words in quotation marks) or "indirect" (reported speech).
        start: start of what was said, in the article's text (for a mixed quote, the reported clause).
        end: its end.
        text: the article's text from start to end.
        quoted: the words inside the marks, fragments joined by " … " (None for indirect quotes).
        fragments: spans of the quoted fragments, marks included (empty for indirect quotes).
        speaker: the speaker's name (canonical within the article), or the source as written when it
            is not a person ("The New York Post", "a source"); None when no one is named or implied.
        speaker_span: span of the speaker's mention in the reporting clause ("she", "Mr. Barrett").
        speaker_text: that mention's text.
        role: the title or description given with the speaker ("Kremlin spokesman").
        cue: the reporting verb or phrase ("said", "according to").
        sentence: index of the sentence where the quote starts.
        attribution: how the speaker was found: "parse" (the reporting clause), "according-to",
            "continued" (a paragraph that is only a quote, after an attributed quote), or "none".
    """

    article: str
    kind: QuoteKind
    start: int
    end: int
    text: str
    quoted: str | None
    fragments: tuple[tuple[int, int], ...] = ()
    speaker: str | None = None
    speaker_span: tuple[int, int] | None = None
    speaker_text: str | None = None
    role: str | None = None
    cue: str | None = None
    sentence: int = 0
    attribution: Attribution = "none"

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return {
            "article": self.article,
            "kind": self.kind,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "quoted": self.quoted,
            "fragments": [list(f) for f in self.fragments],
            "speaker": self.speaker,
            "speaker_span": list(self.speaker_span) if self.speaker_span else None,
            "speaker_text": self.speaker_text,
            "role": self.role,
            "cue": self.cue,
            "sentence": self.sentence,
            "attribution": self.attribution,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuoteMention:
        """The record from :meth:`to_json`'s dict."""
        span = data.get("speaker_span")
        return cls(
            article=data["article"],
            kind=data["kind"],
            start=data["start"],
            end=data["end"],
            text=data["text"],
            quoted=data.get("quoted"),
            fragments=tuple((int(a), int(b)) for a, b in data.get("fragments") or ()),
            speaker=data.get("speaker"),
            speaker_span=(int(span[0]), int(span[1])) if span else None,
            speaker_text=data.get("speaker_text"),
            role=data.get("role"),
            cue=data.get("cue"),
            sentence=int(data.get("sentence", 0)),
            attribution=data.get("attribution", "none"),
        )
