"""The opt-in vocabulary shortlist (``vocab_map``, CTranslate2's ``use_vmap``): a map that allows the
tokens a translation needs changes nothing, a map that leaves them out changes the output (so it is
really used), the header and the memory key follow the map's content, and a map that cannot be used
is one line, exit 2, before anything loads."""

from __future__ import annotations

import json
import random

import pytest

from tests.cli_helpers import run_cli
from tests.toy.train_toy import LEXICON, reference, sample
from translate import LoadOptions, Translator, UsageError
from translate.backends.ctranslate2_backend import CTranslate2Backend
from translate.backends.vocab_map import VocabMapWarning
from translate.models import resolve_model

pytest.importorskip("ctranslate2")

# The toy model's target pieces: "▁" + the English word; punctuation is a piece of its own.
TOY_MAP = "".join(f"{zh}\t▁{en}\n" for zh, en in LEXICON.items()) + "\t. , ! ? ;\n"


def write(tmp_path, text: str | bytes, name: str = "vmap.txt"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


def toy(toy_model, **options) -> Translator:
    return Translator(str(toy_model), backend="ctranslate2", device="cpu", guard=False, **options)


def backend(toy_model, cache, vocab_map: str | None = None) -> CTranslate2Backend:
    return CTranslate2Backend(resolve_model(str(toy_model)), LoadOptions(device="cpu", vocab_map=vocab_map),
                              cache_dir=cache)


@pytest.fixture(scope="module")
def ct2_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("ct2-cache")


def test_a_map_with_the_needed_tokens_changes_nothing(toy_model, ct2_cache, tmp_path):
    rng = random.Random(7)
    sentences = [sample(rng) for _ in range(40)]
    plain = backend(toy_model, ct2_cache).translate_batch(sentences)
    mapped = backend(toy_model, ct2_cache, write(tmp_path, TOY_MAP)).translate_batch(sentences)
    assert mapped == plain and [h.text for h in mapped] == [reference(s) for s in sentences]
    assert [h.score for h in mapped] == pytest.approx([h.score for h in plain], abs=1e-4)
    assert not list(ct2_cache.glob(".tmp-*"))  # the folder that loaded the map is gone


def test_a_map_without_them_restricts_the_output(toy_model, ct2_cache, tmp_path):
    """The map is really applied: 猫 may only become "dog" (or an always-allowed token)."""
    assert backend(toy_model, ct2_cache).translate_batch(["猫。"])[0].text == "cat."
    restricted = backend(toy_model, ct2_cache, write(tmp_path, "猫\t▁dog\n")).translate_batch(["猫。"])[0].text
    assert "cat" not in restricted


def test_header_and_memory_key_follow_the_content_not_the_path(toy_model, tmp_path):
    first = toy(toy_model, vocab_map=write(tmp_path, TOY_MAP))
    first.info  # noqa: B018 - the map is read when the model is set up
    moved = toy(toy_model, vocab_map=write(tmp_path, TOY_MAP.replace("\n", "\r\n") + "\n\n", "elsewhere.txt"))
    changed = toy(toy_model, vocab_map=write(tmp_path, TOY_MAP + "猫 看\t▁the\n"))  # the same path, another content
    none = toy(toy_model)
    assert first.info["vocab_map"] == moved.info["vocab_map"] != changed.info["vocab_map"]
    assert first.info["vocab_map"].startswith("sha256:") and none.info["vocab_map"] is None
    assert first.memory_context == moved.memory_context
    assert len({json.dumps(t.memory_context, sort_keys=True) for t in (first, changed, none)}) == 3


@pytest.mark.parametrize("content, words", [
    (None, "cannot read the vocabulary map"),                   # missing
    ("folder", "cannot read the vocabulary map"),               # not a file
    (b"\xff\xfe\t\xff\n", "not UTF-8"),
    ("猫\t▁cat\n猫 ▁dog\n", "line 2: expected a source n-gram, a tab, then target tokens"),
    ("\n\n", "is empty"),
])
def test_an_unusable_map_is_one_line_exit_2(toy_model, tmp_path, capsys, content, words):
    if content is None:
        path = str(tmp_path / "missing.txt")
    elif content == "folder":
        path = str(tmp_path)
    else:
        path = write(tmp_path, content)
    with pytest.raises(UsageError) as caught:
        toy(toy_model, vocab_map=path)
    assert words in str(caught.value) and caught.value.option == "vocab_map" and "--" not in str(caught.value)
    source = write(tmp_path, "猫。\n", "in.txt")
    code, out, err = run_cli([source, "-m", str(toy_model), "--backend", "ctranslate2", "--vocab-map", path], capsys)
    lines = err.strip().splitlines()
    assert (code, out, len(lines)) == (2, "", 1), err
    assert words in lines[0] and "--vocab-map" in lines[0] and "Traceback" not in err


@pytest.mark.parametrize("options, words", [
    ({"backend": "transformers"}, "needs the ctranslate2 backend"),
    ({"model": None}, "name the model"),  # routed: each model of a route has its own vocabulary
])
def test_a_map_needs_ctranslate2_and_one_model(toy_model, tmp_path, options, words):
    keywords = {"model": str(toy_model), "backend": "ctranslate2", "vocab_map": write(tmp_path, TOY_MAP), **options}
    with pytest.raises(UsageError) as caught:
        Translator(**keywords)
    assert words in str(caught.value) and caught.value.option == "vocab_map"


def test_unknown_target_tokens_are_a_warning(toy_model, ct2_cache, tmp_path):
    ct = backend(toy_model, ct2_cache, write(tmp_path, "猫\t▁cat ▁nothing-like-this\n\t.\n"))
    with pytest.warns(VocabMapWarning, match="1 of 3 target tokens of the vocabulary map are not in the model's"):
        assert ct.translate_batch(["猫。"])[0].text == "cat."


def test_quality_benchmark_compares_with_and_without_the_map(toy_model, tmp_path, capsys):
    from benchmarks.quality import main

    rng = random.Random(3)
    sentences = [sample(rng) for _ in range(6)]
    src = write(tmp_path, "\n".join(sentences), "src.zh")
    ref = write(tmp_path, "\n".join(map(reference, sentences)), "ref.en")
    assert main(["--model", str(toy_model), "--src", src, "--ref", ref, "--variants", "int8,vocab-map",
                 "--vocab-map", write(tmp_path, TOY_MAP), "--device", "cpu", "--no-timings", "--comet", ""]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("| backend", "| vocabulary"))]
    assert rows == ["| backend | CTranslate2 int8 | 100.00 | 100.00 | 0 | 0 |",
                    "| vocabulary | CTranslate2 with the vocabulary map | 100.00 | 100.00 | 0 | 0 |"]
