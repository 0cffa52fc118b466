"""Reading RSS 0.9x/1.0/2.0, Atom and OPML: bytes in, a :class:`ParsedFeed` (items streamed) or a list of
:class:`Outline` out.

feedparser gives the semantics (versions, CDATA, xml:base, dates, guids, enclosures), but it reads a
document whole; a 50,000-item feed would be held several times over. So the bytes are decoded once
(encoding from the BOM, the HTTP charset, the XML prolog) into UTF-8, an expat pass finds where each
item starts and ends without building anything, and feedparser reads small envelope documents: the
prolog and the item's ancestors' start tags (namespaces, xml:base, xml:lang kept), a few hundred
items, the closing tags. Every item goes through that one path, small feeds too, so they agree.

A malformed feed stops expat; the items before the error are already out, and the rest is cut at
item start tags and read by feedparser's lenient parser, as feedparser itself would read the whole
document. Entity declarations beyond simple character aliases are refused (billion laughs, XXE).
"""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any, BinaryIO, NamedTuple
from urllib.parse import urljoin, urlsplit
from xml.parsers import expat

from ...errors import InputError, first_line
from .items import Enclosure, FeedInfo, FeedItem, FeedKind, Outline, ParsedFeed

FEED_MEDIA_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/rss",
                    "application/x-rss+xml")
OPML_MEDIA_TYPES = ("text/x-opml", "application/x-opml", "text/opml", "application/opml+xml")
FEED_SUFFIXES = (".rss", ".atom")
OPML_SUFFIXES = (".opml",)

SNIFF_BYTES = 64 << 10       # the head: what the kind and the encoding are told from
READ_BYTES = 64 << 10        # one read of the input after the head
FEED_BYTES = 64 << 10        # one piece handed to expat
CHUNK_ITEMS = 200            # items per envelope handed to feedparser...
CHUNK_BYTES = 1 << 20        # ...or fewer, when they are large: bounds feedparser's memory
MAX_HEADER_BYTES = 8 << 20   # what may come before the first item (channel metadata): more is not a feed;
                             # held raw only: more than MAX_ITEM_BYTES of it never reaches feedparser
# feedparser holds 80-100 times a document's size while it reads it (a 50 MB title: 2 GB), and its time and memory
# grow with nesting. A real item is a few KB (a long article with its markup under 200 KB) and real HTML is nested
# a few dozen deep, so an item (or a channel header) larger or deeper than these is left out, said in problems.
MAX_ITEM_BYTES = 1 << 20
MAX_DEPTH = 200
TOO_DEEP = f"nested deeper than {MAX_DEPTH} elements"
JUNK_BYTES = 1024            # a PHP warning before the feed: text this short before it is skipped
MAX_ENTITY_VALUE = 1000      # a declared entity longer than this is not a character alias
_KEPT_DEPTH = 8              # elements deeper than this can never be an item's ancestors: not remembered

_GB_ALIASES = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "csgb2312", "euc-cn", "cp936"}  # GB18030 reads them all
_DECLARATION = re.compile(rb"\A\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_DECLARED_ENCODING = re.compile(r"\A(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])[^\"']*\2")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # what XML 1.0 forbids
_TAG = re.compile(rb"<[^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*>")            # a tag, quotes honoured
_ITEM_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?=[\s/>])")
_START_TAG_SPAN = 256        # an item start tag cut by a read is found again within this many bytes
_NAME = re.compile(r"<([A-Za-z_][\w.:-]*)")
_ELEMENT = re.compile(r"<[A-Za-z_]")
_FEED_START = re.compile(rb"<\?xml\s|<(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|RDF)[\s/>]")
_PAGE_OR_XML = re.compile(rb"<(?:!doctype|html|head|body|\?xml)[\s>]", re.IGNORECASE)
_CHANNEL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?channel[\s/>]")
_NOT_CHARSETS = {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"}  # text codecs, no charsets
_SAFE_ENTITY = re.compile(r"[^&<%\"]*")


class FeedWarning(UserWarning):
    """Something in a feed list was left out (a relative or non-http(s) address): the rest is read."""


# --- recognising a feed


def looks_like_feed(head: bytes, media_type: str | None = None, name: str = "") -> str | None:
    """``"feed"`` (RSS 0.9x/1.0/2.0, Atom), ``"opml"`` or None. The first element decides when there
    is one (a server may call a feed text/html, or a page application/rss+xml); else the media type,
    then the name's suffix. Short text before a feed (a PHP warning) is passed over."""
    root = _root_element(head)
    kind = _kind_of_root(root, head) if root is not None else None
    if kind is None and _junk_before_feed(head):
        return "feed"
    if root is not None:
        return kind
    media = (media_type or "").split(";", 1)[0].strip().lower()
    if media in FEED_MEDIA_TYPES:
        return "feed"
    if media in OPML_MEDIA_TYPES:
        return "opml"
    suffix = name.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1].lower()
    if suffix.endswith(FEED_SUFFIXES):
        return "feed"
    if suffix.endswith(OPML_SUFFIXES):
        return "opml"
    return None


