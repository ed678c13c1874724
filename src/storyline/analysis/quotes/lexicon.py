"""The words quote extraction reads: reporting verbs and their forms, titles, pronouns, the
dependency labels of speakers, and the patterns of names with roles and of dash bylines."""

from __future__ import annotations

import re

__all__ = [
    "CUE_HINT",
    "DASH_BYLINE",
    "FEMALE_TITLES",
    "INSTITUTION_WORDS",
    "INVERTED_DEPS",
    "MALE_TITLES",
    "NAME_APPOSITION",
    "NOUNISH",
    "PRONOUNS",
    "REPORTING_VERBS",
    "SPEECH",
    "SUBJECT_DEPS",
    "TITLED_NAME",
    "TITLES",
    "TITLE_STEMS",
    "UP_DEPS",
]


def _verb_forms() -> dict[str, str]:
    """Inflected form → lemma for reporting verbs (the parse runs without spaCy's lemmatizer)."""
    lemmas = """say tell add state claim argue warn note insist deny stress explain announce write tweet post
    report ask answer reply respond declare assert suggest acknowledge admit confirm contend maintain predict
    promise vow pledge urge describe recall remark observe emphasize emphasise complain concede estimate
    believe think fear hope testify allege charge accuse criticize criticise mention brand label quip joke
    boast conclude caution counter reveal disclose indicate signal learn quote recount reiterate repeat
    agree disagree dismiss question wonder tout praise blast slam reject lament predict acknowledge inform
    assure advise order demand propose object protest complain retort snap shout yell scream whisper
    murmur explain clarify specify stipulate concur point continue""".split()
    irregular = {
        "say": ["said", "says", "saying"],
        "tell": ["told", "tells", "telling"],
        "write": ["wrote", "written", "writes", "writing"],
        "think": ["thought", "thinks", "thinking"],
        "learn": ["learned", "learnt", "learns", "learning"],
    }
    forms: dict[str, str] = {}
    for lemma in lemmas:
        forms[lemma] = lemma
        for form in irregular.get(lemma, []):
            forms[form] = lemma
        if lemma in irregular:
            continue
        stem = lemma[:-1] if lemma.endswith("e") else lemma
        if lemma.endswith(("s", "sh", "ch", "x", "z")):
            forms[lemma + "es"] = lemma
        elif lemma.endswith("y") and lemma[-2] not in "aeiou":
            forms[lemma[:-1] + "ies"] = lemma
        else:
            forms[lemma + "s"] = lemma
        if lemma.endswith("y") and lemma[-2] not in "aeiou":
            forms[lemma[:-1] + "ied"] = lemma
        else:
            forms[stem + "ed"] = lemma
        forms[stem + "ing"] = lemma
        if re.search(r"[^aeiou][aeiou][bdgmnprt]$", lemma) and lemma not in {"counter", "answer", "order"}:
            forms[lemma + lemma[-1] + "ed"] = lemma
            forms[lemma + lemma[-1] + "ing"] = lemma
    return forms


REPORTING_VERBS = _verb_forms()
#: Verbs that report speech proper (the rest report thoughts, findings or labels).
SPEECH = frozenset(
    "say tell add state claim argue warn note insist deny stress explain announce write tweet post report ask "
    "answer reply respond declare assert suggest acknowledge admit confirm contend maintain predict promise vow "
    "pledge urge describe recall remark observe emphasize emphasise complain concede testify allege charge quip "
    "joke boast conclude caution counter reveal disclose reiterate repeat retort quote".split()
)
#: Reporting words that are often nouns ("the report", "a post", "in order"): alone they do not make a
#: sentence worth parsing (a sentence with quotation marks is parsed anyway).
NOUNISH = frozenset(
    """report post order question charge point signal label brand counter answer estimate hope fear continue
    object demand promise praise blast slam snap quote repeat order advise propose protest concur reply call
    shout yell whisper murmur specify stipulate clarify""".split()
)
CUE_HINT = re.compile(
    r"\b(?:"
    + "|".join(
        sorted((re.escape(f) for f, lemma in REPORTING_VERBS.items() if lemma not in NOUNISH), key=len, reverse=True)
    )
    + r"|according)\b",
    re.IGNORECASE,
)
PRONOUNS = {
    "he": "m",
    "him": "m",
    "she": "f",
    "her": "f",
    "i": None,
    "we": None,
    "they": None,
    "it": None,
    "you": None,
}
TITLES = frozenset(
    """mr mr. mrs mrs. ms ms. dr dr. sen sen. rep rep. gov gov. gen gen. lt lt. col col. prof prof. president
    vice secretary senator representative governor minister prime chancellor spokesman spokeswoman
    spokesperson ambassador general judge justice mayor chief director chairman chairwoman chair ceo
    candidate nominee congressman congresswoman sir lord lady king queen prince princess pope rev rev.
    state defense treasury foreign former acting deputy assistant attorney speaker leader adviser advisor
    security national""".split()
)
TITLE_STEMS = frozenset(t.rstrip(".") for t in TITLES)
MALE_TITLES = frozenset({"mr", "mr.", "sir", "lord", "king", "prince", "congressman", "spokesman", "chairman"})
FEMALE_TITLES = frozenset(
    {"mrs", "mrs.", "ms", "ms.", "lady", "queen", "princess", "congresswoman", "spokeswoman", "chairwoman"}
)
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
INVERTED_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "attr", "npadvmod", "appos", "oprd", "dep"})
UP_DEPS = frozenset({"advcl", "xcomp", "conj", "pcomp", "ccomp", "acl", "prep", "pobj", "relcl"})

ROLE_NOUNS = (
    "spokesman|spokeswoman|spokesperson|minister|secretary|president|senator|adviser|advisor|official|director|"
    "chief|leader|ambassador|governor|mayor|chairman|chairwoman|ceo|analyst|professor|lawyer|attorney|aide|"
    "general|envoy|commissioner|sen\\.|rep\\.|gov\\."
)
NAME = r"[A-Z][\w’'-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][\w’'-]+){1,2}"
TITLED_NAME = re.compile(rf"((?:\b[A-Z][\w.-]*\s+){{0,4}}(?i:{ROLE_NOUNS})\s+)({NAME})\b")
NAME_APPOSITION = re.compile(rf"\b({NAME}), (?:an? |the )((?:[\w.’'-]+ ){{0,8}}(?i:{ROLE_NOUNS})\b[^,.;]*)")
INSTITUTION_WORDS = frozenset(
    """states house council department party times post news committee congress senate court union nations
    kingdom republic street journal agency service university institute foundation bank fund office ministry
    administration campaign network press association organization government city county""".split()
)

DASH_BYLINE = re.compile(r"\s*[―—–]+\s*([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4})\s*\.?\s*$")
