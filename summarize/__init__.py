"""Digests of news articles at several lengths — in English or in the source language.

>>> from summarize import summarize
>>> digests = summarize(text, to="source")          # no model needed      # doctest: +SKIP
>>> print(digests["short"].text)                                          # doctest: +SKIP

One ranking of the article's sentences, cut at every length (headline ⊂ short ⊂ medium ⊂ long);
with ``to="en"`` only the picked sentences are translated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from translate.version import __version__

from .digests import Digest, Digests, DigestSentence
from .lengths import DEFAULT_LENGTHS, PRESETS, LengthSpec, parse_length

if TYPE_CHECKING:  # for type checkers; at run time they load lazily (below)
    from .summarizer import Summarizer, summarize

__all__ = ["DEFAULT_LENGTHS", "PRESETS", "Digest", "DigestSentence", "Digests", "LengthSpec", "Summarizer",
           "__version__", "parse_length", "summarize"]


def __getattr__(name: str) -> Any:
    """``Summarizer`` and ``summarize`` (numpy, the ranking) load on first use: ``summarize --help``
    stays fast."""
    if name in ("Summarizer", "summarize"):
        from . import summarizer

        value = getattr(summarizer, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
