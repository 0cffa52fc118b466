"""Hostile encodings across surfaces: a server's charset against a page's lying ``<meta>``, plain text
served with a charset, and bytes that fit no declaration. The order is BOM, then the HTTP header,
then ``<meta>``, each checked against the bytes; a disagreement is one warning line, never mojibake.

(Plain-text files: ``tests/test_reading.py`` and ``tests/bad_inputs/``; corpus BOMs:
``tests/test_hostile_corpus.py``; pages read from disk: ``tests/test_hostile_html.py``.)"""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from tests.cli_helpers import run_cli
from tests.misbehaving_server import MisbehavingServer, response

ARTICLE = "三猫看山。五狗看海。二鸟有树。"
ENGLISH = "three cat see mountain. five dog see sea. two bird have tree."


def page(meta: str) -> str:
    paragraphs = "".join(f"<p>{ARTICLE * 4}</p>" for _ in range(5))
    return (f'<!doctype html><html><head>{meta}<title>三猫</title></head><body><article><h1>三猫看山</h1>'
            f"{paragraphs}</article></body></html>")


@pytest.fixture()
def serve(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE")  # fetching needs the network (here: loopback only)
    with ExitStack() as stack:
        yield lambda body, content_type: stack.enter_context(
            MisbehavingServer(lambda c: c.send(response(body=body, content_type=content_type))))


def translate(url, toy_model, capsys, *args):
    return run_cli([url, "-m", str(toy_model), "--no-cache", *args], capsys)


@pytest.mark.parametrize("encoding, meta, header", [
    ("gbk", '<meta charset="big5">', "text/html; charset=gbk"),          # the page lies, the server is right
    ("gbk", '<meta charset="gbk">', "text/html; charset=big5"),          # the server lies, the page is right
    ("big5", '<meta charset="gbk">', "text/html"),                      # the page lies, no header: detected
    ("utf-8", '<meta charset="gbk">', "text/html; charset=big5"),        # both lie: valid UTF-8 wins
])
def test_a_lying_declaration_never_makes_mojibake(serve, toy_model, capsys, encoding, meta, header):
    text = page(meta)
    if encoding == "big5":
        text = text.replace("猫", "貓").replace("鸟", "鳥").replace("树", "樹")  # characters Big5 has
    server = serve(text.encode(encoding), header)
    code, out, err = translate(f"{server.url}/a.html", toy_model, capsys, "-f", "jsonl")
    assert code == 0, err
    assert "看山" in out and "\ufffd" not in out  # the source as decoded, in the JSONL records
    if meta.split('"')[1] not in header or encoding == "utf-8":
        assert len([line for line in err.splitlines() if "warning:" in line]) == 1, err  # said, in one line


def test_agreeing_declarations_say_nothing(serve, toy_model, capsys):
    server = serve(page('<meta charset="gbk">').encode("gbk"), "text/html; charset=gbk")
    code, out, err = translate(f"{server.url}/a.html", toy_model, capsys, "-q")
    assert code == 0 and ENGLISH.split(".")[0] in out and err == ""


@pytest.mark.parametrize("encoding, header", [
    ("gbk", "text/plain; charset=gbk"),       # as the server says
    ("utf-8", "text/plain; charset=gbk"),     # valid UTF-8 whatever the header says
    ("gbk", "text/plain; charset=utf-8"),     # the header is wrong about the bytes: sniffed
    ("gb18030", "text/plain"),                # no charset: sniffed
])
def test_plain_text_over_http_uses_the_header_only_when_the_bytes_fit(serve, toy_model, capsys, encoding, header):
    server = serve((ARTICLE + "\n").encode(encoding), header)
    code, out, err = translate(f"{server.url}/a.txt", toy_model, capsys, "-q")
    assert (code, out) == (0, ENGLISH + "\n"), err