def _junk_before_feed(head: bytes) -> int:
    """How many bytes of text (a PHP warning, ``<br /><b>Warning</b>``) come before a feed that begins within
    :data:`JUNK_BYTES`; 0 when the head is a feed or another document as it is, or the text holds a page or an XML
    declaration of its own."""
    root = _root_element(head)
    if root is not None and _kind_of_root(root, head) is not None:
        return 0
    match = _FEED_START.search(head, 0, JUNK_BYTES + 16)
    if not match or not 0 < match.start() <= JUNK_BYTES or _PAGE_OR_XML.search(head, 0, match.start()):
        return 0
    rest = head[match.start():]
    rest_root = _root_element(rest)
    return match.start() if rest_root is not None and _kind_of_root(rest_root, rest) == "feed" else 0


def _kind_of_root(root: str, head: bytes) -> str | None:
    local = root.rsplit(":", 1)[-1].lower()
    if local in ("rss", "feed"):
        return "feed"
    if local == "rdf":  # RDF is not only RSS 1.0: a channel or item must show
        text = _head_text(head)
        return "feed" if "channel" in text or "<item" in text else None
    if local == "opml":
        return "opml"
    return None


def _head_text(head: bytes, limit: int = SNIFF_BYTES) -> str:
    """The start of a document as text, good enough to find markup: UTF-16/32 by BOM or by the shape of
    ``<?``, else Latin-1 (every byte a character; names and markup are ASCII in every other encoding)."""
    head = head[:limit]
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                          (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return _cut_decode(head[len(bom):], encoding)
    if head.startswith((b"<\x00\x00\x00", b"\x00\x00\x00<")):
        return _cut_decode(head, "utf-32-le" if head[0] else "utf-32-be")
    if head.startswith((b"<\x00", b"\x00<")):
        return _cut_decode(head, "utf-16-le" if head[0] else "utf-16-be")
    return head.decode("latin-1")


def _cut_decode(data: bytes, encoding: str) -> str:
    unit = 4 if "32" in encoding else 2
    return data[:len(data) - len(data) % unit].decode(encoding, "replace")


def _root_element(head: bytes) -> str | None:
    """The name of the first element after the BOM, XML declaration, comments, processing instructions
    and doctype; None when the head shows none (text, JSON, binary, or a prolog longer than the head)."""
    text = _head_text(head).lstrip("\ufeff\xef\xbb\xbf")
    at = 0
    while True:
        while at < len(text) and text[at] in " \t\r\n":
            at += 1
        if text.startswith("<?", at):
            end = text.find("?>", at)
            at = -1 if end < 0 else end + 2
        elif text.startswith("<!--", at):
            end = text.find("-->", at)
            at = -1 if end < 0 else end + 3
        elif text.startswith("<!", at):
            at = _doctype_end(text, at)
        else:
            match = _NAME.match(text, at)
            return match.group(1) if match else None
        if at < 0:
            return None


def _doctype_end(text: str, at: int) -> int:
    """Where a ``<!DOCTYPE …>`` ends, its internal subset ``[…]`` included; -1 when beyond the text. One left
    unterminated ends where an element starts (declarations in the subset start ``<!``, never ``<name``)."""
    close, subset = text.find(">", at), text.find("[", at)
    element = _ELEMENT.search(text, at + 2)
    if 0 <= subset < close:
        end = text.find("]", subset)
        if end < 0:
            return element.start() if element else -1
        close = text.find(">", end)
        element = _ELEMENT.search(text, end)
    if element and (close < 0 or element.start() < close):
        return element.start()
    return -1 if close < 0 else close + 1


def _not_a_feed(head: bytes) -> str:
    """Why bytes are not a feed, in a few words."""
    if not head.strip():
        return "it is empty"
    root = _root_element(head)
    if root is not None:
        return "it is an HTML page" if root.lower() == "html" else f"its first element is <{root}>"
    text = _head_text(head).lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    if b"\x00" in head[:1024] or sum(b < 9 or 13 < b < 32 for b in head[:1024]) > 8:
        return "it is binary data"
    if text[:1] in ("{", "["):
        return "it looks like JSON"
    return f"it begins {text[:40]!r}"


# --- feeds


def parse_feed(data: bytes | BinaryIO, *, source: str, base_url: str | None = None,
               http_charset: str | None = None, chunk_items: int = CHUNK_ITEMS) -> ParsedFeed:
    """Parse a feed; its items stream (read as they are iterated). ``source`` names it in messages and in
    each item; relative links resolve against xml:base, else ``base_url``, else ``source`` when a URL.
    ``chunk_items`` items at most are handed to feedparser at a time. Raises ``InputError`` (one line) when
    the bytes are not a feed, or declare entities that could expand or read files."""
    stream: BinaryIO = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
    head = _read(stream, SNIFF_BYTES)
    junk = _junk_before_feed(head)
    skipped, head = head[:junk], head[junk:]
    kind = looks_like_feed(head)
    if kind == "opml":
        raise InputError(f"{source} is an OPML list of feeds, not a feed itself")
    if kind != "feed":
        raise InputError(f"{source} is not an RSS, Atom or OPML feed: {_not_a_feed(head)}")
    base = base_url or (source if source.startswith(("http://", "https://")) else None)
    if base and not _is_url(base):
        base = None  # not a URL (``http://[x``): nothing resolves against it
    reading = _Reading(stream, head, source=source, base=base, http_charset=http_charset,
                       chunk_items=max(1, chunk_items))
    if skipped:
        where = "its XML declaration" if head.startswith(b"<?xml") else "its first element"
        reading.problems.append(f"{source} begins with text before {where} "
                                f"({skipped[:40].decode('utf-8', 'replace')!r}); it was skipped")
    info = reading.start()
    return ParsedFeed(info, reading.items(), reading.problems)


def _read(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes: a pipe or socket may return less per read before its end."""
    parts, got = [], 0
    while got < size:
        part = stream.read(size - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


class _Hostile(Exception):
    """The document declares an entity that could expand without bound or read a file."""


class _Decoder:
    """The input's bytes as UTF-8, whatever they came in: the encoding chosen once from the head, bytes
    it cannot decode replaced (said once), characters XML forbids removed (said once), the XML
    declaration made to say UTF-8 — so expat and feedparser read the same text."""

    def __init__(self, head: bytes, *, source: str, http_charset: str | None, problems: list[str]) -> None:
        self.source, self.problems = source, problems
        self.encoding, ignored = _choose_encoding(head, http_charset)
        if ignored:
            problems.append(f"{source} declares the encoding {ignored[0][:40]!r}, which was ignored ({ignored[1]}); "
                            f"it was read as {self.encoding}")
        self._decoder = codecs.getincrementaldecoder(self.encoding)("strict")
        self._offset = 0
        self._first = True
        self._removed = 0

    def decode(self, data: bytes, final: bool = False) -> bytes:
        try:
            pending = self._decoder.getstate()[0]
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            at = self._offset - len(pending) + exc.start
            self.problems.append(f"{self.source} is not valid {self.encoding} (byte {at}); the bytes that are not "
                                 "were replaced")
            self._decoder = codecs.getincrementaldecoder(self.encoding)("replace")
            text = self._replacing(pending + data, final)
        except (UnicodeError, TypeError) as exc:  # a codec that fails otherwise than on a byte: UTF-8 instead
            self.problems.append(f"{self.source} cannot be read as {self.encoding} ({first_line(exc)}); it was read "
                                 "as utf-8, bytes that are not replaced")
            self.encoding = "utf-8"
            self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
            text = self._decoder.decode(pending + data, final)
        self._offset += len(data)
        if self._first:
            self._first = False
            text = _DECLARED_ENCODING.sub(r"\1\2utf-8\2", text.lstrip("\ufeff"), count=1)
        text, removed = _NOT_XML.subn("", text)
        if removed and not self._removed:
            self.problems.append(f"{self.source} holds characters XML does not allow (NUL, control characters); "
                                 "they were removed")
        self._removed += removed
        return text.encode("utf-8")

    def _replacing(self, data: bytes, final: bool) -> str:
        try:
            return self._decoder.decode(data, final)
        except (UnicodeError, TypeError):  # not a byte's fault: UTF-8 instead
            self.encoding = "utf-8"
            self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
            return self._decoder.decode(data, final)


def _choose_encoding(head: bytes, http_charset: str | None) -> tuple[str, tuple[str, str] | None]:
    """The BOM's encoding; else the HTTP charset or the XML declaration's when it decodes the head (or
    all but a few bytes of it, then replaced: one bad byte must not turn a whole feed into mojibake), else
    UTF-8 or windows-1252, whichever decodes it. Valid non-ASCII UTF-8 goes first when either names UTF-8:
    a server's default charset is often wrong. Only text encodings count (a declared ``rot13`` or ``base64``
    is no charset), and UTF-16/32 only by a BOM or the shape of ``<``: ASCII bytes decode as UTF-16 too. With the
    encoding comes the declared one when it was ignored, and why."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            return encoding, None
    if head.startswith((b"<\x00\x00\x00", b"\x00\x00\x00<")):
        return ("utf-32-le" if head[0] else "utf-32-be"), None
    if head.startswith((b"<\x00", b"\x00<")):
        return ("utf-16-le" if head[0] else "utf-16-be"), None
    match = _DECLARATION.match(head)
    declared_name = match.group(1).decode("ascii") if match else None
    declared, why = _charset(declared_name)
    named = [name for name in (_charset(http_charset)[0], declared) if name]
    if "utf-8" in named and not head.isascii():
        named.insert(0, "utf-8")
    named = list(dict.fromkeys(named))
    tolerated = max(4, len(head) // 1000)
    chosen = "utf-8"  # nothing decodes the head: UTF-8, with replacement
    for candidate, allowed in [*((name, 0) for name in named), *((name, tolerated) for name in named),
                               ("utf-8", 0), (_sniffed(head), 0), ("windows-1252", 0)]:
        if candidate and _wrong_bytes(head, candidate, allowed) <= allowed:
            chosen = candidate
            break
    if declared and chosen != declared and chosen not in named:
        why = f"the bytes are not {declared}"
    return chosen, ((declared_name, why) if declared_name and why else None)


def _sniffed(head: bytes) -> str:
    """What the project's encoding detection makes of an undeclared, non-UTF-8 feed (GB18030, Big5,
    Shift-JIS... before windows-1252, which decodes any bytes); "" when it cannot tell."""
    if head.isascii():
        return ""
    from ...reading import detect_encoding

    try:
        return _charset(detect_encoding(head, complete=False))[0] or ""
    except Exception:  # noqa: BLE001 - detection is a guess; windows-1252 still follows
        return ""


def _wrong_bytes(data: bytes, encoding: str, limit: int = 0) -> int:
    """How many times ``data`` fails to decode, counted up to ``limit + 1`` (a character split at its end
    is not a failure; a codec that fails otherwise fails outright)."""
    failures = at = 0
    while failures <= limit:
        try:
            codecs.getincrementaldecoder(encoding)("strict").decode(data[at:], False)
            break
        except UnicodeDecodeError as exc:
            failures += 1
            at += max(exc.end, 1)
        except (UnicodeError, TypeError, LookupError):
            return limit + 1
    return failures


def _charset(name: str | None) -> tuple[str | None, str]:
    """A text encoding Python knows, by its canonical name (GB2312 and GBK read as GB18030, their superset), or
    None and why not. UTF-16/32 are never taken from a name: their BOM or shape was looked for first."""
    if not name:
        return None, ""
    name = name.strip().lower()
    if name in _GB_ALIASES:
        return "gb18030", ""
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None, "an encoding Python does not know"
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None, "not a text encoding"
    if info.name.startswith(("utf-16", "utf-32")):
        return None, "the bytes have no byte order mark and are not UTF-16 or UTF-32"
    return ("utf-8" if info.name in ("utf-8", "utf-8-sig") else info.name), ""


class _TooDeep(Exception):
    """Elements nest deeper than MAX_DEPTH: expat stops there (it holds each open element), the rest is cut at item
    start tags as after a syntax error."""


class _LeftOut(NamedTuple):
    """An item too large or too deep to hand to feedparser: its size in bytes, and whether depth was why."""

    size: int
    deep: bool


class _Splitter:
    """An expat pass over the UTF-8 text that builds nothing: it finds where each item (``item`` or
    ``entry`` under the root or the channel) starts and ends, and the start tags of its ancestors."""

    def __init__(self) -> None:
        self.parser = expat.ParserCreate("utf-8")
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.EntityDeclHandler = self._entity
        self.buf = bytearray()
        self.base = 0                        # the offset of buf[0] in the text
        self.depth = 0
        self.open: list[tuple[str, int]] = []  # (name, offset) of open elements, the first _KEPT_DEPTH
        self.item_depth: int | None = None
        self.item_start: int | None = None
        self.first_item: int | None = None   # where the first item starts: the header ends there
        self.resume = 0                      # after the last complete item (or element at item depth)
        self.root = 0                        # where the root element starts: the prolog ends there
        self.prolog = b""                    # the XML declaration, comments, doctype
        self.header = b""                    # all before the first item (the channel's own elements)
        self.skeleton_open = b""             # the first item's ancestors' start tags...
        self.skeleton_close = b""            # ...and end tags
        self.done: list[bytes | _LeftOut] = []  # items completed, not yet taken
        self.error: tuple[int, str] | None = None  # (line, cause)
        self.item_large = False              # the open item is over MAX_ITEM_BYTES: its bytes are not kept
        self.header_deep = False             # elements nested deeper than MAX_DEPTH before the first item

    def feed(self, data: bytes, final: bool = False) -> None:
        if self.error is not None:
            return
        self.buf += data
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as exc:
            self.error = (exc.lineno, expat.ErrorString(exc.code) or first_line(exc))
            return
        except _TooDeep:
            self.error = (self.parser.CurrentLineNumber, TOO_DEEP)
            return
        keep = self.resume if self.first_item is not None else self.base  # the header is kept whole
        end = self.base + len(self.buf)
        if self.item_start is not None and end - self.item_start > MAX_ITEM_BYTES:
            self.item_large = True
        if self.item_large:
            keep = max(keep, end - _START_TAG_SPAN)  # what its end tag may need
        elif self.item_start is not None:
            keep = min(keep, self.item_start)
        if keep > self.base:
            del self.buf[:keep - self.base]
            self.base = keep

    def text(self, start: int, end: int | None = None) -> bytes:
        return bytes(self.buf[start - self.base:None if end is None else end - self.base])

    def _tag_end(self, at: int) -> int:
        if at < self.base:  # in the bytes of a large item, no longer kept
            return self.base + len(self.buf)
        match = _TAG.match(self.buf, at - self.base)
        return self.base + (match.end() if match else len(self.buf))

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        at = self.parser.CurrentByteIndex
        if self.depth == 0:
            self.root = at
        if self.depth < _KEPT_DEPTH:
            self.open.append((name, at))
        if self.depth >= MAX_DEPTH:
            self.header_deep = self.first_item is None
            raise _TooDeep
        if (self.item_start is None and self.depth in (1, 2) and name.rsplit(":", 1)[-1] in ("item", "entry")
                and self.item_depth in (None, self.depth)):
            if self.item_depth is None:
                self.item_depth, self.first_item = self.depth, at
                self.prolog, self.header = self.text(0, self.root), self.text(0, at)  # nothing dropped yet
                ancestors = self.open[:-1]
                self.skeleton_open = b"\n".join(self.text(start, self._tag_end(start)) for _, start in ancestors)
                self.skeleton_close = "".join(f"</{name}>" for name, _ in reversed(ancestors)).encode()
            self.item_start = at
            self.item_large = False
        self.depth += 1

    def _end(self, name: str) -> None:
        self.depth -= 1
        start = self.open.pop()[1] if self.depth < _KEPT_DEPTH else -1
        if self.item_depth is None or self.depth != self.item_depth:
            return
        tag_end = self._tag_end(start)
        empty = not self.item_large and self.buf[tag_end - self.base - 2:tag_end - self.base - 1] == b"/"
        end = tag_end if empty else self._tag_end(self.parser.CurrentByteIndex)
        if self.item_start is not None:
            size = end - self.item_start
            large = self.item_large or size > MAX_ITEM_BYTES
            self.done.append(_LeftOut(size, False) if large else self.text(self.item_start, end))
            self.item_start = None
            self.item_large = False
        self.resume = end

    def _entity(self, name: str, is_parameter: bool, value: str | None, base: str | None, system_id: str | None,
                public_id: str | None, notation: str | None) -> None:
        if is_parameter or value is None or len(value) > MAX_ENTITY_VALUE or not _SAFE_ENTITY.fullmatch(value):
            raise _Hostile(name)


class _Reading:
    """One feed being read: the header first (for :class:`FeedInfo`), then items on demand."""

    def __init__(self, stream: BinaryIO, head: bytes, *, source: str, base: str | None, http_charset: str | None,
                 chunk_items: int) -> None:
        self.stream, self.head, self.source, self.base = stream, head, source, base
        self.chunk_items = chunk_items
        self.problems: list[str] = []
        self.decoder = _Decoder(head, source=source, http_charset=http_charset, problems=self.problems)
        self.splitter = _Splitter()
        self.eof = False
        self.kind: FeedKind = "rss"
        self.info = FeedInfo(source)
        self.position = 0
        self.left_out = 0                  # items too large or deep for feedparser
        self.ids: dict[bytes, int] = {}    # sha1 of each id given → how many times it came
        self.lenient: dict[str, int] = {}  # causes feedparser read leniently in strict envelopes → first item
        self.prefix = b""                  # what precedes items read leniently when no item came before the error

    def _pump(self) -> None:
        """Read, decode and split one more piece of the input."""
        data = self.head if self.head else _read(self.stream, READ_BYTES)
        self.head = b""
        self.eof = not data
        text = self.decoder.decode(data, final=self.eof)
        try:
            for at in range(0, len(text), FEED_BYTES):
                self.splitter.feed(text[at:at + FEED_BYTES])
            if self.eof:
                self.splitter.feed(b"", final=True)
        except _Hostile as exc:
            raise InputError(f"{self.source} declares the XML entity '{exc}', which is refused: entities can "
                             "expand without bound or read local files") from None

    def start(self) -> FeedInfo:
        splitter = self.splitter
        while splitter.first_item is None and splitter.error is None and not self.eof:
            self._pump()
            if splitter.first_item is None and len(splitter.buf) > MAX_HEADER_BYTES:
                raise InputError(f"{self.source} is not an RSS, Atom or OPML feed: no item in its first "
                                 f"{MAX_HEADER_BYTES >> 20} MB")
        if splitter.first_item is not None:
            header = splitter.header + splitter.skeleton_close
        else:
            header = bytes(splitter.buf)  # no item: an empty feed, or one broken before its first item
            if splitter.error is not None:
                match = _ITEM_START.search(header)
                header = header[:match.start()] if match else header
                _refuse_entities(header, self.source)
            splitter.header = header
        self.prefix = header
        why = (f"is {TOO_DEEP}" if splitter.header_deep else
               f"is {_megabytes(len(header))}, more than the {MAX_ITEM_BYTES >> 20} MB it may be"
               if len(header) > MAX_ITEM_BYTES else "")
        if why:
            self.problems.append(f"{self.source}: the channel's header {why}; its title and description were not read")
        if why and splitter.first_item is None:
            self.prefix = _bare_header(header, splitter.root)
            parsed: Any = {}
        elif why:
            parsed = self._feedparser(b"\n".join([splitter.prolog, splitter.skeleton_open, splitter.skeleton_close]))
        else:
            parsed = self._feedparser(header)
        self.kind = _kind(parsed.get("version") or "", header)
        feed = parsed.get("feed") or {}
        self.info = FeedInfo(
            self.source, self.kind,
            title=_plain_detail(feed.get("title_detail"), self.kind),
            link=_safe_link(feed.get("link") or ""),
            description=_plain_detail(feed.get("subtitle_detail"), self.kind),
            language=_plain(feed.get("language") or ""),
            updated=_iso(dict.get(feed, "updated_parsed") or dict.get(feed, "published_parsed")))
        return self.info

    def items(self) -> Iterator[FeedItem]:
        splitter = self.splitter
        if splitter.first_item is None and splitter.error is None:
            return  # the whole document was read before an item: none
        batch: list[bytes] = []
        size = 0
        while True:
            done, splitter.done = splitter.done, []
            for item in done:
                if isinstance(item, _LeftOut):
                    yield from self._envelope(batch)
                    batch, size = [], 0
                    self._leave_out(item)
                    continue
                batch.append(item)
                size += len(item)
                if len(batch) >= self.chunk_items or size >= CHUNK_BYTES:
                    yield from self._envelope(batch)
                    batch, size = [], 0
            if self.eof or splitter.error is not None:
                break
            self._pump()
        if batch:
            yield from self._envelope(batch)
        if splitter.error is not None:
            yield from self._leniently(*splitter.error)
        for cause, position in self.lenient.items():
            self.problems.append(f"{self.source} is not well-formed XML ({cause}, item {position + 1} first); "
                                 "it was read leniently")

    def _leave_out(self, item: _LeftOut) -> None:
        self.left_out += 1
        why = (f"is {TOO_DEEP}" if item.deep else
               f"is {_megabytes(item.size)}, more than the {MAX_ITEM_BYTES >> 20} MB an item may be")
        self.problems.append(f"{self.source}: item {self.position + self.left_out} {why}; left out")

    def _envelope(self, items: list[bytes]) -> Iterator[FeedItem]:
        if not items:
            return
        splitter = self.splitter
        parsed = self._feedparser(b"\n".join([splitter.prolog, splitter.skeleton_open, *items,
                                               splitter.skeleton_close]))
        if parsed.get("bozo"):
            self.lenient.setdefault(_bozo_cause(parsed.get("bozo_exception")), self.position)
        yield from self._items(parsed)

    def _leniently(self, line: int, cause: str) -> Iterator[FeedItem]:
        """After expat's error: the rest is cut at item start tags and read by feedparser's lenient parser,
        a few items at a time (the prefix is the ancestors' start tags, or the header when the error came
        before any item)."""
        splitter = self.splitter
        before = self.position
        if splitter.first_item is not None:
            prefix = splitter.prolog + b"\n" + splitter.skeleton_open
            rest = bytearray(splitter.text(max(splitter.resume, splitter.base)))
        else:
            prefix, rest = self.prefix, splitter.buf[len(splitter.header):]
        starts: list[int] = []  # where items start in rest
        scanned = 0             # how far rest was searched for them
        pieces: list[bytes] = []
        size = 0
        while True:
            for match in _ITEM_START.finditer(rest, max(0, scanned - _START_TAG_SPAN)):
                if not starts or match.start() > starts[-1]:
                    starts.append(match.start())
            scanned = len(rest)
            ends = [*starts[1:], len(rest)] if self.eof and starts else starts[1:]
            for start, end in zip(starts, ends):
                deep = _nested_deeper(rest, start, end)
                if deep or end - start > MAX_ITEM_BYTES:
                    if pieces:
                        yield from self._items(self._feedparser(b"\n".join([prefix, *pieces])))
                    pieces, size = [], 0
                    self._leave_out(_LeftOut(end - start, deep))
                    continue
                pieces.append(bytes(rest[start:end]))
                size += end - start
                if len(pieces) >= self.chunk_items or size >= CHUNK_BYTES:
                    yield from self._items(self._feedparser(b"\n".join([prefix, *pieces])))
                    pieces, size = [], 0
            if self.eof:
                break
            keep = starts[-1] if starts else max(0, len(rest) - _START_TAG_SPAN)  # a start tag may be cut
            del rest[:keep]
            starts, scanned = [0] if starts else [], scanned - keep
            data = _read(self.stream, READ_BYTES)
            self.eof = not data
            rest += self.decoder.decode(data, final=self.eof)
        if pieces:
            yield from self._items(self._feedparser(b"\n".join([prefix, *pieces])))
        after = self.position - before
        read = [f"the {_items(before)} before it {'was' if before == 1 else 'were'} read"] if before else []
        if after:
            read.append(f"{_items(after)} after it {'was' if after == 1 else 'were'} read leniently")
        what = f"is {TOO_DEEP} (line {line})" if cause == TOO_DEEP else f"is not well-formed XML (line {line}: {cause})"
        self.problems.append(f"{self.source} {what}; "
                             + (", and ".join(read) or "no item could be read"))

    def _feedparser(self, document: bytes) -> Any:
        import feedparser

        headers = {"content-type": "application/xml; charset=utf-8"}
        if self.base:
            headers["content-location"] = self.base
        return feedparser.parse(io.BytesIO(document), response_headers=headers, sanitize_html=False,
                                resolve_relative_uris=True)

    def _items(self, parsed: Any) -> Iterator[FeedItem]:
        for entry in parsed.get("entries") or ():
            yield self._unique(_feed_item(entry, self.info, self.kind, self.position, self.base))
            self.position += 1

    def _unique(self, item: FeedItem) -> FeedItem:
        """An id that came before in this feed gets ``#2``, ``#3``…: two items must not be taken for one (the
        same bytes give the same ids, so a rerun still recognises them)."""
        key = hashlib.sha1(item.id.encode("utf-8")).digest()
        count = self.ids.get(key, 0)
        self.ids[key] = count + 1
        if not count:
            return item
        while True:
            count += 1
            identifier = f"{item.id}#{count}"
            unique = hashlib.sha1(identifier.encode("utf-8")).digest()
            if unique not in self.ids:
                self.ids[unique] = 1
                return replace(item, id=identifier)


def _items(count: int) -> str:
    return f"{count} item" + ("" if count == 1 else "s")


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):.3g} MB"


