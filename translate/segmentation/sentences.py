"""Sentence splitting. CJK text: rules on 。！？；…; Latin-script text: pysbd.

Both return spans ``(start, end)`` that cover every non-space character of the paragraph,
in order: text between two sentence boundaries is never lost, whatever a splitter does.
"""

from __future__ import annotations

import re
from functools import lru_cache

HAN_KANA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
CJK_CHARS = HAN_KANA + "\uac00-\ud7af"  # plus Hangul
_CJK = re.compile(f"[{CJK_CHARS}]")
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


def has_cjk(text: str) -> bool:
    """True when ``text`` contains a Chinese, Japanese or Korean character."""
    return bool(_CJK.search(text))


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


_UNBREAKABLE = re.compile(r"(?:https?://|ftp://|www\.)[^\s\u3000-\u303f\uff00-\uffef“”‘’]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def split_sentences(text: str, language: str | None = None) -> list[tuple[int, int]]:
    """Sentence spans of one paragraph; an unterminated tail is kept as a sentence.
    URLs and e-mail addresses are never cut."""
    if _HAN_KANA.search(text):  # Chinese and Japanese rules; Korean ends sentences with "." like English
        cuts = cjk_boundaries(text)
    else:
        cuts = latin_boundaries(text, language or "en")
    protected = [m.span() for m in _UNBREAKABLE.finditer(text)]
    if protected:
        cuts = [c for c in cuts if not any(start < c < end for start, end in protected)]
    return spans_between(text, cuts)
