"""Reading feeds: RSS 0.91/1.0/2.0, Atom 1.0 and OPML fixtures (tests/feeds/), what every item keeps, the
streaming path (bounded memory, the same items however the input is cut) and hostile input: malformed,
not a feed, entity bombs, XXE, deep nesting, NUL bytes, bad encodings, script payloads."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from translate.errors import InputError
from translate.sources.feed import (Enclosure, FeedItem, FeedWarning, Outline, ParsedFeed, looks_like_feed, parse_feed,
                                    parse_opml)
from translate.sources.feed import parse as feed_parse
from translate.sources.opening import kind_of

FEEDS = Path(__file__).parent / "feeds"
FIXTURES = ["rss2.xml", "rss1.rdf", "atom.xml", "rss091.xml", "gbk.xml", "malformed.xml", "scripts.xml", "bare.xml"]


def read(name: str, **kwargs: object) -> tuple[ParsedFeed, list[FeedItem]]:
    parsed = parse_feed((FEEDS / name).read_bytes(), source=name, **kwargs)  # type: ignore[arg-type]
    return parsed, list(parsed.items)


def by_title(items: list[FeedItem]) -> dict[str, FeedItem]:
    return {item.title: item for item in items}


def one_line_error(excinfo: pytest.ExceptionInfo[InputError]) -> str:
    message = str(excinfo.value)
    assert "\n" not in message and message
    return message


# --- recognising feeds


@pytest.mark.parametrize("name, kind", [("rss2.xml", "feed"), ("rss1.rdf", "feed"), ("atom.xml", "feed"),
                                        ("rss091.xml", "feed"), ("gbk.xml", "feed"), ("scripts.xml", "feed"),
                                        ("opml.opml", "opml")])
def test_looks_like_feed_by_content(name, kind):
    head = (FEEDS / name).read_bytes()
    assert looks_like_feed(head) == kind
    assert looks_like_feed(head, "text/html", "page.html") == kind  # the first element beats a wrong label
    assert kind_of("whatever.txt", head) == "feed"


def test_looks_like_feed_by_media_type_and_suffix_when_content_cannot_tell():
    assert looks_like_feed(b"", "application/rss+xml") == "feed"
    assert looks_like_feed(b"", "application/atom+xml; charset=utf-8") == "feed"
    assert looks_like_feed(b"", "application/rdf+xml") == "feed"
    assert looks_like_feed(b"", "text/x-opml") == "opml"
    assert looks_like_feed(b"", None, "https://example.cn/news.rss?x=1") == "feed"
    assert looks_like_feed(b"", None, "/tmp/list.OPML") == "opml"
    assert looks_like_feed(b"", None, "feed.atom") == "feed"
    assert looks_like_feed(b"", "application/xml", "feed.xml") is None
    assert looks_like_feed(b"plain text", "text/plain", "notes.txt") is None


def test_looks_like_feed_reads_past_prolog_comments_doctype_and_boms():
    rss = '<?xml version="1.0"?>\n<!-- a comment <rss> -->\n<?xml-stylesheet href="s.xsl"?>\n' \
          '<!DOCTYPE rss [<!ENTITY a "b">]>\n<rss version="2.0"><channel/></rss>'
    assert looks_like_feed(rss.encode()) == "feed"
    assert looks_like_feed(b"\xef\xbb\xbf" + rss.encode()) == "feed"
    assert looks_like_feed(rss.encode("utf-16")) == "feed"            # with a BOM
    assert looks_like_feed(rss.encode("utf-16-le")) == "feed"         # without one
    assert looks_like_feed(rss.encode("utf-16-be")) == "feed"
    assert looks_like_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>') == "feed"
    rdf_not_rss = b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description/></rdf:RDF>'
    assert looks_like_feed(rdf_not_rss) is None


def test_looks_like_feed_is_none_for_pages_json_text_and_binary():
    assert looks_like_feed(b"<!DOCTYPE html><html><body><rss></rss></body></html>") is None
    assert looks_like_feed(b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"></html>',
                           "application/rss+xml", "x.rss") is None  # content beats the label both ways
    assert looks_like_feed(b'{"items": []}') is None
    assert looks_like_feed(bytes(range(256))) is None
    assert looks_like_feed("海关总署今天发布数据。".encode()) is None


def test_kind_of_feed_before_html_sniffing_and_html_markdown_unchanged():
    rss_with_page = (b'<?xml version="1.0"?><rss version="2.0"><channel><description><![CDATA[<html><body>'
                     b'x</body></html>]]></description></channel></rss>')
    assert kind_of("feed", rss_with_page) == "feed"
    assert kind_of("https://example.cn/feed", rss_with_page, "text/html") == "feed"
    assert kind_of("https://example.cn/feed", b"", "application/atom+xml") == "feed"
    assert kind_of("list.opml", b"") == "feed"
    assert kind_of("page", b"<!doctype html><html><body>x</body></html>") == "html"
    assert kind_of("page.html", b"<p>x</p>") == "html"
    assert kind_of("notes.md", b"# title") == "markdown"
    assert kind_of("notes.txt", "海关".encode()) == "text"


# --- what items keep


def test_rss2_items_keep_everything():
    parsed, items = read("rss2.xml")
    info = parsed.info
    assert (info.kind, info.title, info.link, info.language) == ("rss", "示例新闻 & 天气", "https://news.example.cn/",
                                                                  "zh-cn")
    assert info.description == "每日新闻摘要" and info.updated == "2026-12-05T06:00:00Z"
    assert [item.position for item in items] == [0, 1, 2]
    customs, snow, market = items
    assert customs.id == "customs-2026-12-05"                      # guid isPermaLink="false"
    assert customs.title == "海关 & 贸易：出口增长"                  # HTML in the title reduced to text
    assert customs.link == "https://news.example.cn/zh/articles/2026/12/customs.html"  # xml:base
    assert customs.html.startswith("<p>海关总署今天公布数据。</p><p>出口同比增长百分之五。")  # content:encoded first
    assert 'src="https://news.example.cn/zh/img/chart.png"' in customs.html
    assert customs.published == "2026-12-05T06:00:00Z"              # +0800 → UTC
    assert customs.author == "王记者" and customs.categories == ("经济", "海关")
    assert customs.enclosures == (Enclosure("https://news.example.cn/zh/audio/customs.mp3", "audio/mpeg",
                                            "123456"),)
    assert (customs.feed, customs.feed_title, customs.language) == ("rss2.xml", "示例新闻 & 天气", "zh-cn")
    assert snow.id == snow.link == "https://news.example.cn/zh/weather/snow.html"  # isPermaLink="true"
    assert snow.html == "气象台预报明天北京有小雪，气温零下五度。"
    assert snow.enclosures == (Enclosure("https://cdn.example.cn/snow.jpg", "image/jpeg", "2048"),)
    assert market.id == market.link and market.title == "经济 & 市场 < 预期"
    assert market.published == "2026-12-05T03:30:00Z" and market.author == "李编辑"
    assert parsed.problems == []
    assert FeedItem.from_dict(customs.to_dict()) == customs


def test_rss1_rdf_items_beside_the_channel():
    parsed, items = read("rss1.rdf")
    assert (parsed.info.kind, parsed.info.title, parsed.info.language) == ("rdf", "RDF 新闻", "zh")
    assert [(item.id, item.title) for item in items] == [("https://rdf.example.cn/a1", "海关查获走私货物"),
                                                          ("https://rdf.example.cn/a2", "经济数据发布")]
    first, second = items
    assert first.updated == "2026-12-05T00:00:00Z" and first.date == first.updated and first.published == ""
    assert first.author == "张三" and first.categories == ("海关",) and first.language == "zh"
    assert second.html == "<p>国家统计局发布<em>经济</em>数据。</p>"
    assert parsed.problems == []


def test_atom_languages_bases_and_content_types():
    parsed, items = read("atom.xml")
    info = parsed.info
    assert (info.kind, info.title, info.link, info.language) == ("atom", "原子 新闻", "https://atom.example.cn/",
                                                                  "zh-CN")
    cold, trade, plain = items
    assert cold.link == "https://atom.example.cn/blog/2026/cold.html"
    assert cold.html == '<p>冷空气南下，<a href="https://atom.example.cn/blog/more.html">详情</a>。</p>'
    assert cold.enclosures == (Enclosure("https://atom.example.cn/blog/media/cold.mp3", "audio/mpeg", "999"),)
    assert (cold.published, cold.updated) == ("2026-12-04T21:00:00Z", "2026-12-05T06:00:00Z")
    assert cold.language == "zh-CN" and cold.author == "赵六" and cold.categories == ("天气",)
    assert trade.language == "en" and trade.title == "Trade news"                      # xhtml title
    assert trade.link == "https://other.example.com/news/trade.html"                    # the entry's xml:base
    assert trade.html == '<p>Exports <em>rose</em>. <a href="https://other.example.com/news/chart.html">Chart</a></p>'
    assert plain.title == "纯文本 <不是标签>"                                            # type="text": literal
    assert plain.html == "第一行 &lt;b&gt; 不是粗体 &amp; 符号"                          # plain text escaped
    assert plain.link == "" and plain.id == "tag:atom.example.cn,2026:plain"            # a tag: id is no link


def test_rss091_latin1_and_an_entity_only_its_dtd_defines():
    parsed, items = read("rss091.xml")
    assert parsed.info.description == "An RSS 0.91 feed in Latin-1: café and naïve"
    assert [(item.title, item.html) for item in items] == [("Café opens", "A café opened downtown."),
                                                           ("Weather report", "")]
    assert items[0].id == "http://old.example.com/cafe" and items[0].language == "en-us"
    assert len(parsed.problems) == 1 and "undefined entity" in parsed.problems[0]


@pytest.mark.parametrize("charset", [None, "gb2312", "GBK", "utf-8"])
def test_gbk_feed_declared_in_its_prolog(charset):
    data = (FEEDS / "gbk.xml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really GBK bytes
    parsed = parse_feed(data, source="gbk.xml", http_charset=charset)
    items = list(parsed.items)
    assert parsed.info.title == "国标码新闻"
    assert [item.title for item in items] == ["海关总署发布进出口数据", "气象台：明天多云转晴"]
    assert items[0].html == "<p>海关总署今天发布了进出口数据，贸易顺差扩大。</p>"
    assert items[0].published == "2026-12-05T00:00:00Z"
    assert parsed.problems == []


def test_utf16_feed_and_a_wrong_latin1_http_charset():
    rss = '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>天气</title>' \
          '<item><title>海关</title><link>https://e.cn/1</link></item></channel></rss>'
    parsed = parse_feed(rss.encode("utf-16"), source="u16.xml")
    assert parsed.info.title == "天气" and [item.title for item in parsed.items] == ["海关"]
    parsed = parse_feed((FEEDS / "rss2.xml").read_bytes(), source="rss2.xml", http_charset="iso-8859-1")
    assert parsed.info.title == "示例新闻 & 天气"  # valid UTF-8, declared UTF-8: the server's default is wrong


def test_relative_links_resolve_against_base_url_else_a_url_source():
    rss = b'<rss version="2.0"><channel><title>t</title><link>/</link><item><title>a</title><link>a/1.html</link>' \
          b'<enclosure url="m.mp3" type="audio/mpeg" length="1"/></item></channel></rss>'
    item = next(parse_feed(rss, source="https://feeds.example.cn/news/rss", base_url="https://www.example.cn/x/").items)
    assert item.link == "https://www.example.cn/x/a/1.html"
    assert item.enclosures[0].url == "https://www.example.cn/x/m.mp3"
    parsed = parse_feed(rss, source="https://feeds.example.cn/news/rss")
    assert parsed.info.link == "https://feeds.example.cn/"
    assert next(parsed.items).link == "https://feeds.example.cn/news/a/1.html"
    assert next(parse_feed(rss, source="local/rss.xml").items).link == "a/1.html"  # nothing to resolve against


def test_items_without_title_text_or_link_get_a_hash_id():
    parsed, items = read("bare.xml")
    empty, titled = items
    assert (empty.title, empty.html, empty.link) == ("", "", "")
    assert empty.id.startswith("sha1:") and titled.id.startswith("sha1:") and empty.id != titled.id
    assert titled.title == "只有标题" and parsed.problems == []
    again = list(read("bare.xml")[1])
    assert [item.id for item in again] == [empty.id, titled.id]  # stable across reads: a rerun recognises them


def test_script_payloads_titles_are_text_html_is_kept_as_given():
    parsed, items = read("scripts.xml")
    assert parsed.info.title == "脚本新闻" and parsed.info.description == "频道描述"
    first, second = items
    assert first.title == "海关公告" and second.title == "经济"
    for item in items:
        assert "<" not in item.title and "alert" not in item.title
    assert first.link == "" and first.id == "evil-1"  # javascript: is no link
    assert '<script>alert(5)</script>' in first.html and 'onerror="alert(7)"' in first.html  # writers sanitize
    assert second.link == "https://evil.example.cn/2"


# --- malformed


def test_malformed_feed_keeps_items_before_and_after_the_break():
    parsed, items = read("malformed.xml")
    titles = [item.title for item in items]
    assert titles[:3] == ["第一条：海关", "第二条：天气", "第三条：经济"]
    assert titles[-1] == "第五条：之后" and items[-1].link == "https://bad.example.cn/5"
    assert [item.position for item in items] == list(range(len(items)))
    assert len(parsed.problems) == 1
    problem = parsed.problems[0]
    assert problem.startswith("malformed.xml is not well-formed XML (line 25: mismatched tag); "
                              "the 3 items before it were read")
    assert "\n" not in problem


def test_truncated_feed_keeps_what_arrived():
    data = (FEEDS / "rss2.xml").read_bytes()
    cut = data.index("明天天气".encode()) + 3
    parsed = parse_feed(data[:cut], source="cut.xml")
    items = list(parsed.items)
    assert items[0].title == "海关 & 贸易：出口增长"
    assert len(parsed.problems) == 1 and "no element found" in parsed.problems[0]


def test_feed_broken_before_its_first_item_is_read_leniently():
    rss = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t&nbsp;x</title><item><title>a&nbsp;b</title>' \
          b'</item><item><title>c</title></item></channel></rss>'
    parsed = parse_feed(rss, source="nbsp.xml")
    assert [item.title for item in parsed.items] == ["a b", "c"]
    assert parsed.info.title == "t x"
    assert parsed.problems == ["nbsp.xml is not well-formed XML (line 1: undefined entity); 2 items after it were "
                               "read leniently"]


def test_text_before_the_xml_declaration_is_skipped():
    rss = b'Warning: something in /var/www/feed.php\n<?xml version="1.0"?><rss version="2.0"><channel><item>' \
          b'<title>x</title></item></channel></rss>'
    parsed = parse_feed(rss, source="php.xml")
    assert [item.title for item in parsed.items] == ["x"]
    assert len(parsed.problems) == 1 and "before its XML declaration" in parsed.problems[0]


# --- not a feed


@pytest.mark.parametrize("data, why", [
    (b"<!DOCTYPE html><html><head><title>x</title></head><body>news</body></html>", "it is an HTML page"),
    (b'{"version": "https://jsonfeed.org/version/1", "items": []}', "it looks like JSON"),
    (b"", "it is empty"),
    (b" \n\t ", "it is empty"),
    (bytes(range(256)) * 8, "it is binary data"),
    (b"\x1f\x8b\x08\x00" + bytes(64), "it is binary data"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "its first element is <svg>"),
    ("海关总署今天发布数据。".encode(), "it begins"),
])
def test_not_a_feed_is_one_input_error_line(data, why):
    with pytest.raises(InputError) as excinfo:
        parse_feed(data, source="page")
    message = one_line_error(excinfo)
    assert message.startswith("page is not an RSS, Atom or OPML feed: ") and why in message


def test_an_opml_list_is_not_parsed_as_a_feed():
    with pytest.raises(InputError, match="OPML list of feeds"):
        parse_feed((FEEDS / "opml.opml").read_bytes(), source="opml.opml")


# --- hostile


def billion_laughs(root: bytes = b'<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
                                  b'</item></channel></rss>') -> bytes:
    entities = [b'<!ENTITY lol "lol">'] + [
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10) for n in range(1, 10)]
    return b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + b"\n".join(entities) + b"\n]>\n" + root


XXE = b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<rss version="2.0">' \
      b'<channel><title>&xxe;</title><item><title>&xxe;</title><description>&xxe;</description></item></channel></rss>'
XXE_PARAMETER = b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n' \
                b'<rss version="2.0"><channel><item><title>x</title></item></channel></rss>'


@pytest.mark.parametrize("data", [billion_laughs(), XXE, XXE_PARAMETER], ids=["billion-laughs", "xxe", "xxe-param"])
def test_entity_bombs_and_external_entities_are_refused(data):
    with pytest.raises(InputError) as excinfo:
        list(parse_feed(data, source="evil.xml").items)
    message = one_line_error(excinfo)
    assert "entit" in message and "root:" not in message and "lollol" not in message


def test_entity_declarations_after_a_broken_prolog_are_refused_too():
    broken = XXE.replace(b"<rss", b"<rss <<", 1)
    with pytest.raises(InputError) as excinfo:
        list(parse_feed(broken, source="evil.xml").items)
    assert "root:" not in one_line_error(excinfo)


def test_character_alias_entities_are_not_refused():
    rss = b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY nbsp "&#160;">\n]>\n<rss version="2.0"><channel>' \
          b'<item><title>a&nbsp;b</title></item></channel></rss>'
    parsed = parse_feed(rss, source="alias.xml")
    assert [item.title for item in parsed.items] == ["a b"]


def test_deep_nesting_does_not_crash():
    deep = b"<a>" * 10_000 + b"</a>" * 10_000
    rss = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>' + deep + \
          b'<item><title>x</title><description>' + b"<b>" * 10_000 + b"y" + b"</b>" * 10_000 + \
          b'</description></item><item><title>z</title>' + deep + b'</item><item><title>w</title></item>' \
          b'</channel></rss>'
    parsed = parse_feed(rss, source="deep.xml")
    assert [item.title for item in parsed.items] == ["w"]  # deeper than any real HTML: left out, said
    assert parsed.problems[:3] == [
        "deep.xml: the channel's header is nested deeper than 200 elements; its title and description were not read",
        "deep.xml: item 1 is nested deeper than 200 elements; left out",
        "deep.xml: item 2 is nested deeper than 200 elements; left out"]
    unclosed = b'<rss version="2.0"><channel><item><title>x</title></item>' + b"<a>" * 10_000
    parsed = parse_feed(unclosed, source="unclosed.xml")
    assert [item.title for item in parsed.items] == ["x"] and "nested deeper than 200" in parsed.problems[0]
    escaped = b'<rss version="2.0"><channel><item><title>' + b"&lt;i&gt;" * 10_000 + b'deep</title></item>' \
              b'</channel></rss>'
    assert [item.title for item in parse_feed(escaped, source="escaped.xml").items] == ["deep"]


def test_nul_bytes_and_control_characters_are_removed_with_a_problem():
    rss = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t\x00x</title>' \
          b'<item><title>a\x00b\x01c\x1b</title><description>\x00</description></item></channel></rss>'
    parsed = parse_feed(rss, source="nul.xml")
    assert [item.title for item in parsed.items] == ["abc"] and parsed.info.title == "tx"
    assert len(parsed.problems) == 1 and "NUL" in parsed.problems[0]


def test_invalid_utf8_is_replaced_not_mojibake():
    rss = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>天气</title><item><title>海关' \
        .encode() + b"\xff\xfe\x80" + b"</title></item></channel></rss>"
    parsed = parse_feed(rss, source="bad.xml")
    assert [item.title for item in parsed.items] == ["海关\ufffd\ufffd\ufffd"] and parsed.info.title == "天气"
    at = rss.index(b"\xff")
    assert parsed.problems == [f"bad.xml is not valid utf-8 (byte {at}); the bytes that are not were replaced"]


# --- streaming


def big_feed(count: int, extra: str = "") -> bytes:
    head = '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">' \
           '<channel xml:base="https://big.example.cn/"><title>大</title><link>/</link>\n'
    items = "".join(f'<item><title>海关新闻 {n}</title><link>n/{n}</link><guid>g{n}</guid>{extra}<description>'
                    f'<![CDATA[<p>海关总署今天公布了经济数据 {n}。</p>]]></description></item>\n' for n in range(count))
    return (head + items + "</channel></rss>\n").encode()


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.read_bytes += len(data)
        return data


def test_items_stream_from_the_input_as_they_are_iterated():
    data = big_feed(1500)
    stream = CountingStream(data)
    parsed = parse_feed(stream, source="big.xml")
    assert isinstance(parsed.items, Iterator)
    assert stream.read_bytes <= feed_parse.SNIFF_BYTES  # the header only, so far
    first = next(parsed.items)
    assert (first.title, first.link, first.position) == ("海关新闻 0", "https://big.example.cn/n/0", 0)
    assert stream.read_bytes < len(data) // 2
    rest = list(parsed.items)
    assert len(rest) == 1499 and rest[-1].position == 1499
    assert rest[-1].id == "https://big.example.cn/g1499"  # a guid is a permalink unless it says not: resolved
    assert stream.read_bytes == len(data)


@pytest.mark.parametrize("name", [*FIXTURES, "big"])
def test_any_cut_of_the_input_gives_the_same_items(name, monkeypatch):
    data = big_feed(120) if name == "big" else (FEEDS / name).read_bytes()
    whole = parse_feed(data, source=name)
    expected = (whole.info, list(whole.items), whole.problems)
    monkeypatch.setattr(feed_parse, "SNIFF_BYTES", 600)
    monkeypatch.setattr(feed_parse, "READ_BYTES", 5)
    monkeypatch.setattr(feed_parse, "FEED_BYTES", 3)
    for chunk_items in (1, 2, 7):
        cut = parse_feed(io.BytesIO(data), source=name, chunk_items=chunk_items)
        assert (cut.info, list(cut.items), cut.problems) == expected


@pytest.mark.parametrize("name", ["rss2.xml", "rss1.rdf", "atom.xml", "gbk.xml", "scripts.xml", "bare.xml",
                                  "malformed.xml", "rss091.xml"])
def test_items_agree_with_feedparser_reading_the_whole_document(name):
    import feedparser

    data = (FEEDS / name).read_bytes()
    whole = feedparser.parse(io.BytesIO(data), sanitize_html=False)
    items = list(parse_feed(data, source=name).items)
    assert len(items) == len(whole.entries)
    for item, entry in zip(items, whole.entries):
        link = entry.get("link") or ""
        assert item.link == (link if link.startswith("http") else "")
        assert item.id == (" ".join(entry["id"].split()) if entry.get("id") else item.link or item.id)
        assert item.id.startswith("sha1:") or entry.get("id") or item.link
        title = entry.get("title") or ""
        if "<" not in title and "&" not in title:
            assert item.title == " ".join(title.split())
        summary = entry["content"][0]["value"] if entry.get("content") else entry.get("summary") or ""
        assert bool(item.html) == bool(summary.strip())


@pytest.mark.slow
def test_a_50000_item_feed_parses_in_bounded_memory(tmp_path):
    path = tmp_path / "big.xml"
    extra = "<dc:creator>记者</dc:creator><category>经济</category>"
    with path.open("wb") as out:
        data = big_feed(50_000, extra + "<pubDate>Sat, 05 Dec 2026 06:00:00 GMT</pubDate>" + "<!--" + "x" * 200 + "-->")
        out.write(data)
    size = path.stat().st_size
    assert size > 19 << 20
    script = textwrap.dedent(f"""
        import resource, sys
        from translate.sources.feed import parse_feed
        list(parse_feed(open({str(path)!r}, "rb").read(200_000).rsplit(b"<item>", 1)[0] + b"</channel></rss>",
                        source="warm").items)  # imports and caches warm
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with open({str(path)!r}, "rb") as stream:
            parsed = parse_feed(stream, source="big.xml")
            count = sum(1 for _ in parsed.items)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(count, (after - before) * 1024, len(parsed.problems))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600,
                          cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    count, growth, problems = map(int, done.stdout.split())
    assert count == 50_000 and problems == 0
    assert growth < 60 << 20, f"peak memory grew {growth >> 20} MB for a {size >> 20} MB feed"