_TAG_DEPTH = re.compile(rb"<(/?)[A-Za-z_][^<>]*?(/?)>")


def _nested_deeper(data: bytes | bytearray, start: int, end: int) -> bool:
    """Whether elements in ``data[start:end]`` (markup, maybe broken) nest deeper than :data:`MAX_DEPTH`: a
    piece read leniently, which expat has not measured."""
    depth = 0
    for match in _TAG_DEPTH.finditer(data, start, end):
        if match.group(1):
            depth = max(0, depth - 1)
        elif not match.group(2):
            depth += 1
            if depth > MAX_DEPTH:
                return True
    return False


def _bare_header(header: bytes, root: int) -> bytes:
    """The prolog and the start tags of the root and of its channel: what items read leniently need of a header
    too large or too deep to hand to feedparser whole."""
    tag = _TAG.match(header, root)
    if not tag or not header.startswith(b"<", root) or header.startswith((b"<?", b"<!"), root):
        return b""
    channel = _CHANNEL.search(header, tag.end())
    channel_tag = _TAG.match(header, channel.start()) if channel else None
    return header[:tag.end()] + (b"\n" + channel_tag.group() if channel_tag else b"")


def _refuse_entities(prolog: bytes, source: str) -> None:
    """What expat did not check (a document broken before its prolog ended) is refused here, as there."""
    for match in re.finditer(rb"<!ENTITY\s+(%\s*)?([^\s>]+)\s*([^>]*)>", prolog):
        value = match.group(3).strip()
        if match.group(1) or value[:1] not in (b'"', b"'") or not _SAFE_ENTITY.fullmatch(
                value[1:-1].decode("utf-8", "replace")) or len(value) > MAX_ENTITY_VALUE:
            raise InputError(f"{source} declares the XML entity '{match.group(2).decode('utf-8', 'replace')}', "
                             "which is refused: entities can expand without bound or read local files")


