"""What a translation must carry over from its source: every number, and every Latin-script token
of a CJK source (GDP, 5G, COVID-19, iPhone, PM2.5).

Numbers are compared by value, after normalising how each language writes them: full-width
digits, thousands separators, Chinese scales (万, 亿, 万亿, 千) and English ones (thousand, million,
billion, trillion), so 1,234.5亿元 matches "123.45 billion yuan"; a month (9月) may come back as
its name (September); small numbers and ordinals may come back as words (three, third).
"""

from __future__ import annotations

import re
import unicodedata

_NUMBER = re.compile(r"(?<![A-Za-z0-9.])[0-9]+(?:[.,][0-9]+)*")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_SCALE_AFTER = re.compile(r"\s*(万亿|亿|万|千|百万|thousand|million|billion|trillion|hundred(?:\s+million)?|bn\b)",
                          re.IGNORECASE)
SCALES = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "百万": 1e6, "thousand": 1e3, "million": 1e6, "billion": 1e9,
          "trillion": 1e12, "hundred": 1e2, "hundred million": 1e8, "bn": 1e9}
_MONTH_AFTER = re.compile(r"\s*月")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
WORDS: dict[str, float] = {  # float: "half" is 0.5
    w: i for i, w in enumerate(("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                                "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                                "seventeen", "eighteen", "nineteen", "twenty"))}
WORDS.update({w: i + 1 for i, w in enumerate(("first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                                              "eighth", "ninth", "tenth"))})
WORDS.update({"dozen": 12, "half": 0.5, "double": 2, "twice": 2})
_LATIN_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9][A-Za-z0-9.+\-]*[A-Za-z0-9+]|(?<![A-Za-z0-9])[A-Za-z]")
_WORD = re.compile(r"[a-z]+")


def _value(digits: str) -> float | None:
    text = digits.replace(",", "") if re.search(r",\d{3}(?!\d)", digits) else digits.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def numbers(text: str) -> list[tuple[str, float, bool]]:
    """(as written, value, is a month) for every number in ``text``, scales applied."""
    text = text.translate(_FULL_WIDTH)
    found = []
    for m in _NUMBER.finditer(text):
        value = _value(m.group())
        if value is None:
            continue
        pos = m.end()  # matched in place: slicing off the rest for each number is quadratic
        while (scale := _SCALE_AFTER.match(text, pos)) is not None:
            value *= SCALES[" ".join(scale.group(1).lower().split())]
            pos = scale.end()
        month = bool(_MONTH_AFTER.match(text, m.end())) and 1 <= value <= 12
        found.append((m.group(), value, month))
    return found


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def missing_numbers(source: str, output: str) -> list[str]:
    """Numbers of ``source`` that ``output`` does not carry (by value, or as a month or word)."""
    values = [v for _, v, _ in numbers(output)]
    words = set(_WORD.findall(output.lower()))
    values += [WORDS[w] for w in words if w in WORDS]
    missing = []
    for written, value, month in numbers(source):
        if any(_close(value, v) for v in values):
            continue
        if month and any(len(w) >= 3 and MONTHS[int(value) - 1].startswith(w) for w in words):
            continue  # September, Sept, Sep
        missing.append(written)
    return missing


def latin_tokens(text: str) -> list[str]:
    """Latin-script tokens with at least one letter (GDP, 5G, COVID-19, PM2.5, iPhone)."""
    return [t for t in _LATIN_TOKEN.findall(unicodedata.normalize("NFKC", text)) if re.search("[A-Za-z]", t)]


def missing_tokens(source: str, output: str) -> list[str]:
    """Latin-script tokens of a CJK ``source`` that ``output`` does not contain (case-insensitive)."""
    lowered = unicodedata.normalize("NFKC", output).lower()
    return [t for t in latin_tokens(source) if t.lower() not in lowered]
