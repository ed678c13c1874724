#!/usr/bin/env python3
"""Score copy detection (``storyline copies``) on copies made from real ECB+ articles.

Construction (deterministic for a given ``--seed``). From ``ecbplus-dev.articles.jsonl`` (in
``../shared/eval/stories``) ``--n`` originals are drawn, preferring articles of at least 8 lines.
Each original gets three of six copy types, rotated so every type has about N/2 instances:

* ``verbatim``  - the whole text under a new headline line and a "By Staff Reporter" byline;
* ``trimmed``   - the first k lines only (k = 60% of them, and at least 3 full sentences);
* ``reordered`` - a few non-first paragraphs swapped;
* ``augmented`` - a few sentences from an article of another topic inserted;
* ``respelled`` - about 10% of the words respelled (ise/ize, doubled/undoubled letters, typos);
* ``rewritten`` - every sentence reworded in place: a built-in synonym table, contractions
  toggled, "X, Y." turned into "Y, X." when X is an opening phrase.

The copies are mixed with all originals and hard negatives: for each original, articles of the
same gold story that are not copies (other outlets' own reports of the same event) and articles of
the other event of the same ECB+ topic (same kind of event, different event). ECB+ itself holds
wire reprints and lightly rewritten reprints, so an article is only added when it overlaps every
article already chosen from its topic by less than ``--overlap``, both as the containment of word
5-shingles in the smaller one and as the share of sentences (of either) with a near match (word
Jaccard >= 0.5) in the other; otherwise a real copy would be scored as a false link. Copies drop
the original's web-address lines (the store treats one address as one article). Sentence donors
for ``augmented`` come from outside the mix. Gold copy groups: an original with its copies; every
other article is a group of its own.

The real path runs: ``storyline ingest`` of a JSON-lines file into a fresh SQLite store, then
``storyline copies --format json``, a list of links ``{"copy", "of", "kind", "share", ...}``.
Predicted groups are the connected components of the links; an article without links (or
rejected at ingest) is a group of its own.

Metrics: pairwise precision, recall and F1 over the pairs of articles put in one group; the
adjusted Rand index of the groups (Hubert and Arabie); recall per copy type (the share of
(original, copy) pairs that land in one predicted group); and the false links (links whose two
ends are in different gold groups) split into same story, other event of the topic, other topic.

Usage::

    python eval/copies.py                  # 60 originals, seed 13
    python eval/copies.py --n 30 --seed 1 --json
    python eval/copies.py --show 2         # print copies of two originals, run nothing
    python eval/copies.py --check          # exit 1 below the "copies" floors in eval/floors.json
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shlex
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cli_runner import run_storyline
from floors import below_floors

EVAL_DIR = Path(__file__).resolve().parent
REPO_ROOT = EVAL_DIR.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "eval" / "stories"
FLOORS_FILE = EVAL_DIR / "floors.json"
SECTION = "copies"
MIN_LINES = 8
COPY_TYPES = ("verbatim", "trimmed", "reordered", "augmented", "respelled", "rewritten")
TYPES_PER_ORIGINAL = 3

# word -> replacement (underscore = space); only lower-case tokens are replaced, so names stay.
_SYNONYM_TABLE = """
said:stated says:states told:informed killed:slain police:officers officials:authorities died:perished
arrested:detained arrest:detention suspect:accused man:male woman:female people:persons children:kids
car:vehicle cars:vehicles house:home building:structure fire:blaze attack:assault attacks:assaults
shooting:gunfire injured:hurt wounded:injured hospital:medical_centre victim:casualty victims:casualties
city:town country:nation government:administration announced:declared announcement:statement company:firm
companies:firms deal:agreement agreement:accord bought:purchased buy:purchase acquire:buy acquired:bought
acquisition:purchase earthquake:quake quake:tremor struck:hit hit:struck near:close_to about:around
approximately:roughly many:numerous several:a_number_of big:large large:sizable major:significant
also:additionally but:yet because:since after:following before:prior_to during:throughout while:whilst
although:though begin:start began:started start:begin started:began ended:concluded show:reveal
showed:revealed shows:reveals reported:disclosed report:account reports:accounts statement:announcement
spokesman:representative spokeswoman:representative spokesperson:representative investigation:inquiry
investigators:detectives charged:indicted charges:counts court:tribunal judge:magistrate trial:hearing
prison:jail jail:prison convicted:found_guilty accused:charged claimed:asserted confirmed:verified
denied:rejected help:assist helped:assisted need:require needed:required tried:attempted try:attempt
want:wish wanted:wished used:utilized get:obtain got:obtained give:provide gave:provided made:produced
leave:depart left:departed returned:came_back arrived:came fight:battle fighting:combat war:conflict
troops:soldiers soldiers:troops military:armed_forces army:military weapons:arms gun:firearm guns:firearms
bomb:explosive explosion:blast blast:explosion damage:destruction damaged:harmed destroyed:demolished
residents:locals citizens:nationals area:region region:area street:road road:route recently:lately
later:afterwards earlier:previously quickly:rapidly immediately:instantly currently:presently
important:significant serious:grave severe:intense huge:massive massive:enormous strong:powerful
powerful:strong biggest:largest largest:biggest former:ex famous:renowned star:celebrity actor:performer
actress:performer singer:vocalist film:movie movie:film fans:admirers team:squad game:match won:secured
player:athlete coach:manager season:campaign launched:unveiled released:issued introduced:unveiled
product:offering products:offerings customers:clients market:marketplace shares:stock stock:shares
price:cost prices:costs money:funds workers:employees employees:staff staff:personnel job:position
jobs:positions chief:head leader:chief leaders:chiefs members:participants group:organization
expected:anticipated expect:anticipate possible:potential believe:think believed:thought think:believe
found:discovered find:discover search:hunt searching:hunting missing:unaccounted_for warned:cautioned
warning:alert threat:menace attempt:effort decision:ruling decided:chose agreed:consented
meeting:gathering talks:negotiations visited:toured nearby:close_by inside:within among:amid
percent:per_cent home:residence dead:deceased
"""
SYNONYMS: dict[str, str] = {pair.split(":")[0]: pair.split(":")[1].replace("_", " ") for pair in _SYNONYM_TABLE.split()}
_CONTRACTIONS = (
    ("do not", "don't"),
    ("does not", "doesn't"),
    ("did not", "didn't"),
    ("is not", "isn't"),
    ("are not", "aren't"),
    ("was not", "wasn't"),
    ("were not", "weren't"),
    ("has not", "hasn't"),
    ("have not", "haven't"),
    ("had not", "hadn't"),
    ("will not", "won't"),
    ("would not", "wouldn't"),
    ("could not", "couldn't"),
    ("should not", "shouldn't"),
    ("cannot", "can't"),
    ("it is", "it's"),
    ("that is", "that's"),
    ("they are", "they're"),
    ("we are", "we're"),
    ("we have", "we've"),
    ("I am", "I'm"),
    ("there is", "there's"),
)
_TOGGLE = dict(_CONTRACTIONS) | {short: long for long, short in _CONTRACTIONS}
_TOGGLE_RE = re.compile(
    r"\b(" + "|".join(re.escape(k).replace("'", "['’]") for k in sorted(_TOGGLE, key=len, reverse=True)) + r")\b"
)
_OPENERS = frozenset(
    "on in after before when while as although though despite during following since because if at by "
    "last earlier later for with amid under over until once within".split()
)
_SAYING = frozenset("said says stated states added told informed according reported disclosed".split())
_FUNCTION_WORDS = frozenset(
    "the a an it its this that these those there he she they we his her their our some many most all "
    "on in after before when while as although though despite during following since because if at by "
    "last earlier later for with amid under over until once within".split()
)
_URL_LINE = re.compile(r"(https?:|www\.)\S*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_QUOTES = frozenset('"“”‘')
_VOWELS = frozenset("aeiouAEIOU")


# --------------------------------------------------------------------------- text helpers


def lines_of(text: str) -> list[str]:
    """The non-empty lines (paragraphs) of `text`."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def sentences_of(text: str) -> list[str]:
    """A plain regex sentence split of `text`, line by line."""
    return [s for line in lines_of(text) for s in _SENTENCE_END.split(line) if s.strip()]


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    """Lower-cased word n-grams of `text`."""
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def containment(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    """Share of the smaller shingle set found in the other one (0 when either is empty)."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def sentence_sets(text: str) -> list[frozenset[str]]:
    """Lower-cased word sets of the sentences of `text` that have at least five words."""
    sets = (frozenset(re.findall(r"\w+", s.lower())) for s in sentences_of(text))
    return [w for w in sets if len(w) >= 5]


def near_share(a: list[frozenset[str]], b: list[frozenset[str]], jaccard: float = 0.5) -> float:
    """Share of the sentences of `a` with a near match (word Jaccard >= `jaccard`) among those of `b`."""
    hits = sum(1 for x in a if any(len(x & y) >= jaccard * len(x | y) for y in b))
    return hits / len(a) if a else 0.0


def without_urls(text: str) -> str:
    """`text` without lines that are web addresses (a copy on another site does not keep them)."""
    return "\n".join(line for line in lines_of(text) if not _URL_LINE.match(line))


def _match_case(model: str, word: str) -> str:
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


# --------------------------------------------------------------------------- respelling


def respell_word(word: str, rng: random.Random) -> str:
    """One plausible respelling of `word`: ise/ize, an undoubled or doubled letter, -y -> -iy, a typo."""
    swapped = re.sub(r"i([sz])(e|ed|es|ing|ation|ations)$", lambda m: "i" + "zs"[m[1] == "z"] + m[2], word)
    if swapped != word:
        return swapped
    double = re.search(r"([a-z])\1", word)
    if double:
        return word[: double.start()] + word[double.start() + 1 :]
    if word[0].isupper() and word.endswith("y") and word[-2] not in _VOWELS:
        return word[:-1] + "iy"
    return _double_or_transpose(word, rng)


def _double_or_transpose(word: str, rng: random.Random) -> str:
    spots = [i for i in range(1, len(word) - 1) if word[i] not in _VOWELS and word[i - 1] in _VOWELS]
    if spots and rng.random() < 0.5:
        i = rng.choice(spots)
        return word[: i + 1] + word[i] + word[i + 1 :]
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def respell(text: str, rng: random.Random, share: float = 0.1) -> str:
    """`text` with about `share` of its words respelled (words of 4+ plain letters only)."""
    matches = list(_WORD.finditer(text))
    eligible = [m for m in matches if len(m[0]) >= 4 and m[0].isalpha()]
    chosen = {m.start() for m in rng.sample(eligible, min(len(eligible), round(share * len(matches))))}
    out, last = [], 0
    for m in matches:
        if m.start() in chosen:
            out += [text[last : m.start()], respell_word(m[0], rng)]
            last = m.end()
    return "".join(out) + text[last:]


# --------------------------------------------------------------------------- rewriting


def toggle_contractions(sentence: str) -> str:
    """ "did not" -> "didn't" and "didn't" -> "did not" (and the like), case of the first letter kept."""

    def swap(m: re.Match[str]) -> str:
        key = m[0].replace("’", "'")
        repl = _TOGGLE.get(key) or _TOGGLE.get(key[0].lower() + key[1:], key)
        return _match_case(m[0], repl)

    return _TOGGLE_RE.sub(swap, sentence)


def swap_synonyms(sentence: str) -> str:
    """Lower-case words in the synonym table replaced."""
    return _WORD.sub(lambda m: SYNONYMS.get(m[0], m[0]) if m[0].islower() else m[0], sentence)


def reorder_clauses(sentence: str) -> str:
    """Clause order swapped where it is safe (no quotes, sentence ends with "."), else `sentence`.

    "After the fire, officers closed the road." -> "Officers closed the road, after the fire."
    (a short opening phrase led by a preposition or conjunction) and "The road is shut, officers
    stated." -> "Officers stated the road is shut." (a short closing attribution).
    """
    body = sentence.rstrip()
    if not body.endswith(".") or "," not in body or any(c in _QUOTES for c in body):
        return sentence
    return _move_opener(body[:-1]) or _move_attribution(body[:-1]) or sentence


def _move_opener(body: str) -> str | None:
    head, _, tail = (part.strip() for part in body.partition(","))
    words = head.split()
    if not words or words[0].lower() not in _OPENERS or not 2 <= len(words) <= 12:
        return None
    if len(tail.split()) < 4 or not tail[:1].isalpha():
        return None
    return f"{tail[0].upper()}{tail[1:]}, {_lower_first(head)}."


def _move_attribution(body: str) -> str | None:
    head, _, tail = (part.strip() for part in body.rpartition(","))
    words = tail.lower().split()
    if not 2 <= len(words) <= 6 or not _SAYING.intersection(words) or len(head.split()) < 4:
        return None
    if words[0] == "according":
        return f"{tail[0].upper()}{tail[1:]}, {_lower_first(head)}."
    return f"{tail[0].upper()}{tail[1:]} {_lower_first(head)}."


def _lower_first(text: str) -> str:
    first = text.split(maxsplit=1)[0]
    return text[0].lower() + text[1:] if first.lower() in _FUNCTION_WORDS else text


def rewrite_sentence(sentence: str) -> str:
    """A sentence reworded: contractions toggled, synonyms swapped, clauses reordered."""
    return reorder_clauses(swap_synonyms(toggle_contractions(sentence)))


def rewrite(text: str) -> str:
    """Every sentence of `text` rewritten, sentence and paragraph order kept."""
    return "\n".join(" ".join(rewrite_sentence(s) for s in _SENTENCE_END.split(line)) for line in lines_of(text))


# --------------------------------------------------------------------------- copy types


def _headline(text: str) -> str:
    first = next((s for s in sentences_of(text) if len(s.split()) >= 6), sentences_of(text)[0])
    words = [w.strip('"“”‘’,.;:') for w in first.split()[:8]]
    return "Latest: " + " ".join(w for w in words if w)


def copy_verbatim(text: str, rng: random.Random, donor: str) -> str:
    """Whole text under a new headline and a byline."""
    return "\n".join([_headline(text), "By Staff Reporter", *lines_of(text)])


def copy_trimmed(text: str, rng: random.Random, donor: str) -> str:
    """The first 60% of the lines, and at least three body paragraphs (sentences of 8+ words)."""
    lines = lines_of(text)
    keep, body = 0, 0
    while keep < len(lines) and (keep < round(0.6 * len(lines)) or body < 3):
        body += len(lines[keep].split()) >= 8 and lines[keep].rstrip("\"”’' ")[-1:] in ".!?"
        keep += 1
    return "\n".join(lines[:keep])


def copy_reordered(text: str, rng: random.Random, donor: str) -> str:
    """A few pairs of non-first paragraphs swapped."""
    lines = lines_of(text)
    for _ in range(min(3, max(1, (len(lines) - 1) // 4))):
        i, j = rng.sample(range(1, len(lines)), 2)
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def copy_augmented(text: str, rng: random.Random, donor: str) -> str:
    """Three sentences of `donor` inserted as two new paragraphs at random non-first places."""
    lines, extra = lines_of(text), [s for s in sentences_of(donor) if len(s.split()) >= 5]
    start = rng.randrange(max(1, len(extra) - 2))
    block = extra[start : start + 3]
    for para in (" ".join(block[:2]), " ".join(block[2:])):
        if para:
            lines.insert(rng.randrange(1, len(lines) + 1), para)
    return "\n".join(lines)


def copy_respelled(text: str, rng: random.Random, donor: str) -> str:
    """About 10% of the words respelled."""
    return "\n".join(respell(line, rng) for line in lines_of(text))


def copy_rewritten(text: str, rng: random.Random, donor: str) -> str:
    """Each sentence reworded (synonyms, contractions, clause order)."""
    return rewrite(text)


COPY_MAKERS: dict[str, Callable[[str, random.Random, str], str]] = {
    "verbatim": copy_verbatim,
    "trimmed": copy_trimmed,
    "reordered": copy_reordered,
    "augmented": copy_augmented,
    "respelled": copy_respelled,
    "rewritten": copy_rewritten,
}


# --------------------------------------------------------------------------- the mix


@dataclass
class Mix:
    """Records to ingest and what is known about each of them."""

    records: list[dict[str, str]] = field(default_factory=list)
    group: dict[str, str] = field(default_factory=dict)  # id -> gold copy group
    story: dict[str, str] = field(default_factory=dict)  # id -> gold story (copies: the original's)
    role: dict[str, str] = field(default_factory=dict)  # id -> original/same-story/other-event/<copy type>
    origin: dict[str, str] = field(default_factory=dict)  # copy id -> original id
    skipped_overlap: int = 0

    def add(self, rid: str, text: str, story: str, role: str, group: str | None = None) -> None:
        """Add one record."""
        self.records.append({"id": rid, "text": text})
        self.group[rid], self.story[rid], self.role[rid] = group or rid, story, role


def load(data_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Article texts (file order) and gold stories."""
    gold = json.loads((data_dir / "ecbplus-dev.gold.json").read_text(encoding="utf-8"))
    rows = [json.loads(line) for line in (data_dir / "ecbplus-dev.articles.jsonl").open(encoding="utf-8")]
    return {r["id"]: r["text"] for r in rows}, {r["id"]: gold[r["id"]] for r in rows}


def topic_of(article_id: str) -> str:
    """ECB+ topic number of an article id ("12_3ecbplus" -> "12")."""
    return article_id.split("_", maxsplit=1)[0]


class _Picker:
    """Adds articles to a selection unless they overlap one already picked from their topic."""

    def __init__(self, texts: dict[str, str], overlap: float) -> None:
        self.shingles = {i: shingles(t) for i, t in texts.items()}
        self.sentences = {i: sentence_sets(t) for i, t in texts.items()}
        self.overlap = overlap
        self.picked: dict[str, list[str]] = defaultdict(list)  # topic -> ids
        self.refused = 0

    def overlaps(self, a: str, b: str) -> bool:
        """Whether `a` and `b` share enough text to be reprints or rewrites of one another."""
        near = max(near_share(self.sentences[a], self.sentences[b]), near_share(self.sentences[b], self.sentences[a]))
        return max(near, containment(self.shingles[a], self.shingles[b])) >= self.overlap

    def take(self, article_id: str) -> bool:
        """Pick `article_id` unless it is picked already or overlaps a pick of its topic."""
        topic = topic_of(article_id)
        if article_id in self.picked[topic]:
            return False
        if any(self.overlaps(article_id, other) for other in self.picked[topic]):
            self.refused += 1
            return False
        self.picked[topic].append(article_id)
        return True

    def take_some(self, candidates: list[str], k: int) -> list[str]:
        """The first `k` of `candidates` that can be taken (taking them)."""
        taken: list[str] = []
        for article_id in candidates:
            if len(taken) >= k:
                break
            if self.take(article_id):
                taken.append(article_id)
        return taken


def pick_originals(texts: dict[str, str], n: int, rng: random.Random, picker: _Picker) -> list[str]:
    """`n` originals, those with at least MIN_LINES lines first, in a seeded order."""
    ids = list(texts)
    rng.shuffle(ids)
    ids.sort(key=lambda i: len(lines_of(texts[i])) < MIN_LINES)  # stable: shuffled within each class
    return picker.take_some([i for i in ids if len(lines_of(texts[i])) >= 3], n)


def pick_negatives(
    originals: list[str], gold: dict[str, str], per_kind: int, rng: random.Random, picker: _Picker
) -> list[tuple[str, str]]:
    """(id, role) of same-story non-copies and other-event articles, `per_kind` of each per original."""
    by_story: dict[str, list[str]] = defaultdict(list)
    for i, story in gold.items():
        by_story[story].append(i)
    out: list[tuple[str, str]] = []
    for orig in originals:
        other = next((s for s in by_story if topic_of(s) == topic_of(orig) and s != gold[orig]), None)
        for role, wanted in (("same-story", gold[orig]), ("other-event", other)):
            pool = sorted(by_story.get(wanted or "", []))
            rng.shuffle(pool)
            out += [(i, role) for i in picker.take_some(pool, per_kind)]
    return out


def build_mix(texts: dict[str, str], gold: dict[str, str], n: int, seed: int, per_kind: int, overlap: float) -> Mix:
    """Originals, their copies and the hard negatives (see the module docstring)."""
    rng, picker, mix = random.Random(seed), _Picker(texts, overlap), Mix()
    originals = pick_originals(texts, n, rng, picker)
    for orig in originals:
        mix.add(orig, texts[orig], gold[orig], "original")
    for i, role in pick_negatives(originals, gold, per_kind, rng, picker):
        mix.add(i, texts[i], gold[i], role)
    donors = sorted(i for i in texts if i not in mix.group and len(sentences_of(texts[i])) >= 5)
    for k, orig in enumerate(originals):
        for copy_type in (COPY_TYPES[(k + j) % len(COPY_TYPES)] for j in range(TYPES_PER_ORIGINAL)):
            donor = rng.choice([d for d in donors if topic_of(d) != topic_of(orig)])
            cid = f"{orig}~{copy_type}"
            mix.add(
                cid, COPY_MAKERS[copy_type](without_urls(texts[orig]), rng, texts[donor]), gold[orig], copy_type, orig
            )
            mix.origin[cid] = orig
    mix.skipped_overlap = picker.refused
    rng.shuffle(mix.records)
    return mix


# --------------------------------------------------------------------------- metrics


def components(ids: Iterable[str], links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """id -> representative of its connected component (union-find)."""
    parent = {i: i for i in ids}

    def find(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    return {i: find(i) for i in parent}


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(pred: dict[str, str], gold: dict[str, str]) -> dict[str, float]:
    """Precision, recall and F1 over the pairs of articles put in one group."""
    pred_pairs = sum(_pairs(c) for c in Counter(pred[i] for i in gold).values())
    gold_pairs = sum(_pairs(c) for c in Counter(gold.values()).values())
    both = sum(_pairs(c) for c in Counter((pred[i], gold[i]) for i in gold).values())
    p = both / pred_pairs if pred_pairs else 1.0
    r = both / gold_pairs if gold_pairs else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def adjusted_rand(pred: dict[str, str], gold: dict[str, str]) -> float:
    """Adjusted Rand index of two labelings of the ids of `gold` (1.0 when both are trivial alike)."""
    both = sum(_pairs(c) for c in Counter((pred[i], gold[i]) for i in gold).values())
    a = sum(_pairs(c) for c in Counter(pred[i] for i in gold).values())
    b = sum(_pairs(c) for c in Counter(gold.values()).values())
    total = _pairs(len(gold))
    expected = a * b / total if total else 0.0
    top = (a + b) / 2
    return 1.0 if top == expected else (both - expected) / (top - expected)


def type_recall(mix: Mix, pred: dict[str, str]) -> dict[str, float]:
    """Per copy type: share of (original, copy) pairs in one predicted group."""
    hits: dict[str, list[bool]] = defaultdict(list)
    for cid, orig in mix.origin.items():
        hits[mix.role[cid]].append(pred[cid] == pred[orig])
    return {t: sum(h) / len(h) for t, h in sorted(hits.items(), key=lambda kv: COPY_TYPES.index(kv[0]))}


def false_links(mix: Mix, links: list[dict[str, Any]]) -> dict[str, int]:
    """Links between different gold groups, by relation: same story, other event of the topic, other topic."""
    out = Counter({"same_story": 0, "other_event": 0, "other_topic": 0})
    for link in links:
        a, b = str(link["copy"]), str(link["of"])
        if a not in mix.group or b not in mix.group or mix.group[a] == mix.group[b]:
            continue
        if mix.story[a] == mix.story[b]:
            out["same_story"] += 1
        else:
            out["other_event" if topic_of(a) == topic_of(b) else "other_topic"] += 1
    return dict(out)


def link_kinds(mix: Mix, links: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per copy type: the kinds of the direct links between a copy and its original ("none" if no link)."""
    kind = {frozenset((str(lk["copy"]), str(lk["of"]))): str(lk.get("kind")) for lk in links}
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for cid, orig in mix.origin.items():
        out[mix.role[cid]][kind.get(frozenset((cid, orig)), "none")] += 1
    return {t: dict(c) for t, c in out.items()}


def direction(mix: Mix, links: list[dict[str, Any]]) -> dict[str, float]:
    """Per copy type: share of the direct original-copy links that name the original as "of"."""
    right: dict[str, list[bool]] = defaultdict(list)
    for link in links:
        copy, of = str(link["copy"]), str(link["of"])
        if mix.origin.get(copy) == of:
            right[mix.role[copy]].append(True)
        elif mix.origin.get(of) == copy:
            right[mix.role[of]].append(False)
    return {t: sum(r) / len(r) for t, r in sorted(right.items(), key=lambda kv: COPY_TYPES.index(kv[0]))}


def score(mix: Mix, links: list[dict[str, Any]], stored: set[str]) -> dict[str, Any]:
    """All metrics for one run."""
    pred = components(mix.group, ((str(lk["copy"]), str(lk["of"])) for lk in links))
    pw = pairwise(pred, mix.group)
    return {
        "pairwise_precision": pw["precision"],
        "pairwise_recall": pw["recall"],
        "pairwise_f1": pw["f1"],
        "ari": adjusted_rand(pred, mix.group),
        "recall_by_type": type_recall(mix, pred),
        "false_links": false_links(mix, links),
        "link_kinds": link_kinds(mix, links),
        "direction": direction(mix, links),
        "missed": sorted(c for c, o in mix.origin.items() if pred[c] != pred[o]),
        "links": len(links),
        "articles": len(mix.group),
        "copies": len(mix.origin),
        "originals": sum(1 for r in mix.role.values() if r == "original"),
        "negatives": Counter(r for r in mix.role.values() if r in ("same-story", "other-event")),
        "missing": sorted(i for i in mix.group if i not in stored),
        "skipped_overlap": mix.skipped_overlap,
        "predicted_groups": len(set(pred.values())),
        "gold_groups": len(set(mix.group.values())),
    }


# --------------------------------------------------------------------------- running


def run(mix: Mix, extra: list[str]) -> dict[str, Any]:
    """Ingest the mix into a fresh store, run `storyline copies` and score it."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "articles.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in mix.records), encoding="utf-8")
        db = f"sqlite:///{tmp}/c.db"
        start = time.perf_counter()
        run_storyline("--db", db, "ingest", str(src))
        ingested = time.perf_counter()
        links = json.loads(run_storyline("--db", db, "copies", "--format", "json", *extra))
        done = time.perf_counter()
        stored = {a["id"] for a in json.loads(run_storyline("--db", db, "articles", "--format", "json"))}
    result = score(mix, links, stored)
    result["seconds"] = {"ingest": ingested - start, "copies": done - ingested}
    result["false_link_examples"] = _false_examples(mix, links)
    return result


def _false_examples(mix: Mix, links: list[dict[str, Any]], limit: int = 8) -> list[dict[str, Any]]:
    bad = [lk for lk in links if mix.group.get(str(lk["copy"])) != mix.group.get(str(lk["of"]))]
    return sorted(bad, key=lambda lk: -float(lk.get("share", 0.0)))[:limit]


def check_floors(result: dict[str, Any], floors_file: Path = FLOORS_FILE) -> list[str]:
    """Messages for metrics below the floors (section "copies": "<metric>" or "recall_by_type.<type>")."""
    return below_floors(result, SECTION, floors_file)


# --------------------------------------------------------------------------- command line


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"ECB+ folder (default {DEFAULT_DATA})")
    parser.add_argument("--n", type=int, default=60, help="number of originals (default 60)")
    parser.add_argument("--seed", type=int, default=13, help="seed for picking, copying and ordering")
    parser.add_argument("--negatives", type=int, default=3, help="same-story and other-event articles per original")
    parser.add_argument("--overlap", type=float, default=0.2, help="overlap that marks a reprint (see above)")
    parser.add_argument("--copies-args", default="", help="extra arguments for `storyline copies` (one string)")
    parser.add_argument("--show", type=int, default=0, metavar="K", help="print the copies of K originals and stop")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--check", action="store_true", help=f"exit 1 if a metric is below {FLOORS_FILE.name}")
    return parser.parse_args(argv)


def show(mix: Mix, k: int) -> None:
    """Print the first `k` originals with their copies."""
    text = {r["id"]: r["text"] for r in mix.records}
    for orig in sorted(set(mix.origin.values()))[:k]:
        print(f"=== {orig} (original)\n{text[orig]}\n")
        for cid in sorted(c for c, o in mix.origin.items() if o == orig):
            print(f"--- {cid}\n{text[cid]}\n")


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; return the exit code."""
    args = _parse_args(argv)
    if not args.data.is_dir():
        print(f"no ECB+ data at {args.data}", file=sys.stderr)
        return 2
    texts, gold = load(args.data)
    mix = build_mix(texts, gold, args.n, args.seed, args.negatives, args.overlap)
    if args.show:
        show(mix, args.show)
        return 0
    result = run(mix, shlex.split(args.copies_args))
    print(json.dumps(result, indent=2) if args.json else _text(result))
    failures = check_floors(result) if args.check else []
    for line in failures:
        print(line, file=sys.stderr)
    return 1 if failures else 0


def _text(r: dict[str, Any]) -> str:
    neg = r["negatives"]
    out = [
        f"{r['articles']} articles: {r['originals']} originals, {r['copies']} copies, {neg.get('same-story', 0)}"
        f" same-story and {neg.get('other-event', 0)} other-event negatives ({r['skipped_overlap']} reprints"
        f" skipped, {len(r['missing'])} rejected at ingest)",
        f"pairwise P {r['pairwise_precision']:.4f} R {r['pairwise_recall']:.4f} F1 {r['pairwise_f1']:.4f}"
        f" | ARI {r['ari']:.4f} | {r['predicted_groups']} groups / {r['gold_groups']} gold, {r['links']} links",
        "recall by type: " + ", ".join(f"{t} {v:.3f}" for t, v in r["recall_by_type"].items()),
        "false links: " + ", ".join(f"{k} {v}" for k, v in r["false_links"].items()),
        "link kinds: " + "; ".join(f"{t} {kinds}" for t, kinds in r["link_kinds"].items()),
        "direction (original named as 'of'): " + ", ".join(f"{t} {v:.3f}" for t, v in r["direction"].items()),
        f"seconds: ingest {r['seconds']['ingest']:.1f}, copies {r['seconds']['copies']:.1f}",
    ]
    out.append("missed copies: " + (", ".join(r["missed"]) or "none"))
    out += [
        f"  false link: {lk['copy']} -> {lk['of']} {lk.get('kind')} share {float(lk.get('share', 0)):.3f}"
        for lk in r["false_link_examples"]
    ]
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
