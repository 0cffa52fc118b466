"""Summaries: nested digests from one ranking, budgets in the right unit, redundancy, translation of
picked sentences only, CLI."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarize import Summarizer, summarize
from summarize.cli import main
from summarize.lengths import measure, parse_length
from tests.toy.train_toy import reference
from tests.toydoc import toy_document
from translate import Translator

PRESETS = ("headline", "short", "medium", "long")


def check_digests(digests, unit):
    """The invariants every set of digests keeps."""
    previous = None
    for d in digests:
        idx = [s.index for s in d.sentences]
        assert idx == sorted(idx), "document order"
        assert len(idx) >= 1, "at least one sentence"
        if d.length.unit == "sentences":
            assert len(idx) <= d.length.amount
        elif d.length.unit in ("words", "characters"):
            assert d.achieved == sum(measure(s.text, d.length.unit) for s in d.sentences)
            assert d.achieved <= d.length.amount or (d.over_budget and len(idx) == 1)
        if previous is not None and not previous.over_budget and not d.over_budget:
            assert set(p.index for p in previous.sentences) <= set(idx), "shorter ⊂ longer"
        previous = d


zh_sentence = st.builds(
    lambda body, end: body + end,
    st.text(st.sampled_from(list("海关总书记回信国门卫士发展开放口岸监管服务效能安全屏障大家表示我们将")), min_size=4, max_size=40),
    st.sampled_from(["。", "！", "？", "。”"]))
en_words = st.sampled_from("customs officers border trade letter rules security inspection airport port train "
                           "growth export import service staff mountain".split())
en_sentence = st.builds(lambda ws: " ".join(ws).capitalize() + ".", st.lists(en_words, min_size=3, max_size=25))


def as_document(paragraphs):
    return "Title line\n" + "\n".join("".join(p) if p and p[0][0] not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      else " ".join(p) for p in paragraphs)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(zh_sentence, min_size=1, max_size=5), min_size=1, max_size=12))
def test_chinese_properties(paragraphs):
    text = "标题\n" + "\n".join("\u3000\u3000" + "".join(p) for p in paragraphs)
    digests = summarize(text, PRESETS + ("3", "50c", "30%"), to="source")
    assert digests.language == "zh"
    check_digests([digests[n] for n in PRESETS], "characters")
    check_digests([digests["50c"]], "characters")
    assert summarize(text, PRESETS + ("3", "50c", "30%"), to="source") == digests, "deterministic"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(en_sentence, min_size=1, max_size=5), min_size=1, max_size=12))
def test_english_properties(paragraphs):
    text = "A title\n" + "\n".join(" ".join(p) for p in paragraphs)
    digests = summarize(text, PRESETS + ("40w", "2"))  # English input: summarized directly, no model
    assert digests.language == "en" and digests.info["translated_sentences"] == []
    check_digests([digests[n] for n in PRESETS], "words")
    assert digests["40w"].achieved <= 40 or digests["40w"].over_budget


@settings(max_examples=30, deadline=None)
@given(st.lists(zh_sentence, min_size=2, max_size=12, unique=True), st.data())
def test_near_duplicates_never_both_picked(sentences, data):
    dup_of = data.draw(st.integers(0, len(sentences) - 1))
    original = sentences[dup_of]
    near = original[:-1] + "了" + original[-1]  # one character more
    body = sentences + [near]
    text = "标题\n" + "\n".join("\u3000\u3000" + s for s in body)
    digests = summarize(text, ("long", "100%"), to="source")
    for d in digests:
        picked = [s.source for s in d.sentences]
        assert not (original in picked and near in picked)


def test_seed_digests_in_chinese_need_no_model(seed_text):
    digests = summarize(seed_text, to="source", model="Helsinki-NLP/opus-mt-xx-yy")  # never loaded
    assert [d.name for d in digests] == list(PRESETS)
    check_digests(list(digests), "characters")
    assert digests["headline"].sentences[0].paragraph == 2  # the lead paragraph
    for d in digests:
        assert d.text.count("让人民满意的国门卫士") <= 1, "the repeated slogan is said once"
        assert all(s.translation is None for s in d.sentences)
    assert digests["long"].achieved <= 600 and digests["short"].achieved <= 150


def test_headings_are_not_digest_sentences(seed_text):
    digests = summarize(seed_text, ("100%",), to="source")
    picked = {s.source for s in digests["100%"].sentences}
    assert "守国门、促发展，做好海关工作意义重大" not in picked
    assert "为强国建设、民族复兴积极贡献力量" not in picked


class SpyTranslator(Translator):
    """The toy translator, recording every sentence it is asked to translate."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.asked: list[str] = []

    def translate_sentences(self, sentences, progress=None):
        self.asked.extend(sentences)
        return super().translate_sentences(sentences, progress)


