"""Digest units: what a digest may quote of each sentence of the article.

Usually a unit is a whole sentence. Two things make it less: debris inside the sentence (a link
prompt, a trailing source tag, a photo credit, a dateline: ``debris.strip_debris``) is left out, and
a Latin-script sentence longer than ``MAX_WORDS`` words is split into groups of its clauses (each
able to stand as a sentence) of at most that many words — for digests only; the translation keeps
the sentence whole. Every unit knows which characters of its sentence each piece of its text is
(``segments``), so a digest quoting part of a sentence stays aligned to the article
(``DigestSentence.kept``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from translate.languages import has_cjk

from .clauses import aligned, group_clauses, split_clauses
from .debris import strip_debris

MAX_WORDS = 60  # a digest unit longer than this (in words, Latin script) is split at clause boundaries

Span = tuple[int, int]
Segment = tuple[int, int, int]  # (start in the unit's text, start in the sentence, length): the same characters


@dataclass(frozen=True)
class Unit:
    """A digest candidate: sentence ``sentence`` of paragraph ``paragraph`` (its text ``source``), all
    of it or the parts of it that ``text`` quotes."""

    paragraph: int
    sentence: int
    text: str
    opens_paragraph: bool
    source: str
    segments: tuple[Segment, ...]

    @property
    def spans(self) -> tuple[Span, ...]:
        """The sentence's character spans this unit quotes; () when it quotes all of it."""
        return self.sentence_spans([(0, len(self.text))])

    def sentence_spans(self, parts: Sequence[Span]) -> tuple[Span, ...]:
        """The sentence's character spans behind ``parts`` (spans of ``text``), merged and in order;
        () when that is every character of the sentence."""
        out: list[Span] = []
        for a, b in parts:
            for text_start, source_start, length in self.segments:
                lo, hi = max(a, text_start), min(b, text_start + length)
                if lo < hi:
                    start, end = source_start + lo - text_start, source_start + hi - text_start
                    if out and out[-1][1] >= start:
                        out[-1] = (out[-1][0], max(out[-1][1], end))
                    else:
                        out.append((start, end))
        stripped = self.source.strip()
        whole = (len(self.source) - len(self.source.lstrip()), len(self.source.rstrip()))
        return () if stripped and out == [whole] else tuple(out)

    def part(self, text: str, segments: Sequence[Segment], opens_paragraph: bool) -> Unit:
        """A unit of ``text`` whose ``segments`` point into this unit's text."""
        return Unit(self.paragraph, self.sentence, text, opens_paragraph, self.source,
                    tuple(compose(segments, self.segments)))


def compose(outer: Sequence[Segment], inner: Sequence[Segment]) -> list[Segment]:
    """Segments of a text into B, from its segments into A and A's segments into B."""
    out: list[Segment] = []
    for o_start, a_start, length in outer:
        for i_start, b_start, i_length in inner:
            lo, hi = max(a_start, i_start), min(a_start + length, i_start + i_length)
            if lo < hi:
                out.append((o_start + lo - a_start, b_start + lo - i_start, hi - lo))
    return out


def sentence_units(paragraph: int, sentence: int, text: str, opens_paragraph: bool) -> list[Unit]:
    """The digest units of one sentence: debris left out, and a long Latin-script sentence split."""
    whole = Unit(paragraph, sentence, text, opens_paragraph, text, ((0, 0, len(text)),))
    cleaned = strip_debris(text)
    unit = whole.part(cleaned.text, _found(cleaned.text, text, cleaned.kept), opens_paragraph) \
        if cleaned.kept else whole
    if has_cjk(unit.text) or len(unit.text.split()) <= MAX_WORDS:
        return [unit]
    return _split_long(unit)


def _found(text: str, source: str, kept: Sequence[Span]) -> list[Segment]:
    """Where each kept span of ``source`` is in ``text`` (which joins them, verbatim, in order)."""
    segments, cursor = [], 0
    for start, end in kept:
        at = text.find(source[start:end], cursor)
        if at >= 0:
            segments.append((at, start, end - start))
            cursor = at + end - start
    return segments


def _split_long(unit: Unit) -> list[Unit]:
    """A unit over ``MAX_WORDS`` words as consecutive groups of its clauses (each able to stand as a
    sentence) of at most that many words; one group longer than that stays whole (the sentence
    really is that long)."""
    clauses = split_clauses(unit.text)
    pieces: list[list[int]] = [[]]
    words = 0
    for group in group_clauses(clauses):
        n = sum(len(clauses[k].text.split()) for k in group)
        if pieces[-1] and words + n > MAX_WORDS:
            pieces.append([])
            words = 0
        pieces[-1].extend(group)
        words += n
    if len(pieces) < 2:
        return [unit]
    out = []
    for number, piece in enumerate(pieces):
        text, segments = aligned(unit.text, [clauses[k] for k in piece])
        out.append(unit.part(text, segments, unit.opens_paragraph and number == 0))
    return out
