"""Digests a reader trusts: no fragments, bylines, datelines, credits or prompts; headings are not
sentences; paraphrases are redundant; ranking work grows linearly (counted, not timed)."""

from __future__ import annotations

import random

import pytest

from summarize import summarize
from summarize.digests import join_digest
from summarize.quality import assess
from summarize.ranking import Candidate, rank_sentences
from translate.segmentation.paragraphs import classify, looks_like_heading

LENGTHS = ("headline", "short", "medium", "long", "1", "3", "10c", "5w", "20%", "100%")

ZH_TRAPS = ["（投资者报）", "（国际金融报）", "详见，", "一财网", "（原题为《三季度经济数据出炉》）", "新华社北京9月12日电（记者 张三）",
            "（记者 李四 王五）", "责任编辑：赵六", "原标题：三季度经济数据出炉", "（图片来源：视觉中国）", "图/本报记者 孙七",
            "点击查看更多精彩内容", "扫描二维码关注我们", "本报讯（记者 周八）", "来源：新华网", "2、红枣洗净，备用；", "实验结果表明。"]
EN_TRAPS = ["By .", "PUBLISHED: .", "UPDATED: . 15:36 EST, 25 October 2013 .", "Margot Peppers .", "By Daily Mail Reporter .",
            "Last updated at 17:20 GMT", "Media playback is not supported on this device", "Click here to read more.",
            "Photo: Getty Images", "Editing by John Smith", "Replacements: Beziat, Tichit, Martinez, Desroche.", "YES!"]
ZH_REAL = ["今年是海关关衔制度实行20周年，习近平总书记给红其拉甫海关全体关员回信。",
           "新华社北京9月12日电（记者 张三）国家统计局12日发布数据，三季度经济运行总体平稳。",
           "By the end of the year, the company had doubled its sales.", "He denied the charges.",
           "WASHINGTON (Reuters) - The Senate passed the bill on Tuesday.", "海关系统干部职工表示，将以实际行动守护国门安全。"]


@pytest.mark.parametrize("text", ZH_TRAPS + EN_TRAPS)
def test_traps_are_not_sentences(text):
    assert not assess(text).ok


@pytest.mark.parametrize("text", ZH_REAL)
def test_real_sentences_are(text):
    assert assess(text).ok, assess(text)


ZH_ARTICLE = "\n".join([
    "三季度经济数据出炉",
    "（投资者报）",
    "新华社北京10月18日电（记者 张三）",
    "国家统计局18日发布数据，前三季度国内生产总值同比增长百分之五，经济运行总体平稳、稳中有进。",
    "（记者 李四 王五）",
    "详见，",
    "分产业看，第一产业增加值增长百分之三点五，第二产业增加值增长百分之四点八，第三产业增加值增长百分之五点二。",
    "国家统计局新闻发言人表示，当前外部环境依然复杂严峻，国内需求仍显不足，经济回升向好的基础还需巩固。",
    "点击查看更多精彩内容",
    "一财网",
    "原标题：前三季度国内生产总值同比增长百分之五",
    "责任编辑：赵六",
])
EN_ARTICLE = "\n".join([
    "Bishop exposes churchgoers to hepatitis A",
    "By .",
    "Margot Peppers .",
    "PUBLISHED: .",
    "UPDATED: . 15:36 EST, 25 October 2013 .",
    "The bishop of the Fargo Catholic Diocese in North Dakota has exposed potentially hundreds of church members "
    "to the hepatitis A virus in late September and early October.",
    "The state Health Department has issued an advisory of exposure for anyone who attended five churches and took "
    "communion.",
    "State Immunization Program Manager Molly Howell says the risk is low, but officials feel it is important to alert "
    "people to the possible exposure.",
    "Click here to read more.",
    "Photo: Getty Images",
])


@pytest.mark.parametrize("article,lang,traps", [(ZH_ARTICLE, "zh", ZH_TRAPS), (EN_ARTICLE, "en", EN_TRAPS)])
def test_no_digest_holds_a_trap(article, lang, traps):
    digests = summarize(article, LENGTHS, to="source", source_language=lang)
    for d in digests:
        assert d.sentences, d.name
        for s in d.sentences:
            assert assess(s.source).ok, (d.name, s.source)
            assert s.source.strip() not in traps
    assert digests.info["not_sentences"] >= 2  # the unpunctuated ones are headings already


