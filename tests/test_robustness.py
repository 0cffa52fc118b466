"""Any input, any fault: a clear result or a one-line error, nothing lost.

The bad-input corpus (tests/bad_inputs/, expectations in expected.json) runs through the CLI;
a scripted backend misbehaves on purpose; random bytes and random Unicode never cause a traceback.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.toydoc import toy_document
from translate import Translator
from translate.backends import Backend, Hypothesis
from translate.models import ResolvedModel
from translate.options import DecodingOptions
from translate.cli import main

CORPUS = Path(__file__).parent / "bad_inputs"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_corpus(name, toy_model, capsys):
    exp = EXPECTED[name]
    code = main([str(CORPUS / name), "-m", str(toy_model)])
    out, err = capsys.readouterr()
    assert code == exp["exit"], err
    assert "Traceback" not in err
    if code != 0:
        assert len(err.strip().splitlines()) == 1 and re.search(exp["stderr"], err)
        assert out == ""
        return
    if "output" in exp:
        assert out == exp["output"]
    if "paragraphs" in exp:
        assert len([line for line in out.splitlines() if line.strip()]) == exp["paragraphs"]
    if "stderr" in exp:
        assert re.search(exp["stderr"], err)


def test_long_paragraph_without_punctuation_is_split_not_lost(toy_model, tmp_path, capsys):
    src = tmp_path / "long.txt"
    src.write_text("三猫" * 10_000 + "\n五鱼。\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main([str(src), "-m", str(toy_model), "-f", "jsonl", "-o", str(out), "-q", "--no-guard"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    first = [r for r in records if r["paragraph"] == 0]
    assert "".join(r["source"] for r in first) == "三猫" * 10_000  # every character, in order
    assert len(first) > 100 and records[-1]["translation"] == "five fish."


class Scripted(Backend):
    """A backend that misbehaves on cue: loops, says nothing, drops text, leaves Chinese in."""

    name = "scripted"

    def __init__(self):
        super().__init__(ResolvedModel("scripted", Path("/nonexistent"), "scripted"))
        self.calls: list[tuple[list[str], bool]] = []

    def count_tokens(self, text):
        return len(text)

    def _runtime(self):
        return {"device": "cpu", "compute_type": "float32"}

    def translate_batch(self, texts, options=DecodingOptions()):
        retry = options.no_repeat_ngram_size is not None  # the guard's retry adds anti-repetition
        self.calls.append((list(texts), retry))
        return [self.one(t, retry) for t in texts]

    @staticmethod
    def one(text, retry):
        if "循环" in text:
            return Hypothesis("It is fine now." if retry else "Come on, come on, come on, come on, come on,")
        if "空白" in text:
            return Hypothesis("")
        if "漏掉" in text:
            return Hypothesis("Short.")
        if "残留" in text:
            return Hypothesis("This still has 中文字 in it.")
        if "无限" in text:
            return Hypothesis("and " * 30, finished=False)
        return Hypothesis("A sound translation.")


def run_scripted(text, guard=True):
    backend = Scripted()
    t = Translator("scripted", backend=backend, guard=guard)
    [p] = t.translate(text).paragraphs
    return t, backend, p.sentences


def test_loop_is_retried_with_anti_repetition_and_fixed():
    t, backend, [s] = run_scripted("这句话会循环。")
    assert s.status == "ok" and s.translation == "It is fine now."
    assert backend.calls[-1] == (["这句话会循环。"], True)
    assert not t.suspect


@pytest.mark.parametrize("text, reason", [
    ("这句话是空白。", "empty translation"),
    ("这是一个很长的句子但是模型会漏掉几乎所有的内容。", "output suspiciously short for the source (possible omission)"),
    ("模型输出残留了中文。", "untranslated source-script characters in the output"),
    ("模型会无限地输出。", "repetition loop in the output"),
])
def test_unfixable_sentences_are_kept_and_marked(text, reason):
    t, backend, [s] = run_scripted(text)
    assert s.status == "suspect" and s.reason == reason
    assert s.source == text
    assert t.suspect == {reason: 1}
    assert len(backend.calls) == 2  # tried, retried


def test_retry_uses_a_finer_split():
    _, backend, [s] = run_scripted("第一部分会循环，第二部分也好。")
    assert backend.calls[-1] == (["第一部分会循环，", "第二部分也好。"], True)
    assert s.status == "ok" and s.translation == "It is fine now. A sound translation."


def test_no_guard_gives_raw_decoding():
    _, backend, [s] = run_scripted("这句话会循环。", guard=False)
    assert s.status == "ok" and s.translation.startswith("Come on, come on")
    assert len(backend.calls) == 1


def test_suspect_summary_line_on_stderr(tiny_model, capsys):
    import io

    sys_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO("习近平总书记的回信在海关系统引发热烈反响。".encode()))
    try:
        assert main(["-m", str(tiny_model), "--max-new-tokens", "3", "-f", "jsonl"]) == 0
    finally:
        sys.stdin = sys_stdin
    out, err = capsys.readouterr()
    assert re.search(r"warning: 1 suspect sentence\(s\): 1 × ", err)
    assert json.loads(out.splitlines()[1])["status"] == "suspect"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_fuzz_random_bytes_never_traceback(toy_model, tmp_path, data):
    src = tmp_path / "fuzz.bin"
    src.write_bytes(data)
    code = main([str(src), "-m", str(toy_model), "-q", "-o", str(tmp_path / "out.txt"), "--max-new-tokens", "8"])
    assert code in (0, 1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_fuzz_random_unicode_keeps_every_paragraph(toy_model, tmp_path, text):
    from translate.reading import clean_text
    from translate.segmentation import segment_document

    src = tmp_path / "fuzz.txt"
    src.write_bytes(text.encode("utf-8", "replace"))
    out = tmp_path / "out.jsonl"
    code = main([str(src), "-m", str(toy_model), "-q", "-o", str(out), "-f", "jsonl", "--max-new-tokens", "8"])
    assert code in (0, 1)
    if code == 0 and out.exists() and out.stat().st_size:
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()[1:]]
        expected = segment_document(clean_text(src.read_bytes().decode("utf-8")))
        assert len({r["paragraph"] for r in records}) == len(expected.paragraphs)


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


def fake_hub_model(hf_home: Path, toy_model: Path, repo: str = "toy-org/toy-zh-en") -> None:
    """Lay the toy model out as a Hugging Face cache entry for ``repo``."""
    import shutil

    base = hf_home / "hub" / f"models--{repo.replace('/', '--')}"
    snapshot = base / "snapshots" / ("0" * 40)
    shutil.copytree(toy_model, snapshot)
    (base / "refs").mkdir(parents=True, exist_ok=True)
    (base / "refs" / "main").write_text("0" * 40)


def test_offline_never_opens_a_socket(toy_model, tmp_path, monkeypatch, capsys):
    import socket

    from huggingface_hub import constants

    fake_hub_model(Path(constants.HF_HOME), toy_model)
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    src = tmp_path / "a.txt"
    src.write_text("三猫。", encoding="utf-8")
    assert main([str(src), "-m", "toy-org/toy-zh-en", "--offline", "-q"]) == 0
    assert capsys.readouterr().out == "three cat.\n"
    assert main([str(src), "-m", "toy-org/not-cached", "--offline"]) == 1
    assert "offline" in capsys.readouterr().err
    assert attempts == []


def test_pickle_checkpoints_need_an_explicit_opt_in(toy_model, tmp_path, capsys):
    import shutil

    import torch
    from safetensors.torch import load_file

    folder = tmp_path / "pickled"
    shutil.copytree(toy_model, folder)
    torch.save(load_file(folder / "model.safetensors"), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    src = tmp_path / "a.txt"
    src.write_text("三猫。", encoding="utf-8")
    assert main([str(src), "-m", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "pickle" in err and "--allow-pickle" in err and len(err.strip().splitlines()) == 1
    assert main([str(src), "-m", str(folder), "--allow-pickle", "-q", "--backend", "transformers"]) == 0
    assert capsys.readouterr().out == "three cat.\n"


def test_cache_folders_are_private(toy_model, tmp_path):
    from translate.caching import TranslationMemory

    memory = TranslationMemory(tmp_path / "private" / "memory.sqlite3")
    Translator(str(toy_model), cache=memory).translate("三猫。")
    assert (tmp_path / "private").stat().st_mode & 0o777 == 0o700
    ct2 = Path(os.environ["TRANSLATE_CT2_CACHE"])
    assert all(p.stat().st_mode & 0o077 == 0 for p in ct2.iterdir() if p.is_dir())


def test_large_input_streams_in_bounded_memory(toy_model, tmp_path):
    """A 12 MB input (above the streaming threshold) of lines with nothing to translate: the CLI
    streams it and its peak memory stays far below the size of the text held as Python objects."""
    line = " ".join(str(10_000 + i) for i in range(20))  # 119 characters, passes through verbatim
    count = 100_000
    src, dst = tmp_path / "big.txt", tmp_path / "out.txt"
    src.write_text((line + "\n") * count, encoding="utf-8")
    assert src.stat().st_size > 8 << 20
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    # Peak RSS is inherited through fork+exec, so a small trampoline runs the CLI and reports it.
    trampoline = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
                  "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    proc = subprocess.run([sys.executable, "-c", trampoline, sys.executable, "-m", "translate", str(src),
                           "-m", str(toy_model), "-o", str(dst), "-q"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    peak_mb = int(proc.stdout.split()[-1]) / 1024
    with dst.open(encoding="utf-8") as out:
        assert sum(1 for _ in out) == count
    assert peak_mb < 250, f"peak RSS {peak_mb:.0f} MB"


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7])
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16"])
def test_streamed_decoding_across_chunk_boundaries(monkeypatch, tmp_path, chunk, encoding):
    """CRLF, CR and multibyte characters split between chunks; a last line without newline."""
    import translate.reading as reading

    text = "一山。\r\n二水。\r三猫\r\n\r\n四狗 five\r\n六鸟"
    src = tmp_path / "in.txt"
    src.write_bytes(text.encode(encoding))
    monkeypatch.setattr(reading, "CHUNK_BYTES", chunk)
    pieces = list(reading.iter_text(src, encoding=encoding))
    assert "".join(pieces) == "一山。\n二水。\n三猫\n\n四狗 five\n六鸟"
    assert all(p.endswith("\n") for p in pieces[:-1])
