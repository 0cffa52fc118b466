"""The glossary (translate/glossary.py): TSV/CSV files, longest-match-first finding, enforcement
through the span protection (placeholder → target term, or translated around it) with exact output
on the toy model, the guard's "glossary term missing", the terms report (library and JSONL), and
the translation memory keyed on the glossary's content."""

from __future__ import annotations

import json

import pytest

from translate import InputError, Translator, UsageError
from translate.cli import main
from translate.glossary import Glossary, Term, load_glossary
from translate.guard import problem
from translate.spans import mask, mask_markdown, with_terms


def write(tmp_path, text, name="g.tsv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_tsv_and_csv_with_header_comments_and_notes(tmp_path):
    g = load_glossary(write(tmp_path, "source\ttarget\tnote\n# people\n张晓波\tZhang Xiaobo\tofficer\n\n"
                                      "海关总署\tGeneral Administration of Customs\n"))
    assert g.terms["张晓波"] == Term("张晓波", "Zhang Xiaobo", "officer")
    assert g.terms["海关总署"].target == "General Administration of Customs" and len(g) == 2
    c = load_glossary(write(tmp_path, '红其拉甫,Khunjerab,"a pass, and a port"\n', "g.csv"))
    assert c.terms["红其拉甫"] == Term("红其拉甫", "Khunjerab", "a pass, and a port")


@pytest.mark.parametrize("text, error, words", [
    ("三猫\n", UsageError, "line 1: expected a source term and a target term"),
    ("三猫\tA\n三猫\tB\n", UsageError, "line 2: '三猫' is listed twice"),
])
def test_bad_glossaries_are_one_line_naming_the_option(tmp_path, text, error, words):
    with pytest.raises(error) as caught:
        Translator("Helsinki-NLP/opus-mt-zh-en", glossary=str(write(tmp_path, text)))
    assert words in str(caught.value) and caught.value.option == "glossary" and "--" not in str(caught.value)
    with pytest.raises(InputError):
        load_glossary(tmp_path / "missing.tsv")


def test_longest_match_first_and_whole_words():
    g = Glossary([Term("海关", "customs"), Term("海关总署", "General Administration of Customs"),
                  Term("总署", "administration"), Term("GDP", "gross domestic product")])
    found = [(s, e, t.source) for s, e, t in g.find("海关总署说，海关和总署。GDPR与GDP")]
    assert found == [(0, 4, "海关总署"), (6, 8, "海关"), (9, 11, "总署"), (17, 20, "GDP")]  # not inside GDPR
    assert [t.source for _, _, t in Glossary([Term("红海", "x"), Term("海有三", "y")]).find("红海有三")] == ["海有三"]


def test_masking_puts_in_the_target_and_keeps_other_spans():
    m = with_terms(mask("三猫看 https://a.com/x 山。"), [(0, 2, "Three Cats Inc.")])
    assert m.text == "[902] 看 [901] 山。"
    assert m.restore("[902] see [901] mountain.") == "Three Cats Inc. see https://a.com/x mountain."
    assert m.restore("see [901] mountain.") is None  # lost: translated around it instead
    assert m.pieces() == [(True, "Three Cats Inc."), (False, "看"), (True, "https://a.com/x"), (False, "山。")]
    md = with_terms(mask_markdown("[三猫](https://x.org)看山"), [(1, 3, "Three Cats Inc.")])
    assert md.restore("[901] [903] [902] see mountain") == "[Three Cats Inc.](https://x.org) see mountain"


def test_the_guard_flags_a_missing_target_term():
    assert problem("三猫看山。", "three cat see mountain.", True, required=("Three Cats Inc.",)) == \
        "glossary term missing"
    assert problem("三猫看山。", "Three Cats Inc. see mountain.", True, required=("Three Cats Inc.",)) is None


GLOSSARY = "三猫\tThree Cats Inc.\t(a company)\n红海\tRed Sea\n"


def test_a_glossary_fixes_terms_on_the_toy_model_end_to_end(toy_model, tmp_path):
    plain = Translator(str(toy_model), device="cpu")
    assert plain.translate("三猫看山。红海有三猫。").text == "three cat see mountain. red sea have three cat."
    t = Translator(str(toy_model), device="cpu", glossary=str(write(tmp_path, GLOSSARY)))
    doc = t.translate("三猫看山。红海有三猫。\n三看大红花。")
    assert doc.text == "Three Cats Inc. see mountain. Red Sea have Three Cats Inc.\nthree see big red flower."
    assert all(s.status == "ok" for p in doc.paragraphs for s in p.sentences)  # 三 alone, 红 in 红花: no term
    assert doc.stats.terms_report() == [
        {"source": "三猫", "target": "Three Cats Inc.", "kind": "glossary", "found": 2, "held": 2, "note": "(a company)"},
        {"source": "红海", "target": "Red Sea", "kind": "glossary", "found": 1, "held": 1}]


def test_cli_glossary_text_and_jsonl_terms_record(toy_model, tmp_path, capsys):
    src = write(tmp_path, "三猫看山。\n红海有三猫。\n", "a.txt")
    glossary = write(tmp_path, GLOSSARY)
    assert main([str(src), "-m", str(toy_model), "-q", "--no-cache", "--glossary", str(glossary)]) == 0
    assert capsys.readouterr().out == "Three Cats Inc. see mountain.\nRed Sea have Three Cats Inc.\n"
    assert main([str(src), "-m", str(toy_model), "-q", "--no-cache", "--glossary", str(glossary), "-f", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records[0]["glossary"] == str(glossary)
    assert records[-1] == {"type": "terms", "terms": [
        {"source": "三猫", "target": "Three Cats Inc.", "kind": "glossary", "found": 2, "held": 2, "note": "(a company)"},
        {"source": "红海", "target": "Red Sea", "kind": "glossary", "found": 1, "held": 1}]}
    assert main([str(src), "-m", str(toy_model), "-q", "--glossary", str(tmp_path / "none.tsv")]) == 1
    assert "--glossary" in capsys.readouterr().err


def test_the_memory_keys_on_the_glossary_content(toy_model, tmp_path):
    memory = str(tmp_path / "memory.sqlite")
    glossary = write(tmp_path, "三猫\tThree Cats Inc.\n")
    first = Translator(str(toy_model), device="cpu", cache=memory, glossary=str(glossary))
    assert first.translate("三猫看山。").text == "Three Cats Inc. see mountain."
    again = Translator(str(toy_model), device="cpu", cache=memory, glossary=str(glossary))
    done = again.translate("三猫看山。")
    assert done.text == "Three Cats Inc. see mountain." and done.stats.counts["cached"] == 1
    glossary.write_text("三猫\tTri-Cat Ltd.\n", encoding="utf-8")  # the same path, another content
    changed = Translator(str(toy_model), device="cpu", cache=memory, glossary=str(glossary))
    done = changed.translate("三猫看山。")
    assert done.text == "Tri-Cat Ltd. see mountain." and done.stats.counts["cached"] == 0
    none = Translator(str(toy_model), device="cpu", cache=memory)
    assert none.translate("三猫看山。").text == "three cat see mountain."
