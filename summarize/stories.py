"""Feed items grouped into stories, so a briefing tells each event once, with every source that carried it.

Two kinds of sameness, each joining items with a union-find:

1. **near-duplicates** (wire copies, republished items, small edits): MinHash (datasketch) over the
   shingles of title + text — 3-character shingles for CJK text (whitespace and punctuation ignored),
   3-word shingles otherwise; ``MinHashLSH`` proposes candidates, the estimated Jaccard confirms them.
2. **the same event in other words or languages**: cosine of TF-IDF vectors of each item's *gist*
   (title + lead) — the source gists when two items share a language, else the translated gists
   (``title_translation`` + ``lead_translation``; an item without a translation is taken as already
   in the target language). Candidates come from an inverted index over each item's rarest terms, so
   the work grows with the number of items, not its square. Items dated more than
   ``SAME_EVENT_DAYS`` apart are never the same event.

Word overlap alone is what briefings get wrong (the same event told twice reads as two stories; the
same kind of event in another city reads as one): the thresholds were chosen on a labelled set of
wire copies, rewrites, translations and hard negatives (same event type, other place or company).
"""

from __future__ import annotations

import functools
import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from translate.errors import InputError, UsageError
from translate.languages import CJK_CHARS, base_language

from .features import content_words

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

__all__ = ["NEAR_DUPLICATE_JACCARD", "SAME_EVENT_SIMILARITY", "SAME_LANGUAGE_SIMILARITY", "Story", "StoryInput",
           "group_stories", "minhash_signature",
           "score_grouping", "shingle_hashes"]

# Chosen on the labelled set of benchmarks/feeds_data.py (development split: seed 0, 400 events, 1,396 items):
# the best pairwise F1 with precision >= 0.95 (dev P 0.968 R 0.995; held out, seed 1: P 0.954 R 0.980).
# Reproduce: python benchmarks/feeds.py --choose-thresholds (benchmarks.feeds_data.main_choose_thresholds).
NEAR_DUPLICATE_JACCARD = 0.8
SAME_EVENT_SIMILARITY = 0.6
# Two items in one language that were both translated are joined by their translations at SAME_EVENT_SIMILARITY,
# or by their source text at this stricter threshold (chosen the same way; it matters when translations are poor).
SAME_LANGUAGE_SIMILARITY = 0.8
# ...and joined by their translations only when their sources are at least this similar: two reports of one
# event in one language share some words (names, places, numbers); a degenerate model's translations may not
# tell two unrelated items apart (the toy model's nearly all read "car ... seven").
SAME_LANGUAGE_FLOOR = 0.1

SAME_EVENT_DAYS = 3.0      # dated items further apart than this are different events
NUM_PERM = 64              # MinHash permutations: enough to tell 0.5 from 0.8 Jaccard
LSH_MAX_THRESHOLD = 0.9    # datasketch needs 2+ bands; higher thresholds are still applied when confirming
MINHASH_SEED = 20          # fixed: the same input groups the same way on every run
SHINGLE = 3                # characters (CJK) or words per shingle
MAX_SHINGLE_CHARS = 200_000  # a copy is told by its first 200,000 characters; bounds a huge item's cost
WORD_CACHE = 500_000       # word hashes kept between items (bounds memory on a huge vocabulary)
HASH_BATCH = 8192          # shingles hashed per MinHash update (bounds the temporary array)
GIST_CHARS = 2_000         # title + lead beyond this says nothing more about the event
LEAD_FALLBACK_CHARS = 400  # no lead given: the text's opening stands in for it
IDF_POWER = 2             # squared IDF: names, places and numbers outweigh the words every report of the kind uses
IDF_PRIOR_DOCS = 100       # IDF as if this many more gists lacked every term: a handful of items has no statistics
TOP_TERMS = 8              # each item proposes candidates through its rarest terms
DF_SHARE = 0.05            # ...skipping terms found in more than this share of the items
DF_FLOOR = 20              # ...but never skipping below this many (small inputs compare what they share)
DF_CAP = 500               # ...nor proposing through a term in more gists than this: pairs grow linearly with items
PAIR_CHUNK = 200_000       # candidate pairs whose cosines are computed at once

