"""The page at ``/``: paste text, a URL (when the server fetches URLs) or a file, pick the target
language, read the bilingual reading page with its digests.

The page is static package data (``translate/server/page/``: ``index.html``, ``app.js``,
``app.css``) that talks only to this server's own APIs: ``GET /page/config`` (below),
``GET /languages``, ``POST /v1/translate`` and ``POST /v1/summarize``.

Its Content-Security-Policy allows nothing but this origin — and, by hash, the reading page's own
inline style, script and event handler: the page shows the reading page in a sandboxed ``srcdoc``
iframe, and such a frame inherits the policy of the page holding it (its own ``<meta>`` policy
only adds restrictions). The hashes are taken from pages rendered by the reading page's public
renderer, so they follow its CSS and script as they change.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from importlib import resources

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..state import app_state
from ..errors import ApiError

router = APIRouter()

ASSETS = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
MAX_DIGESTS = 8  # reading pages with up to this many digest tabs (each adds a CSS rule) are allowed
IMMUTABLE = "public, max-age=31536000, immutable"  # an asset asked for by its version (?v=)
REVALIDATE = "no-cache"  # anything else: kept, but checked (ETag) before each use


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str  # quoted, as in the header

    @property
    def version(self) -> str:
        return self.etag.strip('"')


def _read(name: str) -> bytes:
    return resources.files("translate.server").joinpath("page").joinpath(name).read_bytes()


def _asset(body: bytes, media_type: str) -> Asset:
    return Asset(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:16] + '"')


@cache
def asset(name: str) -> Asset:
    """``app.js`` or ``app.css``, read once."""
    return _asset(_read(name), ASSETS[name])


@cache
def index() -> Asset:
    """``index.html``, its script and stylesheet asked for by version: a new release's page never
    runs last release's cached script."""
    html = _read("index.html").decode("utf-8")
    for name in ASSETS:
        html = html.replace(f'"/page/{name}"', f'"/page/{name}?v={asset(name).version}"')
    return _asset(html.encode("utf-8"), "text/html; charset=utf-8")


class _Inline(HTMLParser):
    """Collects a page's inline script and style texts, and its event-handler and style attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: set[str] = set()
        self.styles: set[str] = set()
        self.handlers: set[str] = set()
        self.style_attributes: set[str] = set()
        self.open: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers.update(value or "" for name, value in attrs if name.startswith("on"))
        self.style_attributes.update(value or "" for name, value in attrs if name == "style")
        if tag in ("script", "style") and not any(name == "src" for name, _ in attrs):
            self.open, self.text = tag, []

    def handle_data(self, data: str) -> None:
        if self.open:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self.open:
            (self.scripts if tag == "script" else self.styles).add("".join(self.text))
            self.open = None


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


@cache
def page_csp() -> str:
    """The page's Content-Security-Policy (``frame-src`` needs nothing: a ``srcdoc`` frame is not
    fetched, and the reading page's links cannot navigate the sandboxed frame away)."""
    from ...output.page import PageDigest, render_page

    found = _Inline()
    for n in range(MAX_DIGESTS + 1):
        digests = tuple(PageDigest(f"d{i}", "") for i in range(n))
        html = "".join(render_page([], {}, "lines", {}, digests))
        found.feed(html.replace("\r\n", "\n").replace("\r", "\n"))  # browsers hash what they parsed

    def sources(blocks: set[str], attributes: set[str]) -> str:
        allowed = ["'self'", *sorted(map(_hash, blocks))]
        if attributes:  # handlers and style="" are allowed by hash only with 'unsafe-hashes'
            allowed += ["'unsafe-hashes'", *sorted(map(_hash, attributes))]
        return " ".join(allowed)

    return (f"default-src 'none'; script-src {sources(found.scripts, found.handlers)}; "
            f"style-src {sources(found.styles, found.style_attributes)}; "
            "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'")


def page_headers() -> dict[str, str]:
    """The headers of the page at ``/``."""
    return {"Content-Security-Policy": page_csp(), "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
            "Cross-Origin-Opener-Policy": "same-origin"}


def _send(request: Request, item: Asset, cache_control: str, headers: dict[str, str] | None = None) -> Response:
    """``item``, or 304 when the client's copy is current."""
    common = {"ETag": item.etag, "Cache-Control": cache_control, "X-Content-Type-Options": "nosniff",
              **(headers or {})}
    tags = {tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")}
    if item.etag in tags or "*" in tags:
        return Response(status_code=304, headers=common)
    return Response(item.body, media_type=item.media_type, headers=common)


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
async def page(request: Request) -> Response:
    return _send(request, index(), REVALIDATE, page_headers())


@router.get("/page/config", include_in_schema=False)
async def config(request: Request) -> JSONResponse:
    """What the page offers: a URL field (``--allow-urls``), an API key field (``--api-keys``),
    and the limits it warns about before sending."""
    _, options, _ = app_state(request)
    return JSONResponse({"urls": options.allow_urls is not None, "keyRequired": options.api_keys is not None,
                         "charLimit": options.char_limit, "bodyLimit": options.body_limit},
                        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@router.api_route("/page/{name}", methods=["GET", "HEAD"], include_in_schema=False)
async def page_asset(request: Request, name: str) -> Response:
    if name not in ASSETS:
        raise ApiError(404, "Not Found")
    item = asset(name)
    return _send(request, item, IMMUTABLE if request.query_params.get("v") == item.version else REVALIDATE)
