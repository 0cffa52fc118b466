"""HTML fragments that survive translation (``format=html``, ``tag_handling=html``, text/html files).

A fragment is cut into *runs*: the text and inline markup between two block boundaries (``<p>``,
``<li>``, ``<td>``, ``<h1>``…). Each run with words in it becomes one paragraph; everything else —
markup between blocks, whitespace, comments, and ``<script>``, ``<style>``, ``<code>``, ``<pre>``,
``<textarea>`` and elements marked ``translate="no"`` or ``class="notranslate"`` with all they hold —
is copied from the source byte for byte.

Inside a run each inline tag (``<b>``, ``<a href=…>``, ``</span>``, ``<br>``, an untranslated
``<code>…</code>``, a comment) becomes one private-use character, a *token*, so that sentence
segmentation sees words, never attributes. :func:`mask_markup` is the engine's masker for such
text: tokens (with URLs and the other protected spans) become placeholders the model copies, and a
unit whose placeholders were lost, altered or *reordered* is translated around them, so each
unit's tokens come out in source order. Tokens at the ends of a sentence never reach the model at
all. The translation is rebuilt with each token replaced by its tag exactly as written, so the
output has the input's tags in the input's order: it parses to the same element structure, however
the tags nest across sentences. Text is entity-decoded for the model and escaped again after;
whitespace inside a run is HTML's (collapsible: a line break never splits a sentence), and the
whitespace at its ends is kept as written.
"""

from __future__ import annotations

import dataclasses
import html
import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from ..document import Document, Paragraph, ParagraphKind, Sentence, TranslatedDocument, TranslatedParagraph
from ..languages import HAN_KANA, join_sentences
from ..normalize import CONTROL, strip_invisible
from ..options import DEFAULT_MAX_SENTENCE_TOKENS
from ..spans import FIRST_PLACEHOLDER, Masked, mask, protected_spans

if TYPE_CHECKING:
    from ..sources.reader import Segmenter

# -- elements ------------------------------------------------------------------------------------------
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCK = {"address", "article", "aside", "blockquote", "body", "caption", "center", "col", "colgroup", "datalist",
         "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
         "frame", "frameset", "head", "header", "hgroup", "hr", "html", "legend", "li", "listing", "main", "menu",
         "nav", "ol", "optgroup", "option", "p", "pre", "search", "section", "select", "summary", "table", "tbody",
         "td", "tfoot", "th", "thead", "title", "tr", "ul", "base", "link", "meta", *_HEADINGS}
VOID = {"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img", "input", "keygen",
        "link", "meta", "param", "source", "track", "wbr"}
VERBATIM = {"script", "style", "code", "pre", "textarea", "kbd", "samp", "svg", "math", "template", "noscript", "xmp",
            "iframe", "noembed", "noframes", "plaintext", "object"}
_RAW_TEXT = {"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript"}  # content is not markup
_RCDATA = {"title", "textarea"}                                                 # text with entities, no tags
# A start tag that closes an open element of the key's name when that element is the current one
_CLOSED_BY = {"p": BLOCK - {"body", "html", "head", "title", "base", "link", "meta", "col", "colgroup", "caption",
                            "tbody", "thead", "tfoot", "tr", "td", "th", "frame", "frameset", "option", "optgroup",
                            "datalist", "select", "legend"},
              "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "option": {"option", "optgroup"},
              "tr": {"tr"}, "td": {"td", "th", "tr"}, "th": {"td", "th", "tr"}}
_KINDS: dict[str, ParagraphKind] = {**dict.fromkeys(_HEADINGS, "heading"), "li": "list_item", "dt": "list_item",
                                    "dd": "list_item", "td": "table_cell", "th": "table_cell", "blockquote": "quote",
                                    "caption": "caption", "figcaption": "caption", "title": "title"}

