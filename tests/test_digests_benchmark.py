"""benchmarks/digests.py: the budget checks and verdict on hand-made cases, sumy's LSA on Chinese
characters, and one tiny end-to-end run through --save and --before (summarizer figures not pinned:
the summarizer changes, the harness's shape must not)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from benchmarks.digests import SYSTEMS, clauses, main, over_by_clause, size, sumy_ranking, verdict


def test_clauses_keep_their_marks_and_numbers_whole() -> None:
    assert clauses("海关表示，进出口增长3.5%；出口增长。", True) == ["海关表示，", "进出口增长3.5%；", "出口增长。"]
    assert clauses("Jobs grew 1,000 (3.5%), U.S. officials said. Fine!", False) == [
        "Jobs grew 1,000 (3.5%),", " U.S.", " officials said.", " Fine!"]
    assert clauses("", True) == [] and clauses("no marks", False) == ["no marks"]
    text = "据报道,某公司称:利润增长!。"
    assert sum(size(c, True) for c in clauses(text, True)) == size(text, True)


def test_over_by_more_than_one_clause() -> None:
    assert not over_by_clause("一二三，四五六七。", 9, True)  # within budget
    assert not over_by_clause("一二三，四五六七。", 4, True)  # over by 5, longest clause 5: a near miss
    assert over_by_clause("一二三，四五六七。", 3, True)  # over by 6
    assert not over_by_clause("one two three four five", 1, False)  # one clause: cutting it always fits
    assert over_by_clause("one, two. three; four: five!", 2, False)  # over by 3, longest clause 1 word


def test_lsa_ranks_chinese_characters_quietly() -> None:
    sentences = ["海关总署今天发布数据。", "进出口总额增长。", "海关总署表示数据良好。", "。"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        order = sumy_ranking("lsa", sentences, cjk=True)
    assert sorted(order) == list(range(len(sentences)))
    assert order == sumy_ranking("lsa", sentences, cjk=True)


def test_verdict_names_the_worst_margin() -> None:
    systems = {s: {b: {"rouge1": 20.0} for b in ("ref", "3")} for s in SYSTEMS}
    systems["lexrank"]["3"]["rouge1"] = 20.12
    assert verdict({"systems": systems}) == "ours ≥ every peer at ref and 3: no (worst margin -0.12 vs lexrank at 3)"
    systems["lexrank"]["3"]["rouge1"] = 19.5
    assert verdict({"systems": systems}).startswith("ours ≥ every peer at ref and 3: yes (worst margin +0.00")


@pytest.mark.slow
def test_save_then_before(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "tiny.jsonl"
    rows = [{"article": "海关总署今天发布数据。进出口总额增长百分之五。出口增长较快。", "summary": "海关数据显示进出口增长"},
            {"document": "The storm hit the coast on Monday. Roads were closed. Power returned by night.",
             "summary": "A storm closed roads on the coast."}]
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    saved = tmp_path / "out" / "before.json"
    assert main([str(data), "--save", str(saved)]) == 0
    result = json.loads(saved.read_text(encoding="utf-8"))["sets"]["tiny"]
    assert result["n"] == 2 and set(result["systems"]) == set(SYSTEMS)
    assert result["systems"]["ours"]["3"]["over"] is None and isinstance(result["systems"]["lsa"]["ref"]["over"], int)
    assert main([str(data), "--limit", "1", "--before", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "### tiny (2)" in out and "| tiny (1) | ref | lsa |" in out and "| tiny (2 → 1) | ref |" in out
    assert out.count("ours ≥ every peer at ref and 3:") == 2
