"""Language helpers shared by translation and digests: which languages are CJK, what a model translates."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

HAN_KANA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
CJK_CHARS = HAN_KANA + "\uac00-\ud7af"  # plus Hangul
_CJK = re.compile(f"[{CJK_CHARS}]")
CJK_LANGUAGES = frozenset({"zh", "ja", "ko", "cmn", "yue", "jap", "zho", "jpn", "kor"})
_OPUS_MT = re.compile(r"opus-mt-(?:tc-(?:big|base)-)?([a-zA-Z]{2,3})-([a-zA-Z]{2,3})\b")

_CJK_PUNCT = "“”‘’《》「」『』…—"

__all__ = ["CJK_CHARS", "CJK_LANGUAGES", "base_language", "has_cjk", "is_cjk", "join_sentences", "model_languages",
           "source_language"]


def has_cjk(text: str) -> bool:
    """True when ``text`` contains a Chinese, Japanese or Korean character."""
    return bool(_CJK.search(text))


def base_language(code: str) -> str:
    """A language code without its script or region, lower-case: ``zh-Hant`` → ``zh``, ``pt_BR`` → ``pt``.
    The one definition: detection, routing and digests compare languages by it."""
    return code.split("-")[0].split("_")[0].lower()


def is_cjk(language: str | None) -> bool:
    """True for Chinese, Japanese and Korean codes (written without spaces between words)."""
    return language in CJK_LANGUAGES


def model_languages(name: str, folder: Path | None = None) -> tuple[str | None, str | None]:
    """(source, target) language codes from an opus-mt id, else the folder's tokenizer config."""
    match = _OPUS_MT.search(name)
    if match:
        return match.group(1).lower(), match.group(2).lower()
    config = (folder or Path(name)) / "tokenizer_config.json"
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    return data.get("source_lang"), data.get("target_lang")


def source_language(name: str, folder: Path | None = None) -> str | None:
    """Source language code of a model (e.g. ``zh`` for ``Helsinki-NLP/opus-mt-zh-en``)."""
    return model_languages(name, folder)[0]


def _wide(ch: str) -> bool:
    """CJK characters and CJK/full-width punctuation: written without spaces between them."""
    return has_cjk(ch) or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or ch in _CJK_PUNCT


def join_sentences(parts: Sequence[str]) -> str:
    """Join the sentences of one paragraph: a space between words, none inside CJK text."""
    out = ""
    for part in parts:
        if not part:
            continue
        if out and not (_wide(out[-1]) and _wide(part[0])):
            out += " "
        out += part
    return out


def chinese_pos_tags(text: str) -> list[tuple[str, str]]:
    """``(word, tag)`` for every word of Chinese ``text`` by jieba's tagger (``v`` verbs, ``n`` nouns…):
    what a caller needs to tell a clause with a predicate from a bare time or place phrase.
    jieba's dictionary loads on the first call (about a second), cached next to the translation memory."""
    from .names import pos_tags

    return pos_tags(text)
