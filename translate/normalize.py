"""One table of text normalisation, shared by the readers of plain text (:func:`translate.reading.clean_text`)
and of web pages (:func:`translate.sources.html.text.clean`).

Both remove the invisible characters — zero-width space, word joiner, BOM (U+FEFF), soft hyphen,
Mongolian vowel separator, and the joiners U+200C/U+200D except where they join (U+200D inside an
emoji sequence; either between letters of a script that shapes by joining: Persian "می‌خواهم",
Devanagari half forms) — and the control characters other than tab and line breaks; both turn
no-break and other Unicode spaces into a plain space. Where they must differ:

* plain text keeps its layout — line breaks, tabs, runs of spaces and the full-width space U+3000
  (a Chinese paragraph indent) — because its paragraphs are found from its lines; the control
  characters that are whitespace (vertical tab, form feed, U+001C–U+001F, U+0085) are removed with
  the other controls;
* a web page's inline text is shown as a browser shows it: every run of whitespace — line breaks,
  U+3000 and the whitespace control characters included — is one space, and the text is trimmed.
"""

from __future__ import annotations

import re

# The table: each a regex character class's contents.
INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
CONTROL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 and C1 controls but tab, LF and CR
SPACE_CHARS = "\u00a0\u1680\u2000-\u200a\u202f\u205f"  # become a plain space

INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")
CONTROL = re.compile(f"[{CONTROL_CHARS}]")
SPACES = re.compile(f"[{SPACE_CHARS}]")

# Joiners that mean something: U+200D inside emoji sequences, U+200C/U+200D between the letters of
# scripts that shape by joining (Arabic script: Persian "می‌خواهم"; Indic and Southeast Asian scripts).
_PICTOGRAPHIC = ((0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
                 (0x2139, 0x2139), (0x2194, 0x21FF), (0x2300, 0x23FF), (0x24C2, 0x24C2), (0x25A0, 0x27BF),
                 (0x2934, 0x2935), (0x2B00, 0x2BFF), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297),
                 (0x3299, 0x3299), (0x1F000, 0x1FAFF), (0x1FC00, 0x1FFFD))
_EMOJI_TAIL = ((0xFE0F, 0xFE0F), (0x1F3FB, 0x1F3FF), (0xE0020, 0xE007F))  # variation selector, skin tone, tags
_JOINING = ((0x0600, 0x06FF), (0x0700, 0x074F), (0x0750, 0x077F), (0x07C0, 0x07FF), (0x0870, 0x08FF),
            (0x0900, 0x0DFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x1800, 0x18AF), (0xA8E0, 0xA8FF),
            (0xFB50, 0xFDFF), (0xFE70, 0xFEFC))


def _within(ch: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    return bool(ch) and any(lo <= ord(ch) <= hi for lo, hi in ranges)


def _invisible(match: re.Match[str]) -> str:
    """Remove an invisible character, unless it is a joiner doing its job."""
    char, text, at = match.group(), match.string, match.start()
    if char in "\u200c\u200d":
        before, after = text[at - 1:at], text[at + 1:at + 2]
        if char == "\u200d" and _within(after, _PICTOGRAPHIC) and \
                (_within(before, _PICTOGRAPHIC) or _within(before, _EMOJI_TAIL)):
            return char
        if _within(before, _JOINING) and _within(after, _JOINING):
            return char
    return ""


def strip_invisible(text: str) -> str:
    """``text`` without its invisible characters, the joiners that join kept (module docstring)."""
    return INVISIBLE.sub(_invisible, text)
