"""Finding models: a local folder, the Hugging Face cache, or a download."""

from .resolve import DEFAULT_MODEL, ResolvedModel, resolve_model

__all__ = ["DEFAULT_MODEL", "ResolvedModel", "resolve_model"]
