"""Who may call, how much, and what the server may fetch: API keys, rate and character limits,
URL permissions (SSRF), CORS, security headers and Content-Security-Policies.

:class:`Gate` is the one object the endpoints talk to. Its settings are checked when it is built
(a bad key file, URL prefix or CORS origin is a :class:`~translate.errors.UsageError` before
anything listens); every request then costs a dictionary lookup at most.

- **Keys** (``--api-keys FILE``): one a line, or ``sha256:HEX`` of one, so the file need not hold
  a secret. Only the SHA-256 digests are kept, and a candidate's digest is compared with each of
  them by :func:`hmac.compare_digest`, so the time taken says nothing about how close a guess was.
- **Limits**: a token bucket per caller (its key when it gave a valid one, else its address; IPv6
  addresses by /64, what one subscriber gets), refilled continuously at the per-minute rate. A
  bucket's state is three floats, and the table keeps the most recently seen callers only, so a
  flood of addresses costs bounded memory (the forgotten ones had full buckets, or were the flood).
  :meth:`Gate.admit` takes a request (and the characters, when known); an API that checks the key
  before reading the request takes the characters later with :meth:`Gate.charge`, and names the
  caller for its own tallies with :meth:`Gate.caller` (a digest, never the key).
- **URLs**: refused unless ``--allow-urls``. Bare, only public addresses (every address a name
  resolves to); with prefixes, only URLs under one of them. A URL is parsed once, strictly, into
  the normalised form that is both compared and returned to be fetched, so the checked URL and
  the fetched one cannot differ (user names, backslashes, encoded slashes, numeric host forms
  other than ``a.b.c.d`` and IDNA tricks are refused or normalised first). DNS can change between
  the check and the fetch: the fetcher must also call :meth:`Gate.check_address` with the address
  it connected to, and :meth:`Gate.check_url` for every redirect.
- **Responses**: CORS only for ``--cors`` origins; ``nosniff``, ``no-referrer`` and ``DENY`` on
  every response (errors answered by the framework included); a strict CSP on HTML unless the
  route set one (:func:`page_csp` computes the reading page's); absurd request heads refused (431,
  414) and a request body that stops arriving ends the request (408).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import re
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import UsageError, first_line
from .errors import ApiError
from .options import ServeOptions

Clock = Callable[[], float]
Resolver = Callable[[str, int], Sequence[str]]  # (host, port) -> addresses; raises OSError when it cannot

MAX_KEY_FILE = 1 << 20       # bytes: a key file is a few lines; a larger one is the wrong file
MAX_CLIENTS = 20_000         # callers whose buckets are remembered (the least recently seen go first)
MAX_URL = 8192               # characters of a URL to fetch
MAX_REQUEST_TARGET = 16 << 10  # bytes of a request's path and query string (414 beyond)
MAX_HEADERS = 100            # request header lines (431 beyond)
MAX_HEADER_BYTES = 64 << 10  # bytes of request headers in all (431 beyond)
BODY_IDLE_S = 30.0           # the longest a request body may stop arriving (408 beyond)
BODY_DEADLINE_S = 300.0      # the whole body (408 beyond): a trickle cannot hold a connection forever

PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"))


class ShapedCORS(CORSMiddleware):
    """Starlette's CORS, but a refused preflight answered in the API's own error shape (its own is
    plain text), like every other refusal."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            headers = Headers(scope=scope)
            if "origin" in headers and "access-control-request-method" in headers:
                response = self.preflight_response(request_headers=headers)
                if response.status_code == 400:
                    from .errors import error_response

                    response = error_response(scope.get("path", ""), 400, bytes(response.body).decode())
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


