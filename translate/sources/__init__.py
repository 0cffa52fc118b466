"""Reading the input: what it is (plain text, an HTML page, Markdown; a file, stdin or a URL) and
its paragraphs with their kinds. Plain text streams (``translate.reading``); a page or a Markdown
file is read whole by its reader into a :class:`translate.document.Source`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..document import Document, Source
from .html import read_html
from .markdown import read_markdown

__all__ = ["Input", "kind_of", "open_input", "read_document", "read_html", "read_markdown"]

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


@dataclass
class Input:
    """An opened input: plain-text pieces to stream, or a structured source read whole."""

    kind: str                               # "text", "html" or "markdown"
    text: Iterable[str] = ()                # plain text, in pieces of whole lines
    source: Source | None = None            # HTML or Markdown, read into blocks
    metadata: dict[str, str] = field(default_factory=dict)


def kind_of(name: str, head: bytes, media_type: str | None = None) -> str:
    """``html``, ``markdown`` or ``text``: from the media type, the name's suffix, then the content."""
    if media_type in ("text/html", "application/xhtml+xml"):
        return "html"
    if media_type == "text/markdown":
        return "markdown"
    suffix = Path(name.split("?", 1)[0]).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if start.startswith((b"<!doctype html", b"<html")) or (b"<html" in start and b"<body" in head[:4096].lower()):
        return "html"
    return "text"


def open_input(source: str | Path, *, input_format: str = "auto", whole_page: bool = False,
               encoding: str | None = None, errors: str = "strict", language: str | None = None,
               offline: bool | None = None) -> Input:
    """Open a path, ``"-"`` (stdin) or an http(s) URL. Plain text is streamed, not read here."""
    from ..models import offline_mode
    from ..reading import CHUNK_BYTES, decode_text, iter_text, open_binary
    from .url import fetch, is_url

    name = str(source)
    if is_url(name):
        fetched = fetch(name, offline=offline_mode() if offline is None else offline)
        data, kind, url = fetched.data, fetched.media_type, fetched.url
        kind = input_format if input_format != "auto" else kind_of(url, data, fetched.media_type)
        if kind == "text":
            return Input("text", [decode_text(data, name, encoding, language, errors)])
    else:
        url = None
        if input_format == "text" or (input_format == "auto" and name == "-"):
            return Input("text", iter_text(source, encoding, language, errors))
        with open_binary(source) as stream:
            head = stream.read(CHUNK_BYTES)
            kind = input_format if input_format != "auto" else kind_of(name, head)
            if kind == "text":
                return Input("text", iter_text(source, encoding, language, errors))
            data = head + stream.read()
    label = name if url is None else url
    if kind == "html":
        page = read_html(data, whole_page=whole_page, url=url) if encoding is None else \
            read_html(decode_text(data, label, encoding, language, errors).encode("utf-8"), whole_page=whole_page,
                      url=url)
        return Input("html", source=page, metadata=page.metadata)
    text = decode_text(data, label, encoding, language, errors)
    document = read_markdown(text)
    return Input("markdown", source=document, metadata=document.metadata)


def read_document(source: str | Path, *, input_format: str = "auto", whole_page: bool = False,
                  encoding: str | None = None, errors: str = "strict", language: str | None = None,
                  offline: bool | None = None, layout: str = "auto") -> Document:
    """Read a whole input into a :class:`Document` of paragraphs and sentences, with no model
    (sentences are not split to a token limit): what a digest is picked from."""
    from ..segmentation import segment_blocks, segment_document

    opened = open_input(source, input_format=input_format, whole_page=whole_page, encoding=encoding,
                        errors=errors, language=language, offline=offline)
    if opened.source is None:
        doc = segment_document("".join(opened.text), layout=layout, language=language)  # type: ignore[arg-type]
        return doc
    paragraphs = tuple(segment_blocks(opened.source.blocks, language=language))
    return Document(paragraphs, opened.source.layout, opened.metadata)