@pytest.fixture()
def spy(toy_model):
    return SpyTranslator(str(toy_model), device="cpu")


@pytest.mark.parametrize("lengths", [("1", "3", "6"), ("10%", "25%", "50%")])
def test_only_picked_sentences_are_translated(spy, lengths):
    doc = toy_document(15, seed=11)
    digests = Summarizer(lengths, translator=spy).summarize(doc.text)
    picked = {s.source for d in digests for s in d.sentences}
    assert sorted(spy.asked) == sorted(picked)  # each picked sentence once, nothing else
    assert len(spy.asked) < sum(len(p) for p in doc.paragraphs)
    for d in digests:
        assert all(s.translation == reference(s.source) for s in d.sentences)  # bilingual alignment


def test_word_budgets_translate_few_sentences(spy):
    doc = toy_document(15, seed=11)
    digests = Summarizer(("headline", "short", "20w"), translator=spy).summarize(doc.text)
    picked = {s.source for d in digests for s in d.sentences}
    assert picked <= set(spy.asked)
    assert len(spy.asked) == len(set(spy.asked)), "no sentence translated twice"
    total = sum(len(p) for p in doc.paragraphs)
    assert len(spy.asked) < total
    check_digests([digests["headline"], digests["20w"]], "words")
    assert digests["20w"].achieved <= 20
    assert all(s.translation == reference(s.source) for d in digests for s in d.sentences)


def test_cli_to_source_on_seed_with_no_model(capsys):
    assert main(["seeds/customs-reply-zh.txt", "--to", "source", "-q"]) == 0
    out = capsys.readouterr().out
    assert out.count("== ") == 4
    for name in PRESETS:
        assert f"== {name} — " in out


