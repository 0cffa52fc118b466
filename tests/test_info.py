"""TranslationInfo: the typed echo of what produced a translation (options as they ran, model
identity, counts), from which output headers derive; and Translator.for_languages, which gives a
translator for another pair or decoding that shares the models (what a server needs)."""

from __future__ import annotations

import dataclasses
import json

from translate import DecodingOptions, LoadOptions, PipelineOptions, TranslationInfo, Translator


def test_info_is_typed_and_echoes_the_options_as_they_ran(toy_model):
    t = Translator(str(toy_model), num_beams=3, cache=False, batch_size=4)
    doc = t.translate("中国。")
    info = doc.info
    assert isinstance(info, TranslationInfo)
    assert isinstance(info.load, LoadOptions) and isinstance(info.decoding, DecodingOptions)
    assert isinstance(info.pipeline, PipelineOptions)
    assert info.decoding.num_beams == 3 and info.pipeline.batch_size == 4
    assert info.load.backend in ("ctranslate2", "transformers")  # as it ran, not "auto"
    assert info.model == str(toy_model) and info.identity
    header = info.header()
    assert header["num_beams"] == 3 and header["identity"] == info.identity
    assert dict(info) == header and info["model"] == str(toy_model)  # reads like the header it makes
    json.dumps(header)  # what the JSONL header writes


def test_file_translation_info_carries_the_calls_counts(toy_model, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("中国。\n\n中国。\n", encoding="utf-8")
    done = Translator(str(toy_model), cache=False).translate_file(source, tmp_path / "out.txt")
    assert done.info is not None and done.info.stats == done.stats
    assert done.stats.translated + done.stats.cached >= 1


def test_empty_input_has_no_info(toy_model):
    assert Translator(str(toy_model), cache=False).translate("").info is None


def test_for_languages_shares_the_model_and_keeps_the_original(toy_model):
    t = Translator(str(toy_model), cache=False)
    beams = t.for_languages(decoding=DecodingOptions(num_beams=2))
    zh = t.for_languages(source_language="zh")
    assert beams.backend is t.backend and zh.backend is t.backend  # loaded once
    assert beams.decoding.num_beams == 2 and t.decoding.num_beams is None
    assert zh.load.source_language == "zh" and t.load.source_language == "auto"
    assert beams.translate("中国。").text == t.translate("中国。").text
    assert beams.translate("中国。").info.decoding.num_beams == 2


def test_routed_for_languages_shares_the_model_pool():
    t = Translator(cache=False, offline=True)
    other = t.for_languages(target_language="fr")
    assert other.routed and other.load.target_language == "fr" and t.load.target_language == "en"
    assert dataclasses.replace(t.load, target_language="fr") == other.load
