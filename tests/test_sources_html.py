"""The HTML reader (translate/sources/html/) on a corpus of saved pages (tests/pages/).

Each ``NAME.html`` has a ``NAME.expected.json``: the article's paragraphs in order (kind and
text) and a subset of the metadata, or ``{"error": "InputError", ...}`` for a page with no article.

Extraction quality is measured on whitespace-free strings: ``E`` is the expected paragraphs
joined, ``X`` the extracted blocks joined. ``matched`` is the total size of the matching blocks
difflib.SequenceMatcher (autojunk off) finds between ``E`` and ``X`` (longest common blocks, in
order). *Recovered* = matched / len(E): how much of the article came out. *Boilerplate* =
(len(X) - matched) / len(X): the share of the extracted text that is not article text.
Every page must reach recovered >= 95% and boilerplate <= 5%.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from tests.test_reading import JOINERS
from translate.document import Markup
from translate.errors import InputError
from translate.sources import read_html
from translate.sources.html import PageWarning, declared_encoding, decode_html

PAGES = Path(__file__).resolve().parent / "pages"
ALL = sorted(p.stem for p in PAGES.glob("*.html"))
EXPECTED = {name: json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8")) for name in ALL}
ARTICLES = [name for name in ALL if "error" not in EXPECTED[name]]
NO_ARTICLE = [name for name in ALL if "error" in EXPECTED[name]]
STRUCTURAL = {"title", "subtitle", "heading", "list_item", "table_cell", "caption", "quote", "verbatim"}
LEAKS = ("SCRIPT_TEXT_LEAK", "STYLE_TEXT_LEAK", "ARTICLE_COMMENT_LEAK", "CDATA_LEAK", "NOSCRIPT_LEAK",
         "HIDDEN_TEXT_LEAK", "TEMPLATE_LEAK", "SVG_TEXT_LEAK", "alert('x')", "track(", "onerror", "dataLayer")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def measure(expected: list[str], extracted: list[str]) -> tuple[float, float]:
    """(recovered, boilerplate) as defined in the module docstring."""
    e, x = _squash("".join(expected)), _squash("".join(extracted))
    matcher = difflib.SequenceMatcher(None, e, x, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / max(len(e), 1), (len(x) - matched) / max(len(x), 1)


def _read(name: str, **kwargs):
    return read_html((PAGES / f"{name}.html").read_bytes(), **kwargs)


def test_corpus_has_the_required_shapes():
    assert len(ALL) >= 8
    assert len(NO_ARTICLE) >= 1
    assert len(ARTICLES) >= 7


@pytest.mark.parametrize("name", ARTICLES)
def test_article_extraction(name):
    expected = EXPECTED[name]
    source = _read(name)
    texts = [b.text for b in source.blocks]
    recovered, boilerplate = measure([p["text"] for p in expected["paragraphs"]], texts)
    print(f"{name}: recovered {recovered:.1%}, boilerplate {boilerplate:.1%}, blocks {len(texts)}")
    assert recovered >= 0.95, f"{name}: recovered only {recovered:.1%}"
    assert boilerplate <= 0.05, f"{name}: {boilerplate:.1%} boilerplate"
    # Kinds agree wherever an expected paragraph came out whole; structural ones must come out.
    by_text = {_squash(b.text): b.kind for b in source.blocks}
    for para in expected["paragraphs"]:
        kind = by_text.get(_squash(para["text"]))
        if para["kind"] in STRUCTURAL:
            assert kind == para["kind"], f"{name}: {para['kind']} {para['text'][:30]!r} came out as {kind}"
        elif kind is not None:
            assert kind == para["kind"]
    for key, value in expected["metadata"].items():
        assert source.metadata.get(key) == value, key
    assert all(isinstance(v, str) and v for v in source.metadata.values())
    assert source.layout == "html"
    assert all(b.text == b.text.strip() and b.text for b in source.blocks)


@pytest.mark.parametrize("name", NO_ARTICLE)
def test_page_without_article_is_an_input_error(name):
    with pytest.raises(InputError) as info:
        _read(name)
    message = str(info.value)
    assert "no article text found in this page" in message
    assert "\n" not in message and "--" not in message and "whole page" in message
    assert info.value.option == "whole_page"


@pytest.mark.parametrize("name", NO_ARTICLE)
def test_page_without_article_reads_whole(name):
    source = _read(name, whole_page=True)
    assert len(source.blocks) >= 3


def test_gbk_page_decodes():
    data = (PAGES / "gbk-zh.html").read_bytes()
    assert declared_encoding(data) == "gb18030"
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")  # it holds GBK characters outside GB2312 (堃, 喆, 玥)
    source = read_html(data)
    text = "".join(b.text for b in source.blocks)
    assert "王堃" in text and "\ufffd" not in text
    assert source.metadata["title"] == "老城区改造让居民住上“新房子”"
    assert source.metadata["author"] == "陶喆 刘玥"


def test_big5_page_decodes():
    data = (PAGES / "big5-zh.html").read_bytes()
    assert declared_encoding(data) == "big5hkscs"
    source = read_html(data)
    assert source.blocks[0].text == "颱風山陀兒逼近 南部縣市明停班停課"
    assert "\ufffd" not in "".join(b.text for b in source.blocks)


@pytest.mark.parametrize("label", ["gb2312", "GBK", "x-gbk", "gb18030"])
def test_gb_labels_decode_as_gb18030(label):
    page = f'<html><head><meta charset="{label}"><title>t</title></head><body><p>王堃说：镕基。</p></body></html>'
    assert decode_html(page.encode("gb18030")).count("王堃说：镕基") == 1


def test_http_equiv_bom_and_lying_declaration():
    body = "<p>中文新闻正文</p>"
    http_equiv = f'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">{body}'
    assert "中文新闻正文" in decode_html(http_equiv.encode("gbk"))
    assert "中文新闻正文" in decode_html(b"\xef\xbb\xbf" + http_equiv.encode("utf-8"))  # the BOM wins
    with pytest.warns(PageWarning, match="^the page says it is gb2312; read as UTF-8, which its bytes are$"):
        assert "中文新闻正文" in decode_html(http_equiv.encode("utf-8"))  # declared GBK, valid UTF-8
    undeclared = f"<html><body>{body * 20}</body></html>"
    assert "中文新闻正文" in decode_html(undeclared.encode("gb18030"))  # the detector


def test_hostile_markup():
    for source in (_read("hostile-markup"), _read("hostile-markup", whole_page=True)):
        text = "\n".join(b.text for b in source.blocks)
        for leak in LEAKS:
            assert leak not in text, leak
        assert "<script>alert(1)</script>" in text  # &lt;script&gt; is text, and stays text
        assert "injecting <script> into a page" in text
        assert "popup" in text and "login page" in text and "padlock" in text  # <b> inside words
        assert "quickly and professionally" in text
        assert "125.0.6422.141" in text  # the paragraph after the unclosed <p>


def test_markup_of_lists_and_code():
    blocks = _read("nested-lists-code").blocks
    items = [b for b in blocks if b.kind == "list_item"]
    assert [(b.markup.level, b.markup.marker, b.markup.group) for b in items] == [
        (0, "-", 1), (1, "-", 1), (1, "-", 1), (0, "-", 1), (0, "-", 1), (0, "1.", 2), (0, "2.", 2), (0, "3.", 2)]
    assert items[0].text == "A new interactive shell, based on the PyPy one, with:"
    code = next(b for b in blocks if b.kind == "verbatim")
    assert code.markup.source == "import sys\nprint(sys._is_gil_enabled())  # False on the free-threaded build"
    assert [b.markup.level for b in blocks if b.kind == "heading"] == [2, 2]
    assert blocks[0].kind == "title" and blocks[0].markup == Markup(level=1)


def test_markup_of_tables_captions_and_subtitle():
    blocks = _read("table-figure-zh").blocks
    assert [b.kind for b in blocks[:2]] == ["title", "subtitle"]
    cells = [b for b in blocks if b.kind == "table_cell"]
    assert len(cells) == 12
    assert cells[0].text == "指标" and cells[0].markup.cell == (0, 0) and cells[0].markup.header
    assert cells[4].text == "949746" and cells[4].markup.cell == (1, 1) and not cells[4].markup.header
    assert {c.markup.group for c in cells} == {1}
    captions = [b for b in blocks if b.kind == "caption"]
    assert len(captions) == 2 and all(c.line > 0 for c in captions)
    # A caption follows the paragraph before its figure.
    assert blocks[blocks.index(captions[0]) - 1].text.startswith("国家统计局18日发布数据")


def test_quote_and_standfirst():
    blocks = _read("english-news").blocks
    assert blocks[1].kind == "subtitle" and blocks[1].text.startswith("Zwolle will store")
    quotes = [b for b in blocks if b.kind == "quote"]
    assert len(quotes) == 1 and quotes[0].markup.group == 1


def test_lines_are_the_page_lines():
    blocks = _read("portal-zh").blocks
    lines = (PAGES / "portal-zh.html").read_text(encoding="utf-8").splitlines()
    for block in blocks:
        assert block.line > 0
        assert _squash(block.text)[:10] in _squash(lines[block.line - 1])


def test_url_given_is_the_fallback():
    assert _read("wire-zh", url="https://example.com/a.htm").metadata["url"] == "https://example.com/a.htm"
    assert _read("portal-zh", url="https://example.com/a.htm").metadata["url"] == \
        "https://news.huaxia.example.cn/2024/0520/c1001-402817.html"  # canonical wins


def test_whole_page_reads_everything_visible_in_order():
    source = _read("gbk-zh", whole_page=True)
    texts = [b.text for b in source.blocks]
    assert texts.index("老城区改造让居民住上“新房子”") < texts.index("【编辑：喆 怡】") < texts.index("排行榜")
    assert source.blocks[texts.index("老城区改造让居民住上“新房子”")].kind == "title"
    assert not any(b.kind == "table_cell" for b in source.blocks)  # a layout table is unwrapped
    table = [b for b in _read("table-figure-zh", whole_page=True).blocks if b.kind == "table_cell"]
    assert len(table) == 12 and table[0].markup.header and table[0].markup.cell == (0, 0)


@pytest.mark.parametrize("name", ALL)
def test_corpus_pages_read_without_warnings(name):
    for whole_page in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("error", PageWarning)
            with contextlib.suppress(InputError):  # the pages without an article
                _read(name, whole_page=whole_page)


def _paragraph_read(inline: str, whole_page: bool) -> str:
    """The text of the paragraph that ends with ``inline``, as read from a page around it."""
    lead = "今天的天气很好，我们一起去公园散步，看见许多小狗在草地上奔跑玩耍，大家都很开心。"
    page = (f"<html><head><meta charset=utf-8><title>标题</title></head><body><h1>标题</h1><p>{lead}{inline}</p>"
            f"<p>{lead * 2}</p></body></html>")
    source = read_html(page.encode("utf-8"), whole_page=whole_page)
    return next(b.text for b in source.blocks if b.text.startswith(lead) and b.text != lead * 2)[len(lead):]


@pytest.mark.parametrize("whole_page", [False, True])
@pytest.mark.parametrize("text,kept", JOINERS)
def test_joiners_are_kept_only_where_they_join_as_in_plain_text(text, kept, whole_page):
    """The same table as plain text (translate/normalize.py): a web page's emoji and Persian keep their joiners."""
    assert _paragraph_read(text, whole_page) == (text if kept else text.replace("\u200d", "").replace("\u200c", ""))


@pytest.mark.parametrize("inline, read", [
    ("中\x01文", "中文"), ("中\x9f文", "中文"),  # a control character is removed, as in plain text
    ("中\x0b文", "中 文"), ("中\x0c文", "中 文"), ("中\x85文", "中 文"),  # one that is whitespace collapses with it
    ("a\u200bb\u2060c\ufeffd\u00ade\u180ef", "abcdef"), ("a\u00a0\u2003b\u3000c", "a b c"),
])
def test_control_and_invisible_characters_as_in_plain_text_but_whitespace_collapses(inline, read):
    assert _paragraph_read(inline, whole_page=True) == read


def test_empty_page():
    with pytest.raises(InputError):
        read_html(b"")
    with pytest.raises(InputError):
        read_html(b"<html><body>  </body></html>", whole_page=True)


def test_import_stays_cheap():
    code = ("import sys, translate, translate.sources; "
            "assert 'trafilatura' not in sys.modules and 'lxml' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)