class Gate:
    """Keys, limits, URL permissions and response headers of one app (``create_app`` builds it).

    ``clock`` (seconds, monotonic) and ``resolver`` are injectable so that tests need neither time
    nor a network; ``max_clients`` bounds the rate limiter's table.
    """

    body_idle_s = BODY_IDLE_S
    body_deadline_s = BODY_DEADLINE_S

    def __init__(self, options: ServeOptions, *, clock: Clock = time.monotonic,
                 resolver: Resolver | None = None, max_clients: int = MAX_CLIENTS) -> None:
        self.options = options
        self.keys = load_keys(options.api_keys) if options.api_keys is not None else ()
        self.prefixes = tuple(_prefix(p) for p in options.allow_urls or ())
        self.cors = tuple(_origin(o) for o in options.cors)
        self.resolver = resolver or _resolve
        self.limiter = Limiter((options.req_limit, options.char_limit_per_minute), clock=clock,
                               max_clients=max_clients)

    # --- who may call, how much

    def admit(self, request: Request, *, key: str | None, characters: int = 0) -> None:
        """Raise ApiError 403 (no valid key when keys are on) or 429 (over a rate or character limit).

        A caller with a valid key is limited by its key, any other by its address; a wrong key
        still costs its address a request, so guessing keys is as slow as the request limit."""
        who, known = self._identify(request, key)
        deepl = _is_deepl(request)
        if self.keys and not known:
            self._limit(who, 1, 0, deepl)
            raise _no_key(key, deepl)
        self._limit(who, 1, characters, deepl)

    def charge(self, request: Request, *, key: str | None, characters: int) -> None:
        """Take ``characters`` from the caller's per-minute budget (ApiError 429 when it has not
        enough; the request :meth:`admit` took stays taken): for an API that checks the key before
        reading a request, and knows what it costs only once it is read. 403 without a valid key."""
        who, known = self._identify(request, key)
        deepl = _is_deepl(request)
        if self.keys and not known:
            raise _no_key(key, deepl)
        self._limit(who, 0, characters, deepl)

    def caller(self, request: Request, key: str | None) -> str:
        """Who the limits count: ``key <digest>`` (a valid key's SHA-256, shortened: never the key)
        when keys are on, else ``address <peer>``; for an API that keeps its own per-caller tally."""
        return self._identify(request, key)[0]

    @property
    def tracked_clients(self) -> int:
        """How many callers the rate limiter remembers now (at most ``max_clients``)."""
        return len(self.limiter)

    def _digest_of(self, key: str | None) -> bytes | None:
        """The stored digest ``key`` matches, compared with every stored one in constant time."""
        if not isinstance(key, str) or not key.strip():
            return None
        candidate = hashlib.sha256(key.strip().encode("utf-8", "replace")).digest()
        found = None
        for digest in self.keys:  # no early exit: the time is the same wherever (or whether) it matches
            if hmac.compare_digest(digest, candidate):
                found = digest
        return found

    def _identify(self, request: Request, key: str | None) -> tuple[str, bool]:
        """The caller's name in the limiter, and whether that is a valid key's."""
        if self.keys:
            digest = self._digest_of(key)
            if digest is not None:
                return f"key {digest.hex()[:32]}", True
        return f"address {client_address(request)}", False

    def _limit(self, who: str, requests: int, characters: int, deepl: bool) -> None:
        refused = self.limiter.take(who, (requests, max(0, characters)))
        if refused is None:
            return
        which, wait = refused
        if deepl:
            raise ApiError(429, "Too many requests. Please wait and resend your request.", retry_after=wait)
        unit = "" if which == 0 else " characters"
        raise ApiError(429, f"Slowdown: {self.limiter.limits[which]}{unit} per 1 minute", retry_after=wait)

    # --- what the server may fetch

    def check_url(self, url: str) -> str:
        """``url`` normalised, which is what to fetch; ApiError 403 unless the server may fetch it
        (``--allow-urls``), 400 when it is not a web address or its host does not resolve.

        Resolves the host name (blocking: call it where the fetch runs, in a worker thread)."""
        if self.options.allow_urls is None:
            raise ApiError(403, "This server does not fetch URLs")
        target = parse_url(url)
        if self.prefixes:
            if not any(prefix.covers(target) for prefix in self.prefixes):
                raise ApiError(403, "This server does not fetch URLs from there")
            return target.url
        if target.host == "localhost" or target.host.endswith(".localhost"):
            raise ApiError(403, "This server fetches URLs from public addresses only (not loopback)")
        if target.address is not None:
            addresses: Sequence[str] = (target.address,)
        else:
            try:
                addresses = self.resolver(target.host, target.port)
            except (OSError, UnicodeError, ValueError):
                raise ApiError(400, "The URL's host name does not resolve") from None
            if not addresses:
                raise ApiError(400, "The URL's host name does not resolve")
        for address in addresses:  # every one: a fetcher may try any of them
            self.check_address(address)
        return target.url

    def check_address(self, address: str) -> None:
        """ApiError 403 when the server may fetch from public addresses only and ``address`` (an
        IP address, as a socket reports it) is not one. The fetcher calls this with the address
        it actually connected to: DNS may answer differently by then (rebinding). Under prefixes
        the listed hosts are trusted by name, so any address passes."""
        if self.options.allow_urls is None:
            raise ApiError(403, "This server does not fetch URLs")
        if self.prefixes:
            return
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            raise ApiError(403, "This server fetches URLs from public addresses only") from None
        reason = not_public(ip)
        if reason:
            raise ApiError(403, f"This server fetches URLs from public addresses only (not {reason})")

    # --- the app around every route

    def install(self, app: FastAPI) -> None:
        """CORS (only ``--cors`` origins) and security headers; head and body guards.

        The guard wraps the whole middleware stack (by wrapping its builder), outside even the
        framework's handler of unexpected errors, so that its 500s carry the headers too."""
        if self.cors:
            app.add_middleware(ShapedCORS, allow_origins=list(self.cors), allow_credentials=False,
                               allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"],
                               expose_headers=["Retry-After"], max_age=600)
        build = app.build_middleware_stack

        def build_guarded() -> ASGIApp:
            return Guard(build(), self)

        app.build_middleware_stack = build_guarded  # type: ignore[method-assign]


