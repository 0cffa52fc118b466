"""Markdown in: the block structure of a CommonMark (+ tables) document as ``Block``s.

The document is parsed from its raw text (line endings, a BOM and NUL characters normalised,
nothing else: code, inline HTML and entities stay as written). markdown-it-py finds the blocks
and their lines. Each translatable block's ``text`` is its inline Markdown source (soft line
breaks joined; invisible characters and odd spaces cleaned outside code and HTML), so that link
text is translated while the syntax around it (``](target)``, ``![``, autolinks, code, inline
HTML) is masked as protected spans (``spans.mask_markdown``). A shortcut or collapsed reference
link (``[文字]``, ``[文字][]``) is written as a full one (``[文字][文字]``): its text can then be
translated without losing the label that links it. Code blocks, front matter, HTML blocks,
thematic breaks and reference definitions are ``verbatim``: ``Markup.source`` holds them as
written and they are never translated.

Front matter is a ``---`` … ``---``/``...`` (YAML) or ``+++`` … ``+++`` (TOML) block at the top
whose lines look like fields (``key: value``, ``key = value``, indented or list lines, comments);
a ``---`` followed by prose is a thematic break.

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
  cells yield no block; cells beyond the header's count (which renderers drop) are joined to the
  row's last cell, with a :class:`MarkdownStructureWarning`;
* a verbatim block inside a list or quote has that container's ``group`` and ``level`` (and the
  item's marker when it opens the item); its ``source`` is then relative to the container
  (unindented, without ``>``). At the top level ``source`` is the exact source lines.

Lists and quotes nested deeper than :data:`MAX_NESTING` levels (markdown-it-py counts each list,
item and quote as one; the parser recurses once per level) are flattened: their text becomes
paragraphs of the deepest container that is kept, and a :class:`MarkdownStructureWarning` says
how many lines.

Group numbers count lists, quotes and tables together from 1, so one number names one container;
top-level blocks have group 0.
"""

from __future__ import annotations

import bisect
import functools
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..document import Block, Markup, ParagraphKind, Source
from ..languages import join_sentences
from ..reading import clean_text
from ..spans import markdown_spans

MAX_NESTING = 100  # markdown-it-py nesting levels followed (its CommonMark preset: 20, which drops text)
_FRONT_MATTER = {"---": ("---", "..."), "+++": ("+++",)}
_YAML_FIELD = re.compile(r"^([A-Za-z_][\w-]*):[ \t]+(.+?)\s*$")
_TOML_FIELD = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*=[ \t]*(.+?)\s*$")
# A front matter line: a field (the key line the block must have), or an indented, list or comment line.
_FIELD_LINE = {"---": re.compile(r"[^\s#:-][^:]*:(?:[ \t].*)?"), "+++": re.compile(r"[^\s#=\[][^=]*=.*|\[.+\]")}
_OTHER_LINE = {"---": re.compile(r"[ \t].*|-(?:[ \t].*)?|#.*|"), "+++": re.compile(r"[ \t].*|#.*|")}
_VERBATIM_TOKENS = ("fence", "code_block", "html_block", "hr")
_CONTAINER_OPEN = ("bullet_list_open", "ordered_list_open", "list_item_open", "blockquote_open", "table_open")
_CONTAINER_CLOSE = ("bullet_list_close", "ordered_list_close", "list_item_close", "blockquote_close", "table_close")
_CONTAINER_MARK = r"[ \t]*(?:>|(?:[-+*]|[0-9]{1,9}[.)])(?=[ \t]|$))"
_CONTAINER_PREFIX = re.compile(rf"^(?:{_CONTAINER_MARK})*[ \t]*")
MAX_LINE_MARKS = MAX_NESTING // 4  # quote and list markers opening a line, beyond which they are dropped
_TOO_MANY_MARKS = re.compile(rf"^((?:{_CONTAINER_MARK}){{{MAX_LINE_MARKS}}})(?:{_CONTAINER_MARK})+")
_SHORTCUT_REFERENCE = re.compile(r"(?<![\\\]])(!?)\[((?:[^\[\]\\]|\\.){1,999})\](\[\])?(?![\[(])")


