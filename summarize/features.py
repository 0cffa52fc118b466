"""Sentence features: terms (character n-grams for CJK, words for Latin script), TF-IDF vectors,
cosine similarity, and long shared phrases (for redundancy).

Character unigrams + bigrams need no dictionary and behave the same on any Chinese text;
words in Latin script are lower-cased with a small English stop list.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from translate.languages import CJK_CHARS

_CJK_RUN = re.compile(f"[{CJK_CHARS}]+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d+(?:[.,]\d+)*", re.UNICODE)
STOPWORDS = frozenset("""a an the and or but of to in on at for from by with as is are was were be been being
it its this that these those he she they we you i his her their our your not no so than then there here
has have had do does did will would can could should may might must also which who whom what when where
how why all any each more most other some such only own same very just about into over after before""".split())
PHRASE_CHARS = 16  # CJK: a shared run of this many characters (punctuation ignored) is a repeated phrase
PHRASE_WORDS = 8   # Latin script: a shared run of this many words


def terms(text: str) -> list[str]:
    """Index terms of a sentence: CJK character unigrams and bigrams, Latin words without stop words."""
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        out.extend(run)
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    rest = _CJK_RUN.sub(" ", text)
    out.extend(w for w in (m.lower() for m in _WORD.findall(rest)) if w not in STOPWORDS)
    return out


def shingles(text: str) -> set[str]:
    """Long n-grams whose sharing means two sentences repeat a phrase."""
    found: set[str] = set()
    if _CJK_RUN.search(text):
        flat = re.sub(r"[\W_]", "", text)
        found.update(flat[i:i + PHRASE_CHARS] for i in range(len(flat) - PHRASE_CHARS + 1))
        return found
    words = [m.lower() for m in _WORD.findall(_CJK_RUN.sub(" ", text))]
    found.update(" ".join(words[i:i + PHRASE_WORDS]) for i in range(len(words) - PHRASE_WORDS + 1))
    return found


_SUFFIXES = ("ings", "ing", "ies", "ied", "es", "ed", "s", "ly")


def _stem(word: str) -> str:
    """A crude stem, enough to match 'warned'/'warning'/'warns' across paraphrases."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[:-len(suffix)]
    return word


def content_words(text: str) -> frozenset[str]:
    """What a sentence is about, for paraphrase redundancy: CJK character bigrams (unigrams of
    one-character runs), Latin-script words without stop words, crudely stemmed."""
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        out.update(run[i:i + 2] for i in range(len(run) - 1)) if len(run) > 1 else out.add(run)
    rest = _CJK_RUN.sub(" ", text)
    out.update(_stem(w) for w in (m.lower() for m in _WORD.findall(rest)) if w not in STOPWORDS)
    return frozenset(out)


Vector = dict[str, float]


def idf_table(documents: Sequence[Sequence[str]]) -> tuple[Counter, int]:
    """Document frequencies and the number of documents (for :func:`vectorize`)."""
    return Counter(t for doc in documents for t in set(doc)), len(documents)


def vectorize(doc: Sequence[str], df: Counter, n: int) -> Vector:
    """The L2-normalised TF-IDF vector (smoothed idf) of one term list."""
    tf = Counter(doc)
    vec = {t: c * (math.log((n + 1) / (df.get(t, 0) + 1)) + 1.0) for t, c in tf.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


def tfidf(documents: Sequence[Sequence[str]]) -> list[Vector]:
    """L2-normalised TF-IDF vectors (smoothed idf), one per term list."""
    df, n = idf_table(documents)
    return [vectorize(doc, df, n) for doc in documents]


def project(vector_terms: Sequence[str], reference: Sequence[Sequence[str]]) -> Vector:
    """A TF-IDF vector for extra text (e.g. the title) with the idf of ``reference`` plus itself."""
    df, n = idf_table([*reference, vector_terms])
    return vectorize(vector_terms, df, n)


def cosine(a: Vector, b: Vector) -> float:
    """Cosine similarity of two normalised sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


class Relevance:
    """How much a piece of text (a clause) says of what an article is about: its TF-IDF cosine to
    the article's centroid, plus half its cosine to the title; built lazily, once per article."""

    TITLE_WEIGHT = 0.5

    def __init__(self, sentences: Sequence[str], title: str = "") -> None:
        self.sentences = list(sentences)
        self.title = title
        self.ready = False
        self.df: Counter = Counter()
        self.n: int = 0
        self.centroid: Vector = {}
        self.title_vector: Vector = {}

    def prepare(self) -> None:
        term_lists = [terms(s) for s in self.sentences]
        self.df, self.n = idf_table(term_lists)
        total: dict[str, float] = {}
        for doc in term_lists:
            for t, v in vectorize(doc, self.df, self.n).items():
                total[t] = total.get(t, 0.0) + v
        norm = math.sqrt(sum(v * v for v in total.values())) or 1.0
        self.centroid = {t: v / norm for t, v in total.items()}
        title_terms = terms(self.title) if self.title.strip() else []
        self.title_vector = vectorize(title_terms, self.df, self.n) if title_terms else {}
        self.ready = True

    def of(self, text: str) -> float:
        if not self.ready:
            self.prepare()
        vec = vectorize(terms(text), self.df, self.n)
        score = cosine(vec, self.centroid)
        if self.title_vector:
            score += self.TITLE_WEIGHT * cosine(vec, self.title_vector)
        return score
