"""The extracted article repaired from the page's own DOM, since trafilatura's precision mode loses
a few things news pages have:

* figure captions (``<figcaption>``), put back after their image (or after the paragraph that
  precedes the figure) when that lies inside the extracted article (:func:`locate_blocks`);
* the title, when the ``<h1>`` lies outside the article's container, and a subtitle/standfirst
  right after it (a class such as ``subtitle``/``standfirst``/``dek``, or a line that starts
  with "——") (:func:`add_title`);
* short lines that are page furniture, not article: copyright lines, editor credits
  ("（责任编辑：…）"), date/source lines, and short blocks that sit in containers named like
  navigation, share bars, comments, sidebars, bylines or footers (checked only up to the
  container the article's long paragraphs share, so a page-wide wrapper never counts) (:func:`furniture`).
"""

from __future__ import annotations

import re
from typing import Any

from ...document import Block, Markup
from .dom import tokens
from .locate import Dom
from .text import clean, key

SHORT_BLOCK = 60  # blocks with fewer characters than this may be dropped as page furniture
SUBTITLE_MAX = 200

# Names of containers that hold page furniture rather than article text (class/id tokens).
_FURNITURE = re.compile(
    r"(?:^|[\s_\-])(?:nav|navbar|navigation|menu|topbar|footer|foot|copyright|share|sharing|social|related|"
    r"relation|recommend|comments?|cmt|sidebar|side|aside|rightbar|leftbar|widget|ads?|advert|promo|"
    r"breadcrumbs?|crumbs?|position|tags|keywords|editor|byline|author|info|meta|statement|disclaimer|"
    r"login|signin|subscribe|newsletter|hot|rank|ranking|paging|pagination|toolbar|fontsize|print|"
    r"onward|more|other|othernews|support|cookie|banner)(?:$|[\s_\-])", re.IGNORECASE)
_FURNITURE_TAGS = {"nav", "footer", "aside", "form"}
_COPYRIGHT = re.compile(r"©|&copy;|\bcopyright\b|版权所有|版權所有|all rights reserved|ICP备|ICP證|不得转载|不得轉載",
                        re.IGNORECASE)
_EDITOR_LINE = re.compile(r"^[【\[（(]?\s*(?:责任编辑|責任編輯|编辑|編輯|校对|校對|审核|審核|纠错|糾錯|来源|來源)"
                          r"\s*[:：]?[^】\]）)]{0,20}[】\]）)]?(?:\s*[【\[（(][^】\]）)]{0,20}[】\]）)])*$")
_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\b\d{1,2}:\d{2}\b|"
                   r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}", re.IGNORECASE)
_DATELINE_LABEL = re.compile(r"来源|來源|作者|记者|記者|编辑|編輯|发布|發布|时间|時間|字号|^by\b|\bsource\b|"
                             r"published|updated|\|", re.IGNORECASE)
_SUBTITLE_CLASS = re.compile(r"(?:^|[\s_\-])(?:subtitle|sub|subhead|subheading|standfirst|dek|deck|strapline|"
                             r"summary|fu[-_]?title|fubt|sub[-_]?title)(?:$|[\s_\-])", re.IGNORECASE)


def locate_blocks(built: list[tuple[Block, str]], dom: Dom) -> list[tuple[Block, Any]]:
    """Each extracted block with its line and its element in the page (None where not found), and
    the figure captions put back: an image's after it, a figure's whose image the extractor left
    out after the paragraph before the figure."""
    by_src, figures = _captions(dom)
    located: list[tuple[Block, Any]] = []
    seen_captions: set[str] = set()
    for block, image in built:
        if block.kind == "caption" and not block.text:  # an image: its caption, if the page has one
            caption, line = by_src.get(image, ("", 0))
            if caption and caption not in seen_captions:
                seen_captions.add(caption)
                located.append((Block(caption, "caption", line), None))
            continue
        el = dom.locate(block.text)
        line = el.sourceline if el is not None and el.sourceline else 0
        located.append((Block(block.text, block.kind, line, block.markup), el))
    all_text = key("".join(b.text for b, _ in located))
    for fig, caption in figures:  # figures whose image trafilatura left out: after the paragraph before them
        if caption in seen_captions or key(caption) in all_text:
            continue
        before = fig.getprevious()
        if before is None:
            continue
        before_key = key(before.text_content())
        for i, (block, _) in enumerate(located):
            if before_key and key(block.text) and key(block.text) in before_key:
                cap_el = fig.find(".//figcaption")
                located.insert(i + 1, (Block(caption, "caption", cap_el.sourceline or 0), fig))
                seen_captions.add(caption)
                break
    return located