class MarkdownStructureWarning(UserWarning):
    """Markdown structure that cannot be written back as it was read (nesting deeper than
    :data:`MAX_NESTING`, table rows wider than their header); its text is kept, the message says where."""


def markdown_parser():
    """The markdown-it-py parser used to read (and, in tests, to check) Markdown: CommonMark with
    tables and strikethrough."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


@functools.lru_cache(maxsize=1)
def _block_parser():
    """:func:`markdown_parser` for the block structure only, nesting up to :data:`MAX_NESTING`
    (inline text is not parsed here: it is masked, and parsing it deeply is slow)."""
    md = markdown_parser().disable("inline")
    md.options["maxNesting"] = MAX_NESTING
    return md


def normalise(text: str) -> str:
    """The safe normalisation of a Markdown source: no BOM, LF line endings, NUL as U+FFFD (CommonMark)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")


def read_markdown(text: str) -> Source:
    """The blocks of the Markdown document ``text``, in order (layout ``"markdown"``); the front
    matter's scalar fields (title, author, date...) become ``metadata``."""
    lines = normalise(text).split("\n")
    front = _front_matter_lines(lines)
    # The front matter is blanked out for the parser, so token lines stay the document's lines.
    env: dict = {}
    tokens = _block_parser().parse("\n".join([""] * front + lines[front:]), env)
    cut: list[int] = []
    if any(t.level >= MAX_NESTING - 1 for t in tokens):  # too deep for the parser: fewer markers, then again
        cut = [i for i in range(front, len(lines)) if _TOO_MANY_MARKS.match(lines[i])]
        for i in cut:
            lines[i] = _TOO_MANY_MARKS.sub(r"\1", lines[i])
        if cut:
            env = {}
            tokens = _block_parser().parse("\n".join([""] * front + lines[front:]), env)
    reader = _Reader(lines, tokens, set(env.get("references", {})), front)
    reader.flattened += cut
    blocks = reader.read()
    if front:
        source = "\n".join(lines[:front])
        blocks.insert(0, Block(source, "verbatim", 1, Markup(source=source)))
    reader.warn()
    return Source(tuple(blocks), _front_matter_fields(lines[:front]), "markdown")


def _front_matter_lines(lines: list[str]) -> int:
    """How many lines the front matter (``---`` YAML ``---`` or ``+++`` TOML ``+++``) takes at the
    top: 0 unless the block is closed and its lines look like fields, one of them a ``key:`` line."""
    opener = lines[0].rstrip() if lines else ""
    closers = _FRONT_MATTER.get(opener)
    if not closers:
        return 0
    has_field = False
    for i in range(1, len(lines)):
        line = lines[i].rstrip()
        if line in closers:
            return i + 1 if has_field else 0
        if _FIELD_LINE[opener].fullmatch(line):
            has_field = True
        elif not _OTHER_LINE[opener].fullmatch(line):
            return 0
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


def inline_text(content: str, references: set[str] | frozenset[str] = frozenset()) -> str:
    """A block's inline source on one line: soft and hard line breaks joined (no space between
    CJK characters, one otherwise), shortcut references to ``references`` (normalised labels)
    made full, and the text outside the Markdown syntax cleaned (invisible characters, odd spaces)."""
    parts = []
    for line in content.replace("\u2028", "\n").replace("\u2029", "\n").split("\n"):
        line = line.strip()
        if line.endswith("\\") and (len(line) - len(line.rstrip("\\"))) % 2:  # a hard break "\"
            line = line[:-1].rstrip()
        if line:
            parts.append(line)
    text = join_sentences(parts)
    spans = markdown_spans(text) if re.search(r"[`<\[]", text) else []
    full = _full_references(text, references, [(s, e) for s, e in spans if text[s] in "`<"])
    if full != text:
        text, spans = full, markdown_spans(full)
    out, pos = [], 0
    for start, end in [*spans, (len(text), len(text))]:
        out += [_clean_prose(text[pos:start]), text[start:end]]
        pos = end
    return "".join(out)


