"""Hostile Markdown in and out (sources/markdown.py, output/markdown_writer.py).

One table of cases, each a document a hostile or careless user could hand us. Every case is read,
"translated" by a fake model (each run of Chinese becomes ``X``, the masked syntax comes back, as
a model does it) and written back with ``-f markdown``; then, for every case:

* nothing is lost: every sentinel word (``k0001``...) of the input comes out, in order, once;
* one output block per source block: reading the output gives blocks of the same kinds, in order;
* no input text becomes markup: rendering the output makes no element, attribute or link that
  rendering the input did not make — also with a second fake model that decodes entities and
  drops backslash escapes (``&lt;script&gt;`` → ``<script>``), as a real model may;
* what cannot be kept as it was (too deep, too wide) is said in a warning, and its text still comes out.

A new input surface copies this module: a ``Case`` table, the fake models, these invariants. The
CLI cases at the end run the real command with the toy model (tests/toy), whose exact word
mapping lets them assert the translated text itself; there, a bad input is one line and exit 1,
never a traceback.
"""

from __future__ import annotations

import html
import re
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest

pytest.importorskip("markdown_it")

from tests.cli_helpers import run_cli
from translate.document import TranslatedParagraph
from translate.output.markdown_writer import write_markdown
from translate.sources.opening import open_input
from translate.sources.markdown import (
    MarkdownStructureWarning,
    markdown_parser,
    normalise,
    read_markdown,
)
from translate.spans import mask_markdown

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_SENTINEL = re.compile(r"k\d{4}")


def fake_model(text: str) -> str:
    """Each run of Chinese to "X", the masked syntax back in place (a model that kept its placeholders)."""
    masked = mask_markdown(text)
    restored = masked.restore(_CJK_RUN.sub("X", masked.text))
    assert restored is not None
    return restored


def decoding_model(text: str) -> str:
    """A model that "helpfully" decodes entities and drops backslash escapes: what it writes must
    still never become markup."""
    return html.unescape(re.sub(r"\\(.)", r"\1", fake_model(text)))


def translate(source, model: Callable[[str], str] = fake_model) -> list[TranslatedParagraph]:
    return [TranslatedParagraph(i, b.kind, b.text, b.text if b.kind == "verbatim" else model(b.text), (), b.line,
                                b.markup) for i, b in enumerate(source.blocks)]


