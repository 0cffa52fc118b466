"""The writers of a translated feed (translate/output/feed.py): what they write must read back with
feedparser (no error, same items, titles, links, ids, dates, enclosures, target language), and
nothing a hostile feed holds may make the XML invalid or the HTML page run anything."""

from __future__ import annotations

import calendar
import json
import re
from datetime import datetime
from html import unescape
from html.parser import HTMLParser

import feedparser
import pytest
from lxml import etree

from translate.errors import UsageError
from translate.output.feed import (FEED_FORMATS, FEED_PAGE_CSP, clean_text, feed_writer, item_anchor, rfc822,
                                   safe_url, sanitize_html, xml_cdata, xml_text)
from translate.sources.feed.items import Enclosure, FeedInfo, FeedItem, ItemParagraph, ItemSentence, TranslatedItem

FEED_A = "https://a.example.com/feed.xml"
FEED_B = "https://b.example.org/rss"
INFO = FeedInfo(source=FEED_A, kind="rss", title="新闻频道", link="https://a.example.com/", description="每日新闻",
                language="zh", updated="2026-12-05T06:00:00Z")
GENERATED = "2026-12-05T08:00:00Z"
SCRIPT = "<script>alert(1)</script>"
HOSTILE = f"ctrl\x00\x01\x08\x0b\x0c\x1f\x7f\x85 end ]]> {SCRIPT} \ud800 \ufffe\uffff <img src=x onerror=alert(2)>"


def para(kind: str, source: str, translation: str, *sentences: tuple[str, str, str, str | None]) -> ItemParagraph:
    return ItemParagraph(kind, source, translation, tuple(ItemSentence(*s) for s in sentences))


def items() -> list[TranslatedItem]:
    first = FeedItem(
        id="https://a.example.com/news/1", feed=FEED_A, title="海关回信", link="https://a.example.com/news/1",
        html="<p>今年是二十周年。</p>", published="2026-12-05T06:00:00Z", updated="2026-12-05T07:30:00Z",
        author="张三", feed_title="新闻频道", language="zh", categories=("政治", "经济"),
        enclosures=(Enclosure("https://a.example.com/a.mp3", "audio/mpeg", "12345"),
                    Enclosure("https://a.example.com/b.jpg", "image/jpeg", ""),
                    Enclosure("javascript:alert(1)", "audio/mpeg", "1")),
        position=0)
    second = FeedItem(
        id="tag:a.example.com,2026:42", feed=FEED_A, title="第二条", link="https://a.example.com/news/2?x=1&y=2",
        html="<p>第二条新闻。</p>", published="2026-12-04T23:15:00+08:00", feed_title="新闻频道", language="zh",
        position=1)
    third = FeedItem(id="42", feed=FEED_B, title="Troisième", link="http://b.example.org/3",
                     html="<p>Le texte.</p>", updated="2026-12-03T10:00:00Z", feed_title="Le B", language="fr",
                     position=0)
    return [
        TranslatedItem(first, "Customs reply", (
            para("heading", "标题", "Heading", ("标题", "Heading", "ok", None)),
            para("body", "今年是二十周年。大家纷纷表示。", "This year is the 20th. Everyone said said said.",
                 ("今年是二十周年。", "This year is the 20th.", "ok", None),
                 ("大家纷纷表示。", "Everyone said said said.", "suspect", "repetition")),
            para("list_item", "第一项", "First item"),
            para("list_item", "第二项", "Second item")), "feed", "zh"),
        TranslatedItem(second, "Second one", (para("body", "第二条新闻。", "The second news & <more>."),),
                       "article", "zh"),
        TranslatedItem(third, "Third", (para("body", "Le texte.", "The text."),), "feed", "fr",
                       note="the article could not be fetched: the feed's text is shown"),
    ]


def render(fmt: str, its: list[TranslatedItem], **options) -> str:
    start = {k: options.pop(k) for k in ("translated_title", "translated_description", "self_url", "merged")
             if k in options}
    w = feed_writer(fmt, **options)
    parts = [w.start(INFO, target_language="en", header={"model": "opus-mt-zh-en", "options": {"beam": 4}},
                     generated=GENERATED, **start)]
    parts += [w.item(t) for t in its]
    parts.append(w.end())
    return "".join(parts)