def test_cli_json_bilingual_with_toy(toy_model, tmp_path, capsys):
    doc = toy_document(10, seed=5)
    src = tmp_path / "toy.txt"
    src.write_text(doc.text, encoding="utf-8")
    assert main([str(src), "-m", str(toy_model), "-l", "2,4", "-f", "json", "-q"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["header"]["tool"] == "summarize" and data["header"]["method"] == "extractive"
    two, four = data["digests"]
    assert two["budget"] == {"amount": 2, "unit": "sentences"} and len(two["sentences"]) == 2
    assert {s["index"] for s in two["sentences"]} <= {s["index"] for s in four["sentences"]}
    for s in four["sentences"]:
        assert s["translation"] == reference(s["source"])
        assert doc.paragraphs[s["paragraph"]][s["sentence"]] == s["source"]
    assert main([str(src), "-m", str(toy_model), "-l", "2", "-f", "bilingual", "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("== 2 — 2 of 2 sentences")
    assert [reference(lines[1]), reference(lines[3])] == [lines[2], lines[4]]


@pytest.mark.parametrize("bad", ["0", "abc", "150%", "2.5"])
def test_cli_bad_length_is_a_usage_error(bad, capsys):
    assert main(["seeds/customs-reply-zh.txt", "--to", "source", "-l", bad]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("summarize: error: invalid length")


def test_parse_length_units():
    assert parse_length("80w", "words").unit == "words"
    assert parse_length("80w", "characters").unit == "characters"  # Chinese word counts are characters
    assert parse_length("150c", "words").unit == "characters"
    assert parse_length("short", "characters").amount == 150
    assert parse_length("20%", "words").unit == "percent"


def test_a_length_asked_twice_is_one_digest(capsys):
    from tests.conftest import SEED

    assert main([str(SEED), "--to", "source", "-l", "short", "-l", "short,headline", "-q"]) == 0
    out = capsys.readouterr().out
    assert out.count("== short") == 1 and out.count("== headline") == 1


def test_library_and_cli_read_text_the_same_way():
    """No-break and thin spaces: the library cleans text as the command's reader does."""
    from tests.conftest import SEED
    from translate.reading import clean_text

    raw = SEED.read_text(encoding="utf-8").replace("，", "\u00a0，\u2009", 3)
    assert summarize(raw, to="source").info == summarize(clean_text(raw), to="source").info


def _suspects_of_translate_jsonl(args, capsys) -> int:
    from translate.cli import main as translate_main

    assert translate_main([*args, "-f", "jsonl", "-q"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return sum(r.get("status") == "suspect" for r in records if r["type"] == "sentence")


def test_the_digest_page_counts_what_it_shows(toy_model, tmp_path, capsys):
    """The seed with the toy model (a dozen suspect sentences): the page's footer, the stderr
    warning and the note agree with ``translate -f jsonl`` on the same input; the digest box marks
    its suspect sentences with ⚠ as the article does; the footer names ``summarize``."""
    import re

    from tests.conftest import SEED

    page = tmp_path / "page.html"
    assert main([str(SEED), "-m", str(toy_model), "-f", "html", "-o", str(page)]) == 0
    err = capsys.readouterr().err
    html = page.read_text(encoding="utf-8")
    expected = _suspects_of_translate_jsonl([str(SEED), "-m", str(toy_model)], capsys)
    assert expected > 0
    footer = re.search(r'<footer class="foot">(\d+) paragraphs · (\d+) sentences · (\d+) suspect .*?</footer>', html)
    sentences, suspect = int(footer[2]), int(footer[3])
    assert suspect == expected and "· summarize " in footer[0] and "translate" not in footer[0]
    assert f"warning: {expected} suspect sentence(s)" in err
    assert f"translated {sentences} of {sentences} sentences" in err  # the whole article is shown translated
    article = html[html.index('class="article"'):]
    flagged = set(re.findall(r'class="s suspect" data-s="(p\d+-s\d+)"', article))
    box = html[html.index('class="digests"'):html.index('class="article"')]
    items = re.findall(r'<li class="row">.*?</li>', box)
    marked = [i for i in items if set(re.findall(r'data-s="(p\d+-s\d+)"', i)) & flagged]
    assert marked and all("⚠" in i and 'class="s suspect"' in i for i in marked)
    assert all("⚠" not in i for i in items if i not in marked)


def test_a_plain_text_page_is_titled_by_its_first_line_or_file_name(toy_model, tmp_path, capsys):
    src = tmp_path / "birds.txt"
    src.write_text("五鸟看山。三猫看红海。五鸟看红海。\n三猫看山。五鸟看三猫。\n", encoding="utf-8")
    page = tmp_path / "page.html"
    assert main([str(src), "-m", str(toy_model), "-f", "html", "-o", str(page), "-q"]) == 0
    assert "<title>five bird see mountain. three cat see red sea. five bird see red sea.</title>" in \
        page.read_text(encoding="utf-8")
    assert main([str(src), "--to", "source", "-f", "html", "-o", str(page), "-q"]) == 0  # digests alone
    assert "<title>birds.txt</title>" in page.read_text(encoding="utf-8")
