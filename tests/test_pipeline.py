"""The translation pipeline (translate/pipeline.py) end to end. With the toy model that really
translates: exact English, order and alignment across chunks, batches and both backends; a sentence
over the token budget (counted in model tokens) is split, never truncated or lost; padded batches
give the same result as one sentence at a time; output cut at the length limit is flagged. With a
translation memory: reruns never load the model, keys follow every option, repeated sentences are
translated once, and an interrupted or killed run keeps every finished batch for the rerun."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.toy.train_toy import reference
from tests.toydoc import toy_document
from translate import Translator, translate_text
from translate.cli import main
from translate.options import DecodingOptions


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


def fail(*_a, **_k):
    raise AssertionError("the model was asked to translate")


def test_fully_cached_rerun_never_loads_the_model(toy_model, tmp_path):
    doc = toy_document(10, seed=2)
    first = Translator(str(toy_model), cache=tmp_path / "tm.sqlite3", batch_size=4)
    expected = first.translate(doc.text)
    assert expected.stats.counts["translated"] > 0
    again = Translator(str(toy_model), cache=tmp_path / "tm.sqlite3", batch_size=4)
    again.backend.translate_batch = fail
    rerun = again.translate(doc.text)
    assert rerun == expected
    assert rerun.stats.counts == {"cached": sum(len(p) for p in doc.paragraphs), "translated": 0, "passthrough": 0}
    assert not {"_model", "_translator", "model_dir"} & set(vars(again.backend))  # never loaded or converted


@pytest.mark.parametrize("change", [{"num_beams": 2}, {"max_new_tokens": 30}])
def test_every_output_changing_option_changes_the_key(toy_model, tmp_path, change):
    doc = toy_document(3, seed=4)
    Translator(str(toy_model), cache=tmp_path / "tm.sqlite3").translate(doc.text)
    other = Translator(str(toy_model), cache=tmp_path / "tm.sqlite3", **change)
    counts = other.translate(doc.text).stats.counts
    assert counts["cached"] == 0 and counts["translated"] > 0


def test_another_model_folder_never_gets_stale_entries(toy_model, tiny_model, tmp_path):
    text = "三猫。"
    Translator(str(toy_model), cache=tmp_path / "tm.sqlite3").translate(text)
    other = Translator(str(tiny_model), cache=tmp_path / "tm.sqlite3", max_new_tokens=3)
    assert other.translate(text).stats.counts == {"cached": 0, "translated": 1, "passthrough": 0}


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
    counts = result.stats.counts
    assert len(finished) >= 6 and counts["cached"] >= len(finished)
    assert not set(asked) & set(finished)  # nothing finished before the interruption is translated again
    assert counts["cached"] + counts["translated"] == sum(len(p) for p in doc.paragraphs)


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


def test_long_paragraph_without_punctuation_is_split_not_lost(toy_model, tmp_path, capsys):
    src = tmp_path / "long.txt"
    src.write_text("三猫" * 10_000 + "\n五鱼。\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main([str(src), "-m", str(toy_model), "-f", "jsonl", "-o", str(out), "-q", "--no-guard"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    first = [r for r in records if r["paragraph"] == 0]
    assert "".join(r["source"] for r in first) == "三猫" * 10_000  # every character, in order
    assert len(first) > 100 and records[-1]["translation"] == "five fish."


# Runs the CLI in a child process whose backend stops for good before its 41st batch, and
# says so in a file: the test kills it at that observable point, never after a guessed delay.
STALL_AFTER_40_BATCHES = """
import sys, threading
from pathlib import Path
from translate.backends.transformers_backend import TransformersBackend
from translate.cli import main
real, calls = TransformersBackend.translate_batch, []
def stalling(self, texts, options):
    calls.append(1)
    if len(calls) > 40:
        Path(sys.argv[1]).write_text("stalled")
        threading.Event().wait()
    return real(self, texts, options)
TransformersBackend.translate_batch = stalling
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.slow
def test_kill_mid_run_then_resume(toy_model, tmp_path):
    """SIGKILL halfway: no output file appears, the memory keeps finished sentences, the rerun
    retranslates none of them."""
    doc = toy_document(300, seed=21)
    src, dst, marker = tmp_path / "big.txt", tmp_path / "out.txt", tmp_path.parent / f"{tmp_path.name}.stalled"
    src.write_text(doc.text, encoding="utf-8")
    env = {**os.environ, "TRANSLATE_CACHE_DIR": str(tmp_path / "memory"), "PYTHONPATH": os.getcwd()}
    args = [str(src), "-m", str(toy_model), "-o", str(dst), "--backend", "transformers"]
    proc = subprocess.Popen([sys.executable, "-c", STALL_AFTER_40_BATCHES, str(marker), *args, "--batch-size", "1"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while not marker.exists():  # the event: 40 batches done and stored, the 41st never returns
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    db = tmp_path / "memory" / "memory.sqlite3"
    with sqlite3.connect(db) as con:
        stored = con.execute("select count(*) from translations").fetchone()[0]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not dst.exists()  # no partial output file
    with sqlite3.connect(db) as con:
        kept = con.execute("select count(*) from translations").fetchone()[0]
    assert kept >= stored >= 40
    rerun = subprocess.run([sys.executable, "-m", "translate", *args], env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert dst.read_text(encoding="utf-8") == "\n".join(doc.expected) + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.txt", "memory", "out.txt"]  # killed run's temp gone
    cached = int(re.search(r"(\d+) from the translation memory", rerun.stderr).group(1))
    assert cached >= kept  # every sentence finished before the kill came from memory


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


@pytest.mark.slow
def test_library_translate_file_streams_in_bounded_memory(toy_model, tmp_path):
    """The library streams like the command: translate_file's peak memory on a 12 MB input (lines of
    numbers, which pass through, and lines to translate) is that of a 1.2 MB input, give or take
    the noise — not the 100 MB and more that 100,000 paragraphs held as objects would take."""
    line = " ".join(str(10_000 + i) for i in range(20))
    code = ("import resource, sys; from translate import translate_file; "
            "done = translate_file(sys.argv[1], sys.argv[2], model=sys.argv[3], device='cpu'); "
            "print(done.paragraphs, done.counts['translated'], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    peaks = {}
    for count in (10_000, 100_000):
        src, dst = tmp_path / f"in-{count}.txt", tmp_path / f"out-{count}.txt"
        src.write_text("".join(f"{line}\n" if i % 1000 else "三猫。\n" for i in range(count)), encoding="utf-8")
        proc = subprocess.run([sys.executable, "-c", code, str(src), str(dst), str(toy_model)], env=env,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        paragraphs, translated, peak_kb = map(int, proc.stdout.split())
        assert paragraphs == count and translated == count // 1000
        with dst.open(encoding="utf-8") as out:
            assert [next(out) for _ in range(2)] == ["three cat.\n", f"{line}\n"]
        peaks[count] = peak_kb / 1024
    assert (tmp_path / "in-100000.txt").stat().st_size > 8 << 20  # above the streaming threshold
    assert peaks[100_000] < peaks[10_000] + 60, peaks
