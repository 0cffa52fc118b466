"""Reading the input (translate/sources/): what an input is, web pages and Markdown through the whole
pipeline with the toy model (exact output in every format), and fetching a URL from a local server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.cli_helpers import run_cli
from tests.conftest import ROOT
from translate.sources import kind_of, read_document

PAGE = ROOT / "tests" / "toy" / "toy-article.html"
MARKDOWN = ROOT / "tests" / "toy" / "toy-article.md"
PAGE_TEXT = """three cat see mountain

three cat see mountain. five dog see sea. two bird have tree.

big sea have fish. small cat see book. red flower have water. nine bird see big mountain.

five dog

four dog have book. six cat see red car. seven fish have big sea.

- three cat.

- four dog.

big sea have fish.

eight bird see small tree. ten cat have red flower. one dog see water.
"""


@pytest.mark.parametrize("name, head, media, kind", [
    ("a.html", b"", None, "html"), ("a.HTM", b"", None, "html"), ("news.md", b"", None, "markdown"),
    ("a.txt", b"<!DOCTYPE html><html>", None, "html"), ("-", b"  <html><body>x", None, "html"),
    ("a.txt", b"\xe4\xb8\x89 <b>x</b>", None, "text"), ("https://x.org/a?b=c", b"", "text/html", "html"),
    ("https://x.org/a.md", b"", "text/plain", "markdown"), ("https://x.org/a", b"", "text/markdown", "markdown"),
])
def test_what_an_input_is(name, head, media, kind):
    assert kind_of(name, head, media) == kind


def cli(args, capsys, toy_model):
    code, out, err = run_cli([*args, "-m", str(toy_model), "-q", "--no-cache"], capsys)
    assert code == 0, err
    return out


def test_web_page_article_only_exact_text(toy_model, capsys):
    assert cli([str(PAGE)], capsys, toy_model) == PAGE_TEXT  # no nav, sidebar, comments, footer or script


def test_web_page_as_markdown_keeps_its_structure(toy_model, capsys):
    out = cli([str(PAGE), "-f", "markdown"], capsys, toy_model)
    assert out.startswith("# three cat see mountain\n\n") and "\n## five dog\n" in out
    assert "\n- three cat.\n- four dog.\n" in out and "\n> big sea have fish.\n" in out


def test_web_page_jsonl_carries_kinds_and_metadata(toy_model, capsys):
    header, *records = map(json.loads, cli([str(PAGE), "-f", "jsonl"], capsys, toy_model).splitlines())
    assert header["layout"] == "html"
    assert header["metadata"] == {"title": "三猫看山", "author": "五狗", "sitename": "example.org",
                                  "url": "https://example.org/toy/1.html"}
    kinds = {r["paragraph"]: r["kind"] for r in records}
    assert [kinds[i] for i in sorted(kinds)] == ["title", "body", "body", "heading", "body", "list_item",
                                                  "list_item", "quote", "body"]


def test_web_page_reading_page(toy_model, capsys):
    page = cli([str(PAGE), "-f", "html"], capsys, toy_model)
    assert page.startswith("<!DOCTYPE html>") and "three cat see mountain" in page
    assert "https://example.org/toy/1.html" in page and "document.write" not in page


def test_whole_page_keeps_every_visible_block(toy_model, capsys):
    out = cli([str(PAGE), "--whole-page"], capsys, toy_model)
    assert out.count("\n") > PAGE_TEXT.count("\n")  # nav, sidebar, comments and footer too


def test_input_format_text_reads_a_page_as_text(toy_model, capsys):
    out = cli([str(PAGE), "--input-format", "text"], capsys, toy_model)
    assert "three cat see mountain" in out and out != PAGE_TEXT


def test_markdown_in_markdown_out(toy_model, capsys):
    out = cli([str(MARKDOWN), "-f", "markdown"], capsys, toy_model)
    assert out.startswith("---\ntitle: 三猫看山\n---\n\n# three cat see mountain\n")
    assert "](https://example.org/toy/1.html)." in out  # the link target untouched
    assert "\n- three cat.\n- four dog.\n  1. five bird.\n" in out
    assert "\n| three cat | four dog |\n| --- | ---: |\n| five bird | six fish |\n" in out
    assert "```text\n三猫不翻译\n```" in out  # code passes through


def test_digest_reading_page_of_a_web_page(toy_model, capsys):
    from summarize.cli import main as summarize

    code = summarize([str(PAGE), "-m", str(toy_model), "-f", "html", "-q", "--no-cache", "-l", "headline"])
    page = capsys.readouterr().out
    assert code == 0 and "headline" in page
    assert "eight bird see small tree." in page  # the whole article is translated beside the digest
    doc = read_document(PAGE)
    assert doc.metadata["title"] == "三猫看山" and doc.paragraphs[0].kind == "title"


class Site(BaseHTTPRequestHandler):
    """Serves the toy page at /article, a 404 elsewhere; remembers the requests."""

    requests: list[tuple[str, str]] = []

    def do_GET(self):  # noqa: N802 - the http.server API
        Site.requests.append((self.path, self.headers.get("User-Agent", "")))
        if self.path != "/article":
            self.send_error(404, "Not Found")
            return
        body = PAGE.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def site():
    Site.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_is_fetched_with_our_user_agent(site, toy_model, capsys, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE")  # fetching needs the network (here: loopback only)
    assert cli([f"{site}/article"], capsys, toy_model) == PAGE_TEXT
    [(path, agent)] = Site.requests
    assert path == "/article" and agent.startswith("newsdigest-translate/")


def test_url_errors_are_one_line(site, toy_model, capsys, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE")
    code, out, err = run_cli([f"{site}/missing", "-m", str(toy_model), "-q"], capsys)
    assert code == 1 and out == "" and "404" in err and len(err.strip().splitlines()) == 1


def test_url_offline_is_refused_without_a_request(site, toy_model, capsys):
    code, out, err = run_cli([f"{site}/article", "-m", str(toy_model), "-q"], capsys)  # HF_HUB_OFFLINE=1
    assert code == 1 and "offline" in err and len(err.strip().splitlines()) == 1
    assert Site.requests == []


CORPUS_PAGES = sorted(p for p in (ROOT / "tests" / "pages").glob("*.html") if "no-article" not in p.name)


@pytest.mark.parametrize("page", CORPUS_PAGES, ids=lambda p: p.stem)
def test_every_corpus_page_becomes_a_reading_page_and_a_digest_page(page, toy_model, tmp_path, capsys):
    from summarize.cli import main as summarize

    translated, digest = tmp_path / "page.en.html", tmp_path / "digest.html"
    assert run_cli([str(page), "-m", str(toy_model), "-f", "html", "-o", str(translated), "-q", "--no-cache",
                    "--no-consistent-names"], capsys)[0] == 0
    assert summarize([str(page), "-m", str(toy_model), "-f", "html", "-o", str(digest), "-q", "--no-cache"]) == 0
    assert translated.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert digest.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
