"""Markdown in: the block structure of a CommonMark (+ tables) document as ``Block``s.

markdown-it-py finds the blocks and their lines. Each translatable block's ``text`` is its inline
Markdown source (soft line breaks joined), so that link text is translated while the syntax
around it (``](target)``, images, autolinks, code, inline HTML) is masked as protected spans
(``spans.mask_markdown``). Code blocks, front matter, HTML blocks, thematic breaks and reference
definitions are ``verbatim``: ``Markup.source`` holds them as written and they are never translated.

Kinds and markup:

* headings: ``heading`` with ``Markup.level``; the document's first level-1 heading is ``title``,
  and a paragraph right after it that is wholly emphasised (``*…*``) is ``subtitle`` (its text
  without the markers, which are in ``Markup.marker``);
* paragraphs: ``body``;
* list items: ``list_item``, ``Markup.marker`` as written (``-``, ``*``, ``+``, ``1.``, ``2)``),
  ``level`` the nesting depth (0 = top), ``group`` the list; a further paragraph of the same item
  has marker ``""``;
* block quotes: everything in a quote is a ``quote`` paragraph, ``group`` the outermost quote,
  ``level`` the quote depth (0 = ``>``, 1 = ``> >``);
* tables: ``table_cell`` with ``cell=(row, column)``, ``header`` for the header row (whose
  ``marker`` is the delimiter cell as written, ``---``, ``:--:``...), ``group`` the table; empty
  cells yield no block;
* a verbatim block inside a list or quote has that container's ``group`` and ``level`` (and the
  item's marker when it opens the item); its ``source`` is then relative to the container
  (unindented, without ``>``). At the top level ``source`` is the exact source lines.

Group numbers count lists, quotes and tables together from 1, so one number names one container;
top-level blocks have group 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..document import Block, Markup, ParagraphKind, Source
from ..languages import join_sentences

_FRONT_MATTER = {"---": ("---", "..."), "+++": ("+++",)}
_YAML_FIELD = re.compile(r"^([A-Za-z_][\w-]*):[ \t]+(.+?)\s*$")
_TOML_FIELD = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*=[ \t]*(.+?)\s*$")
_VERBATIM_TOKENS = ("fence", "code_block", "html_block", "hr")


def markdown_parser():
    """The markdown-it-py parser used to read (and, in tests, to check) Markdown: CommonMark with
    tables and strikethrough."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def read_markdown(text: str) -> Source:
    """The blocks of the Markdown document ``text``, in order (layout ``"markdown"``); the front
    matter's scalar fields (title, author, date...) become ``metadata``."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    front = _front_matter_lines(lines)
    # The front matter is blanked out for the parser, so token lines stay the document's lines.
    tokens = markdown_parser().parse("\n".join([""] * front + lines[front:]))
    reader = _Reader(lines, tokens)
    blocks = reader.read()
    covered = set(range(front))
    for t in tokens:
        if t.level == 0 and t.map:
            covered.update(range(*t.map))
    # Lines no block holds (reference definitions) come back verbatim, where they were.
    extra: list[tuple[int, Block]] = []
    run: list[int] = []
    for i in [*range(front, len(lines)), len(lines)]:
        if i < len(lines) and i not in covered and lines[i].strip():
            run.append(i)
            continue
        if run:
            source = "\n".join(lines[run[0]:run[-1] + 1])
            extra.append((run[0] + 1, Block(source, "verbatim", run[0] + 1, Markup(source=source))))
            run = []
    blocks = sorted(blocks + [b for _, b in extra], key=lambda b: b.line)  # stable: reader order kept
    if front:
        source = "\n".join(lines[:front])
        blocks.insert(0, Block(source, "verbatim", 1, Markup(source=source)))
    return Source(tuple(blocks), _front_matter_fields(lines[:front]), "markdown")


def _front_matter_lines(lines: list[str]) -> int:
    """How many lines the front matter (``---`` YAML ``---`` or ``+++`` TOML ``+++``) takes at the top."""
    closers = _FRONT_MATTER.get(lines[0].rstrip()) if lines else None
    if closers:
        for i in range(1, len(lines)):
            if lines[i].rstrip() in closers:
                return i + 1
    return 0


def _front_matter_fields(lines: list[str]) -> dict[str, str]:
    """The top-level scalar fields of a front matter (``key: value`` or ``key = "value"``)."""
    if not lines:
        return {}
    pattern = _TOML_FIELD if lines[0].startswith("+") else _YAML_FIELD
    out: dict[str, str] = {}
    for line in lines[1:-1]:
        m = pattern.match(line)
        if m:
            value = m.group(2)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            if value and value[0] not in "[{|>&*":  # not a list, table or multi-line value
                out[m.group(1).lower()] = value
    return out


def inline_text(content: str) -> str:
    """A block's inline source on one line: soft and hard line breaks joined (no space between
    CJK characters, one otherwise)."""
    parts = []
    for line in content.split("\n"):
        line = line.strip()
        if line.endswith("\\") and (len(line) - len(line.rstrip("\\"))) % 2:  # a hard break "\"
            line = line[:-1].rstrip()
        if line:
            parts.append(line)
    return join_sentences(parts)


@dataclass
class _Frame:
    type: str                # "list", "item", "quote", "table"
    group: int = 0
    level: int = 0           # list depth or quote depth
    marker: str = ""         # an item's marker, until its first block takes it
    row: int = -1
    col: int = -1
    delimiters: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self, lines: list[str], tokens: list) -> None:
        self.lines, self.tokens = lines, tokens
        self.stack: list[_Frame] = []
        self.groups = 0
        self.blocks: list[Block] = []
        self.title_seen = False

    def _new_group(self) -> int:
        self.groups += 1
        return self.groups

    def _find(self, kind: str) -> _Frame | None:
        return next((f for f in reversed(self.stack) if f.type == kind), None)

    def read(self) -> list[Block]:
        tokens = self.tokens
        for i, t in enumerate(tokens):
            kind = t.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                depth = sum(1 for f in self.stack if f.type == "list")
                self.stack.append(_Frame("list", self._new_group(), depth))
            elif kind == "list_item_open":
                lst = self.stack[-1]
                marker = t.info + t.markup if t.info else t.markup
                self.stack.append(_Frame("item", lst.group, lst.level, marker))
            elif kind == "blockquote_open":
                outer = self._find("quote")
                if outer:
                    self.stack.append(_Frame("quote", outer.group, outer.level + 1))
                else:
                    self.stack.append(_Frame("quote", self._new_group(), 0))
            elif kind == "table_open":
                self.stack.append(_Frame("table", self._new_group(), delimiters=self._delimiters(t)))
            elif kind in ("bullet_list_close", "ordered_list_close", "list_item_close", "blockquote_close",
                          "table_close"):
                self.stack.pop()
            elif kind == "tr_open":
                table = self.stack[-1]
                table.row, table.col = table.row + 1, -1
            elif kind in ("th_open", "td_open"):
                self.stack[-1].col += 1
            elif kind == "inline" and i and tokens[i - 1].type in ("th_open", "td_open"):
                self._cell(t, tokens[i - 1].type == "th_open")
            elif kind in ("paragraph_open", "heading_open"):
                self._paragraph(t, tokens[i + 1])
            elif kind in _VERBATIM_TOKENS:
                self._verbatim(t)
        return self.blocks

    def _line(self, t) -> int:
        return t.map[0] + 1 if t.map else 0

    def _delimiters(self, t) -> list[str]:
        """The delimiter row's cells as written (``---``, ``:--``, ``--:``, ``:-:``)."""
        row = self.lines[t.map[0] + 1].strip() if t.map and t.map[0] + 1 < len(self.lines) else ""
        row = row.removeprefix("|").removesuffix("|")
        return [cell.strip() for cell in row.split("|")]

    def _cell(self, inline, header: bool) -> None:
        text = inline_text(inline.content)
        quote = self._find("quote")
        if quote:  # a table in a quote: its cells are quote paragraphs
            if text:
                markup = Markup(level=quote.level, group=quote.group)
                self.blocks.append(Block(text, "quote", self._line(inline), markup))
            return
        table = self.stack[-1]
        if not text:
            return
        delimiter = table.delimiters[table.col] if header and table.col < len(table.delimiters) else ""
        markup = Markup(cell=(table.row, table.col), group=table.group, header=header,
                        marker=delimiter if re.fullmatch(r":?-+:?", delimiter) else "")
        self.blocks.append(Block(text, "table_cell", self._line(inline), markup))

    def _container(self) -> tuple[str, _Frame | None]:
        """Where a block is: in a quote (anywhere inside one), a list item, or at the top."""
        quote = self._find("quote")
        if quote:
            return "quote", quote
        item = self._find("item")
        return ("item", item) if item else ("top", None)

    def _paragraph(self, t, inline) -> None:
        text = inline_text(inline.content)
        if not text:
            return
        line = self._line(t)
        where, frame = self._container()
        kind: ParagraphKind
        if where == "quote":
            kind, markup = "quote", Markup(level=frame.level, group=frame.group)
        elif where == "item":
            kind, markup = "list_item", Markup(level=frame.level, marker=frame.marker, group=frame.group)
            frame.marker = ""
        elif t.type == "heading_open":
            level = int(t.tag[1:])
            kind = "title" if level == 1 and not self.title_seen else "heading"
            self.title_seen = self.title_seen or kind == "title"
            markup = Markup(level=level)
        else:
            kind, markup = "body", Markup()
            emphasis = _wholly_emphasised(inline, text)
            if emphasis and self.blocks and self.blocks[-1].kind == "title" and self._top_level_before(t):
                kind, markup = "subtitle", Markup(marker=emphasis)
                text = text[len(emphasis):-len(emphasis)]
        self.blocks.append(Block(text, kind, line, markup))

    def _top_level_before(self, t) -> bool:
        """Whether the block just before ``t`` was the top-level one that made the last block."""
        return bool(t.map) and not any(
            tok.level == 0 and tok.map and tok.map[0] > self.blocks[-1].line - 1 and tok.map[0] < t.map[0]
            for tok in self.tokens)

    def _verbatim(self, t) -> None:
        where, frame = self._container()
        if where == "top":
            start, end = t.map
            block_lines = self.lines[start:end]
            while block_lines and not block_lines[-1].strip():
                block_lines.pop()
            source = "\n".join(block_lines)
            markup = Markup(source=source)
        else:
            if t.type == "fence":
                source = f"{t.markup}{t.info}\n{t.content}{t.markup}"
            elif t.type == "code_block":
                source = "\n".join("    " + ln if ln.strip() else "" for ln in t.content.rstrip("\n").split("\n"))
            elif t.type == "html_block":
                source = t.content.rstrip("\n")
            else:
                source = t.markup
            marker = ""
            if where == "item":
                marker, frame.marker = frame.marker, ""
            markup = Markup(level=frame.level, marker=marker, group=frame.group, source=source)
        self.blocks.append(Block(source, "verbatim", self._line(t), markup))


def _wholly_emphasised(inline, text: str) -> str:
    """The emphasis marker (``*``, ``_``, ``**``, ``__``) when one emphasis spans all of ``text``."""
    children = inline.children or []
    if not children or children[0].type not in ("em_open", "strong_open"):
        return ""
    depth = 0
    for i, child in enumerate(children):
        depth += child.nesting
        if depth == 0:
            if i != len(children) - 1:
                return ""
            break
    marker = children[0].markup
    inner = text[len(marker):-len(marker)]
    if text.startswith(marker) and text.endswith(marker) and inner.strip():
        return marker
    return ""
