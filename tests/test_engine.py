"""The stateless engine under the facade (translate/engine.py, router.py, stats.py, pipeline.py):
results carry the counts of their own call; two threads translating through one translator at
once — one model, or routed by language — get exactly what they get alone; the guard's retries
obey the batch limits; the facade's signature lists every option; the model's score reaches the
JSONL records (and survives the translation memory)."""

from __future__ import annotations

import inspect
import json
import re
import threading
from dataclasses import fields
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli
from tests.conftest import ROOT
from tests.toydoc import toy_document
from translate import Translator
from translate.backends import Backend, Hypothesis
from translate.glossary import Term
from translate.models import ResolvedModel
from translate.options import GROUPS, DecodingOptions
from translate.stats import Stats

TOY_ZH_EN = ROOT / "tests" / "toy" / "toy-zh-en"


class Meeting:
    """Holds the first decode of each party (the units only its document has) until every party
    is decoding: the calls are then really in flight together (the timeout is a safety net only)."""

    def __init__(self, parties: list[set[str]]) -> None:
        self.parties = parties
        self.waiting = set(range(len(parties)))
        self.lock = threading.Lock()
        self.barrier = threading.Barrier(len(parties))

    def __call__(self, texts) -> None:
        with self.lock:
            mine = {k for k in self.waiting if any(t in self.parties[k] for t in texts)}
            self.waiting -= mine
        if mine:
            self.barrier.wait(timeout=60)

    @property
    def met(self) -> bool:
        return not self.waiting and not self.barrier.broken


class Scripted(Backend):
    """A scripted zh→en backend (placeholders kept, as a model keeps them), meeting the other
    parties' first decodes when given a :class:`Meeting`."""

    name = "scripted"

    def __init__(self, meeting: Meeting | None = None) -> None:
        super().__init__(ResolvedModel("Helsinki-NLP/opus-mt-zh-en", Path("/nonexistent"), "scripted"))
        self.meeting = meeting
        self.calls: list[list[str]] = []

    def count_tokens(self, text):
        return len(text)

    def _runtime(self):
        return {"device": "cpu", "compute_type": "float32"}

    def translate_batch(self, texts, options=DecodingOptions()):
        self.calls.append(list(texts))
        if self.meeting:
            self.meeting(texts)
        return [self.one(t) for t in texts]

    @staticmethod
    def one(text: str) -> Hypothesis:
        if "空白" in text:
            return Hypothesis("")  # empty: suspect, on the retry too
        if "循环" in text:
            return Hypothesis("come on, come on, come on, come on, come on,")  # a loop, on the retry too
        marks = re.findall(r"\[\d+\]", text)
        return Hypothesis(" ".join([*marks, f"Item {sum(map(ord, text)) % 997}."]), score=-0.25, scored_tokens=4)


DOC_A = "三猫看山。五狗看海。\n张三很好。这是空白。\n五狗很好。"
DOC_B = "大海有鱼。五狗看山。\n李四很忙。\n这会循环。"


def parties(sentences: list[set[str]]) -> list[set[str]]:
    """Each document's own units: those no other document has."""
    return [mine - set().union(*(other for other in sentences if other is not mine)) for mine in sentences]


def solo_and_together(make, texts, meet):
    """Each text translated alone, then all at once in threads through one translator (``meet``
    makes its first decodes wait for each other); the results, and the meeting."""
    alone = [make().translate(text) for text in texts]
    meeting = Meeting(parties([{s.source for p in doc.paragraphs for s in p.sentences} for doc in alone]))
    assert all(meeting.parties)
    shared = make()
    meet(shared, meeting)
    results: list = [None] * len(texts)
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            results[k] = shared.translate(texts[k])
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert meeting.met  # every document was being decoded while the others were
    return alone, results


def meet_in_class(monkeypatch, cls):
    """``meet`` for a real backend: its class's decodes go through the meeting."""
    def meet(_translator, meeting):
        real = cls.translate_batch
        monkeypatch.setattr(cls, "translate_batch",
                            lambda self, texts, options=DecodingOptions(): (meeting(texts), real(self, texts, options))[1])
    return meet


def outputs(doc):
    return [(s.source, s.translation, s.status, s.reason) for p in doc.paragraphs for s in p.sentences]


def test_two_threads_through_one_translator_get_what_they_get_alone(tmp_path):
    glossary = tmp_path / "g.tsv"
    glossary.write_text("五狗\tFive Dogs\n", encoding="utf-8")
    backend = Scripted()

    def make():
        return Translator("Helsinki-NLP/opus-mt-zh-en", backend=backend, glossary=str(glossary), batch_size=2)

    def meet(_translator, meeting):
        backend.meeting = meeting

    alone, together = solo_and_together(make, [DOC_A, DOC_B], meet)
    for solo, both in zip(alone, together):
        assert outputs(both) == outputs(solo)
        assert both.stats == solo.stats and both.stats.translated > 0
    assert alone[0].stats.suspect == {"empty translation": 1}
    assert alone[1].stats.suspect == {"repetition loop in the output": 1}
    assert {r["source"]: (r["found"], r["held"]) for r in alone[0].stats.terms_report()} == {"五狗": (2, 2)}