def _kind(version: str, header: bytes) -> FeedKind:
    if version.startswith("atom"):
        return "atom"
    if version in ("rss090", "rss10"):
        return "rdf"
    if not version:
        root = (_root_element(header) or "").rsplit(":", 1)[-1].lower()
        return "atom" if root == "feed" else "rdf" if root == "rdf" else "rss"
    return "rss"


def _bozo_cause(exc: Any) -> str:
    get_message = getattr(exc, "getMessage", None)
    return str(get_message()) if callable(get_message) else first_line(exc) if exc else "unknown cause"


def _feed_item(entry: Any, info: FeedInfo, kind: FeedKind, position: int, base: str | None) -> FeedItem:
    title = _plain_detail(entry.get("title_detail"), kind)
    contents = entry.get("content") or []
    detail = contents[0] if contents else entry.get("summary_detail")
    text = _html_of(detail)
    link = _safe_link(entry.get("link") or "")
    details = [d for d in (contents[0] if contents else None, entry.get("summary_detail"), entry.get("title_detail"))
               if d]
    entry_base = next((d.get("base") for d in details if d.get("base")), None) or base or ""
    author_detail = entry.get("author_detail") or {}
    categories = [_plain(tag.get("term") or tag.get("label") or "") for tag in entry.get("tags") or ()]
    enclosures = []
    for enclosure in entry.get("enclosures") or ():
        url = _safe_link(_join(entry_base, (enclosure.get("href") or "").strip()))
        if url:
            enclosures.append(Enclosure(url, str(enclosure.get("type") or ""), str(enclosure.get("length") or "")))
    published, updated = _iso(dict.get(entry, "published_parsed")), _iso(dict.get(entry, "updated_parsed"))
    fallback = json.dumps([title, text, published, updated, [e.url for e in enclosures]], ensure_ascii=False)
    identifier = " ".join((entry.get("id") or "").split()) or link or \
        "sha1:" + hashlib.sha1(fallback.encode("utf-8")).hexdigest()
    return FeedItem(
        id=identifier, feed=info.source, title=title, link=link, html=text,
        published=published, updated=updated,
        author=_plain(author_detail.get("name") or entry.get("author") or ""), feed_title=info.title,
        language=next((d.get("language") for d in details if d.get("language")), None) or info.language,
        categories=tuple(dict.fromkeys(c for c in categories if c)), enclosures=tuple(enclosures),
        position=position)


