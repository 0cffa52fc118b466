"""Opening an input once: what it is (plain text, an HTML page, Markdown; a file, stdin or a URL),
its text as a stream or its structure read whole. Segmenting it is ``translate.sources.reader``'s job."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from ..document import Source
from ..errors import InputError
from .html import read_html
from .markdown import read_markdown

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
    """``feed`` (RSS, Atom or an OPML list of feeds: its first element, else its media type or suffix),
    else ``html``, ``markdown`` or ``text``: from the media type, the name's suffix, then the content."""
    from .feed.parse import looks_like_feed

    if looks_like_feed(head, media_type, name) is not None:
        return "feed"
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
    from ..reading import decode_text
    from .url import fetch, is_url

    name = str(source)
    url: str | None
    charset: str | None
    if is_url(name):
        fetched = fetch(name, offline=offline_mode() if offline is None else offline)
        data, kind, url, charset = fetched.data, fetched.media_type, fetched.url, fetched.charset
        kind = input_format if input_format != "auto" else kind_of(url, data, fetched.media_type)
        if kind == "text":
            return Input("text", [_fetched_text(data, name, encoding, charset, language, errors)])
    else:
        url = charset = None
        kind, text, data = _open_local(source, input_format, encoding, language, errors)
        if text is not None:
            return Input("text", text)
    label = name if url is None else url
    if kind == "feed":  # feeds are read by translate/feeds, which the commands route them to first
        raise InputError(f"{label} is a feed (RSS, Atom or OPML): give it as a file, standard input or a URL, "
                         "to be read item by item", option="input_format")
    if kind == "html":
        page = read_html(data, whole_page=whole_page, url=url, http_charset=charset) if encoding is None else \
            read_html(decode_text(data, label, encoding, language, errors).encode("utf-8"), whole_page=whole_page,
                      url=url)
        return Input("html", source=page, metadata=page.metadata)
    markdown = decode_text(data, label, encoding, language, errors, clean=False)  # its HTML and entities are its own
    document = read_markdown(markdown)
    return Input("markdown", source=document, metadata=document.metadata)


def _fetched_text(data: bytes, name: str, encoding: str | None, charset: str | None, language: str | None,
                  errors: str) -> str:
    """A fetched text's content: in the encoding given; else UTF-8 when the bytes are valid UTF-8
    (whatever the server says, as for pages), else the HTTP header's charset when the bytes decode
    in it, else the one sniffed (as for a file)."""
    import codecs

    from ..reading import decode_text

    if encoding is None and charset is not None:
        for candidate in ("utf-8", charset):
            try:
                codecs.decode(data, candidate)
                encoding = candidate
                break
            except (UnicodeDecodeError, LookupError):
                continue  # the header is wrong about the bytes: sniff them
    return decode_text(data, name, encoding, language, errors)


def _open_local(source: str | Path, input_format: str, encoding: str | None, language: str | None,
                errors: str) -> tuple[str, Iterator[str] | None, bytes]:
    """A path or stdin opened once: its kind, and either its text as a stream (plain text) or all of
    its bytes (a page, Markdown). Sniffing the kind reads the first MiB; that same MiB is then the
    start of the text, so a pipe or FIFO given as a path (``/dev/stdin``, ``<(cmd)``) loses nothing."""
    from ..reading import CHUNK_BYTES, iter_stream, open_binary, source_label

    with ExitStack() as stack:
        stream = stack.enter_context(open_binary(source))
        head = stream.read(CHUNK_BYTES)
        kind = input_format if input_format != "auto" else kind_of(str(source), head)
        if kind != "text":
            return kind, None, head + stream.read() if len(head) == CHUNK_BYTES else head  # short read: EOF
        owner = stack.pop_all()  # the text stream now owns the open file

    def text() -> Iterator[str]:
        with owner:
            yield from iter_stream(stream, head, source_label(source), encoding, language, errors)

    return kind, text(), b""
