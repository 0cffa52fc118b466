"""Hostile web pages (translate/sources/html/): pages built to break the reader.

One table of cases (``CASES``), each a page a hostile or careless site could serve, and one runner
that holds every case to the same rules:

* nothing is lost: every paragraph the case names (``keep``) comes out as a block of its own, in
  order; text that must not show (scripts, comments) never does (``absent``);
* a page either reads or fails with one typed error (``error``): an ``InputError`` of one line
  naming no flag — never another exception (a traceback in the CLI);
* a case warns (``warning``: every piece must be in one ``PageWarning``) or it does not warn at all;
  each warning is one line.

A new input surface copies this module: the ``Case`` table, the runner, then the few checks that do
not fit a table (size limit, linear work, one extraction pass, dates) and the CLI cases, which run
the real command with the toy model (tests/toy), whose exact word mapping shows what came out.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.cli_helpers import run_cli
from tests.conftest import ROOT
from translate.errors import InputError
from translate.sources import html as reader
from translate.sources.html import dom, extract
from translate.sources.html import PageWarning, read_html

ZH = "今天的天气很好，我们一起去公园散步，看见许多小狗在草地上奔跑玩耍，大家都很开心。"


def para(i: int) -> str:
    return f"第{i}段：{ZH}"


PARAS = tuple(para(i) for i in range(6))
TITLE = "市区新增三条公交线路"


def page(body: str, head: str = '<meta charset="utf-8">', title: str = TITLE) -> str:
    """A whole page: ``head`` in its head, ``body`` after the title."""
    return f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"


def paragraphs(texts=PARAS) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def utf8(body: str, **kwargs) -> Callable[[], bytes]:
    return lambda: page(body, **kwargs).encode("utf-8")


def gbk(body: str, head: str = "", prefix: str = "") -> Callable[[], bytes]:
    return lambda: (prefix + page(body, head=head)).encode("gbk")


def with_bad_bytes(head: str = '<meta charset="utf-8">') -> Callable[[], bytes]:
    body = paragraphs(PARAS[:5]) + f"<p>{PARAS[5][:10]}@@BAD@@{PARAS[5][10:]}</p>"
    return lambda: page(body, head=head).encode("utf-8").replace(b"@@BAD@@", b"\xff")


BAD_SIXTH = (*PARAS[:5], PARAS[5][:10] + "\ufffd" + PARAS[5][10:])


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
       + bytes(range(256)) * 8)
DEEP_400 = tuple(para(i) for i in range(400))
LISTS_300 = tuple(f"项目{i}" for i in range(300))
CELLS_500 = tuple(f"格{i}" for i in range(500))
WORDS_10K = " ".join(f"词{i}" for i in range(10_000))
SIBLINGS = tuple(f"句子{i}" for i in range(100_000))
TRICKS = ("<!-- <p>COMMENT_LEAK</p> --><!--[if IE]><p>IE_LEAK</p><![endif]--><![CDATA[ CDATA_LEAK ]]>"
          "<!-- a -- b --!><!--><!--->"
          "<script>document.write('</p><p>SCRIPT_LEAK</p>'); // <!-- </script>"
          "<noscript><p>NOSCRIPT_LEAK</p></noscript><template><p>TEMPLATE_LEAK</p></template>")
LEAKS = ("COMMENT_LEAK", "IE_LEAK", "CDATA_LEAK", "SCRIPT_LEAK", "NOSCRIPT_LEAK", "TEMPLATE_LEAK", "document.write")


@dataclass(frozen=True)
class Case:
    id: str
    page: Callable[[], bytes]
    keep: tuple[str, ...] = ()        # blocks that must come out, each whole, in this order
    error: str = ""                   # an InputError whose one-line message holds this
    warning: tuple[str, ...] = ()     # pieces of one PageWarning; () means no warning at all
    whole_page: bool = False
    http_charset: str | None = None
    absent: tuple[str, ...] = ()      # text that must not come out anywhere
    slow: bool = False                # over ~5 s on a busy machine


CASES = [
    # -- nothing to read ---------------------------------------------------------------------------------
    Case("empty", lambda: b"", error="empty"),
    Case("whitespace-only", lambda: b" \r\n\t  \n", error="empty"),
    Case("only-scripts", lambda: b"<html><head><script>var s = '" + "长".encode() * 500 + b"';</script></head>"
         b"<body><script>document.write(s)</script><style>p{color:red}</style></body></html>", error="no article"),
    Case("only-scripts-whole-page", lambda: b"<html><body><script>var s = 'x';</script></body></html>",
         error="no visible text", whole_page=True),
    Case("an-image", lambda: PNG, error="PNG image"),
    Case("binary-with-nuls", lambda: bytes(range(256)) * 64, error="binary"),
    # -- bytes that are not quite text ----------------------------------------------------------------------
    Case("nul-bytes", lambda: page(f"<p>{PARAS[0][:5]}\x00{PARAS[0][5:]}</p>\x00"
                                   + paragraphs(PARAS[1:]) + "\x00\x00").encode("utf-8"), keep=PARAS),
    Case("invalid-utf8-declared-utf8", with_bad_bytes(), keep=BAD_SIXTH, warning=("1 byte", "UTF-8", "U+FFFD")),
    Case("invalid-utf8-declared-gbk", with_bad_bytes('<meta charset="gbk">'), keep=BAD_SIXTH,
         warning=("says it is gbk", "read as UTF-8")),
    Case("entities", utf8(paragraphs() + "<p>&#0; &#xD800; &#x110000; &bogus; &nbsp;&nbsp;&amp;</p>"), keep=PARAS),
    Case("utf16-with-bom", lambda: ("\ufeff" + page(paragraphs())).encode("utf-16-le"), keep=PARAS),
    Case("utf16-without-bom", lambda: page(paragraphs(), head="").encode("utf-16-le"), keep=PARAS),
    # -- encodings: BOM, the server's charset, <meta>, each checked against the bytes -------------------------
    Case("meta-gbk", gbk(paragraphs(), head='<meta charset="gbk">'), keep=PARAS),
    Case("meta-lies-server-right", gbk(paragraphs(), head='<meta charset="big5">'), keep=PARAS, http_charset="gbk",
         warning=("gbk", "big5", "read as gbk")),
    Case("meta-lies-no-server", gbk(paragraphs(), head='<meta charset="big5">'), keep=PARAS, warning=("big5",)),
    Case("server-lies-meta-right", gbk(paragraphs(), head='<meta charset="gb2312">'), keep=PARAS,
         http_charset="utf-8", warning=("utf-8", "gb2312", "read as gb2312")),
    Case("server-charset-only", gbk(paragraphs()), keep=PARAS, http_charset="GBK"),
    Case("meta-after-1mb", gbk(paragraphs(), head="<script>/*" + "x" * 1_100_000 + '*/</script><meta charset="gbk">'),
         keep=PARAS),
    Case("xml-declaration-only", gbk(paragraphs(), prefix='<?xml version="1.0" encoding="gbk"?>\n'), keep=PARAS),
    Case("xhtml-utf8", lambda: ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 '
                                'Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
                                '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="zh"><head><title>t</title>'
                                f'</head><body><h1>{TITLE}</h1><br/><p/>{paragraphs()}</body></html>').encode(),
         keep=PARAS),
    Case("unknown-charset-label", utf8(paragraphs(), head='<meta charset="x-no-such-charset">'), keep=PARAS),
    # -- markup that hides or fakes text ----------------------------------------------------------------------
    Case("comments-cdata-scripts", utf8(TRICKS + paragraphs()), keep=PARAS, absent=LEAKS),
    Case("comments-cdata-scripts-whole-page", utf8(TRICKS + paragraphs()), keep=PARAS, absent=LEAKS,
         whole_page=True),
    Case("huge-attributes", utf8(f'<div class="article" data-x="{"x" * 500_000}" style="{"color:red;" * 20_000}">'
                                 + paragraphs() + "</div>"), keep=PARAS),
    # -- nesting: libxml2 reads 256 levels (2,048 with huge_tree) and silently drops the rest -----------------
    Case("400-unclosed-divs", utf8("".join(f"<div><p>{t}</p>" for t in DEEP_400)), keep=DEEP_400,
         warning=("deep",)),
    Case("400-unclosed-divs-whole-page", utf8("".join(f"<div><p>{t}</p>" for t in DEEP_400)), keep=DEEP_400,
         warning=("deep",), whole_page=True),
    Case("malformed-300-deep", utf8("".join(f"<div class=c{i}><font><span><p>{t}</b></i>"
                                            for i, t in enumerate(DEEP_400[:300]))), keep=DEEP_400[:300],
         warning=("deep",)),
    Case("100k-unclosed-divs", utf8("<div>" * 100_000 + paragraphs()), keep=PARAS, warning=("deep",)),
    Case("100k-unclosed-divs-whole-page", utf8("<div>" * 100_000 + paragraphs()), keep=PARAS, warning=("deep",),
         whole_page=True),
    Case("bold-10k-deep", utf8("<p>" + " ".join(f"<b>词{i}" for i in range(10_000)) + "</p>" + paragraphs()),
         keep=(WORDS_10K, *PARAS), warning=("deep",)),
    Case("span-3000-deep-closed", utf8("<p>" + "<span>字" * 3000 + "</span>" * 3000 + "</p>" + paragraphs()),
         keep=("字" * 3000, *PARAS), warning=("deep",)),
    Case("tables-500-deep", utf8("".join(f"<table><tr><td>{c}" for c in CELLS_500) + "</td></tr></table>" * 500
                                 + paragraphs()), keep=PARAS, warning=("deep",)),
    Case("tables-500-deep-whole-page", utf8("".join(f"<table><tr><td>{c}" for c in CELLS_500)
                                            + "</td></tr></table>" * 500), keep=CELLS_500, warning=("deep",),
         whole_page=True),
    Case("lists-300-deep-whole-page", utf8("".join(f"<ul><li>{t}" for t in LISTS_300)), keep=LISTS_300,
         warning=("deep",), whole_page=True),
    Case("quotes-300-deep", utf8("<blockquote>" * 300 + paragraphs()), keep=PARAS, warning=("deep",)),
    # -- size ------------------------------------------------------------------------------------------------
    Case("100k-sibling-paragraphs", utf8(paragraphs(SIBLINGS)), keep=SIBLINGS, slow=True),
    Case("100k-sibling-paragraphs-whole-page", utf8(paragraphs(SIBLINGS)), keep=SIBLINGS, whole_page=True),
]


def read(case: Case) -> tuple[object, list[str]]:
    """The source a case reads as, and the PageWarnings it gave; any other warning fails the test."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        source = read_html(case.page(), whole_page=case.whole_page, http_charset=case.http_charset)
    others = [w for w in caught if not issubclass(w.category, PageWarning) and issubclass(w.category, UserWarning)]
    assert not others, [str(w.message) for w in others]
    return source, [str(w.message) for w in caught if issubclass(w.category, PageWarning)]