# -- tokens: one private-use character per inline tag of a run (planes 15 and 16) ---------------------
# Roles: an opening tag, a closing tag, a neutral one (<br>, a comment) and one that stands for words
# (an untranslated <code>…</code>, an image): spaced as a word is.
_OPEN, _CLOSE, _NEUTRAL, _WORD = 0xF0000, 0xF8000, 0x100000, 0x108000  # where each role's characters start
_ROOM = {_OPEN: 0x8000, _CLOSE: 0x7FFE, _NEUTRAL: 0x8000, _WORD: 0x7FFE}  # how many of each a run may hold
_SPACING = {"br", "wbr"}  # void elements that are not words
_TC = "\U000F0000-\U0010FFFF"
_TOKEN = re.compile(f"[{_TC}]")
_TOKEN_RUN = re.compile(f"[{_TC}](?:\\s?[{_TC}])*")  # tokens, a single space apart (units are collapsed)
_SPACE_OR_TOKEN = re.compile(f"[\\s{_TC}]+")
_CLUSTER = re.compile(f"(?: ?[{_TC}])++ ?")  # tokens and the spaces around them (text collapsed first)
_WS = re.compile(r"\s+")
_HAN_KANA = re.compile(f"[{HAN_KANA}]")
_PLACEHOLDER = re.compile(r"\[\s*(\d+)\s*\]")
_SURROGATE = re.compile("[\ud800-\udfff]")


# -- the tokenizer (HTML's lexical rules, with exact source positions) --------------------------------
class _Lexeme(NamedTuple):
    kind: str  # "text", "raw" (script/style content), "start", "end", "markup" (comment, doctype, junk)
    start: int
    end: int
    name: str = ""
    attrs: dict[str, str] | None = None


_TAG_NAME = re.compile(r"[A-Za-z][^\t\n\f\r />]*")
_SEP = re.compile(r"[\t\n\f\r /]*")
_SPACES = re.compile(r"[\t\n\f\r ]*")
_ATTR_NAME = re.compile(r"[^\t\n\f\r />][^\t\n\f\r /=>]*")
_UNQUOTED = re.compile(r"[^\t\n\f\r >]*")
_COMMENT_END = re.compile(r"--!?>")
_KEPT_ATTRS = ("translate", "class")
_raw_ends: dict[str, re.Pattern[str]] = {}


def _raw_end(name: str) -> re.Pattern[str]:
    if name not in _raw_ends:
        _raw_ends[name] = re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE)
    return _raw_ends[name]


def _tag(s: str, at: int, name_at: int) -> _Lexeme | None:
    """The tag at ``at`` (its name at ``name_at``), or None when the input ends inside it."""
    found = _TAG_NAME.match(s, name_at)
    assert found is not None  # the caller saw a letter
    name, pos, n = found.group().lower(), found.end(), len(s)
    attrs: dict[str, str] = {}
    while True:
        pos = _SEP.match(s, pos).end()  # type: ignore[union-attr]  # (matches anywhere)
        if pos >= n:
            return None
        if s[pos] == ">":
            return _Lexeme("end" if name_at == at + 2 else "start", at, pos + 1, name, attrs)
        key_match = _ATTR_NAME.match(s, pos)
        assert key_match is not None  # s[pos] is none of the separators nor ">"
        key, value = key_match.group().lower(), ""
        pos = _SPACES.match(s, key_match.end()).end()  # type: ignore[union-attr]
        if pos < n and s[pos] == "=":
            pos = _SPACES.match(s, pos + 1).end()  # type: ignore[union-attr]
            if pos >= n:
                return None
            if s[pos] in "\"'":
                close = s.find(s[pos], pos + 1)
                if close < 0:
                    return None
                value, pos = s[pos + 1:close], close + 1
            else:
                unquoted = _UNQUOTED.match(s, pos)
                assert unquoted is not None
                value, pos = unquoted.group(), unquoted.end()
        if key in _KEPT_ATTRS and key not in attrs:  # the first of a repeated attribute counts
            attrs[key] = html.unescape(value)


def _to_gt(s: str, at: int) -> int:
    end = s.find(">", at)
    return len(s) if end < 0 else end + 1


