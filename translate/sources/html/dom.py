"""The page's element tree: parsed once with every word kept, however deep the page nests, then
cleared of what a reader never sees.

Nesting: libxml2 stops reading a page at 2,048 open elements (256 without ``huge_tree``) and
silently drops the rest, and deep trees exhaust recursion in the extractor and in our walkers. So a
page that deep is first re-written with its excess start tags left out (:class:`_Unnester`), and
the elements of the tree deeper than :data:`MAX_DEPTH` are then flattened into plain paragraphs,
every word kept in order (:func:`_flatten`), with a :class:`PageWarning`.

Hidden: scripts, styles, templates, SVG… and elements hidden by attribute or inline style
(:func:`drop_invisible`, :func:`hidden`).
"""

from __future__ import annotations

import html.parser
import re
import warnings
from typing import Any

from .page_warnings import PageWarning

MAX_DEPTH = 100  # elements nested deeper than this are flattened into paragraphs (module docstring)

SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
             "head", "title", "meta", "link", "select", "option", "datalist", "input"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCK_TAGS = {"p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "ul", "ol", "li",
              "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "blockquote",
              "pre", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "form", "fieldset", "legend",
              "address", "hr", "br", "center", "body", "html", "details", "summary", "label", "button", "textarea"}
_DROP_TAGS = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas"}
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
              "wbr", "keygen", "basefont", "bgsound", "frame", "isindex"}
_RAW_TEXT_TAGS = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
                  "plaintext"}
_SIBLING_CLOSES = {"p", "li", "dt", "dd", "option", "tr", "td", "th"}  # a start tag that closes an open one alike
_KEPT_KINDS = {*HEADINGS, "pre"}  # flattened blocks that keep their tag (else "p")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def tokens(el: Any) -> str:
    """An element's class and id, for recognising what a container is (furniture, subtitle, byline)."""
    return f"{el.get('class') or ''} {el.get('id') or ''}".strip()


def parse(text: str) -> Any:
    """The page's element tree with every word of the page in it, nested at most about
    :data:`MAX_DEPTH` deep (module docstring), or None when lxml finds no document."""
    root, overflowed = _lxml_parse(text)
    unwrapped = 0
    if overflowed:
        unnester = _Unnester()
        unnester.feed(text)
        unnester.close()
        root, _ = _lxml_parse("".join(unnester.out))
        unwrapped = unnester.left_out
    if root is not None:
        unwrapped += sum(_flatten(el) for el in root.xpath("/".join(["*"] * MAX_DEPTH)) if el.find("*/*") is not None)
    if unwrapped:
        warnings.warn(f"the page nests its elements more than {MAX_DEPTH} deep: {unwrapped} elements below that "
                      "depth were unwrapped, their text kept in order as plain paragraphs", PageWarning, stacklevel=4)
    return root


def _lxml_parse(text: str) -> tuple[Any, bool]:
    """The tree lxml makes of a page (None if it finds none), and whether libxml2 stopped at its depth limit."""
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except etree.ParserError:  # lxml refuses documents it finds empty
        return None, False
    return root, any("Excessive depth" in error.message for error in parser.error_log)


