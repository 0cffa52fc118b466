"""Gathering a feed job's items: the input (a feed or an OPML list of feeds; a file, stdin or a
URL) → the feeds, each fetched politely and conditionally (a 304 is answered from the state
store), parsed → one stream of items. A feed that fails is named and the others go on; a
malformed one gives the items that did parse and a line saying why the rest did not."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InputError
from ..sources.feed.items import FeedInfo, FeedItem, ParsedFeed
from ..sources.url import Fetched, is_url
from .fetching import FEED_ACCEPT, PoliteFetcher
from .state import StateStore

@dataclass
class Report:
    """What gathering met, filled as the items stream (complete once they are exhausted)."""

    feeds: list[FeedInfo] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)   # (feed, one-line cause)
    problems: list[str] = field(default_factory=list)             # malformed feeds whose items were still read
    not_modified: int = 0                                         # feeds answered 304 (read from the state store)
    items: int = 0
    before_since: int = 0                                         # items dated before ``since``, left out
    listed: int = 1                                               # feeds the input names (an OPML: its outlines)


class Replay(io.RawIOBase):
    """A stream that gives ``head`` again, then the rest of ``stream``: stdin, once sniffed, is whole."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        super().__init__()
        self.head, self.stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n], self.head = self.head[:n], self.head[n:]
            return n
        data = self.stream.read1(len(buffer)) if hasattr(self.stream, "read1") else self.stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


class Gathering:
    """The items of ``source``, in order (feed by feed, item by item), each read once."""

    def __init__(self, source: str, *, fetcher: PoliteFetcher, state: StateStore, input_format: str = "auto",
                 since: str | None = None, offline: bool = False, prefetched: Fetched | None = None,
                 lists: bool = True) -> None:
        self.source, self.fetcher, self.state, self.prefetched = source, fetcher, state, prefetched
        self.lists = lists
        self.unchanged: set[str] = set()  # URLs answered 304
        self.input_format, self.since, self.offline = input_format, since, offline
        self.report = Report()
        self.merged = False  # several feeds (an OPML list): one output feed says each item's source

    def items(self) -> Iterator[FeedItem]:
        data, name, media_type, url = self._open(self.source)
        try:
            if not isinstance(data, bytes) and not data.seekable():  # stdin: its head is read again, not lost
                data = io.BufferedReader(Replay(data.read(4096), data))
            yield from self._read(data, name, media_type, url)
        finally:
            if not isinstance(data, bytes):
                data.close()

    def _read(self, data: bytes | BinaryIO, name: str, media_type: str | None, url: str | None) -> Iterator[FeedItem]:
        from ..sources.feed import looks_like_feed, parse_feed, parse_opml

        head = data[:4096] if isinstance(data, bytes) else data.peek(4096)[:4096] if isinstance(
            data, io.BufferedReader) else _head(data)
        kind = looks_like_feed(head[:4096], media_type, name) or ("feed" if self.input_format == "feed" else None)
        if kind is None:
            raise InputError(f"{name} is not an RSS, Atom or OPML feed")
        if kind == "opml":
            if not self.lists:
                raise InputError(f"{name} is an OPML list of feeds; ask for one feed at a time")
            left_out: list[str] = []
            outlines = parse_opml(data if isinstance(data, bytes) else data.read(), source=name, problems=left_out)
            self.merged = True
            self.report.listed = len(outlines) + len(left_out)
            self.report.failed.extend((name, why) for why in left_out)  # a relative or non-http(s) address
            if not self.report.listed:
                raise InputError(f"{name} is an OPML list of no feeds (no outline has an xmlUrl)")
            yield from self._listed([o.url for o in outlines])
            return
        yield from self._items(parse_feed(data, source=name, base_url=url))

    def _listed(self, urls: list[str]) -> Iterator[FeedItem]:
        from ..sources.feed import looks_like_feed, parse_feed

        fetched = self.fetcher.fetch_many(urls, validators=self.state.validators, accept=FEED_ACCEPT)
        for url, result in fetched:
            if isinstance(result, InputError):
                self.report.failed.append((url, str(result)))
                continue
            body = self._body(url, result)
            if body is None:
                continue
            if looks_like_feed(body[:4096], result.media_type or None, url) != "feed":
                self.report.failed.append((url, f"{url} is not an RSS or Atom feed"))
                continue
            try:
                yield from self._items(parse_feed(body, source=url, base_url=result.url or url))
            except InputError as exc:
                self.report.failed.append((url, str(exc)))

    def _items(self, parsed: ParsedFeed) -> Iterator[FeedItem]:
        self.report.feeds.append(parsed.info)
        self.report.not_modified += parsed.info.source in self.unchanged
        for item in parsed.items:
            if self.since and item.date and item.date < self.since:
                self.report.before_since += 1
                continue
            self.report.items += 1
            yield item
        self.report.problems.extend(parsed.problems)

    def _open(self, source: str) -> tuple[bytes | BinaryIO, str, str | None, str | None]:
        """The input's bytes (a file stays a file: a big feed is streamed), its name, media type and URL."""
        if is_url(source):
            fetched = self.prefetched or self.fetcher.fetch(source, **self._validators(source), accept=FEED_ACCEPT)
            body = self._body(source, fetched)
            if body is None:
                raise InputError(f"cannot fetch {source}: it answered 304 Not Modified to an unconditional request")
            return body, source, fetched.media_type or None, fetched.url or source
        if source == "-":
            return sys.stdin.buffer, "<stdin>", None, None  # streamed, as a file is
        path = Path(source)
        try:
            return path.open("rb"), source, None, None
        except OSError as exc:
            raise InputError(f"cannot read {source}: {exc.strerror or exc}") from None

    def _validators(self, url: str) -> dict[str, str | None]:
        etag, modified = self.state.validators(url)
        return {"etag": etag, "last_modified": modified}

    def _body(self, url: str, fetched: Fetched) -> bytes | None:
        """The feed's bytes: fetched, or on a 304 the ones stored the last time (refetched if lost)."""
        if fetched.not_modified:
            self.unchanged.add(url)  # counted once it is read as a feed (an OPML list is not one)
            stored = self.state.last_body(url)
            if stored is not None:
                return stored
            fetched = self.fetcher.fetch(url, accept=FEED_ACCEPT)  # the state lost the body: ask again in full
            if fetched.not_modified:
                return None
        self.state.remember_fetch(url, etag=fetched.etag, last_modified=fetched.last_modified, body=fetched.data)
        return fetched.data


def _head(stream: BinaryIO) -> bytes:
    """A seekable stream's first bytes, the stream put back at its start."""
    head = stream.read(4096)
    stream.seek(0)
    return head


def fetch_articles(items: list[FeedItem], fetcher: PoliteFetcher) -> dict[str, tuple[str | None, str | None]]:
    """Each item link's page (decoded) or why it could not be fetched: one request at a time per host."""
    from ..sources.html.decoding import decode_html

    links = list(dict.fromkeys(item.link for item in items if item.link and item.id != "#channel"))
    pages: dict[str, tuple[str | None, str | None]] = {}
    for url, result in fetcher.fetch_many(links):
        if isinstance(result, InputError):
            pages[url] = (None, str(result))
        else:
            pages[url] = (decode_html(result.data, result.charset), None)
    return pages
