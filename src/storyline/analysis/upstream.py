"""Upstream reports an article cites: "per Bloomberg", "told Reuters", "citing The New York Times".

Patterns over each sentence find a name next to an attribution cue. Cues that only news outlets
take ("per X", "a report in X", "(With inputs from X)", "X reported") accept any capitalised
name; cues that people take as well ("X said", "told X", "according to X") accept only names of
known outlets and agencies, so "Peskov said" is not an upstream report and "told Bloomberg" is.
Each finding keeps the citing sentence and the character span of the name.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from ..model import Article, Upstream
from ..text.sentences import split_sentences

__all__ = ["KNOWN_OUTLETS", "by_name", "cited_by", "citing_articles", "find_upstream"]

#: News agencies and outlets often cited as the source of a story (matched case-sensitively).
KNOWN_OUTLETS = frozenset(
    """Reuters|Associated Press|AP|AFP|Agence France-Presse|Bloomberg|Bloomberg News|TASS|RIA Novosti|Interfax|
    Xinhua|Kyodo|Yonhap|dpa|DPA|ANSA|EFE|UPI|PTI|ANI|The New York Times|New York Times|NYT|The Washington Post|
    Washington Post|The Wall Street Journal|Wall Street Journal|WSJ|Financial Times|FT|The Guardian|Guardian|BBC|
    CNN|CNBC|Fox News|NBC News|ABC News|CBS News|NPR|Politico|Axios|The Economist|Economist|Nikkei|Kommersant|
    Vedomosti|RBC|Meduza|The Moscow Times|Al Jazeera|Le Monde|Der Spiegel|Spiegel|Bild|Haaretz|The Times|
    The Telegraph|Daily Mail|The Independent|Sky News|Newsweek|The Atlantic|The Hill|USA Today|Los Angeles Times|
    LA Times|Business Insider|Insider|Semafor|The Information|Vox|HuffPost|ProPublica|The Intercept|Yahoo News|
    Variety|TMZ|ESPN|Access Hollywood|Entertainment Weekly|People|Kyiv Independent|Ukrainska Pravda|Izvestia|
    Novaya Gazeta|Ekho Moskvy|South China Morning Post|Times of India|Hindustan Times|Le Figaro|El País|
    Corriere della Sera|La Repubblica|Süddeutsche Zeitung|Frankfurter Allgemeine|Die Zeit|NOS|ARD|ZDF""".replace(
        "\n", ""
    )
    .replace("    ", "")
    .split("|")
)

# A name: up to five capitalised words (with "of", "de", "della" inside), optionally after "The".
_NAME = r"((?:[Tt]he\s)?[A-Z][\w’'.&-]*(?:\s(?:of\s|de\s|della\s|der\s)?[A-Z][\w’'.&-]*){0,4})"
_POSSESSIVE = r"(?:[’']s)?"
# Cues only outlets take: any capitalised name counts.
_OUTLET_CUES = [
    re.compile(rf"\b(?i:per)\s{_NAME}"),
    re.compile(rf"\b(?i:a|the)\sreport\s(?:in|by|from)\s{_NAME}"),
    re.compile(rf"\(\s*[Ww]ith\s(?:inputs|reporting)\sfrom\s{_NAME}"),
    re.compile(rf"\b(?:reported|first reported|published)\sby\s{_NAME}"),
    re.compile(rf"\b{_NAME}{_POSSESSIVE}\s(?:report|reporting|article|investigation|exclusive)\b"),
    re.compile(rf"\b{_NAME}(?:\sNews)?\s(?:reported|reports|first reported|revealed|wrote|writes)\b"),
    re.compile(rf"^{_NAME}:\s"),
]
# Cues people take too: only known outlets count.
_SHARED_CUES = [
    re.compile(rf"\b(?i:according)\sto\s(?:a\sreport\s(?:in|by)\s)?{_NAME}"),
    re.compile(rf"\b(?i:told|cited\sby|citing|quoted\sby|made\sto|said\sto|speaking\sto|interview\swith)\s{_NAME}"),
    re.compile(rf"\b{_NAME}{_POSSESSIVE}\s(?:said|says|noted|cited|quoted|sources|source)\b"),
]
_AGENCIES = re.compile(r"\(\s*[Ww]ith\s(?:inputs|reporting)\sfrom\s(agencies|wires)\s*\)")
# Capitalised words that open a sentence or name people's roles, never an outlet.
_NOT_NAMES = frozenset(
    {"The", "A", "An", "It", "He", "She", "They", "We", "This", "That", "US", "U.S.", "President"}
    | {*calendar.day_name, *calendar.month_name[1:]}
)


def find_upstream(article: Article) -> list[Upstream]:
    """The upstream reports `article` cites, one record per citing mention, in text order."""
    text = article.text
    found: dict[tuple[int, int], Upstream] = {}
    for sentence in split_sentences(text):
        chunk = sentence.text_in(text)
        for pattern, any_name in [*((p, True) for p in _OUTLET_CUES), *((p, False) for p in _SHARED_CUES)]:
            for m in pattern.finditer(chunk):
                name, offset = _outlet(m.group(1), any_name)
                if name is None:
                    continue
                start = sentence.start + m.start(1) + offset
                found.setdefault(
                    (start, start + len(name)),
                    Upstream(
                        name=_canonical(name),
                        article_id=article.external_id,
                        sentence=sentence.index,
                        start=start,
                        end=start + len(name),
                        sentence_text=chunk,
                    ),
                )
        for m in _AGENCIES.finditer(chunk):
            start = sentence.start + m.start(1)
            found.setdefault(
                (start, start + len(m.group(1))),
                Upstream("agencies", article.external_id, sentence.index, start, start + len(m.group(1)), chunk),
            )
    return [found[k] for k in sorted(found)]


def _outlet(raw: str, any_name: bool) -> tuple[str | None, int]:
    """The outlet named in `raw` (a capitalised run), trimmed to a known name where one fits."""
    words = re.sub(r"[’']s$", "", raw).split()
    # The longest known outlet at the start of the run ("The New York Times reported" -> the whole run;
    # "Bloomberg News" -> "Bloomberg News"); else the run itself when any name is accepted.
    for n in range(len(words), 0, -1):
        candidate = " ".join(words[:n]).rstrip(".’'")
        if candidate in KNOWN_OUTLETS:
            return candidate, 0
    if words and words[0] in {"The", "the"}:
        for n in range(len(words), 1, -1):
            candidate = " ".join(words[1:n]).rstrip(".’'")
            if candidate in KNOWN_OUTLETS:
                return candidate, len("The ")
    if words and words[0] == "the":
        words, offset = words[1:], len("the ")
    else:
        offset = 0
    if any_name and words and words[0] not in _NOT_NAMES:
        return " ".join(words).rstrip(".’'"), offset
    return None, 0


def _canonical(name: str) -> str:
    """One name per outlet: "Bloomberg News" and "Bloomberg" are both Bloomberg; "The" dropped."""
    name = name.removeprefix("The ")
    aliases = {
        "Bloomberg News": "Bloomberg",
        "AP": "Associated Press",
        "NYT": "New York Times",
        "WSJ": "Wall Street Journal",
    }
    return aliases.get(name, name)


def cited_by(articles: Iterable[Article]) -> dict[str, list[Upstream]]:
    """Upstream outlets cited across `articles`: name -> every citing mention, most cited first."""
    return by_name(m for article in articles for m in find_upstream(article))


def by_name(mentions: Iterable[Upstream]) -> dict[str, list[Upstream]]:
    """Mentions found already (:func:`find_upstream`) grouped as :func:`cited_by` groups them."""
    grouped: dict[str, list[Upstream]] = defaultdict(list)
    for mention in mentions:
        grouped[mention.name].append(mention)
    return dict(sorted(grouped.items(), key=lambda kv: (-len({u.article_id for u in kv[1]}), kv[0])))


def citing_articles(mentions: Sequence[Upstream]) -> list[str]:
    """The distinct articles among `mentions`, in first-mention order."""
    return list(dict.fromkeys(u.article_id for u in mentions))
