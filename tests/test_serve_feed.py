"""``GET /v1/feed`` on a real server (127.0.0.1, the toy zh→en model) translating fixture feeds that a
FeedServer on 127.0.0.1 serves with ETags: the translated feed in every format, conditional requests on
both sides, one upstream request per subscriber crowd, the URL rules of ``POST /v1/translate``
(refusals included) and errors in the native API's shape."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import feedparser
import httpx
import pytest

from tests.feedserver import FeedServer, Route
from tests.serving import serving
from tests.test_serve_native import clean, refused
from translate.server.api import feed as feed_api

FEEDS = Path(__file__).resolve().parent / "feeds"
RSS = (FEEDS / "rss2.xml").read_bytes()
ATOM = (FEEDS / "atom.xml").read_bytes()
SCRIPTS = (FEEDS / "scripts.xml").read_bytes()
PAGE = "<!DOCTYPE html><html><head><title>不是</title></head><body><p>不是新闻源。</p></body></html>".encode()
MORE = RSS.replace(b"<item>", b"<item><title>\xe6\x96\xb0\xe7\x8b\x97</title><guid isPermaLink=\"false\">new-dog</guid></item><item>", 1)


class FakeClock:
    """The feed cache's clock: a test moves it instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Site:
    feeds: FeedServer
    client: httpx.Client
    clock: FakeClock
    state: Path

    def get(self, path: str, **params: str) -> httpx.Response:
        return self.client.get("/v1/feed", params={"url": self.feeds.url(path), **params})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    state = tmp_path_factory.mktemp("state") / "feed-state.sqlite"
    routes = {"/rss": Route(RSS, etag='"r1"'), "/atom": Route(ATOM, etag='"a1"', content_type="application/atom+xml"),
              "/scripts": Route(SCRIPTS), "/page": Route(PAGE, content_type="text/html; charset=utf-8"),
              "/garbage": Route(b"\x00\xff\xfe junk {\"a\": 1}", content_type="text/plain"),
              "/redirect": Route(b"", status=302, headers=(("Location", "http://127.0.0.2:9/feed"),))}
    with pytest.MonkeyPatch.context() as patch, FeedServer(routes) as feeds:
        patch.setattr(feed_api, "STATE_PATH", str(state))
        patch.setattr(feed_api, "DELAY_S", 0.0)  # no pause between two requests to 127.0.0.1
        with serving(allow_urls=(feeds.url("/"),)) as running, \
                httpx.Client(base_url=running.url, timeout=60) as client:
            clock = FakeClock()
            running.app.state.feeds = feed_api.Feeds(offline=False)
            running.app.state.feeds.clock = clock
            yield Site(feeds, client, clock, state)


def parsed(r: httpx.Response) -> feedparser.FeedParserDict:
    assert r.status_code == 200, r.text[:300]
    out = feedparser.parse(r.content)
    assert not out.bozo, out.get("bozo_exception")
    return out


# -- the translated feed --------------------------------------------------------------------------------
def test_a_feed_comes_back_translated_and_reads_back(site):
    r = site.get("/rss")
    assert r.headers["content-type"] == "application/rss+xml; charset=utf-8"
    out = parsed(r)
    assert len(out.entries) == 3 and out.feed.language == "en"
    assert [e.id for e in out.entries][0] == "customs-2026-12-05"
    assert all(e.title and not any("\u4e00" <= ch <= "\u9fff" for ch in e.title) for e in out.entries)
    assert "海关" not in out.entries[0].summary  # the text is translated too
    assert r.headers["etag"].startswith('"') and r.headers["last-modified"].endswith("GMT")
    assert "max-age=" in r.headers["cache-control"]
    clean(r)


def test_titles_only_and_bilingual_titles(site):
    out = parsed(site.get("/rss", titles_only="1", bilingual_titles="true"))
    first = out.entries[0]
    assert " · " in first.title and "海关" in first.title  # "translation · original"
    assert "海关总署今天公布数据" in first.summary  # the text as the feed gave it


@pytest.mark.parametrize(("fmt", "media_type"), [("atom", "application/atom+xml"), ("rss", "application/rss+xml")])
def test_atom_and_rss_of_an_atom_feed(site, fmt, media_type):
    r = site.get("/atom", format=fmt, titles_only="1")
    assert r.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert len(parsed(r).entries) == 3


