"""Translate news articles paragraph by paragraph with MarianMT models.

>>> from translate import Translator, translate_text
>>> doc = Translator("Helsinki-NLP/opus-mt-zh-en").translate(text)   # doctest: +SKIP
>>> doc.paragraphs[0].sentences[0].translation                        # doctest: +SKIP

Public API: this module's names, and the modules ``document`` (the data model), ``options``,
``errors``, ``languages``, ``segmentation``, ``reading``, ``output``, ``models`` and ``runtime``.
Everything else (``pipeline`` internals, ``backends``, ``guard``, ``caching``, ``cli``) may change.
Importing this package is cheap: torch and transformers load on first translation.
"""

from __future__ import annotations

from .document import (Document, Paragraph, Sentence, TranslatedDocument, TranslatedParagraph,
                       TranslatedSentence)
from .errors import InputError, ModelNotFoundError, OutputError, TranslateError, UsageError
from .models import DEFAULT_MODEL
from .options import DecodingOptions, LoadOptions, PipelineOptions
from .pipeline import FileTranslation, Translator, translate_file, translate_text
from .reading import read_text
from .version import __version__

__all__ = [
    "DEFAULT_MODEL", "DecodingOptions", "Document", "FileTranslation", "InputError", "LoadOptions",
    "ModelNotFoundError", "OutputError", "Paragraph", "PipelineOptions", "Sentence", "TranslateError",
    "TranslatedDocument", "TranslatedParagraph", "TranslatedSentence", "Translator", "UsageError", "__version__",
    "read_text", "translate_file", "translate_text",
]
