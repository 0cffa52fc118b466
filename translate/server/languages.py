"""Language codes as the APIs write them, and the pairs this server translates.

LibreTranslate says ``zh``/``zh-Hans`` for Simplified and ``zt``/``zh-Hant`` for Traditional
Chinese; DeepL says ``ZH``, ``ZH-HANS``, ``ZH-HANT``, ``EN-US``, ``PT-BR``. Everything is
normalised to the codes the routing table uses (``zh``, ``zh-Hant``, ``en``, ``pt``...).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

NAMES = {"ar": "Arabic", "cs": "Czech", "de": "German", "en": "English", "es": "Spanish", "fa": "Persian",
         "fr": "French", "he": "Hebrew", "hi": "Hindi", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
         "ko": "Korean", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ru": "Russian", "sv": "Swedish",
         "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
         "zh-Hans": "Chinese (Simplified)", "zh-Hant": "Chinese (Traditional)", "yue": "Cantonese"}
_ALIASES = {"zh-hans": "zh", "zh-cn": "zh", "zh-sg": "zh", "cmn": "zh", "zho": "zh", "zt": "zh-Hant",
            "zh-hant": "zh-Hant", "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "en-us": "en", "en-gb": "en",
            "pt-br": "pt", "pt-pt": "pt", "nb": "no"}
_CODE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,4})?$")
_OPUS_FOLDER = re.compile(r"^models--Helsinki-NLP--opus-mt-([a-z]{2,3})-([a-z]{2,3})$")


def normalize(code: str) -> str | None:
    """The routing table's code for an API's language code (``ZH-HANT`` → ``zh-Hant``, ``zt`` →
    ``zh-Hant``, ``EN-US`` → ``en``); ``None`` when it is not a language code at all."""
    code = code.strip()
    if not _CODE.match(code):
        return None
    low = code.lower().replace("_", "-")
    if low in _ALIASES:
        return _ALIASES[low]
    return low.split("-")[0]


def name(code: str) -> str:
    return NAMES.get(code, code)


@dataclass(frozen=True)
class Pair:
    source: str
    target: str


def cached_pairs(hub_cache: str | os.PathLike | None = None) -> list[Pair]:
    """The OPUS-MT pairs whose models are in the Hugging Face cache (what a routed server can
    translate without downloading)."""
    from huggingface_hub import constants

    folder = Path(hub_cache or constants.HF_HUB_CACHE)
    try:
        names = sorted(entry.name for entry in os.scandir(folder))
    except OSError:
        return []
    return [Pair(m.group(1), m.group(2)) for n in names if (m := _OPUS_FOLDER.match(n))]