def _is_deepl(request: Request) -> bool:
    return str(request.scope.get("path", "")).startswith("/v2/")


def _no_key(key: str | None, deepl: bool) -> ApiError:
    """The 403 for a caller without a valid key, in the words of the API it called."""
    if deepl:
        return ApiError(403, "Authorization failed. Please supply a valid DeepL-Auth-Key in the Authorization header.")
    return ApiError(403, "Invalid API key" if key else "Please contact the server operator to get an API key")


# --- API keys


def load_keys(path: str) -> tuple[bytes, ...]:
    """The SHA-256 digests of the keys in the file at ``path``: one key a line, or ``sha256:`` and
    64 hex digits; blank lines and lines starting with ``#`` are skipped. Anything else — missing,
    unreadable, over 1 MB, not UTF-8 text, no key, a line that is no key — is a UsageError whose
    message names the line, never its content."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_KEY_FILE + 1)
    except OSError as exc:
        raise UsageError(f"cannot read the API key file {path}: {exc.strerror or first_line(exc)}",
                         option="api_keys") from None
    if len(data) > MAX_KEY_FILE:
        raise UsageError(f"the API key file {path} is larger than {MAX_KEY_FILE >> 20} MB: it is not a key file",
                         option="api_keys")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"the API key file {path} is not UTF-8 text", option="api_keys") from None
    digests: list[bytes] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(" \t\r")
        if not line or line.startswith("#"):
            continue
        if not line.isprintable() or any(ch.isspace() for ch in line):
            raise UsageError(f"line {number} of the API key file {path} is not a key (keys hold no spaces "
                             "or control characters)", option="api_keys")
        if line[:7].lower() == "sha256:":
            hexdigest = line[7:]
            if not re.fullmatch(r"[0-9A-Fa-f]{64}", hexdigest):
                raise UsageError(f"line {number} of the API key file {path}: sha256: takes the 64 hex digits "
                                 "of a key's SHA-256", option="api_keys")
            digests.append(bytes.fromhex(hexdigest))
        else:
            digests.append(hashlib.sha256(line.encode("utf-8")).digest())
    if not digests:
        raise UsageError(f"the API key file {path} holds no key", option="api_keys")
    return tuple(dict.fromkeys(digests))


def client_address(request: Request) -> str:
    """Who is calling, for the limits: the peer's IP address; IPv6 by its /64 (one subscriber's).
    (inet_pton, not :mod:`ipaddress`: this runs for every request, and for every flooding address.)"""
    host = request.client.host if request.client else ""
    try:
        packed = socket.inet_pton(socket.AF_INET6, host.split("%", 1)[0])
    except (OSError, ValueError):
        return host or "unknown"  # IPv4 as the server wrote it (a.b.c.d), or a name (a Unix socket...)
    if packed[:12] == b"\0" * 10 + b"\xff\xff":  # IPv4-mapped: the IPv4 address it is
        return socket.inet_ntop(socket.AF_INET, packed[12:])
    return packed[:8].hex() + "::/64"


# --- rate and character limits


class Limiter:
    """Token buckets per caller, one per limit (``limits``: per minute, 0 = none), refilled
    continuously; a caller is admitted when every bucket holds its cost — or, for a cost larger
    than a whole bucket, when that bucket is full (then it goes into debt: one huge request
    passes, and the caller waits until it is paid for). Refused requests cost nothing.
    Remembers the ``max_clients`` most recently seen callers."""

    def __init__(self, limits: Sequence[int], *, clock: Clock = time.monotonic, max_clients: int = MAX_CLIENTS) -> None:
        self.limits = tuple(limits)
        self.clock = clock
        self.max_clients = max(1, max_clients)
        self.buckets: OrderedDict[str, list[float]] = OrderedDict()  # caller -> [updated, tokens...]
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.buckets)

    def take(self, who: str, costs: Sequence[float]) -> tuple[int, float] | None:
        """None when ``who`` may go (its costs are taken), else (which limit, seconds to wait)."""
        if not any(self.limits):
            return None
        now = self.clock()
        with self.lock:
            state = self.buckets.pop(who, None)
            if state is None:
                state = [now, *map(float, self.limits)]
            else:
                elapsed = max(0.0, now - state[0])
                for i, limit in enumerate(self.limits):
                    state[i + 1] = min(float(limit), state[i + 1] + elapsed * limit / 60.0)
            state[0] = now
            self.buckets[who] = state
            while len(self.buckets) > self.max_clients:
                self.buckets.popitem(last=False)
            for i, (limit, cost) in enumerate(zip(self.limits, costs)):
                needed = min(float(cost), float(limit))
                if limit and state[i + 1] < needed:
                    return i, (needed - state[i + 1]) * 60.0 / limit
            for i, (limit, cost) in enumerate(zip(self.limits, costs)):
                if limit:
                    state[i + 1] -= cost
        return None


# --- URLs the server may fetch


@dataclass(frozen=True)
class Target:
    """A URL in normal form: lowercase scheme and host (IDNA-encoded, no trailing dot), the port
    always known, the path with dot segments removed and escapes normalised, no user info nor
    fragment. ``address``: the host when it is an IP literal. ``url``: it, written out."""

    scheme: str
    host: str
    port: int
    path: str
    query: str
    address: str | None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if self.port == DEFAULT_PORTS[self.scheme] else f":{self.port}"
        return f"{self.scheme}://{host}{port}{self.path}{'?' + self.query if self.query else ''}"


@dataclass(frozen=True)
class Prefix:
    """An ``--allow-urls`` prefix: URLs of its scheme, host and port whose path is its path, or
    lies below it (``/p`` covers ``/p`` and ``/p/x``, not ``/p2``; ``/p/`` covers ``/p/x``)."""

    target: Target

    def covers(self, url: Target) -> bool:
        mine = self.target
        if (url.scheme, url.host, url.port) != (mine.scheme, mine.host, mine.port):
            return False
        if mine.path.endswith("/"):
            return url.path.startswith(mine.path)
        return url.path == mine.path or url.path.startswith(mine.path + "/")


DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9A-Fa-f]*")
_DOTTED_QUAD = re.compile(r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
                          r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])")


def parse_url(url: str) -> Target:
    """``url`` as a :class:`Target`; ApiError 400 when it is no web address, 403 for the forms a
    fetcher could read differently from this check (user info, backslashes, encoded slashes or
    dots-as-slashes, IP addresses in any form but ``a.b.c.d`` or IPv6 without a zone)."""
    if not isinstance(url, str) or not url.strip():
        raise ApiError(400, "Invalid request: the URL is empty")
    url = url.strip()
    if len(url) > MAX_URL:
        raise ApiError(400, f"Invalid request: the URL is longer than {MAX_URL} characters")
    if any(ch <= " " or ch == "\x7f" or (not ch.isprintable() and ord(ch) > 127) for ch in url):
        raise ApiError(400, "Invalid request: a URL holds no spaces or control characters")
    if "\\" in url:
        raise ApiError(403, "URLs with backslashes are not fetched")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ApiError(400, "Invalid request: not a valid URL") from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise ApiError(400, "Invalid request: not a URL (it begins with http:// or https://)")
    if scheme not in DEFAULT_PORTS:
        raise ApiError(403, "Only http and https URLs are fetched")
    netloc = parts.netloc
    if "@" in netloc:
        raise ApiError(403, "URLs with a user name or password are not fetched")
    host, port = _host_and_port(netloc, scheme)
    return Target(scheme, host, port, _path(parts.path), _escape(parts.query, "/?:@!$&'()*+,;="),
                  host if _is_ip(host) else None)


def _host_and_port(netloc: str, scheme: str) -> tuple[str, int]:
    if netloc.startswith("["):
        literal, bracket, rest = netloc[1:].partition("]")
        if not bracket or "%" in literal:
            raise ApiError(400, "Invalid request: not a valid IPv6 address in the URL")
        try:
            host = str(ipaddress.IPv6Address(literal))
        except ValueError:
            raise ApiError(400, "Invalid request: not a valid IPv6 address in the URL") from None
    else:
        name = netloc.partition(":")[0]
        host, rest = _host_name(name), netloc[len(name):]
    if rest and not re.fullmatch(r":[0-9]{0,5}", rest):
        raise ApiError(400, "Invalid request: not a valid port in the URL")
    port = int(rest[1:]) if rest[1:] else DEFAULT_PORTS[scheme]
    if not 1 <= port <= 65535:
        raise ApiError(400, "Invalid request: not a valid port in the URL")
    return host, port


def _host_name(name: str) -> str:
    """A host name in ASCII lowercase (IDNA, UTS #46), without its trailing dot; an IPv4 address
    only as ``a.b.c.d`` (``127.1``, ``0x7f.0.0.1``, ``0177.0.0.1``, ``2130706433``: refused)."""
    if not name:
        raise ApiError(400, "Invalid request: the URL has no host")
    if "%" in name:
        raise ApiError(403, "URLs with an encoded host name are not fetched")
    if not name.isascii():
        import idna  # httpx's dependency, and the IDNA of today (2008, UTS #46), unlike Python's codec

        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            raise ApiError(400, "Invalid request: not a valid host name in the URL") from None
    name = name.lower()
    if name.endswith("."):
        name = name[:-1]
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ApiError(400, "Invalid request: not a valid host name in the URL")
    if _NUMERIC_LABEL.fullmatch(labels[-1]) and not _DOTTED_QUAD.fullmatch(name):
        raise ApiError(403, "Write an IP address in a URL as four decimal numbers (a.b.c.d)")
    return name


def _is_ip(host: str) -> bool:
    return ":" in host or bool(_DOTTED_QUAD.fullmatch(host))


def _path(path: str) -> str:
    """The path in normal form: escapes of unreserved characters decoded, others uppercase, what
    must be escaped escaped, dot segments removed (also ``%2e``); encoded slashes refused."""
    def unescape(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    path = _ESCAPE.sub(unescape, path)
    if re.search(r"%(?:2F|5C|00)", path):
        raise ApiError(403, "URLs with an encoded slash in their path are not fetched")
    segments = _escape(path, "/:@!$&'()*+,;=").split("/")[1:] if path else [""]
    out: list[str] = []
    for segment in segments:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if segments[-1] in (".", ".."):
        out.append("")  # "/a/b/.." is the folder "/a/"
    return "/" + "/".join(out)


def _escape(text: str, safe: str) -> str:
    """``text`` with every character a URL may not hold percent-encoded (UTF-8), escapes kept."""
    text = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", text)
    return quote(text, safe=safe + "%")


def _prefix(text: str) -> Prefix:
    """An ``--allow-urls`` value as a :class:`Prefix` (UsageError when it is not one)."""
    try:
        target = parse_url(text)
    except ApiError as exc:
        raise UsageError(f"the URL prefix {text!r} is not usable: {exc.message}", option="allow_urls") from None
    parts = urlsplit(text.strip())
    if parts.query or parts.fragment or text.strip().endswith(("?", "#")):
        raise UsageError(f"the URL prefix {text!r} has a query or fragment; give scheme, host, port and path only",
                         option="allow_urls")
    return Prefix(target)


def _origin(text: str) -> str:
    """A ``--cors`` origin as browsers send it (``scheme://host[:port]``), or ``*``."""
    origin = text.strip().rstrip("/")
    if origin == "*":
        return origin
    parts = urlsplit(origin)
    if (parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.path or parts.query
            or parts.fragment or "@" in parts.netloc):
        raise UsageError(f"{text!r} is not an origin (scheme://host[:port], or * for any)", option="cors")
    try:
        parts.port  # noqa: B018 - a ValueError for a port that is not one
    except ValueError:
        raise UsageError(f"{text!r} is not an origin (scheme://host[:port], or * for any)", option="cors") from None
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _resolve(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


_V4_NOT_PUBLIC = tuple(ipaddress.IPv4Network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24",
    "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4"))
_V4_PRIVATE = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                                       "100.64.0.0/10"))
_V6_UNICAST = ipaddress.IPv6Network("2000::/3")
_V6_NOT_PUBLIC = tuple(ipaddress.IPv6Network(n) for n in (
    "2001::/23", "2001:db8::/32", "2001:10::/28", "2001:20::/28", "3fff::/20"))