def _full_references(text: str, references: set[str] | frozenset[str], verbatim: list[tuple[int, int]]) -> str:
    """``[label]`` and ``[label][]`` that link to a definition as ``[label][label]`` (outside the
    ``verbatim`` spans: code and HTML)."""
    if not references or "[" not in text:
        return text
    starts = [s for s, _ in verbatim]

    def full(m: re.Match[str]) -> str:
        k = bisect.bisect_right(starts, m.start()) - 1
        if (k >= 0 and verbatim[k][1] > m.start()) or (k + 1 < len(starts) and starts[k + 1] < m.end()):
            return m.group(0)  # in code or HTML
        return f"{m.group(1)}[{m.group(2)}][{m.group(2)}]" if _label(m.group(2)) in references else m.group(0)

    return _SHORTCUT_REFERENCE.sub(full, text)


def _label(text: str) -> str:
    from markdown_it.common.utils import normalizeReference

    return normalizeReference(text)


def _clean_prose(text: str) -> str:
    """``reading.clean_text`` without what it does to HTML: ``<`` and ``&`` are kept out of its
    sight, so no tag is stripped and no entity decoded."""
    if "<" not in text and "&" not in text:
        return clean_text(text)
    free = (ch for ch in map(chr, range(0xE000, 0xF900)) if ch not in text)  # private-use stand-ins
    lt, amp = next(free), next(free)
    cleaned = clean_text(text.replace("<", lt).replace("&", amp))
    return cleaned.replace(lt, "<").replace(amp, "&")


@dataclass
class _Frame:
    type: str                # "list", "item", "quote", "table"
    group: int = 0
    level: int = 0           # list depth or quote depth
    marker: str = ""         # an item's marker, until its first block takes it
    end: int = 0             # the line after the container
    row: int = -1
    col: int = -1
    columns: int = 0         # a table's, as its header has them
    extra: str = ""          # the cells of the current row beyond ``columns``, as written
    delimiters: list[str] = field(default_factory=list)


