"""Consistent names (translate/names.py): jieba finds the names of a Chinese document; a name in
two or more sentences keeps its first confident rendering everywhere (a scripted backend renders
the same name differently per sentence); the glossary's rendering wins; --no-consistent-names
opts out; and what the tagger finds on the seed article."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from translate import Translator
from translate.backends import Backend, Hypothesis
from translate.models import ResolvedModel
from translate.names import find_names, looks_like_name, used_as_name
from translate.options import DecodingOptions

DOCUMENT = "张晓波是红其拉甫海关的关员。张晓波说，他热爱红其拉甫。海关很忙。"
SCRIPT = {
    "张晓波": "Zhang Xiaobo",
    "红其拉甫": "Khunjerab",
    "海关": "Customs",
    "张晓波是红其拉甫海关的关员。": "Zhang Xiaobo is an officer at Khunjerab customs.",
    "张晓波说，他热爱红其拉甫。": "Zhang Xiao-bo said he loved Hongqilafu.",  # the same names, rendered otherwise
    "海关很忙。": "The customs are busy.",
    "张晓波是 [901] 海关的关员。": "Zhang Xiaobo is an officer at [901] customs.",  # with a glossary
    "张晓波说，他热爱 [901] 。": "Zhang Xiao-bo said he loved [901].",
    "海关总署说海关很忙。": "The General Administration said they were busy.",
    "海关很好。": "The Customs are fine.",
}


class Scripted(Backend):
    """Translates from ``SCRIPT``; a masked sentence comes back with its placeholders kept."""

    name = "scripted"

    def __init__(self):
        super().__init__(ResolvedModel("Helsinki-NLP/opus-mt-zh-en", Path("/nonexistent"), "scripted"))
        self.calls: list[list[str]] = []

    def count_tokens(self, text):
        return len(text)

    def _runtime(self):
        return {"device": "cpu", "compute_type": "float32"}

    def translate_batch(self, texts, options=DecodingOptions()):
        self.calls.append(list(texts))
        out = []
        for text in texts:
            marks = re.findall(r"\[\d+\]", text)
            if len(marks) == 2 and "说" in text:
                out.append(Hypothesis(f"{marks[0]} said he loved {marks[1]}."))
            else:
                out.append(Hypothesis(SCRIPT.get(text, "Something.")))
        return out


def translated(text=DOCUMENT, **options):
    backend = Scripted()
    t = Translator("Helsinki-NLP/opus-mt-zh-en", backend=backend, **options)
    doc = t.translate(text)
    return t, backend, [s.translation for p in doc.paragraphs for s in p.sentences]


def test_a_name_keeps_its_first_confident_rendering_throughout():
    t, backend, out = translated()
    assert out == ["Zhang Xiaobo is an officer at Khunjerab customs.",
                   "Zhang Xiaobo said he loved Khunjerab.",  # retranslated with both names protected
                   "The customs are busy."]  # "Customs" was never used as a name: left alone
    assert sorted(backend.calls[0]) == sorted(["张晓波", "红其拉甫", "海关"])  # the names alone: one batch first
    assert backend.calls[-1] == ["[901] 说，他热爱 [902] 。"]  # only the inconsistent sentence, once
    report = {r["source"]: (r["target"], r["kind"], r["found"], r["held"]) for r in t.terms_report()}
    assert report == {"张晓波": ("Zhang Xiaobo", "name", 2, 2), "红其拉甫": ("Khunjerab", "name", 2, 2)}
    assert t.counts["translated"] == 3 and not t.suspect  # the extra work is not counted as sentences


def test_opting_out_keeps_the_model_s_renderings():
    _, backend, out = translated(consistent_names=False)
    assert out[1] == "Zhang Xiao-bo said he loved Hongqilafu."
    assert len(backend.calls) == 1


def test_the_glossary_rendering_wins_over_the_standalone_one(tmp_path):
    glossary = tmp_path / "g.tsv"
    glossary.write_text("红其拉甫\tKhunjerab Pass\n", encoding="utf-8")
    t, backend, out = translated(glossary=str(glossary))
    assert "红其拉甫" not in [x for c in backend.calls for x in c]  # never sent to the model as text
    assert out[1] == "Zhang Xiaobo said he loved Khunjerab Pass."
    kinds = {r["source"]: r["kind"] for r in t.terms_report()}
    assert kinds == {"张晓波": "name", "红其拉甫": "glossary"}


def test_a_name_inside_a_longer_name_is_not_matched():
    """海关 is a name of its own, and part of 海关总署 (found once): only the former is protected."""
    assert find_names(["海关总署说海关很忙。", "海关很忙。"], min_sentences=1) == {"海关": 2, "海关总署": 1}
    _, backend, out = translated("海关总署说海关很忙。海关很好。")
    assert ["海关总署说 [901] 很忙。"] in backend.calls  # the name alone is protected, not inside 海关总署
    assert "Customs" in out[0] and out[1] == "The Customs are fine."


def test_renderings_that_read_as_names():
    assert looks_like_name("Xi Jinping") and looks_like_name("General Administration of Customs")
    assert not looks_like_name("high level") and not looks_like_name("High level") and not looks_like_name("")
    assert used_as_name("Customs", "The General Administration of Customs said")
    assert not used_as_name("Wisdom", "Wisdom is rare.") and not used_as_name("Customs", "the customs")


def test_toy_model_document_with_a_glossary_name(toy_model, tmp_path):
    """On the toy model (no names in its lexicon: 红海 alone is "red sea", no name): unchanged
    output; with the glossary, the name is rendered as listed in every sentence."""
    text = "红海有三猫。三猫看红海。"
    plain = Translator(str(toy_model), device="cpu").translate(text).text
    assert plain == "red sea have three cat. three cat see red sea."
    glossary = tmp_path / "g.tsv"
    glossary.write_text("红海\tRed Sea\n", encoding="utf-8")
    t = Translator(str(toy_model), device="cpu", glossary=str(glossary))
    assert t.translate(text).text == "Red Sea have three cat. three cat see Red Sea."


SEED_NAMES = {"海关", "习近平", "红其拉甫", "青岛", "广州白云机场", "西南"}


def test_names_found_on_the_seed(seed_text):
    from translate.segmentation import segment_paragraph

    sentences = [u.text for line in seed_text.splitlines() if line.strip()
                 for u in segment_paragraph(line.strip(), None, 10_000, "zh")]
    everything = find_names(sentences, min_sentences=1)
    repeated = find_names(sentences)
    assert (len(sentences), len(everything), len(repeated)) == (35, 48, 12)
    assert SEED_NAMES <= set(repeated) and "张晓波" in everything and "海关总署" in everything


def test_a_rerun_takes_the_names_from_the_memory(tmp_path, monkeypatch):
    memory = str(tmp_path / "memory.sqlite")
    _, _, first = translated(cache=memory)
    monkeypatch.setattr("translate.names.find_names", lambda *a, **k: pytest.fail("the tagger ran again"))
    _, backend, again = translated(cache=memory)
    assert again == first and backend.calls == []  # names, sentences and the enforced sentence: all cached
