"""What the web pages and the API share: the store, the report cache, ingest jobs, the token check.

Reports are computed by :func:`storyline.services.build_report` (slow the first time: it parses and
embeds; the store then caches quotes and vectors) and kept here in memory, keyed by the story's
membership (its article ids and aliases): a story that gains or loses an article gets a new key,
so its report is computed again on the next request. One lock serialises analysis (reports and
ingests share the models); pages served from the cache never wait for it.

A background thread computes the reports of stories that were listed but not yet analysed, so
the list's independent-source and conflict counts fill in without anyone opening each story.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import queue
import secrets
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyline import services
from storyline.errors import OptionsError
from storyline.model import IngestOutcome, Story
from storyline.options import IngestOptions, ReportOptions
from storyline.services import independent_sources
from storyline.store import Store

log = logging.getLogger(__name__)

__all__ = [
    "IngestJob",
    "IngestRequest",
    "ReportCache",
    "ReportEntry",
    "Site",
    "WebOptions",
    "independent_sources",
    "story_key",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class WebOptions:
    """Limits and behaviour of the web app.

    Attributes:
        page_size: stories or hits per page when none is asked for.
        max_page_size: the most a client may ask for in one page.
        max_body: the largest request body accepted, in bytes (uploads included).
        max_query: the longest search query accepted, in characters.
        max_articles: pasted articles accepted in one ingest request.
        max_urls: URLs accepted in one ingest request.
        max_files: uploaded files accepted in one ingest request.
        reports_cached: story reports kept in memory.
        warm: compute the reports of listed stories in a background thread.
        report: how reports are made.
    """

    page_size: int = 20
    max_page_size: int = 100
    max_body: int = 10_000_000
    max_query: int = 200
    max_articles: int = 100
    max_urls: int = 20
    max_files: int = 20
    reports_cached: int = 256
    warm: bool = True
    report: ReportOptions = field(default_factory=ReportOptions)

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= self.max_page_size:
            raise OptionsError(f"page_size must be between 1 and max_page_size ({self.max_page_size})")
        if min(self.max_body, self.max_query, self.max_articles, self.max_urls, self.max_files) < 1:
            raise OptionsError("max_body, max_query, max_articles, max_urls and max_files must be at least 1")
        if self.reports_cached < 1:
            raise OptionsError("reports_cached must be at least 1")


def story_key(story: Story) -> tuple[tuple[int, str, str | None], ...]:
    """What a story's report depends on that can change: its members (articles never change)."""
    return tuple(sorted((a.id, a.external_id, a.duplicate_of) for a in story.articles))


@dataclass(slots=True)
class ReportEntry:
    """A computed report with what the pages read of it."""

    key: tuple[tuple[int, str, str | None], ...]
    report: dict[str, Any]
    json_bytes: bytes
    independent_sources: int
    conflicts: int
    seconds: float
    rendered: dict[str, str] = field(default_factory=dict)  # page HTML and downloads, made on first use


