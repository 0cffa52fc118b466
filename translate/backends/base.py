"""The backend interface shared by every model runtime."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from functools import lru_cache
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class DecodingOptions:
    """How to decode. ``None`` means: follow the model's own generation config.

    ``max_new_tokens=None`` is automatic: 2 × source tokens + 16 per batch, never above the
    model's ``max_length``. A hypothesis that reaches the limit is reported as unfinished.
    """

    num_beams: int | None = None
    max_new_tokens: int | None = None


@dataclass(frozen=True)
class Hypothesis:
    """One decoded translation. ``finished`` is False when decoding hit the length limit."""

    text: str
    finished: bool = True


@lru_cache(maxsize=32)
def model_limits(folder) -> tuple[int, int]:
    """(max source tokens, max output tokens) of a Marian folder: positions and generation max_length."""
    import json
    from pathlib import Path

    def read(name: str) -> dict:
        path = Path(folder) / name
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    positions = read("config.json").get("max_position_embeddings") or 512
    max_length = read("generation_config.json").get("max_length") or 512
    return positions, min(positions, max_length)


def auto_max_new_tokens(source_tokens: int, cap: int) -> int:
    """Output length limit for a batch whose longest source has ``source_tokens`` tokens."""
    return max(1, min(cap, 2 * source_tokens + 16))


def default_threads() -> int:
    """CPU threads this process may use (respects affinity masks and containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class Backend(ABC):
    """Translate batches of sentences with one model. Loads lazily, once."""

    name: str = "backend"

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Number of source tokens the model sees for ``text`` (without end-of-sentence)."""

    @abstractmethod
    def translate_batch(self, texts: Sequence[str], retry: bool = False) -> list[Hypothesis]:
        """Translate sentences; the result is aligned with ``texts``.

        ``retry=True`` adds anti-repetition decoding (``guard.ANTI_REPETITION``) for a second attempt.
        """

    def load(self) -> None:
        """Load the model now (it otherwise loads on first use)."""

    @property
    def parallel_batches(self) -> int:
        """How many batches may run at once (CTranslate2 on CPU runs one per core)."""
        return 1

    @property
    def max_source_tokens(self) -> int:
        """The longest input the model accepts (its position limit), end-of-sentence included."""
        return 512

    @abstractmethod
    def describe(self) -> dict:
        """Model id, revision, backend and effective decoding options, for output headers."""
