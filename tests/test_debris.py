"""Debris inside sentences is cut, real sentences are left alone, and every pattern runs in linear time.

The table drives the tests: every row of ``DEBRIS`` brings its examples (found, and stripped to what the
row says) and its negatives (never found), so a new row is tested by being added."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarize.debris import DEBRIS, END_REACH, Cleaned, Debris, row, strip_debris
from summarize.quality import assess

KINDS = {"prompt", "source_tag", "credit", "dateline", "byline", "fragment", "label", "link"}
EXAMPLES = [pytest.param(r, unit, rest, id=f"{r.name}-{i}") for r in DEBRIS for i, (unit, rest) in enumerate(r.examples)]
NEGATIVES = [pytest.param(r, unit, id=f"{r.name}-{i}") for r in DEBRIS for i, unit in enumerate(r.negatives)]

REAL = ["他戳穿了谎言。", "新华社是国家通讯社，总部设在北京。", "新华社记者在现场看到，救援工作仍在进行。",
        "一名新华社记者在现场拍摄了照片。", "我们在3月5日电话联系了他的家人。", "人民网3月5日电话采访了多位专家。",
        "用户点击链接后，手机就中了病毒。", "该网站的点击率大幅上升。", "“好。”他走进了报社", "据悉，张三（化名）已经脱离危险",
        "他就读于清华大学（清华）", "记者张三摄影作品展今天开幕。", "他说：“我等等……再说吧。”", "C#和Java是常见语言。",
        "他在微博上@了好几个朋友。", "这件事引起了广泛关注，请继续关注我们的报道。",
        "By the end of the year, the company had doubled its sales.", "By contrast, exports fell.",
        "Click-through rates rose.", "Readers can click here for more, he said.", "He traveled to Paris via London.",
        "Posted at 10:00, the message went viral within minutes.", "US - China talks resumed on Monday.",
        "The U.N. — which has 193 members — voted on Monday.", "She works for the New York Times.",
        "He left. (He never came back.)", "The Associated Press (AP) reported the story.", "Read more about it in our guide.",
        "<script>alert('点击这里')</script>",
        # asides and predicates that once looked like a dateline, a photo credit or a link prompt
        "NASA -- the space agency -- said on Monday that the launch would go ahead.",
        "FBI — which had opened an inquiry — declined to comment.", "U.S. -- and European -- officials met on Friday.",
        "记者张三摄下了这一幕，引发网友热议。", "市卫健委相关负责人表示，了解更多情况后会及时公布。",
        "主办方称，更多详情将在下周的发布会上公布。"]

ONLY_DEBRIS = ["新华社北京9月12日电（记者 张三）", "本报讯（记者 周八）", "（投资者报）", "（记者 李四 王五）", "@人民日报", "，戳这里",
               "新华社记者 谢环驰 摄", "Click here to read more.", "READ MORE: Church leaders react", "(Reuters)",
               "WASHINGTON (CNN) --", "By John Smith. ", "好。（新华网）"]


def check(original: str, cleaned: Cleaned) -> None:
    """What every result must satisfy: ``kept`` spans, in order and trimmed, rebuild ``text`` joined by
    nothing or one space, plus at most one added final mark; nothing removed means nothing changed."""
    if not cleaned.kept:
        assert cleaned == Cleaned(original)
        return
    assert cleaned.removed and set(cleaned.removed) <= KINDS
    previous_end = 0
    at = 0
    for i, (a, b) in enumerate(cleaned.kept):
        assert previous_end <= a < b <= len(original)
        piece = original[a:b]
        assert piece == piece.strip()
        if i and cleaned.text.startswith(" " + piece, at):
            at += 1
        assert cleaned.text.startswith(piece, at), (cleaned, piece)
        at += len(piece)
        previous_end = b
    assert cleaned.text[at:] in ("", "。", ".")
    pieces_have_double_space = any("  " in original[a:b] for a, b in cleaned.kept)
    assert pieces_have_double_space or "  " not in cleaned.text


def test_table_is_well_formed():
    names = [r.name for r in DEBRIS]
    assert len(names) == len(set(names))
    for r in DEBRIS:
        assert isinstance(r, Debris) and r.kind in KINDS and r.examples and r.negatives, r.name
        assert row(r.name) is r
        if r.where == "end":  # searched from the end: the match must reach it
            assert r.pattern.pattern.endswith(r"\Z"), r.name
        if r.where == "anywhere":  # tried at every position: unbounded leading whitespace would be quadratic
            assert not r.pattern.pattern.startswith((r"\s*", r"\s+")), r.name
        if r.where != "whole":
            assert all(rest for _, rest in r.examples), r.name
    wheres = {r.where for r in DEBRIS}
    assert wheres == {"start", "end", "anywhere", "whole"}


@pytest.mark.parametrize("r,unit,rest", EXAMPLES)
def test_every_example_is_found_and_stripped(r, unit, rest):
    assert r.find(unit), (r.name, unit)
    if r.where == "whole":  # a unit that is debris as a whole: quality.assess rejects it, stripping keeps it
        assert not assess(unit).ok, (r.name, unit)
        assert strip_debris(unit).kept == () or assess(strip_debris(unit).text).ok
        return
    cleaned = strip_debris(unit)
    assert cleaned.text == rest, (r.name, cleaned)
    assert r.kind in cleaned.removed
    check(unit, cleaned)


@pytest.mark.parametrize("r,unit", NEGATIVES)
def test_negatives_are_not_found(r, unit):
    assert r.find(unit) is None, (r.name, unit, r.find(unit))


@pytest.mark.parametrize("sentence", REAL)
def test_real_sentences_are_left_alone(sentence):
    assert strip_debris(sentence) == Cleaned(sentence)


@pytest.mark.parametrize("unit", ONLY_DEBRIS)
def test_nothing_of_substance_left_is_left_unchanged(unit):
    """Whole units of debris are quality.assess's job: stripping would leave nothing to read."""
    assert strip_debris(unit) == Cleaned(unit)


