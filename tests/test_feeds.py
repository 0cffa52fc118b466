"""Feeds end to end, through both commands, on the toy model: fixtures served from 127.0.0.1 with
ETags, items in = items out, translated feeds that parse back, reruns that send conditional
requests and translate only what is new, OPML lists with a failing feed, bad input's lines."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from summarize.cli import main as summarize_main
from translate.cli import main as translate_main
from translate.feeds.fetching import PoliteFetcher
from translate.feeds.state import StateStore
from translate.feeds.translated import translate_feed
from translate.options import LoadOptions

from .feedserver import FeedServer, Route

FEEDS = Path(__file__).parent / "feeds"
TOY = str(Path(__file__).parent / "toy" / "toy-zh-en")


def rss(items: list[tuple[str, str, str]], title: str = "示例新闻") -> bytes:
    """An RSS 2.0 feed of (guid, title, text) items."""
    body = "".join(f"<item><guid>{guid}</guid><title>{t}</title><link>https://news.example.cn/{guid}.html</link>"
                   f"<description>{text}</description><pubDate>Sat, 05 Dec 2026 06:00:00 GMT</pubDate></item>"
                   for guid, t, text in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://news.example.cn/</link><description>新闻</description>{body}</channel></rss>").encode()


ITEMS = [(f"n{k}", f"海关新闻{k}", f"海关今天发布了第{k}号公告。天气很好。") for k in range(5)]


def cli(main, args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def online(monkeypatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # fetching needs the network (here: loopback only)


@pytest.fixture
def state(tmp_path: Path) -> str:
    return str(tmp_path / "state.sqlite")


@pytest.mark.parametrize("fixture", ["rss2.xml", "rss1.rdf", "atom.xml", "rss091.xml", "gbk.xml"])
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_items_in_are_items_out_and_the_translation_parses_back(fixture, fmt, state, tmp_path, capsys):
    source = feedparser.parse((FEEDS / fixture).read_bytes())
    out = tmp_path / f"out.{fmt}"
    code, _, err = cli(translate_main, [str(FEEDS / fixture), "-m", TOY, "--state", state, "-f", fmt, "-o", str(out)],
                       capsys)
    assert code == 0, err
    back = feedparser.parse(out.read_bytes())
    assert not back.bozo, back.get("bozo_exception")
    assert len(back.entries) == len(source.entries) > 0
    def links(entries: list) -> list[str | None]:  # feedparser takes a non-URL id for the link of an Atom entry
        return [e.get("link") if (e.get("link") or "").startswith("http") else None for e in entries]

    assert links(back.entries) == links(source.entries)
    assert (back.feed.get("language") or "").startswith("en")


def test_jsonl_has_one_record_per_item_with_its_sentences(state, capsys):
    code, out, _ = cli(translate_main, [str(FEEDS / "rss2.xml"), "-m", TOY, "--state", state, "-f", "jsonl"], capsys)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert records[0]["type"] == "header"
    items = [r for r in records if r["type"] == "item"]
    assert len(items) == len(feedparser.parse((FEEDS / "rss2.xml").read_bytes()).entries)
    assert all(p["sentences"] for r in items for p in r["paragraphs"])


def test_a_rerun_sends_conditional_requests_and_translates_only_new_items(state, capsys):
    with FeedServer({"/news.rss": Route(rss(ITEMS[:4]), etag='"v1"')}) as server:
        url = server.url("/news.rss")
        code, out, err = cli(translate_main, [url, "-m", TOY, "--state", state, "--delay", "0", "-f", "rss"], capsys)
        assert code == 0, err
        assert "4 translated now" in err
        first = feedparser.parse(out.encode())
        code, out, err = cli(translate_main, [url, "-m", TOY, "--state", state, "--delay", "0", "-f", "rss"], capsys)
        assert code == 0, err
        assert server.requests[-1].headers.get("if-none-match") == '"v1"'
        assert "0 translated now" in err and "not modified" in err
        assert [e.title for e in feedparser.parse(out.encode()).entries] == [e.title for e in first.entries]
        server.set("/news.rss", Route(rss(ITEMS[:5]), etag='"v2"'))
        code, out, err = cli(translate_main, [url, "-m", TOY, "--state", state, "--delay", "0", "-f", "rss"], capsys)
        assert code == 0, err
        assert "1 translated now" in err and "5 items" in err
        assert len(feedparser.parse(out.encode()).entries) == 5


def test_the_library_call_reports_what_it_did(state, tmp_path):
    out = tmp_path / "out.xml"
    with StateStore(state) as store:
        done = translate_feed(str(FEEDS / "rss2.xml"), str(out), format="rss", load=LoadOptions(model=TOY),
                              state=store, fetcher=PoliteFetcher(delay_s=0))
        again = translate_feed(str(FEEDS / "rss2.xml"), str(out), format="rss", load=LoadOptions(model=TOY),
                               state=store, fetcher=PoliteFetcher(delay_s=0))
    assert done.items == again.items > 0
    assert done.new == done.items and again.new == 0


def test_titles_only_and_bilingual_titles(state, capsys):
    code, out, _ = cli(translate_main, [str(FEEDS / "rss2.xml"), "-m", TOY, "--state", state, "-f", "rss",
                                        "--titles-only", "--bilingual-titles"], capsys)
    assert code == 0
    source = feedparser.parse((FEEDS / "rss2.xml").read_bytes())
    back = feedparser.parse(out.encode())
    for before, after in zip(source.entries, back.entries):
        if before.get("title"):
            assert " · " in after.title


def test_an_opml_list_with_a_failing_feed_names_it_and_exits_1(state, tmp_path, capsys):
    with FeedServer({"/a.rss": Route(rss(ITEMS[:2], "甲")), "/b.rss": Route(rss(ITEMS[2:4], "乙")),
                     "/page.html": Route(b"<html><body><p>not a feed</p></body></html>",
                                         content_type="text/html")}) as server:
        opml = tmp_path / "list.opml"
        outlines = "".join(f'<outline type="rss" text="{p}" xmlUrl="{server.url(p)}"/>'
                           for p in ("/a.rss", "/missing.rss", "/b.rss", "/page.html"))
        opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>{outlines}'
                        "</body></opml>", encoding="utf-8")
        code, out, err = cli(translate_main, [str(opml), "-m", TOY, "--state", state, "--delay", "0", "-f", "jsonl"],
                             capsys)
    assert code == 1
    assert "missing.rss" in err and "404" in err
    assert "page.html" in err
    assert "2 of 4 feeds failed" in err
    assert sum(json.loads(line)["type"] == "item" for line in out.splitlines()) == 4
    assert "Traceback" not in err


def test_since_leaves_older_items_out_and_says_so(state, capsys):
    code, out, err = cli(translate_main, [str(FEEDS / "rss2.xml"), "-m", TOY, "--state", state, "-f", "jsonl",
                                          "--since", "2030-01-01"], capsys)
    assert code == 0
    assert "before the start date" in err
    assert all(json.loads(line)["type"] == "header" for line in out.splitlines())


def test_a_bad_since_date_is_a_usage_error(state, capsys):
    code, _, err = cli(translate_main, [str(FEEDS / "rss2.xml"), "-m", TOY, "--since", "yesterday"], capsys)
    assert code == 2 and "--since" in err and "Traceback" not in err


def test_feed_options_on_an_article_are_a_usage_error(tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text("海关。", encoding="utf-8")
    code, _, err = cli(translate_main, [str(article), "-m", TOY, "--titles-only"], capsys)
    assert code == 2 and "--titles-only" in err
    code, _, err = cli(translate_main, [str(article), "-m", TOY, "-f", "rss"], capsys)
    assert code == 2 and "not an RSS" in err


def test_malformed_feed_warns_and_keeps_what_parsed(state, capsys):
    code, out, err = cli(translate_main, [str(FEEDS / "malformed.xml"), "-m", TOY, "--state", state, "-f", "jsonl"],
                         capsys)
    assert "warning" in err and "malformed.xml" in err
    assert sum(json.loads(line)["type"] == "item" for line in out.splitlines()) >= 1
    assert "Traceback" not in err


def test_a_feed_on_stdin_is_recognised(state, capsys, monkeypatch):
    import io
    import sys

    data = rss(ITEMS[:2])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    code, out, err = cli(translate_main, ["-", "-m", TOY, "--state", state, "-f", "jsonl"], capsys)
    assert code == 0, err
    assert sum(json.loads(line)["type"] == "item" for line in out.splitlines()) == 2


def test_a_page_url_is_fetched_once(capsys):
    page = "<html><body><article><h1>海关</h1><p>海关今天发布了公告。</p><p>天气很好。</p></article></body></html>"
    with FeedServer({"/a.html": Route(page.encode(), content_type="text/html; charset=utf-8")}) as server:
        code, _, err = cli(translate_main, [server.url("/a.html"), "-m", TOY, "--no-cache", "--whole-page"], capsys)
        assert code == 0, err
        assert server.hits("/a.html") == 1


def test_summarize_groups_copies_into_stories_with_their_sources(state, tmp_path, capsys):
    wire = "海关今天发布公告，前十一个月进出口总值增长百分之五，其中出口增长百分之七，进口增长百分之二。"
    other = "气象台预报明天北京有小雪，气温下降八度，请市民注意保暖，出行注意安全。"
    feed_a = rss([("a1", "海关公布进出口数据", wire), ("a2", "北京明天有雪", other)], "甲报")
    feed_b = rss([("b1", "海关公布进出口数据", wire.replace("今天", "今日")), ("b2", "股市收盘", "股市今天收盘上涨，成交量放大。")],
                 "乙报")
    with FeedServer({"/a.rss": Route(feed_a, etag='"a"'), "/b.rss": Route(feed_b, etag='"b"')}) as server:
        opml = tmp_path / "list.opml"
        opml.write_text('<?xml version="1.0"?><opml version="2.0"><body>'
                        f'<outline xmlUrl="{server.url("/a.rss")}"/><outline xmlUrl="{server.url("/b.rss")}"/>'
                        "</body></opml>", encoding="utf-8")
        code, out, err = cli(summarize_main, [str(opml), "-m", TOY, "--state", state, "--delay", "0", "-f", "json"],
                             capsys)
    assert code == 0, err
    briefing = json.loads(out)
    stories = briefing["stories"]
    assert len(stories) == 3
    assert len(stories[0]["sources"]) == 2  # the wire copy, carried by both feeds, comes first
    assert {s["link"].rsplit("/", 1)[1] for s in stories[0]["sources"]} == {"a1.html", "b1.html"}


@pytest.mark.parametrize("fmt", ["html", "markdown", "rss"])
def test_summarize_writes_every_briefing_format(fmt, state, capsys):
    code, out, err = cli(summarize_main, [str(FEEDS / "rss2.xml"), "-m", TOY, "--state", state, "-f", fmt], capsys)
    assert code == 0, err
    assert out.strip()
    if fmt == "rss":
        assert not feedparser.parse(out.encode()).bozo


def test_an_item_with_no_text_and_no_link_is_listed_not_dropped(state, capsys):
    code, out, err = cli(summarize_main, [str(FEEDS / "bare.xml"), "-m", TOY, "--state", state, "-f", "json"],
                         capsys)
    briefing = json.loads(out)
    listed = " ".join(briefing["notes"]) + err
    assert "no text" in listed


def test_a_rerun_writes_the_items_as_the_feed_gives_them_now(state, tmp_path, capsys):
    """An item's translation is reused, but its date, enclosure and author are today's."""
    feed = tmp_path / "m.xml"
    feed.write_bytes((FEEDS / "rss2.xml").read_bytes())
    assert cli(translate_main, [str(feed), "-m", TOY, "--state", state, "-f", "jsonl"], capsys)[0] == 0
    feed.write_bytes(feed.read_bytes().replace(b"customs.mp3", b"customs-v2.mp3")
                     .replace(b"Sat, 05 Dec 2026 06:00:00 GMT", b"Sat, 05 Dec 2026 09:00:00 GMT"))
    code, out, err = cli(translate_main, [str(feed), "-m", TOY, "--state", state, "-f", "jsonl"], capsys)
    assert code == 0 and "0 translated now" in err
    assert "customs-v2.mp3" in out and "customs.mp3" not in out
    assert "2026-12-05T09:00:00Z" in out


def test_the_same_feed_gives_the_same_bytes(state, tmp_path, capsys):
    """No "now" in the output: a server's ETag of it changes only when the feed does."""
    outs = []
    for k in range(2):
        out = tmp_path / f"{k}.xml"
        assert cli(translate_main, [str(FEEDS / "rss2.xml"), "-m", TOY, "--state", state, "-o", str(out)],
                   capsys)[0] == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_an_output_that_is_the_input_or_the_state_is_refused(state, tmp_path, capsys):
    feed = tmp_path / "in.xml"
    feed.write_bytes((FEEDS / "rss2.xml").read_bytes())
    code, _, err = cli(translate_main, [str(feed), "-m", TOY, "--state", state, "-o", str(feed)], capsys)
    assert code == 2 and "is the input feed" in err
    assert feed.read_bytes() == (FEEDS / "rss2.xml").read_bytes()
    code, _, err = cli(summarize_main, [str(feed), "-m", TOY, "--state", state, "-o", state], capsys)
    assert code == 2 and "state store" in err


