"""Stable digests: a length's digest is the same whatever other lengths the same call asks for
(``summarize -l short`` and ``summarize -l short -l 50w`` agree), and the presets still nest."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarize import Summarizer, summarize
from summarize.cli import main
from tests.toydoc import toy_document
from translate import Translator

PRESETS = ("headline", "short", "medium", "long")
lengths = st.lists(st.one_of(st.sampled_from(PRESETS),
                             st.integers(1, 8).map(str),
                             st.integers(5, 400).map(lambda n: f"{n}w"),
                             st.integers(5, 600).map(lambda n: f"{n}c"),
                             st.integers(1, 100).map(lambda n: f"{n}%")),
                   min_size=1, max_size=6, unique=True)

ZH = ("标题\n\u3000\u3000海关总署今天发布消息，今年前十个月，全国口岸进出口总值同比增长百分之五，其中出口增长较快。"
      "海关表示，将继续优化口岸营商环境，提升通关效率。\n\u3000\u3000据介绍，目前全国已有多个口岸实现智能通关，"
      "旅客平均通关时间缩短至三十秒以内。专家认为，这一做法值得推广。\n\u3000\u30002014年，海关总署出台多项措施，"
      "支持外贸企业发展。")
EN = ("Customs officers at the border said on Monday that trade rose sharply in the first ten months, "
      "driven by exports of machinery, which grew faster than expected. The ministry said it would keep "
      "improving services at ports. Officials added that waiting times at airports, which had been long, "
      "were now shorter than a minute. Experts said the approach should be copied elsewhere.")


def _as_tuple(digest):
    return tuple((s.index, s.source, s.translation, s.kept) for s in digest.sentences), digest.achieved, \
        digest.over_budget


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(asked=lengths, article=st.sampled_from([ZH, EN, toy_document(12, seed=3).text]))
def test_each_length_is_the_same_whatever_else_is_asked(asked, article):
    together = summarize(article, tuple(asked), to="source")
    for name in asked:
        alone = summarize(article, (name,), to="source")
        assert _as_tuple(together[name]) == _as_tuple(alone[name]), name


@pytest.fixture(scope="module")
def translator(toy_model):
    return Translator(str(toy_model), device="cpu")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(asked=lengths)
def test_translated_digests_are_stable_too(translator, asked):
    text = toy_document(14, seed=5).text
    together = Summarizer(tuple(asked), translator=translator).summarize(text)
    for name in asked:
        alone = Summarizer((name,), translator=translator).summarize(text)
        assert _as_tuple(together[name]) == _as_tuple(alone[name]), name


@pytest.mark.parametrize("article", [ZH, EN])
def test_presets_nest(article):
    digests = summarize(article, PRESETS, to="source")
    previous: set[int] = set()
    for name in PRESETS:
        d = digests[name]
        picked = {s.index for s in d.sentences if s.whole}
        if not d.over_budget:
            assert previous <= {s.index for s in d.sentences}, name
        previous = picked


def test_short_alone_equals_short_with_another_length(tmp_path, capsys):
    source = tmp_path / "a.txt"
    source.write_text(ZH, encoding="utf-8")
    outputs = []
    for extra in ([], ["-l", "50w"]):
        assert main([str(source), "--to", "source", "-l", "short", *extra, "-f", "json"]) == 0
        import json

        data = json.loads(capsys.readouterr().out)
        outputs.append(next(d for d in data["digests"] if d["name"] == "short"))
    assert outputs[0] == outputs[1]
