"""The report contract (docs/report-schema.json) and its renderers: JSON, Markdown, one HTML page."""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.errors import OptionsError
from storyline.render import CSP, matrix_cells, render, safe_url, to_html, to_markdown
from storyline.render.html import WebHeader, report_markup

REPO = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((REPO / "docs" / "report-schema.json").read_text(encoding="utf-8"))
FIXTURE = REPO / "tests" / "fixtures" / "report_sample.json"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@pytest.fixture
def report() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


jsonschema.Draft202012Validator.check_schema(SCHEMA)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _validator() -> jsonschema.Draft202012Validator:
    return VALIDATOR


def _evidence(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every span of the report that points into an article's text."""
    for item in report["summary"]:
        yield from item["evidence"]
    for claim in report["claims"]:
        yield from claim["occurrences"]
    for conflict in report["conflicts"]:
        yield from conflict["a"]["evidence"] + conflict["b"]["evidence"]
    for quote in report["quotes"]:
        yield from quote["occurrences"]
    for event in report["timeline"]:
        yield from event["sources"]
    for source in report["sources"]:
        yield from source["mentions"]


# --- a small DOM over html.parser: well-formedness, attributes, text content ----------------------


@dataclass
class Node:
    tag: str
    attrs: list[tuple[str, str | None]]
    children: list[Node | str] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return dict(self.attrs).get(name)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None) -> Iterator[Node]:
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter(tag)

    def classes(self) -> set[str]:
        return set((self.get("class") or "").split())

    def find(self, tag: str | None = None, cls: str | None = None, id: str | None = None) -> list[Node]:
        return [n for n in self.iter(tag) if (cls is None or cls in n.classes()) and (id is None or n.get("id") == id)]


