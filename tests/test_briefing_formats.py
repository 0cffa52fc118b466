"""A briefing rendered as HTML, Markdown, JSON and RSS: every story in every format, the RSS a valid
feed (feedparser reads it back with no error), the JSON a stable document, and hostile feed text
(script payloads, javascript: links, "]]>", control characters, lone surrogates, a 1 MB title)
neutral everywhere."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from summarize.briefing_formats import (BRIEFING_FORMATS, CSP, Briefing, BriefingSource, BriefingStory, StoryOutline,
                                        briefing_dict, clean_text, md_text, render_briefing, safe_url, write_briefing)
from summarize.digests import Digest, Digests, DigestSentence
from summarize.lengths import parse_length
from translate.errors import UsageError
from translate.sources.feed.items import FeedItem, ItemParagraph, TranslatedItem

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS = "javascript:alert(1)"
CONTROL = "a\x00b\x01c\x0bd\x1fe\x7ff\x85g\ufffe"
SURROGATE = "x\ud800y\udfffz"


def digest(name: str, *pairs: tuple[str, str | None], language_unit: str = "words") -> Digest:
    sentences = tuple(DigestSentence(i, 0, i, 1.0, src, tgt) for i, (src, tgt) in enumerate(pairs))
    return Digest(parse_length(name, language_unit), sentences, float(len(sentences)))  # type: ignore[arg-type]


def digests(*ds: Digest, language: str = "en", source_language: str | None = "zh") -> Digests:
    return Digests(tuple(ds), language, source_language)


def source(n: int, feed: str = "https://a.example/feed", **kw) -> BriefingSource:
    values = dict(feed=feed, feed_title=f"Feed {feed[8:9]}", title=f"原标题 {n}", title_translation=f"Original {n}",
                  link=f"https://a.example/item/{n}?x=1&y=(2)", date="2026-12-05T06:00:00Z", reading_anchor=None,
                  language="zh")
    values.update(kw)
    return BriefingSource(**values)  # type: ignore[arg-type]


def reading(text: str = "第一段。", translation: str = "First paragraph.") -> TranslatedItem:
    item = FeedItem(id="item-1", feed="https://a.example/feed", title="原标题 1", link="https://a.example/item/1")
    return TranslatedItem(item, "Original 1", (ItemParagraph("body", text, translation),
                                               ItemParagraph("heading", "小标题", "Subheading")),
                          "article", "zh")


def briefing() -> Briefing:
    s1 = BriefingStory(
        "story-a", "Port reopens after storm",
        digests(digest("short", ("港口在风暴后重新开放。", "The port reopened after the storm.")),
                digest("medium", ("港口在风暴后重新开放。", "The port reopened after the storm."),
                       ("货运恢复。", "Freight resumed."))),
        (source(1, reading_anchor="read-1"), source(2, feed="https://b.example/rss", date="2026-12-05T09:30:00Z")),
        "2026-12-05T09:30:00Z", reading())
    s2 = BriefingStory("story-b", "Markets calm", digests(digest("short", ("市场平稳。", "Markets were calm."))),
                       (source(3),), "2026-12-04T10:00:00Z")
    s3 = BriefingStory("story-c", "An English item", digests(digest("short", ("Rain today.", None)),
                                                             language="en", source_language=None),
                       (source(4, feed="https://c.example/atom", language="en", title="Rain",
                               title_translation="Rain"),), "")
    return Briefing("Morning briefing", "2026-12-05T10:00:00Z", "en", (s1, s2, s3),
                    {"model": "Helsinki-NLP/opus-mt-zh-en", "lengths": ["short", "medium"]},
                    ("https://d.example/feed: 404 Not Found", "an item with no text: 'Untitled'"))


def hostile() -> Briefing:
    """Every string a feed can reach, hostile."""
    evil = f'{SCRIPT}{IMG}"\'><a href="{JS}">x</a> ]]> {CONTROL} {SURROGATE} &amp; &lt;b&gt;'
    sources = (source(1, feed=f"https://a.example/{evil}", feed_title=evil, title=evil, title_translation=evil,
                      link=JS, date=evil, reading_anchor='x" onclick="alert(1)'),
               source(2, link="data:text/html,<script>alert(1)</script>", title="# heading\n- list [x](javascript:1)"),
               source(3, link="vbscript:msgbox(1)", feed_title="| a | b |"),
               source(4, link=" https://ok.example/a b", title="**bold** _it_ `code` ![img](https://x.example/i.png)"),
               source(5, link="https://ok.example/a?b=]]&c=(1)", title="1. ordered"))
    story = BriefingStory(
        f"id {evil}", evil + "H" * (1 << 20),
        digests(digest("short", (evil, evil)), digest("3", (evil, evil)), language=f'en" {evil}',
                source_language=evil),
        sources, evil, reading(evil, evil))
    return Briefing(evil, evil, 'en"><script>', (story,), {evil: evil, "nested": {"k": [evil]}}, (evil,),
                    link=JS)


# ---------------------------------------------------------------------------------------------

def test_formats_registry_and_unknown_format():
    assert BRIEFING_FORMATS == ("html", "markdown", "json", "rss")
    with pytest.raises(UsageError) as err:
        render_briefing("pdf", briefing())
    assert "\n" not in str(err.value) and err.value.option == "format"


def test_html_page_story_by_story():
    html = render_briefing("html", briefing())
    assert html.startswith("<!DOCTYPE html>") and f'content="{CSP}"' in html
    assert "script-src" not in CSP and "default-src 'none'" in CSP
    assert "<script" not in html
    heads = [html.index(t) for t in ('id="story-1"', 'id="story-2"', 'id="story-3"')]
    assert heads == sorted(heads)
    assert "Port reopens after storm" in html and "Markets calm" in html
    assert "3 stories · 4 items · 3 feeds" in html
    # the first length is the lead; the others switch without a script
    assert 'class="lead" lang="en"' in html and "The port reopened after the storm. Freight resumed." in html
    assert 'name="len-1"' in html and 'id="len-1-0" checked' in html
    assert "2 sources" in html and "1 source<" in html
    # sources: original title (its language) and translation (the briefing's), linked to the item
    assert '<span lang="zh" dir="auto">原标题 1</span>' in html and '<span class="tr" lang="en" dir="auto">Original 1'\
        in html
    assert 'href="https://a.example/item/1?x=1&amp;y=(2)" rel="noopener noreferrer" target="_blank"' in html
    # the bilingual reading: an anchor the source links to
    assert '<details class="reading"><summary>' in html and '<div class="body" id="read-1">' in html
    assert 'href="#read-1"' in html
    assert '<div class="o" lang="zh" dir="auto">第一段。</div>' in html
    assert "First paragraph." in html
    assert html.count('class="reading"') == 1                # only the story that has one
    # notes at the end
    assert html.index('class="notes"') > html.index('id="story-3"') and "404 Not Found" in html
    assert "Helsinki-NLP/opus-mt-zh-en" in html              # the header, under About
    Checker().check(html)


def test_markdown_every_story_and_links():
    md = render_briefing("markdown", briefing())
    assert md.startswith("# Morning briefing\n")
    for title in ("## Port reopens after storm", "## Markets calm", "## An English item", "## Notes"):
        assert title in md
    assert "The port reopened after the storm.\n" in md and "**medium:** The port reopened" in md
    assert "[原标题 1](https://a.example/item/1?x=1&y=%282%29) — Original 1" in md
    assert "- Feed c: [Rain](https://a.example/item/4?x=1&y=%282%29) · 2026-12-05 06:00 UTC" in md  # said once


def test_json_document():
    doc = json.loads(render_briefing("json", briefing()))
    assert list(doc) == ["type", "title", "generated", "language", "header", "notes", "stories"]
    assert doc["type"] == "briefing" and doc["language"] == "en" and len(doc["notes"]) == 2
    first = doc["stories"][0]
    assert list(first) == ["id", "title", "date", "sources", "digests"]
    assert first["id"] == "story-a" and list(first["digests"]) == ["short", "medium"]
    medium = first["digests"]["medium"]
    assert medium["text"] == "The port reopened after the storm. Freight resumed."
    assert medium["sentences"][1] == {"source": "货运恢复。", "translation": "Freight resumed."}
    assert medium["unit"] == "words" and medium["over_budget"] is False and medium["achieved"] == 2.0
    assert first["sources"][0]["reading_anchor"] == "read-1" and first["sources"][0]["link"].endswith("(2)")
    assert doc["stories"][2]["digests"]["short"]["sentences"] == [{"source": "Rain today.", "translation": None}]
    assert "原标题" in render_briefing("json", briefing())  # ensure_ascii=False


def test_rss_parses_back_one_item_per_story():
    feedparser = pytest.importorskip("feedparser")
    rss = render_briefing("rss", briefing())
    parsed = feedparser.parse(rss.encode("utf-8"))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title == "Morning briefing" and parsed.feed.language == "en"
    assert [e.title for e in parsed.entries] == ["Port reopens after storm", "Markets calm", "An English item"]
    first = parsed.entries[0]
    assert first.id == "story-a" and first.guidislink is False
    assert first.link == "https://a.example/item/1?x=1&y=(2)"
    assert first.published == "Sat, 05 Dec 2026 09:30:00 GMT"       # the most recent of its sources
    assert "The port reopened after the storm." in first.summary and "Freight resumed" not in first.summary
    assert first.summary.count("<li>") == 2 and 'href="https://a.example/item/2' in first.summary
    assert "published" not in parsed.entries[2] or parsed.entries[2].published  # a story with a date from sources
    assert '<guid isPermaLink="false">story-a</guid>' in rss


def test_empty_briefing_in_every_format():
    empty = Briefing("", "", "", ())
    for fmt in BRIEFING_FORMATS:
        assert render_briefing(fmt, empty)
    assert json.loads(render_briefing("json", empty))["stories"] == []
    feedparser = pytest.importorskip("feedparser")
    assert feedparser.parse(render_briefing("rss", empty).encode()).bozo == 0


def test_a_story_without_digests_or_links():
    story = BriefingStory("s", "", digests(), (source(1, link=""),), "")
    b = Briefing("B", "now", "en", (story,))
    html = render_briefing("html", b)
    assert "(untitled)" in html and 'class="lead"' not in html
    assert "<li>" in render_briefing("rss", b).replace("&lt;li&gt;", "<li>")


# ---------------------------------------------------------------------------------------------
# Hostile input
# ---------------------------------------------------------------------------------------------

class Checker(HTMLParser):
    """Collects what a browser would act on: elements, attributes, URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, k, v or "") for k, v in attrs)

    def check(self, html: str) -> Checker:
        self.feed(html)
        self.close()
        assert "script" not in self.tags and "img" not in self.tags and "iframe" not in self.tags
        assert not [a for a in self.attrs if a[1].startswith("on")]
        for tag, name, value in self.attrs:
            if name in ("href", "src", "action", "formaction"):
                assert value.startswith(("https://", "http://", "#", "data:,")), (tag, name, value)
            if name == "id":
                assert re.match(r"^[A-Za-z][A-Za-z0-9_-]*$", value), value
        return self