# --- OPML


def test_opml_nested_outlines_deduplicated_resolved_in_order():
    problems: list[str] = []
    outlines = parse_opml((FEEDS / "opml.opml").read_bytes(), source="https://lists.example.cn/my/subs.opml",
                          problems=problems)
    assert outlines == [Outline("https://news.example.cn/rss.xml", "示例新闻"),
                        Outline("https://lists.example.cn/my/feeds/relative.xml", "相对地址"),
                        Outline("https://atom.example.cn/blog/feed.atom", "原子新闻")]
    assert len(problems) == 2
    assert "ftp://files.example.cn/feed.xml" in problems[0] and "not an http(s) address" in problems[0]
    assert "javascript:alert(1)" in problems[1]


def test_opml_from_a_file_leaves_relative_addresses_out_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outlines = parse_opml((FEEDS / "opml.opml").read_bytes(), source="tests/feeds/opml.opml")
    assert [outline.url for outline in outlines] == ["https://news.example.cn/rss.xml",
                                                     "https://atom.example.cn/blog/feed.atom"]
    messages = [str(warning.message) for warning in caught if issubclass(warning.category, FeedWarning)]
    assert len(messages) == 3 and "relative address" in messages[0]
    assert all("\n" not in message for message in messages)


def test_opml_in_gbk_and_deeply_nested():
    opml = '<?xml version="1.0" encoding="GBK"?><opml version="1.0"><body>' + '<outline text="层">' * 5000 + \
        '<outline text="海关" xmlUrl="https://gbk.example.cn/rss"/>' + "</outline>" * 5000 + "</body></opml>"
    assert parse_opml(opml.encode("gbk"), source="deep.opml") == [Outline("https://gbk.example.cn/rss", "海关")]


