"""Sentence splitting. CJK text: rules on 。！？；…; Latin-script text: pysbd, its cuts in English
text repaired for news shapes (``news.py``: quotations, dash asides, captions, headers).

Both return spans ``(start, end)`` that cover every non-space character of the paragraph,
in order: text between two sentence boundaries is never lost, whatever a splitter does.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import islice

from ..languages import CJK_CHARS, HAN_KANA
from ..spans import protected_spans
from .news import is_news_language, repair_cuts

_HAN_KANA = re.compile(f"[{HAN_KANA}]")
TERMINATORS = frozenset("。！？；!?;…")
CLOSERS = frozenset("”’」』）)】〕〉\"'")
BOOK_OPEN, BOOK_CLOSE = "《", "》"
BOOK_TITLE_MAX = 100  # an unclosed 《 further than this from its 》 does not protect anything
# "“……。”张三说。": a short attribution after a closing quote belongs to the quoted sentence
_ATTRIBUTION = re.compile(r"[^。！？；!?;…“”\n]{1,16}?(说|表示|称|指出|介绍|认为|强调|写道|问道|答道|坦言|感慨)[。！!]")

PYSBD_WINDOW = 5000  # longer text goes to pysbd a window at a time (see ``latin_boundaries``)
PYSBD_MARGIN = 500
# languages pysbd has rules for; others use its English rules
_PYSBD_LANGS = {"en", "hi", "mr", "zh", "es", "am", "ar", "hy", "bg", "ur", "ru", "pl", "fa", "nl",
                "da", "fr", "my", "el", "it", "ja", "de", "kk", "sk"}


def _inside_latin_word(text: str, i: int) -> bool:
    """An ASCII ! ? ; between a Latin letter or digit and another: part of a name ("YES!IC"), not an end."""
    return text[i] in "!?;" and 0 < i < len(text) - 1 and text[i - 1].isascii() and text[i - 1].isalnum() \
        and text[i + 1].isascii() and text[i + 1].isalnum()


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
        elif ch in TERMINATORS and depth == 0 and not _inside_latin_word(text, i):
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


_TRAILING_SPACE = re.compile(r"\s*")


def _pysbd_segment(language: str, text: str) -> list[str]:
    """``pysbd.Segmenter.segment(text)`` (clean=False), without its costliest step: pysbd finds
    each sentence in the text with a regex compiled from that sentence (slow for a long one, and
    each a miss in ``re``'s cache); here ``str.find`` does the same search (the first match of the
    sentence plus trailing whitespace that ends after the previous one), with the same result."""
    seg = _pysbd(language)
    if not text:
        return []
    if not hasattr(seg, "processor") or seg.clean or seg.doc_type == "pdf":
        return seg.segment(text)
    sentences = seg.processor(text).process()
    if not all(sentences):  # an empty sentence: leave its (regex) matching to pysbd
        return seg.segment(text)
    out: list[str] = []
    prior_end = 0
    for sent in sentences:
        start = 0
        while (i := text.find(sent, start)) >= 0:
            space = _TRAILING_SPACE.match(text, i + len(sent))
            assert space is not None  # r"\s*" matches anywhere
            end = space.end()
            if end > prior_end:
                out.append(text[i:end])
                prior_end = end
                break
            start = end
    return out


def _pysbd_cuts(text: str, language: str) -> list[int]:
    """Cut positions after each sentence found by pysbd in all of ``text``."""
    cuts, pos = [], 0
    for piece in _pysbd_segment(language, text):
        piece = piece.strip()
        found = text.find(piece, pos) if piece else -1
        if found >= 0:
            pos = found + len(piece)
            cuts.append(pos)
    return cuts


def latin_boundaries(text: str, language: str = "en") -> list[int]:
    """Cut positions after each sentence found by pysbd.

    pysbd's time grows with the square of its input, so text longer than ``PYSBD_WINDOW``
    characters is handed to it a window at a time: a window's cuts are kept up to
    ``PYSBD_MARGIN`` characters before its end (pysbd decides a boundary on the words around it),
    and the next window starts at the last cut kept (or, in text without one, at a space there).
    Text up to ``PYSBD_WINDOW`` characters is split exactly as by pysbd on all of it; pysbd is not
    strictly local (an abbreviation or a quote far away can change a decision), so a longer
    paragraph may be split a little differently, every character still covered, in order."""
    if len(text) <= PYSBD_WINDOW:
        return _pysbd_cuts(text, language)
    cuts: list[int] = []
    pos = 0
    while len(text) - pos > PYSBD_WINDOW:
        safe = pos + PYSBD_WINDOW - PYSBD_MARGIN
        kept = [pos + c for c in _pysbd_cuts(text[pos:pos + PYSBD_WINDOW], language) if pos + c <= safe]
        cuts += kept
        if kept and kept[-1] - pos >= PYSBD_WINDOW // 4:
            pos = kept[-1]
        else:  # no sentence end far enough in: go on from a space before ``safe`` (not a cut)
            lo = max(kept[-1] if kept else pos, pos + PYSBD_WINDOW // 4)
            space = text.rfind(" ", lo, safe)
            pos = space if space > lo else safe
    return cuts + [pos + c for c in _pysbd_cuts(text[pos:], language)]


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
_CJK_RUN = re.compile(f"[{CJK_CHARS}]+")


def latin_sentence_ends(text: str, cuts: list[int]) -> list[int]:
    """Extra cuts in CJK text after a whole Latin-script sentence (3+ words, no CJK) that runs into
    the next CJK sentence (…大山。The cat looks at the mountain. 五小狗…): it becomes its own unit.

    Linear in the paragraph: the sentence's start is found by bisection in the sorted cuts, and
    whether it holds CJK from the last CJK character before its end (found in one sweep)."""
    extra = []
    cuts = sorted(cuts)
    cjk_runs = _CJK_RUN.finditer(text)
    last_cjk = -1  # position of the last CJK character before the current match's end
    run = next(cjk_runs, None)
    for m in _LATIN_END.finditer(text):
        while run is not None and run.start() < m.end():
            last_cjk = min(run.end(), m.end()) - 1
            if run.end() > m.end():
                break
            run = next(cjk_runs, None)
        i = bisect_right(cuts, m.start())
        start = cuts[i - 1] if i else 0
        if last_cjk < start and _enough_words(text, start, m.end()):
            extra.append(m.end())
    return extra


def _enough_words(text: str, start: int, end: int, words: int = 3) -> bool:
    """Whether ``text[start:end]`` holds at least ``words`` Latin-script words."""
    found = _LATIN_WORD.finditer(text, start, end)
    return sum(1 for _ in islice(found, words)) >= words


def split_sentences(text: str, language: str | None = None) -> list[tuple[int, int]]:
    """Sentence spans of one paragraph; an unterminated tail is kept as a sentence.
    Protected spans (URLs, e-mail addresses, paths, code: ``spans.py``) are never cut."""
    if _HAN_KANA.search(text):  # Chinese and Japanese rules; Korean ends sentences with "." like English
        cuts = cjk_boundaries(text)
        cuts += latin_sentence_ends(text, cuts)
    else:
        lang = language or "en"
        cuts = latin_boundaries(text, lang)
        if is_news_language(language):
            cuts = repair_cuts(text, cuts, lambda part: latin_boundaries(part, lang))
    protected = protected_spans(text)
    if protected:  # spans are sorted and do not overlap: the one that may hold c starts before it
        starts = [start for start, _ in protected]
        cuts = [c for c in cuts if not ((i := bisect_left(starts, c)) and c < protected[i - 1][1])]
    return spans_between(text, cuts)
