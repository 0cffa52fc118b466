"""Paragraphs: detect the layout (one line per paragraph, or blank-line blocks) and each paragraph's kind."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Literal

from ..document import Layout, ParagraphKind
from ..languages import has_cjk

LayoutChoice = Literal["auto", "lines", "blocks"]

_INDENTED = re.compile(r"^(\t| {2,}|\u3000)")
_END_PUNCT = tuple("。！？；.!?;…:：”」』\"'）)")
_SUBTITLE = re.compile(r"^\s*(——|—|--|－－)")
HEADING_MAX_CJK_CHARS = 40
HEADING_MAX_WORDS = 14
TITLE_CASE_HEADING_MAX_WORDS = 25  # an unpunctuated Latin-script block in Title Case is a heading up to this
SNIFF_LINES = 5000  # the layout is decided on this many lines, so input can stream


@dataclass(frozen=True)
class RawParagraph:
    """A paragraph before sentence segmentation."""

    text: str
    line: int
    kind: ParagraphKind


def _blocks(lines: list[str]) -> list[list[int]]:
    """Groups of consecutive non-blank line numbers (0-based)."""
    blocks: list[list[int]] = []
    current: list[int] = []
    for i, line in enumerate(lines):
        if line.strip():
            current.append(i)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def detect_layout(lines: list[str]) -> Layout:
    """Tell one-line-per-paragraph text from blank-line-separated blocks of wrapped lines.

    Blocks mode needs blank lines between blocks *and* multi-line blocks whose lines look
    wrapped: continuation lines not indented, and line ends mostly not sentence ends.
    """
    blocks = _blocks(lines)
    multi = [b for b in blocks if len(b) > 1]
    if len(blocks) < 2 or not multi:
        return "lines"
    continuation = [lines[i] for b in multi for i in b[1:]]
    if sum(bool(_INDENTED.match(line)) for line in continuation) * 2 > len(continuation):
        return "lines"
    inner_ends = [lines[i].rstrip() for b in multi for i in b[:-1]]
    if sum(end.endswith(_END_PUNCT) for end in inner_ends) * 2 > len(inner_ends):
        return "lines"
    return "blocks"


def _join_wrapped(parts: list[str]) -> str:
    """Join wrapped lines: no space between CJK characters, one space otherwise."""
    out = parts[0]
    for part in parts[1:]:
        glue = "" if has_cjk(out[-1:]) and has_cjk(part[:1]) else " "
        out += glue + part
    return out


def classify(text: str, index: int, previous: ParagraphKind | None) -> ParagraphKind:
    """Title (first, unpunctuated), subtitle (——…), heading (short, unpunctuated) or body."""
    if _SUBTITLE.match(text) and previous in ("title", "subtitle"):
        return "subtitle"
    stripped = text.rstrip()
    if stripped.endswith(_END_PUNCT):
        return "body"
    short = (len(stripped) <= HEADING_MAX_CJK_CHARS if has_cjk(stripped)
             else len(stripped.split()) <= HEADING_MAX_WORDS or
             (len(stripped.split()) <= TITLE_CASE_HEADING_MAX_WORDS and title_case(stripped)))
    if not short:
        return "body"
    return "title" if index == 0 else "heading"


_TITLE_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_MINOR_WORDS = frozenset("a an the and or but nor of to in on at for from by with as vs via per into over".split())


def title_case(text: str) -> bool:
    """Most words capitalised, as headings in English are written (minor words aside)."""
    words = [w for w in _TITLE_WORD.findall(text) if w.lower() not in _MINOR_WORDS]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def looks_like_heading(text: str, following: str | None = None) -> bool:
    """A block that reads as a heading whatever format it came in: short, no final punctuation,
    and written in Title Case or followed by a longer paragraph (Chinese: short and unpunctuated)."""
    stripped = text.strip()
    if not stripped or stripped.endswith(_END_PUNCT):
        return False
    if has_cjk(stripped):
        return len(stripped) <= HEADING_MAX_CJK_CHARS
    words = len(stripped.split())
    if words > TITLE_CASE_HEADING_MAX_WORDS:
        return False
    longer = following is not None and len(following.split()) > max(words, HEADING_MAX_WORDS)
    return title_case(stripped) or (words <= HEADING_MAX_WORDS and (following is None or longer))


def iter_lines(pieces: Iterable[str]) -> Iterator[str]:
    """Lines of text that arrives in pieces (pieces may end anywhere)."""
    carry = ""
    for piece in pieces:
        parts = (carry + piece).split("\n")
        carry = parts.pop()
        yield from parts
    if carry:
        yield carry


def stream_paragraphs(lines: Iterable[str], layout: LayoutChoice = "auto") -> tuple[Layout, Iterator[RawParagraph]]:
    """The layout (decided on the first lines) and a lazy stream of paragraphs, in order."""
    it = iter(lines)
    head = list(islice(it, SNIFF_LINES))
    chosen: Layout = detect_layout(head) if layout == "auto" else layout
    return chosen, _paragraphs(chain(head, it), chosen)


def _paragraphs(lines: Iterable[str], layout: Layout) -> Iterator[RawParagraph]:
    previous: ParagraphKind | None = None
    index = 0
    block: list[tuple[int, str]] = []

    def emit(group: list[tuple[int, str]]) -> RawParagraph:
        nonlocal previous, index
        body = _join_wrapped([line.strip() for _, line in group])
        kind = classify(body, index, previous)
        previous, index = kind, index + 1
        return RawParagraph(body, group[0][0], kind)

    for number, line in enumerate(lines, 1):
        if not line.strip():
            if block:
                yield emit(block)
                block = []
        elif layout == "lines":
            yield emit([(number, line)])
        else:
            block.append((number, line))
    if block:
        yield emit(block)


def split_paragraphs(text: str, layout: LayoutChoice = "auto") -> tuple[Layout, list[RawParagraph]]:
    """Split text into paragraphs, keeping their order; indentation is stripped."""
    chosen, paragraphs = stream_paragraphs(text.split("\n"), layout)
    return chosen, list(paragraphs)
