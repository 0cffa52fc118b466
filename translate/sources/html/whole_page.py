"""Every visible text block of a page in document order, with its markup (no extraction): scripts,
styles, templates, SVG, comments and hidden elements are skipped."""

from __future__ import annotations

import re
from typing import Any

from ...document import Block, Markup, ParagraphKind, Source
from ...errors import InputError
from .dom import BLOCK_TAGS, SKIP_TAGS, drop_invisible, hidden, parse
from .metadata import whole_page_metadata
from .repair import SUBTITLE_MAX
from .text import clean


class _PageWalker:
    """Every visible text block of a page, in document order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.line = 0
        self.kind: ParagraphKind = "body"
        self.markup: Markup | None = None
        self.lists = self.quotes = self.tables = 0
        self.titled = False

    def flush(self) -> None:
        text = clean("".join(self.buffer))
        if text:
            self.blocks.append(Block(text, self.kind, self.line, self.markup))
        self.buffer = []

    def start(self, el: Any, kind: ParagraphKind, markup: Markup | None) -> tuple[ParagraphKind, Markup | None]:
        self.flush()
        saved = (self.kind, self.markup)
        self.kind, self.markup, self.line = kind, markup, el.sourceline or 0
        return saved

    def walk(self, el: Any, list_state: tuple[int, int] | None = None, quote: int = 0) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in SKIP_TAGS or hidden(el):
            return
        if tag == "br":
            self.flush()
            return
        if tag == "pre":
            self.flush()
            source = el.text_content().strip("\n")
            if source.strip():
                self.blocks.append(Block(source, "verbatim", el.sourceline or 0, Markup(source=source)))
            return
        if tag == "table":
            self.flush()
            self.tables += 1
            group = self.tables
            for r, row in enumerate(el.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")):
                for c, cell in enumerate(x for x in row if x.tag in ("td", "th")):
                    if any(cell.find(f".//{t}") is not None for t in ("p", "div", "table", "ul", "ol", "h1", "h2")):
                        self.walk_children(cell, list_state, quote)  # a layout table
                        continue
                    saved = self.start(cell, "table_cell",
                                       Markup(cell=(r, c), group=group, header=cell.tag == "th" or row.getparent()
                                              .tag == "thead"))
                    self.walk_children(cell, list_state, quote)
                    self.flush()
                    self.kind, self.markup = saved
            return
        kind: ParagraphKind | None = None
        markup: Markup | None = None
        if re.fullmatch(r"h[1-6]", tag):
            level = int(tag[1])
            kind = "title" if level == 1 and not self.titled else "heading"
            self.titled = self.titled or kind == "title"
            markup = Markup(level=level)
        elif tag in ("ul", "ol"):
            if list_state is None:
                self.lists += 1
                state = (self.lists, 0)
            else:
                state = (list_state[0], list_state[1] + 1)
            self.flush()
            number = 0
            for child in el:
                if isinstance(child.tag, str) and child.tag == "li":
                    number += 1
                    marker = f"{number}." if tag == "ol" else "-"
                    saved = self.start(child, "list_item", Markup(level=state[1], marker=marker, group=state[0]))
                    self.walk_children(child, state, quote)
                    self.flush()
                    self.kind, self.markup = saved
                else:
                    self.walk(child, state, quote)
                    self.buffer.append(child.tail or "")
            self.flush()
            return
        elif tag == "blockquote":
            self.quotes += 1
            kind, markup, quote = "quote", Markup(group=self.quotes), self.quotes
        elif tag == "figcaption":
            kind = "caption"
        elif tag in BLOCK_TAGS and tag not in ("li",):
            kind = self.kind if self.kind in ("list_item", "quote", "table_cell") else "body"
            markup = self.markup if kind == self.kind else None
        if kind is not None:
            saved = self.start(el, kind, markup)
            self.walk_children(el, list_state, quote)
            self.flush()
            self.kind, self.markup = saved
        else:
            self.walk_children(el, list_state, quote)

    def walk_children(self, el: Any, list_state: tuple[int, int] | None, quote: int) -> None:
        self.buffer.append(el.text or "")
        for child in el:
            self.walk(child, list_state, quote)
            self.buffer.append(child.tail or "")  # a block child has flushed: its tail starts a new block


def whole_page(text: str, url: str | None) -> Source:
    """The page's visible text blocks (module docstring), with the metadata of its own tags."""
    root = parse(text)
    if root is None:
        raise InputError("the page has no text")
    drop_invisible(root)
    body = root.find("body")
    walker = _PageWalker()
    walker.walk(body if body is not None else root)
    walker.flush()
    blocks = [b for b in walker.blocks if b.text]
    for i, b in enumerate(blocks[:-1]):  # "——…" right after the title: its subtitle
        nxt = blocks[i + 1]
        if b.kind == "title" and nxt.kind == "body" and nxt.text.startswith("——") and len(nxt.text) <= SUBTITLE_MAX:
            blocks[i + 1] = Block(nxt.text, "subtitle", nxt.line, nxt.markup)
    if not blocks:
        raise InputError("the page has no visible text")
    return Source(tuple(blocks), whole_page_metadata(root, url), "html")
