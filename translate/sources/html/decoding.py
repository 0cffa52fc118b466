"""A page's bytes → its text.

A BOM wins (UTF-16 without one is recognised by its NUL bytes); bytes that are valid UTF-8 are
UTF-8 whatever is declared (a legacy-encoded page with Chinese text is practically never valid
UTF-8, while pages re-saved as UTF-8 often keep a stale declaration); then the server's charset
(``http_charset``, from the HTTP ``Content-Type``) and the page's own declaration (``<meta
charset>``, ``http-equiv``, an XML declaration — looked for in the first bytes, then anywhere
before ``<body>``), in that order, each used only when the bytes decode with it cleanly — and, for
GBK and Big5, which often decode each other's bytes cleanly into nonsense, when the detector does
not find the other or UTF-8 (GB2312 and GBK are read as their superset GB18030, Big5 as
Big5-HKSCS, Latin-1/ASCII as Windows-1252, as browsers do); else
:func:`translate.reading.detect_encoding`. A :class:`PageWarning` names the declarations and the
encoding used when a declaration was not used, and says how many byte sequences became U+FFFD
when some did not decode. An image or other binary data is recognised (:func:`not_a_page`).
"""

from __future__ import annotations

import codecs
import re
import warnings

from .page_warnings import PageWarning

PRESCAN_BYTES = 8192  # where a page's charset declaration is looked for first (the HTML spec says 1024)
BINARY_SHARE = 0.05  # more control bytes than this in a page's first 64 KiB: binary data, not a page

_ENCODING_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "gb18030": "gb18030",
    "chinese": "gb18030", "csgb2312": "gb18030", "iso-ir-58": "gb18030", "x-euc-cn": "gb18030", "euc-cn": "gb18030",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-x-big5": "big5hkscs", "cn-big5": "big5hkscs",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "iso8859-1": "cp1252", "l1": "cp1252", "windows-1252": "cp1252",
    "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8",  # a declaration in ASCII bytes cannot be UTF-16
    "shift_jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949",
}
_META = re.compile(rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"\s*<\?xml\s[^>]*?encoding\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
_BODY_START = re.compile(rb"<body[\s>/]", re.IGNORECASE)
_CONTROL_BYTES = bytes([*range(9), *range(14, 27), *range(28, 32)])  # not \t \n \v \f \r, nor ESC (ISO-2022)
_CHINESE = {"gb18030", "big5hkscs"}  # GBK bytes often decode as Big5 without an error, and the reverse
_SIGNATURES = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
               (b"%PDF-", "a PDF document"), (b"PK\x03\x04", "a ZIP archive"), (b"\x1f\x8b", "gzip-compressed data"))
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _codec(label: str) -> str | None:
    """The Python codec for a charset label (browser aliases: module docstring), or None."""
    label = label.lower().strip(".:")
    try:
        return codecs.lookup(_ENCODING_ALIASES.get(label, label)).name
    except LookupError:
        return None


def _declaration(data: bytes) -> tuple[str, str] | None:
    """(label as written, codec) of the charset a page declares: an XML declaration at its start, or
    a ``<meta>`` in its first bytes or, failing that, anywhere before ``<body>``."""
    body = _BODY_START.search(data)
    head = data[:max(PRESCAN_BYTES, body.start() if body else len(data))]
    found = [m for m in (_XML_DECLARATION.match(data[:512]),) if m]
    for match in (*found, *_META.finditer(head)):
        label = match.group(1).decode("ascii", "ignore").strip(".:")
        if codec := _codec(label):
            return label, codec
    return None


def declared_encoding(data: bytes) -> str | None:
    """The Python codec for the charset a page declares (:func:`_declaration`), or None."""
    found = _declaration(data)
    return found[1] if found else None


def _bad_sequences(data: bytes, codec: str) -> tuple[str, int]:
    """``data`` decoded with U+FFFD for what does not decode, and how many byte sequences did not."""
    text = data.decode(codec, errors="replace")
    if "\ufffd" not in text:
        return text, 0
    return text, text.count("\ufffd") - data.decode(codec, errors="ignore").count("\ufffd")


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` for a page that starts with ``<`` written in UTF-16 with no BOM, its
    markup's ASCII leaving every other byte NUL."""
    head = data[:256]
    for start, zeros, name in ((b"<\x00", head[1::2], "utf-16-le"), (b"\x00<", head[0::2], "utf-16-be")):
        if head.startswith(start) and zeros.count(0) > 0.5 * len(zeros):
            return name
    return None


def not_a_page(data: bytes) -> str | None:
    """What binary data is (an image…), or None for text."""
    if data.startswith(tuple(bom for bom, _ in _BOMS)) or _utf16_without_bom(data):
        return None
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            return what
    sample = data[:65536]
    if len(sample) - len(sample.translate(None, _CONTROL_BYTES)) > BINARY_SHARE * len(sample) + 8:
        return "binary data"
    return None

def decode_html(data: bytes, http_charset: str | None = None) -> str:
    """Decode a page's bytes (module docstring: BOM, the server's charset, the page's declaration,
    UTF-8, detector), with a :class:`PageWarning` when a declaration did not fit or bytes did not decode."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decoded(data, name, name)
    if utf16 := _utf16_without_bom(data):
        return _decoded(data, utf16, "UTF-16")
    declared = _declaration(data)
    claims = [(label, codec, who) for label, codec, who in (
        (http_charset, _codec(http_charset or ""), "the server says the page is"),
        (*(declared or ("", None)), "the page says it is")) if label and codec]
    try:  # valid UTF-8 with non-ASCII text is UTF-8 whatever is declared (a stale declaration)
        text = data.decode("utf-8")
        if not data.isascii():
            _disagreement(claims, "utf-8", "UTF-8, which its bytes are")
        return text
    except UnicodeDecodeError:
        pass
    detected: list[str] = []

    def detector() -> str:
        from ...reading import detect_encoding

        if not detected:
            detected.append(_codec(detect_encoding(data) or "") or (claims[0][1] if claims else "utf-8"))
        return detected[0]

    for label, codec, _ in claims:
        text, bad = _bad_sequences(data, codec)
        if not bad and (codec not in _CHINESE or detector() == codec or detector() not in {*_CHINESE, "utf-8"}):
            _disagreement(claims, codec, label)
            return text
    used = detector()
    label = "UTF-8" if used == "utf-8" else used
    _disagreement(claims, used, f"{label} (detected, as the bytes fit no declaration)")
    return _decoded(data, used, label)


def _decoded(data: bytes, codec: str, label: str) -> str:
    text, bad = _bad_sequences(data, codec)
    if bad:
        warnings.warn(f"{bad} byte sequence{'s' if bad > 1 else ''} of the page {'are' if bad > 1 else 'is'} not "
                      f"valid {label}: {'they' if bad > 1 else 'it'} became U+FFFD", PageWarning, stacklevel=4)
    return text


def _disagreement(claims: list[tuple[str, str, str]], used: str, label: str) -> None:
    """One warning line naming the declarations and the encoding used, when one of them was not used."""
    if any(codec != used for _, codec, _ in claims):
        said = " and ".join(f"{who} {claimed}" for claimed, _, who in claims)
        warnings.warn(f"{said}; read as {label}", PageWarning, stacklevel=4)

