"""Ingest on Ray Data: the same ingest as :mod:`storyline.ingest.local`, with extraction and embedding
spread over a Ray cluster (or over this machine's cores in a local Ray).

Stages, and where each runs (docs/ray.md)::

    driver       read sources: files, folders, JSON lines, WARC, URLs, feeds, stdin (`iter_sources`),
                 a window of raw documents at a time, handed to Ray as Arrow blocks
    Ray tasks    extract (trafilatura / plain-text cleaning), then dedup signatures: the content hash
                 and URL each article is deduplicated on; repeats inside a block are not embedded
    Ray actors   embed: MiniLM loaded once per actor, the article vector `stories.describe` would make
    driver       in input order, batch by batch: store atomically (`Store.add_articles`), record
                 rejections, cache vectors and features and cluster (`StoryBuilder.update`)

The store is reached from the driver only. Outcomes, row ids and stories are those of the local
engine on the same input: batches are stored in the same order, and a MiniLM vector does not depend
on which texts share its embedding batch (tests/test_ray.py checks both).

Ray is imported only when a Ray ingest runs; without it, :class:`RayMissingError` says what to install.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import os
import socket
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from ..errors import OptionsError, RayMissingError, RayUnavailableError
from ..model import Article, Hints, IngestReport, RawDocument, Rejected
from ..store import Store
from ..stories.embed import DIM, Embedder, EmbedOptions, Vectors, default_embedder, from_bytes, to_bytes
from ..stories.features import FeatureOptions, lead_text
from .extract import ExtractOptions, extract
from .fetch import Fetcher
from .inputs import Item, KnownUrl, SourceContext, iter_sources
from .local import Extracted, IngestOptions, OnOutcome, store_in_batches  # the local engine's batch writer

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

__all__ = ["PrecomputedVectors", "RayMissingError", "RayOptions", "RayUnavailableError", "ingest"]

INSTALL_HINT = "pip install 'storyline[ray]'"


@dataclass(frozen=True, slots=True, kw_only=True)
class RayOptions:
    """Where the Ray stages run and how much the driver hands them at once.

    The number of workers is :attr:`IngestOptions.workers`: that many embedding actors, and up to
    that many extraction tasks at once. A local Ray gets `workers` CPUs.

    Attributes:
        address: a running cluster: "auto" (this node belongs to it), "HOST:6379", or
            "ray://HOST:10001" (Ray Client). None starts a private local Ray and stops it afterwards.
        window: raw documents the driver reads ahead and hands to Ray at once; with `window_bytes`,
            this bounds the driver's memory whatever the input size.
        window_bytes: a window also closes once its documents hold this many bytes.
        block_rows: documents per extraction task.
        embed_batch: articles per call of an embedding actor.
        quiet: keep Ray's progress bars and log lines off the console (the CLI).
    """

    address: str | None = None
    window: int = 10_000
    window_bytes: int = 256_000_000
    block_rows: int = 50
    embed_batch: int = 64
    quiet: bool = True

    def __post_init__(self) -> None:
        for name in ("window", "window_bytes", "block_rows", "embed_batch"):
            if getattr(self, name) < 1:
                raise OptionsError(f"{name} must be at least 1 (got {getattr(self, name)})")
        if self.address is not None and not self.address.strip():
            raise OptionsError("the Ray address is empty: give auto, HOST:6379 or ray://HOST:10001, or leave it out")


class PrecomputedVectors:
    """An embedding function that answers from vectors the Ray actors computed.

    Give it to :class:`~storyline.stories.builder.StoryBuilder` as `embed`: the builder then describes and
    clusters stored articles exactly as in a local ingest, without loading the model on the driver.
    Texts it was not given (articles stored by an earlier run that never got a vector) are embedded
    here, and counted in `misses`.
    """

    def __init__(self, features: FeatureOptions | None = None) -> None:
        self.features = features or FeatureOptions()
        self.misses = 0
        self._known: dict[str, Vectors] = {}

    def add(self, article: Article, vector: Vectors) -> None:
        """Remember the vector of `article` (by the text `describe` will ask for)."""
        self._known[lead_text(article, self.features.vector_chars)] = vector

    def clear(self) -> None:
        """Forget every vector (after each stored batch, so memory stays flat)."""
        self._known.clear()

    def __call__(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        missing = [i for i, text in enumerate(texts) if text not in self._known]
        for i, text in enumerate(texts):
            if text in self._known:
                out[i] = self._known[text]
        if missing:
            self.misses += len(missing)
            out[missing] = default_embedder(self.features.vector_tokens)([texts[i] for i in missing])
        return out


def ingest(
    specs: Iterable[str],
    store: Store,
    options: IngestOptions | None = None,
    *,
    ray_options: RayOptions | None = None,
    vectors: PrecomputedVectors | None = None,
    fetcher: Fetcher | None = None,
    stdin: IO[bytes] | None = None,
    on_outcome: OnOutcome | None = None,
    after_batch: Callable[[], object] | None = None,
) -> IngestReport:
    """Read, extract (and embed) every source on Ray; store each batch atomically on the driver.

    Same contract as :func:`storyline.ingest.local.ingest`. With `vectors`, the actors also embed each
    article and the vectors of every batch wait in `vectors` while `after_batch` runs (give the
    same object to the `StoryBuilder` whose `update` is `after_batch`).

    Raises:
        RayMissingError: Ray Data is not installed.
        RayUnavailableError: Ray cannot start, or the cluster at `ray_options.address` cannot be reached.
    """
    options = options or IngestOptions()
    ray_options = ray_options or RayOptions()
    own = fetcher is None
    fetcher = fetcher or Fetcher(options.fetch)
    ctx = SourceContext(
        fetcher=fetcher,
        stdin=stdin,
        is_known=lambda url: bool(store.known_urls([url])),
        max_bytes=options.extract.max_bytes,
    )

    def items(stages: _Stages) -> Iterator[Extracted]:
        for item, vector in stages.run(iter_sources(specs, ctx)):
            if vectors and vector is not None and isinstance(item, Article):
                vectors.add(item, vector)  # waits there until its batch is stored and grouped
            yield item

    def after() -> None:
        if after_batch:
            after_batch()
        if vectors:
            vectors.clear()

    try:
        with _ray_session(ray_options, options.workers):
            stages = _Stages(options, ray_options, vectors.features if vectors else None)
            return store_in_batches(items(stages), store, options.batch_size, on_outcome=on_outcome, after_batch=after)
    finally:
        if own:
            fetcher.close()


# -- Ray session ----------------------------------------------------------------------------------


def _import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise RayMissingError(f"--engine ray needs Ray Data, which is not installed: {INSTALL_HINT}") from exc
    return ray


@contextlib.contextmanager
def _ray_session(options: RayOptions, workers: int) -> Iterator[None]:
    """Use the running Ray session, or start one (local, or connected to `options.address`) and
    shut it down afterwards."""
    ray = _import_ray()
    if ray.is_initialized():  # a session the caller owns (tests, a notebook, a Ray job): leave it running
        _check_cpus(ray, workers)
        yield
        return
    level = logging.ERROR if options.quiet else logging.WARNING
    if options.address:
        _probe(options.address)
    try:
        if options.address:
            ray.init(address=options.address, logging_level=level, log_to_driver=not options.quiet)
        else:
            # "local" starts a private instance even when `ray start` left one running on this machine.
            # Its workers would run at nice 15, Ray's default, and starve beside any busy process (a
            # first run of 50 articles had not ended after 14 minutes beside a test run; docs/scale.md):
            # the same priority as the local engine, unless the user set one.
            os.environ.setdefault("RAY_worker_niceness", "0")
            ray.init(
                address="local",
                num_cpus=workers,
                include_dashboard=False,
                logging_level=level,
                log_to_driver=not options.quiet,
            )
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"the Ray cluster at {options.address}" if options.address else "a local Ray"
        raise RayUnavailableError(f"cannot start or reach {where}: {exc}") from exc
    try:
        _check_cpus(ray, workers)
        yield
    finally:
        ray.shutdown()


def _probe(address: str, timeout: float = 10.0) -> None:
    """Fail fast on an address nothing answers at: Ray itself retries for minutes, logging each try."""
    if address == "auto":  # Ray finds the cluster this node belongs to, or says at once there is none
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not (port.isascii() and port.isdigit()):
        raise OptionsError(f"not a Ray address: {address!r}; give auto, HOST:6379 or ray://HOST:10001")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise RayUnavailableError(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}") from exc


def _check_cpus(ray: Any, workers: int) -> None:
    """Refuse more workers than the cluster has CPUs: Ray Data would wait for their actors forever."""
    cpus = ray.cluster_resources().get("CPU", 0)
    if workers * (_TASK_CPUS + _ACTOR_CPUS) > cpus:
        raise OptionsError(f"--workers {workers} needs {workers} CPUs in the Ray cluster, which has {cpus:g}")


@contextlib.contextmanager
def _data_context(options: RayOptions) -> Iterator[Any]:
    """Ray Data's settings for one run (input order kept; quiet for the CLI), restored afterwards."""
    ray = _import_ray()
    with warnings.catch_warnings():
        # Ray 2.60's DataContext() sets its own deprecated fields while it is built and warns about them.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ray\.data\.context")
        context = ray.data.DataContext.get_current()
    saved = (
        context.execution_options.preserve_order,
        context.enable_progress_bars,
        context.print_on_execution_start,
        context.enable_auto_log_stats,
    )
    context.execution_options.preserve_order = True  # outcomes and row ids in input order, as locally
    if options.quiet:
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        context.enable_auto_log_stats = False
    consoles = _quiet_console(options.quiet)
    try:
        yield context
    finally:
        (
            context.execution_options.preserve_order,
            context.enable_progress_bars,
            context.print_on_execution_start,
            context.enable_auto_log_stats,
        ) = saved
        for handler, level in consoles:
            handler.setLevel(level)


