"""Markdown in (sources/markdown.py), Markdown out (output/markdown_writer.py), and the masking of
inline Markdown syntax (spans.mask_markdown)."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("markdown_it")

from translate.document import Markup, TranslatedParagraph
from translate.output.markdown_writer import escape_text, write_markdown
from translate.sources.markdown import markdown_parser, read_markdown
from translate.spans import (mask, mask_markdown, markdown_protected_spans, markdown_spans,
                             markdown_unbreakable_spans, protected_spans)

NEWS = """\
---
title: "新能源汽车出口创新高"
author: 李明
date: 2024-05-01
tags: [汽车, 出口]
---

# 新能源汽车出口创新高

*记者 李明 报道*

据[新华社](https://www.xinhua.net/2024/05/01/car.html "新华社")报道，今年一季度中国新能源汽车出口量同比增长**百分之二十三**。
分析人士认为，这一趋势仍将持续。

![比亚迪工厂的生产线](https://img.example.com/byd_line.jpg "生产线")

## 市场分析

业内人士表示，欧洲市场需求旺盛，详见<https://www.example.com/report>。调用 `get_sales()` 可以查询数据。

```python
def get_sales(year):
    return db.query("销量", year)
```

主要出口市场包括：

- 欧洲
  - 德国
  - 法国
- 东南亚
* 中东

1. 提高产能
2. 降低成本
3) 拓展渠道

> 专家指出，新能源汽车是未来发展方向。
>
> 但是也面临[贸易壁垒](https://example.com/barrier)的挑战。

| 国家 | 出口量（万辆） | 增长率 |
| :--- | ---: | :---: |
| 德国 | 12.5 | 30% |
| 法国 | 8.3 | 15\\| 估计 |

<div class="ad">
广告内容
</div>

***

Setext 标题
-----------

报道完。更多信息请联系 <span class="mail">press@example.com</span>。

[ref]: https://example.com/ref
"""


def kinds(source):
    return [(b.kind, b.text) for b in source.blocks]


def test_read_markdown_blocks():
    source = read_markdown(NEWS)
    assert source.layout == "markdown"
    assert source.metadata == {"title": "新能源汽车出口创新高", "author": "李明", "date": "2024-05-01"}
    blocks = source.blocks
    front = blocks[0]
    assert front.kind == "verbatim" and front.line == 1
    assert front.markup.source == NEWS.split("\n\n")[0]
    title, subtitle, body = blocks[1:4]
    assert (title.kind, title.text, title.markup.level, title.line) == ("title", "新能源汽车出口创新高", 1, 8)
    assert (subtitle.kind, subtitle.text, subtitle.markup.marker) == ("subtitle", "记者 李明 报道", "*")
    assert body.kind == "body" and body.line == 12
    assert body.text == ('据[新华社](https://www.xinhua.net/2024/05/01/car.html "新华社")报道，今年一季度中国新能源'
                         '汽车出口量同比增长**百分之二十三**。分析人士认为，这一趋势仍将持续。')  # soft break joined
    assert blocks[4].kind == "body" and blocks[4].text.startswith("![比亚迪工厂的生产线](https://img.example.com/")
    assert (blocks[5].kind, blocks[5].text, blocks[5].markup.level) == ("heading", "市场分析", 2)
    assert "<https://www.example.com/report>" in blocks[6].text and "`get_sales()`" in blocks[6].text
    code = blocks[7]
    assert code.kind == "verbatim" and code.markup.source.startswith("```python\n") and code.markup.source.endswith("```")
    assert code.markup.source in NEWS

    items = [b for b in blocks if b.kind == "list_item"]
    assert [(b.text, b.markup.marker, b.markup.level) for b in items] == [
        ("欧洲", "-", 0), ("德国", "-", 1), ("法国", "-", 1), ("东南亚", "-", 0), ("中东", "*", 0),
        ("提高产能", "1.", 0), ("降低成本", "2.", 0), ("拓展渠道", "3)", 0)]
    groups = [b.markup.group for b in items]
    assert groups[0] == groups[3] != groups[1] == groups[2]          # the nested list is its own list
    assert len({groups[0], groups[4], groups[5], groups[7]}) == 4     # "-", "*", "1.", "3)": four lists
    assert groups[5] == groups[6]

    quotes = [b for b in blocks if b.kind == "quote"]
    assert [b.text for b in quotes] == ["专家指出，新能源汽车是未来发展方向。",
                                        "但是也面临[贸易壁垒](https://example.com/barrier)的挑战。"]
    assert quotes[0].markup.group == quotes[1].markup.group and quotes[0].markup.level == 0

    cells = [b for b in blocks if b.kind == "table_cell"]
    assert [(b.markup.cell, b.text, b.markup.header) for b in cells[:4]] == [
        ((0, 0), "国家", True), ((0, 1), "出口量（万辆）", True), ((0, 2), "增长率", True), ((1, 0), "德国", False)]
    assert [b.markup.marker for b in cells[:3]] == [":---", "---:", ":---:"]
    assert cells[-1].text == "15| 估计" and cells[-1].markup.cell == (2, 2)   # "\\|" unescaped
    assert len({b.markup.group for b in cells}) == 1

    verbatim = [b.markup.source for b in blocks if b.kind == "verbatim"]
    assert '<div class="ad">\n广告内容\n</div>' in verbatim
    assert "***" in verbatim and "[ref]: https://example.com/ref" in verbatim
    assert verbatim[-1] == "[ref]: https://example.com/ref"
    setext = next(b for b in blocks if b.text == "Setext 标题")
    assert setext.kind == "heading" and setext.markup.level == 2
    lines = NEWS.split("\n")
    for b in blocks:  # every block's line is where it starts
        if b.kind not in ("table_cell",):
            assert b.line >= 1 and lines[b.line - 1].strip(), b


def translated(source, translate=lambda text: text):
    out = []
    for i, b in enumerate(source.blocks):
        text = b.text if b.kind == "verbatim" else translate(b.text)
        out.append(TranslatedParagraph(i, b.kind, b.text, text, (), b.line, b.markup))
    return out


def structure(text):
    """The block token structure: types, tags, nesting, heading levels, list markers' kinds and
    table shape (inline content and tightness aside)."""
    out = []
    for t in markdown_parser().parse(text):
        if t.type == "inline":
            continue
        entry = (t.type, t.tag, t.level)
        if t.type == "ordered_list_open":
            entry += (t.attrGet("start"),)
        if t.type in ("fence", "code_block", "html_block"):
            entry += (t.content,)
        out.append(entry)
    return out


def test_identity_round_trip_keeps_structure_and_verbatim():
    source = read_markdown(NEWS)
    written = "".join(write_markdown(translated(source), {}, "markdown"))
    assert structure(written) == structure(NEWS)
    # front matter, code, HTML, links, images: byte for byte
    assert written.startswith(NEWS.split("\n\n")[0] + "\n\n# 新能源汽车出口创新高\n\n*记者 李明 报道*\n")
    for piece in ['```python\ndef get_sales(year):\n    return db.query("销量", year)\n```',
                  '<div class="ad">\n广告内容\n</div>', "](https://www.xinhua.net/2024/05/01/car.html \"新华社\")",
                  '![比亚迪工厂的生产线](https://img.example.com/byd_line.jpg "生产线")',
                  "<https://www.example.com/report>", "`get_sales()`", "[ref]: https://example.com/ref",
                  "](https://example.com/barrier)", '<span class="mail">press@example.com</span>']:
        assert piece in written, piece
    assert "  - 德国\n  - 法国\n" in written and "3) 拓展渠道" in written
    assert "> 专家指出，新能源汽车是未来发展方向。\n>\n> 但是也面临" in written
    assert "| :--- | ---: | :---: |" in written and "| 法国 | 8.3 | 15\\| 估计 |" in written
    # the rendering is the same too, save for the soft break joined
    md = markdown_parser()
    assert md.render(written) == md.render(NEWS.replace("。\n分析", "。分析").replace("Setext 标题\n-----------",
                                                                                   "## Setext 标题"))
    # and reading what was written gives the same blocks again
    again = read_markdown(written)
    assert [(b.kind, b.text, b.markup) for b in again.blocks] == [(b.kind, b.text, b.markup) for b in source.blocks]


_CJK_RUN = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]+")


def fake_translate(text):
    """Each CJK run to "X", as a model would turn the words, the masked syntax coming back."""
    m = mask_markdown(text)
    return m.restore(_CJK_RUN.sub("X", m.text))


def test_fake_translation_keeps_structure():
    source = read_markdown(NEWS)
    written = "".join(write_markdown(translated(source, fake_translate), {}, "markdown"))
    assert structure(written) == structure(NEWS)
    prose = re.sub(r'!?\[[^\]]*\]\([^)]*\)|```[\s\S]*?```|<div[\s\S]*?</div>', "", written.split("---\n", 2)[2])
    assert not re.search(r"[\u4e00-\u9fff]", prose)  # every word outside the protected syntax was "translated"
    assert "[X](https://www.xinhua.net/2024/05/01/car.html \"新华社\")" in written  # link text tight to its brackets
    assert '![X](https://img.example.com/byd_line.jpg "生产线")' in written  # alt text translated, target kept
    assert "## X\n" in written and "*X*" in written and "| X | 12.5 | 30% |" in written


def test_plain_text_paragraphs_are_escaped():
    paragraphs = [
        TranslatedParagraph(0, "title", "标题", "Title *star*", ()),
        TranslatedParagraph(1, "heading", "小标题", "Issue #", ()),
        TranslatedParagraph(2, "body", "正文", "*not emphasis* <b>x</b> [a](b) `c` snake_case _u_ &amp; ~~s~~", ()),
        TranslatedParagraph(3, "body", "一", "# not a heading", ()),
        TranslatedParagraph(4, "body", "二", "1. not a list", ()),
        TranslatedParagraph(5, "body", "三", "- not a list either\n---", ()),
        TranslatedParagraph(6, "body", "四", "> not a quote \\ back\\slash\\*", ()),
    ]
    written = "".join(write_markdown(paragraphs, {}, "lines"))
    html = markdown_parser().render(written)
    assert html == ("<h1>Title *star*</h1>\n<h2>Issue #</h2>\n"
                    "<p>*not emphasis* &lt;b&gt;x&lt;/b&gt; [a](b) `c` snake_case _u_ &amp;amp; ~~s~~</p>\n"
                    "<p># not a heading</p>\n<p>1. not a list</p>\n<p>- not a list either ---</p>\n"
                    "<p>&gt; not a quote \\ back\\slash\\*</p>\n")
    assert "snake_case" in written  # an underscore inside a word needs no escape
    assert escape_text("3 < 4 & 5") == "3 < 4 & 5"  # nothing that cannot be markup is touched


def test_plain_structure_from_markup():
    """Paragraphs of a non-Markdown source (HTML) with markup: structure kept, texts escaped."""
    def p(i, kind, text, **markup):
        return TranslatedParagraph(i, kind, text, text, (), 0, Markup(**markup))
    paragraphs = [p(0, "list_item", "a*b", marker="1."), p(1, "list_item", "nested", marker="-", level=1),
                  p(2, "list_item", "c|d", marker="2."),
                  p(3, "table_cell", "h|1", cell=(0, 0), header=True, group=5),
                  p(4, "table_cell", "v", cell=(1, 1), group=5),
                  p(5, "quote", "q1", group=6), p(6, "quote", "q2", group=6),
                  p(7, "verbatim", "<pre>x</pre>", source="code ```x```")]
    written = "".join(write_markdown(paragraphs, {}, "html"))
    assert written == ("1. a\\*b\n   - nested\n2. c|d\n\n| h\\|1 |  |\n| --- | --- |\n|  | v |\n\n"
                       "> q1\n>\n> q2\n\n````\ncode ```x```\n````\n")
    tokens = [t.type for t in markdown_parser().parse(written)]
    assert tokens.count("list_item_open") == 3 and tokens.count("td_open") == 2 and "fence" in tokens


def test_nested_containers_round_trip():
    text = ("- first\n\n  second paragraph\n\n  ```\n  code\n  ```\n- next\n  1. one\n  2. two\n\n"
            "> outer\n>\n> > inner\n>\n> back\n>\n> ```\n> quoted code\n> ```\n")
    source = read_markdown(text)
    assert [(b.kind, b.markup.marker, b.markup.level) for b in source.blocks[:4]] == [
        ("list_item", "-", 0), ("list_item", "", 0), ("verbatim", "", 0), ("list_item", "-", 0)]
    assert [(b.text, b.markup.level) for b in source.blocks if b.kind == "quote"] == [
        ("outer", 0), ("inner", 1), ("back", 0)]
    written = "".join(write_markdown(translated(source), {}, "markdown"))
    assert written == text
    assert structure(written) == structure(text)


def test_markdown_spans_and_mask():
    text = ('据[新华社](https://a.cn/x_(1) "题")报道，![图](https://a.cn/i.png)见<https://a.cn>、'
            '<span class="k">红</span>和``a`b``，[参考][r]，**粗**。')
    found = [text[s:e] for s, e in markdown_spans(text)]
    assert found == ["[", '](https://a.cn/x_(1) "题")', "![", "](https://a.cn/i.png)", "<https://a.cn>",
                     '<span class="k">', "</span>", "``a`b``", "[", "][r]"]
    m = mask_markdown(text)
    assert "**粗**" in m.text and "https" not in m.text and "新华社" in m.text
    output = ("According to [901] Xinhua [902], [903] picture [904] see [905], [906] red [907] and [908], [909] ref "
              "[910], **bold**.")
    assert m.restore(output) == ('According to [Xinhua](https://a.cn/x_(1) "题"), ![picture](https://a.cn/i.png) see '
                                 '<https://a.cn>, <span class="k"> red </span> and ``a`b``, [ref][r], **bold**.')
    assert m.restore(m.text.replace("[901]", "")) is None
    pieces = m.pieces()
    assert (True, '](https://a.cn/x_(1) "题")') in pieces and (False, "新华社") in pieces
    # the plain protected spans still count between the Markdown ones
    def texts(find, t):
        return [t[s:e] for s, e in find(t)]
    assert texts(markdown_protected_spans, "见 https://a.cn/x 与[甲](b)") == ["https://a.cn/x", "[", "](b)"]
    assert texts(markdown_unbreakable_spans, "甲。[乙。丙](u)。") == ["[乙。丙](u)"]
    assert markdown_spans("[r]: https://e.com/x \"T\"") == [(0, 24)]
    assert markdown_spans("见[1]和[2]") == []  # brackets that are no link stay text
    # plain text masking is unchanged
    assert mask("见[甲](https://a.cn)").spans == ("https://a.cn",)
    assert protected_spans("`x` [a](b)") == [(0, 3)]


@pytest.mark.parametrize("text", [
    "- ```\n  c\n  ```\n- d\n",                       # an item that opens with a code block
    "x\n\n1. a\n\n   b\n2. c\n   - d\n     - e\n",     # continuation paragraph, deeper nesting
    "# T\n\n---\n\n_not a subtitle_\n",             # a rule between: no subtitle
    "> a\n\n> b\n",                                  # two quotes stay two
    "- a\n\n> q\n\n- b\n",
])
def test_more_round_trips(text):
    source = read_markdown(text)
    written = "".join(write_markdown(translated(source), {}, "markdown"))
    assert written == text
    faked = "".join(write_markdown(translated(source, fake_translate), {}, "markdown"))
    assert structure(faked) == structure(text)


def test_touching_spans_are_one():
    text = "联系<span class=\"m\">a@b.com</span>。"
    assert [text[s:e] for s, e in markdown_protected_spans(text)] == ['<span class="m">a@b.com</span>']
    assert mask_markdown(text).text == "联系 [901] 。"
