"""A page's article: parsed (:mod:`.dom`), extracted (:mod:`.extract`), located in the page and
repaired from it (:mod:`.locate`, :mod:`.repair`), its metadata read (:mod:`.metadata`), and what
the extractor left out counted (:mod:`.loss`). This module only orchestrates those stages."""

from __future__ import annotations

from ...document import Source
from ...errors import InputError
from .dom import drop_invisible, json_ld, parse
from .extract import Builder, choose_extraction
from .locate import Dom
from .loss import warn_if_lost
from .metadata import metadata
from .repair import add_title, article_container, furniture, locate_blocks
from .text import clean, units

MIN_ARTICLE_UNITS = 20  # fewer words (a CJK character counts as one) than this: no article


def _no_article(url: str | None) -> InputError:
    where = f"{url}: " if url else ""
    return InputError(f"{where}no article text found in this page; it can be read as a whole page instead, "
                      "which translates all of its visible text", option="whole_page")


def article(text: str, url: str | None) -> Source:
    """The article of a decoded page as blocks, with its metadata; an ``InputError`` when it has none."""
    root = parse(text)
    if root is None:
        raise _no_article(url)
    drop_invisible(root, keep=json_ld)
    main, found = choose_extraction(root, url)
    if main is None:
        raise _no_article(url)
    dom = Dom(root)
    builder = Builder()
    builder.walk(main)
    title = clean(found.get("title", ""))
    head = dom.find_heading(title)
    first = next((b.text for b, _ in builder.blocks if b.kind == "body"), "")
    meta = metadata(found, dom.root, head, url, first[:120])
    located = locate_blocks(builder.blocks, dom)
    article_root = article_container(located)
    blocks = [b for b, el in located if not furniture(b, el, article_root, dom)]
    add_title(blocks, head, title)
    body = " ".join(b.text for b in blocks if b.kind not in ("title", "subtitle", "heading"))
    if units(body) < MIN_ARTICLE_UNITS:
        raise _no_article(url)
    warn_if_lost(dom, article_root, blocks)
    return Source(tuple(blocks), meta, "html")
