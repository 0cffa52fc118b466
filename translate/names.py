"""Names rendered the same way throughout a document.

Opus-MT renders a name (张晓波, 红其拉甫, 海关总署) differently from one sentence to the next. Here:

1. :func:`find_names` finds the person, place and organisation names of a Chinese document with
   jieba's part-of-speech tagger (``nr``/``nrfg``/``nrt`` person, ``ns`` place, ``nt``
   organisation; its dictionary and HMM ship inside the wheel: nothing is downloaded). Names in
   at least two sentences are kept.
2. The pipeline translates each name alone (at most ``MAX_NAMES`` of a document, the most frequent,
   decoded in the first batches of its sentences and cached like any sentence;
   ``translate/names_pass.py``);
   a rendering is *confident* when it reads as a proper noun (:func:`looks_like_name`: every
   word capitalised, function words aside) and the model used it, capitalised, in at least one
   of the document's sentences (:func:`used_as_name`) — the first confident rendering. A name in
   the glossary keeps the glossary's rendering.
3. A sentence that contains a confident name but not its rendering is translated again with the
   name protected like a glossary term (placeholder, then the rendering put back).

jieba is imported only when a name can recur (:func:`may_recur`): its dictionary costs about a
second and 130 MB, which a short document, English input or ``consistent_names=False`` (the default) never
pay.
Its cache lives in the tool's cache folder, not in the shared temp folder, where another user's
``jieba.cache`` would make every run fail to write it.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence

NAME_TAGS = frozenset({"nr", "nrfg", "nrt", "ns", "nt"})
FUNCTION_WORDS = frozenset({"of", "and", "the", "for", "in", "on", "at", "to", "de", "du", "des", "la", "le", "von",
                            "van", "y", "&"})
_WORD = re.compile(r"[^\W\d_][\w'’\-]*")
_TAGGABLE = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._]{2,}")  # the runs jieba's tagger cuts into words


def _segmenter():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba imports pkg_resources, which warns
        import jieba
        import jieba.posseg

    # Its only error log is a cache it could not write (a traceback): it then just works without one.
    jieba.setLogLevel(logging.CRITICAL)
    if jieba.dt.tmp_dir is None and jieba.dt.cache_file is None:  # an application's own choice wins
        jieba.dt.tmp_dir = _cache_folder()
        jieba.dt.cache_file = f"jieba-{jieba.__version__}.cache"  # jieba trusts a default-dictionary cache blindly
    return jieba.posseg


def _cache_folder() -> str:
    """The translation memory's folder (``TRANSLATE_CACHE_DIR``…), user-only; when it cannot be
    created, jieba fails to write there and goes on without a cache — never in the temp folder."""
    from .memory.store import default_memory_path

    folder = default_memory_path().parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        pass
    return str(folder)


def may_recur(sentences: Sequence[str]) -> bool:
    """Whether two of ``sentences`` share two taggable characters in a row, as a name (two
    characters at least) found in both must: when not, no name can be in two sentences."""
    seen: set[str] = set()
    for sentence in sentences:
        pairs = {run[i:i + 2] for run in _TAGGABLE.findall(sentence) for i in range(len(run) - 1)}
        if not seen.isdisjoint(pairs):
            return True
        seen |= pairs
    return False


def pos_tags(text: str) -> list[tuple[str, str]]:
    """``(word, tag)`` for every word jieba's tagger finds in ``text``."""
    return [(w.word, w.flag) for w in _segmenter().cut(text)]


def tagged_names(text: str) -> list[tuple[str, str]]:
    """``(word, tag)`` for every person, place or organisation name jieba finds in ``text``."""
    return [(w.word, w.flag) for w in _segmenter().cut(text) if w.flag in NAME_TAGS and len(w.word) >= 2]


def find_names(sentences: Iterable[str], min_sentences: int = 2) -> dict[str, int]:
    """Names that occur in at least ``min_sentences`` of ``sentences``, with how many, most first;
    none at all when no name can occur in two of them (:func:`may_recur`), since only a name
    that recurs needs a consistent rendering — the tagger is then not even loaded."""
    sentences = list(sentences)
    if not may_recur(sentences):
        return {}
    tagged: dict[str, set[str]] = {}  # each distinct sentence is tagged once (the tagger is slow)
    counts: Counter[str] = Counter()
    for sentence in sentences:
        if sentence not in tagged:
            tagged[sentence] = {word for word, _ in tagged_names(sentence)}
        counts.update(tagged[sentence])
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
