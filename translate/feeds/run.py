"""A feed job, start to end: gather the items (translate/feeds/gather.py), send those the state
store has not seen — new or changed — through the corpus engine (local or Ray) with the job's
work, store each result, then hand every item's result back in feed order, from the store.

Two passes keep memory flat whatever the feed's size: the first streams items to the engine in
windows and keeps only their keys; the second reads the results back one by one. A rerun finds
the unchanged items in the store and sends nothing to the model for them."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..corpus.local import Meter
from ..corpus.reading import Item
from ..corpus.work import Job
from ..options import memory_context
from ..sources.feed.items import FeedInfo, FeedItem
from ..sources.url import Fetched
from ..version import __version__
from .fetching import PoliteFetcher
from .gather import Gathering, Report, fetch_articles
from .options import FeedOptions
from .state import StateStore
from .work import payload

WINDOW = 64  # items looked up in the store, and their articles fetched, at a time


@dataclass
class Processed:
    """What a feed job's first pass did; ``result(key)`` gives each item's stored record."""

    state: StateStore
    scope: str
    report: Report
    merged: bool
    order: list[str] = field(default_factory=list)            # every item's key, in feed order
    channels: dict[str, str] = field(default_factory=dict)     # a feed's source → its channel's key
    failures: dict[str, str] = field(default_factory=dict)     # key → why its work failed (retried next run)
    new: int = 0                                               # items sent to the model this run
    sentences: int = 0
    newest: str = ""                                           # the latest item date seen (ISO 8601)

    def result(self, key: str) -> dict[str, Any] | None:
        """The item's stored result, with the item as the feed gives it now (a rerun's dates, enclosures
        and author are today's, whatever the translation's age)."""
        record = self.state.get(self.scope, key) or (self.state.get(failed_scope(self.scope), key)
                                                      if key in self.failures else None)
        current = self.state.get(current_scope(self.scope), key) if record is not None else None
        return {**record, "item": current} if record is not None and current is not None else record

    def results(self) -> Iterator[tuple[str, dict[str, Any] | None]]:
        """Each item's key and stored record (None when its work failed: ``failures`` says why)."""
        for key in self.order:
            yield key, self.result(key)


def check_apart(output: str | None, source: str, state: StateStore) -> None:
    """Refuse an output that is the input feed or the state store: writing it would destroy what the
    run reads (and the next run's memory of it)."""
    import os

    from ..errors import UsageError
    from ..sources.url import is_url

    if output in (None, "-"):
        return
    target = os.path.realpath(str(output))
    if source != "-" and not is_url(source) and target == os.path.realpath(source):
        raise UsageError(f"the output '{output}' is the input feed: choose another output", option="output")
    if target in {os.path.realpath(str(state.path)) + suffix for suffix in ("", "-wal", "-shm", "-journal")}:
        raise UsageError(f"the output '{output}' is the feed state store: choose another output", option="output")


def scope_of(job: Job, feed: FeedOptions, **extra: Any) -> str:
    """The state store's scope for this job: every option a result depends on, and the code's version."""
    described = memory_context(job.load, job.decoding, job.pipeline, version=__version__, tool=job.tool,
                               lengths=list(job.lengths), method=job.method, **feed.scope(), **extra)
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()[:24]


def item_key(item: FeedItem) -> str:
    return f"{item.feed}\t{item.id}\t{item.fingerprint()}"


def channel_item(info: FeedInfo) -> FeedItem:
    """A feed's own title and description, translated like an item's (the writers' channel title)."""
    import html

    return FeedItem(id="#channel", feed=info.source, title=info.title,
                    html=f"<p>{html.escape(info.description)}</p>" if info.description.strip() else "")


@contextlib.contextmanager
def feed_job(source: str, job: Job, *, feed: FeedOptions, output: str | None, state: StateStore | None = None,
             fetcher: PoliteFetcher | None = None, engine: str = "local", ray_address: str | None = None,
             actors: int | None = None, progress: bool = False, prefetched: Fetched | None = None,
             lists: bool = True, channels: bool = True) -> Iterator[Processed]:
    """A feed job's first pass (:func:`process`) with what every command needs around it: the state
    store (``feed.state``'s, closed after, unless ``state`` is given), the output checked apart from the
    input and the store, a polite fetcher, offline mode from the options or the environment."""
    from ..models import offline_mode

    offline = bool(job.load.offline) if job.load.offline is not None else offline_mode()
    store = state or StateStore(feed.state)
    try:
        check_apart(output, source, store)
        yield process(source, job, feed=feed, state=store, engine=engine, ray_address=ray_address, actors=actors,
                      fetcher=fetcher or PoliteFetcher(delay_s=feed.delay_s, offline=offline), progress=progress,
                      offline=offline, prefetched=prefetched, lists=lists, channels=channels)
    finally:
        if state is None:
            store.close()