def _quiet_console(quiet: bool) -> list[tuple[logging.Handler, int]]:
    """Raise Ray Data's console handler to ERROR (its log file in the session folder keeps everything)."""
    if not quiet:
        return []
    changed: list[tuple[logging.Handler, int]] = []
    for handler in logging.getLogger("ray.data").handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            changed.append((handler, handler.level))
            handler.setLevel(logging.ERROR)
    return changed


# -- the stages -----------------------------------------------------------------------------------


class _Stages:
    """The Ray Data plan: raw rows → extract + signatures (tasks) → embed (actors) → the driver."""

    def __init__(self, options: IngestOptions, ray_options: RayOptions, features: FeatureOptions | None) -> None:
        self.options = options
        self.ray_options = ray_options
        self.features = features

    def run(self, items: Iterator[Item]) -> Iterator[tuple[Extracted, Vectors | None]]:
        """Every item extracted (and embedded), in input order, one window of raw documents at a time."""
        with _data_context(self.ray_options):
            for window in _windows(items, self.ray_options.window, self.ray_options.window_bytes):
                yield from self._window(window)

    def _window(self, window: list[Item]) -> Iterator[tuple[Extracted, Vectors | None]]:
        seq = 0
        for table in self._plan(window).iter_batches(batch_size=None, batch_format="pyarrow"):
            for row in table.to_pylist():
                assert row["seq"] == seq, "Ray returned rows out of order"  # preserve_order is set
                seq += 1
                yield _from_row(row)

    def _plan(self, window: list[Item]) -> Any:
        """The Ray Data plan for one window: Arrow blocks → extract + signatures → embed."""
        ray = _import_ray()
        workers = self.options.workers
        # At least one block per worker, so a small window still keeps every worker busy.
        rows = max(1, min(self.ray_options.block_rows, -(-len(window) // workers)))
        blocks = [_raw_table(window[i : i + rows], start=i) for i in range(0, len(window), rows)]
        log.debug("a window of %d inputs in %d blocks", len(window), len(blocks))
        window.clear()  # the blocks hold the documents now: do not keep them twice while the window runs
        workers = min(workers, len(blocks))  # Ray Data warns when a pool has more actors than blocks
        ds = ray.data.from_arrow(blocks).map_batches(
            functools.partial(_extract_block, options=self.options.extract, signatures=self.features is not None),
            batch_format="pyarrow",
            batch_size=None,  # one block per task
            concurrency=workers,
            num_cpus=_TASK_CPUS,
        )
        if self.features is None:
            return ds
        with warnings.catch_warnings():
            # Ray 2.60 has no named parameter for max_restarts yet (pyproject.toml pins 2.60).
            warnings.filterwarnings("ignore", message="`ray_remote_args` is deprecated", category=Warning)
            return ds.map_batches(
                EmbedActor,
                batch_format="pyarrow",
                batch_size=self.ray_options.embed_batch,
                fn_constructor_kwargs={"features": self.features},
                concurrency=workers,
                num_cpus=_ACTOR_CPUS,
                **self._restarts(),
            )

    def _restarts(self) -> dict[str, Any]:
        """No actor restarts in a local Ray: there is no node to lose, an actor that crashed would crash
        again, and Ray 2.60 logs a line per restartable actor (ray-project/ray#57733). A cluster keeps
        Ray Data's default (restart actors lost with their node)."""
        return {} if self.ray_options.address else {"max_restarts": 0}


# Logical CPUs each stage asks Ray for: a worker is one embedding actor and one extraction task,
# half a CPU each, so `workers` actors never hold every CPU of a Ray with `workers` CPUs and the
# extraction tasks always find a slot (actors holding all of them would stall the plan for good).
_TASK_CPUS = 0.5
_ACTOR_CPUS = 0.5


def _windows(items: Iterator[Item], size: int, max_bytes: int) -> Iterator[list[Item]]:
    window: list[Item] = []
    held = 0
    for item in items:
        window.append(item)
        held += len(item.content) if isinstance(item, RawDocument) else 0
        if len(window) >= size or held >= max_bytes:
            yield window
            window, held = [], 0
    if window:
        yield window


# -- rows: what travels between the driver and the stages ----------------------------------------


def _pa() -> Any:
    import pyarrow

    return pyarrow


def _raw_schema() -> pa.Schema:
    pa = _pa()
    return pa.schema(
        [
            ("seq", pa.int64()),
            ("kind", pa.string()),  # raw / rejected / known
            ("source", pa.string()),
            ("external_id", pa.string()),
            ("reason", pa.string()),
            ("content", pa.binary()),
            ("doc_kind", pa.string()),
            ("url", pa.string()),
            ("title", pa.string()),
            ("published", pa.date32()),
            ("outlet", pa.string()),
        ]
    )


def _extracted_schema() -> pa.Schema:
    pa = _pa()
    return pa.schema(
        [
            ("seq", pa.int64()),
            ("kind", pa.string()),  # article / rejected / known
            ("source", pa.string()),
            ("external_id", pa.string()),
            ("reason", pa.string()),
            ("text", pa.string()),
            ("content_hash", pa.string()),
            ("title", pa.string()),
            ("published", pa.date32()),
            ("outlet", pa.string()),
            ("url", pa.string()),
            ("language", pa.string()),
            ("embed", pa.bool_()),
        ]
    )


def _raw_row(seq: int, item: Item) -> dict[str, Any]:
    row: dict[str, Any] = {"seq": seq, "source": item.source, "external_id": item.external_id}
    if isinstance(item, RawDocument):
        hints = item.hints
        row.update(
            kind="raw",
            content=item.content,
            doc_kind=item.kind,
            url=hints.url,
            title=hints.title,
            published=hints.published,
            outlet=hints.outlet,
        )
    elif isinstance(item, Rejected):
        row.update(kind="rejected", reason=item.reason)
    else:
        row.update(kind="known")
    return row


def _raw_table(items: Sequence[Item], *, start: int) -> pa.Table:
    return _pa().Table.from_pylist([_raw_row(start + i, item) for i, item in enumerate(items)], schema=_raw_schema())


def _document(row: dict[str, Any]) -> RawDocument:
    hints = Hints(url=row["url"], title=row["title"], published=row["published"], outlet=row["outlet"])
    return RawDocument(row["source"], row["external_id"], row["content"], row["doc_kind"], hints)


_ARTICLE_FIELDS = tuple(f.name for f in dataclasses.fields(Article) if f.name != "id")


def _extract_block(table: pa.Table, options: ExtractOptions, signatures: bool) -> pa.Table:
    """Stage 1 (a Ray task per block): extract each raw document; pass rejections through."""
    out = []
    for row in table.to_pylist():
        base = {"seq": row["seq"], "kind": row["kind"], "source": row["source"], "external_id": row["external_id"]}
        if row["kind"] == "rejected":
            out.append({**base, "reason": row["reason"]})
        elif row["kind"] == "known":
            out.append(base)
        else:
            done = extract(_document(row), options)
            if isinstance(done, Rejected):
                out.append({**base, "kind": "rejected", "reason": done.reason, "external_id": done.external_id})
            else:
                out.append({"seq": row["seq"], "kind": "article", **{k: getattr(done, k) for k in _ARTICLE_FIELDS}})
    if signatures:
        mark_repeats(out)
    return _pa().Table.from_pylist(out, schema=_extracted_schema())


def mark_repeats(rows: list[dict[str, Any]]) -> None:
    """Stage 2, dedup signatures: the store skips an article whose URL or content hash it holds, so
    an article repeating one earlier in its block gets no vector (`embed` False). It still goes to the
    store, which reports it as a duplicate exactly as in a local ingest."""
    seen: set[tuple[str, str]] = set()
    for row in rows:
        if row["kind"] != "article":
            continue
        keys = {("hash", row["content_hash"])} | ({("url", row["url"])} if row["url"] else set())
        row["embed"] = not keys & seen
        seen |= keys


class EmbedActor:
    """Stage 3 (Ray actors): the article vectors `stories.describe` would compute. The model loads
    once per actor and runs on one thread."""

    def __init__(self, features: FeatureOptions) -> None:
        self.features = features
        self.embed = Embedder(EmbedOptions(max_tokens=features.vector_tokens, threads=1))

    def __call__(self, table: pa.Table) -> pa.Table:
        pa = _pa()
        rows = table.to_pylist()
        wanted = [i for i, row in enumerate(rows) if row["kind"] == "article" and row["embed"]]
        texts = [lead_text(_article(rows[i]), self.features.vector_chars) for i in wanted]
        blobs: list[bytes | None] = [None] * len(rows)
        for i, vector in zip(wanted, self.embed(texts), strict=True):
            blobs[i] = to_bytes(vector)
        return table.append_column(pa.field("vector", pa.binary()), pa.array(blobs, type=pa.binary()))


def _article(row: dict[str, Any]) -> Article:
    return Article(**{k: row[k] for k in _ARTICLE_FIELDS})


def _from_row(row: dict[str, Any]) -> tuple[Extracted, Vectors | None]:
    kind = row["kind"]
    if kind == "rejected":
        return Rejected(row["source"], row["reason"], row["external_id"]), None
    if kind == "known":
        return KnownUrl(row["source"], row["external_id"]), None
    blob = row.get("vector")
    return _article(row), None if blob is None else from_bytes(blob)
