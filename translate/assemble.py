"""Assemble translated units back into sentences and paragraphs, in source order."""

from __future__ import annotations

from collections.abc import Sequence

from .backends import Hypothesis
from .document import Paragraph, TranslatedParagraph, TranslatedSentence
from .segmentation.sentences import has_cjk

_CJK_PUNCT = "“”‘’《》「」『』…—"


def _wide(ch: str) -> bool:
    """CJK characters and CJK/full-width punctuation: written without spaces between them."""
    return has_cjk(ch) or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or ch in _CJK_PUNCT


def join_translations(parts: Sequence[str]) -> str:
    """Join sentence translations of one paragraph: a space between words, none in CJK text."""
    out = ""
    for part in parts:
        if not part:
            continue
        if out and not (_wide(out[-1]) and _wide(part[0])):
            out += " "
        out += part
    return out


def assemble_paragraph(paragraph: Paragraph, hypotheses: Sequence[Hypothesis]) -> TranslatedParagraph:
    """Pair each sentence of ``paragraph`` with its hypothesis (same order, same count)."""
    if len(hypotheses) != len(paragraph.sentences):
        raise AssertionError(f"paragraph {paragraph.index}: {len(paragraph.sentences)} sentences, "
                             f"{len(hypotheses)} translations")
    sentences = tuple(
        TranslatedSentence(
            s.index, s.text, h.text, s.start, s.end,
            status="ok" if h.finished else "suspect",
            reason=None if h.finished else "hit the output length limit before the end of the sentence",
        )
        for s, h in zip(paragraph.sentences, hypotheses)
    )
    return TranslatedParagraph(paragraph.index, paragraph.kind, paragraph.text,
                               join_translations([s.translation for s in sentences]), sentences,
                               paragraph.line)
