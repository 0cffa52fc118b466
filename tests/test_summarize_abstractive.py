"""Abstractive digests: window handling, length mapping, faithfulness guard and fallback."""

from __future__ import annotations

import pytest

from summarize import Summarizer
from summarize.abstractive import PRESET_TOKENS, HFSummarizer, token_limits, unsupported
from summarize.cli import main
from summarize.lengths import parse_length
from tests.conftest import ENGLISH, SEED

ARTICLE = "Customs news\n" + "\n".join(
    f"{line} The report number {i} came from Lanzhou." for i, line in enumerate(ENGLISH * 3))


@pytest.fixture(scope="module")
def tiny_bart(tmp_path_factory):
    from benchmarks.factory import build_bart

    return build_bart(tmp_path_factory.mktemp("tiny-bart"), ENGLISH * 5, window=96)


class Scripted:
    """A stand-in summarizer that returns a fixed text and records its calls."""

    model = "scripted"

    def __init__(self, text: str, window: int = 64):
        self.text, self.window, self.calls = text, window, []

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def generate(self, text: str, min_new_tokens: int, max_new_tokens: int) -> str:
        self.calls.append((text, min_new_tokens, max_new_tokens))
        return self.text


def test_guard_flags_numbers_and_names_not_in_source():
    source = "The Khunjerab customs post received a letter on 11 September. Staff were proud."
    assert unsupported("Khunjerab staff received a letter on 11 September.", source) == []
    assert unsupported("The staff in Beijing got 12 letters.", source) == ["12", "Beijing"]
    assert unsupported("Proud staff received it.", source) == []  # sentence-initial ordinary word


def test_faithful_summary_is_used_and_window_respected():
    engine = Scripted("Officials said the new rules would speed up trade. The letter praised their loyalty.")
    digests = Summarizer(("short", "medium"), method="abstractive", summary_model=engine).summarize(ARTICLE)
    for d in digests:
        assert d.method == "abstractive" and d.note and "fit the 64-token window" in d.note
        assert d.text == engine.text
    fed = engine.calls[0][0]
    assert len(fed.split()) <= 64  # never more than the window
    assert [c[1:] for c in engine.calls] == [PRESET_TOKENS["short"], PRESET_TOKENS["medium"]]


def test_unfaithful_summary_falls_back_to_extractive():
    engine = Scripted("The Ministry in Beijing inspected 42 trains.")
    digests = Summarizer(("short",), method="abstractive", summary_model=engine).summarize(ARTICLE)
    d = digests["short"]
    assert d.method == "extractive" and d.abstract is None
    assert "'42'" in d.note and "'Beijing'" in d.note and "extractive digest used" in d.note
    assert d.sentences and d.achieved <= 75


def test_summary_cut_to_budget_in_whole_sentences():
    engine = Scripted("Officials said the new rules would speed up trade. The letter praised their loyalty.")
    d = Summarizer(("12w",), method="abstractive", summary_model=engine).summarize(ARTICLE)["12w"]
    assert d.text == "Officials said the new rules would speed up trade." and d.achieved == 9


def test_custom_lengths_map_to_tokens():
    assert token_limits(parse_length("80w", "words"), 500) == (56, 112)
    assert token_limits(parse_length("2", "words"), 500) == (35, 70)
    assert token_limits(parse_length("10%", "words"), 500) == (35, 70)


def test_abstractive_needs_english_output(seed_text, capsys):
    with pytest.raises(ValueError, match="English") as caught:
        Summarizer(method="abstractive", to="source", summary_model=Scripted("x")).summarize(seed_text)
    assert caught.value.option == "to" and "--" not in str(caught.value)  # the library names no flag...
    assert main([str(SEED), "--method", "abstractive", "--to", "source", "-q"]) == 2
    assert "(--to)" in capsys.readouterr().err  # ...the CLI does


def test_tiny_bart_window_and_lengths(tiny_bart):
    engine = HFSummarizer(str(tiny_bart), device="cpu")
    assert engine.window == 96
    digests = Summarizer(("headline", "30w"), method="abstractive", summary_model=engine).summarize(ARTICLE)
    for d in digests:  # random weights: either a (cut) abstract or a flagged fallback, never a crash
        assert d.method in ("abstractive", "extractive")
        assert d.note
    tokenizer, model, _ = engine._loaded
    long_input = " ".join(ENGLISH * 10)
    assert engine.count_tokens(long_input) > 96
    with pytest.raises(ValueError, match="exceeds the window"):
        engine.generate(long_input, 1, 4)
    out = engine.generate(" ".join(ENGLISH[:2]), 5, 9)
    n = len(tokenizer(out, add_special_tokens=False)["input_ids"])
    assert 1 <= n <= 9


def test_cli_abstractive_with_tiny_bart(tiny_bart, tmp_path, capsys):
    src = tmp_path / "en.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    code = main([str(src), "--method", "abstractive", "--summary-model", str(tiny_bart), "-f", "json", "-q",
                 "-l", "headline", "-l", "12w"])
    assert code == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["header"]["summary_model"] == str(tiny_bart)
    assert [d["name"] for d in data["digests"]] == ["headline", "12w"]
    assert all(d["note"] for d in data["digests"])  # the window note, or why it fell back
