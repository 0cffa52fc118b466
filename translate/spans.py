"""Spans that must come through a translation verbatim: URLs, e-mail addresses, @handles, #tags,
file paths and `code`.

Before translation each span is replaced by a placeholder the model copies (``[901]``, a
bracketed number, as in citations); after, the placeholders are replaced back. When the model
lost, doubled or altered a placeholder, the unit is translated *around* its spans instead: the
text between them is translated piece by piece and the spans are put back in place. Either
way the spans are never sent through the model as text, on any backend.
"""

from __future__ import annotations

import re
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

    def restore(self, output: str) -> str | None:
        """``output`` with the spans put back, or None when a placeholder was lost, doubled or invented."""
        if not self.spans:
            return output
        found = [int(m.group(1)) for m in _PLACEHOLDER.finditer(output)]
        mine = [n for n in found if n in self.numbers]
        if sorted(mine) != sorted(self.numbers):
            return None
        by_number = dict(zip(self.numbers, self.spans))
        return _PLACEHOLDER.sub(lambda m: by_number.get(int(m.group(1)), m.group(0)), output)

    def pieces(self) -> list[tuple[bool, str]]:
        """The unit as ``(is_span, text)`` pieces in order, for translating around the spans."""
        out: list[tuple[bool, str]] = []
        pos = 0
        for start, end in [*protected_spans(self.source), (len(self.source), len(self.source))]:
            between = self.source[pos:start].strip()
            if between:  # text to translate; a piece without words (punctuation) stays as it is
                out.append((not any(ch.isalpha() for ch in between), between))
            if end > start:
                out.append((True, self.source[start:end]))
            pos = end
        return out


def mask(unit: str) -> Masked:
    """Replace the protected spans of ``unit`` by placeholders not already in it."""
    spans = protected_spans(unit)
    if not spans:
        return Masked(unit, unit, (), ())
    taken = {int(m.group(1)) for m in _PLACEHOLDER.finditer(unit)}
    numbers = [n for n in range(FIRST_PLACEHOLDER, FIRST_PLACEHOLDER + len(spans) + len(taken)) if n not in taken]
    numbers = numbers[:len(spans)]
    parts, pos = [], 0
    for (start, end), n in zip(spans, numbers):
        parts.append(unit[pos:start])
        parts.append(_spaced(unit, start, end, f"[{n}]"))
        pos = end
    parts.append(unit[pos:])
    return Masked(unit, "".join(parts), tuple(unit[s:e] for s, e in spans), tuple(numbers))


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
        elif not any(ch.isalnum() for ch in text):  # punctuation between spans
            out += text if target_cjk else text.translate(_CJK_PUNCT)
            continue
        out = out + text if text[:1] in ",.;:!?" else join_sentences([out, text])
    return out