def test_hostile_html_is_neutral():
    html = render_briefing("html", hostile())
    html.encode("utf-8")                                        # lone surrogates gone: it can be written
    checker = Checker().check(html)
    hrefs = [v for _, k, v in checker.attrs if k == "href"]
    assert not any("javascript" in h.lower() or "vbscript" in h.lower() or h.startswith("data:text") for h in hrefs)
    assert [h for h in hrefs if h.startswith("http")] == ["https://ok.example/a?b=]]&c=(1)"]
    assert '<html lang="en">' in html                           # a bad language code is not an attribute
    assert "\x00" not in html and "\x01" not in html and "\x85" not in html and "\ufffe" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert len(html) < 200_000                                  # the 1 MB headline is clipped for display
    assert 'id="reading-1"' in html and 'href="#reading-1"' in html   # an unsafe anchor is replaced


def test_hostile_markdown_is_neutral():
    md = render_briefing("markdown", hostile())
    md.encode("utf-8")
    assert "<script" not in md and "<img" not in md and "<a " not in md
    assert "\\# heading - list \\[x\\](javascript:1)" in md
    assert "\\*\\*bold\\*\\* \\_it\\_ \\`code\\`" in md
    assert "1\\. ordered" in md
    assert "\x00" not in md and len(md) < 200_000
    # as a Markdown renderer shows it, raw HTML allowed: no element from the feed, only https links
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    checker = Checker().check(html)
    assert not ({"table", "h3", "ol", "code"} & set(checker.tags))
    assert checker.tags.count("em") == 1 and checker.tags.count("strong") == 1    # ours: the byline, "3:"
    assert [v for _, k, v in checker.attrs if k == "href"] == ["https://ok.example/a?b=%5D%5D&amp;c=%281%29"
                                                               .replace("&amp;", "&")]
    assert checker.tags.count("h2") == 2 and checker.tags.count("h1") == 1    # the story and the notes


