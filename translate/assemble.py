"""Assemble translated units back into sentences and paragraphs, in source order: the pieces of an
over-long sentence joined, sentences passed through because they are already in the target
language, a pivot leg's output as the next leg's source, and a route's legs combined — each
paragraph with the counts of what translating it did (:class:`~translate.stats.Stats`)."""

from __future__ import annotations

import math

from collections.abc import Sequence
from dataclasses import dataclass

from .document import Paragraph, Sentence, Status, TranslatedParagraph, TranslatedSentence
from .glossary import Term
from .languages import join_sentences
from .routing import Route
from .stats import Origin, Stats, total

ALREADY = "already in target language"


@dataclass(frozen=True)
class Outcome:
    """What became of one translation unit: its translation, status and (if not ok) why; where it
    came from; the model's score (mean log-probability over ``tokens`` tokens); and each term
    that had to be in it, with whether it is."""

    text: str
    status: Status = "ok"
    reason: str | None = None
    origin: Origin = "model"
    score: float | None = None
    tokens: int = 0
    terms: tuple[tuple[Term, bool], ...] = ()


def mean_score(scored: Sequence[tuple[float | None, int]]) -> tuple[float | None, int]:
    """The token-weighted mean of ``(score, tokens)`` pairs, and their tokens (None: none scored)."""
    known = [(s, n) for s, n in scored if s is not None and math.isfinite(s) and n]  # -inf: no measure
    tokens = sum(n for _, n in known)
    return (sum(s * n for s, n in known) / tokens if tokens else None), tokens


def joined(outcomes: Sequence[Outcome]) -> Outcome:
    """One sentence's outcome from those of its pieces: the worst status, the first reason."""
    if len(outcomes) == 1:
        return outcomes[0]
    text = join_sentences([o.text for o in outcomes])
    score, tokens = mean_score([(o.score, o.tokens) for o in outcomes])
    origin = merged_origin([o.origin for o in outcomes])
    terms = tuple(t for o in outcomes for t in o.terms)
    bad = [o for o in outcomes if o.status == "suspect"]
    if bad:
        return Outcome(text, "suspect", bad[0].reason, origin, score, tokens, terms)
    if all(o.status == "passthrough" for o in outcomes):
        return Outcome(text, "passthrough", outcomes[0].reason, origin, score, tokens, terms)
    return Outcome(text, "ok", None, origin, score, tokens, terms)


def merged_origin(origins: Sequence[Origin | None]) -> Origin:
    """Where something made of several parts came from: the model if any part did, else the memory."""
    return "model" if "model" in origins else "memory" if "memory" in origins else "passthrough"


def assemble_paragraph(paragraph: Paragraph, pieces: Sequence[Sequence[Outcome]], language: str | None = None,
                       model: str | None = None) -> TranslatedParagraph:
    """Pair each sentence of ``paragraph`` with the outcomes of its pieces (same order, same count);
    ``language`` and ``model`` say what each sentence was translated from, and with what."""
    if len(pieces) != len(paragraph.sentences):
        raise AssertionError(f"paragraph {paragraph.index}: {len(paragraph.sentences)} sentences, "
                             f"{len(pieces)} translations")
    outcomes = [joined(p) for p in pieces]
    sentences = tuple(TranslatedSentence(s.index, s.text, o.text, s.start, s.end, o.status, o.reason,
                                         s.part_of_longer, language, model, o.origin, o.score)
                      for s, o in zip(paragraph.sentences, outcomes))
    translation = paragraph.text if paragraph.kind == "verbatim" else join_sentences([s.translation for s in sentences])
    return TranslatedParagraph(paragraph.index, paragraph.kind, paragraph.text, translation, sentences,
                               paragraph.line, paragraph.markup, Stats.of(o for p in pieces for o in p))


def passed_through(p: Paragraph, language: str) -> TranslatedParagraph:
    """A paragraph already in the target language, as it is."""
    sentences = tuple(TranslatedSentence(s.index, s.text, s.text, s.start, s.end, "passthrough", ALREADY,
                                         s.part_of_longer, language, None, "passthrough") for s in p.sentences)
    return TranslatedParagraph(p.index, p.kind, p.text, p.text, sentences, p.line, p.markup,
                               Stats(passthrough=len(sentences)))


def as_source(p: TranslatedParagraph) -> Paragraph:
    """A translated paragraph as the source of the next leg of a pivot, sentence for sentence."""
    sentences, pos = [], 0
    for s in p.sentences:
        sentences.append(Sentence(s.index, s.translation, pos, pos + len(s.translation), s.part_of_longer))
        pos += len(s.translation) + 1
    return Paragraph(p.index, " ".join(s.translation for s in p.sentences), p.kind, p.line, tuple(sentences),
                     p.markup)


def _weakest(steps: Sequence[TranslatedSentence]) -> float | None:
    """A pivoted sentence's score: its least confident leg's (an error on the way carries through)."""
    return min((x.score for x in steps if x.score is not None), default=None)


def combine(source: Paragraph, legs: list[TranslatedParagraph], language: str, route: Route) -> TranslatedParagraph:
    """The final paragraph of a route: the source's sentences, the last leg's translations, the worst
    status met on the way, which language and model(s) each sentence went through, and the counts
    of every leg."""
    models = " → ".join(leg.model for leg in route.legs)
    sentences = []
    for i, s in enumerate(source.sentences):
        steps = [leg.sentences[i] for leg in legs]
        bad = next((x for x in steps if x.status == "suspect"), None)
        passed = all(x.status == "passthrough" for x in steps)
        status: Status = "suspect" if bad else "passthrough" if passed else "ok"
        reason = bad.reason if bad else steps[0].reason if passed else None
        sentences.append(TranslatedSentence(s.index, s.text, steps[-1].translation, s.start, s.end, status, reason,
                                            s.part_of_longer, language, models,
                                            merged_origin([x.origin for x in steps]), _weakest(steps)))
    translation = legs[-1].translation if source.kind == "verbatim" else \
        join_sentences([s.translation for s in sentences])
    return TranslatedParagraph(source.index, source.kind, source.text, translation, tuple(sentences), source.line,
                               source.markup, total(leg.stats for leg in legs))