def test_jsonl_has_a_header_without_server_paths_and_a_record_per_item(site):
    r = site.get("/rss", format="jsonl")
    assert r.status_code == 200 and r.headers["content-type"] == "application/x-ndjson; charset=utf-8"
    records = [json.loads(line) for line in r.text.splitlines()]
    assert records[0]["type"] == "header" and records[0]["model"] == "toy-zh-en"
    assert [x["type"] for x in records[1:]] == ["item"] * 3
    assert records[1]["paragraphs"][0]["sentences"][0]["translation"]
    clean(r)


def test_the_html_page_runs_nothing_from_the_feed(site):
    r = site.get("/scripts", format="html")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script" not in csp
    body = r.text.lower()
    assert "<script" not in body and "javascript:" not in body and "onerror=" not in body


def test_head_answers_the_headers_only(site):
    etag = site.get("/rss").headers["etag"]
    r = site.client.head("/v1/feed", params={"url": site.feeds.url("/rss")})
    assert r.status_code == 200 and r.headers["etag"] == etag and r.content == b""


# -- conditional requests, the cache, one job per feed ---------------------------------------------------
def test_a_readers_conditional_request_is_answered_304(site):
    first = site.get("/rss", titles_only="1")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"other", W/{etag}'}, {"If-None-Match": "*"},
                    {"If-Modified-Since": modified}):
        r = site.client.get("/v1/feed", params={"url": site.feeds.url("/rss"), "titles_only": "1"}, headers=headers)
        assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag, headers
    for headers in ({"If-None-Match": '"other"'}, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
                    {"If-Modified-Since": "not a date"}):
        r = site.client.get("/v1/feed", params={"url": site.feeds.url("/rss"), "titles_only": "1"}, headers=headers)
        assert r.status_code == 200 and r.content == first.content, headers


def test_polling_costs_one_conditional_request_upstream_per_period(site):
    path = "/polled"
    site.feeds.set(path, RSS, etag='"p1"')
    first = site.get(path)
    assert site.feeds.hits(path) == 1
    assert site.get(path).content == first.content and site.feeds.hits(path) == 1  # fresh: upstream not asked
    site.clock.now += feed_api.CACHE_S
    again = site.get(path)  # stale: asked conditionally, 304 upstream → the same render, the same ETag
    assert [r.headers.get("if-none-match") for r in site.feeds.requests_to(path)] == [None, '"p1"']
    assert again.headers["etag"] == first.headers["etag"] and again.content == first.content
    assert again.headers["last-modified"] == first.headers["last-modified"]
    site.feeds.set(path, MORE, etag='"p2"')  # a new item upstream
    site.clock.now += feed_api.CACHE_S
    changed = site.get(path)
    assert site.feeds.hits(path) == 3 and changed.headers["etag"] != first.headers["etag"]
    entries = parsed(changed).entries
    assert len(entries) == 4 and entries[0].id == "new-dog"


def test_subscribers_arriving_together_cost_one_fetch_and_one_job(site):
    path, release = "/crowd", threading.Event()
    site.feeds.set(path, RSS, etag='"c1"', hang=release)
    with ThreadPoolExecutor(4) as pool:
        answers = [pool.submit(site.get, path, format="atom") for _ in range(4)]
        while site.feeds.hits(path) == 0:  # the first job is fetching (held by the feed server)
            threading.Event().wait(0.01)
        release.set()
        done = [a.result() for a in answers]
    assert {r.status_code for r in done} == {200} and len({r.headers["etag"] for r in done}) == 1
    assert site.feeds.hits(path) == 1


# -- errors, in the native API's shape ------------------------------------------------------------------
@pytest.mark.parametrize(("params", "words"), [
    ({}, "missing url"),
    ({"url": "file:///etc/passwd"}, "http(s)"),
    ({"url": "/etc/passwd"}, "http(s)"),
    ({"url": "http://127.0.0.1/x", "format": "pdf"}, "unknown format"),
    ({"url": "http://127.0.0.1/x", "titles_only": "maybe"}, "true or false"),
    ({"url": "http://127.0.0.1/x", "bogus": "1"}, "unknown parameter"),
    ({"url": "http://127.0.0.1/x", "to": "xx-nowhere"}, "not supported"),
    ({"url": "http://127.0.0.1/x", "from": "zh", "source": "ja"}, "different languages"),
])
def test_bad_requests_are_400(site, params, words):
    refused(site.client.get("/v1/feed", params=params), 400, words)


