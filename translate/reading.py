"""Reading input: bytes from a path or stdin → text, whatever the encoding, cleaned for translation.

Encodings: UTF-8 (with or without BOM), UTF-16/32 with BOM, and otherwise whatever
charset-normalizer finds (GB18030/GBK, Big5, Shift-JIS...; Latin text: Windows-1252 where
Central-European code pages decode it equally well); ``encoding=`` overrides. The encoding is
sniffed on samples of the whole input: its first MiB, a piece of the middle and its end (for a
pipe, only what has been read). Binary or undecodable input is an ``InputError``; a mostly-UTF-8
input with a few bad bytes names the first one. ``errors="replace"`` decodes anyway: undecodable
bytes become U+FFFD and a :class:`DecodingWarning` says how many.

Normalisation (offsets in the results refer to the normalised text): CRLF, CR and the Unicode
line and paragraph separators become LF;
zero-width characters, soft hyphens and control characters (other than newline and tab) are
removed — except the joiners that mean something: U+200D inside emoji sequences, and U+200C/U+200D
between letters of Arabic-script and Indic scripts (Persian ``می‌خواهم``); no-break and other
Unicode spaces become plain spaces (the full-width space U+3000 is kept: it marks paragraph
indents); pasted HTML remnants — tags such as ``<p>``/``<br>`` and entities such as ``&nbsp;`` —
become the text they stand for. The table of invisible, control and space characters is
:mod:`translate.normalize`, shared with the web page reader.
"""

from __future__ import annotations

import codecs
import contextlib
import contextvars
import html
import io
import itertools
import re
import sys
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import InputError, UsageError
from .normalize import CONTROL, SPACES, strip_invisible

STDIN = "-"
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_TAG_BREAK = re.compile(r"<\s*(br|/p|/div|/h[1-6]|/li|/tr)\s*/?\s*>(\r?\n)?", re.IGNORECASE)  # one line break
_TAG = re.compile(r"</?\s*(p|br|div|span|a|b|i|u|em|strong|font|img|h[1-6]|li|ul|ol|table|tr|td|section|article|"
                  r"blockquote|center|small|sup|sub)\b[^<>]{0,500}>", re.IGNORECASE)
