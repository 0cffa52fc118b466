"""``GET /v1/feed?url=...&to=en``: a feed, translated, for a feed reader to subscribe to directly.

Only where the server fetches URLs (``--allow-urls``), under the same permit as ``POST /v1/translate``'s
``url``: the gate checks the URL, every redirect and every connection's address. The feed job
(``translate.feeds.translated``) runs in a worker thread with the request's translator; its state
store (one per app, in the cache folder) keeps the feed's validators and every item's translation, so
upstream is asked conditionally and only new items are translated.

A reader polls; many readers poll the same feed. So one job runs per URL at a time (a lock per URL:
the subscribers that arrive meanwhile get its result), a rendered feed is kept ``CACHE_S`` seconds
(one conditional request upstream per period at most, and a 304 upstream keeps the render as it
is), and the answer carries an ETag (a hash of its bytes) and Last-Modified (when it was made), so a
reader's own conditional request is answered 304. At most ``SLOTS`` jobs run at once, ``WAITING``
more wait; beyond that, 503 with Retry-After.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import tempfile
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import timezone
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ...errors import InputError, TranslateError, UsageError, first_line
from ...feeds.options import DEFAULT_DELAY_S, FeedOptions
from ...sources.url import permitted
from ..errors import ApiError
from ..requests import TRUE
from ..requests import api_key as read_key
from ..state import app_state, per_app
from .native import check_source, public

if TYPE_CHECKING:
    from ...feeds.fetching import PoliteFetcher
    from ...feeds.state import StateStore
    from ...pipeline import Translator
    from ..security import Gate

logger = logging.getLogger("translate.server")
router = APIRouter()

CACHE_S = 60.0      # a rendered feed is served this long before upstream is asked again (conditionally)
MAX_AGE_S = 300     # what the answer's Cache-Control tells readers and caches
SLOTS = 2           # feed jobs at once (CPU work outside the batcher, as /v1/summarize's digests)
WAITING = 8         # jobs waiting for a slot before more are refused (503)
RETRY_AFTER_S = 5.0
DELAY_S = DEFAULT_DELAY_S  # between two requests to one upstream host (the feed job's courtesy)
MAX_ENTRIES = 256   # rendered feeds kept (the least recently used go first)
STATE_PATH: str | None = None  # the feed state store's file; None: feed-state.sqlite in the cache folder
FALSE = frozenset({"0", "false", "no", "off", ""})
MEDIA_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8",
               "jsonl": "application/x-ndjson; charset=utf-8", "html": "text/html; charset=utf-8"}
PARAMS = {
    "url": "The feed (RSS or Atom; one feed, not an OPML list) to translate: an http(s) address the server may fetch "
           "(--allow-urls).",
    "to": "Target language code (default: the server's).",
    "from": "Source language code, or auto (detected; default).",
    "source": "The same as from.",
    "format": "rss (default), atom, jsonl (a header, then one record per item with its sentences) or html (a "
              "bilingual page).",
    "api_key": "An API key, when the server requires one (or send Authorization: Bearer KEY).",
    # the feed options a request may set: FeedOptions' served fields, as 1/0 flags
    **{f.name: f"1: {f.metadata['help'][0].lower()}{f.metadata['help'][1:]}" for f in dataclasses.fields(FeedOptions)
       if f.metadata["served"]},
}
FLAGS = tuple(f.name for f in dataclasses.fields(FeedOptions) if f.metadata["served"])


@dataclass(frozen=True)
class Rendered:
    """A translated feed as served: its bytes, ETag, when it was made (epoch seconds: Last-Modified),
    until when it is served without asking upstream (monotonic), the upstream validators of the feed
    it was made from, and whether a 304 upstream means it still holds (a single feed: an OPML's
    304 says nothing of the feeds it lists)."""

    body: bytes
    etag: str
    made: float
    fresh_until: float
    upstream: tuple[str | None, str | None]
    reusable: bool


class Feeds:
    """One app's feed machinery: the state store, the polite fetcher, the rendered feeds, a lock per
    URL and the job slots. Used from the event loop only, but the store and the fetcher, which jobs
    use in worker threads (both are safe to share between threads)."""

    def __init__(self, *, offline: bool, state_path: str | Path | None = None) -> None:
        from ...feeds.fetching import PoliteFetcher
        from ...feeds.state import StateStore

        self.state: StateStore = StateStore(state_path if state_path is not None else STATE_PATH)
        self.fetcher: PoliteFetcher = PoliteFetcher(delay_s=DELAY_S, offline=offline)
        self.clock = time.monotonic
        self._rendered: OrderedDict[tuple[Any, ...], Rendered] = OrderedDict()
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._slots = asyncio.Semaphore(SLOTS)
        self._waiting = 0

    def rendered(self, key: tuple[Any, ...]) -> Rendered | None:
        """The last render for ``key``, fresh or not (a stale one may still hold: upstream says)."""
        found = self._rendered.get(key)
        if found is not None:
            self._rendered.move_to_end(key)
        return found

    def keep(self, key: tuple[Any, ...], rendered: Rendered) -> None:
        self._rendered[key] = rendered
        self._rendered.move_to_end(key)
        while len(self._rendered) > MAX_ENTRIES:
            self._rendered.popitem(last=False)

    @contextlib.asynccontextmanager
    async def turn(self, url: str) -> AsyncIterator[None]:
        """One job per URL at a time; the lock is forgotten when nobody holds or awaits it."""
        lock, users = self._locks.get(url, (asyncio.Lock(), 0))
        self._locks[url] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[url]
            if users <= 1:
                del self._locks[url]
            else:
                self._locks[url] = (lock, users - 1)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """A job slot; refused (503) at once when ``WAITING`` jobs already wait for one."""
        if self._slots.locked() and self._waiting >= WAITING:
            raise ApiError(503, "the server is busy: too many feeds are being translated; retry shortly",
                           retry_after=RETRY_AFTER_S)
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._slots.release()


@router.get(
    "/v1/feed", summary="A feed, translated, for a feed reader",
    description="Query parameters: url (one RSS or Atom feed, not an OPML list, when the server allows "
                "URLs: --allow-urls), to, from, format (rss, atom, jsonl, html), titles_only, bilingual_titles. "
                "Answers the translated feed with ETag and Last-Modified (conditional requests get 304); a feed "
                f"is fetched again (conditionally) at most every {CACHE_S:g} s, and only its new items are "
                "translated.",
    openapi_extra={"parameters": [{"name": name, "in": "query", "required": name == "url", "description": text,
                                   "schema": {"type": "string"}} for name, text in PARAMS.items()]},
    responses={200: {"description": "The translated feed"}, 304: {"description": "Not modified"},
               400: {"description": "Invalid request"}, 403: {"description": "URL fetching refused, or no key"},
               422: {"description": "Not a feed"}, 429: {"description": "Over a rate limit"},
               502: {"description": "The feed could not be fetched"},
               503: {"description": "Too many feeds in progress: retry after Retry-After seconds"}})
async def feed(request: Request) -> Response:
    service, _, gate = app_state(request)
    params = request.query_params
    gate.admit(request, key=read_key(request, params, schemes=("bearer",)))
    values = _query(params)
    if "url" not in values:
        raise ApiError(400, "Invalid request: missing url parameter")
    check_source({"url": values["url"]})
    fmt = values.get("format", "rss")
    if fmt not in MEDIA_TYPES:
        raise ApiError(400, f"Invalid request: unknown format '{fmt[:40]}' (choose from {', '.join(MEDIA_TYPES)})")
    given = {values[name] for name in ("from", "source") if name in values}
    if len(given) > 1:
        raise ApiError(400, "Invalid request: from and source name different languages")
    source = service.language(given.pop() if given else None, role="source")
    target = service.language(values.get("to", service.translator.load.target_language), role="target")
    translator = service.translator_for(source, target)
    url = await run_in_threadpool(gate.check_url, values["url"])  # refused before any work (and normalised)
    try:
        feeds = per_app(request, "feeds", lambda: Feeds(offline=service.translator.load.offline is True))
    except TranslateError as exc:  # the state store cannot be opened: the server's problem, said in its log
        logger.error("the feed state cannot be opened: %s", first_line(exc))
        raise ApiError(500, "feeds cannot be served now; the server's log says why") from None
    titles_only, bilingual = (values.get(name) is True for name in FLAGS)
    key = (url, source, target, fmt, titles_only, bilingual)
    async with feeds.turn(url):
        kept = feeds.rendered(key)
        if kept is None or kept.fresh_until <= feeds.clock():
            async with feeds.slot():
                kept = await run_in_threadpool(_make, feeds, gate, url, translator, fmt, titles_only, bilingual,
                                               kept)
            feeds.keep(key, kept)
    return _answer(request, kept, fmt, private=bool(gate.keys))


def _query(params: Mapping[str, str]) -> dict[str, Any]:
    """The query's parameters, each given once; the flags as booleans. Unknown ones are refused by name."""
    multi = getattr(params, "getlist", None)
    values: dict[str, Any] = {}
    for name in params:
        shown = str(name)[:40]
        if name not in PARAMS:
            raise ApiError(400, f"Invalid request: unknown parameter '{shown}' (parameters: {', '.join(PARAMS)})")
        if multi is not None and len(multi(name)) > 1:
            raise ApiError(400, f"Invalid request: {shown} given more than once")
        value = params[name]
        if name in FLAGS:
            flag = value.strip().lower()
            if flag not in TRUE and flag not in FALSE:
                raise ApiError(400, f"Invalid request: {name} must be true or false (1 or 0)")
            values[name] = flag in TRUE
        elif name != "api_key":
            values[name] = value
    return values


