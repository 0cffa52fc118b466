"""Fetching an article from the web (``translate https://…``): one GET with a user agent that says who
we are; offline mode refuses before any connection is made.

A server may be slow, broken or hostile, so every way a fetch can go wrong ends in one ``InputError``
line: the whole response must arrive within ``DEADLINE_S`` (a trickle of bytes cannot hold us forever),
a silence of ``TIMEOUT_S`` ends it sooner, a body shorter than its Content-Length is cut off, gzip and
deflate are decoded but never past ``MAX_BYTES``, only web pages and text are read, and redirects go to
http(s) only. urllib stays (it honours the proxy settings); urllib3 offers no deadline for a whole
response either, so it would not spare the code below.

A caller that kept a resource's validators (ETag, Last-Modified: a feed reader) sends them back, and a
304 costs it nothing: ``Fetched.not_modified``.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import functools
import http.client
import io
import socket
import ssl
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from email.message import Message
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from ..errors import InputError, first_line
from ..version import __version__

TIMEOUT_S = 20.0   # the longest the server may stay silent (connecting, or between two reads)
DEADLINE_S = 60.0  # the whole fetch, redirects included: a news page takes seconds, a trickle forever
MAX_BYTES = 20 << 20  # a news page is far smaller; this bounds memory against endless responses and bombs
MAX_REDIRECTS = 10
USER_AGENT = f"newsdigest-translate/{__version__} (article translator; +https://pypi.org/project/newsdigest-translate/)"
ACCEPT = "text/html, text/*;q=0.8"
MAX_VALIDATOR = 1024  # an ETag or Last-Modified longer than this is not kept nor sent: a real one is short
ZLIB_WBITS = {"gzip": 31, "x-gzip": 31, "deflate": 15}  # zlib's wbits: a gzip header, a zlib header


@dataclass(frozen=True)
class Fetched:
    """A fetched resource: its bytes (decompressed), media type (``text/html``…), final URL after
    redirects, and the charset its Content-Type names (None when absent or unknown to Python), which
    says more than a page's own ``<meta>`` when they disagree.

    ``etag`` and ``last_modified`` are the response's validators, to send back next time. ``not_modified``:
    the server answered 304 to the validators sent, so ``data`` is ``b""`` and ``media_type`` ``""``: the
    caller's copy is current (the validators are the 304's own when it sent any, else those sent)."""

    data: bytes
    media_type: str
    url: str
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    requested: str = ""            # the URL asked for (``url`` is where redirects ended)


class _Refused(Exception):
    """Why a fetch fails, in words (the caller adds the URL)."""


class _Late(TimeoutError):
    """The fetch's deadline passed (not merely one read's timeout)."""


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


class Permit(Protocol):
    """Who may be fetched, for a caller that fetches on someone else's behalf (a server: SSRF)."""

    def check_url(self, url: str) -> str:
        """The URL to fetch (normalised), or raise: asked of the URL and of every redirect."""

    def check_address(self, address: str) -> None:
        """Raise unless the address a connection reached may be read (DNS may have changed)."""


_PERMIT: ContextVar[Permit | None] = ContextVar("translate_url_permit", default=None)


@contextlib.contextmanager
def permitted(permit: Permit) -> Iterator[None]:
    """Fetch only what ``permit`` allows in this context: the URL and each redirect are checked, each
    connection's peer address too, and no proxy is used (it would hide the peer). What ``permit``
    raises propagates as it is."""
    token = _PERMIT.set(permit)
    try:
        yield
    finally:
        _PERMIT.reset(token)


_PREFETCHED: ContextVar[Fetched | None] = ContextVar("translate_url_prefetched", default=None)


@contextlib.contextmanager
def prefetched(fetched: Fetched | None) -> Iterator[None]:
    """In this context, an unconditional fetch of the URL ``fetched`` answered (its request or final
    URL) returns it instead of asking the server again: a command that fetched a URL to see what it
    is (a feed, a page) never fetches it twice. ``None`` changes nothing."""
    token = _PREFETCHED.set(fetched)
    try:
        yield
    finally:
        _PREFETCHED.reset(token)


def fetch(url: str, *, offline: bool, etag: str | None = None, last_modified: str | None = None,
          accept: str | None = None) -> Fetched:
    """GET ``url`` within ``DEADLINE_S``; one-line ``InputError`` for every failure (offline, a bad address,
    an HTTP status, broken HTTP, TLS, time, size, compression, content that is not a page or text).

    ``etag``/``last_modified`` (from an earlier ``Fetched``) make it a conditional GET (If-None-Match,
    If-Modified-Since): a 304 returns ``Fetched(not_modified=True)``. A validator no server could have
    sent (a line break, over ``MAX_VALIDATOR`` characters) is left out rather than refused. ``accept``
    replaces the Accept header (a feed reader asks for feeds first)."""
    if offline:
        raise InputError(f"cannot fetch {url}: offline mode is on; save the page and translate the file",
                         option="offline")
    known = _PREFETCHED.get()
    if known is not None and not known.not_modified and not (etag or last_modified) and url in (
            known.requested, known.url):
        return known
    deadline = time.monotonic() + DEADLINE_S
    permit = _PERMIT.get()
    if permit is not None:
        url = permit.check_url(url)
    etag, last_modified = _validator(etag), _validator(last_modified)
    try:
        _check_address(url)
        request = _request(url, etag=etag, last_modified=last_modified, accept=accept)
        with _opener(deadline, permit).open(request, timeout=TIMEOUT_S) as response:
            return dataclasses.replace(_read(response), requested=url)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 304 and (etag or last_modified):  # unasked for, a 304 is a server's error (below)
            return Fetched(b"", "", exc.url or url, None, _validator(exc.headers.get("ETag")) or etag,
                           _validator(exc.headers.get("Last-Modified")) or last_modified, not_modified=True)
        cause = _cause(exc)
    except _Refused as exc:
        cause = str(exc)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        cause = _cause(exc)
    raise InputError(f"cannot fetch {url}: {cause}") from None


