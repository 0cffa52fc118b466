"""Token budget: split a sentence that is too long for the model, never truncate it.

Order of preference: clause punctuation (，、：,;: …), then whitespace, then any character.
Each piece is checked with the model's own token counter.
"""

from __future__ import annotations

from collections.abc import Callable

DEFAULT_BUDGET = 128  # source tokens per translation unit, well under Marian's 512
MIN_BUDGET = 8
CLAUSE_MARKS = frozenset("，、：,:;—")


def _largest_fit(text: str, start: int, cands: list[int], count: Callable[[str], int], budget: int) -> int | None:
    """The largest candidate cut ``c`` with ``count(text[start:c]) <= budget`` (binary search)."""
    lo, hi, best = 0, len(cands) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if count(text[start:cands[mid]].strip()) <= budget:
            best, lo = cands[mid], mid + 1
        else:
            hi = mid - 1
    return best


def fit_budget(text: str, start: int, end: int, count: Callable[[str], int] | None,
               budget: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into spans of at most ``budget`` tokens each, covering it entirely."""
    if count is None or count(text[start:end]) <= budget:
        return [(start, end)]
    budget = max(budget, MIN_BUDGET)
    pieces: list[tuple[int, int]] = []
    pos = start
    while count(text[pos:end]) > budget:
        clause = [i + 1 for i in range(pos, end - 1) if text[i] in CLAUSE_MARKS]
        space = [i for i in range(pos + 1, end) if text[i].isspace() and not text[i - 1].isspace()]
        cut = (_largest_fit(text, pos, clause, count, budget)
               or _largest_fit(text, pos, space, count, budget)
               or _largest_fit(text, pos, list(range(pos + 1, end)), count, budget)
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
