"""A well-behaved HTTP server on 127.0.0.1 for the feed tests: paths → bodies, with ETag/Last-Modified
and 304s, a log of every request, and per-path failures (a status, a hang until the test releases it).

    with FeedServer({"/news.rss": Route(RSS, etag='"v1"')}) as server:
        fetch(server.url("/news.rss"), offline=False)
        server.set("/news.rss", RSS2, etag='"v2"')          # change it while running
        assert server.hits("/news.rss") == 1
        assert server.requests[-1].headers["user-agent"].startswith("newsdigest-translate/")

``url(path, host="localhost")`` names the same server under another host name (politeness is per host).
A path not set answers 404; a path with a query string is answered by its route, or
else by the route of the path without it. ``Route(..., hang=event)`` holds the answer until ``event`` is set (tests of
timeouts: monkeypatch the fetch's limits small); leaving the ``with`` sets every such event, stops the
server and joins its thread, so no test leaks a thread or a port. A route's body may also be a function
of the request (to answer by its headers or count). For servers that break HTTP itself, see
tests/misbehaving_server.py.
"""

from __future__ import annotations

import gzip
import http.server
import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Self

RSS_TYPE = "application/rss+xml; charset=utf-8"


@dataclass(frozen=True)
class Request:
    """A request as the server read it: ``seq`` counts requests from 0 in arrival order; header names
    are in lower case."""

    seq: int
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """What a path answers. ``status`` other than 200 sends ``body`` with that status (a 3xx with a
    ``("Location", ...)`` header redirects). ``etag``/``last_modified`` are sent and honoured (304).
    ``gzip``: compress the body when the client accepts it. ``headers``: more response headers."""

    body: bytes | Callable[[Request], bytes] = b""
    content_type: str = RSS_TYPE
    etag: str | None = None
    last_modified: str | None = None
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    gzip: bool = False
    hang: threading.Event | None = None


class FeedServer:
    """``http.server`` on 127.0.0.1, a free port, in a daemon thread; a context manager."""

    def __init__(self, routes: Mapping[str, Route | bytes] | None = None) -> None:
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self.requests: list[Request] = []
        for path, route in (routes or {}).items():
            self.set(path, route)
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="feedserver", daemon=True)  # shutdown waits one poll

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def set(self, path: str, route: Route | bytes, **options: object) -> None:
        """Serve ``route`` (or a body with ``Route``'s ``options``) at ``path``, replacing what was there."""
        if not isinstance(route, Route):
            route = Route(route, **options)  # type: ignore[arg-type]
        with self._lock:
            self._routes[path] = route

    def remove(self, path: str) -> None:
        with self._lock:
            self._routes.pop(path, None)

    def hits(self, path: str) -> int:
        """How many requests reached ``path`` (query strings count as part of the path)."""
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            hangs = [route.hang for route in self._routes.values() if route.hang is not None]
        for event in hangs:
            event.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(10)

    # -- the handler ---------------------------------------------------------------------------

    def _record(self, method: str, path: str, headers: Iterable[tuple[str, str]]) -> tuple[Request, Route | None]:
        with self._lock:
            request = Request(next(self._seq), method, path, {k.lower(): v for k, v in headers})
            self.requests.append(request)
            return request, self._routes.get(path, self._routes.get(path.partition("?")[0]))

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self._answer(send_body=True)

            def do_HEAD(self) -> None:  # noqa: N802
                self._answer(send_body=False)

            def _answer(self, send_body: bool) -> None:
                request, route = server._record(self.command, self.path, self.headers.items())
                if route is None:
                    self._send(404, b"not found", "text/plain", (), send_body)
                    return
                if route.hang is not None:
                    route.hang.wait(30)
                headers = list(route.headers)
                if route.etag is not None:
                    headers.append(("ETag", route.etag))
                if route.last_modified is not None:
                    headers.append(("Last-Modified", route.last_modified))
                if route.status == 200 and _not_modified(route, request.headers):
                    self._send(304, b"", None, headers, send_body)
                    return
                body = route.body(request) if callable(route.body) else route.body
                if route.gzip and "gzip" in request.headers.get("accept-encoding", ""):
                    body = gzip.compress(body)
                    headers.append(("Content-Encoding", "gzip"))
                self._send(route.status, body, route.content_type, headers, send_body)

            def _send(self, status: int, body: bytes, content_type: str | None,
                      headers: Iterable[tuple[str, str]], send_body: bool) -> None:
                self.send_response(status)
                if content_type is not None:
                    self.send_header("Content-Type", content_type)
                for name, value in headers:
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body and status != 304:
                    try:
                        self.wfile.write(body)
                    except OSError:  # the client gave up (a timeout test)
                        pass

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def _not_modified(route: Route, headers: Mapping[str, str]) -> bool:
    """RFC 9110: If-None-Match wins when sent (weak comparison, ``*``); else If-Modified-Since."""
    if "if-none-match" in headers:
        if route.etag is None:
            return False
        tags = [t.strip() for t in headers["if-none-match"].split(",")]
        mine = route.etag.removeprefix("W/")
        return "*" in tags or any(t.removeprefix("W/") == mine for t in tags)
    if "if-modified-since" in headers and route.last_modified is not None:
        try:
            return parsedate_to_datetime(route.last_modified) <= parsedate_to_datetime(headers["if-modified-since"])
        except (TypeError, ValueError):
            return route.last_modified == headers["if-modified-since"]
    return False
