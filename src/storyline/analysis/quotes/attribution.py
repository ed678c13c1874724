"""Attribution: the quotes of one article from its quotations and the parse of its candidate
sentences (:class:`ArticleQuotes`, one method object per article), speakers resolved through the
article's :class:`~.speakers.Context`."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ...text.marks import DOUBLE_MARKS, Quotation, first_visible, inner_text, trim_end, visible_paragraphs
from ...text.sentences import Sentence
from .lexicon import (
    CUE_HINT,
    DASH_BYLINE,
    INVERTED_DEPS,
    NAME_APPOSITION,
    PRONOUNS,
    REPORTING_VERBS,
    SPEECH,
    SUBJECT_DEPS,
    TITLE_STEMS,
    TITLED_NAME,
    UP_DEPS,
)
from .records import Attribution, QuoteMention
from .speakers import Context, Speaker, title_gender

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = ["ArticleQuotes", "Parsed", "candidate_sentences"]


@dataclass(slots=True)
class Parsed:
    """A parsed sentence and where it sits in the article."""

    sentence: Sentence
    doc: Doc
    offset: int

    def start(self, tok: Token) -> int:
        return self.offset + tok.idx

    def end(self, tok: Token) -> int:
        return self.offset + tok.idx + len(tok.text)


@dataclass(slots=True)
class _Cue:
    token: Token
    parsed: Parsed
    word: str
    speaker: Speaker | None
    content: tuple[int, int] | None  # span of the reported clause, if any
    according: bool = False


def candidate_sentences(text: str, sentences: Sequence[Sentence], quotations: Sequence[Quotation]) -> list[Sentence]:
    spans = [(q.start, q.end) for q in quotations]
    out = []
    for s in sentences:
        if any(a < s.end and s.start < b for a, b in spans) or CUE_HINT.search(text[s.start : s.end]):
            out.append(s)
    return out


class ArticleQuotes:
    """Extraction for one article: cues from the parse, quotations grouped and attributed."""

    def __init__(
        self,
        article: str,
        text: str,
        sentences: Sequence[Sentence],
        quotations: Sequence[Quotation],
        parsed: Sequence[Parsed],
    ) -> None:
        self.article = article
        self.text = text
        self.sentences = sentences
        self.quotations = quotations
        self.parsed = parsed
        self.by_sentence = {p.sentence.index: p for p in parsed}
        self.quoted_chars = [(a, b) for q in quotations for a, b in q.fragments]
        self.context = Context()
        self.paragraphs = visible_paragraphs(text)

    # --- helpers -----------------------------------------------------------------------------

    def _in_quote(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.quoted_chars)

    def _sentence_of(self, pos: int) -> Sentence | None:
        for s in self.sentences:
            if s.start <= pos < s.end:
                return s
        return self.sentences[-1] if self.sentences and pos >= self.sentences[-1].start else None

    def _paragraph_of(self, pos: int) -> int:
        for i, (a, b) in enumerate(self.paragraphs):
            if a <= pos <= b:
                return i
        return -1

    # --- cues --------------------------------------------------------------------------------

    def _cues(self, parsed: Parsed) -> list[_Cue]:
        cues: list[_Cue] = []
        for tok in parsed.doc:
            if self._in_quote(parsed.start(tok)):
                continue
            low = tok.text.lower()
            if low == "according" and tok.i + 1 < len(parsed.doc) and parsed.doc[tok.i + 1].lower_ == "to":
                to = parsed.doc[tok.i + 1]
                objs = [c for c in to.children if c.dep_ == "pobj"]
                if objs:
                    source = self._speaker(parsed, objs[0])
                    content = self._according_content(parsed, tok, objs[0])
                    cues.append(_Cue(tok, parsed, "according to", source, content, according=True))
                continue
            lemma = REPORTING_VERBS.get(low)
            if lemma is None or tok.pos_ not in {"VERB", "AUX"}:
                continue
            if lemma not in SPEECH and not any(c.dep_ == "ccomp" for c in tok.children):
                continue  # "believe", "fear" … report speech only with a clause
            subject = self._subject(tok)
            if subject is not None and self._in_quote(parsed.start(subject)):
                subject = self._inverted_subject(parsed, tok)
            speaker = self._speaker(parsed, subject) if subject is not None else None
            cues.append(_Cue(tok, parsed, tok.text, speaker, self._content(parsed, tok)))
        return cues

    def _inverted_subject(self, parsed: Parsed, verb: Token) -> Token | None:
        """The speaker after the verb ("…,” said Leslie Wimes) when the parse took quoted words for the
        subject."""
        for child in verb.children:
            after = child.i > verb.i and not self._in_quote(parsed.start(child))
            if after and child.pos_ in {"PROPN", "NOUN", "PRON"} and child.dep_ in INVERTED_DEPS:
                return child
        return None

    def _subject(self, verb: Token) -> Token | None:
        tok: Token | None = verb
        for _ in range(4):
            if tok is None:
                return None
            subs = [c for c in tok.children if c.dep_ in SUBJECT_DEPS]
            agents = [g for c in tok.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            if agents:
                return agents[0]
            if subs:
                sub = subs[0]
                if sub.lower_ in {"who", "that", "which"} and tok.dep_ == "relcl":
                    return tok.head
                if sub.pos_ == "PRON" and sub.lower_ in {"it", "this", "that"}:
                    return None
                return sub
            if tok.dep_ not in UP_DEPS or tok.head == tok:
                return None
            tok = tok.head
        return None

    def _content(self, parsed: Parsed, verb: Token) -> tuple[int, int] | None:
        for child in verb.children:
            if child.dep_ in {"ccomp", "parataxis"}:
                return self._trimmed(parsed, child.left_edge, child.right_edge)
        return None

    def _according_content(self, parsed: Parsed, according: Token, obj: Token) -> tuple[int, int] | None:
        doc = parsed.doc
        phrase_end = max(obj.right_edge.i, according.i + 1)
        before = (doc[0], doc[according.i - 1]) if according.i > 0 else None
        after = (doc[phrase_end + 1], doc[-1]) if phrase_end + 1 < len(doc) else None
        best = max((x for x in (before, after) if x), key=lambda x: x[1].i - x[0].i, default=None)
        return self._trimmed(parsed, *best) if best else None

    def _trimmed(self, parsed: Parsed, left: Token, right: Token) -> tuple[int, int] | None:
        doc = parsed.doc
        i, j = left.i, right.i
        while i <= j and ((doc[i].is_punct and doc[i].text not in DOUBLE_MARKS) or doc[i].lower_ in {"and", "but"}):
            i += 1
        while j >= i and doc[j].is_punct and doc[j].text not in DOUBLE_MARKS and doc[j].text not in ".!?":
            j -= 1
        if j < i:
            return None
        return parsed.start(doc[i]), parsed.end(doc[j])

    def _speaker(self, parsed: Parsed, head: Token) -> Speaker:
        doc = parsed.doc
        left, right = head.left_edge.i, head.right_edge.i
        # Keep the mention to the noun phrase: drop relative clauses that run on past a comma.
        while right > head.i and doc[right].is_punct:
            right -= 1
        span = (parsed.start(doc[left]), parsed.end(doc[right]))
        mention = self.text[span[0] : span[1]]
        low = head.lower_
        if head.pos_ == "PRON" or low in PRONOUNS:
            return Speaker(None, span, mention, None, PRONOUNS.get(low), pronoun=True)
        if head.pos_ == "PROPN" and not (head.text.isupper() and len(head.text) > 3):
            # The name: the run of proper nouns ending at the head, titles left to the role.
            name_toks = [head]
            k = head.i - 1
            while k >= 0 and doc[k].pos_ == "PROPN" and doc[k].lower_.rstrip(".") not in TITLE_STEMS:
                name_toks.insert(0, doc[k])
                k -= 1
            name = " ".join(t.text for t in name_toks).replace("’s", "").replace("'s", "").strip()
            role_words = [t.text for t in doc[left : name_toks[0].i] if not t.is_punct and t.lower_ not in {"the"}]
            appos = [c for c in head.children if c.dep_ == "appos"]
            role = " ".join(role_words) or None
            if appos:
                a = appos[0]
                app_text = " ".join(t.text for t in doc[a.left_edge.i : a.right_edge.i + 1])
                role = f"{role}, {app_text}" if role else app_text
            gender = title_gender(role_words + [t.text for t in doc[left:right]])
            return Speaker(name, span, mention, role, gender)
        # A description ("the Kremlin spokesman", "a source", "officials").
        if "\n" in mention:
            cut = span[0] + mention.rindex("\n") + 1
            span = (first_visible(self.text, cut, span[1]), span[1])
            mention = self.text[span[0] : span[1]]
        words = [t.text for t in doc[head.left_edge.i : head.i + 1]]
        return Speaker(None, span, mention, mention, title_gender(words))

    # --- attribution --------------------------------------------------------------------------

    def _resolve(self, sp: Speaker | None, *, speaking: bool = True) -> tuple[str | None, str | None]:
        """The speaker's name (or the source as written) and role, remembering who was named."""
        if sp is None:
            return None, None
        if sp.pronoun:
            if sp.text.lower() in {"i", "we", "they", "you", "it"}:
                return None, None
            return self.context.resolve_pronoun(sp.gender), None
        if sp.name:
            return self.context.remember(sp.name, sp.role, sp.gender, speaker=speaking), sp.role
        described = self.context.resolve_description(sp.text.split())
        if described:
            return described, sp.text
        return sp.text, None

    def _learn_names(self, parsed: Parsed) -> None:
        """Named people in a sentence (with titles), so later pronouns and descriptions resolve."""
        for tok in parsed.doc:
            if tok.pos_ == "PROPN" and tok.dep_ in SUBJECT_DEPS | {"pobj", "appos", "dobj"}:
                compounds = [c for c in tok.children if c.dep_ in {"compound", "amod"} or c.dep_ == "appos"]
                if tok.dep_ not in SUBJECT_DEPS and not compounds:
                    continue
                sp = self._speaker(parsed, tok)
                if sp.name and (len(sp.name.split()) > 1 or sp.role) and not self._in_quote(sp.span[0]):
                    self.context.remember(sp.name, sp.role, sp.gender)

    def _learn_titled_names(self, sentence: Sentence) -> None:
        """Named people with a title or role in a sentence that was not parsed ("Kremlin spokesman
        Dmitry Peskov", "Fiona Hill, a former official,")."""
        text = self.text[sentence.start : sentence.end]
        for m in TITLED_NAME.finditer(text):
            role, name = m.group(1).strip(), m.group(2)
            self.context.remember(name, role, title_gender(role.split()))
        for m in NAME_APPOSITION.finditer(text):
            self.context.remember(m.group(1), m.group(2), title_gender(m.group(2).split()))

    def run(self) -> list[QuoteMention]:
        """The article's quotes, found in reading order so pronouns resolve to who was named before."""
        cues = {p.sentence.index: self._cues(p) for p in self.parsed}
        groups = {g[0][0].start: g for g in self._group_quotations(cues)}
        events: list[tuple[int, bool, Sentence | None, list[tuple[Quotation, _Cue | None]] | None]] = [
            (s.start, False, s, None) for s in self.sentences
        ]
        events += [(start, True, None, g) for start, g in groups.items()]
        events.sort(key=lambda e: (e[0], e[1]))
        mentions: list[QuoteMention] = []
        last_direct: QuoteMention | None = None
        for _, _is_quote, sentence, group in events:
            if sentence is not None:
                parsed = self.by_sentence.get(sentence.index)
                if parsed is None:
                    self._learn_titled_names(sentence)
                else:
                    self._learn_names(parsed)
                    here = cues.get(sentence.index, [])
                    for cue in here:
                        # "X told Y that Putin had stated …": X is the one a later "he said" means.
                        pos = cue.parsed.start(cue.token)
                        nested = any(c.content and c.content[0] <= pos < c.content[1] for c in here if c is not cue)
                        if cue.speaker is not None and cue.speaker.name and not cue.according and not nested:
                            self.context.remember(cue.speaker.name, cue.speaker.role, cue.speaker.gender, speaker=True)
                    mentions.extend(self._indirect(parsed, cues.get(sentence.index, [])))
                continue
            if group is None or self._is_title(group, cues):
                continue
            mention = self._direct(group)
            before = last_direct if last_direct is not None and last_direct.speaker and len(group) == 1 else None
            if mention.speaker is None and before is not None and self._continues(before.end, group[0][0]):
                # A paragraph that is only a quote, after an attributed one: the same speaker.
                mention = replace(mention, speaker=before.speaker, role=before.role, attribution="continued")
            if mention.speaker is None and mention.attribution == "none" and _scare_quote(self.text, mention):
                continue
            if last_direct is not None and mentions and mentions[-1] is last_direct and mention.start < last_direct.end:
                # Several quotations in one phrase ('called him a "nasty guy," an "anchor baby"'): one quote.
                mention = _merged(self.text, last_direct, mention)
                mentions[-1] = mention
            else:
                mentions.append(mention)
            last_direct = mention
        mentions.sort(key=lambda m: m.start)
        return mentions

    def _indirect(self, parsed: Parsed, cues: Sequence[_Cue]) -> Iterator[QuoteMention]:
        """Reported speech: cues with a reported clause of three words or more and no quotation."""
        for cue in cues:
            if cue.content is None:
                continue
            a, b = cue.content
            if any(x < b and a < y for x, y in self.quoted_chars) or len(re.findall(r"\w+", self.text[a:b])) < 3:
                continue
            name, role = self._resolve(cue.speaker, speaking=False)
            yield QuoteMention(
                article=self.article,
                kind="indirect",
                start=a,
                end=b,
                text=self.text[a:b],
                quoted=None,
                speaker=name,
                speaker_span=cue.speaker.span if cue.speaker else None,
                speaker_text=cue.speaker.text if cue.speaker else None,
                role=role or (cue.speaker.role if cue.speaker else None),
                cue=cue.word,
                sentence=parsed.sentence.index,
                attribution="according-to" if cue.according else ("parse" if cue.speaker else "none"),
            )

    def _best_cue(self, q: Quotation, cues_by_sentence: dict[int, list[_Cue]]) -> _Cue | None:
        """The reporting clause of a quotation: a cue outside the marks in a sentence it touches."""
        best: tuple[int, _Cue] | None = None
        for s in self.sentences:
            if s.end <= q.start or s.start >= q.end:
                continue
            for cue in cues_by_sentence.get(s.index, []):
                pos = cue.parsed.start(cue.token)
                # Only cues in the quotation's own sentences but outside the other fragments' paragraphs.
                dist = q.start - pos if pos < q.start else pos - q.end
                if cue.content is not None and cue.content[0] <= q.start < cue.content[1]:
                    dist = 0  # the quotation is in this cue's reported clause
                if cue.speaker is None and not cue.according:
                    dist += 1000
                if best is None or dist < best[0]:
                    best = (dist, cue)
        return best[1] if best else None

    def _group_quotations(self, cues_by_sentence: dict[int, list[_Cue]]) -> list[list[tuple[Quotation, _Cue | None]]]:
        """Quotations with their cue. Quotations of one paragraph around one reporting clause are one
        quote (“…,” she said. “…”): a quotation that opens a sentence and has no cue of its own joins
        the one before it, and so does one that shares its cue."""
        groups: list[list[tuple[Quotation, _Cue | None]]] = []
        for q in self.quotations:
            cue = self._best_cue(q, cues_by_sentence)
            if groups:
                prev_q, prev_cue = groups[-1][-1]
                same_para = self._paragraph_of(prev_q.end) == self._paragraph_of(q.start)
                between = self.text[prev_q.end : q.start]
                words = len(re.findall(r"\w+", between))
                opens_sentence = self._opens_sentence(q.start)
                shared = cue is not None and prev_cue is not None and cue.token == prev_cue.token
                if shared and self._embedded_at(q.start, q.end) and not self._embedded_at(prev_q.start, prev_q.end):
                    shared = False  # “…,” he said, arguing that he will bring a "common-sense" approach
                if same_para and words <= 60 and (shared or (cue is None and opens_sentence and words <= 40)):
                    groups[-1].append((q, prev_cue if cue is None else cue))
                    continue
                if same_para and words <= 12 and prev_cue is None and cue is not None and _only_frame(between):
                    # “…,” she said, “…” where the cue is nearer the second fragment.
                    groups[-1] = [(x, cue) for x, _ in groups[-1]]
                    groups[-1].append((q, cue))
                    continue
            groups.append([(q, cue)])
        return groups

    def _is_title(self, group: Sequence[tuple[Quotation, _Cue | None]], cues: dict[int, list[_Cue]]) -> bool:
        """True for a name in marks rather than a quote: a show, a film, a nickname ("Morning Joe",
        “The Apprentice”), Title Case, short, inside a phrase, with no reporting verb governing it."""
        if len(group) != 1 or group[0][1] is not None:
            return False
        q = group[0][0]
        words = re.findall(r"[\w’'-]+", inner_text(self.text, q.fragments[0]))
        if not words or len(words) > 6 or len(q.fragments) > 1:
            return False
        small = {"of", "the", "a", "an", "and", "in", "on", "to", "for", "at", "with", "is"}
        title_case = all(w[0].isupper() or w[0].isdigit() or w.lower() in small for w in words)
        if not (title_case and self._embedded_at(q.start, q.end)):
            return False
        # Someone calling something by that name ("Trump called her “Miss Piggy”") is quoted.
        return self._phrase(q.start, q.end)[1] is None

    def _opens_sentence(self, pos: int) -> bool:
        s = self._sentence_of(pos)
        return s is not None and not re.search(r"\w", self.text[s.start : pos])

    def _embedded_at(self, start: int, end: int) -> bool:
        """True when a quotation continues the reporter's phrase: a word or a name runs into its
        opening mark, or its closing mark runs on into lower-case words of the same clause."""
        before = self.text[max(0, start - 3) : start].rstrip()
        after = self.text[end : end + 3].lstrip()
        if before and (before[-1].isalnum() or before[-1] in "’')"):
            return True
        inner = self.text[start:end].rstrip('”"»’ ')
        if inner and inner[-1] in ",.!?;:—–-":
            return False  # “…,” the businessman said: the quote ends, the reporter's words begin
        return bool(after) and (after[0].islower() or after[0].isdigit())

    def _after_cue(self, cue: _Cue, start: int) -> int | None:
        """Where the reported words begin after a cue that precedes the quotation in its sentence
        (the parse gave the cue no clause): the first word after it, "that" included."""
        pos = cue.parsed.end(cue.token)
        if cue.according or pos > start or cue.parsed.sentence.end < start:
            return None
        gap = self.text[pos:start]
        if len(re.findall(r"\w+", gap)) > 25 or re.search(r"[.;:!?]", gap):
            return None
        return first_visible(self.text, pos, start)

    def _holds_only(self, content: tuple[int, int], start: int) -> bool:
        """True when a reported clause holds the quotation at `start` and no quote of its own besides."""
        a, b = content
        if not a <= start < b:
            return False
        return not any(
            a <= q.start < b and q.start != start and not self._embedded_at(q.start, q.end) for q in self.quotations
        )

    def _stop_before_quote(self, end: int, limit: int) -> int:
        """`limit`, or the start of the first quotation after `end` that is a quote of its own."""
        for q in self.quotations:
            if end <= q.start < limit and not self._embedded_at(q.start, q.end):
                return trim_end(self.text, end, q.start)
        return limit

    def _phrase(self, start: int, end: int) -> tuple[tuple[int, int] | None, Speaker | None, str | None]:
        """For an embedded quotation: the phrase that holds it (up to the governing verb's clause), the
        subject of that verb and the verb."""
        s = self._sentence_of(start)
        parsed = self.by_sentence.get(s.index) if s else None
        if parsed is None:
            return None, None, None
        inside = [t for t in parsed.doc if start <= parsed.start(t) < end]
        roots = [t for t in inside if not (start <= parsed.start(t.head) < end) or t.head == t]
        if not roots:
            return None, None, None
        h = roots[0]
        for _ in range(8):
            if h.head == h or h.head.pos_ in {"VERB", "AUX"}:
                break
            h = h.head
        verb = h.head if h.head != h else h
        # Through "for being", "to check out": the phrase belongs to the main verb.
        for _ in range(3):
            if verb.dep_ in {"pcomp", "xcomp", "acomp"} and verb.head != verb:
                up = verb.head
                h = up if up.pos_ in {"VERB", "AUX"} else h
                while up.pos_ not in {"VERB", "AUX"} and up.head != up:
                    h, up = up, up.head
                h = verb if h == up else h
                if up.pos_ not in {"VERB", "AUX"}:
                    break
                h = _child_towards(up, verb)
                verb = up
            else:
                break
        doc = parsed.doc
        if h.dep_ in SUBJECT_DEPS and verb != h:
            # The quotation is in the subject: the phrase is the verb's whole clause.
            left, right = verb.left_edge, verb.right_edge
        elif verb == h:
            left, right = h.left_edge, h.right_edge
        else:
            after = [c for c in verb.children if c.i > verb.i and c.dep_ not in {"punct", "cc", "conj"}]
            left = after[0].left_edge if after and after[0].i <= h.i else h.left_edge
            # To the end of the verb's complements: "likened the refugees to a “vicious snake” in a song …".
            right = max((c.right_edge for c in after if c.i >= h.i), key=lambda t: t.i, default=h.right_edge)
        span = self._trimmed(parsed, doc[left.i], doc[right.i])
        subject = self._subject(verb) if verb.pos_ in {"VERB", "AUX"} else None
        speaker = self._speaker(parsed, subject) if subject is not None else None
        return span, speaker, (verb.text if verb.pos_ in {"VERB", "AUX"} else None)

    def _direct(self, group: Sequence[tuple[Quotation, _Cue | None]]) -> QuoteMention:
        fragments = tuple(f for q, _ in group for f in q.fragments)
        cue = next((c for _, c in group if c is not None), None)
        start, end = fragments[0][0], fragments[-1][1]
        attribution: Attribution = "none"
        name: str | None = None
        role: str | None = None
        speaker = cue.speaker if cue else None
        cue_word = cue.word if cue else None
        embedded = len(fragments) == 1 and self._embedded_at(start, end)
        if embedded:
            # A mixed quote: the marks sit inside the reporter's phrase; the span is the phrase.
            if cue is not None and cue.content is not None and self._holds_only(cue.content, start):
                start, end = min(start, cue.content[0]), max(end, cue.content[1])
            else:
                phrase, subject, verb = self._phrase(start, end)
                if phrase is not None:
                    start, end = min(start, phrase[0]), max(end, self._stop_before_quote(end, phrase[1]))
                after = self._after_cue(cue, start) if cue is not None else None
                if after is not None:
                    # "X said [the US would take "robust steps" in response]": from the cue on.
                    start = min(start, after)
                if cue is None and subject is not None:
                    speaker, cue_word = subject, verb
        if speaker is None and cue is None:
            speaker = self._dash_byline(end)
        if speaker is not None or (cue is not None and cue.according):
            name, role = self._resolve(speaker)
            attribution = "according-to" if cue is not None and cue.according else "parse"
        sentence = self._sentence_of(start)
        return QuoteMention(
            article=self.article,
            kind="direct",
            start=start,
            end=end,
            text=self.text[start:end],
            quoted=" … ".join(inner_text(self.text, f) for f in fragments),
            fragments=fragments,
            speaker=name,
            speaker_span=speaker.span if speaker else None,
            speaker_text=speaker.text if speaker else None,
            role=role,
            cue=cue_word,
            sentence=sentence.index if sentence else 0,
            attribution=attribution,
        )

    def _dash_byline(self, end: int) -> Speaker | None:
        """A name after a dash closing the quote's paragraph (“…” ― Adriana Rodarte)."""
        p = self._paragraph_of(end)
        if p < 0:
            return None
        m = DASH_BYLINE.match(self.text, end, self.paragraphs[p][1])
        if not m:
            return None
        span = (m.start(1), m.end(1))
        return Speaker(m.group(1), span, m.group(1), None)

    def _continues(self, previous_end: int, q: Quotation) -> bool:
        """True when `q` fills a paragraph of its own right after the paragraph ending at `previous_end`."""
        p = self._paragraph_of(q.start)
        if p < 1 or self._paragraph_of(previous_end) != p - 1:
            return False
        a, b = self.paragraphs[p]
        return not re.search(r"\w", self.text[a : q.start] + self.text[q.end : b])


def _child_towards(ancestor: Token, tok: Token) -> Token:
    """The child of `ancestor` on the path down to `tok`."""
    while tok.head not in (ancestor, tok):
        tok = tok.head
    return tok


def _scare_quote(text: str, m: QuoteMention) -> bool:
    """A few words in marks inside someone's prose, said by no one: a term, not a quote."""
    if len(m.fragments) != 1 or len(re.findall(r"[\w’'-]+", m.quoted or "")) > 4:
        return False
    a, b = m.fragments[0]
    before = text[max(0, a - 2) : a].rstrip()
    after = text[b : b + 2].lstrip()
    return bool(before and before[-1].isalnum()) or bool(after and after[0].isalnum())


def _merged(text: str, first: QuoteMention, second: QuoteMention) -> QuoteMention:
    """One quote from two overlapping ones of the same phrase."""
    start, end = min(first.start, second.start), max(first.end, second.end)
    fragments = tuple(sorted(set(first.fragments) | set(second.fragments)))
    return replace(
        first,
        start=start,
        end=end,
        text=text[start:end],
        fragments=fragments,
        quoted=" … ".join(inner_text(text, f) for f in fragments),
        speaker=first.speaker or second.speaker,
        speaker_span=first.speaker_span or second.speaker_span,
        speaker_text=first.speaker_text or second.speaker_text,
        cue=first.cue or second.cue,
    )


def _only_frame(between: str) -> bool:
    return bool(CUE_HINT.search(between))


def _embedded(text: str, content: tuple[int, int], start: int, end: int) -> bool:
    """True when the quotation sits inside the reported clause with words of the reporter around it."""
    a, b = content
    if not (a <= start + 1 and end - 1 <= b) and not (a < end and start < b):
        return False
    before = text[a:start] if a < start else ""
    after = text[end:b] if end < b else ""
    words = re.findall(r"\w+", before + " " + after)
    return len([w for w in words if w.lower() not in {"that"}]) > 0
