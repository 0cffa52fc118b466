"""Reading a saved web page: HTML bytes → the article as :class:`~translate.document.Block` s.

This package only orchestrates; each stage is a module of its own:

* :mod:`.decoding` — the page's bytes → its text (BOM, declarations, detection), binary data recognised;
* :mod:`.dom` — the element tree, parsed once with every word kept however deep the page nests,
  cleared of what a reader never sees;
* :mod:`.extract` — trafilatura's article (precision mode, default mode when it clearly wins) → blocks;
* :mod:`.locate` — the page's elements indexed for finding where each extracted block came from;
* :mod:`.repair` — captions, the title and subtitle put back, page furniture taken out;
* :mod:`.metadata` — title, author, date, url, sitename, description;
* :mod:`.loss` — a warning counting the article's paragraphs the extractor left out;
* :mod:`.article` — the stages above, in order (the default);
* :mod:`.whole_page` — ``whole_page=True``: every visible text block in document order, no extraction;
* :mod:`.text` — cleaned inline text and whitespace-free keys, shared by the stages.

Size: a page above :data:`MAX_PAGE_BYTES` is refused with one line (an ``InputError``) saying to
save the article part instead; everything below is linear in the page's size.
"""

from __future__ import annotations

from ...document import Source
from ...errors import InputError
from ...normalize import CONTROL
from .article import article
from .decoding import declared_encoding, decode_html, not_a_page
from .page_warnings import PageLossWarning, PageWarning
from .whole_page import whole_page as _whole_page

__all__ = ["MAX_PAGE_BYTES", "PageLossWarning", "PageWarning", "declared_encoding", "decode_html", "read_html"]

MAX_PAGE_BYTES = 10_000_000  # bigger pages are refused (a news page is well under 2 MB; see benchmarks/big_page.py)


def read_html(data: bytes, *, whole_page: bool = False, url: str | None = None,
              http_charset: str | None = None) -> Source:
    """A web page's article (or, with ``whole_page``, all of its visible text) as blocks with their
    markup, and its metadata. ``http_charset`` is the charset of the HTTP ``Content-Type``, when
    the page was fetched. A page with no article, too big or not a page is an ``InputError``."""
    if len(data) > MAX_PAGE_BYTES:
        raise InputError(f"the page is {len(data) / 1e6:.3g} MB, more than the {MAX_PAGE_BYTES / 1e6:g} MB a web page "
                         "may be; save just its article (or the article's text) and translate that")
    if what := not_a_page(data):
        raise InputError(f"the page is {what}, not HTML; give the web page itself")
    text = decode_html(data, http_charset)
    # control characters are not text: a browser shows none of them, and one inside a paragraph made
    # the extractor lose the whole article (those that act as white space become a space)
    text = CONTROL.sub(lambda m: " " if m.group() in "\x0b\x0c\x85" else "", text)
    if not text.strip():
        raise InputError("the page is empty")
    if whole_page:
        return _whole_page(text, url)
    return article(text, url)
