"""Fetching feeds (translate/sources/url.py's conditional GET, translate/feeds/fetching.py's PoliteFetcher)
from a 127.0.0.1 server (tests/feedserver.py): validators sent back and 304s that cost nothing, feed media
types accepted, one request at a time per host with the delay counted from the end of the last one (a
fake clock: no test waits for it), hosts in parallel, results in order with each failure on its own URL."""

from __future__ import annotations

import threading
from contextlib import ExitStack

import pytest

from tests.feedserver import FeedServer
from translate.errors import InputError
from translate.feeds.fetching import FEED_ACCEPT, USER_AGENT, PoliteFetcher
from translate.sources import url as url_module
from translate.sources.url import Fetched, fetch, permitted

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a</title></item></channel></rss>'
RSS2 = RSS.replace(b"<title>a</title>", b"<title>b</title>")
DATE = "Sat, 05 Dec 2026 06:00:00 GMT"
LATER = "Sat, 05 Dec 2026 07:00:00 GMT"


@pytest.fixture()
def server():
    with FeedServer() as running:
        yield running


class FakeTime:
    """A clock that moves only when slept on (or told to), recording every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.lock = threading.Lock()

    def clock(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def polite(fake: FakeTime, delay_s: float = 1.0) -> PoliteFetcher:
    return PoliteFetcher(delay_s=delay_s, clock=fake.clock, sleep=fake.sleep)


# --- conditional requests


def test_an_etag_comes_back_and_a_304_costs_nothing(server):
    server.set("/feed", RSS, etag='"v1"')
    first = fetch(server.url("/feed"), offline=False)
    assert (first.data, first.etag, first.not_modified) == (RSS, '"v1"', False)
    assert "if-none-match" not in server.requests[-1].headers

    again = fetch(server.url("/feed"), offline=False, etag=first.etag, last_modified=first.last_modified)
    assert server.requests[-1].headers["if-none-match"] == '"v1"'
    assert again == Fetched(b"", "", server.url("/feed"), None, '"v1"', None, not_modified=True)

    server.set("/feed", RSS2, etag='"v2"')
    changed = fetch(server.url("/feed"), offline=False, etag='"v1"')
    assert (changed.data, changed.etag, changed.not_modified) == (RSS2, '"v2"', False)


def test_last_modified_comes_back_as_if_modified_since(server):
    server.set("/feed", RSS, last_modified=DATE)
    first = fetch(server.url("/feed"), offline=False)
    assert (first.etag, first.last_modified) == (None, DATE)
    again = fetch(server.url("/feed"), offline=False, last_modified=first.last_modified)
    assert server.requests[-1].headers["if-modified-since"] == DATE
    assert again.not_modified and again.data == b"" and again.last_modified == DATE

    server.set("/feed", RSS2, last_modified=LATER)
    changed = fetch(server.url("/feed"), offline=False, last_modified=DATE)
    assert (changed.data, changed.last_modified, changed.not_modified) == (RSS2, LATER, False)


def test_a_304_gives_its_own_validators_when_it_sends_them(server):
    server.set("/feed", RSS, etag='W/"v1"', last_modified=DATE)
    got = fetch(server.url("/feed"), offline=False, etag='"v1"', last_modified="Thu, 01 Jan 2026 00:00:00 GMT")
    assert got.not_modified and (got.etag, got.last_modified) == ('W/"v1"', DATE)


def test_a_304_after_a_redirect_names_the_final_url(server):
    server.set("/old", b"", status=301, headers=(("Location", "/feed"),))
    server.set("/feed", RSS, etag='"v1"')
    got = fetch(server.url("/old"), offline=False, etag='"v1"')
    assert got.not_modified and got.url == server.url("/feed")
    assert server.requests[-1].headers["if-none-match"] == '"v1"'


def test_a_304_nobody_asked_for_is_an_error(server):
    server.set("/feed", b"", status=304)
    with pytest.raises(InputError, match=r"^cannot fetch .*/feed: the server answered 304 Not Modified$"):
        fetch(server.url("/feed"), offline=False)


def test_hostile_validators_are_neither_kept_nor_sent(server):
    server.set("/feed", RSS, etag='"' + "x" * 5000 + '"', last_modified="\x7f" + DATE)
    got = fetch(server.url("/feed"), offline=False)
    assert (got.data, got.etag, got.last_modified) == (RSS, None, None)
    got = fetch(server.url("/feed"), offline=False, etag='"v1"\r\nX-Injected: 1', last_modified="é" + DATE)
    headers = server.requests[-1].headers
    assert got.data == RSS and "x-injected" not in headers and "if-none-match" not in headers
    assert "if-modified-since" not in headers


# --- what a feed is served as, and how we ask for it


@pytest.mark.parametrize("media_type", ["application/rss+xml", "application/atom+xml", "application/rdf+xml",
                                        "text/x-opml", "application/xml", "text/xml", "application/x-rss+xml"])
def test_feeds_media_types_are_read(server, media_type):
    server.set("/feed", RSS, content_type=f"{media_type}; charset=gbk")
    got = fetch(server.url("/feed"), offline=False)
    assert (got.data, got.media_type, got.charset) == (RSS, media_type, "gbk")


def test_what_is_not_text_is_still_refused(server):
    server.set("/feed", b"\x89PNG", content_type="image/png")
    with pytest.raises(InputError, match="it is image/png, not a web page or text"):
        fetch(server.url("/feed"), offline=False)


def test_accept_asks_for_feeds_and_the_user_agent_names_the_tool(server):
    server.set("/feed", RSS, gzip=True)
    PoliteFetcher(delay_s=0).fetch(server.url("/feed"), accept=FEED_ACCEPT)
    headers = server.requests[-1].headers
    assert headers["accept"] == FEED_ACCEPT and headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("newsdigest-translate/") and "translator" in USER_AGENT
    assert fetch(server.url("/feed"), offline=False).data == RSS  # gzip decoded
    assert server.requests[-1].headers["accept"] == url_module.ACCEPT  # the default unchanged


# --- politeness


def test_the_same_host_waits_the_delay_from_the_end_of_the_last_request(server):
    fake = FakeTime()

    def slow(request: object) -> bytes:  # the request itself takes 5 s of the fake clock
        fake.advance(5.0)
        return RSS

    server.set("/slow", slow)
    server.set("/feed", RSS)
    fetcher = polite(fake, delay_s=2.0)
    fetcher.fetch(server.url("/slow"))
    assert fake.sleeps == []
    fetcher.fetch(server.url("/feed"))
    assert fake.sleeps == [pytest.approx(2.0)]  # measured from the end: the 5 s the request took do not count
    fake.advance(0.5)
    fetcher.fetch(server.url("/feed"))
    assert fake.sleeps[1:] == [pytest.approx(1.5)]
    fake.advance(10)
    fetcher.fetch(server.url("/feed"))
    assert len(fake.sleeps) == 2  # long enough ago: no wait


def test_other_hosts_do_not_wait(server):
    server.set("/feed", RSS)
    fake = FakeTime()
    fetcher = polite(fake)
    fetcher.fetch(server.url("/feed", host="127.0.0.1"))
    fetcher.fetch(server.url("/feed", host="localhost"))
    assert fake.sleeps == []
    fetcher.fetch(server.url("/feed", host="LOCALHOST"))  # host names are case-insensitive
    assert fake.sleeps == [pytest.approx(1.0)]
    fetcher.fetch(server.url("/feed", host="127.0.0.1"))  # its last request ended before that second
    assert fake.sleeps == [pytest.approx(1.0)]


def test_one_request_at_a_time_per_host_and_hosts_in_parallel(server):
    arrived, release = threading.Event(), threading.Event()

    def held(request):
        arrived.set()
        release.wait(10)
        return RSS

    server.set("/held", held)
    server.set("/feed", RSS)
    fetcher = PoliteFetcher(delay_s=0)
    results: dict[str, Fetched] = {}

    def run(name: str, url: str) -> None:
        results[name] = fetcher.fetch(url)

    threads = [threading.Thread(target=run, args=("held", server.url("/held")))]
    threads[0].start()
    try:
        assert arrived.wait(10)
        threads.append(threading.Thread(target=run, args=("same", server.url("/feed?same"))))
        threads[1].start()
        run("other", server.url("/feed?other", host="localhost"))  # another host: served while /held hangs
        assert server.hits("/feed?same") == 0 and "held" not in results
    finally:
        release.set()
        for thread in threads:
            thread.join(10)
    assert set(results) == {"held", "same", "other"}
    assert [r.path for r in server.requests] == ["/held", "/feed?other", "/feed?same"]


def test_offline_refuses_without_waiting(server):
    fake = FakeTime()
    fetcher = PoliteFetcher(offline=True, clock=fake.clock, sleep=fake.sleep)
    for _ in range(2):
        with pytest.raises(InputError, match="offline mode is on"):
            fetcher.fetch(server.url("/feed"))
    assert fake.sleeps == [] and server.requests == []


def test_a_failed_request_still_counts_for_the_delay(server):
    fake = FakeTime()
    fetcher = polite(fake)
    with pytest.raises(InputError, match=r"/missing: the server answered 404"):
        fetcher.fetch(server.url("/missing"))
    server.set("/feed", RSS)
    fetcher.fetch(server.url("/feed"))
    assert fake.sleeps == [pytest.approx(1.0)]


# --- many URLs


def test_fetch_many_keeps_the_order_and_fails_one_url_at_a_time(server):
    for name in "abcd":
        server.set(f"/{name}", name.encode() * 3)
    urls = [server.url("/a"), server.url("/b", host="localhost"), server.url("/missing"), "ftp://x/y",
            server.url("/c", host="localhost"), server.url("/d")]
    got = list(PoliteFetcher(delay_s=0).fetch_many(urls, threads=3))
    assert [url for url, _ in got] == urls
    outcomes = [r.data if isinstance(r, Fetched) else str(r) for _, r in got]
    assert outcomes[:2] == [b"aaa", b"bbb"] and outcomes[4:] == [b"ccc", b"ddd"]
    assert outcomes[2] == f"cannot fetch {urls[2]}: the server answered 404 Not Found"
    assert outcomes[3] == "cannot fetch ftp://x/y: not an http(s) address"


def test_fetch_many_paces_each_host_and_sends_validators(server):
    server.set("/feed", RSS, etag='"v1"')
    server.set("/other", RSS)
    fake = FakeTime()
    asked_in: set[int] = set()

    def validators(url: str) -> tuple[str | None, str | None]:
        asked_in.add(threading.get_ident())
        return ('"v1"', None) if url.endswith("/feed") else (None, None)

    urls = [server.url("/feed"), server.url("/other"), server.url("/other"), server.url("/other", host="localhost")]
    got = dict(enumerate(r for _, r in polite(fake).fetch_many(urls, validators=validators, threads=4)))
    assert asked_in == {threading.get_ident()}  # a state store's connection stays in its thread
    assert isinstance(got[0], Fetched) and got[0].not_modified
    assert all(isinstance(r, Fetched) and r.data == RSS for i, r in got.items() if i)
    assert fake.sleeps == [pytest.approx(1.0)] * 2  # three requests to 127.0.0.1, one to localhost


def test_fetch_many_takes_a_bounded_number_ahead(server):
    server.set("/feed", RSS)
    taken = 0

    def urls():
        nonlocal taken
        for i in range(1000):
            taken += 1
            yield server.url(f"/feed?{i}", host="127.0.0.1" if i % 2 else "localhost")

    results = PoliteFetcher(delay_s=0).fetch_many(urls(), threads=2)
    first = next(results)
    assert isinstance(first[1], Fetched) and taken <= 5
    results.close()  # what was not started never is; the pool is shut down
    assert taken <= 5 and len(server.requests) <= 5


def test_fetch_many_carries_the_permit_to_its_threads(server):
    server.set("/feed", RSS)

    class OnlyLocalhost:
        def check_url(self, url: str) -> str:
            if "//localhost:" not in url:
                raise InputError(f"cannot fetch {url}: not allowed")
            return url

        def check_address(self, address: str) -> None:
            pass

    urls = [server.url("/feed"), server.url("/feed", host="localhost")]
    with permitted(OnlyLocalhost()):
        got = [r for _, r in PoliteFetcher(delay_s=0).fetch_many(urls)]
    assert isinstance(got[0], InputError) and "not allowed" in str(got[0])
    assert isinstance(got[1], Fetched)
    assert [r.headers["host"].split(":")[0] for r in server.requests] == ["localhost"]


def test_a_hanging_host_times_out_and_the_others_go_on(server, monkeypatch):
    monkeypatch.setattr(url_module, "TIMEOUT_S", 0.3)
    with ExitStack() as stack:
        hang = threading.Event()
        stack.callback(hang.set)
        server.set("/hang", RSS, hang=hang)
        server.set("/feed", RSS)
        urls = [server.url("/hang"), server.url("/feed", host="localhost")]
        got = [r for _, r in PoliteFetcher(delay_s=0).fetch_many(urls)]
    assert str(got[0]) == f"cannot fetch {urls[0]}: no answer for 0.3 s"
    assert isinstance(got[1], Fetched) and got[1].data == RSS