def not_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why ``ip`` is no public internet address (``"loopback"``, ``"private"``...), or None.

    Explicit tables, not only :mod:`ipaddress`'s flags (which changed between Python versions);
    an IPv6 address is public only within 2000::/3, and one that embeds an IPv4 address
    (IPv4-mapped, 6to4) only when that one is."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return not_public(embedded)
        if ip.is_unspecified:
            return "unspecified"
        if ip.is_loopback:
            return "loopback"
        if ip.is_link_local:
            return "link-local"
        if ip.is_multicast:
            return "multicast"
        if ip.is_private or ip.is_site_local:
            return "private"
        if ip not in _V6_UNICAST or any(ip in net for net in _V6_NOT_PUBLIC) or not ip.is_global:
            return "reserved"
        return None
    if ip in _V4_NOT_PUBLIC[0]:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if any(ip in net for net in _V4_PRIVATE):
        return "private"
    if any(ip in net for net in _V4_NOT_PUBLIC) or ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


# --- the reading page's Content-Security-Policy


class _Inline(HTMLParser):
    """Collects a page's inline scripts and styles, and its event-handler and style attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.handlers: list[str] = []
        self.style_attributes: list[str] = []
        self.inside: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") and value is not None:
                self.handlers.append(value)
            elif name == "style" and value is not None:
                self.style_attributes.append(value)
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self.inside = self.scripts
            self.scripts.append("")
        elif tag == "style":
            self.inside = self.styles
            self.styles.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.inside = None

    def handle_data(self, data: str) -> None:
        if self.inside is not None:
            self.inside[-1] += data


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def page_csp(html: str) -> str:
    """The Content-Security-Policy header for ``html``, a self-contained page whose CSS and script
    are inline (the reading page): only those exact blocks may run or apply (their SHA-256, as
    browsers hash them), nothing may load, and the page is sandboxed — an opaque origin, so even a
    script that got in could not call this server's API with the reader's credentials (scripts
    and opening the source link in a new tab stay allowed)."""
    inline = _Inline()
    inline.feed(html.replace("\r\n", "\n").replace("\r", "\n"))  # browsers hash what they parsed
    inline.close()

    def sources(blocks: list[str], attributes: list[str]) -> str:
        hashes = list(dict.fromkeys(_hash(b) for b in blocks))
        if attributes:  # inline handlers / style="": allowed only by hash, with 'unsafe-hashes'
            hashes += ["'unsafe-hashes'", *dict.fromkeys(_hash(a) for a in attributes)]
        return " ".join(hashes) or "'none'"

    return (f"default-src 'none'; script-src {sources(inline.scripts, inline.handlers)}; "
            f"style-src {sources(inline.styles, inline.style_attributes)}; img-src data:; form-action 'none'; "
            "frame-ancestors 'none'; base-uri 'none'; "
            "sandbox allow-scripts allow-popups allow-popups-to-escape-sandbox")


# --- the ASGI guard around the app


class Guard:
    """Around the whole app: refuses absurd request heads (431, 414), ends a request whose body
    stops arriving (408), and sets the security headers on every response — a strict CSP on HTML
    unless the route set its own."""

    def __init__(self, app: ASGIApp, gate: Gate) -> None:
        self.app, self.gate = app, gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _secured(list(message.get("headers", [])))
            await send(message)

        refused = _absurd(scope)
        if refused:
            from .errors import error_response

            status, text = refused
            await error_response(scope.get("path", "/"), status, text)(scope, receive, sending)
            return
        await self.app(scope, self._paced(receive), sending)

    def _paced(self, receive: Receive) -> Receive:
        """``receive``, but a body that stops arriving for ``body_idle_s``, or has not arrived
        within ``body_deadline_s``, is ApiError 408 in the route that reads it; after the body,
        waiting for the client to leave is not bounded."""
        done = False
        deadline: float | None = None
        idle, whole = self.gate.body_idle_s, self.gate.body_deadline_s

        async def receiving() -> Message:
            nonlocal done, deadline
            if done:
                return await receive()
            loop = asyncio.get_running_loop()
            deadline = deadline if deadline is not None else loop.time() + whole
            try:
                message = await asyncio.wait_for(receive(), max(0.0, min(idle, deadline - loop.time())))
            except asyncio.TimeoutError:
                done = True
                raise ApiError(408, "Request timeout: the request body stopped arriving") from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                done = True
            return message

        return receiving


def _absurd(scope: Scope) -> tuple[int, str] | None:
    headers = scope.get("headers", [])
    if len(headers) > MAX_HEADERS or sum(len(k) + len(v) for k, v in headers) > MAX_HEADER_BYTES:
        return 431, "Request header fields too large"
    target = len(scope.get("raw_path") or scope.get("path", "").encode("utf-8")) + len(scope.get("query_string", b""))
    if target > MAX_REQUEST_TARGET:
        return 414, "URI too long"
    return None


def _secured(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    out = headers + [(name, value) for name, value in SECURITY_HEADERS if name not in present]
    kind = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    if kind.split(b";")[0].strip().lower() in (b"text/html", b"application/xhtml+xml") \
            and b"content-security-policy" not in present:
        out.append((b"content-security-policy", PAGE_CSP.encode("ascii")))
    return out