class _Unnester(html.parser.HTMLParser):
    """Re-writes a page that libxml2 cannot parse whole (too deep) so that no more than
    :data:`MAX_DEPTH` elements are ever open: a start tag beyond that is left out, with its end
    tag (a block's become ``<br>``, so its text stays a line of its own). Which tags close which
    follows HTML loosely (end tags close up to their match; ``p``, ``li``, cells… close their like);
    it only needs to keep the page under libxml2's limit. Comments are dropped, as the parser does."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.open: list[tuple[str, bool]] = []  # (tag, kept) of each open element
        self.counts: dict[str, int] = {}
        self.left_out = 0
        self.broken = False  # a <br> stands for the tags left out since the last text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS:
            self.out.append(self.get_starttag_text() or "")
            return
        top = self.open[-1][0] if self.open else ""
        if (top == tag and tag in _SIBLING_CLOSES) or (top == "p" and tag in BLOCK_TAGS):
            self._pop(len(self.open) - 1)
        keep = len(self.open) < MAX_DEPTH or tag in _RAW_TEXT_TAGS
        self.open.append((tag, keep))
        self.counts[tag] = self.counts.get(tag, 0) + 1
        self.left_out += not keep
        if keep:
            self.out.append(self.get_starttag_text() or "")
        elif tag in BLOCK_TAGS:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if not self.counts.get(tag):
            return  # a stray end tag: the parser would ignore it too
        at = len(self.open) - 1
        while self.open[at][0] != tag:
            at -= 1
        kept = self.open[at][1]
        self._pop(at)
        if kept:
            self.out.append(f"</{tag}>")
        elif tag in BLOCK_TAGS:
            self._break()

    def _break(self) -> None:
        if not self.broken:
            self.out.append("<br>")
            self.broken = True

    def _pop(self, at: int) -> None:
        for tag, _ in self.open[at:]:
            self.counts[tag] -= 1
        del self.open[at:]

    def handle_data(self, data: str) -> None:
        self.out.append(data)
        self.broken = self.broken and not data.strip()

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")


def _flatten(el: Any) -> int:
    """Replace ``el``'s descendants by one paragraph for each run of their visible text between
    block boundaries (headings and ``pre`` keep their tag), in order; return how many elements went.
    Iterative: the subtree may be as deep as libxml2 allows."""
    from lxml import etree

    runs: list[tuple[str, str, int]] = []  # (tag, text, line)
    pieces: list[str] = [el.text or ""]
    kinds = [el.tag if el.tag in _KEPT_KINDS else "p"]
    line, skipping, removed = el.sourceline or 0, 0, 0

    def flush(next_line: int) -> None:
        nonlocal pieces, line
        if (text := "".join(pieces)).strip():
            runs.append((kinds[-1], text, line))
        pieces, line = [], next_line

    for event, node in etree.iterwalk(el, events=("start", "end")):
        if node is el:
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            removed += 1
            if skipping or not tag or tag in SKIP_TAGS or hidden(node):
                skipping += 1
            elif tag in BLOCK_TAGS:
                flush(node.sourceline or 0)
                kinds.append(tag if tag in _KEPT_KINDS else "p")
            if not skipping:
                pieces.append(node.text or "")
            continue
        if skipping:
            skipping -= 1
            if skipping:
                continue
        elif tag in BLOCK_TAGS:
            flush(node.sourceline or 0)
            kinds.pop()
        pieces.append(node.tail or "")
    flush(0)
    for child in list(el):
        el.remove(child)
    el.text = None
    if len(runs) == 1 and runs[0][0] == kinds[0]:  # inline nesting only: one text, the element kept
        el.text = runs[0][1]
        return removed
    if el.tag not in BLOCK_TAGS or el.tag in _KEPT_KINDS or el.tag == "p":
        el.tag = "div"  # it now holds paragraphs
    for tag, text, at in runs:
        child = el.makeelement(tag, {})
        child.text = text
        if at:
            child.sourceline = at
        el.append(child)
    return removed


def drop_invisible(root: Any, keep: Any = None) -> None:
    """Remove scripts, styles, templates… and hidden elements (their tails stay); ``keep(el)`` spares some."""
    for el in list(root.iter()):
        if isinstance(el.tag, str) and (el.tag in _DROP_TAGS or hidden(el)) and el.getparent() is not None \
                and not (keep and keep(el)):
            el.drop_tree()


def json_ld(el: Any) -> bool:
    """A JSON-LD script: metadata (author, date) for the extractor, not text."""
    return el.tag == "script" and "ld+json" in (el.get("type") or "").lower()


def hidden(el: Any) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if el.tag == "input" and (el.get("type") or "").lower() == "hidden":
        return True
    return bool(_HIDDEN_STYLE.search(el.get("style") or ""))
