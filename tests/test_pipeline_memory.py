"""The pipeline with a translation memory: reruns never load the model, keys follow every option,
an interrupted run keeps every finished batch."""

from __future__ import annotations

import pytest

from tests.toydoc import toy_document
from translate import Translator
from translate.options import DecodingOptions


def fail(*_a, **_k):
    raise AssertionError("the model was asked to translate")


def test_fully_cached_rerun_never_loads_the_model(toy_model, tmp_path):
    doc = toy_document(10, seed=2)
    first = Translator(str(toy_model), cache=tmp_path / "tm.sqlite3", batch_size=4)
    expected = first.translate(doc.text)
    assert first.counts["translated"] > 0
    again = Translator(str(toy_model), cache=tmp_path / "tm.sqlite3", batch_size=4)
    again.backend.translate_batch = fail
    assert again.translate(doc.text) == expected
    assert again.counts == {"cached": sum(len(p) for p in doc.paragraphs), "translated": 0, "passthrough": 0}
    assert not {"_model", "_translator", "model_dir"} & set(vars(again.backend))  # never loaded or converted


@pytest.mark.parametrize("change", [{"num_beams": 2}, {"max_new_tokens": 30}])
def test_every_output_changing_option_changes_the_key(toy_model, tmp_path, change):
    doc = toy_document(3, seed=4)
    Translator(str(toy_model), cache=tmp_path / "tm.sqlite3").translate(doc.text)
    other = Translator(str(toy_model), cache=tmp_path / "tm.sqlite3", **change)
    other.translate(doc.text)
    assert other.counts["cached"] == 0 and other.counts["translated"] > 0


def test_another_model_folder_never_gets_stale_entries(toy_model, tiny_model, tmp_path):
    text = "三猫。"
    Translator(str(toy_model), cache=tmp_path / "tm.sqlite3").translate(text)
    other = Translator(str(tiny_model), cache=tmp_path / "tm.sqlite3", max_new_tokens=3)
    other.translate(text)
    assert other.counts == {"cached": 0, "translated": 1, "passthrough": 0}


def test_interrupted_run_keeps_finished_batches(toy_model, tmp_path):
    doc = toy_document(8, seed=9)
    t = Translator(str(toy_model), cache=tmp_path / "tm.sqlite3", batch_size=3)
    real = t.backend.translate_batch
    calls, finished = [], []

    def flaky(batch, options=DecodingOptions()):
        calls.append(batch)
        if len(calls) == 3:
            raise KeyboardInterrupt
        result = real(batch, options)
        finished.extend(batch)
        return result

    t.backend.translate_batch = flaky
    with pytest.raises(KeyboardInterrupt):
        t.translate(doc.text)
    resumed = Translator(str(toy_model), cache=tmp_path / "tm.sqlite3", batch_size=3)
    asked = []
    real2 = resumed.backend.translate_batch
    resumed.backend.translate_batch = lambda batch, options=DecodingOptions(): asked.extend(batch) or real2(batch, options)
    result = resumed.translate(doc.text)
    assert [p.translation for p in result.paragraphs] == doc.expected
    assert len(finished) >= 6 and resumed.counts["cached"] >= len(finished)
    assert not set(asked) & set(finished)  # nothing finished before the interruption is translated again
    assert resumed.counts["cached"] + resumed.counts["translated"] == sum(len(p) for p in doc.paragraphs)


def test_repeated_sentences_are_translated_once(toy_model):
    t = Translator(str(toy_model))
    calls = []
    real = t.backend.translate_batch
    t.backend.translate_batch = lambda batch, options=DecodingOptions(): calls.append(list(batch)) or real(batch, options)
    result = t.translate("三猫。三猫。\n三猫。四狗。")
    assert result.text == "three cat. three cat.\nthree cat. four dog."
    assert sorted(u for c in calls for u in c) == ["三猫。", "四狗。"]


def test_batches_hold_fewer_long_sentences(toy_model):
    """Token-based batch sizes: at most batch_tokens padded source tokens per model call."""
    t = Translator(str(toy_model), batch_size=16, batch_tokens=24, backend="transformers")
    calls = []
    real = t.backend.translate_batch
    t.backend.translate_batch = lambda batch, options=DecodingOptions(): calls.append(list(batch)) or real(batch, options)
    doc = toy_document(6, seed=8)
    assert [p.translation for p in t.translate(doc.text).paragraphs] == doc.expected
    for batch in calls:
        longest = max(t.backend.count_tokens(u) for u in batch)
        assert len(batch) * longest <= 24 or len(batch) == 1
    assert max(len(b) for b in calls) < 16