@pytest.mark.parametrize("args, flag", [(["--delay", "inf"], "--delay"), (["--delay", "1e12"], "--delay"),
                                        (["--since", "0001-01-01T00:00:00+14:00"], "--since"),
                                        (["--since", "x" * 100_000], "--since")])
def test_option_values_out_of_range_are_one_line_usage_errors(args, flag, state, capsys):
    code, _, err = cli(translate_main, [str(FEEDS / "rss2.xml"), "-m", TOY, "--state", state, *args], capsys)
    assert code == 2 and flag in err and "Traceback" not in err
    assert len(err) < 400


def test_a_feed_piped_in_small_pieces_is_still_a_feed(state):
    import os
    import subprocess
    import sys
    import threading

    data = (FEEDS / "rss2.xml").read_bytes()
    read, write = os.pipe()

    def writer() -> None:
        for k in range(0, len(data), 7):  # many short writes: the first read sees 7 bytes
            os.write(write, data[k:k + 7])
        os.close(write)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        proc = subprocess.run([sys.executable, "-m", "translate", "-", "-m", TOY, "--state", state, "-f", "jsonl"],
                              stdin=read, capture_output=True, timeout=600)
    finally:
        thread.join()
        os.close(read)
    assert proc.returncode == 0, proc.stderr
    assert sum(json.loads(line)["type"] == "item" for line in proc.stdout.decode().splitlines()) == 3