def test_hostile_json_round_trips():
    text = render_briefing("json", hostile())
    text.encode("utf-8")
    doc = json.loads(text)
    story = doc["stories"][0]
    assert story["title"].startswith(SCRIPT) and len(story["title"]) > 1 << 20   # the data is kept whole
    assert story["sources"][0]["link"] == JS                                     # as data, not as a link
    assert "\ufffd" in story["title"]                                            # the lone surrogates replaced
    assert doc["header"]["nested"]["k"][0].startswith(SCRIPT)


def test_hostile_rss_stays_a_valid_feed():
    feedparser = pytest.importorskip("feedparser")
    rss = render_briefing("rss", hostile())
    data = rss.encode("utf-8")
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert len(parsed.entries) == 1
    entry = parsed.entries[0]
    assert entry.title.startswith("<script>") or "alert" in entry.title       # text, as text
    assert "link" not in parsed.feed or not parsed.feed.link.startswith("javascript")
    assert entry.link == "https://ok.example/a?b=]]&c=(1)"  # the first http(s) source link
    assert "]]>" not in rss.replace("]]&gt;", "")
    assert "CDATA" not in rss
    # what a reader shows: feedparser sanitizes, but nothing dangerous is even offered
    found = re.search(r"<description>(.*?)</description>", rss.split("<item>")[1], re.S)
    assert found is not None
    description = found.group(1)
    assert "<" not in description                                              # escaped HTML, not markup
    assert "href=&quot;javascript" not in description and "onerror=alert" not in description.replace(
        "&amp;lt;img src=x onerror=alert(1)&amp;gt;", "")


