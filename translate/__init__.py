"""Translate news articles paragraph by paragraph with MarianMT models.

>>> from translate import Translator, translate_text
>>> doc = Translator("Helsinki-NLP/opus-mt-zh-en").translate(text)   # doctest: +SKIP
>>> doc.paragraphs[0].sentences[0].translation                        # doctest: +SKIP

Public API: this module's names, and the modules ``document`` (the data model), ``options``,
``errors``, ``languages``, ``segmentation``, ``reading``, ``output``, ``models`` and ``runtime``.
Everything else (``pipeline`` internals, ``backends``, ``guard``, ``memory``, ``cli``) may change.
Importing this package is cheap: torch and transformers load on first translation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .document import (Document, Paragraph, Sentence, TranslatedDocument, TranslatedParagraph,
                       TranslatedSentence)
from .errors import InputError, ModelNotFoundError, OutputError, TranslateError, UsageError
from .info import TranslationInfo
from .models import DEFAULT_MODEL
from .options import DecodingOptions, LoadOptions, PipelineOptions
from .version import __version__

if TYPE_CHECKING:  # for type checkers; at run time these load lazily (below)
    from .pipeline import FileTranslation, Translator, translate_file, translate_text
    from .reading import read_text

# The pipeline (and what it imports) loads on first use of these names: the commands' --help
# and `import translate.options` stay fast.
_LAZY = {"FileTranslation": "pipeline", "Translator": "pipeline", "translate_file": "pipeline",
         "translate_text": "pipeline", "read_text": "reading"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'translate' has no attribute '{name}'")

__all__ = [
    "DEFAULT_MODEL", "DecodingOptions", "Document", "FileTranslation", "InputError", "LoadOptions", "TranslationInfo",
    "ModelNotFoundError", "OutputError", "Paragraph", "PipelineOptions", "Sentence", "TranslateError",
    "TranslatedDocument", "TranslatedParagraph", "TranslatedSentence", "Translator", "UsageError", "__version__",
    "read_text", "translate_file", "translate_text",
]