def _make(feeds: Feeds, gate: Gate, url: str, translator: Translator, fmt: str, titles_only: bool,
          bilingual: bool, previous: Rendered | None) -> Rendered:
    """The feed at ``url`` translated (in a worker thread, under the gate's permit): asked upstream
    conditionally; a 304 keeps ``previous`` when it was made from the feed upstream still has."""
    from ...feeds.fetching import FEED_ACCEPT
    from ...feeds.options import FeedOptions
    from ...feeds.translated import translate_feed
    from ...sources.feed import looks_like_feed

    with permitted(gate):  # the gate checks the URL, each redirect and each connection's address (SSRF)
        validators = feeds.state.validators(url)
        try:
            fetched = feeds.fetcher.fetch(url, etag=validators[0], last_modified=validators[1], accept=FEED_ACCEPT)
        except InputError as exc:
            if exc.option == "offline":
                raise ApiError(403, "This server does not fetch URLs: it runs offline") from None
            raise ApiError(502, first_line(exc)) from None
        if fetched.not_modified and previous is not None and previous.reusable and previous.upstream == validators:
            return dataclasses.replace(previous, fresh_until=feeds.clock() + CACHE_S)
        body = feeds.state.last_body(url) if fetched.not_modified else fetched.data
        reusable = body is not None and looks_like_feed(body[:4096], fetched.media_type or None, url) == "feed"
        options = FeedOptions(titles_only=titles_only, bilingual_titles=bilingual, delay_s=DELAY_S)
        with tempfile.TemporaryDirectory(prefix="translate-feed-") as folder:
            output = Path(folder) / f"feed.{fmt}"
            try:
                translate_feed(url, str(output), format=fmt, feed=options, state=feeds.state, fetcher=feeds.fetcher,
                               prefetched=fetched, translator=translator, public_header=public, lists=False)
            except UsageError as exc:
                raise ApiError(400, f"Invalid request: {first_line(exc)}") from None
            except InputError as exc:  # not a feed, or none of its items could be read
                message = first_line(exc)
                if exc.option != "state":  # the state store's trouble is the server's, and names its path
                    raise ApiError(422, message) from None
                logger.error("translating the feed %s failed: %s", url, message)
                raise ApiError(500, "translating the feed failed; the server's log says why") from None
            except TranslateError as exc:
                logger.error("translating the feed %s failed: %s", url, first_line(exc))
                raise ApiError(500, "translating the feed failed; the server's log says why") from None
            data = output.read_bytes()
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    made = previous.made if previous is not None and previous.etag == etag else time.time()
    return Rendered(data, etag, made, feeds.clock() + CACHE_S, feeds.state.validators(url), reusable)


def _answer(request: Request, rendered: Rendered, fmt: str, *, private: bool) -> Response:
    headers = {"ETag": rendered.etag, "Last-Modified": formatdate(rendered.made, usegmt=True),
               "Cache-Control": f"{'private' if private else 'public'}, max-age={MAX_AGE_S}"}
    if _not_modified(request, rendered):
        return Response(status_code=304, headers=headers)
    if fmt == "html":
        from ...output.feed import FEED_PAGE_CSP

        headers["Content-Security-Policy"] = (f"{FEED_PAGE_CSP}; base-uri 'none'; form-action 'none'; "
                                              "frame-ancestors 'none'")
    return Response(rendered.body, media_type=MEDIA_TYPES[fmt], headers=headers)


def _not_modified(request: Request, rendered: Rendered) -> bool:
    """RFC 9110: If-None-Match when sent (weak comparison, ``*``), else If-Modified-Since."""
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        return "*" in tags or rendered.etag in tags
    since = request.headers.get("if-modified-since")
    if not since:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(rendered.made) <= when.timestamp()
