"""Output formats: each renderer streams text chunks from translated paragraphs.

``FORMATS`` is the one registry: the CLI's choices, its help and the README table come from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..document import Layout, TranslatedParagraph
from ..errors import UsageError

Renderer = Callable[[Iterable[TranslatedParagraph], dict, Layout], Iterator[str]]
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


def _text(paragraphs: Iterable[TranslatedParagraph], info: dict, layout: Layout) -> Iterator[str]:
    sep = "\n" if layout == "lines" else "\n\n"
    for i, p in enumerate(paragraphs):
        yield (sep if i else "") + shown(p)
    yield "\n"


def _bilingual(paragraphs: Iterable[TranslatedParagraph], info: dict, layout: Layout) -> Iterator[str]:
    for i, p in enumerate(paragraphs):
        yield ("\n" if i else "") + f"{p.source}\n{shown(p)}\n"


def _markdown(paragraphs: Iterable[TranslatedParagraph], info: dict, layout: Layout) -> Iterator[str]:
    yield "| # | Source | Translation |\n| ---: | --- | --- |\n"
    for p in paragraphs:
        src, tgt = escape_markdown(p.source), escape_markdown(shown(p))
        if p.kind != "body":
            src, tgt = f"**{src}**", f"**{tgt}**"
        yield f"| {p.index + 1} | {src} | {tgt} |\n"


def json_line(record: dict) -> str:
    """One JSONL line; U+2028/U+2029 escaped so that no line-splitting reader breaks a record."""
    return json.dumps(record, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


def header_record(info: dict) -> dict:
    """The JSONL header: tool version, model, revision, backend and decoding options."""
    from ..version import __version__

    return {"type": "header", "tool": "translate", "version": __version__, **info}


def _jsonl(paragraphs: Iterable[TranslatedParagraph], info: dict, layout: Layout) -> Iterator[str]:
    yield json_line({**header_record(info), "layout": layout})
    for p in paragraphs:
        for s in p.sentences:
            record = {"type": "sentence", "paragraph": p.index, "sentence": s.index, "kind": p.kind,
                      "line": p.line, "start": s.start, "end": s.end, "source": s.source,
                      "translation": s.translation, "status": s.status}
            if s.part_of_longer:
                record["part_of_longer"] = True
            if s.reason:
                record["reason"] = s.reason
            yield json_line(record)


@dataclass(frozen=True)
class OutputFormat:
    """A registered output format: its renderer and a one-line description (for help and docs)."""

    render: Renderer
    description: str


FORMATS: dict[str, OutputFormat] = {
    "text": OutputFormat(_text, "the translation only, in the source's paragraph layout"),
    "bilingual": OutputFormat(_bilingual, "each source paragraph, then its translation"),
    "markdown": OutputFormat(_markdown, "a side-by-side table, source and translation escaped"),
    "jsonl": OutputFormat(_jsonl, "a header record, then one record per sentence with its alignment"),
}


def render(fmt: str, paragraphs: Iterable[TranslatedParagraph], info: dict, layout: Layout = "lines") -> Iterator[str]:
    """Stream the output of ``paragraphs`` in format ``fmt``."""
    try:
        chosen = FORMATS[fmt]
    except KeyError:
        raise UsageError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})", option="format") from None
    return chosen.render(paragraphs, info, layout)
