"""Token limit: split a sentence that is too long for the model, never truncate it.

Order of preference: clause punctuation (，、：,;: …), then whitespace, then any character.
Each piece is checked with the model's own token counter.
"""

from __future__ import annotations

from collections.abc import Callable

from ..options import MIN_SENTENCE_TOKENS
CLAUSE_MARKS = frozenset("，、：,:;—")


def _largest_fit(text: str, start: int, cands: list[int], count: Callable[[str], int], max_tokens: int) -> int | None:
    """The largest candidate cut ``c`` with ``count(text[start:c]) <= max_tokens`` (binary search)."""
    lo, hi, best = 0, len(cands) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if count(text[start:cands[mid]].strip()) <= max_tokens:
            best, lo = cands[mid], mid + 1
        else:
            hi = mid - 1
    return best


def split_to_token_limit(text: str, start: int, end: int, count: Callable[[str], int] | None,
                         max_tokens: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into spans of at most ``max_tokens`` tokens each, covering it entirely."""
    if count is None or count(text[start:end]) <= max_tokens:
        return [(start, end)]
    max_tokens = max(max_tokens, MIN_SENTENCE_TOKENS)
    pieces: list[tuple[int, int]] = []
    pos = start
    while count(text[pos:end]) > max_tokens:
        clause = [i + 1 for i in range(pos, end - 1) if text[i] in CLAUSE_MARKS]
        space = [i for i in range(pos + 1, end) if text[i].isspace() and not text[i - 1].isspace()]
        cut = (_largest_fit(text, pos, clause, count, max_tokens)
               or _largest_fit(text, pos, space, count, max_tokens)
               or _largest_fit(text, pos, list(range(pos + 1, end)), count, max_tokens)
               or pos + 1)
        piece_end = cut
        while piece_end > pos and text[piece_end - 1].isspace():
            piece_end -= 1
        pieces.append((pos, piece_end))
        pos = cut
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end:
        pieces.append((pos, end))
    return pieces
