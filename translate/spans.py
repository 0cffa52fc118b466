"""Spans that must come through a translation verbatim: URLs, e-mail addresses, @handles, #tags,
file paths and `code`.

Before translation each span is replaced by a placeholder the model copies (``[901]``, a
bracketed number, as in citations); after, the placeholders are replaced back. When the model
lost, doubled or altered a placeholder, the unit is translated *around* its spans instead: the
text between them is translated piece by piece and the spans are put back in place. Either
way the spans are never sent through the model as text, on any backend.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .languages import join_sentences

_URL_CHAR = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"  # RFC 3986 (CJK text around a URL is not part of it)
_PROTECTED = re.compile("|".join([
    rf"(?:https?://|ftp://|www\.){_URL_CHAR}*[A-Za-z0-9\-_~/#=&%+]",       # URL, without trailing punctuation
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",  # e-mail
    r"(?<![A-Za-z0-9_@])@[A-Za-z0-9_]{2,}",                                # @handle
    r"(?<![A-Za-z0-9_#&])#[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*",             # #tag (not &#12290; or #1)
    r"(?<![A-Za-z0-9_/.~])(?:~|\.{1,2})?(?:/[A-Za-z0-9_.-]+){2,}/?",        # file path: /a/b, ./a/b, ~/a/b
    r"(?<![A-Za-z0-9])[A-Za-z]:\\(?:[A-Za-z0-9_.-]+\\)*[A-Za-z0-9_.-]+",   # Windows path
    r"`[^`\n]+`",                                                          # code span
]))
FIRST_PLACEHOLDER = 901
_PLACEHOLDER = re.compile(r"\[\s*(\d+)\s*\]")


def protected_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every span of ``text`` that must stay verbatim."""
    return [m.span() for m in _PROTECTED.finditer(text)]


@dataclass(frozen=True)
class Masked:
    """A unit with its protected spans replaced by placeholders."""

    source: str
    text: str                      # what the model sees
    spans: tuple[str, ...]         # the protected texts, in order
    numbers: tuple[int, ...]       # their placeholder numbers
    outputs: tuple[str, ...] = ()  # what each placeholder becomes (default: its span; a glossary term: its target)
    cuts: tuple[tuple[int, int], ...] = ()  # where the spans are, when glossary terms were added (``with_terms``)

    def restore(self, output: str) -> str | None:
        """``output`` with the spans put back, or None when a placeholder was lost, doubled or invented."""
        if not self.spans:
            return output
        found = [int(m.group(1)) for m in _PLACEHOLDER.finditer(output)]
        mine = [n for n in found if n in self.numbers]
        if sorted(mine) != sorted(self.numbers):
            return None
        by_number = dict(zip(self.numbers, self.outputs or self.spans))
        return _PLACEHOLDER.sub(lambda m: by_number.get(int(m.group(1)), m.group(0)), output)

    def positions(self) -> list[tuple[int, int]]:
        """(start, end) of the spans in ``source``."""
        return list(self.cuts) if self.cuts else protected_spans(self.source)

    def pieces(self) -> list[tuple[bool, str]]:
        """The unit as ``(is_span, text)`` pieces in order, for translating around the spans (a
        glossary term's piece is its target term)."""
        out: list[tuple[bool, str]] = []
        pos = 0
        outputs = self.outputs if self.cuts else ()  # aligned with ``cuts``
        for k, (start, end) in enumerate([*self.positions(), (len(self.source), len(self.source))]):
            between = self.source[pos:start].strip()
            if between:  # text to translate; a piece without words (punctuation) stays as it is
                out.append((not any(ch.isalpha() for ch in between), between))
            if end > start:
                out.append((True, outputs[k] if outputs else self.source[start:end]))
            pos = end
        return out


def _free_numbers(unit: str, count: int, taken: Iterable[int] = ()) -> list[int]:
    """``count`` placeholder numbers that neither ``unit`` nor ``taken`` already uses."""
    used = {int(m.group(1)) for m in _PLACEHOLDER.finditer(unit)} | set(taken)
    free: list[int] = []
    n = FIRST_PLACEHOLDER
    while len(free) < count:
        if n not in used:
            free.append(n)
        n += 1
    return free


def _placed(unit: str, spans: Iterable[tuple[int, int, int]]) -> str:
    """``unit`` with each ``(start, end, number)`` span replaced by its placeholder ``[number]``."""
    parts, pos = [], 0
    for start, end, n in spans:
        parts.append(unit[pos:start])
        parts.append(_spaced(unit, start, end, f"[{n}]"))
        pos = end
    parts.append(unit[pos:])
    return "".join(parts)


