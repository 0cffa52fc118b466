"""Carry-over checks (translate/carryover.py, used by the guard): a number or a Latin-script token
that the model dropped or altered is never silently lost — retried, then marked suspect."""

from __future__ import annotations

import pytest

from tests.test_guard import Scripted
from translate import Translator
from translate.backends import Hypothesis
from translate.carryover import latin_tokens, missing_numbers, missing_tokens
from translate.options import DecodingOptions


@pytest.mark.parametrize("source, kept", [
    ("2024年9月11日发布。", "Released on September 11, 2024."),
    ("2024年9月11日发布。", "Released on 11 Sept 2024."),
    ("增长5.2%。", "Growth of 5.2 percent."),
    ("达1,234.5亿元。", "It reached 123.45 billion yuan."),
    ("达1,234.5亿元。", "It reached 1,234.5 hundred million yuan."),
    ("约3万人。", "About 30,000 people."),
    ("占3/4。", "Three out of four: 3/4."),
    ("第３季度增长１２％。", "Growth in the third quarter was 12%."),
    ("3至5天。", "Three to five days."),
    ("有2只猫。", "There are two cats."),
])
def test_numbers_carried_over_in_another_form_count(source, kept):
    assert missing_numbers(source, kept) == []


@pytest.mark.parametrize("source, output, missing", [
    ("2024年9月11日发布。", "Released on September 12, 2024.", ["11"]),
    ("增长5.2%。", "Growth of 5.3%.", ["5.2"]),
    ("达1,234.5亿元。", "It reached 1.2 billion yuan.", ["1,234.5"]),
    ("今年投资12亿元。", "This year's investment.", ["12"]),
])
def test_dropped_or_altered_numbers_are_found(source, output, missing):
    assert missing_numbers(source, output) == missing


def test_latin_tokens_of_a_chinese_source_must_appear():
    source = "GDP增长，5G和COVID-19，iPhone 15，PM2.5超标。"
    assert latin_tokens(source) == ["GDP", "5G", "COVID-19", "iPhone", "PM2.5"]
    assert missing_tokens(source, "GDP growth, 5G and COVID-19, the iPhone 15, PM2.5 too high.") == []
    assert missing_tokens(source, "Growth, 5G and Covid, iphone 15, PM2.5 too high.") == ["GDP", "COVID-19"]


class Dropping(Scripted):
    """Drops every number and Latin token, on the retry too."""

    def translate_batch(self, texts, options=DecodingOptions()):
        self.calls.append((list(texts), options.no_repeat_ngram_size is not None))
        return [Hypothesis("The figures were published today.") for _ in texts]


@pytest.mark.parametrize("text, reason", [("今年GDP增长5.2%，达到1,234.5亿元。", "missing number"),
                                          ("今天发布了新的iPhone手机。", "missing token")])
def test_lost_numbers_and_tokens_are_retried_then_marked(text, reason):
    backend = Dropping()
    doc = Translator("scripted", backend=backend).translate(text)
    [s] = doc.paragraphs[0].sentences
    assert s.status == "suspect" and s.reason == reason
    assert [retry for _, retry in backend.calls] == [False, True]  # tried, retried
    assert doc.stats.suspect == {reason: 1}


def test_english_sentence_inside_chinese_paragraph_is_its_own_unit(toy_model):
    t = Translator(str(toy_model), device="cpu")
    [p] = t.translate("三猫看山。The cat looks at the mountain. 五狗。").paragraphs
    assert [s.source for s in p.sentences] == ["三猫看山。", "The cat looks at the mountain.", "五狗。"]
    assert [s.status for s in p.sentences] == ["ok", "passthrough", "ok"]
    assert p.translation == "three cat see mountain. The cat looks at the mountain. five dog."


def test_toy_model_output_missing_a_number_is_flagged(toy_model):
    [s] = Translator(str(toy_model), device="cpu").translate("五狗3只。").paragraphs[0].sentences
    assert s.status == "suspect" and s.reason == "missing number"  # the toy knows no digits