class Tree(HTMLParser):
    """Builds a Node tree and records every tag that is not closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [])
        self.stack = [self.root]
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.stack[-1].tag != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1].tag}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(page: str) -> Node:
    tree = Tree()
    tree.feed(page)
    tree.close()
    assert tree.errors == []
    assert [n.tag for n in tree.stack] == ["#document"], "unclosed tags"
    return tree.root


# --- the schema -----------------------------------------------------------------------------------


def test_fixture_is_valid(report: dict[str, Any]) -> None:
    assert list(_validator().iter_errors(report)) == []
    assert {"consensus", "partial", "single"} == {c["status"] for c in report["claims"]}
    assert any(c["echo"] for c in report["claims"])
    assert {"denial", "number"} == {c["kind"] for c in report["conflicts"]}
    fidelities = {o["fidelity"] for q in report["quotes"] for o in q["occurrences"]}
    assert fidelities == {"verbatim", "partial", "altered", "paraphrased"}


def test_fixture_evidence_is_exact(report: dict[str, Any]) -> None:
    texts = {a["id"]: a["text"] for a in report["articles"]}
    spans = list(_evidence(report))
    assert len(spans) > 30
    for ev in spans:
        assert texts[ev["article"]][ev["start"] : ev["end"]] == ev["text"]
    for quote in report["quotes"]:
        for occ in quote["occurrences"]:
            start, end = occ["speaker_span"]
            assert texts[occ["article"]][start:end] == occ["speaker_as_written"]


def _break_citations(r: dict[str, Any]) -> None:
    r["summary"][0]["citations"] = []


def _break_date(r: dict[str, Any]) -> None:
    r["timeline"][0]["date"] = "Jan 2024"


def _break_precision(r: dict[str, Any]) -> None:
    r["timeline"][1]["precision"] = "month"  # the date is a day


def _break_fidelity(r: dict[str, Any]) -> None:
    r["quotes"][0]["occurrences"][0]["fidelity"] = "exact"


def _drop_citations(r: dict[str, Any]) -> None:
    del r["summary"][1]["citations"]


def _drop_claims(r: dict[str, Any]) -> None:
    del r["claims"]


def _break_evidence(r: dict[str, Any]) -> None:
    del r["conflicts"][0]["b"]["evidence"][0]["start"]


def _break_status(r: dict[str, Any]) -> None:
    r["claims"][0]["status"] = "agreed"


@pytest.mark.parametrize(
    ("breaks", "where"),
    [
        (_break_citations, ["summary", 0, "citations"]),
        (_drop_citations, ["summary", 1]),
        (_break_date, ["timeline", 0, "date"]),
        (_break_precision, ["timeline", 1, "date"]),
        (_break_fidelity, ["quotes", 0, "occurrences", 0, "fidelity"]),
        (_drop_claims, []),
        (_break_evidence, ["conflicts", 0, "b", "evidence", 0]),
        (_break_status, ["claims", 0, "status"]),
    ],
)
def test_broken_reports_fail(report: dict[str, Any], breaks: Any, where: list[Any]) -> None:
    broken = copy.deepcopy(report)
    breaks(broken)
    errors = list(_validator().iter_errors(broken))
    assert errors
    assert {tuple(e.absolute_path) for e in errors} == {tuple(where)}


def test_all_three_breaks_are_reported(report: dict[str, Any]) -> None:
    broken = copy.deepcopy(report)
    for breaks in (_break_citations, _break_date, _break_fidelity):
        breaks(broken)
    paths = {tuple(e.absolute_path)[:2] for e in _validator().iter_errors(broken)}
    assert paths == {("summary", 0), ("timeline", 0), ("quotes", 0)}


def test_extra_keys_inside_items_are_allowed_but_not_at_the_top(report: dict[str, Any]) -> None:
    extended = copy.deepcopy(report)
    extended["claims"][0]["occurrences"][0]["similarity"] = 0.9
    extended["articles"][0]["language"] = "en"
    assert list(_validator().iter_errors(extended)) == []
    extended["extra"] = 1
    assert not _validator().is_valid(extended)


# --- JSON and format selection --------------------------------------------------------------------


def test_render_json_round_trips(report: dict[str, Any]) -> None:
    out = render(report, "json")
    assert json.loads(out) == report
    assert "<script>alert(1)</script>" in out  # JSON is data: kept as written, not escaped


def test_unknown_format_is_refused(report: dict[str, Any]) -> None:
    with pytest.raises(OptionsError, match="markdown"):
        render(report, "pdf")


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.com/a?b=1&c=2", True),
        ("HTTP://EXAMPLE.COM/", True),
        ("javascript:alert(3)", False),
        ("JaVaScRiPt:alert(3)", False),
        (" javascript:alert(3)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//example.com/x", False),
        ("https://exa mple.com", False),
        ('https://example.com/"onmouseover="alert(1)', False),
        ("https://", False),
        (None, False),
    ],
)
def test_safe_url(url: str | None, safe: bool) -> None:
    assert safe_url(url) == (url if safe else None)


# --- Markdown -------------------------------------------------------------------------------------


def test_markdown_summary_and_citations(report: dict[str, Any]) -> None:
    out = to_markdown(report)
    assert out.startswith("# Tidewater Lines suspends Harbor Line ferries")
    for item in report["summary"]:
        line = next(x for x in out.splitlines() if item["text"] in x)
        for aid in item["citations"]:
            assert f"[{aid.split('_')[0]}]" in line
            assert f"`{aid}`" in out  # the articles list names every cited id
    listed = [x for x in out.split("## Articles", 1)[1].splitlines() if x.startswith("- ")]
    assert len(listed) == 3
    assert "Coastal Herald, 2024-03-04" in listed[0]
    assert "<https://coastalherald.example/news/2024/03/04/harbor-line-fire>" in listed[0]


def test_markdown_claims_table(report: dict[str, Any]) -> None:
    out = to_markdown(report)
    assert "| # | Claim | Status | Independent support | Outlets | Note |" in out
    rows = [x for x in out.split("## Claims", 1)[1].split("##", 1)[0].splitlines() if re.match(r"\| \d", x)]
    assert len(rows) == len(report["claims"])
    assert "widely repeated, single-sourced: all attribute it to Reuters" in rows[1]
    for section in ("## Conflicts", "## Quotes", "## Timeline", "## Copies and upstream sources"):
        assert section in out
    assert "**altered**" in out and '"a single" became "any"' in out
    assert "- **2024-02** — The Marisol passed an inspection." in out


def test_markdown_escapes_untrusted_text(report: dict[str, Any]) -> None:
    report["claims"][0]["text"] = "a | b `code` <b>bold</b> [x](javascript:alert(1)) *em*"
    report["articles"][1]["id"] = "odd`id"
    report["copies"] = []
    out = to_markdown(report)
    assert "<script" not in out and "<b>" not in out and "javascript:alert(3)>" not in out
    assert "&lt;script&gt;" in out
    row = next(x for x in out.splitlines() if x.startswith("| 1 |"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 7  # the pipe in the text does not open a cell
    assert r"\[x\](javascript:alert(1))" in row and r"\`code\`" in row and r"\*em\*" in row
    assert "``odd`id``" in out


# --- HTML -----------------------------------------------------------------------------------------


@pytest.fixture
def page(report: dict[str, Any]) -> str:
    return to_html(report)


def test_html_is_one_safe_page(page: str) -> None:
    dom = parse(page)
    assert page.startswith("<!DOCTYPE html>")
    assert dom.find("html")[0].get("lang") == "en"
    csp = [m for m in dom.iter("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert [m.get("content") for m in csp] == [CSP]
    assert "<script" not in page.lower()
    assert not dom.find("img") and not dom.find("link") and not dom.find("iframe")
    for node in dom.iter():
        assert not [name for name, _ in node.attrs if name.lower().startswith("on")], node.tag
        href = (node.get("href") or "").strip().lower()
        assert href.startswith(("#", "https://", "http://")) or not node.get("href")
    assert "javascript:" not in " ".join(n.get("href") or "" for n in dom.iter())


def test_html_escapes_untrusted_text(page: str) -> None:
    dom = parse(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    third = dom.find(id="article-003_d2e6b1a4c9f08e77")[0]
    assert third.find("h3")[0].text() == "[003] Tidewater denies Marisol sale report <script>alert(1)</script>"
    assert "javascript:alert(3)" in third.text()  # shown as text, never as a link
    assert not [a for a in third.iter("a") if "javascript" in (a.get("href") or "")]


def test_html_ids_are_unique_and_every_link_lands(page: str) -> None:
    dom = parse(page)
    ids = [n.get("id") for n in dom.iter() if n.get("id")]
    assert len(ids) == len(set(ids))
    targets = [a.get("href") or "" for a in dom.iter("a") if (a.get("href") or "").startswith("#")]
    assert targets
    assert {t[1:] for t in targets} <= set(ids)


def test_html_marks_every_evidence_span(report: dict[str, Any], page: str) -> None:
    dom = parse(page)
    for ev in _evidence(report):
        article = dom.find(id="article-" + ev["article"])[0]
        marks = [
            m
            for m in article.iter("mark")
            if ev["start"] <= int(m.get("data-start") or -1) and int(m.get("data-end") or -1) <= ev["end"]
        ]
        assert marks[0].get("id") == f"a-{ev['article']}-{ev['start']}"
        assert "".join(m.text() for m in marks) == ev["text"]
        assert all(a.get("data-end") == b.get("data-start") for a, b in itertools.pairwise(marks))


def test_html_article_text_is_whole(report: dict[str, Any], page: str) -> None:
    dom = parse(page)
    for article in report["articles"]:
        block = dom.find(id="article-" + article["id"])[0]
        assert block.find("div", cls="atext")[0].text() == article["text"]


def test_html_summary_cites_evidence(report: dict[str, Any], page: str) -> None:
    dom = parse(page)
    ids = {n.get("id") for n in dom.iter()}
    items = dom.find(id="summary")[0].find("li")
    assert len(items) == len(report["summary"])
    for li, item in zip(items, report["summary"], strict=True):
        assert li.text().startswith(item["text"])
        links = li.find("a", cls="cite")
        assert [a.text() for a in links] == [f"[{aid.split('_')[0]}]" for aid in item["citations"]]
        for a, aid in zip(links, item["citations"], strict=True):
            href = a.get("href") or ""
            assert href.startswith(f"#a-{aid}-") and href[1:] in ids


def test_html_claims_matrix(report: dict[str, Any], page: str) -> None:
    dom = parse(page)
    table = dom.find(id="claims")[0].find("table")[0]
    columns = table.find("th", cls="art")
    assert [c.get("scope") for c in columns] == ["col"] * len(report["articles"])
    rows = table.find("tbody")[0].find("tr")
    assert len(rows) == len(report["claims"])
    states = [[next(iter(c.classes() - {"cell"})) for c in row.find("td", cls="cell")] for row in rows]
    assert states == [
        ["c-supported", "c-supported", "c-supported"],
        ["c-partial", "c-partial", "c-conflicting"],  # echo: attributed to Reuters; 003 carries the denial
        ["c-supported", "c-absent", "c-conflicting"],  # 003 has fifteen, not twelve
        ["c-absent", "c-supported", "c-absent"],
    ]
    assert all(r.find("th")[0].get("scope") == "row" for r in rows)
    assert "echo" in rows[1].find("th")[0].text() and "attribute it to Reuters" in rows[1].text()
    legend = dom.find(id="claims")[0].find("ul", cls="legend")[0].text()
    assert all(word in legend for word in ("supported", "partial", "conflicting", "absent"))


def test_matrix_cells_read_conflict_sides(report: dict[str, Any]) -> None:
    cells = matrix_cells(report)
    a1, a2, a3 = (a["id"] for a in report["articles"])
    assert cells[3, a3][0] == "conflicting"
    assert cells[3, a3][1] == report["conflicts"][1]["b"]["evidence"][0]
    assert cells[2, a2] == ("partial", report["claims"][1]["occurrences"][1])
    assert cells[4, a1] == ("absent", None)


def test_html_conflicts_side_by_side(report: dict[str, Any], page: str) -> None:
    dom = parse(page)
    for conflict in report["conflicts"]:
        block = dom.find(id=f"conflict-{conflict['id']}")[0]
        assert conflict["kind"] in block.find("h3")[0].text()
        for name in ("a", "b"):
            side = block.find("div", cls=f"side-{name}")
            assert len(side) == 1
            quoted = [q.text() for q in side[0].find("blockquote")]
            assert quoted == [ev["text"] for ev in conflict[name]["evidence"]]


def test_html_quotes_timeline_copies(report: dict[str, Any], page: str) -> None:
    dom = parse(page)
    quote = dom.find(id="quote-1")[0]
    assert [t.text() for t in quote.find("span", cls="tag")] == ["verbatim", "partial", "altered"]
    differences = [d.text() for d in quote.find("ul", cls="differences")]
    assert differences == ['only part of the quote: "We will" left out', '"a single" became "any""We" left out']
    events = dom.find(id="timeline")[0].find("li")
    assert [e.find("time")[0].get("datetime") for e in events] == ["2024-02", "2024-03-04", "2024-03-05"]
    copies = dom.find(id="copies")[0]
    assert "paraphrase" in copies.text() and "Reuters" in copies.text()
    assert copies.find("details")  # the aligned sentences, folded
    header = dom.find("header")[0].text()
    assert "3 articles" in header and "2024-03-04" in header and "Bay Daily Post" in header


# --- escaping round-trips for any text and any spans ------------------------------------------


@st.composite
def _article_with_spans(draw: st.DrawFn) -> tuple[str, str, list[tuple[int, int]]]:
    # NUL cannot be carried by HTML (parsers turn it into U+FFFD); CR is written as &#13;.
    text = draw(st.text(st.characters(exclude_characters="\x00"), min_size=1, max_size=120))
    article = draw(st.text(min_size=1, max_size=12))
    bounds = st.integers(0, len(text))
    pairs = draw(st.lists(st.tuples(bounds, bounds), max_size=8))
    return article, text, [(min(p), max(p)) for p in pairs if p[0] != p[1]]


@given(_article_with_spans())
@settings(max_examples=150, deadline=None)
def test_any_text_and_spans_round_trip(case: tuple[str, str, list[tuple[int, int]]]) -> None:
    article, text, spans = case
    evidence = [{"article": article, "sentence": 0, "start": s, "end": e, "text": text[s:e]} for s, e in spans]
    report: dict[str, Any] = {
        "story": {"id": 1, "headline": text[:20], "first_seen": None, "last_seen": None, "article_count": 1,
                  "outlets": [], "names": []},
        "articles": [{"id": article, "title": text[-20:], "outlet": None, "published": None, "url": text,
                      "words": 1, "text": text, "copy_of": None, "duplicate_of": None}],
        "copies": [], "sources": [], "conflicts": [], "quotes": [], "timeline": [],
        "claims": [{"id": 1, "text": text, "status": "single", "independent_support": 1, "outlets": [],
                    "articles": [article], "attributed_to": None, "echo": False, "hedged": False,
                    "occurrences": [{**ev, "attribution": None, "hedge": None} for ev in evidence]}],
        "summary": [{"text": text, "citations": [article], "evidence": evidence, "kind": "addition"}],
    }  # fmt: skip
    assert _validator().is_valid(report)
    dom = parse(to_html(report))
    block = next(n for n in dom.iter("div") if "article" in n.classes())
    body = block.find("div", cls="atext")[0]
    assert body.text() == text
    marks = body.find("mark")
    for m in marks:
        assert m.text() == text[int(m.get("data-start") or 0) : int(m.get("data-end") or 0)]
    covered = {i for s, e in spans for i in range(s, e)}
    assert sum(len(m.text()) for m in marks) == len(covered)
    ids = {n.get("id") for n in dom.iter()}
    for a in dom.find("a"):
        href = a.get("href") or ""
        assert href[1:] in ids if href.startswith("#") else safe_url(href) == href
    assert isinstance(to_markdown(report), str)


@pytest.mark.parametrize("nested", [True, False])
def test_html_aligned_sentences(report: dict[str, Any], nested: bool) -> None:
    texts = {a["id"]: a["text"] for a in report["articles"]}
    link = report["copies"][0]
    if not nested:  # the flat form older reports used: still read
        link["aligned"] = [
            {
                "copy_sentence": p["copy"]["sentence"],
                "copy_start": p["copy"]["start"],
                "copy_end": p["copy"]["end"],
                "of_sentence": p["of"]["sentence"],
                "of_start": p["of"]["start"],
                "of_end": p["of"]["end"],
                "similarity": p["similarity"],
            }
            for p in link["aligned"]
        ]
    details = parse(to_html(report)).find(id="copies")[0].find("details")[0]
    rows = [[td.text() for td in tr.find("td")] for tr in details.find("tbody")[0].find("tr")]
    first = report["copies"][0]["aligned"][0]
    span = first["copy"] if nested else {"start": first["copy_start"], "end": first["copy_end"]}
    assert rows[0][0] == texts[link["copy"]][span["start"] : span["end"]]
    assert rows[0][0].startswith("Tidewater Lines halted every sailing")
    assert rows[0][1].startswith("Tidewater Lines suspended all sailings")
    assert [r[2] for r in rows] == ["0.91", "0.83", "0.79"]


# --- one template for the file and the web page ------------------------------------------------


class _WebLinks:
    """Links as a site would give them: every citation to an article page."""

    def evidence(self, ev: dict[str, Any]) -> str | None:
        return f"/a/{ev.get('article')}?hl={ev.get('start')}-{ev.get('end')}#cited"

    def article(self, article_id: str) -> str | None:
        return f"/a/{article_id}"


def test_web_markup_is_the_same_report_with_site_links(report: dict[str, Any], page: str) -> None:
    web = str(report_markup(report, _WebLinks(), WebHeader(story_id=7, independent_sources=2)))
    dom, file_dom = parse(web), parse(page)
    sections = [s.get("id") for s in dom.iter("section")]
    assert sections == [s.get("id") for s in file_dom.iter("section")]
    assert sections == ["facts", "summary", "claims", "conflicts", "quotes", "timeline", "copies", "articles"]
    assert "Stories" in dom.find("p", cls="crumbs")[0].text()
    assert [a.get("href") for a in dom.find("p", cls="downloads")[0].iter("a")] == [
        f"/stories/7/report.{suffix}" for suffix in ("json", "md", "html")
    ]
    assert "2 independent sources" in dom.find("header")[0].text()
    links = [a.get("href") or "" for a in dom.iter("a")]
    assert not [h for h in links if h.startswith("#a-") or h.startswith("#article-")]  # no texts on the page
    first = report["summary"][0]["evidence"][0]
    assert f"/a/{first['article']}?hl={first['start']}-{first['end']}#cited" in links
    assert not dom.find("div", cls="atext")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in web and "<script" not in web


def test_citations_show_their_sentence_and_altered_quotes_their_changes(page: str) -> None:
    dom = parse(page)
    first = dom.find(id="summary")[0].find("span", cls="cite-wrap")[0]
    assert first.find("span", cls="pop")[0].text().startswith("Coastal Herald: ")
    quote = dom.find(id="quote-1")[0]
    assert quote.find("mark", cls="diff") and quote.find("del")


def _with_facts(report: dict[str, Any]) -> dict[str, Any]:
    ids = [str(a["id"]) for a in report["articles"]]
    first, second = ids[0], ids[-1]

    def value(v: str, qualifier: str, articles: list[str], day: str) -> dict[str, Any]:
        return {
            "value": v,
            "qualifier": qualifier,
            "unit": "",
            "articles": articles,
            "first_published": day,
            "evidence": [],
        }

    report = copy.deepcopy(report)
    report["facts"] = [
        {
            "slot": "people killed",
            "kind": "count",
            "status": "developing",
            "values": [value("5", "at least", [first], "2012-01-01"), value("24", "", [second], "2012-01-02")],
        },
        {
            "slot": "<script>alert(1)</script> depth",
            "kind": "measure",
            "status": "disputed",
            "values": [value("10 km", "", [first], "2012-01-01"), value("<b>15 km</b>", "", [second], "2012-01-01")],
        },
    ]
    return report


def test_key_facts_come_first_in_markdown_with_status_and_citations(report: dict[str, Any]) -> None:
    md = to_markdown(_with_facts(report))
    assert md.index("## Key facts") < md.index("## Summary")
    row = next(line for line in md.splitlines() if line.startswith("| people killed"))
    assert "| developing |" in row and row.index("at least 5") < row.index("→") < row.index("24")
    assert "(2012-01-01)" in row
    assert "<script>" not in md and "<b>" not in md


def test_key_facts_come_first_in_the_html_file_and_the_web_page(report: dict[str, Any]) -> None:
    with_facts = _with_facts(report)
    web = report_markup(with_facts, _WebLinks(), WebHeader(story_id=7, independent_sources=2))
    for page in (to_html(with_facts), str(web)):
        assert page.index('id="facts"') < page.index('id="summary"')
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "&lt;b&gt;15 km&lt;/b&gt;" in page
        assert 'class="tag t-developing"' in page and 'class="tag t-disputed"' in page
        assert '<ol class="devline">' in page


def test_no_facts_is_a_clear_empty_section(report: dict[str, Any]) -> None:
    empty = copy.deepcopy(report)
    empty["facts"] = []
    assert "No checkable fact" in to_markdown(empty)
    assert "No checkable fact" in to_html(empty)
