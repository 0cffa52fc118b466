"""Reading the input: what it is (plain text, an HTML page, Markdown; a file, stdin or a URL) and
its paragraphs with their kinds — opened once (``opening.py``), then segmented in one place
(``reader.py``). Plain text streams (``translate.reading``); a page or a Markdown file is read
whole by its reader into a :class:`translate.document.Source`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..document import Document

if TYPE_CHECKING:
    from .html import read_html
    from .markdown import read_markdown
    from .opening import kind_of

__all__ = ["kind_of", "read_document", "read_html", "read_markdown"]  # opening an input: sources/opening.py
_LAZY = {"read_html": ".html", "read_markdown": ".markdown", "kind_of": ".opening"}


def __getattr__(name: str) -> Any:
    """The readers load on first use: the feed data model (``sources.feed.items``) and the commands'
    ``--help`` do not pay for lxml, trafilatura and markdown-it."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_document(source: str | Path, *, input_format: str = "auto", whole_page: bool = False,
                  encoding: str | None = None, errors: str = "strict", language: str | None = None,
                  offline: bool | None = None, layout: str = "auto") -> Document:
    """Read a whole input into a :class:`Document` of paragraphs and sentences, with no model
    (sentences are not split to a token limit): what a digest is picked from."""
    from ..options import PipelineOptions
    from .reader import read_input

    pipeline = PipelineOptions(input_format=input_format, whole_page=whole_page, layout=layout)
    return read_input(source, pipeline=pipeline, encoding=encoding, errors=errors, language=language,
                      offline=offline).document()
