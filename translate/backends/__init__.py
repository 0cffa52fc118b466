"""Model backends: the one place that runs a translation model.

A backend turns a batch of source sentences into hypotheses; it knows nothing of documents,
paragraphs or the guard. ``BACKENDS`` is the registry the CLI choices, the docs and validation
read: ``ctranslate2`` (int8 on CPU, converted once and cached) is the fast path;
``transformers`` is the reference implementation and serves GPU torch users.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from ..errors import UsageError
from ..models import ResolvedModel
from ..options import LoadOptions
from .base import Backend, Hypothesis, mean_score
from .convert import QUANTIZATIONS


@dataclass(frozen=True)
class BackendSpec:
    """A registered backend: where its class lives, what it offers."""

    module: str
    cls: str
    compute_types: tuple[str, ...]
    description: str


BACKENDS: dict[str, BackendSpec] = {
    "ctranslate2": BackendSpec("translate.backends.ctranslate2_backend", "CTranslate2Backend", QUANTIZATIONS,
                               "CTranslate2: int8 on CPU, converted once and cached; the fast path"),
    "transformers": BackendSpec("translate.backends.transformers_backend", "TransformersBackend", ("float32",),
                                "Hugging Face transformers (torch): the reference, and GPU torch"),
}
BACKEND_CHOICES = ("auto", *BACKENDS)
COMPUTE_TYPES = tuple(dict.fromkeys(t for spec in BACKENDS.values() for t in spec.compute_types))

__all__ = ["BACKENDS", "BACKEND_CHOICES", "COMPUTE_TYPES", "Backend", "Hypothesis", "check_backend",
           "create_backend", "mean_score", "pick_backend"]


def pick_backend(name: str = "auto") -> str:
    """``auto`` → ``ctranslate2`` whenever it is installed, else ``transformers``."""
    if name not in BACKEND_CHOICES:
        raise UsageError(f"unknown backend '{name}' (choose from {', '.join(BACKEND_CHOICES)})", option="backend")
    if name == "auto":
        return "ctranslate2" if find_spec("ctranslate2") else "transformers"
    return name


def check_backend(load: LoadOptions) -> str:
    """Validate backend, compute type, device and vocabulary map together, before anything loads; the
    backend's name."""
    from ..runtime import check_device

    name = pick_backend(load.backend)
    check_device(load.device)
    allowed = BACKENDS[name].compute_types
    if load.compute_type not in (None, "auto", "default", *allowed):
        known = load.compute_type in COMPUTE_TYPES
        raise UsageError(f"compute type '{load.compute_type}' " + (
            "needs the ctranslate2 backend" if known else f"is unknown (choose from {', '.join(allowed)})"),
            option="compute_type")
    if load.vocab_map is not None:
        from .vocab_map import check_vocab_map

        check_vocab_map(load.vocab_map, name, load.model)
    return name


def create_backend(model: ResolvedModel, load: LoadOptions = LoadOptions()) -> Backend:
    """Instantiate the backend ``load`` names; nothing is loaded until it is used."""
    spec = BACKENDS[check_backend(load)]
    return getattr(import_module(spec.module), spec.cls)(model, load)
