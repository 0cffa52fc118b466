"""What produced a translation, typed: every option as it ran, the model's identity and, routed,
each language's route and what ran on each leg — the way faster-whisper's ``TranscriptionInfo``
echoes its options. Output headers are derived from it (:meth:`TranslationInfo.header`), and it
reads like that header (a read-only mapping), so ``info["model"]`` and ``{**info}`` keep working.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .options import DecodingOptions, LoadOptions, PipelineOptions, describe
from .stats import Stats


@dataclass(frozen=True)
class TranslationInfo(Mapping[str, Any]):
    """The effective options (``load``: backend, device and compute type as they ran; ``decoding``
    as the model's generation config completed it; ``pipeline`` with the token limit in force),
    the source language, the model's ``identity`` and ``model_details`` (revision, commit...).
    Routed translations add ``routes`` (each language's route), ``legs`` (what ran on each leg)
    and ``shared`` (what every leg ran the same, over the options as given). ``stats``: the
    counts of what the call did, when the info describes one call (not part of the header)."""

    load: LoadOptions
    decoding: DecodingOptions
    pipeline: PipelineOptions
    source_language: str | None = None
    identity: str | None = None
    model_details: Mapping[str, Any] = field(default_factory=dict)
    routed: bool = False
    shared: Mapping[str, Any] = field(default_factory=dict)
    routes: Mapping[str, str] = field(default_factory=dict)
    legs: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    stats: Stats | None = field(default=None, compare=False)

    @property
    def model(self) -> str | None:
        """The model as it ran (routed: the one every leg shares, if they share one)."""
        return self.shared.get("model", self.load.model) if self.routed else self.load.model

    def header(self) -> dict[str, Any]:
        """The flat record output headers write (JSONL's first line, the reading page's details)."""
        out = describe(self.load, self.decoding, self.pipeline)
        if self.source_language is not None:
            out["source_language"] = self.source_language
        if self.routed:
            return {**out, **self.shared, "routes": dict(self.routes), "legs": dict(self.legs)}
        return {**out, "identity": self.identity, **self.model_details}

    # -- read like the header ------------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self.header()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.header())

    def __len__(self) -> int:
        return len(self.header())