def process(source: str, job: Job, *, feed: FeedOptions, state: StateStore, fetcher: PoliteFetcher,
            engine: str = "local", ray_address: str | None = None, actors: int | None = None,
            progress: bool = True, offline: bool = False, scope_extra: dict[str, Any] | None = None,
            prefetched: Fetched | None = None,
            lists: bool = True, channels: bool = True) -> Processed:
    """The first pass: every item of ``source`` the store lacks goes through ``job`` on ``engine``.
    ``lists=False`` refuses an OPML list (a server answers for one feed per request, not a thousand)."""
    gathering = Gathering(source, fetcher=fetcher, state=state, input_format=job.pipeline.input_format,
                          lists=lists,
                          since=feed.since, offline=offline, prefetched=prefetched)
    done = Processed(state, scope_of(job, feed, **(scope_extra or {})), gathering.report, False)
    meter = Meter(job.tool, None, 0, progress)
    sink = _StoreSink(done)
    items = _new_items(gathering, done, feed, fetcher, channels=channels)
    if engine == "ray":
        from ..corpus.ray_engine import run_ray

        run_ray(job, items, sink, meter, address=ray_address, actors=actors or 2, quiet=not progress)
    else:
        from ..corpus.local import run_local

        run_local(job, items, sink, meter)
    done.merged = gathering.merged
    return done


def _new_items(gathering: Gathering, done: Processed, feed: FeedOptions, fetcher: PoliteFetcher, *,
               channels: bool = True) -> Iterator[Item]:
    """The engine's input: the items whose results are not stored yet (each once), with their
    articles fetched when asked; keys of all the items recorded in order on the way. ``channels``: the
    feeds' own titles too (a translated feed shows them; a briefing does not)."""
    queued: set[str] = set()
    position = 0
    stream = gathering.items()
    while True:
        window: list[FeedItem] = list(itertools.islice(stream, WINDOW))
        keyed = _channels(gathering, done) if channels else []  # the feeds begun by now (after: all of them)
        keyed += [(item_key(item), item) for item in window]
        done.order.extend(item_key(item) for item in window)
        done.state.put_many(current_scope(done.scope), [(item_key(item), item.to_dict()) for item in window])
        done.newest = max([done.newest, *(item.date for item in window)])
        stored = done.state.seen(done.scope, [key for key, _ in keyed])
        fresh = [(key, item) for key, item in keyed if key not in stored and key not in queued]
        queued.update(key for key, _ in fresh)
        wanted = feed.fetch_articles and not feed.titles_only
        articles = fetch_articles([item for _, item in fresh], fetcher) if wanted else {}
        for key, item in fresh:
            page, why = articles.get(item.link, (None, None))
            done.new += item.id != "#channel"
            yield Item(position, key, text=payload(item, page, why))
            position += 1
        if not window:
            return


def _channels(gathering: Gathering, done: Processed) -> list[tuple[str, FeedItem]]:
    """The channel titles of the feeds met since the last call, to translate like items (none when merged:
    several feeds have no one title). An empty feed's too: its title is translated all the same."""
    if gathering.merged:
        return []
    keyed = []
    for info in gathering.report.feeds:
        if info.source not in done.channels and info.title.strip():
            item = channel_item(info)
            done.channels[info.source] = item_key(item)
            keyed.append((item_key(item), item))
    return keyed


def current_scope(scope: str) -> str:
    """Where each item is kept as the feed gave it this run (what pass two writes, with its result)."""
    return f"current:{scope}"


def failed_scope(scope: str) -> str:
    """Where failed items' untranslated results wait for pass two (a rerun does not count them seen)."""
    return f"failed:{scope}"


class _StoreSink:
    """The engines' sink: each record's result into the state store, in one transaction a window."""

    def __init__(self, done: Processed) -> None:
        self.done = done

    def write(self, records: list[dict]) -> None:
        ok = [(r["id"], json.loads(r["output"])) for r in records if r["status"] == "ok"]
        self.done.state.put_many(self.done.scope, ok)
        failed = [r for r in records if r["status"] != "ok"]
        self.done.state.put_many(failed_scope(self.done.scope), [(r["id"], json.loads(r["output"]))
                                                                 for r in failed if r["output"]])
        for r in records:
            if r["status"] != "ok":
                self.done.failures[r["id"]] = r["error"] or "failed"
            self.done.sentences += r["counts"].get("sentences", 0)
