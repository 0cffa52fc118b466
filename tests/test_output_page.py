"""The bilingual reading page (``-f html``): escaping, structure and alignment, then the page in a
real headless Chromium (driven by Playwright with the system's browser, never a downloaded one).

The browser tests skip when Playwright or Chromium is missing, except under CI (``CI`` set), where
they fail instead: ``.ci/run`` installs both, so CI proves that they ran.
"""

from __future__ import annotations

import re
from html import escape as html_escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.browser import launched

from translate.document import Markup, TranslatedParagraph, TranslatedSentence
from translate.output import FORMATS, render
from translate.output.page import CSP, PageDigest, render_page

SCRIPT = "<script>alert(1)</script>"
REASON = 'repetition "loop" <b>in</b> the output & more'
URL = "https://example.com/news/1?id=7&lang=zh"
INFO = {"model": "Helsinki-NLP/opus-mt-zh-en", "revision": "abc123", "backend": "ctranslate2", "device": "cpu",
        "compute_type": "int8", "translated_at": "2024-09-12 08:00 UTC"}
METADATA = {"title": f'Customs "reply" {SCRIPT}', "url": URL, "date": "2024-09-12", "author": f"A <i>B</i> {SCRIPT}",
            "sitename": "News & Co"}


def para(index, kind, sentences, markup=None, sep=""):
    """A TranslatedParagraph from (source, translation, status, reason) tuples, offsets computed."""
    out, pos = [], 0
    for i, (src, tgt, status, reason) in enumerate(sentences):
        out.append(TranslatedSentence(i, src, tgt, pos, pos + len(src), status, reason))
        pos += len(src) + len(sep)
    return TranslatedParagraph(index, kind, sep.join(s[0] for s in sentences), " ".join(s[1] for s in sentences),
                               tuple(out), index + 1, markup)


def ok(src, tgt):
    return (src, tgt, "ok", None)


def fixture_paragraphs() -> list[TranslatedParagraph]:
    return [
        para(0, "title", [ok(f"海关回信{SCRIPT}", f"Customs reply {SCRIPT}")]),
        para(1, "body", [ok("今年是二十周年。", "This year is the 20th anniversary."),
                         ("大家纷纷表示。", "Everyone said said said said.", "suspect", REASON),
                         ok("他说“<img src=x onerror=alert(2)>”。", 'He said "<img src=x onerror=alert(2)>".')]),
        para(2, "heading", [ok("守国门", "Guarding the gate")], Markup(level=2)),
        para(3, "body", [ok("见网址：", "See:"), ("https://example.org/a?b=1&c=2", "https://example.org/a?b=1&c=2",
                                                   "passthrough", "nothing to translate")]),
        para(4, "list_item", [ok("第一项", "First item")], Markup(level=0, marker="-", group=1)),
        para(5, "list_item", [ok("第二项", "Second item")], Markup(level=1, marker="-", group=1)),
        para(6, "table_cell", [ok("口岸", "Port")], Markup(cell=(0, 0), group=2, header=True)),
        para(7, "table_cell", [ok("数量", "Count")], Markup(cell=(0, 1), group=2, header=True)),
        para(8, "table_cell", [ok("红其拉甫", "Khunjerab")], Markup(cell=(1, 0), group=2)),
        para(9, "table_cell", [("20", "20", "passthrough", "nothing to translate")], Markup(cell=(1, 1), group=2)),
        para(10, "quote", [ok("守好国门。", "Guard the gate well.")]),
        para(11, "caption", [ok("图为口岸。", "The port, pictured.")]),
        para(12, "body", [ok("最后一段。", "The last paragraph."), ok("完。", "The end.")]),
    ]


def page(paragraphs=None, info=INFO, metadata=METADATA, digests=()) -> str:
    return "".join(render_page(fixture_paragraphs() if paragraphs is None else paragraphs, info, "lines",
                               metadata, digests))


