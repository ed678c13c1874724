"""Outlet identity: one outlet per publisher, whatever an article's metadata gives.

**Per article** (:func:`article_outlet`, pure): its site name (the `outlet` of a JSON record or the
page's site name), else the registrable domain of its URL (`www.`, `amp.`, `m.`, `mobile.`,
regional and other sub-domains fold: "edition.cnn.com" -> "cnn.com", "hosted.ap.org" -> "ap.org",
"www.bbc.co.uk" -> "bbc.co.uk"; blog hosts keep the blog: "x.substack.com"), else the agency of a
byline ("WASHINGTON (AP) —", "(Reuters) -", "By AFP"), else nothing: the article counts for the
"unknown" outlet, never for none.

**Across the store** (:class:`OutletIndex`): names are compared folded ("The Moscow Times" =
"moscow times"); a domain belongs to the name most of its named articles give (one stray site
name never merges two publishers); a few well-known agencies and papers come with their other
names and domains ("AP" = "Associated Press" = apnews.com); the user's outlet file
(:mod:`.metadata`) adds names, domains and aliases and wins over everything else.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ...model import Article
from ...model.outlets import UNKNOWN_OUTLET, ArticleOutlet, IdentityVia, OutletMetadata, OutletRow

__all__ = [
    "BUILTIN_OUTLETS",
    "OutletIndex",
    "article_outlet",
    "byline_agency",
    "identify",
    "name_key",
    "registrable_domain",
]

#: Outlets whose other names and domains are folded without an outlet file: (name, aliases, domains).
#: Identities only; Storyline bundles no ratings.
BUILTIN_OUTLETS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Reuters", ("Thomson Reuters",), ("reuters.com",)),
    ("The Associated Press", ("AP", "Associated Press", "AP News"), ("apnews.com", "ap.org")),
    ("AFP", ("Agence France-Presse", "Agence France Presse"), ("afp.com",)),
    ("Bloomberg", ("Bloomberg News",), ("bloomberg.com",)),
    ("UPI", ("United Press International",), ("upi.com",)),
    ("The New York Times", ("NYT", "NYTimes"), ("nytimes.com",)),
    ("The Washington Post", ("WaPo",), ("washingtonpost.com",)),
    ("The Wall Street Journal", ("WSJ",), ("wsj.com",)),
    ("USA Today", (), ("usatoday.com",)),
    ("HuffPost", ("Huffington Post", "The Huffington Post"), ("huffpost.com", "huffingtonpost.com")),
    ("Breitbart", ("Breitbart News",), ("breitbart.com",)),
    ("Politico", (), ("politico.com", "politico.eu")),
    ("The Western Journal", ("Western Journal", "Western Journalism"), ("westernjournal.com",)),
    ("BBC", ("BBC News",), ("bbc.com", "bbc.co.uk")),
    ("CNN", (), ("cnn.com",)),
    ("The Guardian", (), ("theguardian.com",)),
    ("Financial Times", ("FT",), ("ft.com",)),
    ("The Moscow Times", (), ("themoscowtimes.com",)),
    ("Meduza", (), ("meduza.io",)),
    ("TASS", (), ("tass.com", "tass.ru")),
    ("Xinhua", (), ("xinhuanet.com", "news.cn")),
)

# Hosts where each sub-domain is its own publisher (the public suffix list calls some of them
# private suffixes already; these it does not).
_BLOG_HOSTS = frozenset({"substack.com", "medium.com", "wordpress.com", "tumblr.com", "livejournal.com"})
_DOMAIN_LIKE = re.compile(r"^(?:https?://)?(?:[\w-]+\.)+[a-z]{2,}(?:/.*)?$", re.IGNORECASE)
_AGENCY = (
    r"Reuters|AP|The Associated Press|Associated Press|AFP|Agence France-Presse|Bloomberg(?: News)?|UPI|dpa|"
    r"DPA|ANI|PTI|IANS|Xinhua|TASS|Interfax|EFE|ANSA|Kyodo|Yonhap|AAP|Anadolu|Bernama"
)
# "WASHINGTON (AP) —", "(Reuters) -", "LONDON, May 3 (Reuters) -" opening a paragraph near the top of
# the body (after the headline, when the text repeats it); "By AFP".
_DATELINE = re.compile(rf"^[^\w(]{{0,3}}(?:[A-Z][\w .,'’/-]{{0,60}}?\s)?\(({_AGENCY})\)\s*[-—–:]", re.MULTILINE)
_BYLINE = re.compile(rf"^\s*By\s+(?:the\s+)?({_AGENCY})\b", re.MULTILINE)
_HEAD = 400  # characters of the body a byline is looked for in


def registrable_domain(url_or_host: str | None) -> str | None:
    """The publisher's domain of a URL or host: its registrable part by the public suffix list,
    lower case, without port; a blog host keeps the blog's sub-domain. None for no URL, an IP
    address or a host without a public suffix ("localhost")."""
    if not url_or_host:
        return None
    from tld import get_fld  # the public suffix list, bundled with courlan's dependency `tld`

    url = url_or_host if "://" in url_or_host else f"http://{url_or_host}"
    try:
        fld = get_fld(url, fail_silently=True, fix_protocol=False)
    except (ValueError, TypeError):
        return None
    if not fld or re.fullmatch(r"[\d.]+", fld):
        return None
    fld = fld.lower()
    if fld in _BLOG_HOSTS:
        host = (re.match(r"^[a-z][\w+.-]*://([^/:?#]+)", url.lower()) or [None, ""])[1] or ""
        labels = host.split(".")
        return ".".join(labels[-3:]) if len(labels) >= 3 and labels[-3] not in {"www", "m", "amp"} else fld
    return fld


def name_key(name: str | None) -> str | None:
    """A publisher's name folded for comparison: Unicode-normalised, case-folded, without a
    leading "the" and without anything but letters and digits (None when nothing is left)."""
    if not name:
        return None
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = re.sub(r"^the\s+", "", text)
    key = "".join(ch for ch in text if ch.isalnum())
    return key or None


def _clean_name(name: str | None) -> str | None:
    if not name:
        return None
    text = " ".join(name.split())[:200]
    return text or None


def byline_agency(text: str) -> str | None:
    """The news agency a body's dateline or byline names ("WASHINGTON (AP) —" -> "AP"), or None."""
    head = text[:_HEAD]
    found = _DATELINE.search(head) or _BYLINE.search(head)
    return found.group(1) if found else None