@pytest.mark.parametrize("value, expected", [
    ("https://a.example/x", "https://a.example/x"), ("  http://a.example  ", "http://a.example"),
    ("HTTPS://A.EXAMPLE", "HTTPS://A.EXAMPLE"), (JS, None), ("JaVaScRiPt:alert(1)", None),
    ("data:text/html,x", None), ("vbscript:x", None), ("//a.example/x", None), ("https://a b", None),
    ('https://a.example/"onmouseover=x', None), ("java\x00script:alert(1)", None), ("", None), (None, None)])
def test_safe_url(value, expected):
    assert safe_url(value) == expected


def test_clean_text():
    assert clean_text(CONTROL) == "abcdefg"
    assert clean_text(SURROGATE) == "x\ufffdy\ufffdz"
    assert clean_text("\ud83d\ude00") == "\U0001f600"          # a split pair joined, not replaced
    assert clean_text("tab\tnew\nline\r") == "tab\tnew\nline\r"
    assert md_text("a\nb  c") == "a b c"


# ---------------------------------------------------------------------------------------------
# Streaming: write_briefing, a story at a time
# ---------------------------------------------------------------------------------------------

def _outlined(b: Briefing, stories) -> Briefing:
    """``b`` with its stories read from ``stories`` (an iterator) and what comes before them from an outline."""
    held = tuple(b.stories)
    return Briefing(b.title, b.generated, b.language, stories, b.header, b.notes, b.link,
                    outline=tuple(StoryOutline.of(s) for s in held),
                    feeds=len({src.feed for s in held for src in s.sources}),
                    lengths=max((len(s.digests) for s in held), default=0))


@pytest.mark.parametrize("fmt", BRIEFING_FORMATS)
@pytest.mark.parametrize("make", [briefing, hostile, lambda: Briefing("", "", "", ())], ids=["clean", "hostile", "empty"])
def test_write_briefing_writes_what_render_briefing_returns(fmt, make):
    expected = render_briefing(fmt, make())
    pieces: list[str] = []
    write_briefing(fmt, make(), pieces.append)
    assert "".join(pieces) == expected
    # the same from a generator and an outline; at least one write between one story and the next
    pulled: list[int] = []

    def stories():
        for story in make().stories:
            pulled.append(len(pieces))
            yield story

    pieces = []
    write_briefing(fmt, _outlined(make(), stories()), pieces.append)
    assert "".join(pieces) == expected
    assert len(pulled) == len(tuple(make().stories))
    assert pulled == sorted(set(pulled)) and (not pulled or pulled[0] > 0)   # the header went before story 1


def test_json_is_what_json_dumps_writes():
    for b in (briefing(), hostile()):
        text = json.dumps(briefing_dict(b), ensure_ascii=False, indent=2, default=str)
        assert render_briefing("json", b) == text.encode("utf-16", "surrogatepass").decode("utf-16", "replace") + "\n"


def test_the_head_comes_from_the_outline_before_any_story():
    """The counts and the page's contents are written before the first story is computed."""
    written: list[str] = []
    seen: dict[str, str] = {}

    def stories():
        seen["before"] = "".join(written)
        yield from briefing().stories

    write_briefing("html", _outlined(briefing(), stories()), written.append)
    head = seen["before"]
    assert "3 stories · 4 items · 3 feeds" in head and 'id="story-1"' not in head
    assert head.count('<li><a href="#story-') == 3 and "Markets calm</a> <span class=\"n\">1 source<" in head