DIGESTS = (
    PageDigest("short", "short — 8 of 10 words, 1 sentence",
               (("今年是二十周年。", "This year is the 20th anniversary.", 1, 0),)),
    PageDigest("long", f"long {SCRIPT}", (("今年是二十周年。", "This year is the 20th anniversary.", 1, 0),
                                          ("最后一段。", "The last paragraph.", 12, 0)), note=f"note {SCRIPT}"),
)


# ---------------------------------------------------------------------------------------------
# The HTML itself
# ---------------------------------------------------------------------------------------------

VOID = {"meta", "link", "input", "br", "img", "hr", "wbr", "source", "col", "area", "base", "embed", "track"}
BLOCK = {"div", "ul", "ol", "li", "p", "table", "blockquote", "pre", "section", "h1", "h2", "h3", "h4", "h5", "h6",
         "header", "footer", "form", "fieldset", "dl", "article", "main"}


class PageParser(HTMLParser):
    """Checks nesting, and collects each sentence span by column (src/tgt) and region."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.errors: list[str] = []
        self.spans: list[dict] = []          # {"key", "side", "region", "classes", "title", "text"}
        self.urls: list[tuple[str, str, str]] = []
        self.scripts = 0
        self.text_in_script = ""
        self.current: dict | None = None
        self.metas: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("src", "href", "action", "srcset", "poster", "data", "formaction"):
            if name in a:
                self.urls.append((tag, name, a[name] or ""))
        if tag == "meta":
            self.metas.append(a)
        if tag == "script":
            self.scripts += 1
        if tag in BLOCK and self.stack and self.stack[-1][0] == "p":
            self.errors.append(f"<{tag}> inside <p>")
        if any(t in ("span", "small", "label", "a") for t, _ in self.stack) and tag in BLOCK:
            self.errors.append(f"<{tag}> inside an inline element")
        if tag in VOID:
            return
        self.stack.append((tag, a))
        if tag == "span" and "data-s" in a and "s" in (a.get("class") or "").split():
            classes = [set((attrs_.get("class") or "").split()) for _, attrs_ in self.stack]
            side = "src" if any("src" in c for c in classes) else "tgt" if any("tgt" in c for c in classes) else "?"
            region = "digest" if any("panel" in c for c in classes) else \
                "legend" if any("legend" in c for c in classes) else "article"
            self.current = {"key": a["data-s"], "side": side, "region": region,
                            "classes": set(a["class"].split()), "title": a.get("title"), "text": "",
                            "lang": next((x.get("lang") for _, x in reversed(self.stack) if x.get("lang")), None)}
            self.spans.append(self.current)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1][0] if self.stack else None}>")
            return
        opened = self.stack.pop()
        if opened[0] == "span" and self.current is not None and opened[1].get("data-s") == self.current["key"]:
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current["text"] += data
        if self.stack and self.stack[-1][0] == "script":
            self.text_in_script += data


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    assert not parser.errors, parser.errors
    assert not parser.stack, f"unclosed: {[t for t, _ in parser.stack]}"
    return parser


def test_page_is_well_formed_and_self_contained():
    html = page()
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    parsed = parse(html)
    metas = {m.get("name") or m.get("http-equiv"): m.get("content") for m in parsed.metas}
    assert metas["Content-Security-Policy"] == CSP
    assert "default-src 'none'" in CSP
    assert metas["viewport"].startswith("width=device-width")
    assert parsed.scripts == 1                          # ours; none from the input
    # no resource anywhere: the only URLs are in-page anchors, the data: icon and the source link
    for tag, attr, url in parsed.urls:
        assert url.startswith("#") or url == "data:," or (tag == "a" and attr == "href" and url == URL), (tag, url)
    assert sum(1 for tag, _, url in parsed.urls if url == URL) == 1
    assert 'rel="noopener noreferrer"' in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//(?!example\.com/news)""", html)
    assert "@import" not in html and "url(" not in html


