"""The article, as trafilatura extracts it, → blocks with their markup.

trafilatura is the reference extractor for news pages; it runs in its precision mode: its default
mode, on short articles, falls back to a baseline that flattens the whole page — navigation and
footer included — into one paragraph, whereas precision mode keeps the structure. The default
mode's result is used instead only when it is structured (several blocks) and holds clearly more
text (:data:`FALLBACK_GAIN`). The default mode runs only when it could win: when precision mode
found less than 1/:data:`FALLBACK_GAIN` of the page's visible text. A page of thousands of
paragraphs has runs of them joined for the extractor (:func:`_joined_paragraphs`), which is
otherwise quadratic in their number; one that still has too many is an ``InputError``. The
extractor gets the parsed tree (so the page is parsed once), with scripts, templates and hidden
elements already removed. Its XML is then walked into blocks (:class:`Builder`); layout tables (a
``<table>`` used for page layout, whose cells hold paragraphs) are unwrapped.
"""

from __future__ import annotations

import copy
import datetime
import re
from typing import Any

from ...document import Block, Markup, ParagraphKind
from ...errors import InputError
from .text import clean, key

FALLBACK_GAIN = 1.5  # default mode must find this many times precision mode's text to be preferred
EXTRACTOR_PARAGRAPHS = 2000  # more <p> than this: runs of them are joined for the extractor (_joined_paragraphs)
MAX_EXTRACTOR_TEXTS = 30_000  # more paragraph texts than this, even joined: no extraction (its time is quadratic)

_SEPARATOR = "\ufffc\ufffc"  # between the paragraphs of a run joined for the extractor (_joined_paragraphs)
_INLINE_TEXT = {"a", "b", "i", "u", "s", "em", "strong", "span", "font", "small", "big", "sub", "sup", "mark", "q",
                "abbr", "cite", "code", "kbd", "samp", "var", "time", "ins", "del", "strike", "tt", "label"}


class Builder:
    """Walks trafilatura's XML and yields blocks with their markup."""

    def __init__(self) -> None:
        self.blocks: list[tuple[Block, str]] = []  # (block, image src that follows or "")
        self.lists = self.quotes = self.tables = 0

    def add(self, text: str, kind: ParagraphKind, markup: Markup | None = None, image: str = "") -> None:
        for piece in text.split(_SEPARATOR):  # paragraphs joined for the extractor (_joined_paragraphs)
            if piece := clean(piece):
                self.blocks.append((Block(piece, kind, 0, markup), image))

    def walk(self, el: Any) -> None:
        for child in el:
            tag = child.tag
            if tag == "head":
                level = _level(child.get("rend"))
                self.add(_inline(child), "heading", Markup(level=level))
            elif tag == "p":
                for piece in _lines(child):
                    self.add(piece, "body")
            elif tag == "list":
                self.lists += 1
                self.list(child, 0, self.lists)
            elif tag == "quote":
                self.quotes += 1
                group = self.quotes
                parts = [c for c in child if c.tag in ("p", "head", "list")]
                if parts:
                    for part in parts:
                        for piece in _lines(part):
                            self.add(piece, "quote", Markup(group=group))
                else:
                    for piece in _lines(child):
                        self.add(piece, "quote", Markup(group=group))
            elif tag == "table":
                if _layout_table(child):
                    for row in child.iter("row"):
                        for cell in row.findall("cell"):
                            self.walk(cell)
                else:
                    self.tables += 1
                    self.table(child, self.tables)
            elif tag == "code":
                source = "".join(child.itertext()).strip("\n")
                if source.strip():
                    self.blocks.append((Block(source, "verbatim", 0, Markup(source=source)), ""))
            elif tag == "graphic":
                self.blocks.append((Block("", "caption"), child.get("src") or ""))
            elif tag in ("div", "main", "doc", "figure"):
                self.walk(child)
            else:
                self.add(_inline(child), "body")

    def list(self, el: Any, level: int, group: int) -> None:
        ordered = (el.get("rend") or "").lower() == "ol"
        number = 0
        for item in el:
            if item.tag != "item":
                continue
            number += 1
            marker = f"{number}." if ordered else "-"
            self.add(_inline(item, skip=("list",)), "list_item", Markup(level=level, marker=marker, group=group))
            for sub in item.findall("list"):
                self.list(sub, level + 1, group)

    def table(self, el: Any, group: int) -> None:
        for r, row in enumerate(el.iter("row")):
            for c, cell in enumerate(row.findall("cell")):
                self.add(_inline(cell), "table_cell",
                         Markup(cell=(r, c), group=group, header=cell.get("role") == "head"))


def _level(rend: str | None) -> int:
    match = re.fullmatch(r"h([1-6])", rend or "")
    return int(match.group(1)) if match else 2