def test_an_outline_without_feeds_or_lengths():
    """Feeds not counted: left out of the counts; fewer lengths than a story has: its rules follow."""
    b = briefing()
    plain = Briefing(b.title, b.generated, b.language, iter(b.stories), b.header, b.notes,
                     outline=tuple(StoryOutline.of(s) for s in b.stories))
    html = render_briefing("html", plain)
    assert "3 stories · 4 items</p>" in html and "feed<" not in html.split("</header>")[0].split("<h1")[1]
    assert html.count(".len:nth-of-type(2):checked~.panel:nth-of-type(2)") == 1   # once, in the first story
    assert html.index("<style>\n.len:nth-of-type(1)") < html.index('name="len-1"')
    Checker().check(html)
    plain = Briefing(b.title, b.generated, b.language, iter(b.stories), outline=tuple(map(StoryOutline.of, b.stories)))
    feedparser = pytest.importorskip("feedparser")
    rss = render_briefing("rss", plain)
    assert "<description>3 stories from 4 items</description>" in rss
    assert feedparser.parse(rss.encode()).bozo == 0


def test_an_unknown_format_writes_nothing():
    written: list[str] = []
    with pytest.raises(UsageError):
        write_briefing("pdf", briefing(), written.append)
    assert written == []


_BLOB = 2_000   # bytes each story carries that no format shows: 20,000 of them held would be 40 MB
_SHORT = parse_length("short", "words")


def _small_story(i: int) -> BriefingStory:
    sentence = DigestSentence(0, 0, 0, 1.0, f"原文 {i}。", f"Story {i} <b>&amp; ]]>")
    d = Digests((Digest(_SHORT, (sentence,), 1.0),), "en", "zh", {"blob": "x" * _BLOB + str(i)})
    return BriefingStory(f"s{i}", f"Headline {i} <script>", d,
                         (BriefingSource("https://a.example/feed", "A", f"t{i}", f"T{i}", f"https://a.example/{i}",
                                         "2026-12-05T09:30:00Z"),), "2026-12-05T09:30:00Z")


@pytest.mark.parametrize("n", [pytest.param(2_000, id="2k")])  # 20,000 behaved the same; 40 s of the suite
@pytest.mark.parametrize("fmt", BRIEFING_FORMATS)
def test_a_generator_of_stories_is_written_in_bounded_memory(fmt, n, tmp_path):
    """The stories are made one by one as they are written: each is read once, no more than two
    are alive at a time, and the peak is a small part of what holding them all would take."""
    import tracemalloc
    import weakref

    counts = {"yielded": 0, "alive": 0, "most_alive": 0}

    def gone() -> None:
        counts["alive"] -= 1

    def stories():
        for i in range(n):
            story = _small_story(i)
            counts["yielded"] += 1
            counts["alive"] += 1
            counts["most_alive"] = max(counts["most_alive"], counts["alive"])
            weakref.finalize(story, gone)
            yield story
            del story

    outline = tuple(StoryOutline(f"s{i}", f"Headline {i} <script>", 1, "2026-12-05T09:30:00Z") for i in range(n))
    b = Briefing("Big", "2026-12-05T10:00:00Z", "en", stories(), outline=outline, feeds=1, lengths=1)
    path = tmp_path / f"out.{fmt}"
    with path.open("w", encoding="utf-8") as out:
        tracemalloc.start()
        try:
            write_briefing(fmt, b, out.write)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert counts["yielded"] == n and counts["most_alive"] <= 2
    assert peak < 10_000_000 and peak < n * _BLOB / 4, peak     # 20k held: over 40 MB
    text = path.read_text(encoding="utf-8")
    assert fmt == "json" or "<script>" not in text.replace("&lt;script&gt;", "")   # JSON keeps the data as data
    if fmt == "json":
        doc = json.loads(text)
        assert len(doc["stories"]) == n and doc["stories"][-1]["id"] == f"s{n - 1}"
        assert "blob" not in text
    elif fmt == "rss":
        feedparser = pytest.importorskip("feedparser")
        parsed = feedparser.parse(text.encode("utf-8"))
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert len(parsed.entries) == n and parsed.entries[-1].id == f"s{n - 1}"
    elif fmt == "html":
        assert text.count('<article class="story"') == n and text.count('<li><a href="#story-') == n
        assert f"{n:,}".replace(",", "") + " stories · " + f"{n} items · 1 feed<" in text
        assert text.endswith("</html>\n")
    else:
        assert text.count("\n## Headline ") == n
