"""Is the input a feed? Decided before anything else reads it, without reading it twice: a file's
head is read and the file reopened; stdin is peeked; a URL is fetched once — conditionally when
the state store knows it (a 304 means a feed seen before) — and the response handed on, whatever
it turns out to be, so the page path never fetches it again."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

from ..sources.url import Fetched, fetch, is_url
from .gather import Replay

SNIFF_BYTES = 4096


@dataclass(frozen=True)
class Sniffed:
    """Whether the input is a feed (or an OPML list), and a URL's response when one was fetched."""

    feed: bool
    fetched: Fetched | None = None


def sniff(source: str, *, input_format: str = "auto", offline: bool = False,
          state: str | None = None) -> Sniffed:
    """Decide what ``source`` is; ``state``: the state store's file (None: the default one)."""
    from ..sources.feed import looks_like_feed
    from .fetching import FEED_ACCEPT

    if input_format not in ("auto", "feed"):
        return Sniffed(False)
    if is_url(source):
        etag, modified = _known(source, state)
        fetched = fetch(source, offline=offline, etag=etag, last_modified=modified, accept=FEED_ACCEPT)
        if fetched.not_modified:
            return Sniffed(True, fetched)
        feed = input_format == "feed" or looks_like_feed(fetched.data[:SNIFF_BYTES], fetched.media_type, fetched.url)
        return Sniffed(bool(feed), fetched)
    if input_format == "feed":
        return Sniffed(True)
    if source == "-":
        return Sniffed(bool(looks_like_feed(_stdin_head(), None, "")))
    path = Path(source)
    try:
        if not path.is_file():  # a folder is a corpus; a FIFO must be read once, by the text path
            return Sniffed(False)
        with path.open("rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError:
        return Sniffed(False)  # the reader that follows says why it cannot be read
    return Sniffed(bool(looks_like_feed(head, None, source)))


def _stdin_head() -> bytes:
    """The first ``SNIFF_BYTES`` of standard input (however a pipe delivers them), put back in front
    of the rest; a terminal is not sniffed (nobody types a feed)."""
    stdin = sys.stdin
    if stdin is None or stdin.isatty() or not hasattr(stdin, "buffer"):
        return b""
    buffer = stdin.buffer
    head = b""
    while len(head) < SNIFF_BYTES:
        chunk = buffer.read1(SNIFF_BYTES - len(head)) if hasattr(buffer, "read1") else \
            buffer.read(SNIFF_BYTES - len(head))
        if not chunk:
            break
        head += chunk
    sys.stdin = io.TextIOWrapper(io.BufferedReader(Replay(head, buffer)), encoding=stdin.encoding,
                                 errors=stdin.errors)
    return head


def _known(url: str, state: str | None) -> tuple[str | None, str | None]:
    """The validators the state store holds for ``url`` (never creating a store to ask)."""
    from .state import StateStore, default_state_path

    path = Path(state) if state else Path(default_state_path())
    if not path.is_file():
        return None, None
    try:
        with StateStore(path) as store:
            return store.validators(url)  # (None, None) unless the body they validate is kept
    except Exception:  # noqa: BLE001 - a broken store is the feed job's error to report, not the sniff's
        return None, None
