"""benchmarks/quality.py runs end to end here, on the toy model and a tiny test set made here
(7 lines; references written by hand, so that the variants differ): every row, exact figures."""

from __future__ import annotations

import pytest

from benchmarks.quality import MODEL_CARDS, main, windows

SOURCES = ["三猫看山。四狗有水。", "大红花，小树。", "五鸟看海！", "红海有三猫。二车看书。", "六鱼有大水？",
           "七猫看红花。八狗看大山。九鸟看海。", "三猫有GDP。"]
REFERENCES = ["three cats see mountain. four dogs have water.", "big red flower, small tree.", "five birds see sea!",
              "red sea have three cat. two car see book.", "six fish have big water?",
              "seven cat see red flower. eight dog see big mountain. nine bird see sea.", "three cat have GDP."]
EXPECTED = """Model: {model}
Test set: {src} (7 lines), BLEU tokenize=13a
These figures come from this run, on the test set above: not from the model card.

| group | variant | BLEU | chrF | guard retried | suspect |
| --- | --- | ---: | ---: | ---: | ---: |
| segmentation | sentences (ours, default) | 83.35 | 93.29 | 1 | 1 |
| segmentation | whole paragraphs | 47.00 | 62.43 | 0 | 0 |
| segmentation | fixed windows | 67.00 | 88.37 | 1 | 1 |
| beam | beam 1 | 83.35 | 93.29 | 1 | 1 |
| beam | beam 4 | 83.35 | 93.29 | 1 | 1 |
| beam | beam 6 | 83.35 | 93.29 | 1 | 1 |
| backend | CTranslate2 int8 | 83.35 | 93.29 | 1 | 1 |
| backend | CTranslate2 float32 | 83.35 | 93.29 | 1 | 1 |
| backend | transformers fp32 | 83.35 | 93.29 | 1 | 1 |
| guard | guard off | 83.35 | 93.29 | 0 | 0 |
| names | consistent names off | 83.35 | 93.29 | 1 | 1 |
| glossary | with the glossary | 79.58 | 91.88 | 1 | 1 |
"""


@pytest.fixture()
def tiny_set(tmp_path):
    src, ref, glossary = tmp_path / "src.zh", tmp_path / "ref.en", tmp_path / "g.tsv"
    src.write_text("\n".join(SOURCES) + "\n", encoding="utf-8")
    ref.write_text("\n".join(REFERENCES) + "\n", encoding="utf-8")
    glossary.write_text("三猫\tthree cats\n", encoding="utf-8")
    return src, ref, glossary


def test_quality_benchmark_on_the_toy_model(toy_model, tiny_set, capsys, tmp_path):
    src, ref, glossary = tiny_set
    out = tmp_path / "q.json"
    assert main(["--model", str(toy_model), "--src", str(src), "--ref", str(ref), "--glossary", str(glossary),
                 "--window", "5", "--device", "cpu", "--no-timings", "--comet", "", "--out", str(out)]) == 0
    assert capsys.readouterr().out == EXPECTED.format(src=src, model=toy_model)
    assert out.exists()


def test_model_card_figures_are_shown_beside_ours(toy_model, tiny_set, capsys):
    from benchmarks.quality import Row, report

    result = {"model": "Helsinki-NLP/opus-mt-zh-en", "test_set": "x", "tokenize": "13a",
              "rows": [Row("sentences (ours, default)", "segmentation", 20.0, 50.0, None, 1.0)],
              "model_card": MODEL_CARDS["Helsinki-NLP/opus-mt-zh-en"]}
    text = report(result)
    for line in ("| newstest2019 zh-en | BLEU | 21.6 |", "| Tatoeba zho-eng | BLEU | 36.1 |",
                 "| flores200 devtest | BLEU | 22.5 |", "| flores200 devtest | chrF | 52.2 |",
                 "These figures come from this run"):
        assert line in text


def test_fixed_windows():
    assert windows("七猫看红花。八狗", 5) == ["七猫看红花", "。八狗"]
    assert windows("one two three four five six", 4) == ["one two three four", "five six"]