def test_two_threads_through_the_toy_model(toy_model, monkeypatch):
    """The real toy model (its batches on the backend's own workers): two documents in flight at once."""
    docs = [toy_document(9, seed=21), toy_document(7, seed=22)]
    cls = type(Translator(str(toy_model)).backend)
    alone, together = solo_and_together(lambda: Translator(str(toy_model), device="cpu", batch_size=4),
                                        [d.text for d in docs], meet_in_class(monkeypatch, cls))
    for doc, solo, both in zip(docs, alone, together):
        assert [p.translation for p in both.paragraphs] == doc.expected == [p.translation for p in solo.paragraphs]
        assert both.stats == solo.stats and both.stats.translated == sum(len(p) for p in doc.paragraphs)


def test_two_threads_through_the_routed_translator(tmp_path, monkeypatch):
    """Routed by language (a routes file to the toy model): paragraphs detected, routed and passed
    through per call — two documents at once, each with its own document language and counts."""
    routes = tmp_path / "routes.json"
    routes.write_text(json.dumps({"zh-en": str(TOY_ZH_EN)}), encoding="utf-8")
    texts = ["三猫看山。五狗看海。\nThe cat looks at the mountain.\n大海有鱼。\n",
             "五鸟看花。\n二狗有书。三猫看海。\nA dog has a book.\n"]
    cls = type(Translator(str(TOY_ZH_EN)).backend)
    alone, together = solo_and_together(lambda: Translator(routes=str(routes), device="cpu"), texts,
                                        meet_in_class(monkeypatch, cls))
    for solo, both in zip(alone, together):
        assert outputs(both) == outputs(solo) and both.stats == solo.stats
        assert both.stats.passthrough == 1 and both.stats.translated >= 3
        assert both.info["routes"] == {"zh-Hans": f"zh-Hans→en ({TOY_ZH_EN})"}


def test_results_carry_their_own_counts_not_the_translator():
    t = Translator("Helsinki-NLP/opus-mt-zh-en", backend=Scripted())
    first, second = t.translate(DOC_A), t.translate("三猫看山。")
    assert second.stats.counts == {"cached": 0, "translated": 1, "passthrough": 0}  # nothing of the first call
    assert first.stats == sum((p.stats for p in first.paragraphs), Stats())
    assert not {"counts", "suspect", "term_found", "term_held"} & set(vars(t))
    done = t.translate_sentences(["三猫看山。", "2024"])
    assert done.stats.counts == {"cached": 0, "translated": 1, "passthrough": 1}


def test_stats_add_up():
    term = Term("五狗", "Five Dogs")
    a = Stats(1, 2, 3, (("empty translation", 1),), ((term, 2, 1),))
    b = Stats(0, 1, 0, (("empty translation", 2), ("missing number", 1)), ((term, 1, 1),))
    assert a + b == Stats(1, 3, 3, (("empty translation", 3), ("missing number", 1)), ((term, 3, 2),))
    assert (a + b).counts == {"cached": 1, "translated": 3, "passthrough": 3} and Stats() + a == a


def test_guard_retries_go_through_the_batcher():
    """Every unit loops, first pass and retry: the retry's clause pieces (20 a unit) are decoded in
    batches within batch_size and batch_tokens, never all at once."""
    backend = Scripted()
    text = "".join("循环" + "一二三四五六七八九十"[k % 10] + "，" for k in range(20)) + "。"
    t = Translator("Helsinki-NLP/opus-mt-zh-en", backend=backend, batch_size=4, batch_tokens=24)
    doc = t.translate("\n".join([text, text.replace("一", "山"), text.replace("二", "水")]))
    assert doc.stats.suspect == {"repetition loop in the output": 3}
    assert sum(len(c) for c in backend.calls) > 60  # first passes and 60 clause pieces
    for call in backend.calls:
        assert len(call) <= 4 and (len(call) == 1 or len(call) * max(map(len, call)) <= 24), call


def test_the_signature_lists_every_option():
    parameters = inspect.signature(Translator).parameters
    options = {f.name for group in GROUPS for f in fields(group)}
    assert options | {"load", "decoding", "pipeline"} == set(parameters)
    assert all(parameters[name].kind is inspect.Parameter.KEYWORD_ONLY for name in options - {"model"})
    with pytest.raises(TypeError, match="num_beam"):
        Translator("Helsinki-NLP/opus-mt-zh-en", num_beam=4)  # misspelt: an error at construction


def test_jsonl_records_carry_the_score_also_from_the_memory(toy_model, tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text("三猫看山。五狗看海。\n2024\n", encoding="utf-8")
    args = [str(src), "-m", str(toy_model), "-f", "jsonl", "-q"]
    code, first, err = run_cli(args, capsys)
    assert code == 0, err
    records = [json.loads(line) for line in first.splitlines()][1:]
    scores = [r["score"] for r in records]
    assert all(isinstance(s, float) and -1 < s <= 0 and s == round(s, 4) for s in scores[:2])
    assert scores[2] is None and records[2]["status"] == "passthrough"  # not decoded: no score
    code, again, err = run_cli(args, capsys)  # every sentence from the translation memory now
    assert code == 0 and again == first, err
    assert "0 sentences translated, 2 from the translation memory" in run_cli(args[:-1], capsys)[2]