def _markup(s: str, at: int) -> _Lexeme:
    """The markup starting with the ``<`` at ``at`` (the caller checked that it is markup)."""
    n, c = len(s), s[at + 1]
    if c.isascii() and c.isalpha():
        return _tag(s, at, at + 1) or _Lexeme("markup", at, n)  # unterminated: a browser drops it, we copy it
    if c == "/":
        c2 = s[at + 2]
        if c2.isascii() and c2.isalpha():
            return _tag(s, at, at + 2) or _Lexeme("markup", at, n)
        return _Lexeme("markup", at, at + 3 if c2 == ">" else _to_gt(s, at))
    if s.startswith("<!--", at):
        if s.startswith(">", at + 4) or s.startswith("->", at + 4):
            return _Lexeme("markup", at, at + 5 if s[at + 4] == ">" else at + 6)
        end = _COMMENT_END.search(s, at + 4)
        return _Lexeme("markup", at, end.end() if end else n)
    if s.startswith("<![CDATA[", at):
        end_at = s.find("]]>", at + 9)
        return _Lexeme("markup", at, n if end_at < 0 else end_at + 3)
    return _Lexeme("markup", at, _to_gt(s, at))  # <!DOCTYPE…>, <?…>, <!…>: up to ">"


def _opens_markup(s: str, at: int) -> bool:
    c = s[at + 1:at + 2]
    return (c.isascii() and c.isalpha()) or c in ("!", "?") or (c == "/" and at + 2 < len(s))


def lex(s: str) -> Iterator[_Lexeme]:
    """The fragment as text, tags and other markup, each with its exact span in ``s``."""
    pos, n = 0, len(s)
    while pos < n:
        lt = s.find("<", pos)
        while lt >= 0 and not _opens_markup(s, lt):
            lt = s.find("<", lt + 1)
        if lt < 0:
            yield _Lexeme("text", pos, n)
            return
        if lt > pos:
            yield _Lexeme("text", pos, lt)
        token = _markup(s, lt)
        yield token
        pos = token.end
        if token.kind == "start" and (token.name in _RAW_TEXT or token.name in _RCDATA or token.name == "plaintext"):
            found = None if token.name == "plaintext" else _raw_end(token.name).search(s, pos)
            stop = found.start() if found else n
            if stop > pos:
                yield _Lexeme("text" if token.name in _RCDATA else "raw", pos, stop)
            pos = stop


# -- runs ------------------------------------------------------------------------------------------------
@dataclass
class _Run:
    """Text and inline markup between two block boundaries: ``parts`` are source spans, each text
    (``role`` None) or a tag of a role (``_OPEN``, ``_CLOSE``, ``_NEUTRAL``, ``_WORD``)."""

    kind: ParagraphKind
    parts: list[tuple[int | None, int, int]] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class Run:
    """A run with words: its paragraph text (tokens in it; trimmed, whitespace collapsed), the
    source it replaces around (``prefix``/``suffix``: its whitespace as written), and each token's tag."""

    text: str
    kind: ParagraphKind
    prefix: str
    suffix: str
    tags: dict[str, str]  # token → its tag as written, in source order


def _is_verbatim(name: str, attrs: dict[str, str] | None) -> bool:
    attrs = attrs or {}
    return name in VERBATIM or attrs.get("translate", "").strip().lower() == "no" \
        or "notranslate" in attrs.get("class", "").lower().split()


def _clean(text: str) -> str:
    """Text as the model should see it: entities decoded, invisible and control characters gone."""
    text = strip_invisible(html.unescape(text))
    return _SURROGATE.sub("\ufffd", CONTROL.sub(lambda m: " " if m.group().isspace() else "", text))


def _collapse(match: re.Match[str]) -> str:
    """A run of whitespace as HTML shows it: one space; nothing for a line break inside CJK text."""
    s, a, b = match.string, match.start(), match.end()
    if "\n" in match.group() and a and b < len(s) and _HAN_KANA.match(s[a - 1]) and _HAN_KANA.match(s[b]):
        return ""
    return " "


