"""Token limit: split a sentence that is too long for the model, never truncate it.

Order of preference: clause punctuation (，、：,;: …), then whitespace, then any character.
Each piece is checked with the model's own token counter.

Work per piece is bounded, whatever the sentence's length: cuts are looked for, and tokens
counted, only within a window ahead of the piece's start that is already over the limit (twice
the previous piece's length, doubled while its text still fits), so a 300,000-character sentence
without punctuation costs linear time. While what is left of a sentence is at most
``WINDOW_CHARS_PER_TOKEN`` characters per token of the limit, the window is all of it: a sentence
that short is split exactly as it was before windows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..options import MIN_SENTENCE_TOKENS
CLAUSE_MARKS = frozenset("，、：,:;—")
_CLAUSE = re.compile("[" + re.escape("".join(sorted(CLAUSE_MARKS))) + "]")
_SPACE_AFTER_TEXT = re.compile(r"(?<!\s)\s")  # \s is str.isspace()
# what is left of a sentence is searched whole up to this many characters per token of the limit;
# beyond, in a window (a starting size, doubled while it fits: no assumption about the tokenizer)
WINDOW_CHARS_PER_TOKEN = 16


def _largest_fit(text: str, start: int, cands: Sequence[int], count: Callable[[str], int],
                 max_tokens: int) -> int | None:
    """The largest candidate cut ``c`` with ``count(text[start:c]) <= max_tokens`` (binary search)."""
    lo, hi, best = 0, len(cands) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if count(text[start:cands[mid]].strip()) <= max_tokens:
            best, lo = cands[mid], mid + 1
        else:
            hi = mid - 1
    return best


def _window(text: str, pos: int, end: int, count: Callable[[str], int], max_tokens: int, size: int) -> int | None:
    """The end of a window ``text[pos:stop]`` already over the limit (so every cut that fits lies
    within it), or None when all of ``text[pos:end]`` fits. Only the window's tokens are counted:
    ``size`` characters at first, doubled while they fit; all of the rest when it is short."""
    if end - pos <= max_tokens * WINDOW_CHARS_PER_TOKEN:
        size = end - pos
    size = max(1, size)
    while True:
        stop = min(end, pos + size)
        over = count(text[pos:stop]) > max_tokens
        if stop == end:
            return end if over else None
        if over:
            return stop
        size *= 2


def split_to_token_limit(text: str, start: int, end: int, count: Callable[[str], int] | None,
                         max_tokens: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into spans of at most ``max_tokens`` tokens each, covering it entirely."""
    # even whether it fits is asked of a window: a 300,000-character sentence is never tokenized whole
    if count is None or _window(text, start, end, count, max_tokens, max_tokens * WINDOW_CHARS_PER_TOKEN) is None:
        return [(start, end)]
    max_tokens = max(max_tokens, MIN_SENTENCE_TOKENS)
    pieces: list[tuple[int, int]] = []
    pos = start
    size = max_tokens * WINDOW_CHARS_PER_TOKEN
    while (stop := _window(text, pos, end, count, max_tokens, size)) is not None:
        clause = [m.start() + 1 for m in _CLAUSE.finditer(text, pos, stop - 1)]
        space = [m.start() for m in _SPACE_AFTER_TEXT.finditer(text, pos + 1, stop)]
        cut = (_largest_fit(text, pos, clause, count, max_tokens)
               or _largest_fit(text, pos, space, count, max_tokens)
               or _largest_fit(text, pos, range(pos + 1, stop), count, max_tokens)
               or pos + 1)
        piece_end = cut
        while piece_end > pos and text[piece_end - 1].isspace():
            piece_end -= 1
        pieces.append((pos, piece_end))
        size = max(16, 2 * (cut - pos))  # the next piece is likely about as long as this one
        pos = cut
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end:
        pieces.append((pos, end))
    return pieces
