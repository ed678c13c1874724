"""The one place that wires sources, extraction and the store together.

`extract_documents` is the no-storage path behind `storyline extract`;
`ingest` is the storing path behind `storyline ingest` and the demo.
"""

from __future__ import annotations

import collections
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import IO

from storyline.errors import OptionsError
from storyline.ingest.extract import ExtractOptions, extract
from storyline.ingest.fetch import Fetcher, FetchOptions
from storyline.ingest.inputs import KnownUrl, SourceContext, iter_sources
from storyline.model import Article, IngestOutcome, IngestReport, RawDocument, Rejected
from storyline.store import Store

Extracted = Article | Rejected | KnownUrl
OnOutcome = Callable[[IngestOutcome], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestOptions:
    """Options for reading, extracting and storing a batch of sources.

    Attributes:
        extract: extraction options (minimum words, size cap, trafilatura trade-off).
        fetch: HTTP limits for URLs and feeds.
        batch_size: articles per store transaction.
        workers: processes used for extraction (1 = in this process).
    """

    extract: ExtractOptions = field(default_factory=ExtractOptions)
    fetch: FetchOptions = field(default_factory=FetchOptions)
    batch_size: int = 200
    workers: int = 1

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise OptionsError(f"batch_size must be at least 1 (got {self.batch_size})")
        if self.workers < 1:
            raise OptionsError(f"workers must be at least 1 (got {self.workers})")


def extract_documents(
    specs: Iterable[str],
    options: IngestOptions | None = None,
    *,
    fetcher: Fetcher | None = None,
    stdin: IO[bytes] | None = None,
    is_known: Callable[[str], bool] | None = None,
) -> Iterator[Extracted]:
    """Read every source and extract each document, in input order."""
    options = options or IngestOptions()
    own = fetcher is None
    fetcher = fetcher or Fetcher(options.fetch)
    ctx = SourceContext(
        fetcher=fetcher,
        stdin=stdin,
        is_known=is_known or (lambda _u: False),
        max_bytes=options.extract.max_bytes,
    )
    try:
        yield from _extract_stream(iter_sources(specs, ctx), options)
    finally:
        if own:
            fetcher.close()


def _extract_stream(items: Iterator[RawDocument | Rejected | KnownUrl], options: IngestOptions) -> Iterator[Extracted]:
    if options.workers == 1:
        for item in items:
            yield extract(item, options.extract) if isinstance(item, RawDocument) else item
        return
    # Bounded look-ahead keeps memory flat for any input size while both cores work.
    pending: collections.deque[Future[Article | Rejected] | Rejected | KnownUrl] = collections.deque()
    window = options.workers * 16
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(options.workers, mp_context=context) as pool:
        for item in items:
            pending.append(pool.submit(extract, item, options.extract) if isinstance(item, RawDocument) else item)
            while len(pending) >= window:
                yield _resolve(pending.popleft())
        while pending:
            yield _resolve(pending.popleft())


def _resolve(item: Future[Article | Rejected] | Rejected | KnownUrl) -> Extracted:
    return item.result() if isinstance(item, Future) else item


def ingest(
    specs: Iterable[str],
    store: Store,
    options: IngestOptions | None = None,
    *,
    fetcher: Fetcher | None = None,
    stdin: IO[bytes] | None = None,
    on_outcome: OnOutcome | None = None,
    after_batch: Callable[[], object] | None = None,
) -> IngestReport:
    """Read, extract and store every source; each batch is committed atomically.

    `after_batch` runs after each stored batch (the CLI clusters the new articles there, so
    stories grow while a long ingest runs).

    Returns:
        One outcome per input (stored / already stored / rejected) and the counts.
    """
    options = options or IngestOptions()

    def is_known(url: str) -> bool:
        return bool(store.known_urls([url]))

    items = extract_documents(specs, options, fetcher=fetcher, stdin=stdin, is_known=is_known)
    return store_in_batches(items, store, options.batch_size, on_outcome=on_outcome, after_batch=after_batch)


def store_in_batches(
    items: Iterable[Extracted],
    store: Store,
    batch_size: int,
    *,
    on_outcome: OnOutcome | None = None,
    after_batch: Callable[[], object] | None = None,
) -> IngestReport:
    """Store `items` in batches of `batch_size`, each in one transaction, calling `after_batch`
    after each (and once at the end); the writer of both engines (the Ray engine's items come
    from its stages)."""
    outcomes: list[IngestOutcome] = []
    batch: list[Extracted] = []

    def flush() -> None:
        for outcome in _store_batch(store, batch):
            outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome)
        batch.clear()
        if after_batch:
            after_batch()

    for item in items:
        batch.append(item)
        if len(batch) >= batch_size:
            flush()
    flush()
    return IngestReport(tuple(outcomes))


def _store_batch(store: Store, batch: list[Extracted]) -> list[IngestOutcome]:
    """Write a batch's articles and rejections; return outcomes in input order."""
    articles = [item for item in batch if isinstance(item, Article)]
    results = iter(store.add_articles(articles)) if articles else iter(())
    rejected: list[Rejected] = []
    outcomes: list[IngestOutcome] = []
    for item in batch:
        if isinstance(item, KnownUrl):
            outcomes.append(IngestOutcome("already stored", item.source, item.external_id, "same URL"))
            continue
        if isinstance(item, Rejected):
            rejected.append(item)
            outcomes.append(IngestOutcome("rejected", item.source, item.external_id, item.reason))
            continue
        res = next(results)
        if res.stored is not None:
            outcomes.append(IngestOutcome("stored", item.source, res.stored.external_id, res.reason))
        elif res.conflict:
            rejected.append(Rejected(item.source, res.conflict, item.external_id))
            outcomes.append(IngestOutcome("rejected", item.source, item.external_id, res.conflict))
        else:
            detail = f"{res.reason} as {res.existing}"
            outcomes.append(IngestOutcome("already stored", item.source, item.external_id, detail))
    store.add_rejections(rejected)
    return outcomes