def _made(run: _Run, s: str) -> Run | str:
    """A run as a :class:`Run`, or as its source when it has no words (or too many tags)."""
    start, end = run.parts[0][1], run.parts[-1][2]
    source = s[start:end]
    texts = [_clean(s[a:b]) for role, a, b in run.parts if role is None]
    if not any(ch.isalnum() for t in texts for ch in t):
        return source
    next_char = dict.fromkeys(_ROOM, 0)
    tags: dict[str, str] = {}

    def token(role: int, output: str) -> str:
        if next_char[role] >= _ROOM[role]:
            raise OverflowError
        char = chr(role + next_char[role])
        next_char[role] += 1
        tags[char] = output
        return char

    pieces, cleaned = [], iter(texts)
    try:
        for role, a, b in run.parts:
            if role is None:  # text: a private-use character of ours in it is a tag of its own
                pieces.append(_TOKEN.sub(lambda m: token(_WORD, m.group()), next(cleaned)))
            else:
                pieces.append(token(role, s[a:b]))
    except OverflowError:
        return source
    prefix = suffix = ""
    if run.parts[0][0] is None:
        raw = s[start:run.parts[0][2]]
        prefix = raw[:len(raw) - len(raw.lstrip(" \t\n\r\f"))]
    if run.parts[-1][0] is None:
        raw = s[run.parts[-1][1]:end]
        suffix = raw[len(raw.rstrip(" \t\n\r\f")):]
    text = _WS.sub(_collapse, "".join(pieces)).strip()
    return Run(text, run.kind, prefix, suffix, tags)


class _Walker:
    """Cuts a fragment into source to copy and runs to translate, in one pass over its lexemes,
    keeping the open elements roughly as a browser does (enough to know where an untranslated
    element ends, and what kind of block a run is in)."""

    def __init__(self, s: str) -> None:
        self.s = s
        self.out: list[str | Run] = []
        self.stack: list[tuple[str, bool]] = []  # open elements: (name, is a block)
        self.where: dict[str, list[int]] = {}    # each name's places in ``stack``
        self.blocks: list[str] = []              # the open blocks' names
        self.run: _Run | None = None
        self.region: tuple[int, int, bool] | None = None  # an untranslated element: (its place, start, inline)

    def walk(self) -> list[str | Run]:
        for lx in lex(self.s):
            if self.region is None or self._in_region(lx):
                self._lexeme(lx)
        if self.region is not None:
            self._end_region(len(self.s))
        self._flush()
        return self.out

    # -- the open elements
    def _push(self, name: str) -> None:
        block = name in BLOCK
        self.where.setdefault(name, []).append(len(self.stack))
        self.stack.append((name, block))
        if block:
            self.blocks.append(name)

    def _close_from(self, place: int) -> None:
        """Close the element at ``place`` in the stack and everything inside it."""
        while len(self.stack) > place:
            self._pop(self.stack[-1][0])

    def _pop(self, name: str) -> None:
        """Close the innermost open ``name`` and what is open inside it (none open: nothing)."""
        if self.where.get(name):
            while self.stack:
                top, block = self.stack.pop()
                self.where[top].pop()
                if block:
                    self.blocks.pop()
                if top == name:
                    return

    # -- runs and what is copied
    def _add(self, role: int | None, a: int, b: int) -> None:
        if self.run is None:
            self.run = _Run(_KINDS.get(self.blocks[-1], "body") if self.blocks else "body")
        self.run.parts.append((role, a, b))

    def _flush(self) -> None:
        if self.run is not None and self.run.parts:
            self.out.append(_made(self.run, self.s))
        self.run = None

    def _copy(self, a: int, b: int) -> None:
        self._flush()
        self.out.append(self.s[a:b])

    # -- an untranslated element, copied whole
    def _in_region(self, lx: _Lexeme) -> bool:
        """Take ``lx`` inside the untranslated element; True when the element ends before it (then
        ``lx`` is the caller's to handle)."""
        assert self.region is not None
        place = self.region[0]
        if lx.kind == "start":
            if len(self.stack) - 1 == place and lx.name in _CLOSED_BY.get(self.stack[place][0], ()):
                self._close_from(place)  # closed by this sibling ("<li translate=no>…<li>")
                self._end_region(lx.start)
                return True
            if lx.name not in VOID:
                self._push(lx.name)
        elif lx.kind == "end" and self.where.get(lx.name):
            innermost = self.where[lx.name][-1]
            if innermost < place:  # an ancestor's end closes it too
                self._close_from(place)
                self._end_region(lx.start)
                return True
            self._pop(lx.name)
            if innermost == place:
                self._end_region(lx.end)
        return False

    def _end_region(self, at: int) -> None:
        assert self.region is not None
        _, begin, inline = self.region
        self.region = None
        if inline:
            self._add(_WORD, begin, at)
        else:
            self._copy(begin, at)

    # -- the lexemes
    def _lexeme(self, lx: _Lexeme) -> None:
        if lx.kind == "text":
            self._add(None, lx.start, lx.end)
        elif lx.kind in ("markup", "raw"):
            self._add(_NEUTRAL, lx.start, lx.end)
        elif lx.kind == "start":
            block, void = lx.name in BLOCK, lx.name in VOID
            if _is_verbatim(lx.name, lx.attrs) and not void:
                if block:
                    self._flush()
                self._push(lx.name)
                self.region = (len(self.stack) - 1, lx.start, not block)
                return
            if block:
                self._copy(lx.start, lx.end)
            else:
                self._add(_OPEN if not void else _NEUTRAL if lx.name in _SPACING else _WORD, lx.start, lx.end)
            if not void:
                self._push(lx.name)
        else:  # an end tag
            self._pop(lx.name)
            if lx.name in BLOCK:
                self._copy(lx.start, lx.end)
            else:
                self._add(_NEUTRAL if lx.name in VOID else _CLOSE, lx.start, lx.end)