def assert_in_order(texts: list[str], keep: tuple[str, ...]) -> None:
    """Every ``keep`` text is one of ``texts``, in order (others may come between)."""
    at = 0
    for n, wanted in enumerate(keep):
        while at < len(texts) and texts[at] != wanted:
            at += 1
        assert at < len(texts), f"paragraph {n} of {len(keep)} lost: {wanted[:40]!r}"
        at += 1


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.slow else []) for c in CASES])
def test_hostile_page(case: Case):
    if case.error:
        with pytest.raises(InputError) as info:
            read(case)
        message = str(info.value)
        assert case.error in message and "\n" not in message and "--" not in message, message
        return
    source, said = read(case)
    texts = [b.text for b in source.blocks]
    assert_in_order(texts, case.keep)
    everything = "\n".join(texts)
    for leak in case.absent:
        assert leak not in everything, leak
    assert all("\n" not in w for w in said), said
    if case.warning:
        assert any(all(piece.lower() in w.lower() for piece in case.warning) for w in said), said
    else:
        assert not said, said


# -- what does not fit the table -----------------------------------------------------------------------------

def test_page_above_the_size_limit_is_one_line(monkeypatch):
    monkeypatch.setattr(reader, "MAX_PAGE_BYTES", 500)
    with pytest.raises(InputError) as info:
        read_html(page(paragraphs()).encode("utf-8"))
    message = str(info.value)
    assert "\n" not in message and "--" not in message
    assert "0.0005 MB" in message and "article" in message  # the limit, and what to do: save the article part