def article_container(located: list[tuple[Block, Any]]) -> Any:
    """The element the article's long paragraphs share (else all its located blocks), or None."""
    long_els = [el for b, el in located if el is not None and len(key(b.text)) >= SHORT_BLOCK]
    long_els = long_els or [el for _, el in located if el is not None]
    article_root = long_els[0] if long_els else None
    for el in long_els[1:]:
        article_root = common_ancestor(article_root, el)
    return article_root


def add_title(blocks: list[Block], head: Any, title: str) -> None:
    """Make the page's title (its heading ``head``, else the extractor's ``title``) the first
    ``title`` block of ``blocks``, and a subtitle right after it its ``subtitle``."""
    title_text = clean(head.text_content()) if head is not None else title
    if not title_text:
        return
    first = next((i for i, b in enumerate(blocks) if b.kind == "heading" and key(b.text) == key(title_text)), None)
    line = head.sourceline or 0 if head is not None else 0
    if first is not None and first <= 1:
        blocks[first] = Block(blocks[first].text, "title", blocks[first].line, Markup(level=1))
    else:
        blocks.insert(0, Block(title_text, "title", line, Markup(level=1)))
    at = next(i for i, b in enumerate(blocks) if b.kind == "title")
    sub = _subtitle_after(head)
    if sub is not None:
        sub_text = clean(sub.text_content())
        existing = next((i for i, b in enumerate(blocks) if key(b.text) == key(sub_text)), None)
        if existing is not None:
            blocks.pop(existing)
            at = next(i for i, b in enumerate(blocks) if b.kind == "title")
        blocks.insert(at + 1, Block(sub_text, "subtitle", sub.sourceline or 0))
    elif at + 1 < len(blocks) and blocks[at + 1].kind == "body" and blocks[at + 1].text.startswith("——") \
            and len(blocks[at + 1].text) <= SUBTITLE_MAX:
        b = blocks[at + 1]
        blocks[at + 1] = Block(b.text, "subtitle", b.line, b.markup)


def furniture(block: Block, el: Any, article_root: Any, dom: Dom) -> bool:
    """Whether a short extracted block is page furniture (module docstring)."""
    text = block.text
    if len(key(text)) >= SHORT_BLOCK or block.kind == "title":
        return False
    if block.kind in ("body", "heading"):
        if _COPYRIGHT.search(text) or _EDITOR_LINE.match(key(text)):
            return True
        if block.kind == "body" and _DATE.search(text) and _DATELINE_LABEL.search(text) and len(key(text)) < 50:
            return True
    return el is not None and article_root is not None and in_furniture(el, common_ancestor(el, article_root))


def in_furniture(el: Any, stop: Any) -> bool:
    """Whether ``el`` or an ancestor below ``stop`` is a furniture container (nav, comments…)."""
    node = el
    while node is not None and node is not stop:
        if node.tag in _FURNITURE_TAGS or _FURNITURE.search(tokens(node)):
            return True
        node = node.getparent()
    return False


def common_ancestor(a: Any, b: Any) -> Any:
    ancestors = {id(n) for n in a.iterancestors()} | {id(a)}
    node = b
    while node is not None and id(node) not in ancestors:
        node = node.getparent()
    return node


def _subtitle_after(head: Any) -> Any:
    """The element right after the title that is a subtitle / standfirst, or None."""
    if head is None:
        return None
    node = head
    for _ in range(3):
        nxt = node.getnext()
        while nxt is None and node.getparent() is not None and node.getparent().tag not in ("body", "html"):
            node = node.getparent()
            nxt = node.getnext()
        if nxt is None:
            return None
        node = nxt
        text = clean(node.text_content())
        if not text:
            continue
        if len(text) <= SUBTITLE_MAX and (_SUBTITLE_CLASS.search(tokens(node)) or text.startswith(("——", "—"))):
            return node
        if node.tag in ("p", "h2", "h3") or len(text) > SUBTITLE_MAX:
            return None
    return None


def _captions(dom: Dom) -> tuple[dict[str, tuple[str, int]], list[tuple[Any, str]]]:
    """Figure captions of the page: by image src, and (figure, caption) pairs in order."""
    by_src: dict[str, tuple[str, int]] = {}
    figures: list[tuple[Any, str]] = []
    if dom.root is None:
        return by_src, figures
    for fig in dom.root.iter("figure"):
        caption = fig.find(".//figcaption")
        if caption is None or not (text := clean(caption.text_content())):
            continue
        figures.append((fig, text))
        for img in fig.iter("img"):
            if src := (img.get("src") or "").strip():
                by_src.setdefault(src, (text, caption.sourceline or 0))
    return by_src, figures
