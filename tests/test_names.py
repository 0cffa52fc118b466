"""Consistent names (translate/names.py): jieba finds the names of a Chinese document; a name in
two or more sentences keeps its first confident rendering everywhere (a scripted backend renders
the same name differently per sentence); the glossary's rendering wins; it is off by default
(--consistent-names turns it on); and what the tagger finds on the seed article."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from translate import Translator
from translate.backends import Backend, Hypothesis
from translate.models import ResolvedModel
from translate.names import find_names, looks_like_name, may_recur, used_as_name
from translate.options import DecodingOptions

DOCUMENT = "张晓波是红其拉甫海关的关员。张晓波说，他热爱红其拉甫。海关很忙。"
SENTENCES = ["张晓波是红其拉甫海关的关员。", "张晓波说，他热爱红其拉甫。", "海关很忙。"]
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
    t = Translator("Helsinki-NLP/opus-mt-zh-en", backend=backend, **{"consistent_names": True, **options})
    doc = t.translate(text)
    return doc.stats, backend, [s.translation for p in doc.paragraphs for s in p.sentences]


def test_a_name_keeps_its_first_confident_rendering_throughout():
    stats, backend, out = translated()
    assert out == ["Zhang Xiaobo is an officer at Khunjerab customs.",
                   "Zhang Xiaobo said he loved Khunjerab.",  # retranslated with both names protected
                   "The customs are busy."]  # "Customs" was never used as a name: left alone
    # the names alone, decoded in the same batch as the sentences: one first call, then one more
    assert sorted(backend.calls[0]) == sorted(["张晓波", "红其拉甫", "海关", *SENTENCES]) and len(backend.calls) == 2
    assert backend.calls[-1] == ["[901] 说，他热爱 [902] 。"]  # only the inconsistent sentence, once
    report = {r["source"]: (r["target"], r["kind"], r["found"], r["held"]) for r in stats.terms_report()}
    assert report == {"张晓波": ("Zhang Xiaobo", "name", 2, 2), "红其拉甫": ("Khunjerab", "name", 2, 2)}
    assert stats.counts["translated"] == 3 and not stats.suspect  # the extra work is not counted as sentences


def test_opting_out_keeps_the_model_s_renderings():
    _, backend, out = translated(consistent_names=False)
    assert out[1] == "Zhang Xiao-bo said he loved Hongqilafu."
    assert len(backend.calls) == 1


def test_the_glossary_rendering_wins_over_the_standalone_one(tmp_path):
    glossary = tmp_path / "g.tsv"
    glossary.write_text("红其拉甫\tKhunjerab Pass\n", encoding="utf-8")
    stats, backend, out = translated(glossary=str(glossary))
    assert "红其拉甫" not in [x for c in backend.calls for x in c]  # never sent to the model as text
    assert out[1] == "Zhang Xiaobo said he loved Khunjerab Pass."
    kinds = {r["source"]: r["kind"] for r in stats.terms_report()}
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
    assert set(repeated) >= SEED_NAMES and "张晓波" in everything and "海关总署" in everything


def test_a_rerun_takes_the_names_from_the_memory(tmp_path, monkeypatch):
    memory = str(tmp_path / "memory.sqlite")
    _, _, first = translated(cache=memory)
    monkeypatch.setattr("translate.names.find_names", lambda *a, **k: pytest.fail("the tagger ran again"))
    _, backend, again = translated(cache=memory)
    assert again == first and backend.calls == []  # names, sentences and the enforced sentence: all cached


def _python(code: str, **env: str):
    root = str(Path(__file__).resolve().parent.parent)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": root, **env}, cwd=root)


def test_the_tagger_keeps_its_cache_in_the_tool_s_folder(tmp_path):
    """A second user on the machine: jieba's default cache (jieba.cache in the temp folder) is
    someone else's. Emulated with a folder in its place, which no one (root included) can replace:
    names still work, without a traceback, and nothing is written to the temp folder."""
    temp, cache = tmp_path / "tmp", tmp_path / "cache"
    (temp / "jieba.cache").mkdir(parents=True)
    code = "from translate.names import find_names; print(find_names(['张晓波是关员。', '张晓波说。']))"
    proc = _python(code, TMPDIR=str(temp), TRANSLATE_CACHE_DIR=str(cache))
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout.strip() == "{'张晓波': 2}"
    assert [p.name for p in temp.iterdir()] == ["jieba.cache"] and not any((temp / "jieba.cache").iterdir())
    assert [p.name for p in cache.iterdir() if "jieba" in p.name]  # the next run reads it from there


def test_only_sentences_that_share_two_characters_can_share_a_name():
    assert not may_recur(["五鸟看山。", "三猫看红海。"]) and not may_recur(["张晓波是关员。"]) and not may_recur([])
    assert may_recur(["红海有三猫。", "三猫看红海。"]) and may_recur(["A股涨了。", "A股跌了。"])
    assert find_names(["张晓波看山。", "三猫看红海。"], min_sentences=1) == {}  # the tagger is not even loaded


@pytest.mark.slow  # five runs of the command, one of them loading jieba
def test_the_tagger_loads_only_when_a_name_can_recur(toy_model, tmp_path):
    """jieba (about 130 MB) is imported only for a Chinese document, with consistent names on
    (--consistent-names), in which two sentences share a possible name (two characters in a row):
    never by default, with --no-consistent-names (the old opt-out, kept), for English input, or
    for sentences that share nothing."""
    toy_en_zh = toy_model.parent / "toy-en-zh"
    (tmp_path / "en.txt").write_text("The cat sees the mountain.\nFive birds.\n", encoding="utf-8")
    (tmp_path / "apart.txt").write_text("五鸟看山。\n三猫看红海。\n", encoding="utf-8")
    (tmp_path / "shared.txt").write_text("红海有三猫。\n三猫看红海。\n", encoding="utf-8")
    runs = [[str(tmp_path / "en.txt"), "-m", str(toy_en_zh), "--consistent-names"],
            [str(tmp_path / "shared.txt"), "-m", str(toy_model), "--no-consistent-names"],
            [str(tmp_path / "shared.txt"), "-m", str(toy_model)],
            [str(tmp_path / "apart.txt"), "-m", str(toy_model), "--consistent-names"],
            [str(tmp_path / "shared.txt"), "-m", str(toy_model), "--consistent-names"]]  # the control: it loads
    code = ("import sys; from translate.cli import main\n"
            f"for args in {runs!r}:\n"
            "    assert main([*args, '-q', '--no-cache']) == 0\n"
            "    print('jieba' in sys.modules, file=sys.stderr)")
    proc = _python(code, TRANSLATE_CACHE_DIR=str(tmp_path / "cache"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.split() == ["False", "False", "False", "False", "True"]


def test_off_by_default():
    """Until it is measured on a real model: no name is looked for, rendered or enforced."""
    _, backend, out = translated(consistent_names=None)  # (None: the default)
    assert out[1] == "Zhang Xiao-bo said he loved Hongqilafu."
    assert backend.calls == [sorted(SENTENCES, key=len, reverse=True)]  # the sentences, once, and nothing else


def test_each_distinct_sentence_is_tagged_once(monkeypatch):
    import translate.names as names

    tagged = []
    monkeypatch.setattr(names, "tagged_names", lambda text: tagged.append(text) or [("红海", "ns")])
    assert find_names(["红海有三猫。"] * 50 + ["三猫看红海。"]) == {"红海": 51}
    assert sorted(tagged) == sorted(["红海有三猫。", "三猫看红海。"])  # once each, not once per occurrence


def test_names_are_bounded_found_once_and_rendered_with_the_first_sentences(monkeypatch):
    """A document of two chunks with 100 recurring names: the tagger runs once, at most MAX_NAMES
    names are rendered, each once, in the engine call of the first chunk's sentences (before any
    sentence of the second chunk); no sentence is decoded twice (none holds a name)."""
    from translate.names_pass import MAX_NAMES

    chars = "山水花树海猫狗鱼鸟车"
    found = {f"名{a}{b}": 3 for a in chars for b in chars}
    runs = []
    monkeypatch.setattr("translate.names.find_names", lambda sentences, **_: runs.append(1) or found)
    sentences = [f"海关{a}{b}很忙。" for a in chars for b in chars[:6]]
    _, backend, out = translated("\n".join(sentences), batch_size=4)  # chunks of 32 sentences: two
    decoded = [u for call in backend.calls for u in call]
    assert len(runs) == 1 and len(out) == 60
    assert [u for u in decoded if u in found] == list(found)[:MAX_NAMES]  # each once, the most frequent first
    assert len(decoded) == len(set(decoded)) == 60 + MAX_NAMES
    last_name = max(k for k, u in enumerate(decoded) if u in found)
    assert not set(decoded[:last_name]) & set(sentences[32:])  # with the first chunk, before the second


def test_the_flag_turns_it_on_and_the_old_opt_out_is_a_hidden_alias(toy_model, tmp_path, capsys, monkeypatch):
    from tests.cli_helpers import run_cli

    code, out, _ = run_cli(["--help"], capsys)
    text = " ".join(out.split())
    assert code == 0 and "--consistent-names" in text and "--no-consistent-names" not in text
    asked = []
    monkeypatch.setattr("translate.names_pass.NamePass.start", lambda engine, sentences: asked.append(1))
    src = tmp_path / "a.txt"
    src.write_text("红海有三猫。\n三猫看红海。\n", encoding="utf-8")
    for flags, runs in (([], 0), (["--no-consistent-names"], 0), (["--consistent-names"], 1),
                        (["--consistent-names", "--no-consistent-names"], 1)):
        code, out, err = run_cli([str(src), "-m", str(toy_model), "-q", *flags], capsys)
        assert code == 0 and out == "red sea have three cat.\nthree cat see red sea.\n", err
        assert len(asked) == runs, flags
        asked.clear()
