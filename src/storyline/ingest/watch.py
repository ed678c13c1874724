"""Continuous ingest: poll folders, files and feeds in rounds, ingesting only what is new.

`Watcher.run` runs a round every `WatchOptions.every` seconds until stopped. In each round:

- a folder or file is listed, and only files not seen before (or changed since: a different
  modification time or size) are read; what was seen can be kept in a small JSON state file, so a
  later run (`storyline watch --once` from cron) reads nothing it read before;
- a feed is fetched, and its entries whose URL is stored are skipped without fetching (as in
  `ingest`); a page URL already stored is not fetched again;
- the new articles are stored in batches (one short transaction each, so readers of the web app
  never wait: WAL on SQLite, MVCC on PostgreSQL) and grouped into stories after each batch: a
  round is one :class:`storyline.services.IngestRun`, the same sequence `storyline ingest` runs.

A source that fails (unreachable, HTTP error, unreadable feed, missing folder) is tried again
after `every`, then 2x, 4x ... that (at most `max_backoff`), while the other sources go on; one
success resets it. Stopping (an event set by a signal handler) takes effect between batches.
The clock and the sleep are injected, so tests run many rounds without waiting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from storyline.errors import OptionsError, StorylineError
from storyline.ingest.fetch import Fetcher
from storyline.ingest.inputs import expand_paths
from storyline.ingest.local import IngestOptions
from storyline.model import IngestOutcome
from storyline.store import Store
from storyline.stories.builder import StoryOptions

if TYPE_CHECKING:
    from storyline.services import IngestRun

log = logging.getLogger(__name__)

__all__ = ["RoundReport", "SourceResult", "WatchOptions", "Watcher", "backoff_delay", "parse_duration"]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)", re.IGNORECASE)
_UNIT = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_STATE_VERSION = 1
_STATUSES = ("stored", "already stored", "rejected")


def parse_duration(text: str) -> float:
    """Seconds in a duration such as `30s`, `10m`, `1h`, `1h30m` or `90` (seconds).

    Raises:
        OptionsError: not a duration, or not positive.
    """
    compact = text.strip().replace(" ", "")
    parts = _DURATION.findall(compact)
    if not compact or "".join(n + u for n, u in parts).lower() != compact.lower():
        raise OptionsError(f"not a duration: {text!r}; write e.g. 30s, 10m, 1h or 1h30m")
    seconds = sum(float(n) * _UNIT[u.lower()] for n, u in parts)
    if seconds <= 0:
        raise OptionsError(f"a duration must be positive (got {text!r})")
    return seconds


def format_duration(seconds: float) -> str:
    """A short readable duration: `45s`, `10m`, `1h`, `1h30m`."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else "", f"{secs}s" if secs else ""]
    return "".join(parts) or "0s"


def backoff_delay(failures: int, every: float, cap: float) -> float:
    """Seconds to wait before trying a source again after `failures` failures in a row.

    `every` after the first, then twice that, four times ..., at most `cap` (or `every` when it is longer).
    """
    if failures < 1:
        return every
    return min(every * 2.0 ** min(failures - 1, 40), max(cap, every))


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchOptions:
    """How `storyline watch` polls.

    Attributes:
        every: seconds from the start of one round to the start of the next.
        max_backoff: the longest wait before a failing source is tried again.
        max_rounds: stop after this many rounds (None: until stopped).
        ingest: reading, extraction and fetch options, as for `ingest`.
        stories: story options; None leaves new articles ungrouped.
        state_file: a JSON file remembering the files already read, across runs (None: this run only).
        analyse: after each round, do the per-article work of story reports for the articles it
            stored (quotes parsed, sentences and claims embedded; as `ingest --analyse`), so that
            reports of the stories they join are fast while the watch goes on.
    """

    every: float = 600.0
    max_backoff: float = 3600.0
    max_rounds: int | None = None
    ingest: IngestOptions = field(default_factory=IngestOptions)
    stories: StoryOptions | None = field(default_factory=StoryOptions)
    state_file: Path | None = None
    analyse: bool = False

    def __post_init__(self) -> None:
        if self.every <= 0 or self.max_backoff <= 0:
            raise OptionsError(f"every and max_backoff must be positive (got {self.every}, {self.max_backoff})")
        if self.max_rounds is not None and self.max_rounds < 1:
            raise OptionsError(f"max_rounds must be at least 1 (got {self.max_rounds})")


