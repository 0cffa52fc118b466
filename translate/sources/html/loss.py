"""Nothing lost silently: after extraction, the long visible paragraphs of the article's container
(outside furniture containers, not mostly links) are checked against what came out, and a
:class:`PageLossWarning` says how many paragraphs and characters the extractor left out."""

from __future__ import annotations

import warnings
from typing import Any

from ...document import Block
from .dom import BLOCK_TAGS, HEADINGS
from .locate import Dom
from .page_warnings import PageLossWarning
from .repair import furniture, in_furniture
from .text import clean
from .text import key as _key

LOST_MIN = 20  # paragraphs (not headings) of the article with fewer characters are not checked for (warn_if_lost)
LOST_WINDOW = 500_000  # characters of output after the last paragraph found where the next one is looked for
FULL_SEARCHES = 100  # paragraphs looked for anywhere in the output, not just after the last one found

_LEAF_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt", "figcaption",
                "td", "th", "section", "article"}


def warn_if_lost(dom: Dom, article_root: Any, blocks: list[Block]) -> None:
    """A :class:`PageWarning` when paragraphs of the article's container are in none of ``blocks``
    (module docstring); a heading counts only when text follows it (trafilatura drops trailing
    titles on purpose). Each is looked for after the last one found (the order is the page's), and
    only :data:`FULL_SEARCHES` of them anywhere, so this stays linear."""
    first = dom.index.get(article_root)
    if first is None:
        return
    out = "".join(_key(b.text) for b in blocks)
    lost: list[int] = []  # sizes of the paragraphs lost
    headings: list[int] = []  # sizes of the headings lost since the last paragraph
    searches = pos = 0
    for i in range(first, dom.end[first] + 1):
        el = dom.elements[i]
        heading = el.tag in HEADINGS
        if el.tag not in _LEAF_BLOCKS or dom.stop[i] - dom.start[i] < (2 if heading else LOST_MIN) \
                or not _paragraph(el, article_root, dom):
            continue
        key = dom.key(i)
        at = out.find(key, pos, pos + len(key) + LOST_WINDOW)
        if at < 0 and searches < FULL_SEARCHES:
            searches += 1
            at = out.find(key)
        if at >= 0:
            pos = max(pos, at + len(key))
        if heading:
            headings += [len(key)] if at < 0 else []
            continue
        lost += headings + ([len(key)] if at < 0 else [])
        headings = []
    if lost:
        them = "them" if len(lost) > 1 else "it"
        warnings.warn(f"{len(lost)} paragraph{'s' if len(lost) > 1 else ''} of the article ({sum(lost)} characters) "
                      f"did not come out: the extractor left {them} out; reading the whole page keeps {them}",
                      PageLossWarning, stacklevel=4)


def _paragraph(el: Any, article_root: Any, dom: Dom) -> bool:
    """Whether ``el`` is one paragraph of article text: no block inside it, not mostly links, not
    page furniture (:func:`.repair.furniture`) and, however long, in no furniture container."""
    if any(isinstance(d.tag, str) and d.tag in BLOCK_TAGS and d.tag != "br" for d in el.iterdescendants()):
        return False
    text = clean(el.text_content())
    if 2 * sum(len(_key(a.text_content())) for a in el.iter("a")) >= len(_key(text)):
        return False
    return not (furniture(Block(text, "body"), el, article_root, dom) or in_furniture(el, article_root))