_CJK_CHAR = re.compile(f"[{CJK_CHARS}]")
_CJK_RUN = re.compile(f"[{CJK_CHARS}]+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d+(?:[.,]\d+)*", re.UNICODE)
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)
_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9)  # odd 64-bit constants (xxhash's)
_MIX = 0xFF51AFD7ED558CCD                                                    # murmur3's finalizer constant


@dataclass(frozen=True)
class StoryInput:
    """One item as grouping sees it. ``lead`` is the opening sentence(s); the translations are into the
    briefing's language ("" when the item is already in it); ``date`` is ISO 8601 or ""."""

    key: str
    language: str = ""
    title: str = ""
    lead: str = ""
    text: str = ""
    title_translation: str = ""
    lead_translation: str = ""
    date: str = ""
    feed: str = ""
    size: int | None = None    # the whole text's length, when ``text`` is only its beginning
    signature: tuple[int, ...] = ()  # its MinHash signature, when already made (:func:`minhash_signature`)

    @property
    def length(self) -> int:
        return len(self.text) if self.size is None else self.size


@dataclass(frozen=True)
class Story:
    """Items telling one event: indexes into the inputs, the representative first, then input order.
    ``duplicates`` lists the groups of near-duplicates (wire copies) among them, each in input order."""

    members: tuple[int, ...]
    duplicates: tuple[tuple[int, ...], ...] = ()


class _UnionFind:
    """Groups joined pairwise; the root is the lowest index, so the result never depends on merge order."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        return True

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return list(out.values())


def _is_cjk_text(text: str) -> bool:
    """CJK shingling when CJK characters make a fifth of the opening's letters and digits."""
    sample = _NOT_TEXT.sub("", text[:2000])
    return bool(sample) and len(_CJK_CHAR.findall(sample)) * 5 >= len(sample)


