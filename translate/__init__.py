"""Translate news articles paragraph by paragraph with MarianMT models.

>>> from translate import Translator, translate_text
>>> doc = Translator("Helsinki-NLP/opus-mt-zh-en").translate(text)   # doctest: +SKIP
>>> doc.paragraphs[0].sentences[0].translation                        # doctest: +SKIP

Importing this package is cheap: torch and transformers load on first translation.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .document import (Document, Paragraph, Sentence, TranslatedDocument, TranslatedParagraph,
                       TranslatedSentence)
from .errors import InputError, ModelNotFoundError, OutputError, TranslateError, UsageError
from .models import DEFAULT_MODEL
from .pipeline import Translator, translate_file, translate_text
from .reading import read_text

__all__ = [
    "DEFAULT_MODEL", "Document", "InputError", "ModelNotFoundError", "OutputError", "Paragraph", "Sentence",
    "TranslateError", "TranslatedDocument", "TranslatedParagraph", "TranslatedSentence", "Translator",
    "UsageError", "__version__", "read_text", "translate_file", "translate_text",
]
