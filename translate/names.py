"""Names rendered the same way throughout a document.

Opus-MT renders a name (张晓波, 红其拉甫, 海关总署) differently from one sentence to the next. Here:

1. :func:`find_names` finds the person, place and organisation names of a Chinese document with
   jieba's part-of-speech tagger (``nr``/``nrfg``/``nrt`` person, ``ns`` place, ``nt``
   organisation; its dictionary and HMM ship inside the wheel: nothing is downloaded). Names in
   at least two sentences are kept.
2. The pipeline translates each name alone (one small extra batch, cached like any sentence);
   a rendering is *confident* when it reads as a proper noun (:func:`looks_like_name`: every
   word capitalised, function words aside) and the model used it, capitalised, in at least one
   of the document's sentences (:func:`used_as_name`) — the first confident rendering. A name in
   the glossary keeps the glossary's rendering.
3. A sentence that contains a confident name but not its rendering is translated again with the
   name protected like a glossary term (placeholder, then the rendering put back).

jieba is imported on first use only (``import translate`` stays cheap); it costs about a second
to load its dictionary.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable

NAME_TAGS = frozenset({"nr", "nrfg", "nrt", "ns", "nt"})
FUNCTION_WORDS = frozenset({"of", "and", "the", "for", "in", "on", "at", "to", "de", "du", "des", "la", "le", "von",
                            "van", "y", "&"})
_WORD = re.compile(r"[^\W\d_][\w'’\-]*")


def _segmenter():  # pragma: no cover - trivial
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba imports pkg_resources, which warns
        import jieba
        import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def tagged_names(text: str) -> list[tuple[str, str]]:
    """``(word, tag)`` for every person, place or organisation name jieba finds in ``text``."""
    return [(w.word, w.flag) for w in _segmenter().cut(text) if w.flag in NAME_TAGS and len(w.word) >= 2]


def find_names(sentences: Iterable[str], min_sentences: int = 2) -> dict[str, int]:
    """Names that occur in at least ``min_sentences`` of ``sentences``, with how many, most first."""
    counts: Counter[str] = Counter()
    for sentence in sentences:
        counts.update({word for word, _ in tagged_names(sentence)})
    return {name: n for name, n in counts.most_common() if n >= min_sentences}


def clean_rendering(text: str) -> str:
    """A name's standalone translation without the sentence punctuation a model adds."""
    return text.strip().rstrip(".。!！?？;；,，:：").strip().strip("\"'“”‘’").strip()


def looks_like_name(rendering: str) -> bool:
    """Whether an English-like rendering reads as a proper noun: 1–6 words, every one capitalised
    except function words (``of``, ``and``, ``the``…)."""
    words = _WORD.findall(rendering)
    if not words or len(words) > 6 or len(rendering) > 80:
        return False
    return all(w[0].isupper() or w.lower() in FUNCTION_WORDS for w in words) and words[0][0].isupper()


def used_as_name(rendering: str, output: str) -> bool:
    """Whether ``output`` uses ``rendering`` as a name: capitalised as given, and not only as the
    output's first word (where any word is capitalised) unless it has several words."""
    at = output.find(rendering)
    while at >= 0:
        if at > 0 or len(_WORD.findall(rendering)) > 1:
            return True
        at = output.find(rendering, at + 1)
    return False
