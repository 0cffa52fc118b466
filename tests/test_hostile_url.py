"""Fetching a URL from a hostile server (translate/sources/url.py): a raw socket server on 127.0.0.1
(tests/misbehaving_server.py) trickles, lies about lengths, cuts bodies, breaks HTTP, compresses,
bombs, redirects in loops or to file://, hangs or hangs up. Every case ends with the page or with one
``InputError`` line naming the URL and the cause: never a traceback, never a hang. Time limits are
monkeypatched small, so each test waits on the limit it exercises, not on a sleep."""

from __future__ import annotations

import gzip
import zlib
from contextlib import ExitStack

import pytest

from tests.cli_helpers import run_cli
from tests.misbehaving_server import Connection, MisbehavingServer, response
from tests.test_sources import PAGE, PAGE_TEXT
from translate.errors import InputError
from translate.sources import url as fetching

PAGE_BYTES = PAGE.read_bytes()
TRICKLE_S = 0.02  # one byte per TRICKLE_S: the whole page takes far longer than the deadlines below


@pytest.fixture()
def serve():
    """Start a :class:`MisbehavingServer` running a script; every server is stopped after the test."""
    with ExitStack() as stack:
        yield lambda script, **options: stack.enter_context(MisbehavingServer(script, **options))


def sends(data: bytes):
    return lambda connection: connection.send(data)


def fetch(url: str) -> fetching.Fetched:
    return fetching.fetch(url, offline=False)


def refused(url: str) -> str:
    """The one-line message of the InputError that fetching ``url`` raises."""
    with pytest.raises(InputError) as info:
        fetch(url)
    message = str(info.value)
    assert len(message.splitlines()) == 1 and message.startswith(f"cannot fetch {url}: "), message
    return message[len(f"cannot fetch {url}: "):]


# --- time: a total deadline, not only a timeout per read


def test_a_trickled_body_meets_the_total_deadline(serve, monkeypatch):
    monkeypatch.setattr(fetching, "DEADLINE_S", 0.5)
    server = serve(lambda c: (c.send(response(length=len(PAGE_BYTES))), c.trickle(PAGE_BYTES, TRICKLE_S)))
    assert refused(f"{server.url}/page") == "no complete answer within 0.5 s"


def test_trickled_headers_meet_the_total_deadline(serve, monkeypatch):
    monkeypatch.setattr(fetching, "DEADLINE_S", 0.5)
    server = serve(lambda c: c.trickle(response(body=PAGE_BYTES), TRICKLE_S))
    assert refused(f"{server.url}/page") == "no complete answer within 0.5 s"


@pytest.mark.parametrize("limit, cause", [("TIMEOUT_S", "no answer for 0.3 s"),
                                          ("DEADLINE_S", "no complete answer within 0.3 s")])
def test_a_server_that_never_answers_meets_a_time_limit(serve, monkeypatch, limit, cause):
    monkeypatch.setattr(fetching, limit, 0.3)
    server = serve(Connection.hold)
    assert refused(f"{server.url}/page") == cause


def test_the_deadline_defaults_to_a_minute():
    assert fetching.DEADLINE_S == 60 and fetching.TIMEOUT_S < fetching.DEADLINE_S


# --- lengths: lies, cuts, huge claims


def test_a_body_shorter_than_its_content_length_is_cut_off(serve):
    server = serve(sends(response(body=PAGE_BYTES[:100], length=5000)))
    assert refused(f"{server.url}/page") == "the page was cut off: the server sent 100 of 5000 bytes"


def test_a_cut_chunked_body_is_one_line(serve):
    chunked = response(headers=[("Transfer-Encoding", "chunked")], length=None) + b"400\r\n" + PAGE_BYTES[:10]
    server = serve(sends(chunked))
    assert refused(f"{server.url}/page") == "the page was cut off: the server closed the connection before its end"


