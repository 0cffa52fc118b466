"""The output guard (translate/guard.py): a scripted backend misbehaves on cue (loops, says nothing,
drops text, leaves Chinese in, never stops); a loop is retried with anti-repetition and a finer split
and fixed, what cannot be fixed is kept and marked suspect, --no-guard gives the raw decoding, and
the CLI prints a one-line summary of suspect sentences on stderr."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from translate import Translator
from translate.backends import Backend, Hypothesis
from translate.cli import main
from translate.models import ResolvedModel
from translate.options import DecodingOptions


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
    doc = Translator("scripted", backend=backend, guard=guard).translate(text)
    [p] = doc.paragraphs
    return doc.stats, backend, p.sentences  # what this call did comes with its result


def test_loop_is_retried_with_anti_repetition_and_fixed():
    stats, backend, [s] = run_scripted("这句话会循环。")
    assert s.status == "ok" and s.translation == "It is fine now."
    assert backend.calls[-1] == (["这句话会循环。"], True)
    assert not stats.suspect


@pytest.mark.parametrize("text, reason", [
    ("这句话是空白。", "empty translation"),
    ("这是一个很长的句子但是模型会漏掉几乎所有的内容。", "output suspiciously short for the source (possible omission)"),
    ("模型输出残留了中文。", "untranslated source-script characters in the output"),
    ("模型会无限地输出。", "repetition loop in the output"),
])
def test_unfixable_sentences_are_kept_and_marked(text, reason):
    stats, backend, [s] = run_scripted(text)
    assert s.status == "suspect" and s.reason == reason
    assert s.source == text
    assert stats.suspect == {reason: 1}
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


def test_retries_of_a_batch_go_to_the_model_together():
    """Several looping sentences in one batch: one retry call for all of them, not one each."""
    backend = Scripted()
    t = Translator("scripted", backend=backend, consistent_names=False)
    [p] = t.translate("第一句会循环。第二句也循环。第三句好。").paragraphs
    assert [s.status for s in p.sentences] == ["ok", "ok", "ok"]
    retries = [texts for texts, retry in backend.calls if retry]
    assert retries == [["第一句会循环。", "第二句也循环。"]]