# -- the fragment ------------------------------------------------------------------------------------------
def is_plain(text: str) -> bool:
    """Whether ``text`` has no markup at all (no tag, comment nor entity): it is then translated as
    plain text, and comes back as HTML text (``<`` and ``&`` escaped)."""
    return not any(_opens_markup(text, m.start()) for m in re.finditer("<", text)) and html.unescape(text) == text


@dataclass(frozen=True)
class Fragment:
    """A parsed HTML fragment: source to copy and runs to translate, in order."""

    pieces: tuple[str | Run, ...]

    @property
    def runs(self) -> list[Run]:
        return [p for p in self.pieces if isinstance(p, Run)]

    def document(self, segmenter: Segmenter | None = None) -> Document:
        """One paragraph per run, cut into units as ``segmenter`` says (a translator's: its model's
        tokenizer, token limit and language); the tags at a unit's ends are left out of it, so
        that the model sees only the tags between its words."""
        from ..segmentation import segment_paragraph

        runs = self.runs
        if not runs:
            return Document((), layout="html")
        count = segmenter.count_tokens if segmenter else None
        limit = segmenter.token_limit() if segmenter else DEFAULT_MAX_SENTENCE_TOKENS
        language = segmenter.language() if segmenter else None
        return Document(tuple(_trimmed(Paragraph(i, run.text, run.kind, 0,
                                                 segment_paragraph(run.text, count, limit, language)))
                              for i, run in enumerate(runs)), layout="html")

    def render(self, translated: Sequence[TranslatedParagraph]) -> str:
        """The fragment with each run replaced by its translation (``translated``: one paragraph
        per run, in order)."""
        done = iter(translated)
        return "".join(p if isinstance(p, str) else _rendered(p, next(done)) for p in self.pieces)


def parse_fragment(text: str) -> Fragment:
    """``text`` (an HTML fragment or a whole document) as source to copy and runs to translate."""
    return Fragment(tuple(_Walker(_SURROGATE.sub("\ufffd", text)).walk()))


