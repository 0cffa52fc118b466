"""Digest output formats; ``FORMATS`` is the registry the CLI choices and the README table come from."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from translate.errors import UsageError
from translate.output import escape_markdown, header_record

from .digests import Digest, Digests


def describe(d: Digest) -> str:
    """e.g. ``short — 70 of 75 words, 3 sentences, 1 shortened`` (shortened: the digest keeps only
    part of the sentence, so a reader knows the quote is not whole)."""
    unit = d.length.unit
    if unit == "percent":
        label = f"{d.name} — {d.achieved:.1f}% of the article (budget {d.length.amount:g}%)"
    else:
        label = f"{d.name} — {d.achieved:g} of {d.length.amount:g} {unit[:-1] if d.length.amount == 1 else unit}"
    if unit != "sentences":
        label += f", {len(d.sentences)} sentence" + ("s" if len(d.sentences) != 1 else "")
    shortened = sum(not s.whole for s in d.sentences)
    if shortened:
        label += f", {shortened} shortened"
    if d.over_budget:
        label += " (over budget: not even one clause fits, so the best-ranked is kept)"
    if d.note:
        label += f"; {d.note}"
    return label


def _text(digests: Digests, article: Iterable = (), metadata: dict | None = None) -> str:
    return "\n".join(f"== {describe(d)}\n{d.text}\n" for d in digests)


def _bilingual(digests: Digests, article: Iterable = (), metadata: dict | None = None) -> str:
    blocks = []
    for d in digests:
        lines = [f"== {describe(d)}"]
        if d.abstract is not None:
            lines.append(d.abstract)
        for s in d.sentences:
            lines.append(s.source)
            if s.translation is not None:
                lines.append(s.translation)
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _markdown(digests: Digests, article: Iterable = (), metadata: dict | None = None) -> str:
    out = []
    for d in digests:
        out.append(f"## {escape_markdown(describe(d))}\n\n{escape_markdown(d.text)}\n")
    return "\n".join(out)


def to_dict(digests: Digests) -> dict:
    """The JSON document: a header, then each digest with its aligned sentences."""
    header = {**header_record({}), "tool": "summarize", **digests.info, "source_language": digests.source_language}
    header.pop("type", None)
    return {
        "header": header,
        "digests": [{
            "name": d.name, "budget": {"amount": d.length.amount, "unit": d.length.unit},
            "achieved": d.achieved, "over_budget": d.over_budget, "method": d.method, "note": d.note,
            "text": d.text,
            "sentences": [{"index": s.index, "paragraph": s.paragraph, "sentence": s.sentence, "score": s.score,
                           "source": s.source, "translation": s.translation,
                           "kept": [[start, end] for start, end in s.kept]} for s in d.sentences],
        } for d in digests],
    }


def _json(digests: Digests, article: Iterable = (), metadata: dict | None = None) -> str:
    return json.dumps(to_dict(digests), ensure_ascii=False, indent=2) + "\n"


def page_digests(digests: Digests) -> tuple:
    """The digests as the reading page shows them (``translate.output.page.PageDigest``)."""
    from translate.output.page import PageDigest

    return tuple(PageDigest(d.name, describe(d), tuple((s.source, s.translation, s.paragraph, s.sentence, s.kept)
                                                       for s in d.sentences), d.note, d.abstract)
                 for d in digests)


def digest_page(digests: Digests, paragraphs: Iterable = (), info: dict | None = None,
                metadata: dict | None = None) -> str:
    """The bilingual reading page: the digests at every length on top (tabs), then the article's
    ``paragraphs`` (``TranslatedParagraph``, indexed like the digests' ``paragraph``/``sentence``)
    side by side; without paragraphs, the digests alone."""
    from translate.output.page import render_page

    page_info = {**(digests.info.get("translation") or {}), **digests.info, **(info or {})}
    page_info.setdefault("source_language", digests.source_language)
    if not page_info.get("target_language"):  # the page is in the digests' language (the source's, untranslated)
        page_info["target_language"] = digests.language
    return "".join(render_page(paragraphs, page_info, "lines", metadata, page_digests(digests), tool="summarize"))


def _html(digests: Digests, article: Iterable = (), metadata: dict | None = None) -> str:
    return digest_page(digests, article, None, metadata)


@dataclass(frozen=True)
class DigestFormat:
    """A registered digest format: its renderer and a one-line description."""

    render: Callable[[Digests, Iterable, dict | None], str]  # digests, the translated article, its metadata
    description: str


# A feed's briefing (``summarize FEED -f``): written by ``summarize/briefing_formats.py``, named here with
# the others so that the CLI's choices load nothing more.
BRIEFING_FORMATS = ("html", "markdown", "json", "rss")

FORMATS: dict[str, DigestFormat] = {
    "text": DigestFormat(_text, "a section per length: what it reached, then the digest"),
    "bilingual": DigestFormat(_bilingual, "each digest sentence in the source language, then translated"),
    "markdown": DigestFormat(_markdown, "a heading per length, text escaped"),
    "json": DigestFormat(_json, "a header, then per length the sentences with index, score, source, translation, "
                                "kept spans"),
    "html": DigestFormat(_html, "a self-contained reading page: the digests in tabs, each sentence in both languages"),
}


def render(fmt: str, digests: Digests, article: Iterable = (), metadata: dict | None = None) -> str:
    """The whole output of ``digests`` in format ``fmt``. The reading page (``html``) also shows the
    ``article`` (``TranslatedParagraph``s, indexed like the digests' sentences) and its ``metadata``."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})", option="format")
    return FORMATS[fmt].render(digests, article, metadata)