def test_a_huge_content_length_is_refused_before_reading(serve, monkeypatch):
    monkeypatch.setattr(fetching, "TIMEOUT_S", 5.0)  # the server then says nothing: reading would wait
    server = serve(lambda c: (c.send(response(length=10 << 30)), c.hold()))
    assert refused(f"{server.url}/page") == "larger than 20 MB, not an article page"


def test_an_endless_body_is_refused_at_the_size_limit(serve, monkeypatch):
    monkeypatch.setattr(fetching, "MAX_BYTES", 1 << 20)
    server = serve(sends(response(body=b"<p>x</p>" * (200 << 10), length=None)))
    assert refused(f"{server.url}/page") == "larger than 1 MB, not an article page"


# --- compression


@pytest.mark.parametrize("encoding, body", [
    ("gzip", gzip.compress(PAGE_BYTES)), ("x-gzip", gzip.compress(PAGE_BYTES)),
    ("deflate", zlib.compress(PAGE_BYTES)),  # deflate as the RFC says (zlib)...
    ("deflate", zlib.compress(PAGE_BYTES, wbits=-15)),  # ...and as some servers send it (raw)
    ("gzip", gzip.compress(PAGE_BYTES[:500]) + gzip.compress(PAGE_BYTES[500:])),  # two gzip members
], ids=["gzip", "x-gzip", "deflate-zlib", "deflate-raw", "gzip-members"])
def test_compressed_pages_are_decoded(serve, encoding, body):
    server = serve(sends(response(headers=[("Content-Encoding", encoding)], body=body)))
    fetched = fetch(f"{server.url}/page")
    assert fetched.data == PAGE_BYTES and fetched.media_type == "text/html"
    assert "gzip" in server.requests[0].headers["accept-encoding"]


def test_a_gzip_bomb_is_refused_at_the_size_limit(serve, monkeypatch):
    monkeypatch.setattr(fetching, "MAX_BYTES", 1 << 20)
    bomb = gzip.compress(b"\0" * (64 << 20), compresslevel=1)  # 64 MB in about 64 KB
    server = serve(sends(response(headers=[("Content-Encoding", "gzip")], body=bomb)))
    assert refused(f"{server.url}/page") == "larger than 1 MB when decompressed, not an article page"


@pytest.mark.parametrize("body, cause", [
    (b"\x1f\x8b\x08\x00" + b"not gzip at all" * 10, "the gzip-compressed page is corrupt"),
    (gzip.compress(PAGE_BYTES)[:300], "the gzip-compressed page is cut off"),
], ids=["corrupt", "cut"])
def test_a_broken_gzip_body_is_one_line(serve, body, cause):
    server = serve(sends(response(headers=[("Content-Encoding", "gzip")], body=body)))
    assert refused(f"{server.url}/page") == cause


def test_an_encoding_we_did_not_ask_for_is_one_line(serve):
    server = serve(sends(response(headers=[("Content-Encoding", "br")], body=b"\x1b\x00\x00")))
    assert refused(f"{server.url}/page") == "the server sent it br-encoded, which cannot be decoded here"


# --- broken HTTP


@pytest.mark.parametrize("answer, cause", [
    (b"HELLO\r\n\r\n", "the server's answer is not HTTP (it begins 'HELLO')"),
    (b"HTTP/1.1 abc OK\r\n\r\n", "the server's answer is not HTTP (it begins 'HTTP/1.1 abc OK')"),
    (b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(150)) + b"\r\n",
     "the server's answer is not valid HTTP (got more than 100 headers)"),
    (b"HTTP/1.1 200 OK\r\nX-Big: " + b"y" * (70 << 10) + b"\r\n\r\n",
     "the server's answer is not valid HTTP (got more than 65536 bytes when reading header line)"),
    (b"", "the server closed the connection without answering"),
], ids=["no-status-line", "bad-status-code", "150-headers", "70KB-header", "no-answer"])
def test_broken_http_is_one_line(serve, answer, cause):
    server = serve(sends(answer))
    assert refused(f"{server.url}/page") == cause