def parse(text: str) -> feedparser.FeedParserDict:
    etree.fromstring(text.encode("utf-8"))  # well-formed for a strict XML parser too
    d = feedparser.parse(text.encode("utf-8"))
    assert d.bozo == 0, d.get("bozo_exception")
    return d


def epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def text_of(html: str) -> list[str]:
    """The text of each block element of an HTML fragment (what a reader shows)."""
    return [unescape(m) for m in re.findall(r"<(?:p|h3|li|pre)>(.*?)</(?:p|h3|li|pre)>", html, re.S)]


# ---------------------------------------------------------------------------------------------
# RSS and Atom read back
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_round_trip_through_feedparser(fmt):
    its = items()
    text = render(fmt, its, translated_title="News channel", translated_description="Daily news",
                  self_url="https://me.example.net/feed?url=x&to=en", merged=True)
    d = parse(text)
    assert d.version == ("rss20" if fmt == "rss" else "atom10")
    assert d.feed.title == "News channel"
    assert d.feed.get("subtitle") == "Daily news"
    assert d.feed.language == "en"
    assert any(link.rel == "self" and link.href == "https://me.example.net/feed?url=x&to=en" for link in d.feed.links)
    assert d.feed.generator.startswith("translate")
    assert len(d.entries) == len(its)
    for entry, t in zip(d.entries, its):
        assert entry.title == t.title
        assert entry.id == t.item.id
        assert entry.link == t.item.link
        date = t.item.published or t.item.updated
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        assert calendar.timegm(parsed) == epoch(date)
        html = entry.content[0].value if fmt == "atom" else entry.summary
        assert text_of(html) == [p.translation for p in t.paragraphs]
        assert [e.href for e in entry.get("enclosures", [])] == [
            e.url for e in t.item.enclosures if e.url.startswith("http")]
        assert [tag.term for tag in entry.get("tags", [])] == list(t.item.categories)
        if t.item.author:
            assert entry.author == t.item.author
    first = d.entries[0]
    assert first.enclosures[0].length == "12345" and first.enclosures[0].type == "audio/mpeg"
    assert "javascript" not in text
    if fmt == "rss":
        assert "<language>en</language>" in text
        assert text.count("<source ") == len(its)
        assert d.entries[2].source.href == FEED_B and d.entries[2].source.title == "Le B"
        assert '<guid isPermaLink="true">https://a.example.com/news/1</guid>' in text
        assert '<guid isPermaLink="false">42</guid>' in text
        assert "<pubDate>Fri, 04 Dec 2026 15:15:00 GMT</pubDate>" in text  # +08:00 turned to GMT
    else:
        assert 'xml:lang="en"' in text
        assert d.entries[0].published == "2026-12-05T06:00:00Z" and d.entries[0].updated == "2026-12-05T07:30:00Z"
        assert d.entries[2].source.title == "Le B"


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_bilingual_titles(fmt):
    its = items()
    d = parse(render(fmt, its, titles="bilingual", translated_title="News channel"))
    assert d.feed.title == "News channel · 新闻频道"
    assert [e.title for e in d.entries] == [f"{t.title} · {t.item.title}" for t in its]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_untranslated_title_falls_back_and_no_title_doubles(fmt):
    t = items()[0]
    untitled = TranslatedItem(t.item, "", t.paragraphs)
    same = TranslatedItem(FeedItem(id="x", feed=FEED_A, title="Same"), "Same")
    d = parse(render(fmt, [untitled, same], titles="bilingual"))
    assert [e.title for e in d.entries] == ["海关回信", "Same"]
    assert d.feed.title == "新闻频道"  # no translated title given: the original


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_titles_only_keeps_the_feeds_text_cleaned(fmt):
    item = FeedItem(id="https://a.example.com/x", feed=FEED_A, title="标题", link="https://a.example.com/x",
                    html=(f'<p onclick="steal()" style="color:red">原文<b>正文</b>{SCRIPT}'
                          '<a href="javascript:alert(1)">坏</a> <a href="https://ok.example.com/">好</a>'
                          '<img src="https://i.example.com/p.png" onerror="x()"><iframe src="https://e.vil/"></iframe>'
                          '<style>body{}</style><form action="https://e.vil/"><input></form>'
                          '<img src="data:image/svg+xml,<svg onload=alert(3)>"> ]]&gt; end</p>'))
    t = TranslatedItem(item, "Title")
    text = render(fmt, [t], titles_only=True)
    d = parse(text)
    assert d.entries[0].title == "Title"
    html = d.entries[0].content[0].value if fmt == "atom" else d.entries[0].summary
    assert "原文" in html and "<b>正文</b>" in html and "end" in html and "]]" in html
    assert 'href="https://ok.example.com/"' in html and 'src="https://i.example.com/p.png"' in html
    for bad in ("<script", "onclick", "onerror", "javascript:", "<iframe", "<style", "<form", "<input", "data:",
                "steal", "color:red"):
        assert bad not in html
        assert bad not in text.replace("&lt;", "<")
    # nothing for an item without text; a translated paragraph is never shown with titles only
    t2 = TranslatedItem(FeedItem(id="y", feed=FEED_A, title="t"), "T", (para("body", "s", "never shown"),))
    assert "never shown" not in render(fmt, [t2], titles_only=True)