def _placeholders(unit: str, spans: list[tuple[int, int]]) -> tuple[str, tuple[int, ...]]:
    """The masked text of ``unit`` and the numbers given to ``spans``, in order."""
    numbers = _free_numbers(unit, len(spans))
    return _placed(unit, [(s, e, n) for (s, e), n in zip(spans, numbers)]), tuple(numbers)


def mask(unit: str) -> Masked:
    """Replace the protected spans of ``unit`` by placeholders not already in it."""
    spans = protected_spans(unit)
    if not spans:
        return Masked(unit, unit, (), ())
    text, numbers = _placeholders(unit, spans)
    return Masked(unit, text, tuple(unit[s:e] for s, e in spans), numbers)


def with_terms(masked: Masked, terms: list[tuple[int, int, str]]) -> Masked:
    """``masked`` with glossary terms of its source (``(start, end, target)``) replaced by
    placeholders too: restoring one puts in its *target*, and translating around it inserts the
    target. A term overlapping a protected span is left to the span. The spans' own placeholders
    keep their numbers."""
    base = masked.positions()
    free = [(s, e, t) for s, e, t in terms if all(e <= a or s >= b for a, b in base)]
    if not free:
        return masked
    unit = masked.source
    extra = _free_numbers(unit, len(free), masked.numbers)
    entries = sorted([(s, e, num, unit[s:e]) for (s, e), num in zip(base, masked.numbers)]
                     + [(s, e, num, t) for (s, e, t), num in zip(free, extra)])
    return dataclasses.replace(masked, text=_placed(unit, [(s, e, num) for s, e, num, _ in entries]),
                               spans=tuple(unit[s:e] for s, e, _, _ in entries),
                               numbers=tuple(num for _, _, num, _ in entries),
                               outputs=tuple(out for _, _, _, out in entries),
                               cuts=tuple((s, e) for s, e, _, _ in entries))


def _spaced(text: str, start: int, end: int, placeholder: str) -> str:
    """The placeholder, with spaces where the span touched CJK text (so the model sees a word)."""
    before = " " if start and not text[start - 1].isspace() else ""
    after = " " if end < len(text) and not text[end].isspace() else ""
    return before + placeholder + after


_CJK_PUNCT = str.maketrans("。，、！？；：", ".,,!?;:")


def join_around(pieces: list[tuple[bool, str]], translations: list[str], target_cjk: bool = False) -> str:
    """Reassemble a unit translated around its spans: translated pieces and verbatim spans, in
    order; punctuation between them follows the target's script and attaches to what precedes it."""
    it = iter(translations)
    out = ""
    for is_span, text in pieces:
        if not is_span:
            text = next(it)
        elif not any(ch.isalnum() for ch in text) and not text.endswith(_OPENING):  # punctuation between spans
            text = text if target_cjk else text.translate(_CJK_PUNCT)
            out += text[1:] if text[:1] == "." and out.endswith(".") else text  # "Inc." + "。": one stop
            continue
        tight = text[:1] in _CLOSING or out.endswith(_OPENING)  # no space inside brackets, none before punctuation
        out = out + text if tight else join_sentences([out, text])
    return out


_OPENING = ("(", "[", "{", "“", "‘", "«")
_CLOSING = tuple(",.;:!?)]}”’»")


# --- Markdown documents ---------------------------------------------------------------------------
# A unit of a Markdown document is inline Markdown source. Besides the spans above, its inline
# syntax must come through verbatim: a link's or an image's target ``](url "title")`` (and its
# opening ``[`` or ``![``, so the link text or alt text between stays translatable and the brackets
# cannot be lost), ``<autolinks>``, inline HTML tags, reference definitions and code spans of any
# backtick count. Emphasis markers (``*``, ``_``) are left in the text.

