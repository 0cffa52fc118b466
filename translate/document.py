"""The data model: a source document segmented into paragraphs and sentences, and its translation.

Offsets are character offsets into ``Paragraph.text``; ``paragraph.text[s.start:s.end] == s.text``
for every sentence ``s``, so each translation maps back to its exact source span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .stats import Origin, Stats, total

if TYPE_CHECKING:
    from .info import TranslationInfo

ParagraphKind = Literal["title", "subtitle", "heading", "body", "list_item", "quote", "caption", "table_cell",
                        "verbatim"]
Layout = Literal["lines", "blocks", "html", "markdown"]
# Kinds that are prose a digest may quote; the others (titles, headings, captions, list items, table
# cells, verbatim blocks such as code) inform a digest but are never picked as digest sentences.
BODY_KINDS: tuple[ParagraphKind, ...] = ("body", "quote")
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
class Markup:
    """How a paragraph was written in a structured source (HTML, Markdown), so that its translation
    can be written the same way. Plain text has none."""

    level: int = 0                 # heading level 1–6; list nesting depth (0 = top)
    marker: str = ""               # a list item's marker as written: "-", "*", "1.", "2)"
    cell: tuple[int, int] | None = None  # a table cell's (row, column) in table ``group``
    group: int = 0                 # which list / quote / table (paragraphs of one share it)
    header: bool = False           # a table header cell
    source: str = ""               # a verbatim block's exact text (code fence, front matter, HTML block)


@dataclass(frozen=True)
class Block:
    """A paragraph before sentence segmentation, as a reader of a source format yields it."""

    text: str
    kind: ParagraphKind
    line: int = 0                  # 1-based line of the input, where known
    markup: Markup | None = None


@dataclass(frozen=True)
class Source:
    """What a reader of a structured format (HTML, Markdown) makes of its input: the blocks in
    order, what the source says about itself, and how to write it back (``layout``)."""

    blocks: tuple[Block, ...]
    metadata: dict[str, str] = field(default_factory=dict)  # title, author, date, url, sitename...
    layout: Layout = "html"


@dataclass(frozen=True)
class Paragraph:
    """One source paragraph (titles, headings, list items, cells... included) with its sentences."""

    index: int
    text: str
    kind: ParagraphKind
    line: int  # 1-based line of the input where the paragraph starts
    sentences: tuple[Sentence, ...]
    markup: Markup | None = None


@dataclass(frozen=True)
class Document:
    """A segmented source document, with what its source said about itself (title, author, date,
    URL, site — from a web page's metadata)."""

    paragraphs: tuple[Paragraph, ...]
    layout: Layout = "lines"
    metadata: dict[str, str] = field(default_factory=dict)

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
    language: str | None = None   # the source language it was translated from (when routed by language)
    model: str | None = None      # the model(s) that translated it ("a → b" for a pivot; when routed)
    # Measurements, not the translation (equality ignores them): where it came from, and the model's
    # confidence (mean log-probability per token; None when unknown or not decoded)
    origin: Origin | None = field(default=None, compare=False)
    score: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class TranslatedParagraph:
    """A source paragraph and its translation, sentence by sentence."""

    index: int
    kind: ParagraphKind
    source: str
    translation: str
    sentences: tuple[TranslatedSentence, ...]
    line: int = 0
    markup: Markup | None = None
    stats: Stats = field(default=Stats(), compare=False)  # what translating it did (its units' counts)


@dataclass(frozen=True)
class TranslatedDocument:
    """The translation of a whole document, aligned with its source paragraph by paragraph."""

    paragraphs: tuple[TranslatedParagraph, ...]
    layout: Layout = "lines"
    info: TranslationInfo | None = None  # every option as it ran (the JSONL header); None: nothing translated
    metadata: dict[str, str] = field(default_factory=dict)  # the source's title, author, date, URL

    @property
    def stats(self) -> Stats:
        """What translating it did: units from the memory, the model, passed through; suspects; terms."""
        return total(p.stats for p in self.paragraphs)

    @property
    def text(self) -> str:
        """The translation as plain text, in the source's paragraph layout."""
        return "".join((paragraph_break(self.paragraphs[i - 1], p, self.layout) if i else "") + p.translation
                       for i, p in enumerate(self.paragraphs))


def paragraph_break(previous: TranslatedParagraph, paragraph: TranslatedParagraph, layout: Layout) -> str:
    """What separates two paragraphs in plain text: a blank line between blocks, and in
    one-line-per-paragraph text the source's own separation (a blank line where it had one)."""
    if layout != "lines" or previous.line > 0 and paragraph.line - previous.line > 1:
        return "\n\n"
    return "\n"