def test_everything_from_the_input_is_escaped():
    html = page(digests=DIGESTS)
    assert "<script>alert" not in html
    assert "<img" not in html and "<b>in</b>" not in html and "<i>B</i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert 'Customs &quot;reply&quot;' in html                     # metadata title, in <title>
    assert "News &amp; Co" in html and "A &lt;i&gt;B&lt;/i&gt;" in html
    assert REASON not in html and "repetition &quot;loop&quot; &lt;b&gt;in&lt;/b&gt; the output &amp; more" in html
    assert "id=7&amp;lang=zh" in html                               # even the link's href
    assert "long &lt;script&gt;" in html and "note &lt;script&gt;" in html


def test_every_sentence_once_in_each_column():
    paragraphs = fixture_paragraphs()
    parsed = parse(page(paragraphs))
    article = [s for s in parsed.spans if s["region"] == "article"]
    for p in paragraphs:
        for s in p.sentences:
            key = f"p{p.index}-s{s.index}"
            src = [x for x in article if x["key"] == key and x["side"] == "src"]
            tgt = [x for x in article if x["key"] == key and x["side"] == "tgt"]
            assert [x["text"] for x in src] == [s.source], key
            assert [x["text"] for x in tgt] == [s.translation], key
            assert src[0]["lang"] == "zh" and tgt[0]["lang"] == "en"
    assert len(article) == 2 * sum(len(p.sentences) for p in paragraphs)


def test_source_column_keeps_the_text_between_sentences():
    p = para(0, "body", [ok("One.", "Un."), ok("Two.", "Deux.")], sep="  ")
    html = page([p], info={}, metadata={})
    assert '<span class="s" data-s="p0-s0">One.</span>  <span class="s" data-s="p0-s1">Two.</span>' in html
    assert '<span class="s" data-s="p0-s0">Un.</span> <span class="s" data-s="p0-s1">Deux.</span>' in html


def test_suspect_marked_with_reason_and_passthrough_as_is():
    parsed = parse(page())
    suspect = [s for s in parsed.spans if s["key"] == "p1-s1"]
    assert len(suspect) == 2 and all("suspect" in s["classes"] for s in suspect)
    assert all(s["title"] == f"suspect: {REASON}" for s in suspect)
    html = page()
    assert f"sentence 2: {html_escape(REASON)}" in html
    passed = [s for s in parsed.spans if s["key"] == "p3-s1"]
    assert len(passed) == 2 and all("pass" in s["classes"] for s in passed)
    assert all(s["text"] == "https://example.org/a?b=1&c=2" for s in passed)   # text, never a link
    ok_spans = [s for s in parsed.spans if s["key"] == "p1-s0"]
    assert all(s["classes"] == {"s"} and s["title"] is None for s in ok_spans)


def test_the_least_confident_translations_are_marked_unsure():
    """A sentence the model chose with a low mean log-probability per token is marked, with its score."""
    import dataclasses

    from translate.output.page import UNSURE_SCORE

    sure, unsure = (para(0, "body", [ok("三猫看山。", "Three cats see the mountain."), ok("红海。", "Red sea.")])
                    .sentences)
    sentences = (dataclasses.replace(sure, score=-0.05), dataclasses.replace(unsure, score=UNSURE_SCORE - 0.5))
    p = dataclasses.replace(para(0, "body", [ok("三猫看山。", "Three cats see the mountain."), ok("红海。", "Red sea.")]),
                            sentences=sentences)
    spans = parse(page([p])).spans
    assert all("unsure" not in s["classes"] for s in spans if s["key"] == "p0-s0")
    marked = [s for s in spans if s["key"] == "p0-s1"]
    assert marked and all("unsure" in s["classes"] for s in marked)
    assert all(s["title"] == "the model was unsure: -1.50 log-probability per token" for s in marked)