def test_sanitize_html_edge_cases():
    assert sanitize_html("") == ""
    assert sanitize_html("   ") == ""
    assert sanitize_html("plain & <text>") in ("plain &amp; &lt;text&gt;", "plain &amp; <text></text>", "plain &amp; ")
    assert "<script" not in sanitize_html(SCRIPT + "x")
    assert "\x00" not in sanitize_html("a\x00b")
    deep = "<div>" * 5000 + f"deep{SCRIPT}" + "</div>" * 5000  # past the parser's depth limit: no crash
    assert "<script" not in sanitize_html(deep)


# ---------------------------------------------------------------------------------------------
# Hostile strings
# ---------------------------------------------------------------------------------------------

def hostile_items() -> list[TranslatedItem]:
    bad = FeedItem(id=f"id {HOSTILE}", feed=f"javascript:alert(1)//{HOSTILE}", title=f"Title {HOSTILE}",
                   link="javascript:alert(document.cookie)", html=f"<p>{HOSTILE}</p>", published="not a date",
                   author=HOSTILE, feed_title=HOSTILE, language="zh\" onload=\"x",
                   categories=(HOSTILE, "\x00"), enclosures=(Enclosure(f"https://e.example.com/{HOSTILE}", HOSTILE,
                                                                       HOSTILE),))
    huge = FeedItem(id="huge", feed=FEED_A, title="长" * 1_000_000, link=" https://a.example.com/huge ")
    return [TranslatedItem(bad, f"Translated {HOSTILE}",
                           (para("body", HOSTILE, f"Translation {HOSTILE}", (HOSTILE, HOSTILE, "suspect", HOSTILE)),
                            para(HOSTILE, HOSTILE, "")), "feed", HOSTILE, note=HOSTILE),
            TranslatedItem(huge, "L" * 1_000_000)]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
@pytest.mark.parametrize("titles_only", [False, True])
def test_hostile_strings_give_valid_inert_xml(fmt, titles_only):
    text = render(fmt, hostile_items(), titles="bilingual", titles_only=titles_only, merged=True,
                  translated_title=HOSTILE, translated_description=HOSTILE, self_url="javascript:alert(1)")
    text.encode("utf-8")  # no lone surrogate left
    d = parse(text)
    assert len(d.entries) == 2
    bad, huge = d.entries
    assert bad.title.startswith("Translated ctrl end ]]> <script>alert(1)</script>")
    assert "\ud800" not in bad.title and "\x00" not in bad.title and "\ufffe" not in bad.title
    assert "javascript" not in text.lower()
    assert not [link for link in bad.get("links", []) if link.get("rel") == "alternate"]  # dropped, item kept
    assert huge.link == "https://a.example.com/huge"
    assert len(huge.title) == 1_000_000 * 2 + len(" · ")
    html = bad.content[0].value if fmt == "atom" else bad.get("summary", "")
    tags = Tags.of(html)
    assert "script" not in tags.names
    assert not any(name.startswith("on") or name == "src" for name, _ in tags.attrs)
    if not titles_only:
        assert set(tags.names) == {"p"}
    if not titles_only:
        assert "Translation ctrl end ]]> <script>alert(1)</script>" in unescape(html)


