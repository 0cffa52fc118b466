"""What each pick of a digest says and how long it is, in the digest's language.

One article's memo: sentences are translated only when a digest picks or measures them (and a
shortened sentence's kept clauses as one sentence of their own). Sizes are exact (they may
translate); estimates never translate and use fixed ratios, never what this run translated so
far, because an estimate decides what gets measured and a length's digest must not depend on
which other lengths were asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from translate import Translator
from translate.languages import base_language as base
from translate.languages import is_cjk

from .clauses import Clause, aligned, join_clauses, split_clauses
from .cutting import Pick
from .lengths import LengthSpec, measure

WORDS_PER_CJK_CHAR = 0.6   # English words per Chinese character, to estimate a translation's length
CHARS_PER_WORD = 6.0       # characters (with a space) per English word
CJK_CHARS_PER_WORD = 1.7   # Chinese characters per English word


class Picks:
    """The candidates' texts (source side) and, when ``translator`` is given, their translations into
    ``language``, made on demand; the sizes and estimates the cuts need."""

    def __init__(self, texts: Sequence[str], *, translator: Translator | None,
                 source_unit: Literal["words", "characters"], language: str) -> None:
        self.texts = list(texts)
        self.translator = translator
        self.source_unit = source_unit
        self.source_cjk = source_unit == "characters"
        self.language = language
        self.total_source = sum(measure(t, source_unit) for t in self.texts)
        self.translations: dict[int, str] = {}
        self.shortened: dict[str, str] = {}  # a shortened sentence's source text → its translation
        self.clause_cache: dict[int, list[Clause]] = {}

    def ensure(self, indices: Sequence[int]) -> None:
        """Translate, in one batch, the candidates among ``indices`` not translated yet."""
        missing = sorted({i for i in indices if i not in self.translations})
        if self.translator is not None and missing:
            out = self.translator.translate_sentences([self.texts[i] for i in missing])
            self.translations.update(zip(missing, out))

    def prefetch(self, likely: list[int], spec: LengthSpec) -> None:
        """Translate in one batch what a word or character budget will probably pick."""
        if spec.unit in ("words", "characters"):
            self.ensure(likely)

    def output_text(self, i: int) -> str:
        if self.translator is None:
            return self.texts[i]
        self.ensure([i])
        return self.translations[i]

    def clauses(self, i: int) -> list[Clause]:
        if i not in self.clause_cache:
            self.clause_cache[i] = split_clauses(self.texts[i])
        return self.clause_cache[i]

    def source_of(self, pick: Pick) -> str:
        """What the digest quotes of the source sentence: all of it, or its kept clauses as one sentence."""
        text = self.texts[pick.index]
        if not pick.clauses:
            return text
        clauses = self.clauses(pick.index)
        return join_clauses(text, [clauses[k] for k in pick.clauses])

    def quoted(self, pick: Pick) -> list[tuple[int, int]]:
        """The spans of the candidate's text that :meth:`source_of` quotes (its kept clauses without the
        closing mark the sentence's own end replaces)."""
        text = self.texts[pick.index]
        if not pick.clauses:
            return [(0, len(text))]
        clauses = self.clauses(pick.index)
        return [(start, start + length) for _, start, length in aligned(text, [clauses[k] for k in pick.clauses])[1]]

    def output_of(self, pick: Pick) -> str:
        if not pick.clauses:
            return self.output_text(pick.index)
        text = self.source_of(pick)
        if self.translator is None:
            return text
        if text not in self.shortened:
            self.shortened[text] = self.translator.translate_sentences([text])[0]
        return self.shortened[text]

    def size(self, pick: Pick, spec: LengthSpec) -> float:
        """Exact, in ``spec``'s unit (translating the pick if the digest is translated)."""
        if spec.unit == "sentences":
            return 1
        if spec.unit == "percent":
            return measure(self.source_of(pick), self.source_unit)
        return measure(self.output_of(pick), spec.unit)

    def estimate_text(self, text: str, spec: LengthSpec) -> float:
        """A source text's size in ``spec``'s unit once translated, without translating it. Fixed
        ratios, never what this run translated so far: an estimate decides what is measured, and a
        length's digest must not depend on which other lengths were asked for."""
        if self.translator is None or spec.unit in ("sentences", "percent"):
            return 1 if spec.unit == "sentences" else measure(text, self.source_unit if spec.unit == "percent"
                                                               else spec.unit)
        words = measure(text, self.source_unit) * (WORDS_PER_CJK_CHAR if self.source_cjk else 1.0)
        if spec.unit == "words":
            return words
        return words * (CJK_CHARS_PER_WORD if is_cjk(base(self.language)) else CHARS_PER_WORD)

    def estimate(self, pick: Pick, spec: LengthSpec) -> float:
        """Cheap: exact when nothing is translated, else from the source text alone (even when the
        translation is known, so that the same estimate decides the same way in every run)."""
        if self.translator is None or spec.unit in ("sentences", "percent"):
            return self.size(pick, spec)
        return self.estimate_text(self.source_of(pick), spec)

    def budget(self, spec: LengthSpec) -> float:
        """The budget in ``spec``'s unit (a percentage is of the whole body, source side)."""
        return spec.amount / 100 * self.total_source if spec.unit == "percent" else spec.amount