def test_one_extraction_pass_when_the_article_is_most_of_the_page(monkeypatch):
    import trafilatura

    calls = []
    real = trafilatura.bare_extraction

    def counted(*args, **kwargs):
        calls.append(kwargs.get("favor_precision"))
        return real(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", counted)
    source = read_html(page(paragraphs()).encode("utf-8"))
    assert [b.text for b in source.blocks if b.kind == "body"] == list(PARAS)
    assert calls == [True]


def test_thousands_of_paragraphs_are_joined_for_the_extractor_and_split_again(monkeypatch):
    monkeypatch.setattr(extract, "EXTRACTOR_PARAGRAPHS", 10)
    texts = [para(i) for i in range(40)]
    body = (paragraphs(texts[:15]) + "<h2>小标题</h2>" + paragraphs(texts[15:30]) + f'<p><img src="a.png">{texts[30]}</p>'
            + paragraphs(texts[31:]))
    source = read_html(page(f"<article>{body}</article>").encode("utf-8"))
    assert [b.text for b in source.blocks if b.kind == "body"] == texts
    assert [b.text for b in source.blocks if b.kind == "heading"] == ["小标题"]
    assert all(b.line > 0 for b in source.blocks)


def test_too_many_paragraphs_even_joined_is_one_line(monkeypatch):
    monkeypatch.setattr(extract, "EXTRACTOR_PARAGRAPHS", 10)
    monkeypatch.setattr(extract, "MAX_EXTRACTOR_TEXTS", 20)
    data = page("".join(f"<h2>小标题{i}</h2><p>{para(i)}</p>" for i in range(30))).encode("utf-8")
    with pytest.raises(InputError) as info:
        read_html(data)
    assert str(info.value).startswith("the page has 30 separate paragraphs, more than the 20 ")
    assert info.value.option == "whole_page"
    assert len(read_html(data, whole_page=True).blocks) == 61  # the whole page reads in linear time


def test_a_paragraph_the_extractor_lost_is_counted(monkeypatch):
    real = extract._extract

    def losing(root, url, precision):  # an extractor that drops the third paragraph
        body, meta = real(root, url, precision)
        body.remove(body.findall(".//p")[2])
        return body, meta

    monkeypatch.setattr(extract, "_extract", losing)
    with pytest.warns(PageWarning) as said:
        source = read_html(page(paragraphs()).encode("utf-8"))
    assert [b.text for b in source.blocks if b.kind == "body"] == [PARAS[i] for i in (0, 1, 3, 4, 5)]
    assert [str(w.message) for w in said] == [
        (f"1 paragraph of the article ({len(PARAS[2])} characters) did not come out: the extractor left it out; "
         "reading the whole page keeps it")]


def test_a_heading_the_extractor_dropped_is_counted():
    """trafilatura's precision mode drops an ``<h2>`` between paragraphs that sit right in ``<body>``."""
    body = paragraphs(PARAS[:3]) + "<h2>第二部分：公园里的小狗们</h2>" + paragraphs(PARAS[3:])
    with pytest.warns(PageWarning, match=r"^1 paragraph of the article \(12 characters\) did not come out"):
        source = read_html(page(body).encode("utf-8"))
    assert [b.text for b in source.blocks if b.kind == "body"] == list(PARAS)


def _lines_run(n: int) -> int:
    """Python lines executed (our code and the extractor's) while reading a page of ``n``
    paragraphs, each with a zero-width space (which the page's text kept and the blocks' did not:
    every block was then searched for through the rest of the page)."""
    data = page(paragraphs(tuple(f"{para(i)[:8]}\u200b{para(i)[8:]}{i}" for i in range(n)))).encode("utf-8")
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        source = read_html(data)
    finally:
        sys.settrace(None)
    assert sum(b.kind == "body" for b in source.blocks) == n
    return count


def test_reading_work_grows_linearly_with_the_page():
    _lines_run(10)  # imports and first-call set-up, outside the count
    small, large = _lines_run(150), _lines_run(450)
    assert large < 3.5 * small, (small, large)  # three times the page: at most 3.5 times the work (was 6.3)


def test_date_from_a_chinese_dateline_without_the_slow_search():
    """htmldate's extensive search took 6–10 s (dateparser loading every locale) and picked the
    copyright year (2024-01-01); the dateline by the title says 2024年10月20日."""
    body = ('<div class="info">发布时间：2024年10月20日 09:15　来源：东方日报</div>' + paragraphs()
            + '<div id="footer">Copyright &copy; 2024 东方日报网 版权所有</div>')
    code = ("import sys; from translate.sources.html import read_html; "
            "s = read_html(sys.stdin.buffer.read()); "
            "print(s.metadata.get('date'), 'dateparser' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], input=page(body, head='<meta charset="gbk">').encode("gbk"),
                          capture_output=True, cwd=ROOT, check=True)
    assert done.stdout.decode().split() == ["2024-10-20", "False"]


@pytest.mark.parametrize("line, date", [
    ("发布时间：2024年10月20日 09:15", "2024-10-20"), ("2024-03-05 08:00 来源：新华社", "2024-03-05"),
    ("發布時間：2023/1/9", "2023-01-09"), ("日期：2024年13月40日", None),
])
def test_dateline_patterns(line, date):
    source = read_html(page(f"<div>{line}</div>" + paragraphs()).encode("utf-8"))
    assert source.metadata.get("date") == date


def test_meta_date_wins_over_the_dateline():
    head = '<meta charset="utf-8"><meta property="article:published_time" content="2024-09-01T08:00:00+08:00">'
    source = read_html(page('<div>发布时间：2024年10月20日</div>' + paragraphs(), head=head).encode("utf-8"))
    assert source.metadata["date"] == "2024-09-01"


# -- the CLI, with the toy model -----------------------------------------------------------------------------

TOY_SENTENCES = ("三猫看山。", "五狗看海。", "二鸟有树。", "大海有鱼。", "小猫看书。", "红花有水。")
TOY_ENGLISH = ("three cat see mountain.", "five dog see sea.", "two bird have tree.", "big sea have fish.",
               "small cat see book.", "red flower have water.")


def toy_paragraph(i: int) -> str:
    return "".join(TOY_SENTENCES[(i + k) % 6] for k in range(3))


def toy_english(i: int) -> str:
    return " ".join(TOY_ENGLISH[(i + k) % 6] for k in range(3))


def cli(args, capsys, toy_model):
    return run_cli([*args, "-m", str(toy_model), "--no-cache", "-f", "jsonl"], capsys)


def translated(out: str, kind: str = "body") -> list[str]:
    """The translation of each paragraph of ``kind`` in JSONL output (its sentences joined)."""
    paragraphs: dict[int, list[str]] = {}
    for record in map(json.loads, out.splitlines()[1:]):
        if record.get("type") == "sentence" and record["kind"] == kind:
            paragraphs.setdefault(record["paragraph"], []).append(record["translation"])
    return [" ".join(paragraphs[n]) for n in sorted(paragraphs)]


def test_cli_deep_page_translates_every_paragraph(toy_model, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dom, "MAX_DEPTH", 12)  # as deep a page as the real limit, in fewer paragraphs
    path = tmp_path / "deep.html"
    path.write_text(page("".join(f"<div><p>{toy_paragraph(i)}</p>" for i in range(40)), title="三猫看山"),
                    encoding="utf-8")
    code, out, err = cli([str(path)], capsys, toy_model)
    assert code == 0, err
    assert translated(out) == [toy_english(i) for i in range(40)]
    warned = [line for line in err.splitlines() if "warning:" in line]
    assert len(warned) == 1 and "deep" in warned[0] and "Traceback" not in err


def test_cli_lying_charset_warns_in_one_line_and_reads_right(toy_model, tmp_path, capsys):
    path = tmp_path / "lying.html"
    path.write_bytes(page(paragraphs([toy_paragraph(i) for i in range(3)]), head='<meta charset="big5">',
                          title="三猫看山").encode("gbk"))
    code, out, err = cli([str(path)], capsys, toy_model)
    assert code == 0, err
    assert translated(out) == [toy_english(i) for i in range(3)]
    warned = [line for line in err.splitlines() if line.startswith("translate: warning:")]
    assert len(warned) == 1 and "big5" in warned[0].lower()


@pytest.mark.parametrize("data, message", [(PNG, "PNG image"), (b"<html><body>  </body></html>", "no article")])
def test_cli_unreadable_page_is_one_line_exit_1(data, message, toy_model, tmp_path, capsys):
    path = tmp_path / "page.html"
    path.write_bytes(data)
    code, out, err = cli([str(path)], capsys, toy_model)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("translate: error:") and message in err


def test_cli_page_above_the_size_limit_is_one_line_exit_1(toy_model, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(reader, "MAX_PAGE_BYTES", 1000)
    path = tmp_path / "big.html"
    path.write_text(page(paragraphs([toy_paragraph(i) for i in range(40)])), encoding="utf-8")
    code, out, err = cli([str(path)], capsys, toy_model)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("translate: error:") and "MB" in err


def test_cli_exits_1_when_the_extractor_left_text_out(tmp_path, toy_model, capsys):
    """The page is written with what came out, the warning counts what did not, and the exit code
    says so: exit 0 only when the reader itself dropped nothing."""
    body = paragraphs(PARAS[:3]) + "<h2>第二部分：公园里的小狗们</h2>" + paragraphs(PARAS[3:])
    path = tmp_path / "page.html"
    path.write_text(page(body), encoding="utf-8")
    code, out, err = run_cli([str(path), "-m", str(toy_model), "--no-cache", "-q"], capsys)
    assert code == 1 and len(out.strip().split("\n\n")) >= len(PARAS)
    assert [line for line in err.splitlines() if "warning" in line] == [
        "translate: warning: 1 paragraph of the article (12 characters) did not come out: the extractor left it out; "
        "reading the whole page keeps it"]


@pytest.mark.parametrize("control", ["\x01", "\x1f", "\x7f", "\x9b"])
def test_a_control_character_inside_a_paragraph_loses_nothing(control):
    """One control character inside an article paragraph made the extractor find no article at all."""
    texts = list(PARAS)
    texts[2] = texts[2][:5] + control + texts[2][5:]
    source = read_html(page(paragraphs(texts)).encode("utf-8"))
    assert [b.text for b in source.blocks if b.kind == "body"] == list(PARAS)