class ReportCache:
    """Story reports in memory, least recently used dropped first, recomputed when a story changes."""

    def __init__(self, store: Store, options: ReportOptions, size: int, analysis: threading.Lock) -> None:
        self._store = store
        self._options = options
        self._size = size
        self._analysis = analysis
        self._entries: OrderedDict[int, ReportEntry] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, story: Story) -> ReportEntry | None:
        """The report of this story if it is computed and current, else None (never computes)."""
        with self._lock:
            entry = self._entries.get(story.id)
            if entry is None or entry.key != story_key(story):
                return None
            self._entries.move_to_end(story.id)
            return entry

    def get(self, story: Story) -> ReportEntry:
        """The current report of this story, computed now if needed (NotFoundError if it is gone)."""
        entry = self.cached(story)
        if entry is not None:
            return entry
        with self._analysis:
            entry = self.cached(story)  # another request may have computed it meanwhile
            if entry is not None:
                return entry
            start = time.perf_counter()
            report = services.build_report(self._store, story.id, self._options).to_json()
            entry = ReportEntry(
                key=story_key(story),
                report=report,
                json_bytes=json.dumps(report, ensure_ascii=False).encode("utf-8"),
                independent_sources=int(report["independent_sources"]),
                conflicts=len(report.get("conflicts") or []),
                seconds=time.perf_counter() - start,
            )
        log.info("report of story %d computed in %.2f s", story.id, entry.seconds)
        with self._lock:
            self._entries[story.id] = entry
            self._entries.move_to_end(story.id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return entry


class Warmer:
    """One daemon thread computing the reports of stories queued by the list pages."""

    def __init__(self, store: Store, reports: ReportCache, limit: int = 1000) -> None:
        self._store = store
        self._reports = reports
        self._queue: queue.Queue[int] = queue.Queue(limit)
        self._queued: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def enqueue(self, stories: Iterable[Story]) -> None:
        """Queue the stories whose report is missing or stale (a full queue drops the rest)."""
        for story in stories:
            if self._reports.cached(story) is not None:
                continue
            with self._lock:
                if story.id in self._queued or self._stop.is_set():
                    continue
                try:
                    self._queue.put_nowait(story.id)
                except queue.Full:
                    return
                self._queued.add(story.id)
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="storyline-report-warmer", daemon=True)
                    self._thread.start()

    def idle(self) -> bool:
        """True when nothing is queued or being computed."""
        with self._lock:
            return not self._queued

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the report being computed (if any)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                story_id = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                self._reports.get(self._store.get_story(story_id))
            except Exception:  # a story that fails must not stop the others; the page shows the error
                log.exception("background report of story %d failed", story_id)
            finally:
                with self._lock:
                    self._queued.discard(story_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class PastedArticle:
    """An article handed over as text (the API's JSON or the ingest form)."""

    text: str
    title: str | None = None
    url: str | None = None
    id: str | None = None
    published: str | None = None
    outlet: str | None = None

    def record(self) -> dict[str, str]:
        """The JSON record `storyline ingest` reads, with an id from the text when none is given."""
        digest = hashlib.sha1(self.text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        data = {"text": self.text, "id": self.id or f"web-{digest}"}
        for key in ("title", "url", "published", "outlet"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestRequest:
    """What to ingest: pasted articles, URLs of pages or feeds, uploaded files (name, bytes)."""

    articles: Sequence[PastedArticle] = ()
    urls: Sequence[str] = ()
    files: Sequence[tuple[str, bytes]] = ()
    stories: bool = True

    @property
    def size(self) -> int:
        """How many inputs (a file or URL may hold many articles)."""
        return len(self.articles) + len(self.urls) + len(self.files)


@dataclass(slots=True)
class IngestJob:
    """An ingest run and its progress, for the page that watches it."""

    id: str
    total: int
    state: str = "queued"  # queued, running, done, failed
    outcomes: list[IngestOutcome] = field(default_factory=list)
    stories: list[int] = field(default_factory=list)
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def counts(self) -> dict[str, int]:
        """Outcomes per status."""
        return {s: sum(1 for o in self.outcomes if o.status == s) for s in ("stored", "already stored", "rejected")}

    def to_json(self) -> dict[str, Any]:
        """The run as the API returns it."""
        return {
            "job": self.id,
            "state": self.state,
            "counts": self.counts(),
            "outcomes": [o.to_json() for o in self.outcomes],
            "stories": self.stories,
            "error": self.error,
        }


def _safe_name(name: str, n: int) -> str:
    """An uploaded file's name, reduced to a safe base name that keeps its extension."""
    base = Path(name.replace("\\", "/")).name
    kept = "".join(c if c.isalnum() or c in "._-" else "_" for c in base).lstrip(".")[:120]
    return kept or f"upload-{n}.txt"


class Site:
    """The web app's state over one store."""

    def __init__(self, store: Store, token: str | None, options: WebOptions) -> None:
        self.store = store
        self.options = options
        self._token = token or None
        self.analysis = threading.Lock()
        self.reports = ReportCache(store, options.report, options.reports_cached, self.analysis)
        self.warmer = Warmer(store, self.reports) if options.warm else None
        self.jobs: OrderedDict[str, IngestJob] = OrderedDict()
        self._jobs_lock = threading.Lock()
        self._outlets: tuple[float, list[tuple[str, int]]] = (0.0, [])
        self._outlet_pages: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._outlet_lock = threading.Lock()

    @property
    def writable(self) -> bool:
        """True when a token is configured (without one, every write is refused)."""
        return self._token is not None

    def token_ok(self, given: str | None) -> bool:
        """Whether `given` is the configured token (constant-time comparison)."""
        if self._token is None or not given:
            return False
        return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), self._token.encode("utf-8"))

    def outlets(self) -> list[tuple[str, int]]:
        """The outlets offered as filters (re-read at most once a minute)."""
        stamp, found = self._outlets
        if time.monotonic() - stamp > 60 or not found:
            found = self.store.outlets()
            self._outlets = (time.monotonic(), found)
        return found

    def outlet_page(self, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        """An outlet page or answer (`key` starts with the outlets stamp), made once per stamp: the
        profiles change only when the stamp does (the last 64 kept)."""
        with self._outlet_lock:
            body = self._outlet_pages.get(key)
        if body is None:
            body = make()
            with self._outlet_lock:
                self._outlet_pages[key] = body
                while len(self._outlet_pages) > 64:
                    self._outlet_pages.popitem(last=False)
        return body

    def warm(self, stories: Iterable[Story]) -> None:
        """Queue reports of listed stories for the background thread."""
        if self.warmer is not None:
            self.warmer.enqueue(stories)

    def close(self) -> None:
        """Stop the background thread and release the store."""
        if self.warmer is not None:
            self.warmer.stop()
        self.store.close()

    # -- ingest -----------------------------------------------------------------------------------

    def validate(self, request: IngestRequest) -> None:
        """Refuse an ingest request over the limits or with nothing in it (OptionsError)."""
        o = self.options
        if request.size == 0:
            raise OptionsError("nothing to ingest: paste an article's text, give URLs or upload files")
        for what, n, most in (
            ("articles", len(request.articles), o.max_articles),
            ("URLs", len(request.urls), o.max_urls),
            ("files", len(request.files), o.max_files),
        ):
            if n > most:
                raise OptionsError(f"too many {what}: {n} (at most {most} per request)")
        for url in request.urls:
            if not url.lower().startswith(("http://", "https://")):
                raise OptionsError(f"not an http(s) URL: {url[:200]!r}")

    def ingest(self, request: IngestRequest, job: IngestJob | None = None) -> IngestJob:
        """Ingest now (under the analysis lock), updating `job` as inputs are done."""
        self.validate(request)
        job = job or IngestJob(id=secrets.token_urlsafe(9), total=request.size)
        with tempfile.TemporaryDirectory(prefix="storyline-web-") as tmp, self.analysis:
            job.state = "running"
            specs, stdin = self._specs(request, Path(tmp))
            result = services.ingest(
                specs,
                self.store,
                IngestOptions(),
                group=request.stories,
                stdin=stdin,
                on_outcome=job.outcomes.append,
            )
            job.stories = list(result.stories)
        job.outcomes[:] = list(result.report.outcomes)
        self._outlets = (0.0, [])
        return job

    def _specs(self, request: IngestRequest, folder: Path) -> tuple[list[str], io.BytesIO | None]:
        specs: list[str] = []
        stdin = None
        if request.articles:
            records = [a.record() for a in request.articles]
            stdin = io.BytesIO(json.dumps(records).encode("ascii"))  # ASCII: a lone surrogate travels escaped
            specs.append("-")
        specs.extend(request.urls)
        for n, (name, data) in enumerate(request.files, 1):
            path = folder / f"{n:03d}" / _safe_name(name, n)
            path.parent.mkdir()
            path.write_bytes(data)
            specs.append(str(path))
        return specs, stdin

    def start_job(self, request: IngestRequest, on_done: Callable[[IngestJob], None] | None = None) -> IngestJob:
        """Validate, then ingest in a background thread; the job shows progress meanwhile."""
        self.validate(request)
        job = IngestJob(id=secrets.token_urlsafe(9), total=request.size)
        with self._jobs_lock:
            self.jobs[job.id] = job
            while len(self.jobs) > 50:
                self.jobs.popitem(last=False)

        def run() -> None:
            try:
                self.ingest(request, job)
                job.state = "done"
            except Exception as exc:  # shown on the job's page; the server goes on
                log.exception("ingest job %s failed", job.id)
                job.state, job.error = "failed", " ".join(str(exc).split())[:500] or type(exc).__name__
            finally:
                job.finished = time.time()
                if on_done:
                    on_done(job)

        threading.Thread(target=run, name=f"storyline-ingest-{job.id}", daemon=True).start()
        return job
