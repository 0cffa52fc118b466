"""Segmentation: paragraphs, sentences, token budget."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate.segmentation import split_to_token_limit, segment_document, segment_paragraph, split_paragraphs, split_sentences


def sents(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize("text, expected", [
    ("今天下雨。明天晴！后天呢？", ["今天下雨。", "明天晴！", "后天呢？"]),
    # closing quotes stay with their sentence
    ("他说：“我们来了。”大家都笑了。", ["他说：“我们来了。”", "大家都笑了。"]),
    ("“习近平总书记的回信饱含深情。”张晓波说，“总书记挂念着边关。”",
     ["“习近平总书记的回信饱含深情。”", "张晓波说，“总书记挂念着边关。”"]),
    ("他读了『好书。』然后睡了。", ["他读了『好书。』", "然后睡了。"]),
    # no split inside 《》
    ("他读了《你好。世界！》这本书。很好看。", ["他读了《你好。世界！》这本书。", "很好看。"]),
    # ellipses (one or a run), runs of marks
    ("他走了……我们等着。真的吗？！是的", ["他走了……", "我们等着。", "真的吗？！", "是的"]),
    # semicolon ends a sentence
    ("一是稳增长；二是促改革。", ["一是稳增长；", "二是促改革。"]),
    # unterminated tail is kept
    ("没有标点的句子", ["没有标点的句子"]),
    ("第一句。没有结尾", ["第一句。", "没有结尾"]),
    # an unclosed 《 does not swallow the rest of the paragraph
    ("他读了《书。然后睡了。", ["他读了《书。", "然后睡了。"]),
    # numbers with decimal points are not sentence ends
    ("增长了2.5%。很快。", ["增长了2.5%。", "很快。"]),
])
def test_chinese_sentences(text, expected):
    assert sents(text) == expected


def test_latin_sentences_use_pysbd():
    text = "Dr. Smith went to Washington D.C. on Monday. He arrived at 3 p.m. and left! Why?  No idea"
    assert sents(text) == ["Dr. Smith went to Washington D.C. on Monday.", "He arrived at 3 p.m. and left!",
                           "Why?", "No idea"]


def test_seed_paragraphs_and_kinds(seed_text):
    doc = segment_document(seed_text)
    assert doc.layout == "lines"
    assert len(doc.paragraphs) == 23
    assert doc.sentence_count == 35  # attributions such as “……。”孙傲然说。 stay with their quote
    kinds = [p.kind for p in doc.paragraphs]
    assert kinds[:3] == ["title", "subtitle", "body"]
    assert [doc.paragraphs[i].text for i, k in enumerate(kinds) if k == "heading"] == [
        "守国门、促发展，做好海关工作意义重大", "筑牢国门安全屏障，助推高质量发展、高水平开放"]
    assert all(not p.text.startswith("\u3000") for p in doc.paragraphs)
    assert doc.paragraphs[0].line == 2  # the seed starts with an empty line


@pytest.mark.parametrize("text, layout, count", [
    ("一。\n二。\n三。", "lines", 3),
    ("一。\n\n二。\n\n三。", "lines", 3),
    ("Title\n\nThis paragraph is\nwrapped over lines\nlike e-mail.\n\nSecond one\nis here.", "blocks", 3),
    ("标题\n\n　　第一段。\n　　第二段。\n\n　　第三段。", "lines", 4),
    ("First sentence.\nSecond paragraph.\n\nThird paragraph.\nFourth.", "lines", 4),
])
def test_layout_detection(text, layout, count):
    chosen, paragraphs = split_paragraphs(text)
    assert chosen == layout
    assert len(paragraphs) == count


def test_wrapped_blocks_are_joined():
    _, paragraphs = split_paragraphs("A wrapped\nline here.\n\n中文换\n行了。")
    assert [p.text for p in paragraphs] == ["A wrapped line here.", "中文换行了。"]


def char_count(text: str) -> int:
    return len(text)


def test_budget_splits_at_clauses_first():
    text = "第一个分句很长很长，第二个分句也很长，第三个分句同样很长。"
    spans = split_to_token_limit(text, 0, len(text), char_count, 12)
    assert [text[s:e] for s, e in spans] == ["第一个分句很长很长，", "第二个分句也很长，", "第三个分句同样很长。"]


def test_budget_falls_back_to_hard_cuts_never_truncates():
    text = "没" * 50
    spans = split_to_token_limit(text, 0, len(text), char_count, 8)
    assert "".join(text[s:e] for s, e in spans) == text
    assert all(e - s <= 8 for s, e in spans)


def test_budget_prefers_whitespace_in_latin_text():
    text = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
    spans = split_to_token_limit(text, 0, len(text), char_count, 20)
    assert all(text[s:e] == text[s:e].strip() and e - s <= 20 for s, e in spans)
    assert " ".join(text[s:e] for s, e in spans) == text


def test_segment_paragraph_marks_split_pieces():
    units = segment_paragraph("短句。" + "很长的句子，" * 10 + "结束。", char_count, 20)
    assert units[0].text == "短句。" and not units[0].part_of_longer
    assert all(u.part_of_longer for u in units[1:])
    assert all(len(u.text) <= 20 for u in units)


PARAGRAPH_CHARS = st.sampled_from(list("今天下雨我们你好中国海关。！？；…，、：“”《》 ab.?!") + ["\u3000"])


@settings(max_examples=150, deadline=None)
@given(st.text(PARAGRAPH_CHARS, min_size=1, max_size=80), st.integers(8, 30))
def test_units_cover_paragraph_exactly(text, budget):
    """Concatenating the units reproduces the paragraph (minus whitespace); each fits the budget."""
    units = segment_paragraph(text, char_count, budget)
    assert all(u.text and u.text == text[u.start:u.end] for u in units)
    assert all(len(u.text) <= budget for u in units)
    assert "".join(u.text for u in units).replace(" ", "").replace("\u3000", "") == \
        "".join(text.split()).replace("\u3000", "")
    assert all(a.end <= b.start for a, b in zip(units, units[1:]))


@pytest.mark.parametrize("text, expected", [
    ("“我们很自豪。”孙傲然说。下一句。", ["“我们很自豪。”孙傲然说。", "下一句。"]),
    ("“回信振奋人心。”刘棒棒表示，“我将坚守。”", ["“回信振奋人心。”", "刘棒棒表示，“我将坚守。”"]),
])
def test_short_attribution_stays_with_its_quote(text, expected):
    assert sents(text) == expected