class _Reader:
    """One walk over the block tokens. Lines no token holds (reference definitions, text nested
    deeper than the parser follows) are found on the way (``next_line`` is the first line not yet
    accounted for) and come back where they were, in their container."""

    def __init__(self, lines: list[str], tokens: list, references: set[str], start: int = 0) -> None:
        self.lines, self.tokens, self.references = lines, tokens, references
        self.stack: list[_Frame] = []
        self.groups = 0
        self.blocks: list[Block] = []
        self.title_seen = False
        self.next_line = start
        self.flattened: list[int] = []   # lines of text nested too deep, flattened
        self.wide_rows: list[int] = []   # lines of table rows with more cells than the header

    def _new_group(self) -> int:
        self.groups += 1
        return self.groups

    def _find(self, kind: str) -> _Frame | None:
        return next((f for f in reversed(self.stack) if f.type == kind), None)

    def read(self) -> list[Block]:
        tokens = self.tokens
        for i, t in enumerate(tokens):
            kind = t.type
            if kind in _CONTAINER_OPEN:
                self._orphans(t.map[0])
                self._open(t)
            elif kind in _CONTAINER_CLOSE:
                self._orphans(self.stack[-1].end)
                self.stack.pop()
            elif kind == "tr_open":
                table = self.stack[-1]
                table.row, table.col = table.row + 1, -1
                self._wide_row(t, table)
            elif kind in ("th_open", "td_open"):
                self.stack[-1].col += 1
            elif kind == "inline" and i and tokens[i - 1].type in ("th_open", "td_open"):
                self._cell(t, tokens[i - 1].type == "th_open")
            elif kind in ("paragraph_open", "heading_open"):
                self._orphans(t.map[0])
                self._paragraph(t, tokens[i + 1])
                self.next_line = max(self.next_line, t.map[1])
            elif kind in _VERBATIM_TOKENS:
                self._orphans(t.map[0])
                self._verbatim(t)
                self.next_line = max(self.next_line, t.map[1])
        self._orphans(len(self.lines))
        return self.blocks

    def _open(self, t) -> None:
        kind, end = t.type, t.map[1]
        if kind in ("list_item_open", "blockquote_open") and t.level + 1 >= MAX_NESTING:
            self._flatten(t)  # the parser skipped what is inside: it comes back in the container around
        if kind in ("bullet_list_open", "ordered_list_open"):
            depth = sum(1 for f in self.stack if f.type == "list")
            self.stack.append(_Frame("list", self._new_group(), depth, end=end))
        elif kind == "list_item_open":
            lst = self.stack[-1]
            marker = t.info + t.markup if t.info else t.markup
            self.stack.append(_Frame("item", lst.group, lst.level, marker, end=end))
        elif kind == "blockquote_open":
            outer = self._find("quote")
            if outer:
                self.stack.append(_Frame("quote", outer.group, outer.level + 1, end=end))
            else:
                self.stack.append(_Frame("quote", self._new_group(), 0, end=end))
        else:
            delimiters = self._delimiters(t)
            self.stack.append(_Frame("table", self._new_group(), end=end, columns=len(delimiters),
                                     delimiters=delimiters))
            self.next_line = max(self.next_line, end)

    def warn(self) -> None:
        """Say what could not be kept as it was (the text itself always is)."""
        if self.flattened:
            lines = sorted(set(self.flattened))
            warnings.warn(f"Markdown lists and quotes nested too deep: {_count(len(lines), 'line')} from line "
                          f"{lines[0] + 1} on flattened into a shallower list or quote (their text is kept)",
                          MarkdownStructureWarning, stacklevel=3)
        if self.wide_rows:
            warnings.warn(f"Markdown table rows with more cells than their header: {_count(len(self.wide_rows), 'row')}"
                          f" from line {self.wide_rows[0] + 1} on, the extra cells joined to the row's last cell",
                          MarkdownStructureWarning, stacklevel=3)

    def _line(self, t) -> int:
        return t.map[0] + 1 if t.map else 0

    def _text(self, content: str) -> str:
        return inline_text(content, self.references)

    def _delimiters(self, t) -> list[str]:
        """The delimiter row's cells as written (``---``, ``:--``, ``--:``, ``:-:``)."""
        row = self._cells_of(t.map[0] + 1) if t.map and t.map[0] + 1 < len(self.lines) else []
        return [cell.strip() for cell in row]

    def _cells_of(self, line: int) -> list[str]:
        """The cells of a table row as written (container prefixes aside), split as markdown-it does."""
        from markdown_it.rules_block.table import escapedSplit

        row = self.lines[line]
        if any(f.type != "table" for f in self.stack):
            row = _CONTAINER_PREFIX.sub("", row)
        cells = escapedSplit(row.strip())
        if cells and cells[0] == "":
            cells.pop(0)
        if cells and cells[-1] == "":
            cells.pop()
        return cells

    def _wide_row(self, t, table: _Frame) -> None:
        """Cells beyond the header's count, which the parser drops: kept for the row's last cell."""
        cells = self._cells_of(t.map[0]) if t.map else []
        table.extra = " | ".join(cell.strip() for cell in cells[table.columns:]) if table.columns else ""
        if len(cells) > table.columns > 0:
            self.wide_rows.append(t.map[0])

    def _cell(self, inline, header: bool) -> None:
        table = self.stack[-1]
        content = inline.content
        if table.col == table.columns - 1 and table.extra:  # a wide row's last cell
            content = " | ".join(part for part in (content, table.extra) if part)
        text = self._text(content)
        quote = self._find("quote")
        if quote:  # a table in a quote: its cells are quote paragraphs
            if text:
                markup = Markup(level=quote.level, group=quote.group)
                self.blocks.append(Block(text, "quote", self._line(inline), markup))
            return
        if not text:
            return
        delimiter = table.delimiters[table.col] if header and table.col < len(table.delimiters) else ""
        markup = Markup(cell=(table.row, table.col), group=table.group, header=header,
                        marker=delimiter if re.fullmatch(r":?-+:?", delimiter) else "")
        self.blocks.append(Block(text, "table_cell", self._line(inline), markup))

    def _container(self) -> _Frame | None:
        """Where a block is: in a quote (anywhere inside one), a list item, or at the top (None)."""
        return self._find("quote") or self._find("item")

    def _paragraph(self, t, inline) -> None:
        text = self._text(inline.content)
        if text:
            self._add_text(text, self._line(t), t, inline)

    def _add_text(self, text: str, line: int, t=None, inline=None) -> None:
        frame = self._container()
        kind: ParagraphKind
        if frame is not None and frame.type == "quote":
            kind, markup = "quote", Markup(level=frame.level, group=frame.group)
        elif frame is not None:  # a list item
            kind, markup = "list_item", Markup(level=frame.level, marker=frame.marker, group=frame.group)
            frame.marker = ""
        elif t is not None and t.type == "heading_open":
            level = int(t.tag[1:])
            kind = "title" if level == 1 and not self.title_seen else "heading"
            self.title_seen = self.title_seen or kind == "title"
            markup = Markup(level=level)
        else:
            kind, markup = "body", Markup()
            if t is not None and self.blocks and self.blocks[-1].kind == "title" and self._top_level_before(t):
                emphasis = _wholly_emphasised(inline.content, text)
                if emphasis:
                    kind, markup = "subtitle", Markup(marker=emphasis)
                    text = text[len(emphasis):-len(emphasis)]
        self.blocks.append(Block(text, kind, line, markup))

    def _top_level_before(self, t) -> bool:
        """Whether the block just before ``t`` was the top-level one that made the last block."""
        return bool(t.map) and not any(
            tok.level == 0 and tok.map and tok.map[0] > self.blocks[-1].line - 1 and tok.map[0] < t.map[0]
            for tok in self.tokens)

    def _verbatim(self, t) -> None:
        if self._container() is None:
            start, end = t.map
            self._add_verbatim("\n".join(self.lines[start:end]), self._line(t))
            return
        if t.type == "fence":
            source = f"{t.markup}{t.info}\n{t.content}{t.markup}"
        elif t.type == "code_block":
            source = "\n".join("    " + ln if ln.strip() else "" for ln in t.content.rstrip("\n").split("\n"))
        elif t.type == "html_block":
            source = t.content.rstrip("\n")
        else:
            source = t.markup
        self._add_verbatim(source, self._line(t))

    def _add_verbatim(self, source: str, line: int) -> None:
        """A verbatim block in the current container (``source`` relative to it)."""
        lines = source.split("\n")
        while lines and not lines[-1].strip():
            lines.pop()
        source = "\n".join(lines)
        frame = self._container()
        if frame is None:
            markup = Markup(source=source)
        else:
            marker = ""
            if frame.type == "item":
                marker, frame.marker = frame.marker, ""
            markup = Markup(level=frame.level, marker=marker, group=frame.group, source=source)
        self.blocks.append(Block(source, "verbatim", line, markup))

    def _orphans(self, upto: int) -> None:
        """Lines before ``upto`` that no block holds (reference definitions): verbatim, in the
        current container, a run of non-blank lines each."""
        inside = bool(self.stack)
        for first, run in _runs(self.lines, self.next_line, upto, inside):
            self._add_verbatim("\n".join(run), first + 1)
        self.next_line = max(self.next_line, upto)

    def _flatten(self, t) -> None:
        """The text of a container the parser did not enter (too deep) as paragraphs of the
        current container."""
        start, end = t.map
        for first, paragraph in _runs(self.lines, start, end, True):
            self.flattened.extend(range(first, first + len(paragraph)))
            text = self._text("\n".join(paragraph))
            if text:
                self._add_text(text, first + 1)
        self.next_line = max(self.next_line, end)


def _runs(lines: list[str], start: int, end: int, unprefixed: bool) -> Iterator[tuple[int, list[str]]]:
    """The runs of non-blank lines in ``lines[start:end]`` (without container prefixes if
    ``unprefixed``), each with the index of its first line."""
    run: list[str] = []
    first = start
    for i in range(start, end):
        line = _CONTAINER_PREFIX.sub("", lines[i]) if unprefixed else lines[i]
        if line.strip():
            if not run:
                first = i
            run.append(line)
        elif run:
            yield first, run
            run = []
    if run:
        yield first, run


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _wholly_emphasised(content: str, text: str) -> str:
    """The emphasis marker (``*``, ``_``, ``**``, ``__``) when one emphasis spans all of ``text``
    (the paragraph's inline ``content``)."""
    if text[:1] not in "*_":
        return ""
    children = markdown_parser().parseInline(content)[0].children or []
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