def test_a_url_given_twice_is_400(site):
    refused(site.client.get("/v1/feed?url=http://127.0.0.1/a&url=http://127.0.0.1/b"), 400, "more than once")


def test_a_feed_that_cannot_be_fetched_is_502(site):
    message = refused(site.get("/missing"), 502, "404")
    assert message.startswith("cannot fetch")


@pytest.mark.parametrize("path", ["/page", "/garbage"])
def test_what_is_not_a_feed_is_422(site, path):
    message = refused(site.get(path), 422, "not an RSS, Atom or OPML feed")
    assert str(site.state) not in message


def test_an_opml_list_is_refused_not_fetched_feed_by_feed(site):
    """One request, one feed: an OPML list of a thousand would hold the server's job slots for an hour."""
    opml = (f'<?xml version="1.0"?><opml version="2.0"><body><outline xmlUrl="{site.feeds.url("/rss")}"/>'
            "</body></opml>").encode()
    site.feeds.set("/list.opml", Route(opml, content_type="text/x-opml"))
    before = site.feeds.hits("/rss")
    refused(site.get("/list.opml"), 422, "OPML list")
    assert site.feeds.hits("/rss") == before


def test_urls_outside_the_listed_prefix_and_redirects_out_of_it_are_refused(site):
    refused(site.client.get("/v1/feed", params={"url": "http://127.0.0.2:9/feed"}), 403, "from there")
    refused(site.get("/redirect"), 403, "from there")
    assert site.feeds.hits("/redirect") == 1


def test_the_route_is_counted_in_the_metrics(site):
    site.get("/rss")
    text = site.client.get("/metrics").text
    assert 'translate_requests_total{endpoint="/v1/feed",status="200"}' in text


# -- servers that do not fetch such URLs -----------------------------------------------------------------
def test_no_allow_urls_refuses_every_feed_and_limits_apply():
    with FeedServer({"/rss": RSS}) as feeds, serving(req_limit=2) as running, \
            httpx.Client(base_url=running.url, timeout=60) as c:
        refused(c.get("/v1/feed", params={"url": feeds.url("/rss")}), 403, "does not fetch URLs")
        refused(c.get("/v1/feed", params={"url": "https://example.com/feed"}), 403, "does not fetch URLs")
        r = c.get("/v1/feed", params={"url": feeds.url("/rss")})
        refused(r, 429, "Slowdown")
        assert int(r.headers["retry-after"]) >= 1
        assert feeds.hits("/rss") == 0


def test_bare_allow_urls_means_public_addresses_only():
    with FeedServer({"/rss": RSS}) as feeds, serving(allow_urls=()) as running, \
            httpx.Client(base_url=running.url, timeout=60) as c:
        refused(c.get("/v1/feed", params={"url": feeds.url("/rss")}), 403, "public addresses only")
        refused(c.get("/v1/feed", params={"url": feeds.url("/rss", host="localhost")}), 403, "public addresses only")
        assert feeds.hits("/rss") == 0


def test_too_many_feed_jobs_at_once_is_503(tmp_path, monkeypatch):
    monkeypatch.setattr(feed_api, "STATE_PATH", str(tmp_path / "state.sqlite"))
    monkeypatch.setattr(feed_api, "SLOTS", 1)
    monkeypatch.setattr(feed_api, "WAITING", 0)
    release = threading.Event()
    with FeedServer({"/slow": Route(RSS, hang=release), "/other": RSS}) as feeds, \
            serving(allow_urls=(feeds.url("/"),)) as running, httpx.Client(base_url=running.url, timeout=60) as c, \
            ThreadPoolExecutor(1) as pool:
        slow = pool.submit(c.get, "/v1/feed", params={"url": feeds.url("/slow"), "titles_only": "1"})
        while feeds.hits("/slow") == 0:  # the one slot is taken: its job is fetching
            threading.Event().wait(0.01)
        r = c.get("/v1/feed", params={"url": feeds.url("/other")})
        refused(r, 503, "busy")
        assert r.headers["retry-after"] == "5"
        release.set()
        assert slow.result().status_code == 200
        assert c.get("/v1/feed", params={"url": feeds.url("/other"), "titles_only": "1"}).status_code == 200
