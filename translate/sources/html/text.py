"""Text as the page reader keeps and compares it: inline text cleaned as a reader sees it,
whitespace-free keys for matching what two parsers made of the same words, and how much text there is.
The characters removed are :mod:`translate.normalize`'s table, shared with plain text."""

from __future__ import annotations

import re

from ...normalize import CONTROL, CONTROL_CHARS, INVISIBLE_CHARS, strip_invisible

_WS = re.compile(r"\s+")  # Unicode whitespace: U+3000, no-break spaces and the whitespace controls included
_NO_WS = re.compile(f"[\\s{INVISIBLE_CHARS}{CONTROL_CHARS}]+")  # what clean drops, and joiners
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


def _control(match: re.Match[str]) -> str:
    """A control character goes, as in plain text; one that is whitespace collapses with the rest of it."""
    return " " if match.group().isspace() else ""


def clean(text: str) -> str:
    """Inline text as a reader sees it: invisible and control characters gone (joiners that join
    kept), runs of whitespace (no-break and full-width spaces included) one space, trimmed."""
    return _WS.sub(" ", CONTROL.sub(_control, strip_invisible(text))).strip()


def key(text: str) -> str:
    """Whitespace-free text, for comparing what two parsers made of the same words."""
    return _NO_WS.sub("", text)


def units(text: str) -> int:
    """How much text: words, with each CJK character counting as one word."""
    return len(_CJK.findall(text)) + len(_WORD.findall(_CJK.sub(" ", text)))
