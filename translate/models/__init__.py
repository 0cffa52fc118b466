"""Finding models: a local folder, the Hugging Face cache, or a download."""

from .resolve import DEFAULT_MODEL, SEQ2SEQ_FILES, ResolvedModel, offline_mode, resolve_model

__all__ = ["DEFAULT_MODEL", "SEQ2SEQ_FILES", "ResolvedModel", "offline_mode", "resolve_model"]
