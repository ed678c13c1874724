"""Distinct, realistic article texts (60+ words each) and HTML pages around them.

Every article differs in wording and numbers, so none is deduplicated as "already stored".
"""

from __future__ import annotations

import html
import random

_SUBJECTS = [
    "The city council",
    "The regional water board",
    "The national rail operator",
    "The state health department",
    "The university hospital",
    "The port authority",
    "The county school district",
    "The energy regulator",
]
_ACTIONS = [
    "approved a plan to spend {n} million dollars on repairs",
    "announced that {n} new staff members will be hired before summer",
    "confirmed that {n} complaints were received during the last quarter",
    "said it would close {n} offices to cut costs next year",
    "published a report listing {n} problems found by inspectors",
    "delayed a vote on {n} proposals until the next meeting",
]
_REACTIONS = [
    "Residents who attended the meeting said they wanted more details about the timetable and the costs.",
    "Critics argued that the decision came too late and would not solve the underlying problems.",
    "A spokesperson said the details would be published on the official website within a week.",
    "Local business owners welcomed the news but warned that prices could still rise this winter.",
    "Union representatives said they had not been consulted before the announcement was made.",
    "Officials promised to hold a public hearing in the town hall before any final decision.",
]


def article_text(seed: int) -> str:
    """A plain-text article of four paragraphs (about 80 words), unique to `seed`."""
    rng = random.Random(seed)
    subject = rng.choice(_SUBJECTS)
    first = f"{subject} {rng.choice(_ACTIONS).format(n=seed + 3)} on Tuesday, according to report number {seed}."
    second = (
        f"The decision follows {rng.randint(2, 9)} months of debate, and officials expect the work "
        f"to affect about {1000 + seed * 37} households across the district."
    )
    reactions = rng.sample(_REACTIONS, 2)
    return "\n\n".join([first, second, *reactions])


def article_html(seed: int, *, title: str | None = None) -> str:
    """A complete HTML page (navigation, headline, article body, footer) around `article_text(seed)`."""
    title = title or f"Report {seed}: officials announce new measures"
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in article_text(seed).split("\n\n"))
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>{html.escape(title)}</h1>{paras}</article>"
        "<footer>Copyright 2024 The Daily Example.</footer></body></html>"
    )