@pytest.mark.parametrize("data, why", [
    (b"", "it is empty"),
    (b'<?xml version="1.0"?><opml><body><outline xmlUrl="https://a.cn/"></body></opml>', "not well-formed OPML (line 1"),
    (b'<rss version="2.0"><channel/></rss>', "its first element is <rss>"),
    (b"not xml at all", "not well-formed OPML"),
    (billion_laughs(b'<opml><body><outline text="&lol9;" xmlUrl="https://a.cn/"/></body></opml>'), "refused"),
    (XXE.replace(b"<rss", b"<opml").replace(b"</rss>", b"</opml>"), "refused"),
])
def test_bad_opml_is_one_input_error_line(data, why):
    with pytest.raises(InputError) as excinfo:
        parse_opml(data, source="list.opml")
    message = one_line_error(excinfo)
    assert message.startswith("list.opml ") and why in message and "root:" not in message


def test_importing_the_package_loads_no_feed_library():
    code = "import sys, translate.sources.feed, translate.sources.opening; " \
           "print(sorted(m for m in ('feedparser', 'defusedxml', 'lxml') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).parent.parent)
    assert done.stdout.strip() == "[]"


def test_a_break_early_in_a_long_feed_still_yields_every_item_after_it():
    data = big_feed(600).replace(b"<title>\xe6\xb5\xb7\xe5\x85\xb3\xe6\x96\xb0\xe9\x97\xbb 9</title>",
                                  b"<title>\xe6\xb5\xb7\xe5\x85\xb3\xe6\x96\xb0\xe9\x97\xbb 9</tilte>", 1)
    stream = CountingStream(data)
    parsed = parse_feed(stream, source="long.xml")
    items = list(parsed.items)
    assert len(items) == 600 and items[-1].title == "海关新闻 599" and items[8].title == "海关新闻 8"
    assert [item.position for item in items] == list(range(600))
    assert stream.read_bytes == len(data)
    assert parsed.problems == ["long.xml is not well-formed XML (line 12: mismatched tag); the 9 items before it "
                               "were read, and 591 items after it were read leniently"]


