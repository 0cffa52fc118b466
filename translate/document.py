"""The data model: a source document segmented into paragraphs and sentences, and its translation.

Offsets are character offsets into ``Paragraph.text``; ``paragraph.text[s.start:s.end] == s.text``
for every sentence ``s``, so each translation maps back to its exact source span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ParagraphKind = Literal["title", "subtitle", "heading", "body"]
Layout = Literal["lines", "blocks"]
Status = Literal["ok", "suspect", "passthrough"]


@dataclass(frozen=True)
class Sentence:
    """A translation unit: one sentence of a paragraph, or a piece of an over-long one."""

    index: int
    text: str
    start: int
    end: int
    part_of_longer: bool = False  # True when a sentence over the token limit was split further


@dataclass(frozen=True)
class Paragraph:
    """One source paragraph (titles and headings included) with its sentences."""

    index: int
    text: str
    kind: ParagraphKind
    line: int  # 1-based line of the input where the paragraph starts
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class Document:
    """A segmented source document."""

    paragraphs: tuple[Paragraph, ...]
    layout: Layout = "lines"

    @property
    def sentence_count(self) -> int:
        return sum(len(p.sentences) for p in self.paragraphs)


@dataclass(frozen=True)
class TranslatedSentence:
    """A source sentence, its span in the paragraph, and its translation."""

    index: int
    source: str
    translation: str
    start: int
    end: int
    status: Status = "ok"
    reason: str | None = None
    part_of_longer: bool = False  # a piece of a sentence that was over the token limit


@dataclass(frozen=True)
class TranslatedParagraph:
    """A source paragraph and its translation, sentence by sentence."""

    index: int
    kind: ParagraphKind
    source: str
    translation: str
    sentences: tuple[TranslatedSentence, ...]
    line: int = 0


@dataclass(frozen=True)
class TranslatedDocument:
    """The translation of a whole document, aligned with its source paragraph by paragraph."""

    paragraphs: tuple[TranslatedParagraph, ...]
    layout: Layout = "lines"
    info: dict = field(default_factory=dict)  # model id, revision, backend, decoding options

    @property
    def text(self) -> str:
        """The translation as plain text, in the source's paragraph layout."""
        sep = "\n" if self.layout == "lines" else "\n\n"
        return sep.join(p.translation for p in self.paragraphs)