def shingle_hashes(text: str, word_hashes: dict[str, int] | None = None) -> np.ndarray:
    """The 32-bit hashes of the shingles a copy shares with its original: 3 characters for CJK
    text (punctuation and whitespace ignored, so a re-punctuated copy still matches), else 3 lower-cased
    words. Text shorter than one shingle is one shingle; empty text has none. Hashes are computed with
    numpy from character codes or (cached) word hashes: no Python work per shingle, and the same on every
    run (Python's ``hash`` is not)."""
    import numpy as np

    text = text[:MAX_SHINGLE_CHARS]
    if _is_cjk_text(text):
        flat = _NOT_TEXT.sub("", text).lower()
        codes = np.frombuffer(flat.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    else:
        cache = {} if word_hashes is None else word_hashes
        words = _WORD.findall(text.lower())
        for word in words:
            if word not in cache:
                cache[word] = zlib.crc32(word.encode("utf-8", "surrogatepass"))
        codes = np.fromiter((cache[w] for w in words), dtype=np.uint64, count=len(words))
    if len(codes) == 0:
        return np.zeros(0, dtype=np.uint32)
    if len(codes) < SHINGLE:
        codes = np.concatenate([codes, np.zeros(SHINGLE - len(codes), dtype=np.uint64)])
    width = len(codes) - SHINGLE + 1
    mixed = np.zeros(width, dtype=np.uint64)
    for offset, multiplier in enumerate(_MULTIPLIERS):
        mixed = (mixed + codes[offset:offset + width] * np.uint64(multiplier)) * np.uint64(_MIX)
        mixed ^= mixed >> np.uint64(29)
    return (mixed & np.uint64(0xFFFFFFFF)).astype(np.uint32)  # repeats left in: a minimum ignores them


def _identity(value: int) -> int:
    """MinHash's hash function: shingles arrive already hashed (see :func:`shingle_hashes`)."""
    return value


def _timestamp(date: str) -> float:
    """Seconds since the epoch of an ISO 8601 date (naive = UTC), NaN when absent or unreadable."""
    if not date:
        return math.nan
    try:
        parsed = datetime.fromisoformat(date.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return math.nan
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.timestamp()
    except (OverflowError, OSError, ValueError):
        return math.nan


@functools.lru_cache(maxsize=1)
def _template() -> Any:
    """The MinHash every signature starts from: its permutations, drawn from the fixed seed, once."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED)


def minhash_signature(title: str, text: str) -> tuple[int, ...]:
    """An item's MinHash signature (``NUM_PERM`` values; empty for an item with no text): computed once,
    where the item is prepared, and kept with it, so grouping again on a rerun hashes nothing."""
    from datasketch import MinHash

    hashes = shingle_hashes(f"{title}\n{text}")
    if len(hashes) == 0:
        return ()
    template = _template()
    minhash = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, hashfunc=_identity, permutations=template.permutations,
                      scheme=template.scheme)
    for start in range(0, len(hashes), HASH_BATCH):
        minhash.update_batch(hashes[start:start + HASH_BATCH].tolist())
    return tuple(int(v) for v in minhash.hashvalues)


def _near_duplicates(inputs: Sequence[StoryInput], threshold: float, uf: _UnionFind) -> None:
    """Join items whose shingle sets have an estimated Jaccard >= ``threshold``. Each item queries the
    LSH index before being inserted, so every candidate pair is confirmed once; identical signatures
    join directly and are indexed once (1,000 copies of one item cost 1,000 lookups, not 500,000).
    An item's ``signature``, when given, is used as it is."""
    import numpy as np
    from datasketch import MinHash, MinHashLSH

    n = len(inputs)
    template = _template()
    permutations = template.permutations
    lsh = MinHashLSH(threshold=min(threshold, LSH_MAX_THRESHOLD), num_perm=NUM_PERM)
    signatures = np.zeros((n, NUM_PERM), dtype=template.hashvalues.dtype)  # compact; no MinHash kept
    exact: dict[bytes, int] = {}
    word_hashes: dict[str, int] = {}
    for i, item in enumerate(inputs):
        if item.signature:
            signature = np.array(item.signature, dtype=template.hashvalues.dtype)
            minhash = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, hashvalues=signature, permutations=permutations,
                              scheme=template.scheme)
        else:
            hashes = shingle_hashes(f"{item.title}\n{item.text or item.lead}", word_hashes)
            if len(hashes) == 0:
                continue  # nothing to compare: an empty item is nobody's copy
            if len(word_hashes) > WORD_CACHE:
                word_hashes.clear()
            minhash = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, hashfunc=_identity, permutations=permutations,
                              scheme=template.scheme)
            for start in range(0, len(hashes), HASH_BATCH):
                minhash.update_batch(hashes[start:start + HASH_BATCH].tolist())
            signature = minhash.hashvalues
        digest = signature.tobytes()
        first = exact.get(digest)
        if first is not None:
            uf.union(first, i)
            continue
        exact[digest] = i
        signatures[i] = signature
        candidates = np.array(sorted(lsh.query(minhash)), dtype=np.int64)
        if len(candidates):
            agree = (signatures[candidates] == signature).mean(axis=1)  # the estimated Jaccard
            for other in candidates[agree >= threshold].tolist():
                uf.union(other, i)
        lsh.insert(i, minhash, check_duplication=False)


def _gist(title: str, lead: str, text: str) -> str:
    return f"{title}\n{lead or text[:LEAD_FALLBACK_CHARS]}"[:GIST_CHARS]


def _gist_terms(gist: str, word_terms: dict[str, frozenset[str]]) -> list[str]:
    """Terms of a gist: CJK character bigrams (a one-character run stays itself), other words lower-cased,
    stemmed and without stop words (``features.content_words``, cached per word: gists repeat words)."""
    out: set[str] = set()
    for run in _CJK_RUN.findall(gist):
        out.update(run[i:i + 2] for i in range(len(run) - 1)) if len(run) > 1 else out.add(run)
    for word in _WORD.findall(_CJK_RUN.sub(" ", gist)):
        found = word_terms.get(word)
        if found is None:
            found = word_terms[word] = content_words(word)
        out.update(found)
    return sorted(out)


