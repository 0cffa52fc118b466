"""Guarding against model misbehaviour, sentence by sentence.

``nothing_to_translate`` finds units that pass through verbatim (numbers, URLs, e-mail addresses,
punctuation, Latin-script words inside Chinese text). ``problem`` finds what Marian models do when
they fail: repetition loops (“Come on, come on, …”), empty output, output cut at the length
limit, untranslated source characters, output that is not in the target language (a model of the
wrong direction, a source copied through), output far too long or too short for the source, and a
number or Latin-script token of the source that did not carry over (``carryover``).
Suspect sentences are retried with a finer split and anti-repetition decoding; the best attempt
is kept and marked.
"""

from __future__ import annotations

import dataclasses
import re

from .carryover import missing_numbers, missing_tokens
from .detect import SHORT_LETTERS, UNDETERMINED, detect, letter_count
from .languages import CJK_CHARS, has_cjk, is_cjk
from .options import DecodingOptions
from .routing import language_code

ANTI_REPETITION_NGRAM = 3      # the no_repeat_ngram_size of a retry
ANTI_REPETITION_PENALTY = 1.2  # the repetition_penalty of a retry
_CJK_CHAR = re.compile(f"[{CJK_CHARS}]")
_WORDLIKE = re.compile(r"[^\W\d_]")
_URL = re.compile(r"^(?:https?://|ftp://|www\.)\S+$", re.IGNORECASE)
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_RETRY_SPLIT = re.compile(r"(?<=[，、：；,;:])")
RELIABLE_LETTERS = 40      # below this, two languages of one script are not told apart reliably
RELIABLE_CONFIDENCE = 0.9
_CJK_SCRIPTS = frozenset({"Hans", "Hant", "Hani", "Jpan", "Kore"})

# how bad each problem is, to keep the best of two attempts
SEVERITY = {"empty": 4, "repetition": 4, "limit": 3, "untranslated": 3, "wrong language": 3, "too long": 2,
            "too short": 1,
            "missing number": 2, "missing token": 2, "glossary term missing": 2}
REASONS = {
    "empty": "empty translation",
    "repetition": "repetition loop in the output",
    "limit": "hit the output length limit before the end of the sentence",
    "untranslated": "untranslated source-script characters in the output",
    "wrong language": "not in target language",
    "too long": "output far longer than the source justifies",
    "too short": "output suspiciously short for the source (possible omission)",
    "missing number": "missing number",
    "missing token": "missing token",
    "glossary term missing": "glossary term missing",
}


def nothing_to_translate(unit: str, source_language: str | None) -> str | None:
    """Why ``unit`` should pass through verbatim, or None when it needs the model."""
    text = unit.strip()
    if not any(ch.isalpha() for ch in text):
        return "no words to translate"
    if _URL.match(text) or _EMAIL.match(text):
        return "URL or e-mail address"
    if is_cjk(source_language) and not has_cjk(text):
        return "Latin-script text inside a CJK-language document"
    return None


def _loops(tokens: list[str]) -> bool:
    """An n-gram (n ≤ 4) of words repeated 4+ times in a row, or one 3-gram 4+ times anywhere.
    Digits and punctuation do not count (1,000,000 or '......' are no loop)."""
    tokens = [t for t in tokens if _WORDLIKE.search(t)]
    n_tokens = len(tokens)
    for n in range(1, 5):
        for start in range(n_tokens - 4 * n + 1):
            gram = tokens[start:start + n]
            if all(tokens[start + k * n:start + (k + 1) * n] == gram for k in range(1, 4)):
                return True
    seen: dict[tuple[str, ...], int] = {}
    for i in range(n_tokens - 2):
        triple = tuple(tokens[i:i + 3])
        seen[triple] = seen.get(triple, 0) + 1
        if seen[triple] >= 4:
            return True
    return False


def wrong_language(output: str, target: str | None) -> bool:
    """Whether ``output`` is clearly not in ``target`` (None or ``mul``: not checked). Only text of
    more than ``SHORT_LETTERS`` letters is judged: by its script (no CJK character for a CJK
    target, mostly CJK for another), or — from ``RELIABLE_LETTERS`` letters on — by a confident
    detection of another language of the same script."""
    wanted = language_code(target)  # (eng → en, yue → zh: as the detector names them)
    letters = letter_count(output)  # (URLs and e-mail addresses left out)
    if wanted is None or letters <= SHORT_LETTERS:
        return False
    cjk = has_cjk(output)
    if is_cjk(wanted) and not cjk:
        return True
    if not cjk and letters < RELIABLE_LETTERS:
        return False  # (the common case, decided without running the detector)
    found = detect(output)
    if found.language == UNDETERMINED or found.letters <= SHORT_LETTERS:
        return False
    if not is_cjk(wanted) and found.script in _CJK_SCRIPTS:
        return True
    comparable = len(wanted) == 2  # an unmapped three-letter code may be a group, or named otherwise
    return (comparable and found.letters >= RELIABLE_LETTERS and found.confidence >= RELIABLE_CONFIDENCE
            and language_code(found.base) != wanted)


def problem(source: str, output: str, finished: bool, target_cjk: bool = False,
            required: tuple[str, ...] = (), target_language: str | None = None) -> str | None:
    """The worst problem of a translation (a key of ``REASONS``), or None when it looks sound.
    ``required``: target terms (a glossary's) the output must contain; ``target_language``: the
    language the output must be in (not checked when None)."""
    if source.strip() and not output.strip():
        return "empty"
    units = list(re.sub(r"\s+", "", output)) if target_cjk else re.findall(r"\w+|[^\w\s]", output.lower())
    if _loops(units):
        return "repetition"
    if not finished:
        return "limit"
    src_cjk = len(_CJK_CHAR.findall(source))
    if src_cjk and not target_cjk and len(_CJK_CHAR.findall(output)) >= 2:
        return "untranslated"
    if wrong_language(output, target_language):
        return "wrong language"
    src_size = src_cjk if src_cjk else len(source.split())
    out_words = len(output) if target_cjk else len(output.split())
    if out_words > 4 * src_size + 20:
        return "too long"
    if src_size >= 15 and out_words < 0.12 * src_size:
        return "too short"
    if missing_numbers(source, output):
        return "missing number"
    if src_cjk and not target_cjk and missing_tokens(source, output):
        return "missing token"
    if any(term not in output for term in required):
        return "glossary term missing"
    return None


def retry_pieces(unit: str) -> list[str]:
    """A finer split for a retry: the unit's clauses (or the unit itself when it has none)."""
    pieces = [p for p in _RETRY_SPLIT.split(unit) if p.strip()]
    return pieces or [unit]


def retry_decoding(options: DecodingOptions) -> DecodingOptions:
    """The decoding options of a second attempt: anti-repetition on top of the user's (a stronger
    setting the user chose is kept)."""
    return dataclasses.replace(
        options,
        no_repeat_ngram_size=min(filter(None, (options.no_repeat_ngram_size, ANTI_REPETITION_NGRAM))),
        repetition_penalty=max(options.repetition_penalty or 1.0, ANTI_REPETITION_PENALTY))
