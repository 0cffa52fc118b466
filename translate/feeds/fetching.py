"""Fetching feeds and articles politely: one request at a time per host, ``delay_s`` between the end of
one request to a host and the start of the next, conditional requests, and the user agent that names
the tool (``url.USER_AGENT``). A thousand feeds on a hundred hosts go in parallel across hosts and in
single file within each, so no site sees a burst from us.

Everything else (deadlines, size caps, redirects, one-line ``InputError``) is ``translate.sources.url``'s.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import urlsplit

from ..errors import InputError, first_line
from .options import DEFAULT_DELAY_S
from ..sources import url as url_module
from ..sources.url import Fetched

USER_AGENT = url_module.USER_AGENT
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"

Validators = Callable[[str], tuple[str | None, str | None]]  # url → (etag, last_modified) to send


class _Host:
    """One host's turn: the lock that makes its requests single file, and when the last one ended."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_end: float | None = None


class PoliteFetcher:
    """``url.fetch`` with manners, safe to share between threads.

    ``clock`` and ``sleep`` are injectable so that tests check the waits without waiting. A host is
    the URL's host name (ports aside: two ports are one machine); a redirect to another host is
    paced as the host first asked."""

    def __init__(self, *, delay_s: float = DEFAULT_DELAY_S, offline: bool = False,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.delay_s = max(0.0, delay_s)
        self.offline = offline
        self._clock = clock
        self._sleep = sleep
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
              accept: str | None = None) -> Fetched:
        """Fetch ``url`` in its host's turn; raises ``InputError`` (one line) as ``url.fetch`` does."""
        if self.offline:  # refused before any turn is taken: nothing to pace
            return url_module.fetch(url, offline=True)
        host = self._host(url)
        with host.lock:
            if host.last_end is not None:
                wait = host.last_end + self.delay_s - self._clock()
                if wait > 0:
                    self._sleep(wait)
            try:
                return url_module.fetch(url, offline=False, etag=etag, last_modified=last_modified, accept=accept)
            finally:
                host.last_end = self._clock()

    def fetch_many(self, urls: Iterable[str], *, validators: Validators | None = None, accept: str | None = None,
                   threads: int = 8) -> Generator[tuple[str, Fetched | InputError], None, None]:
        """Fetch every URL, different hosts in parallel and each host in turn; yield ``(url, Fetched or
        the InputError that says why not)`` in input order. At most ``threads * 2`` URLs are taken ahead
        of the one yielded, so a million URLs cost bounded memory. ``validators(url)`` gives the
        (etag, last_modified) to send; it is called in the caller's thread (a state store's connection
        need not cross threads). A permit (``url.permitted``) in force here applies in the workers
        too; its refusal of one URL is that URL's ``InputError`` (the others go on). Closing the
        generator early cancels what has not started and waits for what has."""
        threads = max(1, threads)
        pending: deque[tuple[str, Future[Fetched]]] = deque()
        pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="feed-fetch")
        try:
            for url in urls:
                if len(pending) >= threads * 2:
                    yield _outcome(*pending.popleft())
                etag, last_modified = validators(url) if validators is not None else (None, None)
                context = contextvars.copy_context()  # one per task: a context runs in one thread at a time
                future = pool.submit(context.run, self.fetch, url, etag=etag, last_modified=last_modified,
                                     accept=accept)
                pending.append((url, future))
            while pending:
                yield _outcome(*pending.popleft())
        finally:  # the caller may stop early: what has not started never will
            pool.shutdown(wait=True, cancel_futures=True)

    def _host(self, url: str) -> _Host:
        try:
            name = (urlsplit(url).hostname or "").lower()
        except ValueError:  # url.fetch says why in its own words
            name = ""
        with self._hosts_lock:
            host = self._hosts.get(name)
            if host is None:
                host = self._hosts[name] = _Host()
            return host


def _outcome(url: str, future: Future[Fetched]) -> tuple[str, Fetched | InputError]:
    """One URL's result; what refused it — a fetch error, or a permit's refusal (a server's rules on
    which URLs it fetches) — is that URL's failure, named, and the others go on."""
    try:
        return url, future.result()
    except InputError as exc:
        return url, exc
    except Exception as exc:  # noqa: BLE001 - a permit raises its own kind; one feed of a list must not end the run
        return url, InputError(f"cannot fetch {url}: {first_line(exc)}")