def _html_of(detail: Any) -> str:
    """An HTML fragment: HTML and XHTML as given, plain text escaped."""
    if not detail:
        return ""
    value = str(detail.get("value") or "")
    return html.escape(value, quote=False) if detail.get("type") == "text/plain" else value.strip()


def _plain_detail(detail: Any, kind: FeedKind) -> str:
    """A title as plain text. Atom says when a title is text; RSS does not, and its titles carry escaped
    HTML often enough (``&lt;b&gt;``) that they are always read as HTML."""
    if not detail:
        return ""
    value = str(detail.get("value") or "")
    if kind == "atom" and detail.get("type") == "text/plain":
        return " ".join(value.split())
    return _plain(value)


def _safe_link(link: str) -> str:
    """A link that is http(s) or relative; others (javascript:, data:, tag: ids) are no place to go, nor is what
    is no URL at all (``http://[x``)."""
    link = link.strip()
    try:
        scheme = urlsplit(link).scheme.lower() if link else ""
    except ValueError:
        return ""
    return link if scheme in ("", "http", "https") else ""


def _join(base: str, link: str) -> str:
    """``link`` resolved against ``base``; "" when either is no URL (``http://[::1/``: urllib raises)."""
    try:
        return urljoin(base, link)
    except ValueError:
        return ""


