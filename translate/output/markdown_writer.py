"""Markdown out: a translated document rebuilt as a Markdown document of the same structure.

With layout ``"markdown"`` (a ``sources.markdown`` reading) each paragraph's text is inline
Markdown: its syntax comes back from the source through the model as protected spans, and only
that is written as markup; whatever else the model wrote is text (:func:`markdown_safe`: a ``<b>``
or ``&lt;`` it decoded, a ``[`` or backtick it added, ``*`` where the source had none). Otherwise
(plain text, HTML) each paragraph is plain text and is escaped, so that nothing in a translation
(``*``, ``_``, ``<b>``, a ``#`` or ``1.`` at the start...) can become markup. The structure comes
from each paragraph's ``kind`` and ``Markup`` (see ``sources/markdown.py``): headings with their
level, lists with their markers and nesting, quotes, tables, and verbatim blocks written back from
``Markup.source`` byte for byte (fenced as code when the source was not Markdown).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..document import Markup, TranslatedParagraph
from ..languages import join_sentences
from ..spans import markdown_spans, protected_spans

_NO_MARKUP = Markup()
_ASCII_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_LIST_MARKER = re.compile(r"[-+*]|[0-9]{1,9}[.)]")
_DELIMITER = re.compile(r":?-+:?")
# What a line may start with that would make it something other than a paragraph line.
_BLOCK_START = re.compile(r"#{1,6}(?=[ \t]|$)|>|[-+*](?=[ \t]|$)|[0-9]{1,9}(?=[.)](?:[ \t]|$))"
                          r"|(?:([-*_])[ \t]*){3,}$|=+[ \t]*$|-+[ \t]*$|`{3,}|~{3,}")
_CLOSING_HASHES = re.compile(r"(?:^|(?<=[ \t]))#+[ \t]*$")
_ACTIVE = re.compile(r"[\[\]`<&*_~]")  # what can make markup inside a line


def escape_text(text: str) -> str:
    """Plain text as Markdown inline text that renders as exactly that text: only what could be
    read as markup is backslash-escaped (``*``, ``` ` ```, ``[``, ``<tag>``, ``&entity;``,
    ``_`` that is not inside a word, ``~~``, a backslash before punctuation)."""
    out = []
    n = len(text)
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < n else ""
        prev = text[i - 1] if i else ""
        if ch == "\\":
            escape = nxt in _ASCII_PUNCT or nxt in ("", "\n")
        elif ch in "*`[]":
            escape = True
        elif ch == "_":
            escape = not (prev.isalnum() and nxt.isalnum())
        elif ch == "<":
            escape = nxt.isalpha() or nxt in "/!?"
        elif ch == "&":
            escape = bool(_ENTITY.match(text, i))
        elif ch == "~":
            escape = prev == "~" or nxt == "~"
        else:
            escape = False
        out.append("\\" + ch if escape else ch)
    return "".join(out)


def markdown_safe(translation: str, source: str) -> str:
    """A translation of the inline Markdown ``source`` as inline Markdown in which only the
    source's own syntax is markup: its spans (code, links' brackets and targets, images, autolinks,
    inline HTML, URLs) where the translation has them; the rest is escaped where it could be
    markup (``<tag``, a bracket, a backtick, an entity or an emphasis character the source's text
    did not have). An unchanged text is the source itself."""
    if translation == source or not _ACTIVE.search(translation):
        return translation
    spans = _syntax_spans(source)
    known = Counter(source[s:e] for s, e in spans)
    text = _without_spans(source, spans)
    entities = {m.group() for m in _ENTITY.finditer(text)}
    literal = set(re.sub(r"\\[\s\S]", "", text)) & set("*_~")  # used unescaped (emphasis, or as such)
    out, pos = [], 0
    for start, end in _syntax_spans(translation):
        span = translation[start:end]
        if known[span] > 0:
            known[span] -= 1
            out += [_escape_prose(translation[pos:start], entities, literal), span]
            pos = end
    out.append(_escape_prose(translation[pos:], entities, literal))
    return "".join(out)


def _syntax_spans(text: str) -> list[tuple[int, int]]:
    """The inline Markdown syntax of ``text`` and the protected spans (URLs...) between, each on
    its own; not what a backslash escapes (``\\<b>`` is text)."""
    out: list[tuple[int, int]] = []
    pos = 0
    for start, end in [*markdown_spans(text), (len(text), len(text))]:
        if _escaped(text, start):
            continue
        out += [(pos + s, pos + e) for s, e in protected_spans(text[pos:start])]
        if end > start:
            out.append((start, end))
        pos = end
    return out


def _escaped(text: str, at: int) -> bool:
    """Whether the character at ``at`` follows an odd run of backslashes."""
    run = at
    while run and text[run - 1] == "\\":
        run -= 1
    return (at - run) % 2 == 1


def _without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """The text of ``text`` between its syntax ``spans``."""
    pieces, pos = [], 0
    for start, end in spans:
        pieces.append(text[pos:start])
        pos = end
    return " ".join([*pieces, text[pos:]])


def _escape_prose(text: str, entities: set[str], literal: set[str]) -> str:
    """Text of a translation, outside the source's syntax, escaped where it could be markup."""
    out = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch == "\\" and nxt in _ASCII_PUNCT:  # already escaped: stays so
            out.append(text[i:i + 2])
            i += 2
            continue
        if ch in "[]`":
            escape = True
        elif ch == "<":
            escape = nxt.isalpha() or nxt in "/!?"
        elif ch == "&":
            entity = _ENTITY.match(text, i)
            escape = entity is not None and entity.group() not in entities
        elif ch in "*_~" and ch not in literal:
            prev = text[i - 1] if i else ""
            escape = ch == "*" or (ch == "_" and not (prev.isalnum() and nxt.isalnum())) or \
                (ch == "~" and "~" in (prev, nxt))
        else:
            escape = False
        out.append("\\" + ch if escape else ch)
        i += 1
    return "".join(out)


def one_line(text: str) -> str:
    """``text`` on one line: line breaks joined (no space between CJK characters)."""
    return join_sentences([part.strip() for part in text.split("\n")]) if "\n" in text else text.strip()


def block_safe(line: str) -> str:
    """A paragraph line that cannot start a heading, list, quote, fence, rule or setext underline."""
    line = line.lstrip()
    m = _BLOCK_START.match(line)
    if not m:
        return line
    if line[0].isdigit():  # "1." -> "1\."
        return line[:m.end()] + "\\" + line[m.end():]
    return "\\" + line


def _shown(p: TranslatedParagraph) -> str:
    return p.translation or p.source


@dataclass
class _ListLevel:
    group: int
    content: int        # the column of the current item's content
    item: bool = True   # whether an item of this level was written (continuations attach to it)


class _Writer:
    def __init__(self, raw: bool) -> None:
        self.raw = raw                      # texts are Markdown (layout "markdown"), not plain text
        self.context: str | None = None     # "list", "quote", "table" while one is open
        self.group = 0
        self.lists: list[_ListLevel] = []
        self.quote_level = 0
        self.cells: list[tuple[tuple[int, int], TranslatedParagraph]] = []  # ((row, column), cell) of a table
        self.started = False

    # -- texts -----------------------------------------------------------------------------------
    def inline(self, p: TranslatedParagraph) -> str:
        text = one_line(_shown(p))
        return markdown_safe(text, one_line(p.source)) if self.raw else escape_text(text)

    def paragraph(self, p: TranslatedParagraph) -> str:
        return block_safe(self.inline(p))

    def fenced(self, source: str) -> str:
        ticks = max([3, *(len(run) + 1 for run in re.findall(r"`{3,}", source))])
        return "`" * ticks + "\n" + source.rstrip("\n") + "\n" + "`" * ticks

    def verbatim_source(self, p: TranslatedParagraph, m: Markup) -> str:
        source = m.source or p.source
        return source if self.raw else self.fenced(source)

    # -- the document ----------------------------------------------------------------------------
    def add(self, p: TranslatedParagraph) -> Iterator[str]:
        m = p.markup or _NO_MARKUP
        if m.cell is not None and p.kind in ("table_cell", "verbatim"):
            if self.context != "table" or self.group != m.group:
                yield from self.close()
                self.context, self.group = "table", m.group
            self.cells.append((m.cell, p))
        elif p.kind == "list_item":
            yield from self.list_item(p, m)
        elif p.kind == "quote":
            yield from self.quote(p, m)
        elif p.kind == "verbatim" and m.group and (_LIST_MARKER.fullmatch(m.marker) or self.context == "list" and any(
                lv.group == m.group for lv in self.lists)):
            yield from self.list_verbatim(p, m)
        elif p.kind == "verbatim" and m.group and self.context == "quote" and self.group == m.group:
            yield "\n".join(self.quote_lines(self.verbatim_source(p, m), m.level, separate=True)) + "\n"
        else:
            yield from self.close()
            yield from self.top_level(p, m)

    def close(self) -> Iterator[str]:
        if self.context == "table":
            yield from self.table()
        self.context, self.group, self.lists, self.cells = None, 0, [], []

    def block(self, text: str) -> Iterator[str]:
        """A top-level block, a blank line before it."""
        yield ("\n" if self.started else "") + text + "\n"
        self.started = True

    def top_level(self, p: TranslatedParagraph, m: Markup) -> Iterator[str]:
        if p.kind == "verbatim":
            yield from self.block(self.verbatim_source(p, m))
            return
        text = self.inline(p)
        if not text:
            return
        if p.kind in ("title", "heading"):
            level = 1 if p.kind == "title" else (min(m.level, 6) if m.level > 0 else 2)
            text = _CLOSING_HASHES.sub(lambda h: "\\" + h.group(0), text)
            yield from self.block("#" * level + " " + text)
        elif p.kind == "subtitle":
            marker = m.marker if self.raw and m.marker in ("*", "_", "**", "__") else "*"
            yield from self.block(block_safe(f"{marker}{text}{marker}"))
        else:
            yield from self.block(block_safe(text))

    # -- lists -----------------------------------------------------------------------------------
    def _list_position(self, m: Markup, marker: str) -> tuple[int, bool]:
        """The indentation of an item of ``m`` (opening a list as needed) and whether it needs a
        blank line before it."""
        level = max(0, min(m.level, len(self.lists)))
        if self.context != "list" or (level == 0 and self.lists[0].group != m.group):
            yield_blank = self.started
            self.context, self.lists = "list", []
        else:
            yield_blank = False
        del self.lists[level + 1:]
        if level < len(self.lists) and self.lists[level].group != m.group:
            del self.lists[level:]
        new_list = level == len(self.lists)
        # An ordered list not starting at 1 cannot interrupt a paragraph: a blank line first.
        if new_list and level > 0 and marker[:-1].isdigit() and int(marker[:-1]) != 1:
            yield_blank = True
        indent = self.lists[level - 1].content if level else 0
        if new_list:
            self.lists.append(_ListLevel(m.group, indent + len(marker) + 1))
        else:
            self.lists[level].content = indent + len(marker) + 1
        return indent, yield_blank

    def _marker(self, m: Markup) -> str:
        """The item's marker; "" for a further paragraph of an item; "-" for one not usable as a marker."""
        return m.marker if not m.marker or _LIST_MARKER.fullmatch(m.marker) else "-"

    def _continuation_level(self, m: Markup) -> _ListLevel | None:
        if self.context == "list":
            return next((lv for lv in self.lists if lv.group == m.group), None)
        return None

    def list_item(self, p: TranslatedParagraph, m: Markup) -> Iterator[str]:
        text = self.paragraph(p)
        marker = self._marker(m)
        current = self._continuation_level(m) if not marker else None
        if not marker and current is None:
            marker = "-"
        if self.context not in (None, "list"):
            yield from self.close()
        if current is not None:  # a further paragraph of the current item
            del self.lists[self.lists.index(current) + 1:]
            yield "\n" + " " * current.content + text + "\n"
            return
        indent, blank = self._list_position(m, marker)
        self.started = True
        yield ("\n" if blank else "") + " " * indent + marker + (" " + text if text else "") + "\n"

    def list_verbatim(self, p: TranslatedParagraph, m: Markup) -> Iterator[str]:
        lines = self.verbatim_source(p, m).split("\n")
        marker = self._marker(m)
        if marker:  # the verbatim block opens an item
            if self.context not in (None, "list"):
                yield from self.close()
            indent, blank = self._list_position(m, marker)
            first = " " * indent + marker + " " + lines[0]
            rest = [" " * self.lists[-1].content + ln if ln.strip() else "" for ln in lines[1:]]
            self.started = True
            yield ("\n" if blank else "") + "\n".join([first, *rest]) + "\n"
            return
        level = next(lv for lv in self.lists if lv.group == m.group)
        del self.lists[self.lists.index(level) + 1:]
        yield "\n" + "\n".join(" " * level.content + ln if ln.strip() else "" for ln in lines) + "\n"

    # -- quotes ----------------------------------------------------------------------------------
    def quote_lines(self, text: str, level: int, separate: bool) -> list[str]:
        prefix = "> " * (max(level, 0) + 1)
        out = []
        if separate:
            out.append(("> " * (min(self.quote_level, max(level, 0)) + 1)).rstrip())
        out += [prefix + ln if ln.strip() else prefix.rstrip() for ln in text.split("\n")]
        self.quote_level = max(level, 0)
        return out

    def quote(self, p: TranslatedParagraph, m: Markup) -> Iterator[str]:
        text = self.paragraph(p)
        if not text:
            return
        same = self.context == "quote" and self.group == m.group
        if not same:
            yield from self.close()
            self.context, self.group = "quote", m.group
            lines = self.quote_lines(text, m.level, separate=False)
            yield from self.block("\n".join(lines))
        else:
            yield "\n".join(self.quote_lines(text, m.level, separate=True)) + "\n"

    # -- tables ----------------------------------------------------------------------------------
    def cell(self, p: TranslatedParagraph) -> str:
        if p.kind == "verbatim":
            return ""
        return self.inline(p).replace("|", "\\|")

    def table(self) -> Iterator[str]:
        cells = dict(self.cells)
        rows = 1 + max(r for r, _ in cells)
        cols = 1 + max(c for _, c in cells)
        first = min(r for r, _ in cells)
        delimiters = []
        for c in range(cols):
            head = cells.get((first, c))
            marker = head.markup.marker if head and head.markup else ""
            delimiters.append(marker if self.raw and _DELIMITER.fullmatch(marker) else "---")
        lines = []
        for r in range(first, rows):
            row = [self.cell(cells[(r, c)]) if (r, c) in cells else "" for c in range(cols)]
            lines.append("| " + " | ".join(row) + " |")
            if r == first:
                lines.append("| " + " | ".join(delimiters) + " |")
        yield from self.block("\n".join(lines))


def write_markdown(paragraphs: Iterable[TranslatedParagraph], metadata: dict | None = None,
                   layout: str = "markdown") -> Iterator[str]:
    """Stream a Markdown document of the structure of ``paragraphs`` with their translations.

    ``layout`` is the source's: with ``"markdown"`` texts are inline Markdown and are kept as they
    are; any other layout's texts are plain and are escaped. ``metadata`` is not written (a
    Markdown source's front matter comes back as its verbatim block)."""
    writer = _Writer(layout == "markdown")
    for p in paragraphs:
        yield from writer.add(p)
    yield from writer.close()
