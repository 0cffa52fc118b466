"""Digest units: what a digest may quote of each sentence of the article.

Usually a unit is a whole sentence. Two things make it less: debris inside the sentence (a link
prompt, a trailing source tag, a photo credit, a dateline: ``debris.strip_debris``) is left out, and
a Latin-script sentence longer than ``MAX_WORDS`` words is split at its clause boundaries into
units of at most that many words — for digests only; the translation keeps the sentence whole.
Every unit keeps the character spans of its sentence it quotes, so a digest stays aligned to the
article even when it quotes part of a sentence (``DigestSentence.kept``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from translate.languages import has_cjk

from .clauses import join_clauses, split_clauses
from .debris import strip_debris

MAX_WORDS = 60  # a digest unit longer than this (in words, Latin script) is split at clause boundaries

Span = tuple[int, int]


@dataclass(frozen=True)
class Unit:
    """A digest candidate: sentence ``sentence`` of paragraph ``paragraph``, or the ``spans`` of it
    that ``text`` quotes (() = all of it)."""

    paragraph: int
    sentence: int
    text: str
    opens_paragraph: bool
    spans: tuple[Span, ...] = ()
    source: str = ""  # the sentence's own text (for mapping spans)

    def sentence_spans(self, parts: Sequence[Span]) -> tuple[Span, ...]:
        """The sentence's character spans behind ``parts`` (spans of ``self.text``); () when that is
        all of the sentence."""
        segments = self.segments()
        out: list[Span] = []
        for a, b in parts:
            for text_start, source_start, length in segments:
                lo, hi = max(a, text_start), min(b, text_start + length)
                if lo < hi:
                    start, end = source_start + lo - text_start, source_start + hi - text_start
                    if out and out[-1][1] >= start:
                        out[-1] = (out[-1][0], max(out[-1][1], end))
                    else:
                        out.append((start, end))
        whole = _trim(self.source, 0, len(self.source))
        return () if out == [whole] else tuple(out)

    def segments(self) -> list[tuple[int, int, int]]:
        """(start in ``text``, start in the sentence, length) of each verbatim piece of ``text``."""
        if not self.spans:
            return [(0, 0, len(self.text))]
        segments, cursor = [], 0
        for start, end in self.spans:
            piece = self.source[start:end]
            found = self.text.find(piece, cursor)
            if found < 0:  # altered (a capital letter put back): match what is left of it
                found = self.text.find(piece[1:], cursor) - 1 if len(piece) > 1 else -1
                if found < 0:
                    continue
            segments.append((found, start, end - start))
            cursor = found + end - start
        return segments


def sentence_units(paragraph: int, sentence: int, text: str, opens_paragraph: bool) -> list[Unit]:
    """The digest units of one sentence: debris left out, and a long Latin-script sentence split."""
    cleaned = strip_debris(text)
    unit = Unit(paragraph, sentence, cleaned.text, opens_paragraph, cleaned.kept, text)
    if has_cjk(unit.text) or len(unit.text.split()) <= MAX_WORDS:
        return [unit]
    return _split_long(unit)


def _split_long(unit: Unit) -> list[Unit]:
    """A unit over ``MAX_WORDS`` words as consecutive clause groups of at most that many (a single
    clause longer than that stays whole: the sentence really is that long)."""
    clauses = split_clauses(unit.text)
    groups: list[list[int]] = [[]]
    words = 0
    for k, clause in enumerate(clauses):
        n = len(clause.text.split())
        if groups[-1] and words + n > MAX_WORDS:
            groups.append([])
            words = 0
        groups[-1].append(k)
        words += n
    if len(groups) < 2:
        return [unit]
    units = []
    for number, group in enumerate(groups):
        parts = [(clauses[k].start, clauses[k].end) for k in group]
        units.append(Unit(unit.paragraph, unit.sentence, join_clauses(unit.text, [clauses[k] for k in group]),
                          unit.opens_paragraph and number == 0, unit.sentence_spans(parts), unit.source))
    return units


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
