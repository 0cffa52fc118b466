"""Sentence splitting. CJK text: rules on 。！？；…; Latin-script text: pysbd.

Both return spans ``(start, end)`` that cover every non-space character of the paragraph,
in order: text between two sentence boundaries is never lost, whatever a splitter does.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..languages import HAN_KANA, has_cjk
from ..spans import protected_spans

_HAN_KANA = re.compile(f"[{HAN_KANA}]")
TERMINATORS = frozenset("。！？；!?;…")
CLOSERS = frozenset("”’」』）)】〕〉\"'")
BOOK_OPEN, BOOK_CLOSE = "《", "》"
BOOK_TITLE_MAX = 100  # an unclosed 《 further than this from its 》 does not protect anything
# "“……。”张三说。": a short attribution after a closing quote belongs to the quoted sentence
_ATTRIBUTION = re.compile(r"[^。！？；!?;…“”\n]{1,16}?(说|表示|称|指出|介绍|认为|强调|写道|问道|答道|坦言|感慨)[。！!]")

# languages pysbd has rules for; others use its English rules
_PYSBD_LANGS = {"en", "hi", "mr", "zh", "es", "am", "ar", "hy", "bg", "ur", "ru", "pl", "fa", "nl",
                "da", "fr", "my", "el", "it", "ja", "de", "kk", "sk"}


def cjk_boundaries(text: str) -> list[int]:
    """Cut positions after each sentence end (。！？；… runs plus closing quotes), not inside 《》."""
    cuts: list[int] = []
    depth, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == BOOK_OPEN and text.find(BOOK_CLOSE, i + 1, i + 1 + BOOK_TITLE_MAX) != -1:
            depth += 1
        elif ch == BOOK_CLOSE:
            depth = max(0, depth - 1)
        elif ch in TERMINATORS and depth == 0:
            j = i + 1
            while j < n and text[j] in TERMINATORS:
                j += 1
            while j < n and text[j] in CLOSERS:
                j += 1
            if text[j - 1] in "”」』\"" and (m := _ATTRIBUTION.match(text, j)):
                j = m.end()
            cuts.append(j)
            i = j
            continue
        i += 1
    return cuts


@lru_cache(maxsize=8)
def _pysbd(language: str):
    import pysbd

    return pysbd.Segmenter(language=language if language in _PYSBD_LANGS else "en", clean=False)


def latin_boundaries(text: str, language: str = "en") -> list[int]:
    """Cut positions after each sentence found by pysbd."""
    cuts, pos = [], 0
    for piece in _pysbd(language).segment(text):
        piece = piece.strip()
        found = text.find(piece, pos) if piece else -1
        if found >= 0:
            pos = found + len(piece)
            cuts.append(pos)
    return cuts


def spans_between(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    """Non-empty spans between cut positions, with surrounding whitespace trimmed."""
    spans, prev = [], 0
    for cut in sorted(set(cuts + [len(text)])):
        start, end = prev, cut
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
        prev = cut
    return spans


_LATIN_END = re.compile(rf"(?<=[A-Za-z0-9])[.!?]+[\"'”’)\]]*(?=\s+[{HAN_KANA}])")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def latin_sentence_ends(text: str, cuts: list[int]) -> list[int]:
    """Extra cuts in CJK text after a whole Latin-script sentence (3+ words, no CJK) that runs into
    the next CJK sentence (…大山。The cat looks at the mountain. 五小狗…): it becomes its own unit."""
    extra = []
    for m in _LATIN_END.finditer(text):
        start = max([c for c in cuts if c <= m.start()], default=0)
        before = text[start:m.end()]
        if not has_cjk(before) and len(_LATIN_WORD.findall(before)) >= 3:
            extra.append(m.end())
    return extra



def split_sentences(text: str, language: str | None = None) -> list[tuple[int, int]]:
    """Sentence spans of one paragraph; an unterminated tail is kept as a sentence.
    Protected spans (URLs, e-mail addresses, paths, code: ``spans.py``) are never cut."""
    if _HAN_KANA.search(text):  # Chinese and Japanese rules; Korean ends sentences with "." like English
        cuts = cjk_boundaries(text)
        cuts += latin_sentence_ends(text, cuts)
    else:
        cuts = latin_boundaries(text, language or "en")
    protected = protected_spans(text)
    if protected:
        cuts = [c for c in cuts if not any(start < c < end for start, end in protected)]
    return spans_between(text, cuts)