def test_tight_budget_keeps_real_clauses_of_a_sentence():
    """Below every sentence, the digest is clauses of one, still a real sentence (not "分产业看。")."""
    digests = summarize(ZH_ARTICLE, ("10c", "20c"), to="source", source_language="zh")
    for d in digests:
        assert len(d.sentences) == 1 and assess(d.sentences[0].source).ok, d.sentences[0].source
        assert not d.sentences[0].whole


def test_only_debris_is_still_digested():
    digests = summarize("（投资者报）\n一财网\n详见，", ("1",), to="source", source_language="zh")
    assert len(digests["1"].sentences) == 1  # nothing else there: at least one unit is kept


def test_english_subtitle_is_a_heading_not_a_digest_sentence():
    text = "\n".join([
        "Ice Warning Issued",
        "Yellow weather warning for ice across most of Wales this weekend",
        "The Met Office has issued a yellow weather warning for ice across most of Wales this weekend.",
        "The ice could lead to difficult driving conditions on untreated roads, the weather service warned.",
        "Only the southernmost counties are expected to escape.",
    ])
    digests = summarize(text, ("headline", "long"), to="source", source_language="en")
    assert digests["headline"].sentences[0].source.startswith("The Met Office")
    picked = [s.source for s in digests["long"].sentences]
    assert "Yellow weather warning for ice across most of Wales this weekend" not in picked


def test_headings_in_every_format():
    assert classify("Why Sunderland Need A Win Before The Derby With Newcastle United This Weekend", 3, "body") == "heading"
    assert looks_like_heading("Ice warning for Wales", "The Met Office has issued a yellow weather warning for ice "
                                                       "across most of Wales, and it begins at ten tonight.")
    assert not looks_like_heading("The Met Office has issued a warning.", "More text follows here.")
    assert looks_like_heading("守国门、促发展", "习近平总书记强调，海关担负着守国门、促发展的职责使命。")


@pytest.mark.parametrize("a,b", [
    ("Yellow weather warning issued for ice across most of Wales this weekend, forecasters say.",
     "Forecasters have issued a yellow warning for ice across most of Wales this weekend."),
    ("国家统计局发布数据显示，前三季度国内生产总值同比增长百分之五。",
     "前三季度国内生产总值同比增长百分之五，国家统计局发布的数据显示。"),
])
def test_paraphrases_are_redundant(a, b):
    others = ["Unrelated matters of the county council were discussed at length on Monday evening.",
              "县里的其他工作会议在周一晚上讨论了很长时间的道路建设问题。"]
    ranked = rank_sentences([Candidate(0, a, True), Candidate(1, others[0]), Candidate(2, b), Candidate(3, others[1])])
    assert 2 in ranked.redundant and ranked.redundant[2] == 0
    assert 2 not in ranked.order


def test_no_space_after_cjk_punctuation():
    assert join_digest(["红枣洗净，备用；", "4、加水煮开。"]) == "红枣洗净，备用；4、加水煮开。"
    assert join_digest(["He said.", "Yes."]) == "He said. Yes."


def _zh_candidates(n, seed=3):
    rng = random.Random(seed)
    chars = "海关总书记回信国门卫士发展开放口岸监管服务效能安全屏障大家表示我们将经济市场企业政府工作会议"
    return [Candidate(i, "".join(rng.choice(chars) for _ in range(rng.randint(12, 40))) + "。", i % 3 == 0)
            for i in range(n)]


@pytest.mark.slow
def test_similarity_work_grows_linearly():
    """Counted, not timed: above the exact size, each sentence's pair updates are bounded by
    DF_CAP per distinct term, whatever the article's length (exact below EXACT_UP_TO)."""
    from summarize.features import terms
    from summarize.ranking import DF_CAP, EXACT_UP_TO

    for n in (EXACT_UP_TO + 1, 1000, 4000):
        cands = _zh_candidates(n)
        postings = sum(len(set(terms(c.text))) for c in cands)
        assert rank_sentences(cands).comparisons <= DF_CAP / 2 * postings
    small = rank_sentences(_zh_candidates(100))
    assert small.comparisons <= 100 * 99 / 2 * 60  # exact: at most every pair, once per shared term


def test_many_identical_lines_are_cheap_and_said_once():
    ranked = rank_sentences([Candidate(i, "The council approved the new budget on Monday.", True) for i in range(5000)])
    assert ranked.comparisons == 0  # every term is too frequent to propose pairs
    assert len(ranked.order) == 1 and len(ranked.redundant) == 4999
