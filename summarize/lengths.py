"""Digest lengths: presets and custom budgets, measured in the digest's own language.

``3`` = sentences, ``80w`` = words, ``150c`` = characters, ``20%`` = share of the article.
English digests count words; Chinese (CJK) digests count characters (字数), so ``w`` and ``c``
both count characters there. A percentage is of the article's body, measured on the source side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from translate.errors import UsageError
from translate.languages import has_cjk

Unit = Literal["sentences", "words", "characters", "percent"]
PRESETS: dict[str, dict[str, tuple[float, Unit]]] = {
    "headline": {"words": (1, "sentences"), "characters": (1, "sentences")},
    "short": {"words": (75, "words"), "characters": (150, "characters")},
    "medium": {"words": (150, "words"), "characters": (300, "characters")},
    "long": {"words": (300, "words"), "characters": (600, "characters")},
}
DEFAULT_LENGTHS = tuple(PRESETS)
_SPEC = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(w|c|%|s)?\s*$", re.IGNORECASE)
_SUFFIX_UNITS: dict[str, Unit] = {"s": "sentences", "w": "words", "c": "characters", "%": "percent"}
MAX_AMOUNT = 100_000  # sentences, words or characters a budget may ask for (a book's worth; 1e400 is not a budget)


@dataclass(frozen=True)
class LengthSpec:
    """A length budget: a hard maximum of ``amount`` ``unit``s (at least one sentence is always kept)."""

    name: str
    amount: float
    unit: Unit

    def __str__(self) -> str:
        return self.name


def parse_length(spec: str, language_unit: Literal["words", "characters"]) -> LengthSpec:
    """Parse a preset name or a custom budget for a digest counted in ``language_unit``."""
    key = spec.strip().lower()
    if key in PRESETS:
        return LengthSpec(key, *PRESETS[key][language_unit])
    match = _SPEC.match(key)
    if not match:
        raise UsageError(f"invalid length '{spec}': use {', '.join(PRESETS)}, or e.g. 3, 80w, 150c, 20%",
                         option="lengths")
    amount = float(match.group(1))
    suffix = (match.group(2) or "s").lower()
    unit = _SUFFIX_UNITS[suffix]
    if amount <= 0 or amount > (100 if unit == "percent" else MAX_AMOUNT) or \
            (unit == "sentences" and amount != int(amount)):
        raise UsageError(f"invalid length '{_excerpt(spec)}': must be a positive whole number of sentences, "
                         f"words or characters up to {MAX_AMOUNT:,}, or a percentage up to 100", option="lengths")
    if unit == "words" and language_unit == "characters":
        unit = "characters"  # Chinese word counts are character counts
    return LengthSpec(spec.strip(), amount, unit)


def _excerpt(spec: str) -> str:
    spec = spec.strip()
    return spec if len(spec) <= 40 else f"{spec[:37]}..."


def measure(text: str, unit: Unit) -> int:
    """Length of ``text`` in ``unit``: words (CJK characters count one each) or non-space characters."""
    if unit == "sentences":
        return 1
    if unit == "characters" or has_cjk(text):
        return sum(not ch.isspace() for ch in text)
    return len(text.split())
