"""Output formats: each renderer streams text chunks from translated paragraphs.

``FORMATS`` is the one registry: the CLI's choices, its help and the README table come from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from dataclasses import dataclass

from ..document import Layout, TranslatedParagraph, paragraph_break
from ..errors import UsageError

# paragraphs, info (every option as it ran), layout, metadata (the source's title, URL, date...)
Renderer = Callable[[Iterable[TranslatedParagraph], Mapping[str, Any], Layout, dict], Iterator[str]]
_MD_SPECIAL = "\\`*_[]|~"


def escape_markdown(text: str) -> str:
    """Make arbitrary text inert inside a Markdown table cell (no HTML, no formatting, no cell breaks)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)
    return text.replace("\n", "<br>")


def shown(p: TranslatedParagraph) -> str:
    """The paragraph's translation; its source when the model gave nothing (it is marked
    suspect), so that no paragraph ever disappears from the output."""
    return p.translation or p.source


def as_line(p: TranslatedParagraph, text: str) -> str:
    """A paragraph as a line of plain text: list items keep their marker and indent."""
    if p.kind == "list_item" and p.markup is not None:
        return "  " * p.markup.level + (f"{p.markup.marker} " if p.markup.marker else "  ") + text
    return text


def _text(paragraphs: Iterable[TranslatedParagraph], info: Mapping[str, Any], layout: Layout,
          metadata: dict) -> Iterator[str]:
    previous = None
    for p in paragraphs:
        yield (paragraph_break(previous, p, layout) if previous else "") + as_line(p, shown(p))
        previous = p
    yield "\n"


def _bilingual(paragraphs: Iterable[TranslatedParagraph], info: Mapping[str, Any], layout: Layout,
               metadata: dict) -> Iterator[str]:
    for i, p in enumerate(paragraphs):
        yield ("\n" if i else "") + f"{as_line(p, p.source)}\n{as_line(p, shown(p))}\n"


def _markdown(paragraphs: Iterable[TranslatedParagraph], info: Mapping[str, Any], layout: Layout,
              metadata: dict) -> Iterator[str]:
    from .markdown_writer import write_markdown

    return write_markdown(paragraphs, metadata, layout)


def json_line(record: dict) -> str:
    """One JSONL line; U+2028/U+2029 escaped so that no line-splitting reader breaks a record."""
    return json.dumps(record, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


def header_record(info: Mapping[str, Any]) -> dict:
    """The JSONL header: tool version, model, revision, backend and decoding options."""
    from ..version import __version__

    return {"type": "header", "tool": "translate", "version": __version__, **info}


def terms_record(report: list[dict]) -> dict:
    """The JSONL record after the sentences (``-f jsonl`` with a glossary or consistent names):
    every glossary term and name found, how often (``found``) and how often its target held."""
    return {"type": "terms", "terms": report}


def _jsonl(paragraphs: Iterable[TranslatedParagraph], info: Mapping[str, Any], layout: Layout,
           metadata: dict) -> Iterator[str]:
    yield json_line({**header_record(info), "layout": layout, **({"metadata": metadata} if metadata else {})})
    for p in paragraphs:
        if p.kind == "verbatim":  # passed through whole (code, front matter): one record, no sentences
            yield json_line({"type": "verbatim", "paragraph": p.index, "kind": p.kind, "line": p.line,
                             "source": p.source, "status": "passthrough"})
        for s in p.sentences:
            record = {"type": "sentence", "paragraph": p.index, "sentence": s.index, "kind": p.kind,
                      "line": p.line, "start": s.start, "end": s.end, "source": s.source,
                      "translation": s.translation, "status": s.status,
                      "score": None if s.score is None else round(s.score, 4)}  # the model's confidence
            if s.part_of_longer:
                record["part_of_longer"] = True
            if s.reason:
                record["reason"] = s.reason
            if s.language:
                record["source_language"] = s.language
            if s.model:
                record["model"] = s.model
            yield json_line(record)


@dataclass(frozen=True)
class OutputFormat:
    """A registered output format: its renderer and a one-line description (for help and docs)."""

    render: Renderer
    description: str


def _html(paragraphs: Iterable[TranslatedParagraph], info: Mapping[str, Any], layout: Layout,
          metadata: dict) -> Iterator[str]:
    from .page import render_page

    return render_page(paragraphs, info, layout, metadata)


FORMATS: dict[str, OutputFormat] = {
    "text": OutputFormat(_text, "the translation only, in the source's paragraph layout"),
    "bilingual": OutputFormat(_bilingual, "each source paragraph, then its translation"),
    "markdown": OutputFormat(_markdown, "the translation as Markdown with the source's structure (headings, lists, "
                                        "quotes, tables; code and link targets untouched)"),
    "jsonl": OutputFormat(_jsonl, "a header record, then one record per sentence with its alignment"),
    "html": OutputFormat(_html, "a self-contained bilingual reading page"),
}


# A feed's formats (``translate FEED -f``): written by ``translate/output/feed.py``, named here with the
# others so that the CLI's choices load nothing more.
FEED_FORMATS = ("rss", "atom", "html", "jsonl")


def render(fmt: str, paragraphs: Iterable[TranslatedParagraph], info: Mapping[str, Any], layout: Layout = "lines", *,
           metadata: dict | None = None) -> Iterator[str]:
    """Stream the output of ``paragraphs`` in format ``fmt``; ``metadata`` (what the source said
    about itself: title, url, date...) is shown by the formats that have a place for it (html)."""
    try:
        chosen = FORMATS[fmt]
    except KeyError:
        raise UsageError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})", option="format") from None
    return chosen.render(paragraphs, info, layout, metadata or {})