def article_outlet(article: Article) -> ArticleOutlet:
    """Who published `article` by its own metadata: site name, URL domain, byline agency, or nothing."""
    assert article.id is not None, "identities are kept for stored articles"
    return identify(
        article.id, article.outlet, article.url, article.text, published=article.published, language=article.language
    )


def identify(
    article_id: int,
    outlet: str | None,
    url: str | None,
    text: str,
    *,
    published: dt.date | None = None,
    language: str | None = None,
) -> ArticleOutlet:
    """:func:`article_outlet` over the plain fields (the store hands over only the body's head)."""
    name = _clean_name(outlet)
    domain = registrable_domain(url)
    if name and _DOMAIN_LIKE.match(name) and " " not in name and (as_domain := registrable_domain(name)):
        domain, name = domain or as_domain, None  # a "site name" that is a domain ("NYTimes.com")
    via: IdentityVia = "site" if name else "domain" if domain else "unknown"
    agency = byline_agency(text)
    if via == "unknown" and agency:
        name, via, agency = agency, "byline", None
    return ArticleOutlet(
        article_id=article_id,
        name=name,
        name_key=name_key(name),
        domain=domain,
        via=via,
        wire=agency,
        published=published,
        language=language,
    )


@dataclass(slots=True)
class OutletIndex:
    """Names and domains resolved to one outlet each, across the store and the user's outlet file.

    Build it with :meth:`build`; :meth:`outlet_of` names an article's outlet from its
    :class:`ArticleOutlet` fields; :meth:`lookup` finds an outlet by any of its names or domains.
    """

    by_key: dict[str, str] = field(default_factory=dict)  # folded name -> outlet
    by_domain: dict[str, str] = field(default_factory=dict)  # domain -> outlet
    domains: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # outlet -> domains
    metadata: dict[str, OutletMetadata] = field(default_factory=dict)  # outlet -> the file's row

    @classmethod
    def build(cls, names: Iterable[OutletRow], metadata: Sequence[OutletMetadata] = ()) -> OutletIndex:
        """Resolve the store's names and domains (`names`) with the built-ins and the outlet file."""
        index = cls()
        for name, aliases, domains in BUILTIN_OUTLETS:
            index._register(name, (name, *aliases), domains)
        for row in metadata:
            index._add_metadata(row)
        rows = list(names)
        written: dict[str, Counter[str]] = defaultdict(Counter)
        by_domain: dict[str, Counter[str]] = defaultdict(Counter)
        for r in rows:
            if r.name_key and r.name:
                written[r.name_key][r.name] += r.articles
                if r.domain:
                    by_domain[r.domain][r.name_key] += r.articles
        for key, forms in written.items():
            index.by_key.setdefault(key, forms.most_common(1)[0][0])
        for r in rows:
            if r.domain and r.domain not in index.by_domain:
                majority = by_domain.get(r.domain)
                outlet = index.by_key[majority.most_common(1)[0][0]] if majority else r.domain
                index.by_domain[r.domain] = outlet
            if r.domain:
                index.domains[index.outlet_of(r.name_key, r.domain)].add(r.domain)
        return index

    def _register(self, outlet: str, names: Iterable[str], domains: Iterable[str]) -> None:
        for n in names:
            if key := name_key(n):
                self.by_key[key] = outlet
        for d in domains:
            self.by_domain[d] = outlet
            self.domains[outlet].add(d)

    def _add_metadata(self, row: OutletMetadata) -> None:
        known = [self.by_key.get(name_key(row.name) or "")] + [self.by_domain.get(d) for d in row.domains]
        outlet = row.name or next((k for k in known if k), None) or row.domains[0]
        alias_names = [a for a in row.aliases if not _is_domain(a)]
        alias_domains = [d for a in row.aliases if _is_domain(a) and (d := registrable_domain(a))]
        old = next((k for k in known if k), None)
        if old and old != outlet:  # the file renames a built-in: its names follow
            for key in [k for k, v in self.by_key.items() if v == old]:
                self.by_key[key] = outlet
            for dom in self.domains.pop(old, set()):
                self.by_domain[dom] = outlet
                self.domains[outlet].add(dom)
        self._register(outlet, [outlet, *alias_names], [*row.domains, *alias_domains])
        self.metadata[outlet] = row

    def outlet_of(self, key: str | None, domain: str | None) -> str:
        """The outlet of an article with this folded name and domain ("unknown" with neither)."""
        if key:
            return self.by_key.get(key) or key
        if domain:
            return self.by_domain.get(domain, domain)
        return UNKNOWN_OUTLET

    def lookup(self, query: str) -> str | None:
        """The outlet named `query`: by any of its names (folded), a domain or a URL; None if none."""
        outlets = set(self.by_key.values()) | set(self.by_domain.values())
        if query in outlets or query == UNKNOWN_OUTLET:
            return query
        folded = {name_key(o): o for o in outlets}
        key = name_key(query)
        if key and (hit := self.by_key.get(key) or folded.get(key)):
            return hit
        domain = registrable_domain(query) if _is_domain(query) else None
        return self.by_domain.get(domain) if domain else None


def _is_domain(text: str) -> bool:
    return bool(_DOMAIN_LIKE.match(text.strip())) and " " not in text.strip()
