"""Outlet identity, the outlet file, per-article report findings and profiles (analysis/outlets, store)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.analysis.outlets import (
    OutletIndex,
    article_facts,
    article_outlet,
    build_profiles,
    byline_agency,
    coverage,
    identify,
    name_key,
    parse_outlets,
    profile_evidence,
    read_outlets,
    registrable_domain,
)
from storyline.errors import NotFoundError, SourceError
from storyline.model import Article
from storyline.model.outlets import ArticleOutlet, OutletMetadata, OutletProfile, OutletRow
from storyline.store import open_store

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures"
SEEDS_REPORT: dict[str, Any] = json.loads((FIXTURES / "seeds-report.json").read_text(encoding="utf-8"))


# -- identity -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.nytimes.com/2019/11/19/opinion/x.html", "nytimes.com"),
        ("https://amp.theguardian.com/world/x", "theguardian.com"),
        ("https://m.bbc.co.uk/news/x", "bbc.co.uk"),
        ("https://mobile.reuters.com/article/x", "reuters.com"),
        ("https://uk.reuters.com/article/x", "reuters.com"),
        ("https://edition.cnn.com/2019/x", "cnn.com"),
        ("https://hosted.ap.org/berkshireeagle/article/x", "ap.org"),
        ("http://entermedia.co.kr/news/news_view.html?idx=1", "entermedia.co.kr"),
        ("https://WWW.Example.COM:8443/a", "example.com"),
        ("https://someone.substack.com/p/x", "someone.substack.com"),
        ("https://foo.blogspot.com/2019/x", "foo.blogspot.com"),
        ("https://www.substack.com/", "substack.com"),
        ("http://127.0.0.1/x", None),
        ("http://localhost:8000/x", None),
        ("", None),
        (None, None),
    ],
)
def test_registrable_domain_folds_sub_domains(url: str | None, domain: str | None) -> None:
    assert registrable_domain(url) == domain


def test_name_keys_fold_case_articles_and_punctuation() -> None:
    assert name_key("The Moscow Times") == name_key("moscow  times") == name_key("MOSCOW-TIMES") == "moscowtimes"
    assert name_key("Meduza") != name_key("The Moscow Times")
    assert name_key("") is None and name_key("  ---  ") is None and name_key(None) is None


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("WASHINGTON (AP) — The Senate voted on Tuesday.", "AP"),
        ("(Reuters) - The New York State Attorney General is investigating WeWork.", "Reuters"),
        ("LONDON, May 3 (Reuters) - Shares fell.", "Reuters"),
        ("By AFP\n\nParis police said on Monday.", "AFP"),
        ("PARIS (AFP) – Police said.", "AFP"),
        ("Headline repeated first\n\nDALLAS (AP) — Democrats met.", "AP"),
        ("  (Reuters) - Shares fell.", "Reuters"),
        ("A woman walks past a banner. (Photo: Reuters)\n\nMOSCOW - The Kremlin denied it.", None),
        ("The Kremlin on Friday denied a report (Reuters) said.", None),
        ("Plain article text with no byline at all.", None),
    ],
)
def test_byline_agency(text: str, agency: str | None) -> None:
    assert byline_agency(text) == agency


def test_identity_prefers_site_name_then_domain_then_byline() -> None:
    site = identify(1, "The Moscow Times", "https://www.themoscowtimes.com/a", "text")
    assert (site.name, site.name_key, site.domain, site.via) == (
        "The Moscow Times",
        "moscowtimes",
        "themoscowtimes.com",
        "site",
    )
    assert identify(2, None, "https://amp.example.org/x", "(Reuters) - x").via == "domain"
    byline = identify(3, None, None, "WASHINGTON (AP) — x")
    assert (byline.name, byline.via) == ("AP", "byline")
    assert identify(4, None, None, "no byline").via == "unknown"
    as_domain = identify(5, "NYTimes.com", None, "x")  # a site name that is a domain
    assert (as_domain.name, as_domain.domain, as_domain.via) == (None, "nytimes.com", "domain")


def _row(key: str | None, name: str | None, domain: str | None, n: int = 1, story: int | None = None) -> OutletRow:
    return OutletRow(key, name, domain, story, "en", n, None, None)


def test_index_gives_a_domain_to_the_name_most_of_its_articles_give() -> None:
    index = OutletIndex.build(
        [
            _row("examplenews", "Example News", "example.com", 5),
            _row("otherpaper", "Other Paper", "example.com", 1),  # one stray site name
            _row(None, None, "example.com", 3),
            _row(None, None, "lonely.net", 2),
        ]
    )
    assert index.outlet_of(None, "example.com") == "Example News"
    assert index.outlet_of("otherpaper", "example.com") == "Other Paper"  # its own site name wins
    assert index.outlet_of(None, "lonely.net") == "lonely.net"  # shown by its domain
    assert index.outlet_of(None, None) == "unknown"
    assert index.lookup("example news") == index.lookup("https://www.example.com/x") == "Example News"
    assert index.lookup("nobody") is None


def test_index_folds_agencies_and_the_users_aliases() -> None:
    meta = [OutletMetadata(name="Daily Planet", domains=("dailyplanet.com",), aliases=("The Planet", "planet.news"))]
    index = OutletIndex.build(
        [_row(name_key("AP"), "AP", None), _row(None, None, "apnews.com"), _row(None, None, "ap.org")], meta
    )
    assert {index.outlet_of(name_key("AP"), None), index.outlet_of(None, "apnews.com")} == {"The Associated Press"}
    assert index.outlet_of(None, "ap.org") == "The Associated Press"
    assert index.outlet_of(name_key("the planet"), None) == "Daily Planet"
    assert index.outlet_of(None, "planet.news") == "Daily Planet"
    assert index.lookup("dailyplanet.com") == "Daily Planet"


def test_every_extraction_page_gets_a_publisher_and_its_sub_domains_fold(shared_dir: Path) -> None:
    pages = json.loads((shared_dir / "eval" / "extraction" / "ground-truth-dev.json").read_text(encoding="utf-8"))
    urls = [page["url"] for page in pages.values()]
    assert len(urls) == 110
    rows = []
    for i, url in enumerate(urls):
        ident = identify(i, None, url, "")
        assert ident.domain, url
        rows.append(_row(None, None, ident.domain))
    index = OutletIndex.build(rows)
    for url in urls:
        host = url.split("/")[2]
        outlet = index.outlet_of(None, registrable_domain(url))
        assert outlet not in {"unknown", ""}, url
        for variant in ("www.", "amp.", "m.", "mobile.", "edition.", "uk."):  # the same publisher
            bare = host.removeprefix("www.")
            assert index.outlet_of(None, registrable_domain(f"https://{variant}{bare}/x")) == outlet, (url, variant)
    # The pages hold sub-domains of one publisher: hosted.ap.org and nbcsports.com's blogs.
    hosts = {u.split("/")[2] for u in urls}
    folded = {h for h in hosts if registrable_domain(h) != h.removeprefix("www.")}
    assert {"hosted.ap.org", "news.sky.com", "profootballtalk.nbcsports.com"} <= folded
    assert index.outlet_of(None, registrable_domain("https://hosted.ap.org/x")) == "The Associated Press"
    assert index.outlet_of(None, "nbcsports.com") == index.outlet_of(
        None, registrable_domain("https://www.nbcsports.com")
    )


# -- the outlet file ----------------------------------------------------------------------------------

GOOD_CSV = """name,domain,country,owner,lean
The Moscow Times,themoscowtimes.com,NL,Independent,center
Meduza,meduza.io,LV,Independent,
,example.org,US,Example Inc,
"""


def test_csv_outlet_file_is_read_with_every_column() -> None:
    parsed = parse_outlets(GOOD_CSV.encode())
    assert parsed.columns == ("country", "lean", "owner")
    tmt, meduza, example = parsed.rows
    assert (tmt.name, tmt.domains, tmt.columns["lean"]) == ("The Moscow Times", ("themoscowtimes.com",), "center")
    assert "lean" not in meduza.columns  # an empty cell is no value
    assert (example.name, example.domains) == (None, ("example.org",))
    assert parsed.warnings == []


def test_json_outlet_file_and_repeated_rows_counted() -> None:
    rows = [{"name": "Meduza", "country": "LV", "aliases": ["Медуза"]}] * 2 + [{"domain": "https://www.x.com/"}]
    parsed = parse_outlets(json.dumps({"outlets": rows}).encode(), name="o.json")
    assert [r.name for r in parsed.rows] == ["Meduza", None]
    assert parsed.rows[0].aliases == ("Медуза",)
    assert parsed.duplicates == 1 and parsed.warnings == ["1 repeated rows kept once"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"country,owner\nNL,x\n", "missing column"),
        (b"name,country\nMeduza,LV\nMeduza,RU\n", "line 3 gives 'meduza' other values than line 2"),
        (b"name,domain\nA,a.com\nB,a.com\n", "both claim 'domain:a.com'"),
        (b"name,country\n<script>alert(1)</script>,NL\n", "holds markup"),
        ("name,country\nMéduza,LV\n".encode("latin-1"), "not UTF-8"),
        (b"name,domain\nX,not a domain\n", "is not a domain"),
        (b"name,country\n,NL\n", "neither a name nor a domain"),
        (b'[{"name": "x"', "not valid JSON"),
        (b'{"name": "x"}', "a list of objects"),
        (b"name,country\nA,B,C\n", "more cells than the header"),
        (b"   \n", "empty"),
    ],
)
def test_bad_outlet_files_are_refused_in_one_line(data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message) as err:
        parse_outlets(data)
    assert "\n" not in str(err.value)


def test_a_100_mb_outlet_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "outlets.csv"
    with big.open("wb") as f:
        f.truncate(100_000_000)  # sparse: 100 MB on paper
    with pytest.raises(SourceError, match=r"outlet file is 100.0 MB; the limit is 5 MB"):
        read_outlets(big)
    with pytest.raises(SourceError, match="cannot read"):
        read_outlets(tmp_path / "missing.csv")


def test_the_example_outlet_file_loads() -> None:
    parsed = read_outlets(REPO / "examples" / "outlets.csv")
    assert parsed.rows and {"country", "language", "owner"} <= set(parsed.columns)


# -- findings of a report -----------------------------------------------------------------------------


def _seed_facts() -> dict[str, Any]:
    arts = SEEDS_REPORT["articles"]
    row_ids = {a["id"]: i for i, a in enumerate(arts, start=1)}
    outlet_of = {a["id"]: a["outlet"] or f"unknown:{a['id']}" for a in arts}
    return {f.article_id: f for f in article_facts(SEEDS_REPORT, row_ids, outlet_of, story_id=1)}


def test_the_moscow_times_altered_one_quote_and_stands_alone_once() -> None:
    facts = _seed_facts()
    tmt = facts[5]  # 004: The Moscow Times
    assert tmt.altered == 1
    (altered,) = tmt.evidence["quotes"]
    assert altered["speaker"] == "Dmitry Peskov" and "[We]" in altered["text"]
    assert altered["text"] in SEEDS_REPORT["articles"][4]["text"][altered["start"] : altered["end"]]
    assert tmt.lone_conflicts == 1 and tmt.evidence["conflicts"][0]["kind"] == "distortion"
    assert sum(f.altered for f in facts.values()) == 1
    assert facts[3].paraphrased == 1  # 002 (Meduza) paraphrases Peskov
    assert all(f.originality == "original" for f in facts.values())  # 000 and 001 are siblings, not copies


def test_claims_resting_on_bloomberg_are_credited_or_not_sentence_by_sentence() -> None:
    facts = _seed_facts()
    for f in facts.values():
        claims = f.evidence.get("claims", [])
        assert f.credited == sum(c["credited"] for c in claims)
        assert f.uncredited == sum(not c["credited"] for c in claims)
        text = SEEDS_REPORT["articles"][f.article_id - 1]["text"]
        assert all(text[c["start"] : c["end"]] == c["text"] for c in claims)
    assert facts[4].credited > 0  # 003 credits Bloomberg sentence by sentence
    assert facts[2].uncredited > 0  # 001 states Bloomberg's facts without crediting each


def test_copies_and_rewrites_name_what_they_copy() -> None:
    report = {
        "copies": [
            {"copy": "b", "of": "a", "kind": "verbatim", "share": 0.9},
            {"copy": "c", "of": "a", "kind": "paraphrase", "share": 0.7},
            {"copy": "d", "of": "a", "kind": "sibling", "share": 0.5},
        ]
    }
    ids = {"a": 1, "b": 2, "c": 3, "d": 4}
    facts = {f.article_id: f for f in article_facts(report, ids, {}, story_id=7)}
    assert [(facts[i].originality, facts[i].copy_of) for i in (1, 2, 3, 4)] == [
        ("original", None),
        ("copy", 1),
        ("rewrite", 1),
        ("original", None),
    ]


# -- coverage -------------------------------------------------------------------------------------------


def test_coverage_counts_copies_once_and_flags_a_blindspot() -> None:
    meta = [
        OutletMetadata(name="A", columns={"country": "US"}),
        OutletMetadata(name="B", columns={"country": "US"}),
        OutletMetadata(name="C", columns={"country": "US"}),
        OutletMetadata(name="D", columns={"country": "US"}),
        OutletMetadata(name="E", columns={"country": "FR"}),
    ]
    index = OutletIndex.build([], meta)
    five = [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D"), ("e", "E")]
    cov = coverage(five, [], index, "Country")
    assert (cov.sources, cov.top_share, cov.blindspot) == (5, 0.8, "US")
    assert cov.values == {"US": ["A", "B", "C", "D"], "FR": ["E"]}
    # E copied twice by unknown outlets: still one source; A's copy by B makes A and B one source.
    more = [*five, ("x", "unknown"), ("y", "unknown")]
    cov = coverage(more, [("x", "e"), ("y", "e"), ("b", "a")], index, "country")
    assert (cov.sources, cov.blindspot) == (4, None)  # US 3 of 4 = 75%
    assert coverage([("u", "unknown"), ("v", "unknown")], [], index, "country").unknown == ["unknown"]


# -- the store ------------------------------------------------------------------------------------------


def _article(ext: str, outlet: str | None, url: str | None, day: int, text: str = "") -> Article:
    body = text or f"Body of {ext}: enough words to be an article about the same event, told again."
    return Article(
        external_id=ext,
        text=body,
        content_hash=ext.ljust(64, "0"),
        source="test",
        title=f"Title {ext}",
        published=dt.date(2024, 1, day),
        outlet=outlet,
        url=url,
        language="en",
    )


def test_store_keeps_identities_findings_and_the_outlet_file(db_url: str) -> None:
    store = open_store(db_url)
    try:
        stored = store.add_articles(
            [
                _article("a1", "Example News", "https://www.example.com/1", 2),
                _article("a2", None, "https://amp.example.com/2", 3),
                _article("b1", "Other Paper", "https://other.org/1", 1),
                _article("c1", None, None, 4, "WASHINGTON (AP) — The Senate voted on the bill, officials said."),
                _article("u1", None, None, 5),
                _article("w1", "Breitbart News", None, 6, "DALLAS (AP) — Democrats met on Tuesday to pick a chair."),
            ]
        )
        ids = {r.article.external_id: r.stored.id for r in stored if r.stored and r.stored.id}
        members = [(ids[x], 1, None) for x in ("a1", "b1", "c1")] + [(ids["a2"], 2, None)]
        from storyline.model import Story

        summaries = [Story(1, "one", None, None, 3), Story(2, "two", None, None, 1)]
        store.save_stories(summaries, members)
        missing = store.articles_without_outlet()
        assert {m.id for m in missing} == set(ids.values())
        store.save_article_outlets([article_outlet(a) for a in missing])
        assert store.articles_without_outlet() == []
        facts = article_facts(
            {
                "copies": [{"copy": "a1", "of": "b1", "kind": "paraphrase", "share": 0.8}],
                "quotes": [
                    {
                        "id": 1,
                        "speaker": "X",
                        "text": "q",
                        "occurrences": [
                            {"article": "a1", "fidelity": "altered", "start": 0, "end": 4, "text": "Body"},
                            {"article": "b1", "fidelity": "verbatim", "start": 0, "end": 4, "text": "Body"},
                        ],
                    },
                    {  # one article alone: no fidelity to speak of
                        "id": 2,
                        "speaker": "Y",
                        "text": "r",
                        "occurrences": [
                            {"article": "c1", "fidelity": "verbatim", "start": 0, "end": 4, "text": "Body"}
                        ],
                    },
                ],
            },
            {x: ids[x] for x in ("a1", "b1", "c1")},
            {},
            story_id=1,
        )
        assert store.stories_without_outlet_facts() == [1, 2]
        stamp = store.outlet_stamp()
        assert store.load_outlet_cache() is None
        store.save_outlet_cache(stamp, "[1]")
        store.save_outlet_cache(stamp, "[2]")
        assert store.load_outlet_cache() == (stamp, "[2]")
        store.save_outlet_facts(1, facts)
        assert store.outlet_stamp() != stamp  # findings move the stamp on
        store.save_outlet_facts(1, facts)  # made again: replaced, not added
        assert store.stories_without_outlet_facts() == [2]
        meta = parse_outlets(b"name,country,aliases\nExample News,US,Example\n").rows
        store.replace_outlet_metadata(meta)
        loaded = store.load_outlet_metadata()
        assert [(m.name, m.columns, m.aliases) for m in loaded] == [("Example News", {"country": "US"}, ("Example",))]

        index = OutletIndex.build(store.outlet_rows(), loaded)
        profiles = {
            p.name: p
            for p in build_profiles(
                index, store.outlet_rows(), store.outlet_fact_sums(), store.outlet_copied_from(), store.outlet_wires()
            )
        }
        assert sum(p.articles for p in profiles.values()) == store.count_articles() == 6
        ex = profiles["Example News"]
        assert (ex.articles, ex.stories, ex.domains, ex.metadata) == (2, 2, ("example.com",), {"country": "US"})
        assert ex.originality == {"original": 1, "copies": 0, "rewrites": 1, "copied_from": {"Other Paper": 1}}
        assert ex.quote_fidelity["altered"] == 1 and ex.analysed == 1
        assert profiles["Other Paper"].quote_fidelity["verbatim"] == 1
        assert sum(p.quote_fidelity["verbatim"] for p in profiles.values()) == 1
        assert (ex.first_seen, ex.last_seen) == (dt.date(2024, 1, 2), dt.date(2024, 1, 3))
        assert profiles["Other Paper"].first_to_report == 1 and ex.first_to_report == 0
        assert profiles["The Associated Press"].articles == 1  # by its byline
        assert profiles["unknown"].articles == 1
        wire = profiles["Breitbart"]  # "Breitbart News" folds into the built-in name
        assert wire.originality["copies"] == 1 and wire.originality["original"] == 0
        assert wire.originality["copied_from"] == {"The Associated Press": 1}
        wire_rows = store.outlet_articles(["breitbartnews", "breitbart"], [])
        assert profile_evidence(wire, wire_rows, index)["copies"] == [
            {"article": "w1", "kind": "wire", "of": None, "of_outlet": "The Associated Press"}
        ]

        keys = [k for k, v in index.by_key.items() if v == "Example News"]
        rows = store.outlet_articles(keys, sorted(index.domains["Example News"]))
        evidence = profile_evidence(ex, rows, index)
        assert [a["id"] for a in evidence["articles"]] == ["a1", "a2"]
        assert evidence["copies"] == [
            {"article": "a1", "kind": "rewrite", "of": "b1", "of_outlet": "Other Paper", "share": 0.8}
        ]
        assert evidence["altered_quotes"][0]["text"] == "Body"
        first = profile_evidence(profiles["Other Paper"], store.outlet_articles(["otherpaper"], []), index)
        assert first["first_to_report"] == [{"story": 1, "article": "b1", "published": "2024-01-01"}]
        unknown = store.outlet_articles([], [], unknown=True)
        assert [r.external_id for r in unknown] == ["u1"]
    finally:
        store.close()


def test_identity_rows_round_trip_as_records() -> None:
    row = ArticleOutlet(article_id=3, name="AP", name_key="ap", domain=None, via="byline")
    assert ArticleOutlet.from_json(row.to_json()) == row


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["www", "amp", "m", "mobile", "uk", "edition", "news", "a-b"]), max_size=3),
    st.sampled_from(["example.com", "bbc.co.uk", "entermedia.co.kr", "ap.org"]),
)
def test_sub_domains_always_fold_to_the_registrable_domain(labels: list[str], base: str) -> None:
    host = ".".join([*labels, base])
    assert registrable_domain(f"https://{host}/x?y=1") == base
    assert registrable_domain(registrable_domain(host)) == base  # idempotent


@given(st.text(max_size=40))
def test_name_keys_are_idempotent_and_alphanumeric(name: str) -> None:
    key = name_key(name)
    assert key is None or (key.isalnum() and name_key(key) == key)


def test_first_to_report_counts_ties_and_only_stories_of_two_outlets() -> None:
    day = dt.date(2024, 1, 1)

    def row(key: str, story: int, first: dt.date) -> OutletRow:
        return OutletRow(key, key.upper(), None, story, "en", 1, first, first)

    rows = [
        row("a", 1, day),
        row("b", 1, day),  # a tie on the day: both first
        row("c", 1, day + dt.timedelta(days=1)),
        row("a", 2, day),  # a story only A carried: nobody's first
        row("b", 3, day + dt.timedelta(days=3)),
        row("c", 3, day + dt.timedelta(days=2)),
    ]
    profiles = {p.name: p for p in build_profiles(OutletIndex.build(rows), rows)}
    assert {n: p.first_to_report for n, p in profiles.items()} == {"A": 1, "B": 1, "C": 1}
    assert profiles["C"].evidence == {"first_to_report": [3]}


def test_conflicts_stand_alone_only_against_two_other_outlets() -> None:
    side = lambda *arts: {"evidence": [{"article": a} for a in arts]}  # noqa: E731
    report = {
        "conflicts": [
            {"id": 1, "kind": "number", "a": side("x1"), "b": side("y1", "z1")},  # X alone against Y and Z
            {"id": 2, "kind": "date", "a": side("x1"), "b": side("y1")},  # one against one: nobody alone
            {"id": 3, "kind": "denial", "a": side("x1", "x2"), "b": side("u1", "u2")},  # two unknown outlets
        ]
    }
    ids = {"x1": 1, "x2": 2, "y1": 3, "z1": 4, "u1": 5, "u2": 6}
    outlets = {"x1": "X", "x2": "X", "y1": "Y", "z1": "Z"}
    facts = {f.article_id: f for f in article_facts(report, ids, outlets, story_id=1)}
    assert facts[1].lone_conflicts == 2 and [c["conflict"] for c in facts[1].evidence["conflicts"]] == [1, 3]
    assert sum(f.lone_conflicts for f in facts.values()) == 2


def test_profiles_round_trip_through_their_json() -> None:
    rows = [_row("a", "A", "a.com", 2, story=1), _row(None, None, None, 1, story=1)]
    for profile in build_profiles(OutletIndex.build(rows), rows):
        assert OutletProfile.from_json(json.loads(json.dumps(profile.to_json()))) == profile


def test_services_list_outlets_from_the_cache_on_both_backends(db_url: str, tmp_path: Path) -> None:
    from storyline import services

    store = open_store(db_url)
    try:
        store.add_articles(
            [
                _article("a1", "Example News", "https://www.example.com/1", 2),
                _article("a2", None, "https://m.example.com/2", 3),
                _article("u1", None, None, 4),
            ]
        )
        services.forget_outlets()
        first = [p.to_json() for p in services.outlet_profiles(store)]
        assert [(p["name"], p["articles"]) for p in first] == [("Example News", 2), ("unknown", 1)]
        stamp = services.outlets_stamp(store)
        services.forget_outlets()  # a new process: the store's cache row, not a recomputation
        assert store.load_outlet_cache("profiles.1") is not None
        assert [p.to_json() for p in services.outlet_profiles(store)] == first
        one = services.outlet_profile(store, "https://amp.example.com/x")
        assert [a["id"] for a in one.evidence["articles"]] == ["a1", "a2"]
        good = tmp_path / "outlets.csv"
        good.write_text("name,country\nExample News,US\nNobody Daily,FR\n", encoding="utf-8")
        loaded = services.load_outlet_file(store, good)
        assert loaded.rows == 2 and loaded.warnings == ("1 of 2 rows name outlets no stored article has (kept)",)
        assert services.outlets_stamp(store) != stamp  # the file moved the stamp on
        assert services.outlet_profile(store, "example news").metadata == {"country": "US"}
        bad = tmp_path / "bad.csv"
        bad.write_bytes(b"name,country\n<b>x</b>,US\n")
        with pytest.raises(SourceError, match="markup"):
            services.load_outlet_file(store, bad)
        assert services.outlet_profile(store, "example news").metadata == {"country": "US"}  # nothing half-loaded
        with pytest.raises(NotFoundError):
            services.outlet_profile(store, "Nobody Daily")  # in the file, but no stored article
        store.add_articles([_article("a3", "Example News", None, 5)])
        assert services.outlet_profiles(store)[0].articles == 3  # a new article: identified, counted
    finally:
        store.close()