def _trimmed(p: Paragraph) -> Paragraph:
    """``p`` with the tokens and spaces at each unit's ends left out of it (a unit of nothing else goes)."""
    units: list[Sentence] = []
    for unit in p.sentences:
        start, end = unit.start, unit.end
        lead = _SPACE_OR_TOKEN.match(p.text, start, end)
        start = lead.end() if lead else start
        while end > start and (p.text[end - 1].isspace() or _TOKEN.match(p.text[end - 1])):
            end -= 1
        if end > start:
            units.append(Sentence(len(units), p.text[start:end], start, end, unit.part_of_longer))
    return dataclasses.replace(p, sentences=tuple(units))


# -- masking ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MarkupMasked(Masked):
    """A unit of a run, masked: its tokens (with the other protected spans) are placeholders, and
    those holding tokens must come back in source order."""

    at: tuple[tuple[int, int], ...] = ()  # where the spans are in ``source``
    ordered: tuple[int, ...] = ()         # the placeholders holding tokens, in source order

    def restore(self, output: str) -> str | None:
        if self.ordered:
            wanted = set(self.ordered)
            found = tuple(n for n in (int(m.group(1)) for m in _PLACEHOLDER.finditer(output)) if n in wanted)
            if found != self.ordered:
                return None
        return super().restore(output)

    def positions(self) -> list[tuple[int, int]]:
        return list(self.cuts) if self.cuts else list(self.at)


def mask_markup(unit: str) -> Masked:
    """The engine's masker for units of runs: tokens (a few side by side are one placeholder) and
    protected spans (URLs, e-mail addresses, #tags…) become placeholders. A span is found in the
    text as shown, tags left out, and takes the tags inside it along (Mastodon writes a link's text
    as ``<span>https://</span><span>example.com</span>``). A unit without tokens is masked as any
    text is (:func:`translate.spans.mask`)."""
    if not _TOKEN.search(unit):
        return mask(unit)
    shown = [i for i, ch in enumerate(unit) if not _TOKEN.match(ch)]
    spans = sorted([*((shown[a], shown[b - 1] + 1) for a, b in protected_spans("".join(unit[i] for i in shown))),
                    *(m.span() for m in _TOKEN_RUN.finditer(unit))])
    merged: list[tuple[int, int]] = []
    for a, b in spans:  # spans overlapping, touching, or a space apart, are one
        if merged and not unit[merged[-1][1]:a].strip():
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    used = {int(m.group(1)) for m in _PLACEHOLDER.finditer(unit)}
    numbers = [n for n in range(FIRST_PLACEHOLDER, FIRST_PLACEHOLDER + len(merged) + len(used)) if n not in used]
    numbers = numbers[:len(merged)]
    text, last = [], 0
    for (a, b), n in zip(merged, numbers):
        before = " " if a and not unit[a - 1].isspace() else ""
        after = " " if b < len(unit) and not unit[b].isspace() else ""
        text += [unit[last:a], f"{before}[{n}]{after}"]
        last = b
    text.append(unit[last:])
    return MarkupMasked(unit, "".join(text), tuple(unit[a:b] for a, b in merged), tuple(numbers),
                        at=tuple(merged), ordered=tuple(n for (a, b), n in zip(merged, numbers)
                                                        if _TOKEN.search(unit, a, b)))


# -- rebuilding --------------------------------------------------------------------------------------------
def _is_close(ch: str) -> bool:
    return "\U000F8000" <= ch <= "\U000FFFFF"


def _is_neutral(ch: str) -> bool:
    return ch >= "\U00100000"


def _is_word(ch: str) -> bool:
    return ch >= "\U00108000"


def _wide_pair(a: str, b: str) -> bool:
    """Whether no space goes between ``a`` and ``b`` (CJK on both sides), as sentences are joined."""
    return len(join_sentences([a, b])) == 2