def _vectors(gists: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """L2-normalised TF-IDF rows (squared IDF) of the gists' terms and, per row, its ``TOP_TERMS`` rarest
    terms found in 2 to ``min(max(DF_SHARE * n, DF_FLOOR), DF_CAP)`` gists (a term in one gist matches
    nobody; common ones would propose pairs by the million). The vocabulary is sorted, so cosines do not
    depend on input order."""
    import numpy as np
    from scipy import sparse

    n = len(gists)
    word_terms: dict[str, frozenset[str]] = {}
    term_sets = [_gist_terms(g, word_terms) for g in gists]
    del word_terms
    vocabulary = sorted({t for ts in term_sets for t in ts})
    index = {t: k for k, t in enumerate(vocabulary)}
    lengths = np.fromiter((len(ts) for ts in term_sets), dtype=np.int64, count=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    columns = np.fromiter((index[t] for ts in term_sets for t in ts), dtype=np.int64, count=int(indptr[-1]))
    del term_sets, index
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    df = np.bincount(columns, minlength=len(vocabulary)).astype(np.float64)
    idf = (np.log((n + IDF_PRIOR_DOCS + 1) / (df + 1)) + 1.0) ** IDF_POWER
    values = idf[columns]
    norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n))
    values = values / np.where(norms > 0, norms, 1.0)[rows]
    matrix = sparse.csr_matrix((values, columns, indptr), shape=(n, len(vocabulary)))
    counts = df[columns]
    eligible = (counts >= 2) & (counts <= min(max(DF_SHARE * n, DF_FLOOR), DF_CAP))
    e_rows, e_cols, e_counts = rows[eligible], columns[eligible], counts[eligible]
    order = np.lexsort((e_cols, e_counts, e_rows))          # per row: rarest first, ties by term
    e_rows, e_cols = e_rows[order], e_cols[order]
    starts = np.searchsorted(e_rows, e_rows, side="left")
    top = (np.arange(len(e_rows)) - starts) < TOP_TERMS
    postings = sparse.csr_matrix((np.ones(int(top.sum()), dtype=np.int32), (e_rows[top], e_cols[top])),
                                 shape=(n, len(vocabulary)))
    return matrix, postings


def _candidate_pairs(postings: sparse.csr_matrix, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) sharing an indexed term and dated at most ``SAME_EVENT_DAYS`` apart: each term's
    dated items sorted by time pair only within the window (a feed spanning weeks is not compared across
    them); an undated item pairs with every item sharing a term."""
    import numpy as np

    n = postings.shape[0]
    entries = postings.tocoo()
    rows, terms = entries.row.astype(np.int64), entries.col.astype(np.int64)
    dated = ~np.isnan(times[rows])
    r, t = rows[dated], terms[dated]
    lefts: list[np.ndarray] = []
    rights: list[np.ndarray] = []
    if len(r):
        seconds = np.floor(times[r]).astype(np.int64)
        seconds = np.clip(seconds - seconds.min(), 0, 1 << 40)
        window = int(SAME_EVENT_DAYS * 86400)
        key = t * (int(seconds.max()) + window + 1) + seconds
        order = np.lexsort((r, key))
        key, r = key[order], r[order]
        ends = np.searchsorted(key, key + window, side="right")
        counts = ends - np.arange(len(key)) - 1
        first = np.repeat(np.arange(len(key)), counts)
        step = np.arange(len(first)) - np.repeat(np.cumsum(counts) - counts, counts)
        lefts.append(r[first])
        rights.append(r[first + 1 + step])
    undated = np.unique(rows[~dated])
    if len(undated):
        shared = (postings[undated] @ postings.T).tocoo()
        lefts.append(undated[shared.row])
        rights.append(shared.col.astype(np.int64))
    if not lefts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    left, right = np.concatenate(lefts), np.concatenate(rights)
    low, high = np.minimum(left, right), np.maximum(left, right)
    distinct = np.unique(low[low != high] * n + high[low != high])
    return distinct // n, distinct % n


def _similar_pairs(matrix: sparse.csr_matrix, postings: sparse.csr_matrix, times: np.ndarray,
                   keep: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate pairs that ``keep(i, j)`` accepts, with their cosines."""
    import numpy as np

    left, right = _candidate_pairs(postings, times)
    mask = keep(left, right)
    left, right = left[mask], right[mask]
    sims = np.empty(len(left), dtype=np.float64)
    for start in range(0, len(left), PAIR_CHUNK):
        a, b = left[start:start + PAIR_CHUNK], right[start:start + PAIR_CHUNK]
        sims[start:start + len(a)] = np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()
    return left, right, sims