_ENTITY = re.compile(r"&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
BINARY_CONTROL_SHARE = 0.1  # more control characters than this after decoding: not text
CHUNK_BYTES = 1 << 20  # input is decoded a MiB at a time; the encoding is sniffed on the first MiB...
SAMPLE_BYTES = 64 << 10  # ...plus this much from the middle and from the end of a seekable input
ERRORS = ("strict", "replace")  # what to do with undecodable bytes
MOSTLY_UTF8 = 2  # valid non-ASCII characters per bad byte above which an input is UTF-8 with damage
DAMAGE_WINDOW = 16 << 10  # bytes from the first bad one on that this ratio is measured on
COUNT_BAD_UP_TO = 10_000  # an error message counts bad bytes up to this many
# On short inputs several legacy encodings decode equally cleanly: prefer the source language's,
# and for Latin text Windows-1252 (by far the most common; cp1250 & co. tie with it on Western text).
PREFERRED = {"zh": ("gb18030", "big5"), "ja": ("cp932", "shift_jis", "euc_jis_2004", "euc_jp"),
             "ko": ("cp949", "euc_kr"), "ru": ("cp1251",), "uk": ("cp1251",),
             **{lang: ("cp1250",) for lang in ("cs", "sk", "pl", "hu", "sl", "hr", "ro")}}
LATIN_PREFERRED = ("cp1252",)
_SAFE_BYTE = re.compile(rb"[\x00-\x3f]")  # never part of a multibyte character in the legacy CJK encodings
_LAST_SAFE_BYTE = re.compile(rb"[\x00-\x3f][^\x00-\x3f]*\Z")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_REPLACE = "translate.count-replace"  # the codec error handler of errors="replace"


class DecodingWarning(UserWarning):
    """Undecodable bytes were replaced with U+FFFD (``errors="replace"``); the message says how many."""


@dataclass
class _Tally:
    """What the counting error handler saw during one decode: bytes replaced, where the first was."""

    base: int = 0  # input offset of the bytes being decoded
    bad: int = 0
    hits: int = 0
    first: int | None = None


_TALLY: contextvars.ContextVar[_Tally | None] = contextvars.ContextVar("translate_reading_tally", default=None)


def _count_and_replace(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    tally = _TALLY.get()
    if tally is not None:
        if tally.first is None:
            tally.first = tally.base + exc.start
        tally.bad += exc.end - exc.start
        tally.hits += 1
    return "\ufffd", exc.end


codecs.register_error(_REPLACE, _count_and_replace)


def _decode_counted(decoder: codecs.IncrementalDecoder, data: bytes, final: bool, tally: _Tally) -> str:
    token = _TALLY.set(tally)
    try:
        return decoder.decode(data, final=final)
    finally:
        _TALLY.reset(token)


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


def detect_encoding(data: bytes, language: str | None = None, complete: bool = True,
                    samples: Sequence[tuple[bytes, bool]] = ()) -> str | None:
    """The encoding of an input that starts with ``data``: a BOM, else UTF-8 if valid (or valid but
    for a few bad bytes), else charset-normalizer's least chaotic decoding — among equally clean
    ones, the one usual for ``language`` (default: Chinese), else Windows-1252 for Latin text.

    ``complete=False`` means ``data`` is only the start of the input (it may end mid-character);
    ``samples`` are later pieces of the input (each may start mid-character), each with whether it
    reaches the end of the input."""
    return _sniff(data, complete, samples, language)[0]


def _sniff(head: bytes, complete: bool, samples: Sequence[tuple[bytes, bool]],
           language: str | None) -> tuple[str | None, bool]:
    """:func:`detect_encoding`, and whether the input is UTF-8 with a few bad bytes."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, False
    bad = wide = 0
    for data, final in [(head, complete), *((_skip_continuation(d), f) for d, f in samples)]:
        damage, chars = _utf8_damage(data, final)
        bad, wide = bad + damage, wide + chars
    if not bad:
        return "utf-8", False
    if wide >= MOSTLY_UTF8 * bad:
        return "utf-8", True
    pieces = [_whole_characters(head, False, not complete),
              *(_whole_characters(d, True, not final) for d, final in samples)]
    return _legacy_encoding(b"\n".join(p for p in pieces if p), language), False


def _skip_continuation(data: bytes) -> bytes:
    """A piece from the middle of UTF-8 may start inside a character: skip its continuation bytes."""
    skip = 0
    while skip < min(3, len(data)) and 0x80 <= data[skip] <= 0xBF:
        skip += 1
    return data[skip:]


def _utf8_damage(data: bytes, final: bool) -> tuple[int, int]:
    """(bad bytes, valid characters beyond ASCII) of ``data`` read as UTF-8: all of the valid
    start, then a window from the first bad byte on (enough to tell a few bad bytes from another
    encoding, and quick: a legacy encoding has a bad byte in every other character)."""
    try:
        return 0, _wide(codecs.getincrementaldecoder("utf-8")().decode(data, final=final))
    except UnicodeDecodeError as exc:
        start = exc.start
    tally, window = _Tally(), data[start:start + DAMAGE_WINDOW]
    text = _decode_counted(codecs.getincrementaldecoder("utf-8")(_REPLACE), window,
                           final and start + DAMAGE_WINDOW >= len(data), tally)
    return tally.bad, _wide(data[:start].decode("utf-8")) + _wide(text) - tally.hits


def _wide(text: str) -> int:
    """How many characters of ``text`` are beyond ASCII."""
    return len(text) - len(text.encode("ascii", "ignore"))


def _whole_characters(data: bytes, cut_start: bool, cut_end: bool) -> bytes:
    """``data`` cut to whole characters of any ASCII-compatible encoding: after its first and up to
    its last byte below 0x40 (never part of a GBK, Big5 or Shift-JIS character)."""
    if cut_start:
        first = _SAFE_BYTE.search(data)
        data = data[first.end():] if first else b""
    if cut_end and (last := _LAST_SAFE_BYTE.search(data)):
        data = data[:last.start() + 1]
    return data


def _legacy_encoding(data: bytes, language: str | None) -> str | None:
    if (language or "zh") == "zh" and (chinese := _chinese_encoding(data, True)):
        return chinese
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    cleanest = min(m.chaos for m in matches)
    tied: list[str] = []  # with the encodings that decode these bytes identically
    for m in matches:
        if m.chaos <= cleanest + 0.01:
            tied.extend(name for name in (m.encoding, *m.could_be_from_charset) if name not in tied)
    for name in PREFERRED.get(language or "zh", ()) + PREFERRED["zh"] + LATIN_PREFERRED:
        if name in tied:
            return name
    return tied[0]


def _chinese_encoding(data: bytes, complete: bool) -> str | None:
    """GB18030 when the text decodes to (almost only) GB2312 characters — the common simplified
    ones, which Big5 or Shift-JIS bytes rarely produce — else Big5 when it decodes to mostly its
    frequent characters (level 1; Latin-1 accents followed by a letter decode to level 2).
    Statistical detectors need more text than a headline to tell these apart."""
    for name, usual, share in (("gb18030", _in_gb2312, 0.97), ("big5", _big5_frequent, 0.8)):
        try:
            text = codecs.getincrementaldecoder(name)().decode(data, final=complete)
        except UnicodeDecodeError:
            continue
        wide = Counter(_NON_ASCII.findall(text))
        if not wide:
            continue
        if sum(n for ch, n in wide.items() if usual(ch)) >= share * wide.total():
            return name
    return None


def _in_gb2312(ch: str) -> bool:
    return _encodable(ch, "gb2312")


def _big5_frequent(ch: str) -> bool:
    """A Big5 symbol or level-1 (frequent) character: lead byte up to 0xC6."""
    try:
        return ch.encode("big5")[0] <= 0xC6
    except UnicodeEncodeError:
        return False


def _encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


def _decode_chunks(chunks: Iterator[bytes], encoding: str | None, name: str, language: str | None,
                   errors: str = "strict", samples: Sequence[tuple[bytes, bool]] = (), *,
                   clean: bool = True) -> Iterator[str]:
    """Decode a byte stream incrementally; yield normalised text that always ends at a line break
    (except the last piece), so memory stays bounded by the longest line.

    The encoding is sniffed on the first chunk and ``samples`` (see :func:`detect_encoding`).
    ``errors="replace"``: undecodable bytes become U+FFFD, and a :class:`DecodingWarning` at the
    end says how many."""
    if errors not in ERRORS:
        raise UsageError(f"unknown error handling '{errors}' (strict or replace)", option="errors")
    head = next(chunks, b"")
    if not head:
        return
    chosen = encoding
    if chosen is None:
        chosen, damaged = _sniff(head, len(head) < CHUNK_BYTES and not samples, samples, language)
        if damaged and errors == "strict":
            utf8 = codecs.lookup("utf-8").incrementaldecoder(_REPLACE)
            raise _damage_error(name, "utf-8", False, utf8, _chain(head, chunks), 0, 0)
        if chosen is None and errors == "replace":
            chosen = "utf-8"  # decode anyway (binary input is still refused below)
    if chosen is None:
        raise InputError(f"{name} is not text in any known encoding (binary file?); "
                         "name its encoding if you know it", option="encoding")
    try:
        info = codecs.lookup(chosen)
    except LookupError:
        raise UsageError(f"unknown encoding '{encoding}'", option="encoding") from None
    if not getattr(info, "_is_text_encoding", True):
        raise UsageError(f"'{encoding}' is not a text encoding", option="encoding")
    decoder = info.incrementaldecoder(_REPLACE if errors == "replace" else "strict")
    tally = _Tally()
    pending, offset = "", 0
    for data in _chain(head, chunks):
        state = decoder.getstate()
        tally.base = offset - _held(state)
        try:
            text = pending + _decode_counted(decoder, data, not data, tally)
        except UnicodeDecodeError as exc:
            rescan = info.incrementaldecoder(_REPLACE)
            with contextlib.suppress(Exception):
                rescan.setstate(state)
            raise _damage_error(name, chosen, encoding is not None, rescan, _chain(data, chunks), offset,
                                _held(state), tally.base + exc.start) from None
        offset += len(data)
        cut = len(text) if not data else max(text.rfind("\n"), text.rfind("\r", 0, len(text) - 1)) + 1
        piece, pending = text[:cut], text[cut:]
        if piece:
            if "\x00" in piece or len(CONTROL.findall(piece)) > BINARY_CONTROL_SHARE * len(piece) + 2:
                raise InputError(f"{name} looks like a binary file, not text")
            yield clean_text(piece) if clean else piece
    if tally.bad:
        label = chosen if encoding else _label(chosen)
        warnings.warn(f"{name} is not valid {label}: replaced {_bytes(tally.bad, 'bad byte')} with U+FFFD "
                      f"(the first at byte {tally.first})", DecodingWarning, stacklevel=2)


def _held(state: tuple[object, int]) -> int:
    """How many bytes an incremental decoder's state holds back (a character cut by a chunk boundary)."""
    return len(state[0]) if isinstance(state[0], bytes) else 0


def _damage_error(name: str, encoding: str, given: bool, decoder: codecs.IncrementalDecoder,
                  chunks: Iterator[bytes], offset: int, held: int = 0, first: int | None = None) -> InputError:
    """The error for undecodable input: where the first bad byte is and how many there are, found by
    reading the rest of it (``chunks``, from ``offset``; ``decoder`` holds ``held`` bytes before it)
    and counting, up to :data:`COUNT_BAD_UP_TO`."""
    tally = _Tally()
    for data in chunks:
        if tally.bad < COUNT_BAD_UP_TO:
            tally.base = offset - held
            _decode_counted(decoder, data, not data, tally)
            held = _held(decoder.getstate())
        offset += len(data)
    bad = f"{_bytes(tally.bad, 'bad byte')}{'+' if tally.bad >= COUNT_BAD_UP_TO else ''} in {_size(offset)}"
    at = tally.first if tally.first is not None else (first or 0)
    advice = "name the right encoding" if given else "name its encoding"
    label = encoding if given else _label(encoding)  # the user's own spelling of a name they gave
    return InputError(f"{name} is not valid {label} at byte {at} ({bad}); {advice}, or replace the "
                      "bad bytes", option="encoding_or_errors")


def _label(encoding: str) -> str:
    return "UTF-8" if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig") else encoding


def _bytes(count: int, what: str) -> str:
    return f"{count} {what}{'' if count == 1 else 's'}"


def _size(count: int) -> str:
    """A byte count for people: 31 bytes, 12 KB, 2.1 MB, 1.4 GB."""
    if count < 1000:
        return _bytes(count, "byte")
    for unit, scale in (("KB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if count < scale * 1000 or unit == "GB":
            value = count / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")


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
    text = strip_invisible(text)
    text = CONTROL.sub("", text)
    return SPACES.sub(" ", text)


def iter_text(source: str | Path, encoding: str | None = None, language: str | None = None,
              errors: str = "strict") -> Iterator[str]:
    """Stream a document from a path or ``"-"`` (stdin) as decoded, normalised pieces of whole lines.

    ``language`` (e.g. ``zh``) only breaks ties between legacy encodings on short inputs.
    ``errors``: ``"strict"`` (undecodable bytes are an ``InputError`` naming the first) or
    ``"replace"`` (they become U+FFFD; a :class:`DecodingWarning` says how many).

    Without ``encoding``, it is sniffed on the first MiB plus a piece of the middle and the end of
    the input when it is seekable (a file, or stdin redirected from one). A pipe cannot be read
    ahead: only its first MiB is sniffed, and a later byte that does not fit is an error then.
    """
    with open_binary(source) as stream:
        yield from iter_stream(stream, stream.read(CHUNK_BYTES), source_label(source), encoding, language, errors)


def source_label(source: str | Path) -> str:
    """How messages name an input: ``stdin`` or the quoted path."""
    return "stdin" if str(source) == STDIN else f"'{source}'"


def iter_stream(stream: BinaryIO, head: bytes, name: str, encoding: str | None = None, language: str | None = None,
                errors: str = "strict") -> Iterator[str]:
    """:func:`iter_text` on an opened stream whose first bytes, ``head`` (up to :data:`CHUNK_BYTES`),
    were already read from it — so that a pipe or FIFO, which cannot be reopened or rewound, is
    read exactly once however its kind was sniffed."""
    samples = _later_samples(stream, len(head), name) if encoding is None and len(head) == CHUNK_BYTES else []
    rest = iter(lambda: stream.read(CHUNK_BYTES), b"") if len(head) == CHUNK_BYTES else iter(())  # a short read
    yield from _decode_chunks(itertools.chain([head], rest), encoding, name, language, errors, samples)  # was EOF


def _later_samples(stream: BinaryIO, start: int, name: str) -> list[tuple[bytes, bool]]:
    """A piece of the middle and the end of a seekable stream (each with whether it reaches the
    end), read ahead for sniffing; the stream is left at ``start``. A pipe gives none."""
    try:
        if not stream.seekable():
            return []
        end = stream.seek(0, io.SEEK_END)
    except (OSError, ValueError):
        return []
    samples = []
    try:
        tail = max(start, end - SAMPLE_BYTES)
        middle = max(start, end // 2 - SAMPLE_BYTES // 2)
        if middle + SAMPLE_BYTES < tail:
            stream.seek(middle)
            samples.append((stream.read(SAMPLE_BYTES), False))
        if tail < end:
            stream.seek(tail)
            samples.append((stream.read(end - tail), True))
    except (OSError, ValueError):
        samples = []
    try:
        stream.seek(start)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}") from None
    return samples


def decode_text(data: bytes, name: str, encoding: str | None = None, language: str | None = None,
                errors: str = "strict", *, clean: bool = True) -> str:
    """Decode and clean bytes already in memory (a fetched page, say) the way files are read;
    ``clean=False`` only decodes (Markdown, whose tags and entities are its own)."""
    return "".join(_decode_chunks(iter([data]), encoding, name, language, errors, [], clean=clean))


def read_text(source: str | Path, encoding: str | None = None, language: str | None = None,
              errors: str = "strict") -> str:
    """Read, decode and normalise a whole document from a path or ``"-"`` (stdin); ``errors`` as in
    :func:`iter_text`."""
    return "".join(iter_text(source, encoding, language, errors))
