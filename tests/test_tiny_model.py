"""A tiny random MarianMT model (real sentencepiece tokenizers, trained here): loading from a folder,
batching, beams, device, formats, token budget, the seed article end to end."""

from __future__ import annotations

import json

import pytest

from translate import Translator
from translate.cli import main


def run_cli(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_seed_through_cli_keeps_every_paragraph(tiny_model, capsys):
    code, out, err = run_cli(["seeds/customs-reply-zh.txt", "-m", str(tiny_model), "--max-new-tokens", "6", "-q"],
                             capsys)
    assert code == 0 and err == ""
    assert len(out.rstrip("\n").split("\n")) == 23
    assert all(line.strip() for line in out.rstrip("\n").split("\n"))


def test_seed_jsonl_alignment_complete(tiny_model, seed_text, tmp_path, capsys):
    out = tmp_path / "seed.jsonl"
    code, _, _ = run_cli(["seeds/customs-reply-zh.txt", "-m", str(tiny_model), "--max-new-tokens", "4",
                          "-f", "jsonl", "-o", str(out), "-q", "--num-beams", "2", "--device", "cpu"], capsys)
    assert code == 0
    header, *records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert header["num_beams"] == 2 and header["device"] == "cpu" and header["max_new_tokens"] == 4
    from translate.segmentation import segment_document

    assert len(records) == segment_document(seed_text).sentence_count == 35
    paragraphs = [line.strip().lstrip("\u3000") for line in seed_text.splitlines() if line.strip()]
    assert sorted({r["paragraph"] for r in records}) == list(range(23))
    for i, para in enumerate(paragraphs):
        mine = [r for r in records if r["paragraph"] == i]
        assert [r["sentence"] for r in mine] == list(range(len(mine)))
        assert all(para[r["start"]:r["end"]] == r["source"] for r in mine)
        assert "".join(r["source"] for r in mine) == para  # nothing between sentences is lost
        assert all(r["translation"] for r in mine)


def test_output_limit_is_reported_not_hidden(tiny_model):
    [p] = Translator(str(tiny_model), max_new_tokens=3).translate("习近平总书记的回信在海关系统引发热烈反响。").paragraphs
    assert p.sentences[0].status == "suspect"  # random weights never emit </s>: flagged as cut at the limit


def test_budget_uses_model_tokens(tiny_model, seed_text):
    t = Translator(str(tiny_model), max_sentence_tokens=12, max_new_tokens=2)
    doc = t.segment(seed_text)
    assert len(doc.paragraphs) == 23 and doc.sentence_count > 35
    for p in doc.paragraphs:
        assert "".join(s.text for s in p.sentences) == p.text
        assert all(t.backend.count_tokens(s.text) <= 12 for s in p.sentences)


@pytest.mark.parametrize("batch_size", [1, 5])
def test_batching_is_invisible(tiny_model, seed_text, batch_size):
    """Greedy decoding of padded batches gives the same result as one sentence at a time."""
    reference = Translator(str(tiny_model), batch_size=35, num_beams=1, max_new_tokens=5).translate(seed_text)
    other = Translator(str(tiny_model), batch_size=batch_size, num_beams=1, max_new_tokens=5).translate(seed_text)
    assert [p.translation for p in other.paragraphs] == [p.translation for p in reference.paragraphs]


def test_markdown_format(tiny_model, tmp_path, capsys):
    src = tmp_path / "in.txt"
    src.write_text("标题\n　　正文|<x>加粗</x>*星*。\n", encoding="utf-8")  # not an HTML remnant: kept, escaped
    code, out, _ = run_cli([str(src), "-m", str(tiny_model), "--max-new-tokens", "3", "-f", "markdown", "-q"],
                           capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "| # | Source | Translation |"
    assert len(lines) == 4
    assert lines[2].startswith("| 1 | **标题** |")
    assert "正文\\|&lt;x&gt;加粗&lt;/x&gt;\\*星\\*。" in lines[3]
    assert "<x>" not in out