@dataclass(frozen=True, slots=True)
class SourceResult:
    """What one round did with one source.

    `waiting` is True when the source was backing off and not tried; `retry_in` is then (and after
    a failure) the seconds until it is tried again.
    """

    source: str
    counts: dict[str, int]
    error: str | None = None
    waiting: bool = False
    retry_in: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        return {
            "source": self.source,
            "counts": self.counts,
            "error": self.error,
            "waiting": self.waiting,
            "retry_in": self.retry_in,
        }


@dataclass(frozen=True, slots=True)
class RoundReport:
    """One round: what each source gave, the stories touched, and whether a stop cut it short."""

    number: int
    at: dt.datetime
    sources: tuple[SourceResult, ...]
    stories_touched: int = 0
    stopped: bool = False
    analysed: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """Stored, already stored and rejected inputs over every source."""
        return {s: sum(r.counts.get(s, 0) for r in self.sources) for s in _STATUSES}

    @property
    def failed(self) -> list[SourceResult]:
        """The sources tried this round that failed."""
        return [r for r in self.sources if r.error is not None and not r.waiting]

    @property
    def all_failed(self) -> bool:
        """True when every source tried this round failed (and at least one was tried)."""
        tried = [r for r in self.sources if not r.waiting]
        return bool(tried) and all(r.error is not None for r in tried)

    def line(self) -> str:
        """The round on one line: counts, stories, then each failing or waiting source."""
        c = self.counts
        text = (
            f"round {self.number} ({self.at.astimezone().strftime('%Y-%m-%d %H:%M:%S')}): stored {c['stored']} · "
            f"already stored {c['already stored']} · rejected {c['rejected']} · "
            f"stories {self.stories_touched} new or updated"
        )
        if self.analysed:
            text += f" · {self.analysed} analysed for reports"
        notes = [_note(r) for r in self.sources if r.error is not None or r.waiting]
        if self.stopped:
            notes.append("stopped before the end of the round")
        return text + "".join(f" · {n}" for n in notes)

    def to_json(self) -> dict[str, Any]:
        """The round as a JSON-ready dict (one line of `watch --format jsonl`)."""
        return {
            "round": self.number,
            "at": self.at.isoformat(),
            "counts": self.counts,
            "stories": self.stories_touched,
            "stopped": self.stopped,
            "analysed": self.analysed,
            "sources": [r.to_json() for r in self.sources],
        }


def _note(result: SourceResult) -> str:
    retry = f"retry in {format_duration(result.retry_in)}" if result.retry_in is not None else ""
    if result.waiting:
        return f"{result.source}: waiting ({retry} after {result.error})"
    return f"{result.source}: {result.error} ({retry})"


# What makes a source fail for a round without stopping the watch: Storyline's own errors (fetch,
# store) and a lost database connection.
_FAILURES = (StorylineError, sa.exc.OperationalError, sa.exc.InterfaceError)


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return " ".join(text.splitlines()[0].split()) if text else type(exc).__name__


class _Stopped(Exception):
    """Raised between batches when a stop was asked for."""


@dataclass
class _SourceState:
    failures: int = 0
    due: float = float("-inf")
    error: str | None = None


