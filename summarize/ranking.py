"""One ranking of an article's sentences: centrality + lead position + title, with redundancy removed.

- centrality: LexRank/TextRank (PageRank over TF-IDF cosine similarities), on a *sparse* graph:
  each sentence keeps its ``TOP_K`` most similar neighbours. Candidate pairs come from an
  inverted index; above ``EXACT_UP_TO`` sentences, terms found in more than ``DF_CAP`` sentences
  do not propose pairs (they still weigh in every cosine), so the work grows linearly with the
  article, not with its square (``Ranked.comparisons`` counts it)
- position: news lead bias, 1/√(1+k) for the k-th body sentence, plus a small paragraph-opening bonus
- title: similarity to the title, subtitle and leading headings, which are not digest sentences themselves
- quality: units that cannot be digest sentences (``quality.assess``: source tags, datelines,
  bylines, credits, link prompts, fragments) take part in centrality and position but are never ranked
- redundancy: maximal marginal relevance orders the sentences; a sentence that is a near
  duplicate of, repeats a long phrase from, or paraphrases (most of its content words) a
  better-ranked one is left out of the ranking, so no digest can say the same thing twice.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .features import content_words, cosine, idf_table, shingles, terms, vectorize
from .quality import assess

PARAGRAPH_OPENING_BONUS = 0.1
MMR_LAMBDA = 0.7
DUPLICATE_COSINE = 0.7
PARAPHRASE_OVERLAP = 0.6   # share of the shorter sentence's content words found in a better-ranked one
PARAPHRASE_MIN_WORDS = 4   # ...when it has at least this many
DAMPING = 0.85
TOP_K = 30                 # neighbours kept per sentence in the similarity graph
EXACT_UP_TO = 300          # up to this many sentences every shared term proposes pairs (exact graph)
DF_CAP = 64                # above it, only terms in at most this many sentences propose pairs
FREQUENT_CELLS = 20_000_000  # the frequent terms' share of each pair's cosine is added when this table fits
PARAPHRASE_MIN_COSINE = 0.15  # paraphrases share words: pairs less similar than this are not compared


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
    excluded: dict[int, str] = field(default_factory=dict)  # candidate → why it cannot be a digest sentence
    comparisons: int = 0                # pair updates spent finding similar sentences (linear in size)


def neighbours(vectors: Sequence[dict[str, float]], top_k: int = TOP_K) -> tuple[list[dict[int, float]], int]:
    """The sparse similarity graph: for each sentence its ``top_k`` most similar others (cosine > 0),
    made symmetric; and how many pair updates it took (what grows with the article's size)."""
    n = len(vectors)
    graph: list[dict[int, float]] = [{} for _ in range(n)]
    cap = n if n <= EXACT_UP_TO else DF_CAP
    postings: dict[str, list[int]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        for t in vec:
            postings[t].append(i)
    left, right, products = [], [], []
    frequent: list[str] = []
    triu: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for t, ids in postings.items():
        m = len(ids)
        if m < 2:
            continue
        if m > cap:
            frequent.append(t)
            continue
        if m not in triu:
            triu[m] = np.triu_indices(m, 1)
        a, b = triu[m]
        arr = np.asarray(ids, dtype=np.int64)
        w = np.fromiter((vectors[i][t] for i in ids), dtype=np.float64, count=m)
        left.append(arr[a])
        right.append(arr[b])
        products.append(w[a] * w[b])
    if not left:
        return graph, 0
    I = np.concatenate(left)
    J = np.concatenate(right)
    comparisons = len(I)
    keys, inverse = np.unique(I * n + J, return_inverse=True)
    sims = np.bincount(inverse, weights=np.concatenate(products))
    I, J = keys // n, keys % n
    if frequent and n * len(frequent) <= FREQUENT_CELLS:  # what the skipped terms add to each found pair
        column = {t: c for c, t in enumerate(frequent)}
        dense = np.zeros((n, len(frequent)), dtype=np.float32)
        for t in frequent:
            for i in postings[t]:
                dense[i, column[t]] = vectors[i][t]
        for start in range(0, len(I), 1 << 16):
            sl = slice(start, start + (1 << 16))
            sims[sl] += (dense[I[sl]] * dense[J[sl]]).sum(axis=1)
    rows = np.concatenate([I, J])
    cols = np.concatenate([J, I])
    both = np.concatenate([sims, sims])
    order = np.lexsort((cols, -both, rows))  # by row, best first, ties by index
    rows, cols, both = rows[order], cols[order], both[order]
    starts = np.searchsorted(rows, rows, side="left")
    keep = (np.arange(len(rows)) - starts < top_k) & (both > 0)
    for i, j, w in zip(rows[keep].tolist(), cols[keep].tolist(), both[keep].tolist()):
        graph[i][j] = w
        graph[j][i] = w
    return graph, comparisons


def pagerank(graph: Sequence[dict[int, float]], iterations: int = 100, tol: float = 1e-10) -> list[float]:
    """PageRank over a sparse weighted similarity graph (rows normalised), deterministic."""
    n = len(graph)
    if n == 0:
        return []
    src = np.fromiter((i for i, row in enumerate(graph) for _ in row), dtype=np.int64)
    dst = np.fromiter((j for row in graph for j in row), dtype=np.int64)
    w = np.fromiter((v for row in graph for v in row.values()), dtype=np.float64)
    sums = np.bincount(src, weights=w, minlength=n) if len(w) else np.zeros(n)
    flow_w = w / sums[src] if len(w) else w
    dangling = sums == 0
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        flow = np.bincount(dst, weights=rank[src] * flow_w, minlength=n) if len(w) else np.zeros(n)
        new = (1 - DAMPING) / n + DAMPING * (flow + rank[dangling].sum() / n)
        done = float(np.abs(new - rank).sum()) < tol
        rank = new
        if done:
            break
    return rank.tolist()


_SPACE_PUNCT = re.compile(r"[\W_]+")


def _paraphrase(a: frozenset[str], b: frozenset[str]) -> bool:
    small = min(len(a), len(b))
    return small >= PARAPHRASE_MIN_WORDS and len(a & b) >= PARAPHRASE_OVERLAP * small


@dataclass(frozen=True)
class Weights:
    """How a sentence's score mixes centrality, lead position and similarity to the title."""

    centrality: float = 0.5
    position: float = 0.3
    title: float = 0.2


DEFAULT_WEIGHTS = Weights()


class Scores:
    """What ranking needs of an article, computed once (the similarity graph, centrality, position,
    title similarity, debris): orders for several priors (:meth:`rank`) then cost only a sort."""

    def __init__(self, candidates: Sequence[Candidate], title: str = "") -> None:
        self.candidates = list(candidates)
        n = len(candidates)
        term_lists = [terms(c.text) for c in candidates]
        df, _ = idf_table(term_lists)
        vectors = [vectorize(doc, df, n) for doc in term_lists]
        self.graph, self.comparisons = neighbours(vectors)
        central = pagerank(self.graph)
        top = max(central, default=1.0) or 1.0
        self.central = [c / top for c in central]
        self.position = [1 / math.sqrt(1 + k) + (PARAGRAPH_OPENING_BONUS if c.opens_paragraph else 0.0)
                         for k, c in enumerate(candidates)]
        title_terms = terms(title) if title.strip() else []
        title_vec = vectorize(title_terms, df, n) if title_terms else {}
        self.title = [cosine(title_vec, v) if title_vec else 0.0 for v in vectors]
        excluded = {}
        for k, c in enumerate(candidates):
            q = assess(c.text)
            if not q.ok:
                excluded[k] = q.reason
        self.excluded = {} if len(excluded) == n else excluded  # nothing but debris: it is all there is
        self.ranks: dict[Weights, Ranked] = {}

    def rank(self, weights: Weights = DEFAULT_WEIGHTS) -> Ranked:
        """The candidates ordered under ``weights`` (memoised)."""
        if weights not in self.ranks:
            scores = [weights.centrality * c + weights.position * p + weights.title * t
                      for c, p, t in zip(self.central, self.position, self.title)]
            order, redundant = _order(self.candidates, scores, self.graph, self.excluded)
            self.ranks[weights] = Ranked(tuple(order), tuple(scores), redundant, self.excluded, self.comparisons)
        return self.ranks[weights]


def rank_sentences(candidates: Sequence[Candidate], title: str = "", weights: Weights = DEFAULT_WEIGHTS) -> Ranked:
    """Score every candidate once and order them for all digest lengths."""
    return Scores(candidates, title).rank(weights)


def _order(candidates: Sequence[Candidate], scores: Sequence[float], graph: Sequence[dict[int, float]],
           excluded: dict[int, str]) -> tuple[list[int], dict[int, int]]:
    """Maximal marginal relevance over the sparse graph (a lazy heap: penalties only grow), leaving
    out what repeats a better-ranked sentence."""
    order: list[int] = []
    redundant: dict[int, int] = {}
    penalty: dict[int, float] = {}
    ranked: set[int] = set()
    seen_text: dict[str, int] = {}
    seen_phrase: dict[str, int] = {}
    words: dict[int, frozenset[str]] = {}

    def words_of(i: int) -> frozenset[str]:
        if i not in words:
            words[i] = content_words(candidates[i].text)
        return words[i]

    def value(i: int) -> float:
        return MMR_LAMBDA * scores[i] - (1 - MMR_LAMBDA) * penalty.get(i, 0.0)

    heap = [(-value(i), i) for i in range(len(candidates)) if i not in excluded]
    heapq.heapify(heap)
    while heap:
        neg, best = heapq.heappop(heap)
        current = value(best)
        if -neg > current + 1e-15:  # stale: its penalty grew since it was pushed
            heapq.heappush(heap, (-current, best))
            continue
        text = candidates[best].text
        key = _SPACE_PUNCT.sub("", text).lower()
        twin = seen_text.get(key)
        if twin is None:
            phrases = shingles(text)
            twin = next((seen_phrase[p] for p in sorted(phrases) if p in seen_phrase), None)
        if twin is None:
            for j, sim in sorted(graph[best].items(), key=lambda jw: (-jw[1], jw[0])):
                if j not in ranked or sim < PARAPHRASE_MIN_COSINE:
                    continue
                if sim >= DUPLICATE_COSINE or _paraphrase(words_of(best), words_of(j)):
                    twin = j
                    break
        if twin is not None:
            redundant[best] = twin
            continue
        order.append(best)
        ranked.add(best)
        seen_text.setdefault(key, best)
        for p in phrases:
            seen_phrase.setdefault(p, best)
        for j, sim in graph[best].items():
            if sim > penalty.get(j, 0.0):
                penalty[j] = sim
    return order, redundant