# --- bad addresses, encodings, sizes, ids, nesting, prefixes (a hostile tester's finds)


def rss(items: str, channel: str = "<title>t</title><link>http://e.cn/</link>", declaration: str = "") -> bytes:
    return (declaration + f'<rss version="2.0"><channel>{channel}{items}</channel></rss>').encode()


def test_a_url_python_cannot_split_is_dropped_not_a_crash():
    data = rss('<item><title>今天</title><link>http://[x</link><guid>u1</guid>'
               '<enclosure url="http://[y" type="audio/mpeg" length="1"/></item>'
               '<item><title>b</title><link>http://e.cn/b</link></item>', "<title>t</title><link>http://[::1</link>")
    parsed = parse_feed(data, source="bad.xml")
    first, second = list(parsed.items)
    assert parsed.info.link == "" and parsed.info.title == "t"
    assert (first.title, first.link, first.enclosures, first.id) == ("今天", "", (), "u1")
    assert second.link == "http://e.cn/b"
    atom = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://[::1/"><title>t</title>' \
           '<entry><id>e</id><title>今天</title><link href="a.html"/><link rel="enclosure" href="b.mp3"/>' \
           '<content type="html">&lt;a href="c"&gt;x&lt;/a&gt;</content></entry></feed>'
    entry, = parse_feed(atom.encode(), source="base.xml").items
    assert entry.title == "今天" and entry.enclosures == ()
    assert [item.title for item in parse_feed(data, source="http://[x/feed").items] == ["今天", "b"]