@pytest.mark.parametrize("unit,rest,removed", [
    ("新华社北京2月1日电（记者 张三）国家统计局1日发布数据，三季度经济运行总体平稳。（新华网）",
     "国家统计局1日发布数据，三季度经济运行总体平稳。", ("dateline", "source_tag")),
    ("新华社记者 谢环驰 摄 国家主席今天会见了外国元首，详情请见：@新华视点",
     "国家主席今天会见了外国元首", ("credit", "prompt")),
    ("中新网3月5日电 国家统计局（记者 李四）今天发布了最新数据，点击链接查看全文。",
     "国家统计局今天发布了最新数据。", ("dateline", "credit", "prompt")),
    ("本报讯 (记者 李四) 全市中小学今天正式开学。责任编辑：赵六", "全市中小学今天正式开学。", ("dateline", "credit")),
    ("WASHINGTON (CNN) -- The Senate passed the bill. Click here to read more. - BBC News",
     "The Senate passed the bill.", ("dateline", "prompt", "source_tag")),
    ("By John Smith. The bishop (Photo: Getty Images) resigned on Monday. (Reuters)",
     "The bishop resigned on Monday.", ("byline", "credit", "source_tag")),
    ("  新华社北京2月1日电  国家统计局1日发布了就业数据。  ", "国家统计局1日发布了就业数据。", ("dateline",)),
])
def test_stacked_debris(unit, rest, removed):
    cleaned = strip_debris(unit)
    assert cleaned.text == rest
    assert cleaned.removed == removed
    check(unit, cleaned)


def test_kept_spans_point_into_the_original():
    unit = "国家统计局（记者 李四）今天发布了最新数据。（新华网）"
    cleaned = strip_debris(unit)
    assert [unit[a:b] for a, b in cleaned.kept] == ["国家统计局", "今天发布了最新数据。"]
    assert cleaned.text == "国家统计局今天发布了最新数据。"
    english = strip_debris("The bishop (Photo: Getty Images) greeted the crowd.")
    assert english.text == "The bishop greeted the crowd." and len(english.kept) == 2


def test_final_mark_is_kept_when_it_went_with_the_debris():
    assert strip_debris("江边步道建成后，周末散步的人多啦~~新民网").text == "江边步道建成后，周末散步的人多啦。"
    assert strip_debris("The council approved the plan, click here for details.").text == "The council approved the plan."
    assert strip_debris("市政府公布了新的停车收费标准，猛戳→http://t.cn/abc123").text == "市政府公布了新的停车收费标准"  # no mark cut


