"""Digest output formats; ``FORMATS`` is the registry the CLI choices and the README table come from."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from translate.errors import UsageError
from translate.output import escape_markdown, header_record

from .digests import Digest, Digests

def describe(d: Digest) -> str:
    """e.g. ``short — 71 of 75 words, 3 sentences``."""
    unit = d.length.unit
    if unit == "percent":
        label = f"{d.name} — {d.achieved:.1f}% of the article (budget {d.length.amount:g}%)"
    else:
        label = f"{d.name} — {d.achieved:g} of {d.length.amount:g} {unit[:-1] if d.length.amount == 1 else unit}"
    if unit != "sentences":
        label += f", {len(d.sentences)} sentence" + ("s" if len(d.sentences) != 1 else "")
    if d.over_budget:
        label += " (over budget: no sentence fits, so the best-ranked one is kept alone)"
    if d.note:
        label += f"; {d.note}"
    return label


def _text(digests: Digests) -> str:
    return "\n".join(f"== {describe(d)}\n{d.text}\n" for d in digests)


def _bilingual(digests: Digests) -> str:
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


def _markdown(digests: Digests) -> str:
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
                           "source": s.source, "translation": s.translation} for s in d.sentences],
        } for d in digests],
    }


def _json(digests: Digests) -> str:
    return json.dumps(to_dict(digests), ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class DigestFormat:
    """A registered digest format: its renderer and a one-line description."""

    render: Callable[[Digests], str]
    description: str


FORMATS: dict[str, DigestFormat] = {
    "text": DigestFormat(_text, "a section per length: what it reached, then the digest"),
    "bilingual": DigestFormat(_bilingual, "each digest sentence in the source language, then translated"),
    "markdown": DigestFormat(_markdown, "a heading per length, text escaped"),
    "json": DigestFormat(_json, "a header, then per length the sentences with index, score, source, translation"),
}


def render(fmt: str, digests: Digests) -> str:
    """The whole output of ``digests`` in format ``fmt``."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})", option="format")
    return FORMATS[fmt].render(digests)
