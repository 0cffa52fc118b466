"""A translator that adds up what its sentence translations did, for the ``summarize`` command's
notes: the summarizer translates the picked sentences in several calls, each returning its counts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from translate import Translator
from translate.stats import Stats


class CountingTranslator(Translator):
    """A :class:`~translate.Translator` whose ``stats`` are the sum of its ``translate_sentences`` calls'
    (one command run's: not for sharing between callers)."""

    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        self.stats = Stats()

    def translate_sentences(self, sentences: Sequence[str], progress: Callable[[int], None] | None = None) -> Any:
        done = super().translate_sentences(sentences, progress)
        self.stats += done.stats
        return done