def test_structure_headings_lists_tables():
    html = page()
    assert re.search(r'<div class="row k-title" id="p0"><h1 class="src" lang="zh"', html)
    assert re.search(r'<div class="row k-heading" id="p2"><h2 class="src"', html)
    assert '<ul class="list">' in html and html.count('<li class="row k-list_item') == 2
    assert 'class="row k-list_item lv1" id="p5"' in html
    assert html.count("<table>") == 2 and html.count("<tr>") == 4 and html.count("<th ") == 4
    assert re.search(r'<blockquote class="row k-quote" id="p10">', html)
    assert 'class="src caption"' in html
    # metadata header
    for text in ("2024-09-12", "Helsinki-NLP/opus-mt-zh-en", "abc123", "ctranslate2 · cpu · int8",
                 "2024-09-12 08:00 UTC", "zh → en"):
        assert text in html


def test_unsafe_source_url_is_not_a_link():
    html = page(metadata={"url": "javascript:alert(1)"})
    assert "javascript:alert(1)" in html and 'href="javascript' not in html


def test_registry_and_streaming():
    assert "html" in FORMATS and FORMATS["html"].description == "a self-contained bilingual reading page"
    chunks = render("html", iter(fixture_paragraphs()), INFO, "lines", metadata=METADATA)
    html = "".join(chunks)
    assert html == page()
    assert "".join(render("text", fixture_paragraphs(), INFO)).startswith("Customs reply")  # others unchanged
    empty = "".join(render("html", iter(()), {}, "lines"))
    parse(empty)
    assert "0 paragraphs" in empty


def test_digests_on_top_in_tabs():
    html = page(digests=DIGESTS)
    parsed = parse(html)
    assert html.index('class="digests"') < html.index('class="article"')
    assert html.count('class="tab-input"') == 2 and 'id="dg-0" class="tab-input" checked' in html
    digest = [s for s in parsed.spans if s["region"] == "digest"]
    assert {(s["key"], s["side"]) for s in digest} == {("p1-s0", "src"), ("p1-s0", "tgt"), ("p12-s0", "src"),
                                                        ("p12-s0", "tgt")}
    assert 'href="#p12"' in html


def test_summarize_digest_page():
    from summarize.digests import Digest, Digests, DigestSentence
    from summarize.formats import FORMATS as DIGEST_FORMATS, digest_page
    from summarize.lengths import LengthSpec

    picked = DigestSentence(0, 1, 0, 1.0, "今年是二十周年。", "This year is the 20th anniversary.")
    ds = Digests((Digest(LengthSpec("short", 10, "words"), (picked,), 6),),
                 "en", "zh", {"method": "extractive", "to": "en", "language": "en", "translation": INFO})
    html = digest_page(ds, fixture_paragraphs(), {"translated_at": "now"}, METADATA)
    parse(html)
    assert "short — 6 of 10 words, 1 sentence" in html and "ctranslate2 · cpu · int8" in html
    assert 'href="#p1"' in html and '<div class="row k-body" id="p1">' in html
    alone = DIGEST_FORMATS["html"].render(ds)
    parse(alone)
    assert 'class="jump"' not in alone and "This year is the 20th anniversary." in alone


# ---------------------------------------------------------------------------------------------
# In a real browser
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    yield from launched()


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("page") / "fixture page.html"
    path.write_text(page(digests=DIGESTS), encoding="utf-8")
    return path


class Opened:
    def __init__(self, browser, path: Path, width: int, height: int = 900, javascript: bool = True) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.console, self.errors, self.requests, self.dialogs = [], [], [], []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning")
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.url = path.as_uri()
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")

    def box(self, selector: str) -> dict:
        box = self.page.locator(selector).first.bounding_box()
        assert box is not None, f"{selector} is not rendered"
        return box

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def opened(browser, page_file):
    pages = []

    def open_(width=1280, javascript=True):
        pages.append(Opened(browser, page_file, width, javascript=javascript))
        return pages[-1]

    yield open_
    for p in pages:
        p.close()


