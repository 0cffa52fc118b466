"""The one reading path: open an input (a path, stdin, a URL, or a corpus record's text), then
segment it — into a model's translation units when a :class:`Segmenter` is given, else into plain
sentences (what a digest is picked from). Every command reads through here, so a new input format
touches ``open_input`` and this module, not each command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..document import Document, Layout, Paragraph
from ..options import DEFAULT_MAX_SENTENCE_TOKENS, PipelineOptions
from .html import read_html
from .markdown import read_markdown
from .opening import Input, kind_of, open_input

__all__ = ["Reading", "Segmenter", "read_input", "read_text", "segment_text"]


@dataclass(frozen=True)
class Segmenter:
    """How a model wants its units cut: its token counter, and its token limit and language, asked
    only once the first paragraph needs them (so an empty input loads no model)."""

    count_tokens: Callable[[str], int] | None
    token_limit: Callable[[], int]
    language: Callable[[], str | None]


@dataclass(frozen=True)
class Reading:
    """A segmented input: plain text's paragraphs stream (bounded memory); a page's come from its blocks."""

    layout: Layout
    paragraphs: Iterator[Paragraph]
    metadata: dict[str, str] = field(default_factory=dict)
    kind: str = "text"                      # "text", "html" or "markdown"

    def document(self) -> Document:
        """All of it in memory (consumes ``paragraphs``)."""
        return Document(tuple(self.paragraphs), self.layout, self.metadata)


def read_input(source: str | Path, *, pipeline: PipelineOptions = PipelineOptions(), encoding: str | None = None,
               errors: str = "strict", language: str | None = None, offline: bool | None = None,
               segmenter: Segmenter | None = None) -> Reading:
    """Open a path, ``"-"`` (stdin) or an http(s) URL (``pipeline.input_format``, detected when
    ``auto``) and segment it lazily. ``language`` guides decoding (and segmenting, with no segmenter)."""
    opened = open_input(source, input_format=pipeline.input_format, whole_page=pipeline.whole_page,
                        encoding=encoding, errors=errors, language=language, offline=offline)
    return _segmented(opened, pipeline.layout, language, segmenter)


def read_text(text: str, *, pipeline: PipelineOptions = PipelineOptions(), language: str | None = None,
              segmenter: Segmenter | None = None) -> Reading:
    """A corpus record's text: HTML, Markdown or plain text (``pipeline.input_format``, else sniffed
    from the text); plain text is cleaned like a file's."""
    from ..reading import clean_text

    kind = pipeline.input_format if pipeline.input_format != "auto" else kind_of("", text[:4096].encode("utf-8"))
    if kind == "html":
        page = read_html(text.encode("utf-8"), whole_page=pipeline.whole_page)
        opened = Input("html", source=page, metadata=page.metadata)
    elif kind == "markdown":
        document = read_markdown(text)
        opened = Input("markdown", source=document, metadata=document.metadata)
    else:
        opened = Input("text", [clean_text(text)])
    return _segmented(opened, pipeline.layout, language, segmenter)


def segment_text(text: str, *, layout: str = "auto", language: str | None = None,
                 segmenter: Segmenter | None = None) -> Reading:
    """Plain text already in memory and cleaned, segmented as given (no sniffing)."""
    return _segmented(Input("text", [text]), layout, language, segmenter)


def _segmented(opened: Input, layout: str, language: str | None, segmenter: Segmenter | None) -> Reading:
    """The only place an opened input is segmented. With a segmenter, units fit the model's token
    limit and never cut inside Markdown syntax; without, sentences stay whole as read."""
    from ..segmentation import segment_blocks, segment_stream
    from ..spans import markdown_unbreakable_spans

    count = segmenter.count_tokens if segmenter else None
    limit: int | Callable[[], int] = segmenter.token_limit if segmenter else DEFAULT_MAX_SENTENCE_TOKENS
    lang: str | None | Callable[[], str | None] = segmenter.language if segmenter else language
    if opened.source is None:
        chosen, paragraphs = segment_stream(opened.text, count, limit, layout, lang)  # type: ignore[arg-type]  # (checked)
        return Reading(chosen, paragraphs)
    unbreakable = markdown_unbreakable_spans if segmenter and opened.kind == "markdown" else None
    blocks = segment_blocks(opened.source.blocks, count, limit, lang, unbreakable)
    return Reading(opened.source.layout, blocks, opened.metadata, opened.kind)
