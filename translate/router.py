"""Combining the legs of a language route: sentences passed through because they are already in
the target language, a pivot leg's output as the next leg's source, and the final sentences with
the language and model(s) each went through. The routed translator itself is
``pipeline.RoutedTranslator``; which model serves a pair is ``routing.py``'s table."""

from __future__ import annotations

from .document import Paragraph, Sentence, TranslatedParagraph, TranslatedSentence
from .languages import join_sentences
from .routing import Route

ALREADY = "already in target language"


def passed_through(p: Paragraph, language: str) -> TranslatedParagraph:
    sentences = tuple(TranslatedSentence(s.index, s.text, s.text, s.start, s.end, "passthrough", ALREADY,
                                         s.part_of_longer, language, None) for s in p.sentences)
    return TranslatedParagraph(p.index, p.kind, p.text, p.text, sentences, p.line, p.markup)


def as_source(p: TranslatedParagraph) -> Paragraph:
    """A translated paragraph as the source of the next leg of a pivot, sentence for sentence."""
    sentences, pos = [], 0
    for s in p.sentences:
        sentences.append(Sentence(s.index, s.translation, pos, pos + len(s.translation), s.part_of_longer))
        pos += len(s.translation) + 1
    return Paragraph(p.index, " ".join(s.translation for s in p.sentences), p.kind, p.line, tuple(sentences),
                     p.markup)


def combine(source: Paragraph, legs: list[TranslatedParagraph], language: str, route: Route) -> TranslatedParagraph:
    """The final paragraph of a route: the source's sentences, the last leg's translations, the worst
    status met on the way, and which language and model(s) each sentence went through."""
    models = " → ".join(leg.model for leg in route.legs)
    sentences = []
    for i, s in enumerate(source.sentences):
        steps = [leg.sentences[i] for leg in legs]
        bad = next((x for x in steps if x.status == "suspect"), None)
        passed = all(x.status == "passthrough" for x in steps)
        status, reason = ("suspect", bad.reason) if bad else ("passthrough", steps[0].reason) if passed else ("ok", None)
        sentences.append(TranslatedSentence(s.index, s.text, steps[-1].translation, s.start, s.end, status, reason,
                                            s.part_of_longer, language, models))
    translation = legs[-1].translation if source.kind == "verbatim" else \
        join_sentences([s.translation for s in sentences])
    return TranslatedParagraph(source.index, source.kind, source.text, translation, tuple(sentences), source.line,
                               source.markup)