def test_browser_renders_clean_and_requests_nothing(opened):
    o = opened(1280)
    o.page.mouse.move(300, 300)
    o.page.locator('.article .src [data-s="p1-s0"]').hover()
    o.page.locator('label[for="dg-1"]').click()
    assert o.console == [] and o.errors == [] and o.dialogs == []
    assert o.requests == [o.url]                      # the file itself, nothing else
    assert o.page.evaluate("document.title") == 'Customs "reply" <script>alert(1)</script>'
    assert o.page.locator("script").count() == 1


def test_browser_side_by_side_wide_stacked_narrow(opened):
    wide = opened(1280)
    for row in ("#p1", "#p0", "#p2"):
        src, tgt = wide.box(f"{row} > .src"), wide.box(f"{row} > .tgt")
        assert abs(src["y"] - tgt["y"]) < 2 and tgt["x"] >= src["x"] + src["width"], row
        assert src["width"] > 400 and tgt["width"] > 400
    assert wide.page.evaluate("document.documentElement.scrollWidth") <= 1280
    narrow = opened(390)
    src, tgt = narrow.box("#p1 > .src"), narrow.box("#p1 > .tgt")
    assert tgt["y"] >= src["y"] + src["height"] - 1 and abs(src["x"] - tgt["x"]) < 2
    assert narrow.page.evaluate("document.documentElement.scrollWidth") <= 390   # no sideways scrolling


def test_browser_hover_highlights_counterpart(opened):
    o = opened(1280)
    counterpart = o.page.locator('.article .tgt .s[data-s="p1-s1"]')
    # The page may be shared with an earlier test that left the mouse on a sentence, and the
    # highlight fades in (a CSS transition): move away, then read colours once transitions end.
    o.page.mouse.move(0, 0)
    o.page.locator('.article .s.hl').first.wait_for(state="detached")
    settled = "e => Promise.all(e.getAnimations().map(a => a.finished)).then(() => getComputedStyle(e).backgroundColor)"
    before = counterpart.evaluate(settled)
    o.page.locator('.article .src .s[data-s="p1-s1"]').hover()
    assert "hl" in counterpart.get_attribute("class").split()
    assert counterpart.evaluate(settled) != before
    other = o.page.locator('.article .tgt .s[data-s="p1-s0"]')
    assert "hl" not in other.get_attribute("class").split()
    o.page.locator('.article .tgt [data-s="p12-s0"]').hover()        # moving on moves the highlight
    assert "hl" not in counterpart.get_attribute("class").split()
    assert "hl" in o.page.locator('.article .src [data-s="p12-s0"]').get_attribute("class").split()
    assert "hl" in o.page.locator('.panel .src [data-s="p12-s0"]').get_attribute("class").split()
    assert o.errors == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_browser_toggles_and_print(opened, javascript):
    o = opened(1280, javascript=javascript)
    src, tgt = o.page.locator("#p1 > .src"), o.page.locator("#p1 > .tgt")
    assert src.is_visible() and tgt.is_visible()
    o.page.locator('label:has(#view-src)').click()
    assert src.is_visible() and not tgt.is_visible()
    o.page.locator('label:has(#view-tgt)').click()
    assert not src.is_visible() and tgt.is_visible()
    o.page.emulate_media(media="print")                 # printing shows both, without the toolbar
    assert not o.page.locator(".toolbar").is_visible()
    assert src.is_visible() and tgt.is_visible()
    assert o.page.locator("#dgp-1").is_visible()        # every digest, not only the chosen tab
    o.page.emulate_media(media="screen")
    o.page.locator('label:has(#view-both)').click()
    assert src.is_visible() and tgt.is_visible()
    # digest tabs
    assert o.page.locator("#dgp-0").is_visible() and not o.page.locator("#dgp-1").is_visible()
    o.page.locator('label[for="dg-1"]').click()
    assert not o.page.locator("#dgp-0").is_visible() and o.page.locator("#dgp-1").is_visible()
    assert o.errors == [] and o.console == []