_MD_DEST = r"(?:<[^<>\n]*>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*)"
_MD_TITLE = r"""(?:\s+(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)))?"""
_MD_TARGET = rf"(?:\(\s*{_MD_DEST}{_MD_TITLE}\s*\)|\[(?:[^\[\]\\]|\\.)*\])"  # (url "title") or [ref]
_MD_LABEL = r"(?:[^\[\]\\]|\\.|\[(?:[^\[\]\\]|\\.)*\])*"                        # one level of nested brackets
_MD_ATTR = r"""(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)"""
_MARKDOWN = re.compile("|".join([
    r"(?<![`\\])(?P<tick>`+)(?!`)[\s\S]+?(?<!`)(?P=tick)(?!`)",            # code span, any backtick count
    rf"(?<!\\)!\[(?={_MD_LABEL}\]{_MD_TARGET})",                             # an image's opening "!["
    r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>",                              # <https://...> autolink
    r"<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*>",  # <name@host> autolink
    rf"</?[A-Za-z][A-Za-z0-9-]*{_MD_ATTR}*\s*/?>",                           # inline HTML tag
    r"<!--[\s\S]*?-->",                                                      # HTML comment
    rf"^ {{0,3}}\[{_MD_LABEL}\]:[ \t]*(?:<[^<>\n]*>|\S+)(?:[ \t]+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?[ \t]*$",
    rf"\]{_MD_TARGET}",                                                      # a link's end and target
    rf"(?<![\\!])\[(?={_MD_LABEL}\]{_MD_TARGET})",                           # a link's opening bracket
]), re.MULTILINE)
_MD_LINK = re.compile(rf"(?<!\\)!?\[{_MD_LABEL}\]{_MD_TARGET}")  # a whole link or image


def markdown_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the inline Markdown syntax of ``text`` that must stay verbatim (see above)."""
    return [m.span() for m in _MARKDOWN.finditer(text)]


def markdown_protected_spans(text: str) -> list[tuple[int, int]]:
    """Every span of a Markdown unit that must stay verbatim: its Markdown syntax, and the
    ``protected_spans`` (URLs, e-mail addresses, paths...) of the text between; sorted, disjoint."""
    out: list[tuple[int, int]] = []
    pos = 0
    for start, end in [*markdown_spans(text), (len(text), len(text))]:
        out.extend((pos + s, pos + e) for s, e in protected_spans(text[pos:start]))
        if end > start:
            out.append((start, end))
        pos = end
    merged: list[tuple[int, int]] = []  # spans that touch are one (<b>x@y.com</b>), a link's brackets aside
    for start, end in out:
        touching = merged and start == merged[-1][1]
        if touching and not _md_bracket(text, merged[-1]) and not _md_bracket(text, (start, end)):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _md_bracket(text: str, span: tuple[int, int]) -> bool:
    """Whether a span is a link's "[" (an image's "![") or its "](target)" (kept apart so that their
    spacing is tidied)."""
    return text[span[0]:span[1]] in ("[", "![") or text[span[0]] == "]"


def markdown_unbreakable_spans(text: str) -> list[tuple[int, int]]:
    """Spans of a Markdown paragraph that a sentence boundary must not cut: the protected spans,
    and whole links ``[text](url)`` (so that no unit gets a bracket without its partner)."""
    spans = markdown_protected_spans(text) + [m.span() for m in _MD_LINK.finditer(text)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class MarkdownMasked(Masked):
    """A Markdown unit masked with ``mask_markdown``: ``pieces`` cut it at the same spans, and
    ``restore`` keeps a link's text tight against its brackets."""

    openers: tuple[int, ...] = ()  # placeholder numbers standing for a link's "[" (an image's "![")
    closers: tuple[int, ...] = ()  # ... and for its "](target)"

    def restore(self, output: str) -> str | None:
        for n in self.openers:
            output = re.sub(rf"\[\s*{n}\s*\][ \t]*", f"[{n}]", output)
        for n in self.closers:
            output = re.sub(rf"[ \t]*\[\s*{n}\s*\]", f"[{n}]", output)
        return super().restore(output)

    def positions(self) -> list[tuple[int, int]]:
        return list(self.cuts) if self.cuts else markdown_protected_spans(self.source)


def mask_markdown(unit: str) -> MarkdownMasked:
    """``mask`` for a unit of a Markdown document (``Source.layout == "markdown"``): its inline
    Markdown syntax is masked too (``markdown_protected_spans``)."""
    spans = markdown_protected_spans(unit)
    if not spans:
        return MarkdownMasked(unit, unit, (), ())
    text, numbers = _placeholders(unit, spans)
    texts = tuple(unit[s:e] for s, e in spans)
    return MarkdownMasked(unit, text, texts, numbers,
                          openers=tuple(n for n, t in zip(numbers, texts) if t in ("[", "![")),
                          closers=tuple(n for n, t in zip(numbers, texts) if t.startswith("]")))
