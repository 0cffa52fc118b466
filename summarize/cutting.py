"""Cut every digest length from one ranking.

Each length is cut on its own, from a fixed ladder below it (the headline, then the presets of the
same unit that are smaller), so a length's digest is the same whatever other lengths are asked for,
and the presets nest: headline ⊂ short ⊂ medium ⊂ long whenever the smaller one fits the larger.
A cut starts from the digest of the rung below and adds the best-ranked sentences that still fit.
Budgets are hard maxima: a sentence that does not fit is skipped. When even the best-ranked
sentence is over the whole budget, its best clauses are kept instead (``shorten``), so a digest is
never over budget by more than one clause.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .lengths import LengthSpec

SLACK = 1.5  # an estimate may be this far above the room left before we bother to measure exactly


@dataclass(frozen=True)
class Pick:
    """A picked sentence: candidate ``index``, all of it or only some of its ``clauses``."""

    index: int
    clauses: tuple[int, ...] = ()  # indices into the sentence's clauses; () = the whole sentence


@dataclass(frozen=True)
class Cut:
    selection: tuple[Pick, ...]  # in document order
    achieved: float
    over_budget: bool


Size = Callable[[Pick, LengthSpec], float]
Shorten = Callable[[Sequence[int], float, LengthSpec], "Pick | None"]
SHORTEN_AMONG = 3  # when the best sentence is over the budget, the best clauses of the top this many are weighed


def cut_all(order: Callable[[LengthSpec], Sequence[int]], specs: Iterable[LengthSpec], *, size: Size, estimate: Size,
            budget: Callable[[LengthSpec], float], below: Callable[[LengthSpec], LengthSpec | None],
            shorten: Shorten | None = None,
            prefetch: Callable[[list[int], LengthSpec], None] | None = None) -> dict[LengthSpec, Cut]:
    """Cut each spec from ``order(spec)`` (best first). ``size`` is exact (may translate), ``estimate`` is cheap;
    ``below(spec)`` names the rung a spec starts from (its own choice only: never another request's);
    ``shorten(indices, room, spec)`` keeps the best clauses of one of those sentences within ``room``;
    ``prefetch`` gets the sentences a spec will probably pick, e.g. to translate them in one batch."""
    memo: dict[LengthSpec, Cut] = {}

    def cut(spec: LengthSpec, depth: int = 0) -> Cut:
        if spec not in memo:
            lower = below(spec) if depth < 16 else None
            start = cut(lower, depth + 1).selection if lower is not None and lower != spec else ()
            memo[spec] = _cut(order(spec), spec, start, size=size, estimate=estimate, limit=budget(spec),
                              shorten=shorten, prefetch=prefetch)
        return memo[spec]

    return {spec: cut(spec) for spec in specs}


def _cut(order: Sequence[int], spec: LengthSpec, start: Sequence[Pick], *, size: Size, estimate: Size, limit: float,
         shorten: Shorten | None, prefetch: Callable[[list[int], LengthSpec], None] | None) -> Cut:
    selection = list(start) if sum(size(p, spec) for p in start) <= limit else []
    used = sum(size(p, spec) for p in selection)
    for k, p in enumerate(selection):  # a sentence shortened for a smaller budget is whole again if it fits
        if p.clauses:
            whole = Pick(p.index)
            grown = used - size(p, spec) + size(whole, spec)
            if grown <= limit:
                selection[k], used = whole, grown
    if not selection and order and shorten is not None and size(Pick(order[0]), spec) > limit:
        short = shorten(order[:SHORTEN_AMONG], limit, spec)  # the best sentence is over the budget: best clauses
        if short is not None:
            selection, used = [short], size(short, spec)
    if prefetch:
        prefetch(_guess(order, selection, spec, limit, estimate), spec)
    taken = {p.index for p in selection}
    for i in order:
        room = limit - used
        if room < 1e-9:
            break
        if i in taken or estimate(Pick(i), spec) > room * SLACK:
            continue
        s = size(Pick(i), spec)
        if s <= room:
            selection.append(Pick(i))
            taken.add(i)
            used += s
    if not selection and order:
        selection = [Pick(order[0])]
        used = size(selection[0], spec)
    return Cut(tuple(sorted(selection, key=lambda p: p.index)), used, used > limit + 1e-9)


def _guess(order: Sequence[int], selection: list[Pick], spec: LengthSpec, limit: float, estimate: Size) -> list[int]:
    """Sentences likely to be picked, judged by estimates: worth translating in one batch."""
    used = sum(estimate(p, spec) for p in selection)
    taken = {p.index for p in selection}
    guess = []
    for i in order:
        if i in taken:
            continue
        e = estimate(Pick(i), spec)
        if used + e <= limit * 1.15:
            guess.append(i)
            used += e
        if used >= limit:
            break
    return guess


def cut_groups(order: Sequence[int], groups: Sequence[tuple[int, tuple[int, ...]]], amount: int) -> Cut:
    """A sentence-count digest of a text with no more sentences than the budget: the best ``amount``
    clause groups (``order`` ranks ``groups``: (sentence, clause indices)), merged per sentence."""
    kept: dict[int, list[int]] = {}
    for g in order[:amount]:
        sentence, clauses = groups[g]
        kept.setdefault(sentence, []).extend(clauses)
    selection = []
    for sentence, chosen in sorted(kept.items()):
        whole = all(s != sentence or set(c) <= set(chosen) for s, c in groups)
        selection.append(Pick(sentence) if whole else Pick(sentence, tuple(sorted(chosen))))
    return Cut(tuple(selection), min(amount, len(order)), False)
