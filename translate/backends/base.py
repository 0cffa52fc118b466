"""The backend interface shared by every model runtime."""

from __future__ import annotations

import dataclasses
import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from ..models import ResolvedModel
from ..options import DecodingOptions, LoadOptions


@dataclass(frozen=True)
class Hypothesis:
    """One decoded translation. ``finished`` is False when decoding hit the length limit.

    ``score`` is the model's confidence: the mean log-probability (≤ 0) of the ``scored_tokens``
    tokens it chose, end-of-sentence included, under the distribution decoding picked from (after
    suppression, repetition controls and renormalisation; no length penalty). An end-of-sentence
    forced at the length limit is no choice and is not counted; nothing chosen → ``None``. Both
    backends give the same number. Equality ignores the score: it is a measurement, not the output.
    """

    text: str
    finished: bool = True
    score: float | None = field(default=None, compare=False)
    scored_tokens: int = field(default=0, compare=False)


def mean_score(hypotheses: Iterable[Hypothesis]) -> float | None:
    """The score of pieces translated separately and joined: their token-weighted mean score."""
    scored = [(h.score, h.scored_tokens) for h in hypotheses if h.score is not None and h.scored_tokens]
    total = sum(n for _, n in scored)
    return sum(s * n for s, n in scored) / total if total else None


@lru_cache(maxsize=32)
def model_limits(folder) -> tuple[int, int]:
    """(max source tokens, max output tokens) of a Marian folder: positions and generation max_length."""
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


class Backend(ABC):
    """Translate batches of sentences with one model. Loads lazily, once.

    Constructed with the load-time options; decoding options come with every call, so the
    same loaded model serves first attempts and the guard's retries.
    """

    name: str = "backend"

    def __init__(self, model: ResolvedModel, load: LoadOptions = LoadOptions()) -> None:
        self.model_ref = model
        self.load_options = load

    @cached_property
    def generation(self) -> dict[str, Any]:
        """The model's ``generation_config.json`` (empty when it has none)."""
        path = self.model_ref.path / "generation_config.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def decoding(self, options: DecodingOptions) -> DecodingOptions:
        """``options`` as they run: unset fields from the model's generation config, else neutral."""
        return options.resolved(self.generation)

    def output_limit(self, source_tokens: int, options: DecodingOptions) -> int:
        """Output tokens allowed for a batch whose longest source has ``source_tokens`` tokens."""
        cap = model_limits(self.model_ref.path)[1]
        return min(options.max_new_tokens or auto_max_new_tokens(source_tokens, cap), cap)

    @property
    def max_source_tokens(self) -> int:
        """The longest input the model accepts (its position limit), end-of-sentence included."""
        return model_limits(self.model_ref.path)[0]

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Number of source tokens the model sees for ``text`` (without end-of-sentence)."""

    @abstractmethod
    def translate_batch(self, texts: Sequence[str], options: DecodingOptions = DecodingOptions()) -> list[Hypothesis]:
        """Translate sentences with ``options``; the result is aligned with ``texts``."""

    def effective(self) -> LoadOptions:
        """The load options as they run: model revision, backend, device, compute type, threads."""
        from ..runtime import default_threads

        runtime: dict[str, Any] = self._runtime()  # string fields named at run time: replace() checks the names
        return dataclasses.replace(self.load_options, model=self.model_ref.name, revision=self.model_ref.revision,
                                   backend=self.name, threads=self.load_options.threads or default_threads(),
                                   **runtime)

    @abstractmethod
    def _runtime(self) -> dict[str, str]:
        """The device and compute type this backend runs on (resolving ``auto``)."""

    def load(self) -> None:  # noqa: B027 - optional: a backend that loads lazily has nothing to do here
        """Load the model now (it otherwise loads on first use)."""

    @property
    def parallel_batches(self) -> int:
        """How many batches may run at once (CTranslate2 on CPU runs one per core)."""
        return 1
