"""Assemble translated units back into sentences and paragraphs, in source order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .document import Paragraph, Status, TranslatedParagraph, TranslatedSentence
from .languages import join_sentences

@dataclass(frozen=True)
class Outcome:
    """What became of one translation unit: its translation, status and (if not ok) why."""

    text: str
    status: Status = "ok"
    reason: str | None = None


def assemble_paragraph(paragraph: Paragraph, outcomes: Sequence[Outcome]) -> TranslatedParagraph:
    """Pair each sentence of ``paragraph`` with its outcome (same order, same count)."""
    if len(outcomes) != len(paragraph.sentences):
        raise AssertionError(f"paragraph {paragraph.index}: {len(paragraph.sentences)} sentences, "
                             f"{len(outcomes)} translations")
    sentences = tuple(TranslatedSentence(s.index, s.text, o.text, s.start, s.end, o.status, o.reason,
                                         s.part_of_longer)
                      for s, o in zip(paragraph.sentences, outcomes))
    translation = paragraph.text if paragraph.kind == "verbatim" else join_sentences([s.translation for s in sentences])
    return TranslatedParagraph(paragraph.index, paragraph.kind, paragraph.text, translation, sentences,
                               paragraph.line, paragraph.markup)