def test_xml_helpers():
    assert clean_text("a\x00b\x1fc\td\ne\rf\ud800g\udfffh\ufffei\uffffj\x85k😀") == "abc\td\ne\rfghijk😀"
    assert xml_text('<a href="x">&\'') == "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;"
    for value in ("]]>", "a]]>b]]>c", "]]]]>>", "]", "]]", "x]]"):
        root = etree.fromstring(f"<r>{xml_cdata(value)}</r>".encode())
        assert root.text == value
    assert safe_url(" https://a.example.com/x?y=1 ") == "https://a.example.com/x?y=1"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:x", "data:text/html,x", "/relative", "ftp://x", "https://a b",
                'https://a"onmouseover="x', "vbscript:x", "", None):
        assert safe_url(bad) is None
    assert rfc822("2026-12-05T06:00:00Z") == "Sat, 05 Dec 2026 06:00:00 GMT"
    assert rfc822("2026-12-05T06:00:00") == "Sat, 05 Dec 2026 06:00:00 GMT"
    assert rfc822("garbage") == "" and rfc822("") == ""


# ---------------------------------------------------------------------------------------------
# The HTML page
# ---------------------------------------------------------------------------------------------

class Tags(HTMLParser):
    """Every tag and attribute of a page, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.names: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.names.append(tag)
        pairs = [(k.lower(), v or "") for k, v in attrs]
        self.attrs.extend(pairs)
        self.elements.append((tag, dict(pairs)))

    handle_startendtag = handle_starttag

    @classmethod
    def of(cls, html: str) -> Tags:
        parser = cls()
        parser.feed(html)
        parser.close()
        return parser


def check_inert_page(page: str) -> Tags:
    tags = Tags.of(page)
    assert "<script" not in page.lower()
    assert "script" not in tags.names and "iframe" not in tags.names and "object" not in tags.names
    for name, value in tags.attrs:
        assert not name.startswith("on"), name
        assert "javascript:" not in value.lower()
    for tag, attrs in tags.elements:
        if "href" in attrs and tag == "a":
            assert re.match(r"^https?://", attrs["href"]), attrs["href"]
            assert attrs.get("rel") == "noopener noreferrer" and attrs.get("target") == "_blank"
        if "src" in attrs:
            pytest.fail(f"a {tag} with src")
    csp = [attrs for tag, attrs in tags.elements if tag == "meta" and attrs.get("http-equiv")]
    assert csp == [{"http-equiv": "Content-Security-Policy", "content": FEED_PAGE_CSP}]
    assert "script-src" not in FEED_PAGE_CSP and "default-src 'none'" in FEED_PAGE_CSP
    return tags


def test_html_page():
    its = items()
    page = render("html", its, translated_title="News channel", merged=True)
    tags = check_inert_page(page)
    ids = [attrs["id"] for tag, attrs in tags.elements if tag == "article"]
    assert ids == [item_anchor(i) for i in range(len(its))] == ["item-0", "item-1", "item-2"]
    assert '<html lang="en">' in page
    assert "News channel" in page and "新闻频道" in page
    for t in its:
        assert t.title in page and t.item.title in page
        for p in t.paragraphs:
            assert p.source in page
    assert "The second news &amp; &lt;more&gt;." in page
    assert "the article could not be fetched: the feed&#x27;s text is shown" in page
    assert 'title="suspect: repetition"' in page
    assert "2026-12-05 06:00 UTC" in page and "opus-mt-zh-en" in page
    assert 'href="https://a.example.com/news/2?x=1&amp;y=2"' in page
    assert page.rstrip().endswith("</html>") and "3 items" in page


def test_html_page_hostile():
    page = render("html", hostile_items(), titles="bilingual", merged=True, translated_title=HOSTILE)
    page.encode("utf-8")
    tags = check_inert_page(page)
    assert tags.names.count("article") == 2
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    langs = [attrs["lang"] for _, attrs in tags.elements if "lang" in attrs]
    assert langs and all(re.fullmatch(r"[a-z]{2}", lang) for lang in langs)  # an invalid code is not written


def test_html_titles_only_and_empty_item():
    t = TranslatedItem(FeedItem(id="e", feed=FEED_A, title="空"), "Empty")
    page = render("html", [t])
    assert "This item has no text." in page
    page = render("html", [t], titles_only=True)
    assert "This item has no text." not in page and "Empty" in page
    check_inert_page(page)


# ---------------------------------------------------------------------------------------------
# JSONL
# ---------------------------------------------------------------------------------------------

def test_jsonl():
    its = items() + hostile_items()[:1]
    text = render("jsonl", its, translated_title="News channel")
    text.encode("utf-8")
    lines = text.splitlines()
    records = [json.loads(line) for line in lines]
    header, rest = records[0], records[1:]
    assert header["type"] == "header" and header["model"] == "opus-mt-zh-en" and header["options"] == {"beam": 4}
    assert header["feed"]["source"] == FEED_A and header["feed"]["title_translation"] == "News channel"
    assert header["target_language"] == "en" and header["tool"] == "translate"
    assert [r["type"] for r in rest] == ["item"] * len(its)
    first = rest[0]
    assert first["id"] == its[0].item.id and first["title"] == "海关回信" and first["title_translation"] == "Customs reply"
    assert first["enclosures"][0] == {"url": "https://a.example.com/a.mp3", "type": "audio/mpeg", "length": "12345"}
    assert first["paragraphs"][1]["sentences"][1] == {"source": "大家纷纷表示。", "translation": "Everyone said said said.",
                                                      "status": "suspect", "reason": "repetition"}
    assert set(first) >= {"id", "link", "title", "title_translation", "published", "updated", "author", "feed",
                          "feed_title", "enclosures", "text_from", "note", "paragraphs"}
    assert rest[2]["note"].startswith("the article could not be fetched")
    assert "\ud800" not in rest[3]["title"] and rest[3]["link"] == "javascript:alert(document.cookie)"  # data, kept


def test_header_cannot_change_record_type():
    w = feed_writer("jsonl")
    assert json.loads(w.start(INFO, target_language="en", header={"type": "x"}))["type"] == "header"


# ---------------------------------------------------------------------------------------------
# The writers themselves
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FEED_FORMATS)
def test_streaming_each_call_returns_only_its_part(fmt):
    its = items()
    w = feed_writer(fmt)
    w.start(INFO, target_language="en", header={})
    first, second = w.item(its[0]), w.item(its[1])
    assert "Customs reply" in first and "Customs reply" not in second and "Second one" in second
    assert "Customs reply" not in w.end()


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_empty_feed_and_local_source(fmt):
    info = FeedInfo(source="/data/feeds/local.xml")
    w = feed_writer(fmt)
    d = parse(w.start(info, target_language="de", header={}) + w.end())
    assert d.entries == [] and d.feed.language == "de" and d.feed.title == "/data/feeds/local.xml"
    t = TranslatedItem(FeedItem(id="1", feed="/data/feeds/local.xml", title="x", feed_title="Local"), "X")
    w = feed_writer(fmt)
    d = parse(w.start(info, target_language="de", header={}, merged=True) + w.item(t) + w.end())
    assert d.entries[0].title == "X"


def test_unknown_format_or_title_mode():
    with pytest.raises(UsageError, match="unknown feed format 'xml'"):
        feed_writer("xml")
    with pytest.raises(UsageError):
        feed_writer("rss", titles="both")  # type: ignore[arg-type]
