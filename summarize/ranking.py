"""One ranking of an article's sentences: centrality + lead position + title, with redundancy removed.

- centrality: LexRank/TextRank (PageRank over TF-IDF cosine similarities)
- position: news lead bias, 1/√(1+k) for the k-th body sentence, plus a small paragraph-opening bonus
- title: similarity to the title and subtitle, which are not digest sentences themselves
- redundancy: maximal marginal relevance orders the sentences; a sentence that is a near
  duplicate of, or repeats a long phrase from, a better-ranked one is left out of the ranking,
  so no digest can say the same thing twice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .features import cosine, project, shingles, terms, tfidf

WEIGHTS = {"centrality": 0.5, "position": 0.3, "title": 0.2}
PARAGRAPH_OPENING_BONUS = 0.1
MMR_LAMBDA = 0.7
DUPLICATE_COSINE = 0.7
DAMPING = 0.85


@dataclass(frozen=True)
class Candidate:
    """A sentence that may enter a digest."""

    index: int        # document order among candidates
    text: str
    opens_paragraph: bool = False


@dataclass(frozen=True)
class Ranked:
    """The ranking: candidate indices best first, their scores, and what was left out as redundant."""

    order: tuple[int, ...]
    scores: tuple[float, ...]           # by candidate index
    redundant: dict[int, int]           # left-out candidate → the better-ranked one it repeats


def pagerank(sim: list[list[float]], iterations: int = 100, tol: float = 1e-10) -> list[float]:
    """PageRank over a weighted similarity graph (rows normalised), deterministic."""
    n = len(sim)
    if n == 0:
        return []
    sums = [sum(row) for row in sim]
    rank = [1.0 / n] * n
    for _ in range(iterations):
        new = []
        for j in range(n):
            flow = sum(rank[i] * sim[i][j] / sums[i] for i in range(n) if sums[i] > 0)
            dangling = sum(rank[i] for i in range(n) if sums[i] == 0) / n
            new.append((1 - DAMPING) / n + DAMPING * (flow + dangling))
        done = sum(abs(a - b) for a, b in zip(new, rank)) < tol
        rank = new
        if done:
            break
    return rank


def rank_sentences(candidates: Sequence[Candidate], title: str = "") -> Ranked:
    """Score every candidate once and order them for all digest lengths."""
    n = len(candidates)
    term_lists = [terms(c.text) for c in candidates]
    vectors = tfidf(term_lists)
    sim = [[cosine(vectors[i], vectors[j]) if i != j else 0.0 for j in range(n)] for i in range(n)]
    central = pagerank(sim)
    top = max(central, default=1.0) or 1.0
    title_vec = project(terms(title), term_lists) if title.strip() else {}
    scores = []
    for k, c in enumerate(candidates):
        position = 1 / math.sqrt(1 + k) + (PARAGRAPH_OPENING_BONUS if c.opens_paragraph else 0.0)
        scores.append(WEIGHTS["centrality"] * central[k] / top + WEIGHTS["position"] * position
                      + WEIGHTS["title"] * (cosine(title_vec, vectors[k]) if title_vec else 0.0))
    phrases = [shingles(c.text) for c in candidates]
    order: list[int] = []
    redundant: dict[int, int] = {}
    remaining = set(range(n))
    penalty = [0.0] * n  # max similarity to what is already ranked, kept up to date
    while remaining:
        best = max(remaining, key=lambda i: (MMR_LAMBDA * scores[i] - (1 - MMR_LAMBDA) * penalty[i], -i))
        remaining.discard(best)
        for j in order:
            if sim[best][j] >= DUPLICATE_COSINE or phrases[best] & phrases[j]:
                redundant[best] = j
                break
        else:
            order.append(best)
            for i in remaining:
                penalty[i] = max(penalty[i], sim[i][best])
    return Ranked(tuple(order), tuple(scores), redundant)