def _inline(el: Any, skip: tuple[str, ...] = ()) -> str:
    """An element's text, nested ``skip`` elements left out (their tails kept)."""
    parts = [el.text or ""]
    for child in el:
        if child.tag not in skip:
            parts.append(_inline(child) if child.tag != "lb" else " ")
        parts.append(child.tail or "")
    return "".join(parts)


def _lines(el: Any) -> list[str]:
    """A paragraph's text, split at its line breaks (``<br>`` separated paragraphs on many pages)."""
    pieces, current = [], [el.text or ""]
    for child in el:
        if child.tag == "lb":
            pieces.append("".join(current))
            current = []
        else:
            current.append(_inline(child))
        current.append(child.tail or "")
    pieces.append("".join(current))
    return [p for p in pieces if p.strip()]


def _layout_table(el: Any) -> bool:
    """A table used for page layout: some cell holds paragraphs, headings or lists."""
    return any(cell.find(tag) is not None for cell in el.iter("cell") for tag in ("p", "head", "list", "table"))


def _extract(root: Any, url: str | None, precision: bool) -> tuple[Any, dict[str, str]]:
    """trafilatura's article — its body of p, head, list, quote, table, code, graphic… — or None,
    and, in precision mode, its metadata. trafilatura works on a copy of the tree; its date search
    is htmldate's fast one (:mod:`.metadata`)."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        root, url=url, output_format="xml", include_tables=True, include_images=True, include_comments=False,
        with_metadata=precision, include_formatting=False, include_links=False, favor_precision=precision,
        deduplicate=False, date_extraction_params={"extensive_search": False, "original_date": True,
                                                   "max_date": datetime.date.today().isoformat()})
    if doc is None or isinstance(doc, dict):  # (a dict only when as_dict=True asks for one)
        return None, {}
    meta = {name: value for name in ("title", "author", "date", "url", "sitename", "description")
            if isinstance(value := getattr(doc, name, None), str) and value}
    return (doc.body if doc.body is not None and len(doc.body) else None), meta


def _joined_paragraphs(root: Any, url: str | None) -> Any:
    """The tree the extractor gets: ``root`` itself or, when the page has more than
    :data:`EXTRACTOR_PARAGRAPHS` paragraphs, a copy where each run of sibling text-only ``<p>`` is
    one ``<p>``, their texts joined by :data:`_SEPARATOR` (the blocks split there again).
    trafilatura asks for ``//p//text()``, which libxml2 answers in time quadratic in the number of
    text nodes (18 s for 80,000; 200 s for 280,000), so a page that still has too many is refused."""
    if int(root.xpath("count(//p)")) <= EXTRACTOR_PARAGRAPHS:
        return root
    tree = copy.deepcopy(root)
    runs: list[list[Any]] = []
    for p in tree.iter("p"):
        if any(d.tag not in _INLINE_TEXT for d in p.iterdescendants()):
            runs.append([])
        elif runs and runs[-1] and p.getprevious() is runs[-1][-1] and not (p.getprevious().tail or "").strip():
            runs[-1].append(p)
        else:
            runs.append([p])
    for run in runs:
        if len(run) > 1:
            head = run[0]
            text = _SEPARATOR.join(p.text_content() for p in run)
            for child in list(head):
                head.remove(child)
            head.text, head.tail = text, run[-1].tail
            for p in run[1:]:
                p.getparent().remove(p)
    if (left := int(tree.xpath("count(//p//text())"))) > MAX_EXTRACTOR_TEXTS:
        where = f"{url}: " if url else ""
        raise InputError(f"{where}the page has {left:,} separate paragraphs, more than the {MAX_EXTRACTOR_TEXTS:,} an "
                         "article can be extracted from; save just its article, or read it as a whole page",
                         option="whole_page")
    return tree


def _body_text(body: Any) -> tuple[int, int]:
    """(characters of text, number of blocks) in an extracted article."""
    if body is None:
        return 0, 0
    count = sum(1 for el in body.iter() if el.tag in ("p", "head", "item", "cell", "code", "quote"))
    return len(key("".join(body.itertext()))), count


def choose_extraction(root: Any, url: str | None) -> tuple[Any, dict[str, str]]:
    """Precision mode's article and metadata, or the default mode's article when it is structured
    and finds clearly more text — tried only when it could (module docstring). Leaves ``root``
    without its JSON-LD scripts, which only the metadata needed."""
    tree = _joined_paragraphs(root, url)
    precise, meta = _extract(tree, url, True)
    for script in list(root.iter("script")):
        script.drop_tree()
    body = root.find("body")
    p_chars, _ = _body_text(precise)
    if body is None or len(key(body.text_content())) < FALLBACK_GAIN * max(p_chars, 1):
        return precise, meta
    default, _ = _extract(tree, url, False)
    d_chars, d_blocks = _body_text(default)
    if default is not None and d_blocks >= 3 and d_chars >= FALLBACK_GAIN * max(p_chars, 1):
        return default, meta
    return precise, meta
