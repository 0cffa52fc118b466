"""Reading input: bytes from a path or stdin → text, whatever the encoding, cleaned for translation.

Encodings: UTF-8 (with or without BOM), UTF-16/32 with BOM, and otherwise whatever
charset-normalizer finds (GB18030/GBK, Big5, Shift-JIS...); ``encoding=`` overrides.
Binary or undecodable input is an ``InputError``.

Normalisation (offsets in the results refer to the normalised text): CRLF, CR and the Unicode
line and paragraph separators become LF;
zero-width characters, soft hyphens and control characters (other than newline and tab) are
removed; no-break and other Unicode spaces become plain spaces (the full-width space U+3000 is
kept: it marks paragraph indents); pasted HTML remnants — tags such as ``<p>``/``<br>`` and
entities such as ``&nbsp;`` — become the text they stand for.
"""

from __future__ import annotations

import codecs
import contextlib
import html
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import InputError, UsageError

STDIN = "-"
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f]")
_TAG_BREAK = re.compile(r"<\s*(br|/p|/div|/h[1-6]|/li|/tr)\s*/?\s*>", re.IGNORECASE)
_TAG = re.compile(r"</?\s*(p|br|div|span|a|b|i|u|em|strong|font|img|h[1-6]|li|ul|ol|table|tr|td|section|article|"
                  r"blockquote|center|small|sup|sub)\b[^<>]{0,500}>", re.IGNORECASE)
_ENTITY = re.compile(r"&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
BINARY_CONTROL_SHARE = 0.1  # more control characters than this after decoding: not text
CHUNK_BYTES = 1 << 20  # input is decoded a MiB at a time; the encoding is sniffed on the first MiB
# On short inputs several legacy encodings decode equally cleanly: prefer the source language's.
PREFERRED = {"zh": ("gb18030", "big5"), "ja": ("cp932", "shift_jis", "euc_jis_2004", "euc_jp"),
             "ko": ("cp949", "euc_kr")}


@contextlib.contextmanager
def open_binary(source: str | Path) -> Iterator[BinaryIO]:
    """A binary stream for a file path, or stdin for ``"-"``; user-facing errors as ``InputError``."""
    if str(source) == STDIN:
        yield sys.stdin.buffer
        return
    path = Path(source)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise InputError(f"cannot read '{path}': no such file") from None
    except IsADirectoryError:
        raise InputError(f"cannot read '{path}': it is a directory") from None
    except PermissionError:
        raise InputError(f"cannot read '{path}': permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read '{path}': {exc.strerror or exc}") from None
    with handle:
        yield handle


def detect_encoding(data: bytes, language: str | None = None, complete: bool = True) -> str | None:
    """The encoding of ``data``: a BOM, else UTF-8 if valid, else charset-normalizer's least chaotic
    decoding — among equally clean ones, the one usual for ``language`` (default: Chinese).
    ``complete=False`` means ``data`` is only the start of the input (it may end mid-character)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if not complete and b"\n" in data:
        data = data[:data.rfind(b"\n") + 1]  # whole lines only: no character cut in half
        complete = True
    if (language or "zh") == "zh" and (chinese := _chinese_encoding(data, complete)):
        return chinese
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    cleanest = min(m.chaos for m in matches)
    tied = [m.encoding for m in matches if m.chaos <= cleanest + 0.01]
    for name in PREFERRED.get(language or "zh", ()) + PREFERRED["zh"]:
        if name in tied:
            return name
    return tied[0]


def _chinese_encoding(data: bytes, complete: bool) -> str | None:
    """GB18030 when the text decodes to (almost only) GB2312 characters — the common simplified
    ones, which Big5 or Shift-JIS bytes rarely produce — else Big5 when it decodes cleanly.
    Statistical detectors need more text than a headline to tell these apart."""
    for name, common in (("gb18030", "gb2312"), ("big5", "big5")):
        try:
            text = codecs.getincrementaldecoder(name)().decode(data, final=complete)
        except UnicodeDecodeError:
            continue
        wide = [ch for ch in text if ord(ch) > 0x7F]
        if not wide:
            continue
        usual = sum(1 for ch in wide if _encodable(ch, common))
        if usual >= 0.97 * len(wide):
            return name
    return None


def _encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


def _decode_chunks(chunks: Iterator[bytes], encoding: str | None, name: str, language: str | None) -> Iterator[str]:
    """Decode a byte stream incrementally; yield normalised text that always ends at a line break
    (except the last piece), so memory stays bounded by the longest line."""
    head = next(chunks, b"")
    if not head:
        return
    chosen = encoding or detect_encoding(head, language, complete=len(head) < CHUNK_BYTES)
    if chosen is None:
        raise InputError(f"{name} is not text in any known encoding (binary file?); "
                         "name its encoding if you know it", option="encoding")
    try:
        info = codecs.lookup(chosen)
    except LookupError:
        raise UsageError(f"unknown encoding '{encoding}'", option="encoding") from None
    if not getattr(info, "_is_text_encoding", True):
        raise UsageError(f"'{encoding}' is not a text encoding", option="encoding")
    decoder = info.incrementaldecoder("strict")
    pending, offset = "", 0
    for data in _chain(head, chunks):
        try:
            text = pending + decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise InputError(f"{name} is not valid {chosen} (byte {offset + exc.start}); "
                             "name the right encoding", option="encoding") from None
        offset += len(data)
        cut = len(text) if not data else max(text.rfind("\n"), text.rfind("\r", 0, len(text) - 1)) + 1
        piece, pending = text[:cut], text[cut:]
        if piece:
            if "\x00" in piece or len(_CONTROL.findall(piece)) > BINARY_CONTROL_SHARE * len(piece) + 2:
                raise InputError(f"{name} looks like a binary file, not text")
            yield clean_text(piece)


def _chain(head: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield head
    yield from rest
    yield b""  # flush the decoder


def clean_text(text: str) -> str:
    """Line endings, invisible and control characters, odd spaces, HTML remnants (module docstring)."""
    if _TAG.search(text):
        text = _TAG.sub("", _TAG_BREAK.sub("\n", text))
    text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)  # only complete entities: URLs keep '&x='
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text)


def iter_text(source: str | Path, encoding: str | None = None, language: str | None = None) -> Iterator[str]:
    """Stream a document from a path or ``"-"`` (stdin) as decoded, normalised pieces of whole lines.

    ``language`` (e.g. ``zh``) only breaks ties between legacy encodings on short inputs.
    """
    name = "stdin" if str(source) == STDIN else f"'{source}'"
    with open_binary(source) as stream:
        yield from _decode_chunks(iter(lambda: stream.read(CHUNK_BYTES), b""), encoding, name, language)


def read_text(source: str | Path, encoding: str | None = None, language: str | None = None) -> str:
    """Read, decode and normalise a whole document from a path or ``"-"`` (stdin)."""
    return "".join(iter_text(source, encoding, language))
