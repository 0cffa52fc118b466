"""Segmentation: document → paragraphs → sentences → pieces within a token limit.

``segment_document`` (or ``segment_stream`` for text arriving in pieces) is the entry point;
the submodules hold the rules: ``paragraphs`` (layout detection, paragraph kinds),
``sentences`` (sentence splitting for CJK and Latin-script text) and ``token_limit``
(splitting over-long sentences).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..document import Block, Document, Layout, Paragraph, Sentence
from ..options import DEFAULT_MAX_SENTENCE_TOKENS
from .paragraphs import LayoutChoice, iter_lines, split_paragraphs, stream_paragraphs
from .sentences import split_sentences
from .token_limit import split_to_token_limit

__all__ = ["segment_blocks", "segment_document", "segment_paragraph", "segment_stream", "split_paragraphs",
           "split_sentences", "split_to_token_limit"]


def segment_paragraph(text: str, count_tokens: Callable[[str], int] | None = None,
                      max_tokens: int = DEFAULT_MAX_SENTENCE_TOKENS,
                      language: str | None = None) -> tuple[Sentence, ...]:
    """Split one paragraph into translation units, each within ``max_tokens`` tokens."""
    units: list[Sentence] = []
    for start, end in split_sentences(text, language):
        pieces = split_to_token_limit(text, start, end, count_tokens, max_tokens) if count_tokens else [(start, end)]
        for s, e in pieces:
            units.append(Sentence(len(units), text[s:e], s, e, part_of_longer=len(pieces) > 1))
    return tuple(units)


def segment_stream(pieces: Iterable[str], count_tokens: Callable[[str], int] | None = None,
                   max_tokens: int | Callable[[], int] = DEFAULT_MAX_SENTENCE_TOKENS, layout: LayoutChoice = "auto",
                   language: str | None | Callable[[], str | None] = None) -> tuple[Layout, Iterator[Paragraph]]:
    """Segment text arriving in pieces, lazily: the layout, and paragraphs as they complete.

    ``max_tokens`` and ``language`` may be functions, asked once the first paragraph needs them
    (e.g. a model's limit and source language, known once the model is resolved).
    """
    chosen, raw = stream_paragraphs(iter_lines(pieces), layout)

    def paragraphs() -> Iterator[Paragraph]:
        limit: int | None = None
        lang: str | None = None
        for i, p in enumerate(raw):
            if limit is None:
                limit = max_tokens() if callable(max_tokens) else max_tokens
                lang = language() if callable(language) else language
            yield Paragraph(i, p.text, p.kind, p.line, segment_paragraph(p.text, count_tokens, limit, lang))

    return chosen, paragraphs()


def segment_document(text: str, count_tokens: Callable[[str], int] | None = None,
                     max_tokens: int = DEFAULT_MAX_SENTENCE_TOKENS, layout: LayoutChoice = "auto",
                     language: str | None = None) -> Document:
    """Segment a whole document. Paragraph count and order always equal the input's."""
    chosen, paragraphs = segment_stream([text], count_tokens, max_tokens, layout, language)
    return Document(tuple(paragraphs), layout=chosen)


def segment_blocks(blocks: Iterable[Block], count_tokens: Callable[[str], int] | None = None,
                   max_tokens: int | Callable[[], int] = DEFAULT_MAX_SENTENCE_TOKENS,
                   language: str | None | Callable[[], str | None] = None,
                   unbreakable: Callable[[str], list[tuple[int, int]]] | None = None) -> Iterator[Paragraph]:
    """Segment the blocks of a structured source (HTML, Markdown) into paragraphs, keeping each
    block's kind and markup. A verbatim block (code, front matter) gets no translation units.
    ``unbreakable(text)`` names spans no sentence cut may fall inside (e.g. a Markdown link)."""
    limit: int | None = None
    lang: str | None = None
    for i, block in enumerate(blocks):
        if block.kind == "verbatim":
            yield Paragraph(i, block.text, block.kind, block.line, (), block.markup)
            continue
        if limit is None:
            limit = max_tokens() if callable(max_tokens) else max_tokens
            lang = language() if callable(language) else language
        units = segment_paragraph(block.text, count_tokens, limit, lang)
        if unbreakable:
            units = _rejoin(block.text, units, unbreakable(block.text))
        yield Paragraph(i, block.text, block.kind, block.line, units, block.markup)


def _rejoin(text: str, units: tuple[Sentence, ...], spans: list[tuple[int, int]]) -> tuple[Sentence, ...]:
    """Merge units cut inside an unbreakable span (the merged unit may exceed the token limit: a
    link is not split in two)."""
    merged: list[Sentence] = []
    for unit in units:
        if merged and any(s < unit.start < e and s < merged[-1].end for s, e in spans):
            last = merged.pop()
            unit = Sentence(len(merged), text[last.start:unit.end], last.start, unit.end, last.part_of_longer)
        merged.append(Sentence(len(merged), unit.text, unit.start, unit.end, unit.part_of_longer))
    return tuple(merged)
