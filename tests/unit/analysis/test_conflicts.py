"""Conflicts on articles written for the purpose: numbers, dates, negation, denial; and what is not one."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from storyline.analysis.claims import article_units, embed_units, group_claims
from storyline.analysis.conflicts import find_conflicts
from storyline.analysis.timeline import find_dates
from storyline.model import Article, Evidence
from storyline.stories.embed import default_embedder

PUBLISHED = dt.date(2024, 3, 8)  # a Friday


def _article(ext: str, outlet: str, *paragraphs: str, published: dt.date | None = PUBLISHED) -> Article:
    text = "\n\n".join(paragraphs)
    return Article(external_id=ext, text=text, content_hash=ext, source=ext, outlet=outlet, published=published)


def _conflicts(articles: list[Article]):  # type: ignore[no-untyped-def]
    embed = default_embedder(128)
    units = [u for a in articles for u in article_units(a)]
    groups = group_claims(units, embed_units(units, embed), {a.external_id: a.external_id for a in articles})
    dates = {a.external_id: find_dates(a, PUBLISHED) for a in articles}

    def date_of(e: Evidence) -> str | None:
        inside = {m.iso for m in dates[e.article] if e.start <= m.start < e.end}
        return inside.pop() if len(inside) == 1 else None

    return groups, find_conflicts(
        articles, groups, embed=lambda t: np.asarray(embed(t), dtype=np.float32), date_of=date_of
    )


def test_different_figures_for_the_same_toll_conflict() -> None:
    arts = [
        _article("a", "Daily A", "The ferry fire in the harbour killed 12 people and injured dozens more on board."),
        _article("b", "Daily B", "The ferry fire in the harbour killed 15 people and injured dozens more on board."),
        _article("c", "Daily C", "The ferry fire in the harbour killed 12 people and injured dozens more on board."),
    ]
    _, conflicts = _conflicts(arts)
    (number,) = [c for c in conflicts if c.kind == "number"]
    assert {e.article for e in number.a.evidence} == {"a", "c"} and {e.article for e in number.b.evidence} == {"b"}
    assert "12" in number.description and "15" in number.description


def test_different_dates_for_the_same_event_conflict_but_relative_forms_of_one_date_do_not() -> None:
    arts = [
        _article("a", "Daily A", "The central bank raised its main interest rate by half a point on Tuesday, March 5."),
        _article("b", "Daily B", "The central bank raised its main interest rate by half a point on March 5."),
        _article("c", "Daily C", "The central bank raised its main interest rate by half a point on March 6."),
    ]
    _, conflicts = _conflicts(arts)
    (date,) = [c for c in conflicts if c.kind == "date"]
    assert {e.article for e in date.b.evidence} == {"c"}
    same = [
        _article("a", "Daily A", "Parliament approved the budget for the coming year last month after a long debate."),
        _article("b", "Daily B", "Parliament approved the budget for the coming year in February after a long debate."),
    ]
    _, conflicts = _conflicts(same)
    assert not [c for c in conflicts if c.kind == "date"]


def test_a_negated_claim_in_nearly_the_same_words_is_a_negation() -> None:
    arts = [
        _article("a", "Daily A", "The finance minister resigned from the government on Friday after the vote."),
        _article("b", "Daily B", "The finance minister resigned from the government on Friday after the vote."),
        _article("c", "Daily C", "The finance minister did not resign from the government on Friday after the vote."),
    ]
    _, conflicts = _conflicts(arts)
    (negation,) = [c for c in conflicts if c.kind == "negation"]
    assert {e.article for e in negation.b.evidence} == {"c"}


def test_a_denial_is_set_against_the_claim_it_denies() -> None:
    arts = [
        _article(
            "a", "Daily A", "The company is preparing to sell its shipping division to a rival, according to Reuters."
        ),
        _article(
            "b", "Daily B", "The company is preparing to sell its shipping division to a rival, Reuters reported."
        ),
        _article(
            "c",
            "Daily C",
            "The company is preparing to sell its shipping division to a rival, Reuters reported.",
            "A company spokeswoman denied the report, calling it false information.",
        ),
    ]
    _, conflicts = _conflicts(arts)
    (denial,) = [c for c in conflicts if c.kind == "denial"]
    assert [e.article for e in denial.b.evidence] == ["c"] and "denied" in denial.b.evidence[0].text
    assert {e.article for e in denial.a.evidence} == {"a", "b", "c"}


@pytest.mark.parametrize(
    "pair",
    [
        ("The war heads into its third year as talks stall.", "The war nears its second anniversary as talks stall."),
        (
            "US officials said they were not aware of the overtures.",
            "US officials said they were unaware of the overtures.",
        ),
    ],
)
def test_things_that_only_look_different_are_not_conflicts(pair: tuple[str, str]) -> None:
    arts = [_article("a", "Daily A", pair[0]), _article("b", "Daily B", pair[1]), _article("c", "Daily C", pair[0])]
    _, conflicts = _conflicts(arts)
    assert conflicts == []


def _fact_conflicts(articles: list[Article]):  # type: ignore[no-untyped-def]
    from storyline.analysis.facts import find_facts

    embed = default_embedder(128)
    units = [u for a in articles for u in article_units(a)]
    groups = group_claims(units, embed_units(units, embed), {a.external_id: a.external_id for a in articles})
    facts = find_facts(articles)
    return facts, find_conflicts(articles, groups, embed=lambda t: np.asarray(embed(t), dtype=np.float32), facts=facts)


def test_with_facts_a_disputed_slot_is_a_conflict_and_a_developing_one_is_not() -> None:
    day = dt.date(2024, 3, 8)
    disputed = [
        _article("a", "Daily A", "The ferry fire in the harbour killed 12 people on Friday.", published=day),
        _article("b", "Daily B", "Fifteen people were killed in the ferry fire in the harbour.", published=day),
    ]
    facts, conflicts = _fact_conflicts(disputed)
    assert [f.status for f in facts if f.slot == "people killed"] == ["disputed"]
    (number,) = [c for c in conflicts if c.kind == "number"]
    assert {e.article for e in number.a.evidence} | {e.article for e in number.b.evidence} == {"a", "b"}
    rising = [
        _article("a", "Daily A", "The ferry fire in the harbour killed 12 people.", published=day),
        _article("b", "Daily B", "The toll of the ferry fire rose to 15 people.", published=day + dt.timedelta(days=1)),
        _article(
            "c", "Daily C", "The ferry fire in the harbour killed 15 people.", published=day + dt.timedelta(days=1)
        ),
    ]
    facts, conflicts = _fact_conflicts(rising)
    assert [f.status for f in facts if f.slot == "people killed"] == ["developing"]
    assert not [c for c in conflicts if c.kind == "number"]


def test_dead_and_injured_or_depth_and_distance_never_conflict() -> None:
    arts = [
        _article("a", "Daily A", "The quake killed 24 people and struck at a depth of 10 km, 55 km west of Palu."),
        _article("b", "Daily B", "The quake left 249 injured; it was 10 km deep, 55 km west of Palu, officials said."),
    ]
    _, conflicts = _fact_conflicts(arts)
    assert not [c for c in conflicts if c.kind in {"number", "date"}]


def test_a_refusal_is_not_a_denial() -> None:
    arts = [
        _article("a", "Daily A", "The gunman had been denied a handgun permit in March, police said."),
        _article("b", "Daily B", "The gunman was denied a handgun permit in March, police said on Friday."),
        _article("c", "Daily C", "The judge, denying a defence motion, sentenced the gunman to life."),
    ]
    _, conflicts = _fact_conflicts(arts)
    assert not [c for c in conflicts if c.kind == "denial"]


def test_emphasis_is_not_negation() -> None:
    from storyline.analysis.conflicts import _negatives

    assert _negatives("He not only killed the deputy but also shot a man.") == 0
    assert _negatives("Police couldn't say how many shots were fired.") == 1
    assert _negatives("Riva had yet to regain consciousness.") == 1
