"""End to end with the toy model that really translates: exact English, order, alignment."""

from __future__ import annotations

import json

import pytest

from tests.toy.train_toy import reference
from tests.toydoc import toy_document
from translate import Translator, translate_text
from translate.cli import main


@pytest.fixture(scope="module", params=["ctranslate2", "transformers"])
def toy(toy_model, request):
    return Translator(str(toy_model), batch_size=4, device="cpu", backend=request.param)


def test_document_translates_exactly(toy):
    doc = toy_document(12)
    result = toy.translate(doc.text)
    assert [p.translation for p in result.paragraphs] == doc.expected
    for p, sources in zip(result.paragraphs, doc.paragraphs):
        assert [s.source for s in p.sentences] == sources
        assert [s.translation for s in p.sentences] == [reference(s) for s in sources]
        assert all(p.source[s.start:s.end] == s.source for s in p.sentences)
        assert all(s.status == "ok" for s in p.sentences)
    assert result.text == "\n".join(doc.expected)


@pytest.mark.parametrize("backend", ["ctranslate2", "transformers"])
@pytest.mark.parametrize("batch_size, num_beams", [(1, 1), (3, 4), (7, 2), (64, 4)])
def test_batched_equals_unbatched_across_chunks(toy_model, batch_size, num_beams, backend):
    """Many paragraphs, small batches: chunks and batches split the document everywhere."""
    doc = toy_document(40, seed=7)
    t = Translator(str(toy_model), batch_size=batch_size, num_beams=num_beams, device="cpu", backend=backend)
    streamed = list(t.translate_iter(doc.text))
    assert [p.index for p in streamed] == list(range(40))
    assert [p.translation for p in streamed] == doc.expected


def test_translate_text_one_call(toy_model):
    assert translate_text("三猫。二狗！\n五鱼", model=str(toy_model)) == "three cat. two dog!\nfive fish"


def test_translate_sentences(toy):
    assert toy.translate_sentences(["一山。", "二水！三花"]) == ["one mountain.", "two water! three flower"]


def test_over_budget_sentence_is_split_not_truncated(toy_model):
    long = "一二三四五六七八，九十猫狗鱼鸟，山水花树车书。"
    t = Translator(str(toy_model), max_sentence_tokens=10, device="cpu")
    [p] = t.translate(long).paragraphs
    assert len(p.sentences) == 3
    assert "".join(s.source for s in p.sentences) == long
    assert p.translation == "one two three four five six seven eight, nine ten cat dog fish bird, " \
                            "mountain water flower tree car book."


def test_cli_jsonl_alignment(toy_model, tmp_path):
    doc = toy_document(9, seed=3)
    src = tmp_path / "toy.txt"
    src.write_text(doc.text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main([str(src), "-m", str(toy_model), "-f", "jsonl", "-o", str(out), "-q", "--batch-size", "2"]) == 0
    header, *records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert header["type"] == "header" and header["model"] == str(toy_model) and header["num_beams"] == 4
    assert header["backend"] == "ctranslate2" and header["compute_type"] == "int8"  # auto: the fast path
    assert "version" in header
    expected = [(i, j, s, reference(s)) for i, p in enumerate(doc.paragraphs) for j, s in enumerate(p)]
    assert [(r["paragraph"], r["sentence"], r["source"], r["translation"]) for r in records] == expected


def test_cli_text_and_bilingual_from_stdin(toy_model, monkeypatch, capsys):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("七树。\n\n八海？".encode())))
    assert main(["-", "-m", str(toy_model), "-q", "-f", "bilingual"]) == 0
    assert capsys.readouterr().out == "七树。\nseven tree.\n\n八海？\neight sea?\n"