def test_an_opml_outline_python_cannot_split_is_left_out_and_named():
    opml = b'<opml><body><outline text="bad" xmlUrl="http://[::1"/><outline xmlUrl="https://a.cn/rss"/></body></opml>'
    problems: list[str] = []
    assert parse_opml(opml, source="https://lists.cn/l.opml", problems=problems) == [Outline("https://a.cn/rss", "")]
    assert problems == ["https://lists.cn/l.opml: the feed 'bad' at 'http://[::1' was left out: not a valid address"]
    assert parse_opml(opml, source="http://[x/l.opml", problems=[]) == [Outline("https://a.cn/rss", "")]


@pytest.mark.parametrize("declared, why", [
    ("utf-16", "no byte order mark"), ("UTF-32", "no byte order mark"), ("utf-16-le", "no byte order mark"),
    ("rot13", "not a text encoding"), ("base64", "not a text encoding"), ("zlib", "not a text encoding"),
    ("idna", "not a text encoding"), ("unicode_escape", "not a text encoding"), ("undefined", "not a text encoding"),
    ("x-no-such", "does not know"), ("ascii", "the bytes are not ascii")])
def test_a_declared_encoding_that_is_no_charset_is_ignored_and_said(declared, why):
    data = rss("<item><title>今天天气很好</title></item>", declaration=f'<?xml version="1.0" encoding="{declared}"?>')
    parsed = parse_feed(data, source="enc.xml")
    assert [item.title for item in parsed.items] == ["今天天气很好"] and parsed.info.title == "t"
    assert len(parsed.problems) == 1 and f"declares the encoding '{declared}', which was ignored" in parsed.problems[0]
    assert why in parsed.problems[0] and parsed.problems[0].endswith("it was read as utf-8")
    assert "\n" not in parsed.problems[0]