def _same_events(inputs: Sequence[StoryInput], threshold: float, uf: _UnionFind, times: np.ndarray,
                 source_threshold: float) -> None:
    """Join items whose gists have a cosine >= ``threshold``. Two items in one language compare their source
    gists, and their translated gists too when both were translated (either may join them); other pairs
    compare translated gists (an untranslated item is taken as written in the target language). Words of
    one language tell events apart better than CJK character bigrams, whose many template bigrams drown
    the one or two of a place name (labelled set: at precision 0.95, source bigrams find half the
    same-event pairs of Chinese rewrites, their translations nearly all) — but a poor model's
    translations find nothing, and then the source still does."""
    import numpy as np

    n = len(inputs)
    languages = [base_language(item.language or "") for item in inputs]
    names = sorted(set(languages))
    codes = np.array([names.index(language) for language in languages], dtype=np.int64)
    translated = np.array([bool(item.title_translation.strip() or item.lead_translation.strip())
                           for item in inputs], dtype=bool)
    roots = np.array([uf.find(i) for i in range(n)], dtype=np.int64)

    def close_in_time(left: np.ndarray, right: np.ndarray) -> np.ndarray:
        gap = np.abs(times[left] - times[right])
        return ~(gap > SAME_EVENT_DAYS * 86400.0)  # NaN (undated) never keeps a pair apart

    def join(pairs: tuple[np.ndarray, np.ndarray, np.ndarray], members: np.ndarray, source: bool = False) -> None:
        left, right, sims = pairs
        a, b = members[left], members[right]  # both translated: their source gists need the stricter threshold
        strict = np.where(translated[a] & translated[b], source_threshold, threshold)
        similar = sims >= (strict if source else threshold)
        for a, b in zip(members[left[similar]].tolist(), members[right[similar]].tolist()):
            uf.union(a, b)

    sources: dict[int, Any] = {}                 # a language's source gist vectors, for the floor below
    row = np.zeros(n, dtype=np.int64)             # an item's row in its language's vectors
    for code in range(len(names)):
        members = np.flatnonzero(codes == code)
        if len(members) < 2:
            continue
        matrix, postings = _vectors([_gist(inputs[i].title, inputs[i].lead, inputs[i].text) for i in members.tolist()])
        sources[code] = matrix
        row[members] = np.arange(len(members))

        def keep_source(left: np.ndarray, right: np.ndarray, members: np.ndarray = members) -> np.ndarray:
            a, b = members[left], members[right]
            return (roots[a] != roots[b]) & close_in_time(a, b)

        join(_similar_pairs(matrix, postings, times[members], keep_source), members, source=True)
    if len(names) < 2 and translated.sum() < 2:
        return
    gists = [_gist(item.title_translation, item.lead_translation, "") if translated[i]
             else _gist(item.title, item.lead, item.text) for i, item in enumerate(inputs)]
    matrix, postings = _vectors(gists)

    def keep_target(left: np.ndarray, right: np.ndarray) -> np.ndarray:
        both = (codes[left] != codes[right]) | (translated[left] & translated[right])
        return both & (roots[left] != roots[right]) & close_in_time(left, right)

    left, right, sims = _similar_pairs(matrix, postings, times, keep_target)
    same = np.flatnonzero((codes[left] == codes[right]) & (sims >= threshold))
    for code, vectors in sources.items():  # one language, joined by translation: their sources must share words
        pick = same[codes[left[same]] == code]
        if len(pick):
            a, b = row[left[pick]], row[right[pick]]
            shared = np.asarray(vectors[a].multiply(vectors[b]).sum(axis=1)).ravel()
            sims[pick[shared < SAME_LANGUAGE_FLOOR]] = 0.0
    join((left, right, sims), np.arange(n, dtype=np.int64))