def _tidy(match: re.Match[str]) -> str:
    """Tokens with the spaces around them (text collapsed): none at the ends of a run nor between
    CJK text; else the spaces around neutral tags (``<br>``, a comment) kept, and between other tags
    one space, after the closing ones and before the opening ones ("a <b>red</b> car"); a tag that
    stands for words (``<code>…</code>``) is spaced from the words next to it, as words are joined."""
    s, a, b = match.string, match.start(), match.end()
    cluster = match.group()
    if a == 0 or b == len(s) or _wide_pair(s[a - 1], s[b]):
        tidied = cluster.replace(" ", "")
    else:
        out, stretch = [], ""
        for ch in cluster + "\U00100000":  # (a neutral sentinel ends the last stretch)
            if not _is_neutral(ch):
                stretch += ch
                continue
            tokens = stretch.replace(" ", "")
            if " " in stretch:
                closing = next((i for i, t in enumerate(tokens) if not _is_close(t)), len(tokens))
                tokens = tokens[:closing] + " " + tokens[closing:]
            out += [tokens, ch]
            stretch = ""
        tidied = "".join(out)[:-1]
    if a and _is_word(tidied[0]) and _spaced_word(s[a - 1]):
        tidied = " " + tidied  # "cat <code>x</code> dog"
    if b < len(s) and _is_word(tidied[-1]) and _spaced_word(s[b]):
        tidied += " "
    return tidied


def _spaced_word(neighbour: str) -> bool:
    """Whether a word next to ``neighbour`` is a space apart from it (not next to CJK text)."""
    return neighbour.isalnum() and not _wide_pair(neighbour, neighbour)


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in _TOKEN.sub("", text))


def _rendered(run: Run, p: TranslatedParagraph) -> str:
    """A run's translation as HTML: its units' translations joined with the tags between them, text
    escaped, spaces tidied, each token replaced by its tag as written. Should the tags not come out
    exactly in source order (never, short of a backend's bug), the words go after the tags that led
    the run and before all others: the same markup, the emphasis misplaced."""
    text, parts, pos, last = run.text, [], 0, ""
    for s in p.sentences:
        gap = text[pos:s.start]
        piece = s.translation if _has_words(s.translation) or not _has_words(s.source) else s.source
        visible = _TOKEN.sub("", piece).strip()
        if last and visible and not any(ch.isspace() for ch in gap) and not _wide_pair(last, visible[0]):
            gap += " "
        parts += [gap, piece]
        last = visible[-1:] or last
        pos = s.end
    parts.append(text[pos:])
    core = _CLUSTER.sub(_tidy, html.escape(_WS.sub(" ", "".join(parts)).strip(), quote=False))
    if _TOKEN.findall(core) != list(run.tags):
        lead = _SPACE_OR_TOKEN.match(text)
        head = _TOKEN.findall(lead.group()) if lead else []
        words = _WS.sub(" ", _TOKEN.sub("", core)).strip()
        core = "".join(head) + words + "".join(list(run.tags)[len(head):])
    return run.prefix + _TOKEN.sub(lambda m: run.tags[m.group()], core) + run.suffix


def readable(document: TranslatedDocument) -> TranslatedDocument:
    """``document`` (a fragment's, translated) without its tokens: each paragraph's and sentence's
    source and translation as text (a sentence's offsets moved to match), for scores and logs."""
    paragraphs = []
    for p in document.paragraphs:
        at = [m.start() for m in _TOKEN.finditer(p.source)]
        sentences = tuple(dataclasses.replace(s, source=_TOKEN.sub("", s.source), translation=_plain(s.translation),
                                              start=s.start - bisect_left(at, s.start),
                                              end=s.end - bisect_left(at, s.end)) for s in p.sentences)
        paragraphs.append(dataclasses.replace(p, source=_TOKEN.sub("", p.source), sentences=sentences,
                                              translation=join_sentences([s.translation for s in sentences])))
    return dataclasses.replace(document, paragraphs=tuple(paragraphs))


def _plain(text: str) -> str:
    return _WS.sub(" ", _TOKEN.sub("", text)).strip()
