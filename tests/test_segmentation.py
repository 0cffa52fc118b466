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


# -- no input that hangs: segmentation stays linear (no timing: the work is counted) ----------------------

class CountingCounter:
    """A token counter (one token per character) that counts its calls and the characters it read."""

    def __init__(self) -> None:
        self.calls = 0
        self.chars = 0

    def __call__(self, text: str) -> int:
        self.calls += 1
        self.chars += len(text)
        return len(text)


def unpunctuated_chinese(n: int) -> str:
    return ("三猫看大山五小狗" * (n // 8 + 1))[:n]


def latin_run(n: int) -> str:
    return ("the cat looks at a big red mountain and a small dog " * (n // 52 + 1))[:n].strip()


def clauses(n: int) -> str:
    return ("三猫看大山，五小狗看红花、" + "鱼" * 90 + "，") * (n // 115 + 1)


def covered_in_order(text: str, spans) -> bool:
    """Spans in order, not overlapping, covering every non-space character of ``text``."""
    spans = list(spans)
    if any(a[1] > b[0] for a, b in zip(spans, spans[1:])) or any(s >= e for s, e in spans):
        return False
    return "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("make", [unpunctuated_chinese, latin_run, clauses])
def test_token_limit_work_grows_linearly(make):
    """Splitting an over-long sentence counts tokens a bounded number of times per piece, on
    bounded text: 3× the input costs at most 3.5× the calls and the characters counted (it was
    quadratic: the whole remainder re-tokenized and re-scanned for every piece)."""
    work = {}
    for n in (20_000, 60_000):
        text = make(n)
        counter = CountingCounter()
        spans = split_to_token_limit(text, 0, len(text), counter, 63)
        assert covered_in_order(text, spans)
        assert all(e - s <= 63 for s, e in spans)
        work[n] = counter
    assert work[60_000].calls <= 3.5 * work[20_000].calls
    assert work[60_000].chars <= 3.5 * work[20_000].chars


def test_segment_paragraph_of_a_huge_unpunctuated_chinese_line_is_linear():
    work = {}
    for n in (20_000, 60_000):
        text = unpunctuated_chinese(n)
        counter = CountingCounter()
        units = segment_paragraph(text, counter, 63, "zh")
        assert "".join(u.text for u in units) == text
        assert all(u.part_of_longer and len(u.text) <= 63 for u in units)
        work[n] = counter
    assert work[60_000].calls <= 3.5 * work[20_000].calls
    assert work[60_000].chars <= 3.5 * work[20_000].chars


def old_split_to_token_limit(text, start, end, count, max_tokens):
    """The splitter as it was before windows (quadratic): the reference for its results."""
    from translate.options import MIN_SENTENCE_TOKENS
    from translate.segmentation.token_limit import CLAUSE_MARKS, _largest_fit

    if count is None or count(text[start:end]) <= max_tokens:
        return [(start, end)]
    max_tokens = max(max_tokens, MIN_SENTENCE_TOKENS)
    pieces, pos = [], start
    while count(text[pos:end]) > max_tokens:
        clause = [i + 1 for i in range(pos, end - 1) if text[i] in CLAUSE_MARKS]
        space = [i for i in range(pos + 1, end) if text[i].isspace() and not text[i - 1].isspace()]
        cut = (_largest_fit(text, pos, clause, count, max_tokens) or _largest_fit(text, pos, space, count, max_tokens)
               or _largest_fit(text, pos, list(range(pos + 1, end)), count, max_tokens) or pos + 1)
        piece_end = cut
        while piece_end > pos and text[piece_end - 1].isspace():
            piece_end -= 1
        pieces.append((pos, piece_end))
        pos = cut
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end:
        pieces.append((pos, end))
    return pieces


SPLIT_CHARS = st.sampled_from(list("三猫看大山，、：,:;— 。ab") + ["mountain ", "\u3000", "  "])


@settings(max_examples=60, deadline=None)
@given(st.lists(SPLIT_CHARS, min_size=1, max_size=300).map("".join), st.integers(8, 20))
def test_windowed_token_limit_splits_as_before(text, budget):
    """Windows change the cost, not the pieces (texts longer than the window included)."""
    assert split_to_token_limit(text, 0, len(text), len, budget) == \
        old_split_to_token_limit(text, 0, len(text), len, budget)


def english_prose(n: int) -> str:
    sentences = ["The cat looks at the big red mountain.", "Dr. Smith arrived at 3 p.m. and left!",
                 "Why?", "A small dog sees one fish in the water near seven trees", "It was about 2.5 km away."]
    out, i = [], 0
    while sum(map(len, out)) + len(out) < n:
        out.append(sentences[i % len(sentences)] + ("" if i % 7 else " (see below)"))
        i += 1
    return " ".join(out)[:n].strip()


def test_pysbd_sees_bounded_windows_of_a_huge_latin_line(monkeypatch):
    """pysbd's time grows with the square of its input: a huge line reaches it in windows, whose
    total length grows linearly; the sentences still cover every character, in order."""
    from translate.segmentation import sentences

    seen: list[int] = []
    real = sentences._pysbd_segment
    monkeypatch.setattr(sentences, "_pysbd_segment", lambda lang, text: seen.append(len(text)) or real(lang, text))
    work = {}
    for n in (20_000, 60_000):
        seen.clear()
        text = english_prose(n)
        spans = split_sentences(text, "en")
        assert covered_in_order(text, spans)
        assert len(spans) > n / 60  # still split into sentences
        assert max(seen) <= sentences.PYSBD_WINDOW
        work[n] = sum(seen)
    assert work[60_000] <= 3.5 * work[20_000]


def test_pysbd_windows_keep_the_sentences_of_an_ordinary_paragraph():
    from translate.segmentation.sentences import PYSBD_WINDOW, _pysbd, latin_boundaries

    text = english_prose(PYSBD_WINDOW)
    whole = [p.strip() for p in _pysbd("en").segment(text)]
    assert [text[s:e] for s, e in split_sentences(text, "en")] == whole
    long = english_prose(3 * PYSBD_WINDOW)
    assert latin_boundaries(long)[:20] == latin_boundaries(long[:PYSBD_WINDOW])[:20]


PYSBD_WORDS = st.sampled_from("the cat Dr. Smith at 3 p.m. in U.S. 2.5 (see) \"really\" i.e. Mr. Lee . ! ? "
                              "... no. 1. 2. a) b) — ' the the".split(" ") + ["  ", ""])


@settings(max_examples=80, deadline=None)
@given(st.lists(PYSBD_WORDS, max_size=60), st.sampled_from(["en", "zh", "de"]))
def test_pysbd_segment_without_its_regex_search_is_pysbd(words, language):
    from translate.segmentation.sentences import _pysbd, _pysbd_segment

    text = " ".join(words)
    assert _pysbd_segment(language, text) == _pysbd(language).segment(text)


def old_latin_sentence_ends(text, cuts):
    from translate.languages import has_cjk
    from translate.segmentation.sentences import _LATIN_END, _LATIN_WORD

    extra = []
    for m in _LATIN_END.finditer(text):
        start = max([c for c in cuts if c <= m.start()], default=0)
        before = text[start:m.end()]
        if not has_cjk(before) and len(_LATIN_WORD.findall(before)) >= 3:
            extra.append(m.end())
    return extra


MIXED = st.sampled_from(["三猫", "看大山", "。", "！", "？", "The cat looks", " at it", ". ", "? ", "!", " ",
                         "Dr. Smith", "http://x.org/a.b", " a@b.com ", "《书。》", "”", "2.5"])


@settings(max_examples=150, deadline=None)
@given(st.lists(MIXED, min_size=1, max_size=40))
def test_latin_sentence_ends_as_before(parts):
    """Bisection and one sweep over CJK runs instead of a scan of all cuts per match: same cuts."""
    from translate.segmentation.sentences import cjk_boundaries, latin_sentence_ends

    text = "".join(parts)
    cuts = cjk_boundaries(text)
    assert latin_sentence_ends(text, cuts) == old_latin_sentence_ends(text, cuts)


def test_many_latin_sentences_and_urls_in_chinese_text_are_cut_as_before():
    text = "三猫看大山。The cat looks at the mountain. 五小狗看 http://x.org/a.b 红花。" * 2000
    spans = split_sentences(text)
    assert covered_in_order(text, spans)
    assert [text[s:e] for s, e in spans[:4]] == ["三猫看大山。", "The cat looks at the mountain.",
                                                 "五小狗看 http://x.org/a.b 红花。", "三猫看大山。"]
    assert len(spans) == 3 * 2000


def test_ascii_punctuation_inside_a_latin_name_is_no_sentence_end():
    text = "我们使用YES!IC品牌的产品。真的吗?是的!"
    assert [text[a:b] for a, b in split_sentences(text)] == ["我们使用YES!IC品牌的产品。", "真的吗?", "是的!"]