def _check_address(url: str, redirected_from: str | None = None) -> None:
    """Refuse what is not an http(s) URL with a host and a valid port (urllib would open ftp:// and file://);
    a redirect's ``url`` (its Location) is resolved against the URL that answered with it."""
    try:
        url = urljoin(redirected_from, url) if redirected_from else url
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number or is out of range
    except ValueError as exc:  # ...or for a broken IPv6 address
        problem: str | None = f"not a valid web address ({first_line(exc)})"
    else:
        problem = ("not an http(s) address" if parts.scheme not in ("http", "https") else
                   None if parts.hostname else "not a valid web address (no host)")
    if problem:
        raise _Refused(f"it redirects to {url}, which is {problem}" if redirected_from else problem)


def _request(url: str, *, etag: str | None = None, last_modified: str | None = None,
             accept: str | None = None) -> urllib.request.Request:
    headers = {"User-Agent": USER_AGENT, "Accept": accept or ACCEPT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return urllib.request.Request(url, headers=headers)


def _validator(value: str | None) -> str | None:
    """An ETag or Last-Modified worth keeping and sending back: printable ASCII on one line, short; else
    None (a hostile value must neither break the next request nor bloat the state that keeps it)."""
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > MAX_VALIDATOR or not all(" " <= c <= "~" for c in value):
        return None
    return value


def _read(response: http.client.HTTPResponse) -> Fetched:
    """The body of a successful response, refused early when it is too large or not a page or text."""
    headers = response.headers
    media_type = headers.get_content_type()
    if not _is_text(media_type):
        raise _Refused(f"it is {media_type}, not a web page or text; if it is text, save it and translate the file")
    declared = response.length  # the Content-Length, before reading counts it down; None if absent or chunked
    if declared is not None and declared > MAX_BYTES:
        raise _Refused(f"larger than {MAX_BYTES >> 20} MB, not an article page")
    body = response.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise _Refused(f"larger than {MAX_BYTES >> 20} MB, not an article page")
    if declared is not None and len(body) < declared:
        raise _Refused(f"the page was cut off: the server sent {len(body)} of {declared} bytes")
    data = _decode(body, (headers.get("Content-Encoding") or "identity").strip().lower())
    return Fetched(data, media_type, response.geturl(), _charset(headers),
                   _validator(headers.get("ETag")), _validator(headers.get("Last-Modified")))


def _is_text(media_type: str) -> bool:
    """Web pages and text (text/*, XHTML, XML): what can be translated; not images, PDFs or archives.
    Feeds are XML too: application/rss+xml, atom+xml, rdf+xml, text/x-opml, text/xml, application/xml."""
    kind, _, subtype = media_type.partition("/")
    return kind == "text" or (kind == "application" and (subtype == "xml" or subtype.endswith("+xml")))


def _charset(headers: Message) -> str | None:
    charset = headers.get_content_charset()
    if charset is None:
        return None
    try:
        codecs.lookup(charset)
    except LookupError:  # charset=bogus: the reader must find the encoding as if none were named
        return None
    return charset


def _decode(body: bytes, encoding: str) -> bytes:
    """Undo the Content-Encoding we asked for (gzip, deflate); deflate may come with or without a zlib header."""
    if encoding == "identity":
        return body
    if encoding not in ZLIB_WBITS:
        raise _Refused(f"the server sent it {encoding}-encoded, which cannot be decoded here")
    zlib_header = len(body) > 1 and body[0] & 0x0F == 8 and int.from_bytes(body[:2], "big") % 31 == 0
    wbits = ZLIB_WBITS[encoding] if encoding != "deflate" or zlib_header else -15
    name = "deflate" if encoding == "deflate" else "gzip"
    try:
        return _inflate(body, wbits, name)
    except zlib.error:
        raise _Refused(f"the {name}-compressed page is corrupt") from None


def _inflate(body: bytes, wbits: int, name: str) -> bytes:
    """Decompress every member of ``body``, never into more than ``MAX_BYTES`` (a gzip bomb is refused)."""
    data = bytearray()
    while body:
        inflater = zlib.decompressobj(wbits)
        data += inflater.decompress(body, MAX_BYTES + 1 - len(data))
        if len(data) > MAX_BYTES:
            raise _Refused(f"larger than {MAX_BYTES >> 20} MB when decompressed, not an article page")
        if not inflater.eof:
            raise _Refused(f"the {name}-compressed page is cut off")
        body = inflater.unused_data
    return bytes(data)


def _cause(exc: BaseException) -> str:
    """One line that says what went wrong, for every error urllib, http.client, ssl or a socket raises."""
    if isinstance(exc, urllib.error.HTTPError):
        if 300 <= exc.code < 400 and exc.headers.get("Location"):  # urllib gave up following it
            return f"it redirects in a loop or more than {MAX_REDIRECTS} times"
        return f"the server answered {exc.code} {' '.join(str(exc.reason).split())}".rstrip()
    if isinstance(exc, urllib.error.URLError):
        return _cause(exc.reason) if isinstance(exc.reason, BaseException) else str(exc.reason)
    if isinstance(exc, _Late):
        return f"no complete answer within {DEADLINE_S:g} s"
    if isinstance(exc, TimeoutError):
        return f"no answer for {TIMEOUT_S:g} s"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(exc, http.client.IncompleteRead):
        return "the page was cut off: the server closed the connection before its end"  # chunked
    if isinstance(exc, http.client.BadStatusLine):
        return f"the server's answer is not HTTP (it begins {first_line(exc)[:80]!r})"
    if isinstance(exc, http.client.HTTPException):  # more than 100 headers, a header line over 64 KB...
        return f"the server's answer is not valid HTTP ({first_line(exc)})"
    if isinstance(exc, ssl.SSLError):
        return f"secure connection failed ({getattr(exc, 'verify_message', None) or exc.reason or first_line(exc)})"
    if isinstance(exc, OSError):
        return exc.strerror or first_line(exc)
    return f"not a valid web address ({first_line(exc)})"  # a ValueError: a host name IDNA cannot encode...


# --- urllib, with a deadline on every connect and read, and redirects to http(s) only


@contextlib.contextmanager
def _within(deadline: float, set_timeout: Callable[[float], None]) -> Iterator[None]:
    """Give one blocking socket operation the time left before ``deadline``, but at most ``TIMEOUT_S``."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Late
    set_timeout(min(TIMEOUT_S, left))
    try:
        yield
    except TimeoutError as exc:
        if left <= TIMEOUT_S and not isinstance(exc, _Late):
            raise _Late from None
        raise


class _Paced(io.RawIOBase):
    """A response's socket reader whose every read ends by the deadline: a per-read timeout alone lets
    a server that sends a byte every few seconds hold the fetch forever."""

    def __init__(self, raw: io.RawIOBase, sock: socket.socket, deadline: float) -> None:
        self._raw, self._sock, self._deadline = raw, sock, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        with _within(self._deadline, self._sock.settimeout):
            return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _Response(http.client.HTTPResponse):
    def __init__(self, sock: socket.socket, *args: Any, deadline: float, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        self.fp = io.BufferedReader(_Paced(self.fp.detach(), sock, deadline))


class _Timed:
    """Mixin for http.client's connections: connect and read by the fetch's deadline."""

    response_class: Any  # a partial of _Response, which http.client calls like a class

    def __init__(self, *args: Any, deadline: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline
        self.response_class = functools.partial(_Response, deadline=deadline)

    def connect(self) -> None:
        with _within(self._deadline, functools.partial(setattr, self, "timeout")):
            super().connect()  # type: ignore[misc]
        permit = _PERMIT.get()
        if permit is not None:  # the address DNS gave this time, not the one checked before
            sock: socket.socket = self.sock  # type: ignore[attr-defined]
            try:
                permit.check_address(sock.getpeername()[0])
            except BaseException:
                sock.close()
                raise


class _HTTPConnection(_Timed, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Timed, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: float) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_HTTPConnection, deadline=self.deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: float) -> None:
        super().__init__()
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_HTTPSConnection, deadline=self.deadline), req)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) URLs only (urllib alone follows ftp://), at most ``MAX_REDIRECTS``;
    under a permit, each redirect's URL is the one the permit returned (checked, normalised): what
    is fetched is exactly what was checked."""

    max_redirections = MAX_REDIRECTS

    def http_error_302(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                       headers: http.client.HTTPMessage) -> Any:
        location = headers.get("Location") or headers.get("URI")
        if location:
            try:
                _check_address(location, redirected_from=req.full_url)
            except BaseException:
                fp.close()
                raise
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: http.client.HTTPMessage, newurl: str) -> urllib.request.Request | None:
        """The next request, for ``newurl`` as urllib resolved and quoted it — or, under a permit,
        for the URL the permit returned for it."""
        permit = _PERMIT.get()
        if permit is not None:
            try:
                newurl = permit.check_url(newurl)
            except BaseException:
                fp.close()
                raise
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(deadline: float, permit: Permit | None = None) -> urllib.request.OpenerDirector:
    direct = [urllib.request.ProxyHandler({})] if permit is not None else []  # a proxy would hide the peer
    return urllib.request.build_opener(*direct, _HTTPHandler(deadline), _HTTPSHandler(deadline), _Redirects())
