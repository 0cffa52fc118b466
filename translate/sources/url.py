"""Fetching an article from the web (``translate https://…``): one GET with a timeout and a
user agent that says who we are; offline mode refuses before any connection is made."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..version import __version__

TIMEOUT_S = 20.0
MAX_BYTES = 20 << 20  # a news page is far smaller; this bounds memory against endless responses
USER_AGENT = f"newsdigest-translate/{__version__} (article translator; +https://pypi.org/project/newsdigest-translate/)"


@dataclass(frozen=True)
class Fetched:
    """A fetched resource: its bytes, media type (``text/html``…) and final URL after redirects."""

    data: bytes
    media_type: str
    url: str


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def fetch(url: str, *, offline: bool) -> Fetched:
    """GET ``url``; one-line ``InputError`` for every failure (offline, refused, HTTP status, timeout)."""
    if offline:
        raise InputError(f"cannot fetch {url}: offline mode is on; save the page and translate the file",
                         option="offline")
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/*;q=0.8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - http(s) only
            data = response.read(MAX_BYTES + 1)
            media_type = response.headers.get_content_type()
            final = response.geturl()
    except urllib.error.HTTPError as exc:
        raise InputError(f"cannot fetch {url}: the server answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = getattr(exc.reason, "strerror", None) or exc.reason
        raise InputError(f"cannot fetch {url}: {reason}") from None
    except TimeoutError:
        raise InputError(f"cannot fetch {url}: no answer within {TIMEOUT_S:.0f} s") from None
    except OSError as exc:
        raise InputError(f"cannot fetch {url}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"cannot fetch {url}: larger than {MAX_BYTES >> 20} MB, not an article page")
    return Fetched(data, media_type, final)
