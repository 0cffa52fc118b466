"""Which clauses of a sentence to keep when the whole sentence is over a digest's budget.

A 0/1 knapsack over the sentence's clauses: keep the subset (in order) with the most value that
fits the room and holds a predicate (``clauses.has_predicate``), so what is left still reads as a
sentence. When not even one clause with a predicate fits, the smallest such clause is kept alone:
the digest is then over budget by at most that one clause.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MAX_CELLS = 200_000  # clauses × room: a knapsack larger than this is solved on a coarser grid


def choose_clauses(sizes: Sequence[float], values: Sequence[float], predicates: Sequence[bool],
                   room: float) -> tuple[int, ...]:
    """The clause indices to keep (ascending): most total value within ``room`` holding a predicate.
    Returns () when no clause holds a predicate (the sentence cannot be shortened safely)."""
    n = len(sizes)
    if not n or not any(predicates):
        return ()
    scale = max(1.0, (n * max(room, 1.0)) / MAX_CELLS)
    cap = int(math.floor(room / scale + 1e-9))
    weights = [max(1, math.ceil(s / scale - 1e-9)) for s in sizes]
    # best[(used, has_predicate)] = (value, chosen) — a dict, since most rooms are sparse
    best: dict[tuple[int, bool], tuple[float, tuple[int, ...]]] = {(0, False): (0.0, ())}
    for i in range(n):
        w, v, pred = weights[i], values[i], predicates[i]
        if w > cap:
            continue
        for (used, has), (value, chosen) in list(best.items()):
            if used + w > cap:
                continue
            key = (used + w, has or pred)
            cand = (value + v, chosen + (i,))
            if key not in best or cand[0] > best[key][0] + 1e-12:
                best[key] = cand
    fitting = [(value, chosen) for (used, has), (value, chosen) in best.items() if has and chosen]
    if fitting:
        return max(fitting, key=lambda vc: (vc[0], [-i for i in vc[1]]))[1]
    smallest = min((i for i in range(n) if predicates[i]), key=lambda i: (sizes[i], -values[i], i))
    return (smallest,)