def test_a_server_that_hangs_up_at_once_is_one_line(serve):
    server = serve(lambda c: None, read_request=False)
    assert refused(f"{server.url}/page").startswith(("the server closed the connection", "Connection reset", "Broken pipe"))


def test_large_headers_under_the_limits_are_fine(serve):
    headers = [(f"X-Filler-{i}", "y" * 600) for i in range(90)] + [("X-Big", "z" * (40 << 10))]  # ~93 KB
    server = serve(sends(response(headers=headers, body=PAGE_BYTES)))
    assert fetch(f"{server.url}/page").data == PAGE_BYTES


def test_tls_to_a_plain_http_server_is_one_line(serve):
    server = serve(lambda c: (c.send(response(status="400 Bad Request")), c.hold()), read_request=False)
    url = server.url.replace("http://", "https://") + "/page"
    assert refused(url).startswith("secure connection failed")


@pytest.mark.parametrize("status", ["500 Internal Server Error", "503", "404 Not Found"])
def test_an_http_error_status_is_one_line(serve, status):
    server = serve(sends(response(status=status, body=b"Traceback...\n" * 1000)))
    assert refused(f"{server.url}/page") == f"the server answered {status}"


@pytest.mark.parametrize("url, cause", [
    ("http://127.0.0.1:99999/page", "not a valid web address (Port out of range"),
    ("http://127.0.0.1:8x/page", "not a valid web address (Port could not be cast"),
    ("http:///page", "not a valid web address (no host)"),
    ("http://[::1/page", "not a valid web address (Invalid IPv6 URL)"),
    ("ftp://127.0.0.1/page", "not an http(s) address"),
    ("file:///etc/passwd", "not an http(s) address"),
])
def test_bad_addresses_are_one_line(url, cause):
    assert refused(url).startswith(cause)


# --- redirects


def redirect_to(location: str, status: str = "301 Moved Permanently"):
    return sends(response(status=status, headers=[("Location", location)], content_type=None))


def test_a_redirect_to_another_host_is_followed(serve):
    other = serve(sends(response(body=PAGE_BYTES)))
    server = serve(redirect_to(f"{other.url}/article"))
    fetched = fetch(f"{server.url}/page")
    assert fetched.data == PAGE_BYTES and fetched.url == f"{other.url}/article"
    assert other.requests[0].headers["user-agent"].startswith("newsdigest-translate/")


def test_a_relative_redirect_is_followed(serve):
    server = serve(lambda c: c.send(response(body=PAGE_BYTES) if c.request.path == "/b"
                                    else response(status="302 Found", headers=[("Location", "/b")])))
    assert fetch(f"{server.url}/a").url == f"{server.url}/b"


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1:{port}/page", "data:text/html,hi"])
def test_a_redirect_off_http_is_refused_without_following_it(serve, target):
    bystander = serve(sends(b"220 FTP ready\r\n"), read_request=False)
    target = target.format(port=bystander.port)
    server = serve(redirect_to(target, "302 Found"))
    assert refused(f"{server.url}/page") == f"it redirects to {target}, which is not an http(s) address"
    assert bystander.connections == 0


def test_a_redirect_loop_is_one_line(serve):
    server = serve(lambda c: c.send(response(status="302 Found", content_type=None,
                                             headers=[("Location", "/b" if c.request.path == "/a" else "/a")])))
    assert refused(f"{server.url}/a") == "it redirects in a loop or more than 10 times"


def test_endless_redirects_are_one_line(serve):
    server = serve(lambda c: c.send(response(status="307 Temporary Redirect", content_type=None,
                                             headers=[("Location", c.request.path + "x")])))
    assert refused(f"{server.url}/a") == "it redirects in a loop or more than 10 times"
    assert len(server.requests) == 11


# --- what was fetched: media type and charset


