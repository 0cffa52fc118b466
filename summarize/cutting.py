"""Cut every digest length from one ranking, so shorter digests are subsets of longer ones.

Lengths are cut from the smallest to the largest; each digest starts from the previous one
and adds the best-ranked sentences that still fit. Budgets are hard maxima: a sentence that
does not fit is skipped, and only when not even one sentence fits is the best one kept alone,
flagged as over budget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .lengths import LengthSpec

SLACK = 1.5  # an estimate may be this far above the room left before we bother to measure exactly

Size = Callable[[int, LengthSpec], float]


@dataclass(frozen=True)
class Cut:
    selection: tuple[int, ...]  # candidate indices, in document order
    achieved: float
    over_budget: bool


def cut_all(order: Sequence[int], specs: Iterable[LengthSpec], *, size: Size, estimate: Size,
            budget: Callable[[LengthSpec], float], capacity: Callable[[LengthSpec], float],
            prefetch: Callable[[list[int], LengthSpec], None] | None = None) -> dict[LengthSpec, Cut]:
    """Cut each spec from ``order`` (best first). ``size`` is exact (may translate), ``estimate`` is cheap;
    ``prefetch`` gets the sentences a spec will probably pick, e.g. to translate them in one batch."""
    cuts: dict[LengthSpec, Cut] = {}
    previous: list[int] = []
    for spec in sorted(set(specs), key=capacity):
        limit = budget(spec)
        selection = list(previous) if sum(size(i, spec) for i in previous) <= limit else []
        if prefetch:
            prefetch(_guess(order, selection, spec, limit, estimate), spec)
        used = sum(size(i, spec) for i in selection)
        for i in order:
            room = limit - used
            if room < 1e-9:
                break
            if i in selection or estimate(i, spec) > room * SLACK:
                continue
            s = size(i, spec)
            if s <= room:
                selection.append(i)
                used += s
        over = False
        if not selection and order:
            selection = [order[0]]
            used = size(order[0], spec)
            over = used > limit
        cuts[spec] = Cut(tuple(sorted(selection)), used, over)
        previous = selection
    return cuts


def _guess(order: Sequence[int], selection: list[int], spec: LengthSpec, limit: float, estimate: Size) -> list[int]:
    """Sentences likely to be picked, judged by estimates: worth translating in one batch."""
    used = sum(estimate(i, spec) for i in selection)
    guess = []
    for i in order:
        if i in selection:
            continue
        e = estimate(i, spec)
        if used + e <= limit * 1.15:
            guess.append(i)
            used += e
        if used >= limit:
            break
    return guess
