"""Model backends: the one place that runs a translation model.

A backend turns a batch of source sentences into hypotheses; it knows nothing of documents
or paragraphs. ``ctranslate2`` (int8 on CPU, converted once and cached) is the fast path;
``transformers`` is the reference implementation and serves GPU torch users.
"""

from __future__ import annotations

from importlib.util import find_spec

from ..models import ResolvedModel
from .base import Backend, DecodingOptions, Hypothesis

BACKENDS = ("auto", "ctranslate2", "transformers")

__all__ = ["BACKENDS", "Backend", "DecodingOptions", "Hypothesis", "create_backend", "pick_backend"]


def pick_backend(name: str = "auto") -> str:
    """``auto`` → ``ctranslate2`` whenever it is installed, else ``transformers``."""
    if name not in BACKENDS:
        raise ValueError(f"unknown backend '{name}' (choose from {', '.join(BACKENDS)})")
    if name == "auto":
        return "ctranslate2" if find_spec("ctranslate2") else "transformers"
    return name


def create_backend(name: str, model: ResolvedModel, options: DecodingOptions, device: str = "auto",
                   threads: int | None = None, compute_type: str | None = None) -> Backend:
    """Instantiate a backend by name; nothing is loaded until it is used."""
    if pick_backend(name) == "ctranslate2":
        from .convert import QUANTIZATIONS
        from .ctranslate2_backend import CTranslate2Backend

        if compute_type not in (None, "auto", "default", *QUANTIZATIONS):
            from ..errors import UsageError

            raise UsageError(f"unknown --compute-type '{compute_type}' (choose from {', '.join(QUANTIZATIONS)})")

        return CTranslate2Backend(model, options, device, threads, compute_type)
    from .transformers_backend import TransformersBackend

    if compute_type not in (None, "float32", "default", "auto"):
        from ..errors import UsageError

        raise UsageError(f"--compute-type {compute_type} needs the ctranslate2 backend")
    return TransformersBackend(model, options, device, threads)