@pytest.mark.parametrize("content_type, media_type, charset", [
    ("text/html; charset=GBK", "text/html", "gbk"), ("text/html", "text/html", None),
    ("text/plain; charset=utf-8", "text/plain", "utf-8"), ("text/html; charset=bogus", "text/html", None),
    ("application/xhtml+xml", "application/xhtml+xml", None), (None, "text/plain", None),
])
def test_media_type_and_charset_come_from_the_content_type(serve, content_type, media_type, charset):
    server = serve(sends(response(body=PAGE_BYTES, content_type=content_type)))
    fetched = fetch(f"{server.url}/page")
    assert (fetched.media_type, fetched.charset, fetched.data) == (media_type, charset, PAGE_BYTES)


@pytest.mark.parametrize("content_type", ["image/png", "application/pdf", "application/octet-stream", "video/mp4"])
def test_binary_content_is_refused_before_reading_it(serve, monkeypatch, content_type):
    monkeypatch.setattr(fetching, "TIMEOUT_S", 5.0)  # the server sends no body: reading it would wait
    server = serve(lambda c: (c.send(response(content_type=content_type, length=1 << 20)), c.hold()))
    assert refused(f"{server.url}/image") == (f"it is {content_type}, not a web page or text; "
                                              "if it is text, save it and translate the file")


def test_offline_refuses_before_connecting(serve):
    server = serve(sends(response(body=PAGE_BYTES)))
    with pytest.raises(InputError, match="offline mode is on"):
        fetching.fetch(f"{server.url}/page", offline=True)
    assert server.connections == 0


# --- end to end: the CLI prints the translation, or one line and exits 1


@pytest.fixture()
def online(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE")  # fetching needs the network (here: loopback only)


def translate(url: str, toy_model, capsys) -> tuple[int, str, str]:
    return run_cli([url, "-m", str(toy_model), "-q", "--no-cache"], capsys)


def test_cli_translates_a_gzip_page(serve, online, toy_model, capsys):
    server = serve(sends(response(headers=[("Content-Encoding", "gzip")], body=gzip.compress(PAGE_BYTES))))
    assert translate(f"{server.url}/page", toy_model, capsys) == (0, PAGE_TEXT, "")


def test_cli_translates_plain_text_with_a_bogus_charset(serve, online, toy_model, capsys):
    text = "三猫看山。五狗看海。\n\n二鸟有树。\n".encode()
    server = serve(sends(response(body=text, content_type="text/plain; charset=bogus")))
    code, out, err = translate(f"{server.url}/notes.txt", toy_model, capsys)
    assert (code, out) == (0, "three cat see mountain. five dog see sea.\n\ntwo bird have tree.\n"), err


@pytest.mark.parametrize("script, cause", [
    (lambda c: c.trickle(response(body=PAGE_BYTES), TRICKLE_S), "no complete answer within 0.5 s"),
    (sends(b"HELLO\r\n\r\n"), "the server's answer is not HTTP (it begins 'HELLO')"),
    (sends(response(body=PAGE_BYTES[:100], length=5000)), "the page was cut off: the server sent 100 of 5000 bytes"),
    (sends(response(content_type="image/png", body=b"\x89PNG")), "it is image/png, not a web page or text"),
    (redirect_to("file:///etc/passwd"), "it redirects to file:///etc/passwd, which is not an http(s) address"),
    (sends(b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 150 + b"\r\n"), "got more than 100 headers"),
], ids=["trickle", "bad-status-line", "short-body", "png", "redirect-to-file", "150-headers"])
def test_cli_errors_are_one_line_and_exit_1(serve, online, toy_model, capsys, monkeypatch, script, cause):
    monkeypatch.setattr(fetching, "DEADLINE_S", 0.5)
    url = f"{serve(script).url}/page"
    code, out, err = translate(url, toy_model, capsys)
    assert (code, out) == (1, "") and err.startswith(f"translate: error: cannot fetch {url}: ")
    assert len(err.splitlines()) == 1 and cause in err