class Watcher:
    """Polls sources in rounds and ingests what is new into a store.

    Args:
        specs: folders, files, and http(s) URLs of feeds or pages (stdin is not watched).
        store: the open store to write to.
        options: polling, ingest and story options.
        fetcher: the HTTP fetcher (default: one built from `options.ingest.fetch`, closed by `close`).
        clock: monotonic seconds (injected in tests).
        sleep: waits that many seconds (default: waits on `stop`, so a stop ends the wait at once).
        stop: set it (from a signal handler) to stop between batches.
    """

    def __init__(
        self,
        specs: Sequence[str],
        store: Store,
        options: WatchOptions | None = None,
        *,
        fetcher: Fetcher | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        if not specs:
            raise OptionsError("name at least one folder, file or feed URL to watch")
        if "-" in specs:
            raise OptionsError("standard input cannot be watched: name folders, files or feed URLs")
        self.specs = list(dict.fromkeys(specs))
        self.store = store
        self.options = options or WatchOptions()
        self.stop = stop or threading.Event()
        self.clock = clock
        self.sleep = sleep or self.stop.wait
        self._own_fetcher = fetcher is None
        self.fetcher = fetcher or Fetcher(self.options.ingest.fetch)
        self.states = {spec: _SourceState() for spec in self.specs}
        self.seen: dict[str, tuple[int, int]] = self._load_state()
        self._seen_changed = False
        self.rounds = 0

    def run(self, on_round: Callable[[RoundReport], object] | None = None) -> RoundReport | None:
        """Run rounds until stopped or `max_rounds` are done; return the last round's report."""
        last: RoundReport | None = None
        while not self.stop.is_set():
            started = self.clock()
            last = self.run_round(started)
            if on_round:
                on_round(last)
            if last.stopped or self.rounds == self.options.max_rounds:
                break
            wait = started + self.options.every - self.clock()
            if wait > 0:
                self.sleep(wait)
        return last

    def run_round(self, now: float | None = None) -> RoundReport:
        """Poll every source that is due at `now` (default: the clock) once."""
        now = self.clock() if now is None else now
        self.rounds += 1
        from storyline.services import IngestRun  # the composition root, which imports this module

        run = IngestRun(
            self.store,
            self.options.ingest,
            stories=self.options.stories,
            analyse=self.options.analyse,
            fetcher=self.fetcher,
        )
        results: list[SourceResult] = []
        stopped = False
        for spec in self.specs:
            state = self.states[spec]
            if state.due > now:
                results.append(SourceResult(spec, _zero(), state.error, waiting=True, retry_in=state.due - now))
                continue
            if self.stop.is_set():
                stopped = True
                break
            result, stopped = self._poll(spec, state, now, run)
            results.append(result)
            if stopped:
                break
        touched = 0
        if any(r.counts["stored"] for r in results):  # else nothing to rebuild
            try:
                touched = len(run.settle())
            except _FAILURES as exc:  # the store went away mid-round: the next round clusters what is left
                log.warning("cannot update the stories: %s", _one_line(exc))
        analysed = self._analyse(run) if self.options.analyse and not stopped else 0
        self._save_state()
        return RoundReport(self.rounds, dt.datetime.now(dt.UTC), tuple(results), touched, stopped, analysed)

    def _analyse(self, run: IngestRun) -> int:
        """The report work for this round's new articles (see `WatchOptions.analyse`); how many were done."""
        batches = run.analyse()  # loads spaCy and the embedder only when asked to
        done = 0
        while not self.stop.is_set():
            try:
                done += next(batches)
            except StopIteration:
                break
            except _FAILURES as exc:  # a report does this work itself when asked: nothing is lost
                log.warning("cannot analyse the new articles: %s", _one_line(exc))
                break
        return done

    def close(self) -> None:
        """Close the fetcher if this watcher made it."""
        if self._own_fetcher:
            self.fetcher.close()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- one source ---------------------------------------------------------------------------------

    def _poll(self, spec: str, state: _SourceState, now: float, run: IngestRun) -> tuple[SourceResult, bool]:
        counts: Counter[str] = Counter()
        rejections: list[str] = []
        stopped = False
        try:
            if spec.lower().startswith(("http://", "https://")):
                self._ingest([spec], counts, rejections, run)
                error = _url_error(counts, rejections)
            else:
                error = self._poll_path(spec, counts, rejections, run)
        except _Stopped:
            error, stopped = None, True
        except _FAILURES as exc:
            error = _one_line(exc)
        if error is None:
            state.failures, state.due, state.error = 0, float("-inf"), None
            return SourceResult(spec, {s: counts[s] for s in _STATUSES}), stopped
        state.failures += 1
        state.error = error
        delay = backoff_delay(state.failures, self.options.every, self.options.max_backoff)
        state.due = now + delay
        log.info("%s failed (%d in a row): %s; retrying in %s", spec, state.failures, error, format_duration(delay))
        return SourceResult(spec, {s: counts[s] for s in _STATUSES}, error, retry_in=delay), stopped

    def _poll_path(self, spec: str, counts: Counter[str], rejections: list[str], run: IngestRun) -> str | None:
        """Ingest the new or changed files of a folder or file; None, or why the path cannot be read."""
        path = Path(spec)
        try:
            if path.is_dir():
                os.listdir(path)  # a folder that cannot be listed is a failing source, not an empty one
                files = expand_paths([spec])
            else:
                path.stat()
                files = [spec]
        except OSError as exc:
            return f"cannot read {spec}: {(exc.strerror or str(exc)).lower()}"
        current = {f: _signature(f) for f in files}
        new = [f for f, sig in current.items() if sig is None or self.seen.get(_key(f)) != sig]
        if new:
            self._ingest(new, counts, rejections, run)
        prefix, listed = _key(spec), {_key(f) for f in files}
        for key in [k for k in self.seen if k == prefix or k.startswith(prefix + os.sep)]:
            if key not in listed:
                del self.seen[key]  # deleted since: forget it
                self._seen_changed = True
        for f in new:
            sig = current[f]
            if sig is not None and not Path(f).is_dir():
                self.seen[_key(f)] = sig
                self._seen_changed = True
        return None

    def _ingest(self, specs: list[str], counts: Counter[str], rejections: list[str], run: IngestRun) -> None:
        def on_outcome(outcome: IngestOutcome) -> None:
            counts[outcome.status] += 1
            if outcome.status == "rejected":
                rejections.append(outcome.detail)

        def after_batch() -> None:
            if self.stop.is_set():
                raise _Stopped

        run.read(specs, on_outcome=on_outcome, after_batch=after_batch)

    # -- files seen, across runs --------------------------------------------------------------------

    def _store_key(self) -> str:
        return hashlib.sha256(self.store.url.encode("utf-8")).hexdigest()[:16]

    def _load_state(self) -> dict[str, tuple[int, int]]:
        path = self.options.state_file
        if path is None or not path.exists():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != _STATE_VERSION or data.get("store") != self._store_key():
                log.warning("%s was written for another store or version: reading every file again", path)
                return {}
            return {str(k): (int(v[0]), int(v[1])) for k, v in data["files"].items()}
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            log.warning("cannot read the watch state %s (%s): reading every file again", path, exc)
            return {}

    def _save_state(self) -> None:
        path = self.options.state_file
        if path is None or not self._seen_changed:
            return
        data = {"version": _STATE_VERSION, "store": self._store_key(), "files": self.seen}
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)  # atomic: a crash leaves the old state or the new one
            self._seen_changed = False
        except OSError as exc:  # the watch goes on; a later run reads again what it cannot remember
            log.warning("cannot write the watch state %s: %s", path, exc.strerror or exc)


def _zero() -> dict[str, int]:
    return dict.fromkeys(_STATUSES, 0)


def _key(path: str) -> str:
    return os.path.abspath(path)


def _signature(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None  # read anyway: ingest turns the failure into a rejection
    return st.st_mtime_ns, st.st_size


def _url_error(counts: Counter[str], rejections: list[str]) -> str | None:
    """A URL source failed when it gave nothing but rejections: unreachable, an HTTP error, an
    unreadable feed, or every entry failing."""
    if counts["stored"] or counts["already stored"] or not rejections:
        return None
    return rejections[0]