# ---- hostile input: huge, pathological for backtracking, odd code points ----

@pytest.mark.parametrize("unit", ["戳", "（", "--", "@"])
def test_a_megabyte_of_one_character_completes(unit):
    """Each runs in well under a second with linear patterns; a backtracking pattern would not finish."""
    text = unit * (1_000_000 // len(unit))
    check(text, strip_debris(text))
    assert assess(text).reason in ("", "punctuation", "symbols", "fragment")


@pytest.mark.parametrize("text", [
    "见" + " " * 200_000 + "x",       # "见\s*[：:，,]?\s*$" (the old prompt pattern) is quadratic here: minutes
    "(AB) " * 200_000,                 # one Latin prefix after another: the old loop copied the rest each time
    "新华社北京2月1日电" * 50_000,      # a dateline, again and again
    "。新民网" * 100_000,               # a source tag, again and again
    "，戳这里" * 100_000,               # a prompt, again and again
    "x" + " " * 300_000 + "x",
    "WASHINGTON " * 50_000,
    "(Photo: " * 60_000,
    "（记者" * 100_000,
    "。http://" + "a" * 300_000,
    ". READ MORE: " + "x" * 300_000,
    "By A " * 100_000,
    "//@" * 100_000,
    "~" * 300_000 + "新民网",
    "NASA -- The " + "x" * 300_000,    # a dateline's dash: the aside check looks a bounded way ahead
    "NASA -- The " * 100_000,
    "ABC-" + "-" * 300_000 + " The end",
    "，了解更多" * 100_000,
    "，详见：" + "x" * 300_000,
    "记者张三摄" * 100_000,
])
def test_pathological_inputs_complete(text):
    check(text, strip_debris(text))
    assess(text)


@pytest.mark.parametrize("text", [
    "\x00", "\x00" * 1000, "\u200f新华社北京2月1日电 国家统计局1日发布了就业数据。\u200f",
    "\u202e（新华网）\u202c国家统计局1日发布数据。", "\ufeffBy John Smith. The bishop has resigned.",
    "国家统计局1日发布了就业数据\ud800。（新华网）", "e\u0301" * 1000 + "（新华网）", "新华社北京2月1日电\x00国家统计局1日发布数据。",
    "\u3000" * 100 + "新华社北京2月1日电\u3000国家统计局1日发布了就业数据。\u3000",
    "<script>alert(1)</script>新华社北京2月1日电 国家统计局1日发布了就业数据。", "", " ", "。", "（）", "()",
])
def test_odd_code_points(text):
    check(text, strip_debris(text))
    assess(text)


_PIECES = ["新华社北京2月1日电", "（记者 张三）", "国家统计局发布数据", "，", "。", "（新华网）", "戳这里", "@人民日报", "~~新民网",
           "WASHINGTON (CNN) -- ", "The Senate passed the bill", ". ", "(Reuters)", " - BBC News", "Click here to read more.",
           "(Photo: Getty Images)", "……", "#话题#", "//@某某:", " ", "\x00", "\u200f", "http://t.cn/a"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=4), max_size=12))
def test_any_mix_keeps_the_invariants(parts):
    text = "".join(parts)
    check(text, strip_debris(text))


def test_end_rows_fit_their_window():
    """End rows are searched in the last END_REACH characters: an example's debris must fit in it."""
    for r in DEBRIS:
        if r.where == "end":
            for unit, _ in r.examples:
                m = r.find(unit)
                assert m and m.end() - m.start() < END_REACH
                assert r.find("填充" * 500 + unit), r.name  # found after a long sentence, too


@pytest.mark.parametrize("unit,rest", [
    ("WASHINGTON -- The president -- who was tired -- said nothing.",
     "WASHINGTON -- The president -- who was tired -- said nothing."),   # an aside follows: left alone
    ("WASHINGTON (CNN) -- The bill -- which runs to 900 pages -- passed.",
     "The bill -- which runs to 900 pages -- passed."),                 # the agency makes it a dateline
    ("NEW YORK — the markets fell.", "NEW YORK — the markets fell."),    # no sentence starts after the dash
])
def test_a_dateline_without_an_agency_must_open_a_sentence(unit, rest):
    assert strip_debris(unit).text == rest