@pytest.mark.parametrize("charset", ["rot13", "base64", "utf-16", "idna", "undefined"])
def test_a_bad_http_charset_is_no_crash(charset):
    parsed = parse_feed(rss("<item><title>海关</title></item>"), source="h.xml", http_charset=charset)
    assert [item.title for item in parsed.items] == ["海关"]


def test_a_codec_failing_midway_falls_back_to_utf8(monkeypatch):
    # a codec that fails otherwise than on a byte, were it ever chosen
    monkeypatch.setattr(feed_parse, "_choose_encoding", lambda head, charset: ("undefined", None))
    parsed = parse_feed(rss("<item><title>海关</title></item>"), source="i.xml")
    assert [item.title for item in parsed.items] == ["海关"]
    assert len(parsed.problems) == 1 and "cannot be read as undefined" in parsed.problems[0]


def test_a_real_utf16_declaration_still_reads():
    text = '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><item><title>海关</title></item>' \
           '</channel></rss>'
    for data in (text.encode("utf-16"), text.encode("utf-16-le"), text.encode("utf-16-be")):
        parsed = parse_feed(data, source="u.xml")
        assert [item.title for item in parsed.items] == ["海关"] and parsed.problems == []


def test_an_item_over_the_size_cap_is_left_out_and_the_rest_read():
    big = "今天天气很好。" * (2 * feed_parse.MAX_ITEM_BYTES // 21 + 1)
    data = rss(f"<item><title>a</title></item><item><title>b</title></item><item><title>{big}</title></item>"
               "<item><title>d</title></item>")
    for stream in (data, io.BytesIO(data)):
        parsed = parse_feed(stream, source="big.xml")
        items = list(parsed.items)
        assert [(item.title, item.position) for item in items] == [("a", 0), ("b", 1), ("d", 2)]
        assert parsed.problems == ["big.xml: item 3 is 2 MB, more than the 1 MB an item may be; left out"]
    empty_tag = rss(f'<item a="{"x" * (feed_parse.MAX_ITEM_BYTES + 10)}"/><item><title>b</title></item>')
    parsed = parse_feed(empty_tag, source="attr.xml")
    assert [item.title for item in parsed.items] == ["b"] and "item 1 is 1 MB, more than" in parsed.problems[0]


def test_an_item_over_the_size_cap_after_a_break_is_left_out_too():
    big = "a" * (feed_parse.MAX_ITEM_BYTES + 100)
    data = rss(f"<item><title>a &amp b</title></item><item><title>{big}</title></item><item><title>c</title></item>")
    parsed = parse_feed(data, source="broken.xml")
    assert [item.title for item in parsed.items] == ["a & b", "c"]
    assert parsed.problems[0] == "broken.xml: item 2 is 1 MB, more than the 1 MB an item may be; left out"


def test_a_header_over_the_size_cap_is_not_handed_to_feedparser():
    data = rss("<item><title>a</title><link>n/1</link></item>",
               f"<title>t</title><description>{'x' * (feed_parse.MAX_ITEM_BYTES + 1)}</description>")
    parsed = parse_feed(data, source="https://e.cn/feed")
    assert parsed.info.title == "" and parsed.info.kind == "rss"
    assert [item.link for item in parsed.items] == ["https://e.cn/n/1"]
    assert parsed.problems == ["https://e.cn/feed: the channel's header is 1 MB, more than the 1 MB it may be; its "
                               "title and description were not read"]


def test_an_item_or_header_nested_past_the_cap_is_left_out():
    deep = "<a>" * 100_000 + "x" + "</a>" * 100_000  # 700 KB, under the size cap
    data = rss(f"<item><title>a</title></item><item><title>b</title><description>{deep}</description></item>"
               "<item><title>c</title></item>")
    parsed = parse_feed(data, source="deep.xml")
    assert [item.title for item in parsed.items] == ["a", "c"]
    assert parsed.problems == ["deep.xml: item 2 is nested deeper than 200 elements; left out",
                               "deep.xml is nested deeper than 200 elements (line 1); the 1 item before it was read, "
                               "and 1 item after it was read leniently"]
    head = rss("<item><title>a</title></item>", f"<title>t</title><x>{deep}</x>")
    parsed = parse_feed(head, source="head.xml")
    assert [item.title for item in parsed.items] == ["a"]
    assert "the channel's header is nested deeper than 200 elements" in parsed.problems[0]


def test_a_feed_wrapped_deeper_than_the_cap_is_not_silent():
    data = ("<rss version='2.0'>" + "<channel>" * 20_000 + "<item><title>x</title></item>" + "</channel>" * 20_000 +
            "</rss>").encode()
    parsed = parse_feed(data, source="outer.xml")
    assert [item.title for item in parsed.items] == ["x"]  # read leniently, past the depth expat stopped at
    assert parsed.problems[0] == "outer.xml: the channel's header is nested deeper than 200 elements; its title and " \
                                 "description were not read"
    assert any("nested deeper than 200 elements" in problem for problem in parsed.problems)
    assert all("\n" not in problem for problem in parsed.problems)


def test_a_single_20_mb_title_stays_in_bounded_memory(tmp_path):
    path = tmp_path / "title.xml"
    path.write_bytes(rss(f"<item><title>{'今天天气很好。' * (20 * 1024 * 1024 // 21)}</title></item>"
                         "<item><title>next</title></item>"))
    script = textwrap.dedent(f"""
        import resource
        from translate.sources.feed import parse_feed
        list(parse_feed(b'<rss version="2.0"><channel><item><title>w</title></item></channel></rss>',
                        source="warm").items)  # imports and caches warm
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with open({str(path)!r}, "rb") as stream:
            parsed = parse_feed(stream, source="title.xml")
            titles = [item.title for item in parsed.items]
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(titles, (after - before) * 1024, parsed.problems)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("['next'] ") and "item 1 is 20 MB, more than the 1 MB an item may be" in done.stdout
    growth = int(done.stdout.split()[1])
    assert growth < 100 << 20, f"peak memory grew {growth >> 20} MB for a 20 MB title"


def test_items_without_an_id_or_with_the_same_one_get_distinct_stable_ids():
    data = rss("<item></item><item/><item><title></title></item>"
               "<item><description>我们去公园。</description></item><item><description>我们去公园。</description></item>"
               "<item><description>x</description><pubDate>Sat, 05 Dec 2026 06:00:00 GMT</pubDate></item>"
               "<item><description>x</description><pubDate>Sun, 06 Dec 2026 06:00:00 GMT</pubDate></item>"
               '<item><enclosure url="http://e.cn/a.mp3"/></item><item><enclosure url="http://e.cn/b.mp3"/></item>'
               "<item><guid>same</guid><title>今天</title></item><item><guid>same</guid><title>明天</title></item>"
               "<item><guid>same#2</guid></item><item><guid>same</guid></item>")
    ids = [item.id for item in parse_feed(data, source="ids.xml").items]
    assert len(ids) == 13 and len(set(ids)) == 13
    assert ids[:3] == [ids[0], ids[0] + "#2", ids[0] + "#3"] and ids[0].startswith("sha1:")
    assert ids[4] == ids[3] + "#2" and ids[5] != ids[6] and ids[7] != ids[8]
    assert ids[9:] == ["same", "same#2", "same#2#2", "same#3"]
    assert [item.id for item in parse_feed(io.BytesIO(data), source="ids.xml", chunk_items=1).items] == ids


def test_text_before_a_feed_or_an_unterminated_doctype_still_routes_it_as_a_feed():
    body = b'<rss version="2.0"><channel><item><title>x</title></item></channel></rss>'
    php = b"<br />\n<b>Warning</b>:  Cannot modify header information in <b>/var/www/feed.php</b><br />\n"
    for head in (b"Warning: blah\n" + b'<?xml version="1.0"?>' + body, php + body, b"Notice: x\n" + body):
        assert looks_like_feed(head) == "feed" and kind_of("feed", head) == "feed"
        parsed = parse_feed(head, source="php.xml")
        assert [item.title for item in parsed.items] == ["x"]
        assert len(parsed.problems) == 1 and "it was skipped" in parsed.problems[0]
    assert looks_like_feed(b"x" * 2000 + body) is None                      # not short: not passed over
    assert looks_like_feed(b"<html><body><p>an article</p>" + body) is None  # a page about feeds
    assert looks_like_feed(b"Warning\n<?xml version='1.0'?><html/>") is None
    unterminated = b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "&#160;">\n' + body
    assert looks_like_feed(unterminated) == "feed"
    assert looks_like_feed(b'<!DOCTYPE rss PUBLIC "-//x//EN"\n' + body) == "feed"
    assert looks_like_feed(b'<!DOCTYPE rss [<!ENTITY lol1 "&lol;&lol;">]\n' + body) == "feed"
    with pytest.raises(InputError, match="entity 'lol1'"):
        list(parse_feed(b'<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;">]\n' + body,
                        source="x.xml").items)


def test_an_undeclared_gb18030_feed_is_read_as_chinese_not_windows_1252():
    """No declaration, no charset, not UTF-8: the project's encoding detection, before windows-1252."""
    body = "".join(f"<item><title>今天天气很好{k}</title><guid>g{k}</guid><description>我们去公园散步。</description></item>"
                   for k in range(5))
    data = f"<rss version=\"2.0\"><channel><title>新闻</title>{body}</channel></rss>".encode("gb18030")
    parsed = parse_feed(data, source="gb.xml")
    titles = [item.title for item in parsed.items]
    assert titles == [f"今天天气很好{k}" for k in range(5)]