def _check_threshold(value: float, option: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 < value <= 1.0:
        raise UsageError(f"{option} must be a number in (0, 1], got {value!r}", option=option)
    return float(value)


def group_stories(inputs: Sequence[StoryInput], *, near_duplicate: float = NEAR_DUPLICATE_JACCARD,
                  same_event: float = SAME_EVENT_SIMILARITY,
                  same_language: float = SAME_LANGUAGE_SIMILARITY) -> list[Story]:
    """Every input in exactly one story. Stories come by the number of distinct feeds carrying them, then
    the number of items (one feed may carry several outlets' copies), then the most recent date, then input
    order; the representative (first member) has the most text, ties going to the earliest date, then the
    lowest index. The same input always gives the same stories."""
    import numpy as np

    near_duplicate = _check_threshold(near_duplicate, "near_duplicate")
    same_event = _check_threshold(same_event, "same_event")
    n = len(inputs)
    if n == 0:
        return []
    copies = _UnionFind(n)
    _near_duplicates(inputs, near_duplicate, copies)
    stories = _UnionFind(n)
    for i in range(n):
        stories.union(copies.find(i), i)
    times = np.array([_timestamp(item.date) for item in inputs], dtype=np.float64)
    _same_events(inputs, same_event, stories, times, _check_threshold(same_language, "same_language"))

    duplicate_groups: dict[int, list[tuple[int, ...]]] = {}
    for group in copies.groups():
        if len(group) > 1:
            duplicate_groups.setdefault(stories.find(group[0]), []).append(tuple(group))
    out: list[tuple[tuple[float, float, float, int], Story]] = []
    for group in stories.groups():
        def representative_key(i: int) -> tuple[int, float, int]:
            stamp = times[i]
            return (-inputs[i].length, math.inf if math.isnan(stamp) else float(stamp), i)

        representative = min(group, key=representative_key)
        members = (representative, *(i for i in group if i != representative))
        stamps = [float(times[i]) for i in group if not math.isnan(times[i])]
        latest = max(stamps) if stamps else -math.inf
        feeds = len({inputs[i].feed for i in group})
        order = (-float(feeds), -float(len(group)), -latest, min(group))  # feeds, then items (outlets)
        out.append((order, Story(members, tuple(duplicate_groups.get(stories.find(group[0]), [])))))
    out.sort(key=lambda pair: pair[0])
    return [story for _, story in out]


def score_grouping(predicted: Sequence[Story], gold: Sequence[Sequence[int]]) -> dict[str, float]:
    """Pairwise precision, recall and F1: over the pairs of items put in one story, how many are in one gold
    group, and the reverse. Items absent from either side are alone there. No pairs predicted (or none in
    the gold) counts as precision (recall) 1."""
    def labels(groups: Sequence[Sequence[int]], side: str) -> dict[int, int]:
        out: dict[int, int] = {}
        for g, group in enumerate(groups):
            for i in group:
                if i in out:
                    raise InputError(f"item {i} is in two {side} groups", option="gold" if side == "gold" else None)
                out[i] = g
        return out

    pred = labels([story.members for story in predicted], "predicted")
    true = labels(gold, "gold")
    cells: dict[tuple[int, int], int] = {}
    for i, p in pred.items():
        if i in true:
            cells[(p, true[i])] = cells.get((p, true[i]), 0) + 1

    def pairs(k: int) -> int:
        return k * (k - 1) // 2

    true_pairs = sum(pairs(k) for k in cells.values())
    predicted_pairs = sum(pairs(len(story.members)) for story in predicted)
    gold_pairs = sum(pairs(len(group)) for group in gold)
    precision = true_pairs / predicted_pairs if predicted_pairs else 1.0
    recall = true_pairs / gold_pairs if gold_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_pairs": float(true_pairs),
            "predicted_pairs": float(predicted_pairs), "gold_pairs": float(gold_pairs)}