class _Elements(HTMLParser):
    """The elements, attributes and link targets of rendered HTML, counted."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: Counter = Counter()

    def handle_starttag(self, tag, attrs):
        self.found[("tag", tag)] += 1
        for name, value in attrs:
            if name.startswith("on") or name in ("href", "src"):
                self.found[(name, value)] += 1

    def handle_comment(self, data):
        self.found[("comment", data)] += 1


def elements(markdown: str) -> Counter:
    parser = _Elements()
    parser.feed(markdown_parser().render(markdown))
    parser.close()
    return parser.found


def kinds(source) -> list[str]:
    return [b.kind for b in source.blocks]


@dataclass(frozen=True)
class Case:
    id: str
    text: Callable[[], str] | str
    same_blocks: bool = True    # reading the output gives the same block kinds
    warns: type[Warning] | None = None
    keeps: tuple[str, ...] = ()  # verbatim in the output (with a model that keeps its placeholders)

    def source(self) -> str:
        return self.text() if callable(self.text) else self.text


def _deep_list(depth: int) -> str:
    return "".join("  " * i + f"- 层 k{i:04d}\n" for i in range(depth))


def _deep_quote(depth: int) -> str:
    return "".join("> " * (i + 1) + f"引 k{i:04d}\n" + "> " * (i + 1) + "\n" for i in range(depth))


CASES = [
    Case("nested-list-10", _deep_list(10)),
    Case("nested-quote-20", _deep_quote(20)),
    Case("quotes-5000-one-line", ">" * 5000 + " 深 k0001\n\n尾 k0002\n", same_blocks=False,
         warns=MarkdownStructureWarning),
    Case("lists-10000-one-line", "- " * 10000 + "深 k0001\n\n尾 k0002\n", same_blocks=False,
         warns=MarkdownStructureWarning),
    Case("thematic-break-first", "---\n\n# 标题 k0001\n\n正文 k0002。\n\n---\n\n尾 k0003。\n"),
    Case("thematic-break-unclosed", "---\n# 标题 k0001\n\n正文 k0002。\n"),
    Case("front-matter-chinese", "---\ntitle: 三猫 k0001\n作者: 李明 k0002\n---\n\n正文 k0003。\n",
         keeps=("---\ntitle: 三猫 k0001\n作者: 李明 k0002\n---",)),
    Case("front-matter-toml", "+++\ntitle = \"三猫 k0001\"\n+++\n\n正文 k0002。\n", keeps=('title = "三猫 k0001"',)),
    Case("escaped-script", "&lt;script&gt;alert(1)&lt;/script&gt; 正文 k0001。\n", keeps=("&lt;script&gt;",)),
    Case("escaped-markup", "\\*不是强调\\* \\[k0001\\](javascript:alert(1)) \\<b> `代码` 正文。\n"),
    Case("backslash-escapes", "\\# 不是标题 k0001\n\n\\- 不是列表 k0002\n\n1\\. 不是 k0003\n"),
    Case("inline-html", '三猫 <b>四狗</b> k0001 <img src="x.png" alt="图"> 。\n',
         keeps=("<b>", "</b>", '<img src="x.png" alt="图">')),
    Case("html-block", '<div class="x">\n三猫 &amp; <b>k0001</b>\n</div>\n\n正文 k0002。\n',
         keeps=('<div class="x">\n三猫 &amp; <b>k0001</b>\n</div>',)),
    Case("html-comment", "<!-- 注释 k0001 -->\n\n正文 <!-- 内联 --> k0002。\n", keeps=("<!-- 注释 k0001 -->", "<!-- 内联 -->")),
    Case("code-entities", "用 `<b>&amp;</b>` k0001。\n\n```html\n<div>&amp; k0002</div>\n```\n",
         keeps=("`<b>&amp;</b>`", "```html\n<div>&amp; k0002</div>\n```")),
    Case("unclosed-fence", "正文 k0001。\n\n```python\nx = '<b>' k0002\n\n更多 k0003\n", keeps=("```python",)),
    Case("tabs-vs-spaces", "-\t甲 k0001\n\t-\t乙 k0002\n\n\t代码 k0003\n\n    代码 k0004\n"),
    Case("setext-headings", "大标题 k0001\n===\n\n小标题 k0002\n---\n\n正文 k0003。\n"),
    Case("table-pipes-in-code", "| 甲 k0001 | 乙 |\n| --- | --- |\n| `a|b` k0002 | 丙 \\| 丁 k0003 |\n",
         warns=MarkdownStructureWarning),
    Case("footnotes", "正文[^1] k0001。\n\n[^1]: 注 k0002\n"),
    Case("autolinks-bare-urls", "见 <https://x.example/a_b> 和 https://y.example/c_d k0001 <a@b.example>。\n",
         keeps=("<https://x.example/a_b>", "https://y.example/c_d", "<a@b.example>")),
    Case("javascript-link", "点[这里 k0001](javascript:alert(1))。\n", keeps=("](javascript:alert(1))",)),
    Case("links-and-images", "见[中文链接 k0001](https://example.com)和![图片 k0002](a.png)。\n\n"
         "[参考 k0003][r]、[简写 k0004]、[折叠 k0005][]\n\n[r]: https://r.example\n[简写 k0004]: https://s.example\n"
         "[折叠 k0005]: https://c.example\n",
         keeps=("](https://example.com)", "](a.png)", "][r]", "[r]: https://r.example")),
    Case("reference-in-quote", "> 见[甲 k0001]。\n>\n> [甲 k0001]: https://q.example\n"),
    Case("crlf", "# 标题 k0001\r\n\r\n正文 k0002\r\n第二行 k0003。\r\n"),
    Case("bom", "\ufeff# 标题 k0001\n\n正文 k0002。\n"),
    Case("nul", "正文\x00 k0001。\n\n```\n\x00 k0002\n```\n"),
    Case("invisible-and-odd-spaces", "正\u200b文\u00a0k0001。\n\n`a\u00a0b` k0002\n", keeps=("`a\u00a0b`",)),
    Case("emphasis-and-literals", "**粗 k0001** 和 *斜* 与 a_b_c 和 2 * 3 < 4 k0002。\n"),
    Case("only-whitespace", "   \n\n\t\n"),
    Case("empty", ""),
]


@pytest.mark.parametrize("model", [fake_model, decoding_model], ids=["model", "decoding-model"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_markdown(case: Case, model):
    check(case, model)


def check(case: Case, model: Callable[[str], str], render: bool = True) -> None:
    """The invariants of the module docstring for one case; ``render=False`` leaves out the
    renderings (slow on huge inputs; the small cases check them)."""
    text = case.source()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        source = read_markdown(text)
        written = "".join(write_markdown(translate(source, model), {}, "markdown"))
    if case.warns:
        assert any(issubclass(w.category, case.warns) for w in caught), [str(w.message) for w in caught]
    else:
        assert not caught, [str(w.message) for w in caught]
    labels = re.compile(r"\]\[[^\]]*\]")  # a reference link's label, which a shortcut one repeats
    assert _SENTINEL.findall(labels.sub("]", written)) == _SENTINEL.findall(labels.sub("]", text))  # all, in order
    if case.same_blocks:
        assert kinds(read_markdown(written)) == kinds(source), written[:1000]
    for piece in case.keeps if model is not decoding_model else ():  # what a decoding model rewrote is text, not syntax
        assert piece in written, (piece, written)
    if not render:
        return
    new = elements(written) - elements(normalise(text))
    if case.warns:  # flattened: the text the source's rendering dropped now has its paragraphs and items
        new = Counter({k: n for k, n in new.items() if k not in (("tag", "p"), ("tag", "li"), ("tag", "ul"))})
    assert not new, (new, written)


@pytest.mark.slow
@pytest.mark.parametrize("text", [
    lambda: "".join(f"段落 k{i % 10000:04d}。\n\n" if i % 3 else f"- 项 k{i % 10000:04d}\n" for i in range(100_000)),
    lambda: "三猫看山，k0001 " * 80_000 + "\n",           # one line of a megabyte
    lambda: "[a](b) `c` <i>" * 20_000 + " k0001\n",       # a quarter megabyte of syntax
], ids=["100k-lines", "1MB-line", "syntax-line"])
def test_huge_markdown(text):
    """Read and written in linear time (the model: Chinese to "X", a word added, no masking: the
    pipeline masks sentence by sentence, not a megabyte paragraph at once)."""
    check(Case("huge", text), lambda unit: _CJK_RUN.sub("X", unit) + " y", render=False)


def test_nesting_beyond_the_limit_is_flattened_with_a_warning():
    text = ">" * 200 + " 深 k0001\n" + ">" * 200 + " 更深 k0002\n"
    with pytest.warns(MarkdownStructureWarning, match="nested too deep"):
        source = read_markdown(text)
    assert [b.kind for b in source.blocks] == ["quote"]
    assert "k0001" in source.blocks[0].text and "k0002" in source.blocks[0].text


def test_deep_nesting_within_the_limit_keeps_every_level():
    source = read_markdown(_deep_list(10))
    assert [(b.text, b.markup.level) for b in source.blocks] == [(f"层 k{i:04d}", i) for i in range(10)]
    quotes = read_markdown(_deep_quote(20))
    assert [(b.text, b.markup.level) for b in quotes.blocks] == [(f"引 k{i:04d}", i) for i in range(20)]


@pytest.mark.parametrize("text, front", [
    ("---\n\n# 标题\n\n正文。\n\n---\n\n尾。\n", False),            # a thematic break, then another
    ("---\n正文不是 YAML。\n---\n", False),                         # closed, but not key: value lines
    ("---\ntitle: 三猫\ntags:\n  - 甲\n# 注释\n---\n", True),
    ("---\ntitle: 三猫\n...\n", True),
    ("---\n---\n", False),                                         # nothing in it: two rules
])
def test_only_real_front_matter_is_front_matter(text, front):
    source = read_markdown(text)
    first = source.blocks[0]
    assert (first.kind == "verbatim" and first.markup.source.count("\n") > 0) == front, source.blocks
    assert bool(source.metadata) == front


def test_markdown_is_parsed_from_the_raw_text(tmp_path):
    path = tmp_path / "raw.md"
    path.write_bytes("用 `<b>&amp;</b>` 写。\n\n```\n<div>&amp;</div>\n```\n\n三猫 <b>四狗</b> &lt;script&gt;\r\n"
                     .encode())
    blocks = open_input(path).source.blocks
    assert blocks[0].text == "用 `<b>&amp;</b>` 写。"
    assert blocks[1].markup.source == "```\n<div>&amp;</div>\n```"
    assert blocks[2].text == "三猫 <b>四狗</b> &lt;script&gt;"


def test_reference_links_keep_their_label():
    source = read_markdown("[简写]、[折叠][] 和 ![图][] 但 `[简写]` 与 [无定义]\n\n[简写]: https://s.example\n"
                           "[折叠]: https://c.example\n[图]: i.png\n")
    assert source.blocks[0].text == "[简写][简写]、[折叠][折叠] 和 ![图][图] 但 `[简写]` 与 [无定义]"


def test_only_the_translated_text_is_cleaned():
    source = read_markdown("甲\u200b乙\u00a0丙 `a\u200bb\u00a0c` [丁\u00a0戊](https://x.example/a\u200bb) "
                           "<b title='\u00a0'>己</b>\n")
    assert source.blocks[0].text == ("甲乙 丙 `a\u200bb\u00a0c` [丁 戊](https://x.example/a\u200bb) "
                                     "<b title='\u00a0'>己</b>")


def test_model_output_cannot_become_markup():
    """Whatever a model makes of escaped or literal text, the written Markdown shows it as text."""
    source = read_markdown("&lt;script&gt;alert(1)&lt;/script&gt; a &amp; b \\<i> \\*x\\* \\[y\\](javascript:z)\n")
    written = "".join(write_markdown(translate(source, decoding_model), {}, "markdown"))
    assert elements(written) == Counter({("tag", "p"): 1}), written
    rendered = markdown_parser().render(written)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered and "*x*" in rendered


# --- the command line, with the toy model ----------------------------------------------------------

@dataclass(frozen=True)
class CliCase:
    id: str
    text: bytes
    expect: tuple[str, ...] = ()     # in the output, in this order
    absent: tuple[str, ...] = ()
    code: int = 0
    error: str = ""                  # in the one-line message


CLI_CASES = [
    CliCase("links", "[三猫](https://example.com)看山。\n\n![四狗](a.png)\n\n看[五鸟]。\n\n[五鸟]: https://b.example\n"
            .encode(), ("[three cat](https://example.com)", "![four dog](a.png)", "[five bird][五鸟]",
                        "[五鸟]: https://b.example")),
    CliCase("inline-html", '三猫 <b>四狗</b> 看山 <img src="x.png"> 。\n'.encode(),
            ("three cat", "<b>", "four dog", "</b>", '<img src="x.png">')),
    CliCase("code-and-html-verbatim", '用 `<b>&amp;</b>` 三猫。\n\n```html\n<div>&amp; <b>x</b></div>\n```\n\n'
            '<div class="x">\n三猫\n</div>\n'.encode(),
            ("`<b>&amp;</b>`", "three cat", "```html\n<div>&amp; <b>x</b></div>\n```", '<div class="x">\n三猫\n</div>')),
    CliCase("thematic-break", "---\n\n# 三猫\n\n四狗。\n\n---\n\n五鸟。\n".encode(),
            ("---", "# three cat", "four dog.", "---", "five bird.")),
    CliCase("front-matter", "---\ntitle: 三猫\n---\n\n四狗。\n".encode(), ("---\ntitle: 三猫\n---", "four dog.")),
    CliCase("crlf-bom", "\ufeff# 三猫\r\n\r\n四狗。\r\n".encode(), ("# three cat\n\nfour dog.\n",)),
    CliCase("nul", "三猫\x00。\n".encode(), code=1, error="binary"),
    CliCase("escaped-script", "&lt;script&gt;alert(1)&lt;/script&gt; 三猫。\n".encode(), ("three cat",),
            absent=("<script",)),
]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_cli_markdown(case: CliCase, toy_model, tmp_path, capsys):
    path = tmp_path / "notes.md"
    path.write_bytes(case.text)
    code, out, err = run_cli([str(path), "-m", str(toy_model), "-f", "markdown", "-q"], capsys)
    assert code == case.code, err
    if case.code:
        assert out == "" and len(err.strip().splitlines()) == 1 and case.error in err and "Traceback" not in err
        return
    pos = 0
    for piece in case.expect:
        at = out.find(piece, pos)
        assert at >= 0, (piece, out)
        pos = at + len(piece)
    for piece in case.absent:
        assert piece not in out, (piece, out)
    new = elements(out) - elements(case.text.decode("utf-8-sig"))
    assert not new, (new, out)


class _Live(HTMLParser):
    """Script elements and event-handler attributes of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str | None]] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        if tag == "script":
            self.scripts.append("")
        self.handlers += [(n, v) for n, v in attrs if n.startswith("on")]

    def handle_endtag(self, tag):
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def test_html_page_of_hostile_markdown_has_no_live_input(toy_model, tmp_path, capsys):
    path = tmp_path / "notes.md"
    path.write_text('&lt;script&gt;alert(1)&lt;/script&gt; 三猫。\n\n<script>alert(2)</script>\n\n'
                    '三猫 <img src=x onerror="alert(3)"> <b onclick="alert(4)">四狗</b>。\n\n'
                    '[五鸟](javascript:alert(5)) `<script>alert(6)</script>`\n', encoding="utf-8")
    code, out, err = run_cli([str(path), "-m", str(toy_model), "-f", "html", "-q"], capsys)
    assert code == 0, err
    page = _Live()
    page.feed(out)
    page.close()
    assert not any("alert" in s for s in page.scripts)
    assert not any("alert" in (v or "") for _, v in page.handlers), page.handlers
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in out or "&lt;script>alert(2)" in out


def test_a_sentence_with_more_spans_than_the_model_has_positions(toy_model, tmp_path, capsys):
    """Ten links, code spans and tags in one sentence: masked, it is longer than the toy's 64
    positions (each placeholder costs tokens), which crashed the backend. It is translated around
    its spans instead, and every span comes through."""
    path = tmp_path / "spans.md"
    path.write_text("[三](b) `c` <i>" * 10 + "猫\n", encoding="utf-8")
    code, out, err = run_cli([str(path), "-m", str(toy_model), "-f", "markdown", "--no-cache"], capsys)
    assert code == 0 and "Traceback" not in err
    assert out.count("[three](b)") == 10 and out.count("`c`") == 10 and out.count("<i>") == 10