def test_an_opml_list_of_no_feeds_is_an_error(state, tmp_path, capsys):
    opml = tmp_path / "empty.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><body><outline text="x"/></body></opml>',
                    encoding="utf-8")
    code, _, err = cli(translate_main, [str(opml), "-m", TOY, "--state", state], capsys)
    assert code == 1 and "no feeds" in err


def test_summarize_feed_passes_the_digest_method_on(state, capsys):
    code, _, err = cli(summarize_main, [str(FEEDS / "rss2.xml"), "-m", TOY, "--state", state, "--method",
                                        "abstractive", "--summary-model", "/nonexistent/model", "-f", "json"], capsys)
    assert code != 0 and "Traceback" not in err


def test_a_changed_date_reorders_the_briefing_on_a_rerun(state, tmp_path, capsys):
    """The stories kept from the last run are keyed by the items' dates too: a new date, a new order."""
    def feed(a_date: str) -> bytes:
        items = "".join(f"<item><guid>{g}</guid><title>{t}</title><description>{d}</description>"
                        f"<pubDate>{when}</pubDate></item>" for g, t, d, when in (
                            ("a", "北京明天有雪", "气象台预报明天北京有小雪。", a_date),
                            ("b", "股市收盘上涨", "今天股市收盘上涨，成交量放大。", "Sat, 05 Dec 2026 07:00:00 GMT")))
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()

    path = tmp_path / "d.xml"
    path.write_bytes(feed("Sat, 05 Dec 2026 06:00:00 GMT"))
    first = json.loads(cli(summarize_main, [str(path), "-m", TOY, "--state", state, "-f", "json"], capsys)[1])
    path.write_bytes(feed("Sat, 05 Dec 2026 08:00:00 GMT"))
    second = json.loads(cli(summarize_main, [str(path), "-m", TOY, "--state", state, "-f", "json"], capsys)[1])
    assert [s["sources"][0]["title"] for s in first["stories"]] == ["股市收盘上涨", "北京明天有雪"]
    assert [s["sources"][0]["title"] for s in second["stories"]] == ["北京明天有雪", "股市收盘上涨"]


def test_an_empty_feed_still_has_its_title_translated(state, capsys):
    code, out, _ = cli(translate_main, [str(FEEDS / "rss2.xml"), "-m", TOY, "--state", state, "--since", "2030-01-01"],
                       capsys)
    full = cli(translate_main, [str(FEEDS / "rss2.xml"), "-m", TOY, "--state", state], capsys)[1]
    assert code == 0
    assert feedparser.parse(out.encode()).feed.title == feedparser.parse(full.encode()).feed.title