def _is_url(url: str) -> bool:
    try:
        urlsplit(url)
    except ValueError:
        return False
    return True


def _iso(parsed: Any) -> str:
    """feedparser's UTC struct_time as ISO 8601 with Z ("" when none)."""
    if not parsed:
        return ""
    try:
        year, month, day, hour, minute, second = (int(part) for part in parsed[:6])
        return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}Z"
    except (TypeError, ValueError):
        return ""


_BLOCKS = frozenset("address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
                    "header hr li main nav ol p pre section table td th tr ul".split())
_HIDDEN = frozenset(("script", "style", "template", "noscript", "iframe", "object"))


class _TextOf(HTMLParser):
    """The text of an HTML fragment: scripts, styles and the like dropped, blocks parted by a space."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _plain(value: str) -> str:
    """HTML reduced to text: entities decoded, tags dropped, whitespace collapsed."""
    if "<" not in value and "&" not in value:
        return " ".join(value.split())
    reader = _TextOf()
    reader.feed(value)
    reader.close()
    return " ".join("".join(reader.parts).split())


# --- OPML


def parse_opml(data: bytes, *, source: str, problems: list[str] | None = None) -> list[Outline]:
    """Every feed an OPML file lists (nested outlines too), in order, each once: absolute http(s) URLs,
    relative ones resolved against ``source`` when it is a URL. What is left out is said in ``problems``
    (a :class:`FeedWarning` each when no list is given). Raises ``InputError`` (one line) when the bytes
    are not well-formed OPML or declare entities."""
    import defusedxml.ElementTree as safe_tree
    from defusedxml import DefusedXmlException

    if not data.strip():
        raise InputError(f"{source} is not an OPML list of feeds: it is empty")
    sink: list[str] = [] if problems is None else problems
    decoder = _Decoder(data[:SNIFF_BYTES], source=source, http_charset=None, problems=sink)
    text = decoder.decode(data, final=True)
    try:
        root = safe_tree.fromstring(text, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InputError(f"{source} is refused: {first_line(exc)} (entities can expand without bound or read "
                         "local files)") from None
    except safe_tree.ParseError as exc:
        line = getattr(exc, "position", (0, 0))[0]
        cause = expat.ErrorString(exc.code) if isinstance(getattr(exc, "code", None), int) else first_line(exc)
        raise InputError(f"{source} is not well-formed OPML (line {line}: {cause})") from None
    if _local(root.tag) != "opml":
        raise InputError(f"{source} is not an OPML list of feeds: its first element is <{_local(root.tag)}>")
    base = source if source.startswith(("http://", "https://")) and _is_url(source) else None
    outlines: dict[str, Outline] = {}
    for element in root.iter():
        if _local(element.tag) != "outline":
            continue
        attributes = {str(key).lower(): str(value) for key, value in element.attrib.items()}
        address = attributes.get("xmlurl", "").strip()
        if not address:
            continue
        title = _plain(attributes.get("title") or attributes.get("text") or "")
        url = _join(base, address) if base else address
        try:
            parts = urlsplit(url)
            scheme, netloc = parts.scheme.lower(), parts.netloc
        except ValueError:
            scheme = netloc = ""
        if scheme not in ("http", "https") or not netloc:
            why = ("not a valid address" if not _is_url(address) or not url else
                   "a relative address, and the list is not from a URL" if not scheme else
                   "not an http(s) address")
            sink.append(f"{source}: the feed {title or address!r} at {address[:200]!r} was left out: {why}")
            continue
        if url not in outlines:
            outlines[url] = Outline(url, title)
    if problems is None:
        for problem in sink:
            warnings.warn(problem, FeedWarning, stacklevel=2)
    return list(outlines.values())


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()
