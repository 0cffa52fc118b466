"""Segmentation: document → paragraphs → sentences → pieces within a token budget.

``segment_document`` is the one entry point; the submodules hold the rules:
``paragraphs`` (layout detection, paragraph kinds), ``sentences`` (sentence splitting
for CJK and Latin-script text) and ``budget`` (splitting over-long sentences).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..document import Document, Layout, Paragraph, Sentence
from .budget import DEFAULT_BUDGET, fit_budget
from .paragraphs import LayoutChoice, iter_lines, split_paragraphs, stream_paragraphs
from .sentences import split_sentences

__all__ = ["DEFAULT_BUDGET", "segment_document", "segment_paragraph", "segment_stream", "split_paragraphs",
           "split_sentences", "fit_budget"]


def segment_paragraph(text: str, count_tokens: Callable[[str], int] | None = None,
                      budget: int = DEFAULT_BUDGET, language: str | None = None) -> tuple[Sentence, ...]:
    """Split one paragraph into translation units, each within ``budget`` tokens."""
    units: list[Sentence] = []
    for start, end in split_sentences(text, language):
        pieces = fit_budget(text, start, end, count_tokens, budget) if count_tokens else [(start, end)]
        for s, e in pieces:
            units.append(Sentence(len(units), text[s:e], s, e, part_of_longer=len(pieces) > 1))
    return tuple(units)


def segment_stream(pieces: Iterable[str], count_tokens: Callable[[str], int] | None = None,
                   budget: int | Callable[[], int] = DEFAULT_BUDGET, layout: LayoutChoice = "auto",
                   language: str | None | Callable[[], str | None] = None) -> tuple[Layout, Iterator[Paragraph]]:
    """Segment text arriving in pieces, lazily: the layout, and paragraphs as they complete.

    ``budget`` and ``language`` may be functions, asked once the first paragraph needs them
    (e.g. a model's limit and source language, known once the model is resolved).
    """
    chosen, raw = stream_paragraphs(iter_lines(pieces), layout)

    def paragraphs() -> Iterator[Paragraph]:
        limit: int | None = None
        lang: str | None = None
        for i, p in enumerate(raw):
            if limit is None:
                limit = budget() if callable(budget) else budget
                lang = language() if callable(language) else language
            yield Paragraph(i, p.text, p.kind, p.line, segment_paragraph(p.text, count_tokens, limit, lang))

    return chosen, paragraphs()


def segment_document(text: str, count_tokens: Callable[[str], int] | None = None,
                     budget: int = DEFAULT_BUDGET, layout: LayoutChoice = "auto",
                     language: str | None = None) -> Document:
    """Segment a whole document. Paragraph count and order always equal the input's."""
    chosen, paragraphs = segment_stream([text], count_tokens, budget, layout, language)
    return Document(tuple(paragraphs), layout=chosen)
