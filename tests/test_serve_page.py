"""The page at ``/`` of ``translate serve``: its files, headers and Content-Security-Policy over
HTTP, then the page itself in a real headless Chromium (Playwright with the system's browser, as
``test_output_page.py``) against the real server on 127.0.0.1 with the toy zh→en model.

``/v1/translate`` and ``/v1/summarize`` answers are mocked (``page.route``) where a test needs a
given answer (an error, hostile digests) or the request the page sent; ``test_real_*`` use the real
endpoints.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from html.parser import HTMLParser

import httpx
import pytest

from tests.browser import launched
from tests.serving import serving
from translate.document import TranslatedParagraph, TranslatedSentence
from translate.output.page import PageDigest, render_page

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def reading_page(digests: int = 0) -> str:
    """A reading page as ``translate -f html`` writes it (the toy model's 中国 → car)."""
    sentences = (TranslatedSentence(0, "中国。", "car.", 0, 3), TranslatedSentence(1, "美国。", "bus.", 3, 6))
    paragraph = TranslatedParagraph(0, "body", "中国。美国。", "car. bus.", sentences, 1)
    marks = tuple(PageDigest(f"d{i}", f"label {i}", (("中国。", "car.", 0, 0),)) for i in range(digests))
    info = {"source_language": "zh", "target_language": "en", "translated_at": "now"}
    return "".join(render_page([paragraph], info, "lines", {"title": "中国"}, marks))


DIGESTS = {"header": {"tool": "summarize", "source_language": "zh"}, "digests": [
    {"name": "headline", "text": "car.", "note": None, "sentences": [{"source": "中国。", "translation": "car."}]},
    {"name": f"short {HOSTILE}", "text": f"car. {HOSTILE}", "note": HOSTILE,
     "sentences": [{"source": f"中国。{HOSTILE}", "translation": "car."}, {"source": 7}, None]},
]}


# ---------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server():
    """The toy model's server; its model gets ready (converted, loaded: seconds) in the background
    while the mocked tests run, for the tests that translate for real (``warm``)."""
    with serving() as s:
        s.warming = threading.Thread(target=s.service.translator.translate, args=("中国",), daemon=True)
        s.warming.start()
        yield s
        s.warming.join()


@pytest.fixture
def warm(server):
    server.warming.join()
    return server


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    """Keys required, URLs allowed, a small body limit."""
    keys = tmp_path_factory.mktemp("keys") / "keys.txt"
    keys.write_text("page-test-key\n", encoding="utf-8")
    with serving(api_keys=str(keys), allow_urls=(), body_limit=4096) as s:
        yield s


# ---------------------------------------------------------------------------------------------
# Over HTTP
# ---------------------------------------------------------------------------------------------

def test_files_types_and_caching(server):
    with httpx.Client(base_url=server.url) as http:
        page = http.get("/")
        assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["cache-control"] == "no-cache" and page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert http.get("/", headers={"If-None-Match": page.headers["etag"]}).status_code == 304
        assert http.get("/", headers={"If-None-Match": 'W/"nope", ' + page.headers["etag"]}).status_code == 304
        assert http.get("/", headers={"If-None-Match": 'W/, ,"", garbage "' + '"' * 500}).status_code == 200
        head = http.head("/")
        assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == page.headers["etag"]
        assert '<script src="/page/app.js?v=' in page.text and "<style" not in page.text
        assert re.search(r"<script(?![^>]*\bsrc=)|\son[a-z]+\s*=|\sstyle\s*=", page.text) is None
        for name, kind in (("app.js", "text/javascript; charset=utf-8"), ("app.css", "text/css; charset=utf-8")):
            version = re.search(rf"/page/{re.escape(name)}\?v=(\w+)", page.text).group(1)
            pinned = http.get(f"/page/{name}?v={version}")
            assert pinned.status_code == 200 and pinned.headers["content-type"] == kind
            assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert pinned.headers["etag"] == f'"{version}"' and pinned.headers["x-content-type-options"] == "nosniff"
            for loose in (f"/page/{name}", f"/page/{name}?v=old", f"/page/{name}?v={version}&v=x"):
                assert http.get(loose).headers["cache-control"] == "no-cache", loose
            assert http.get(f"/page/{name}", headers={"If-None-Match": f'"{version}"'}).status_code == 304


def test_config_follows_the_options(server, keyed):
    config = httpx.get(server.url + "/page/config")
    assert config.headers["cache-control"] == "no-store"
    assert config.json() == {"urls": False, "keyRequired": False, "charLimit": 5000, "bodyLimit": 2 << 20}
    assert httpx.get(keyed.url + "/page/config").json() == {"urls": True, "keyRequired": True, "charLimit": 5000,
                                                            "bodyLimit": 4096}


@pytest.mark.parametrize("path", ["/page/index.html", "/page/..%2fapi%2fweb.py", "/page/%2e%2e/app.py",
                                  "/page/APP.JS", "/page/app.js%00", "/page/app.js.map", "/page/" + "a" * 5000,
                                  "/page/__init__.py", "/page/%ff%fe", "/page/config/x"])
def test_hostile_paths_are_a_plain_404(server, path):
    answer = httpx.get(server.url + path)
    assert answer.status_code == 404 and answer.json() == {"error": "Not Found"}


def test_wrong_methods_answer_in_the_error_shape(server):
    for method, path in (("POST", "/"), ("DELETE", "/page/app.js"), ("POST", "/page/config")):
        answer = httpx.request(method, server.url + path, content=b"\xff" * 1000)
        assert answer.status_code == 405 and set(answer.json()) == {"error"}, (method, path)
        assert "/work" not in answer.text and "Traceback" not in answer.text


class Inline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.code: dict[str, set[str]] = {"script": set(), "style": set(), "handler": set(), "style=": set()}
        self.open: str | None = None

    def handle_starttag(self, tag, attrs):
        self.code["handler"].update(v for k, v in attrs if k.startswith("on"))
        self.code["style="].update(v for k, v in attrs if k == "style")
        self.open = tag if tag in ("script", "style") else None

    def handle_data(self, data):
        if self.open:
            self.code[self.open].add(data)

    def handle_endtag(self, tag):
        self.open = None


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("digests", [0, 1, 4])
def test_csp_allows_the_reading_pages_inline_code_and_nothing_else(server, digests):
    """The reading page sits in a srcdoc iframe, which inherits the page's policy: its inline style,
    script and handler are allowed by hash — never 'unsafe-inline', never another origin."""
    csp = httpx.get(server.url + "/").headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    found = Inline()
    found.feed(reading_page(digests))
    assert found.code["script"] and found.code["style"]
    for text in found.code["script"] | found.code["handler"]:
        assert sha(text) in directives["script-src"]
    for text in found.code["style"] | found.code["style="]:
        assert sha(text) in directives["style-src"]
    assert directives["default-src"] == ["'none'"] and directives["connect-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"] and directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"] and directives["form-action"] == ["'none'"]
    assert not re.search(r"'unsafe-inline'|'unsafe-eval'|https?:|\*|blob:", csp)
    assert {w for w in directives["script-src"] + directives["style-src"] if not w.startswith("'sha256-")} == \
        {"'self'", "'unsafe-hashes'"}


# ---------------------------------------------------------------------------------------------
# In Chromium
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    yield from launched()


def expect(locator):
    """Playwright's ``expect`` (it waits without evaluating strings: the page's CSP forbids eval)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


WATCH_CSP = """document.addEventListener('securitypolicyviolation', function (e) {
  (window.__violations = window.__violations || []).push(e.effectiveDirective + ' ' + e.blockedURI);
});"""


class Opened:
    """The page at / of ``running`` in a fresh context: every console error, page error, dialog,
    CSP violation and request recorded; anything not for the server is aborted and recorded."""

    def __init__(self, browser, running, width: int, mocks: dict | None = None) -> None:
        self.url = running.url
        self.context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US")
        self.context.set_default_timeout(10_000)
        self.console, self.errors, self.dialogs, self.requests, self.leaks = [], [], [], [], []
        self.sent: dict[str, list[tuple[dict, dict]]] = {}
        self.answers: dict[str, tuple] = {}
        self.context.route(re.compile(rf"^(?!{re.escape(self.url)}/)"), self._leak)
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.add_init_script(WATCH_CSP)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        for path, (status, body) in (mocks or {}).items():
            self.mock(path, status, body)
        self.page.goto(self.url + "/")
        self.page.wait_for_selector("#target > option, #status:not(:empty)", state="attached")

    def _leak(self, route) -> None:
        self.leaks.append(route.request.url)
        route.abort()

    def mock(self, path: str, status: int | str | None, body) -> None:
        """Answer ``path`` with ``body`` (JSON unless bytes/str; status None: the network fails,
        "never": no answer); mocking it again changes the answer."""
        first = path not in self.answers
        self.answers[path] = (status, body)

        def answer(route):
            request = route.request
            self.sent.setdefault(path, []).append((json.loads(request.post_data or "null"), request.headers))
            status, body = self.answers[path]
            if status == "never":
                return                            # a server that never answers (until the context closes)
            if status is None:
                route.abort("connectionreset")
            elif isinstance(body, (str, bytes)):
                route.fulfill(status=status, body=body, content_type="text/html; charset=utf-8")
            else:
                route.fulfill(status=status, body=json.dumps(body), content_type="application/json")
        if first:
            self.page.route(self.url + path, answer)

    def box(self, selector: str) -> dict:
        box = self.page.locator(selector).first.bounding_box()
        assert box is not None, f"{selector} is not rendered"
        return box

    def status(self) -> str:
        return self.page.locator("#status").text_content()

    def wait_done(self) -> None:
        """Until the request in flight is answered (the form is busy from the submit on)."""
        self.page.wait_for_selector("#form:not([aria-busy])", state="attached")

    def clean(self) -> None:
        violations = [v for f in self.page.frames for v in (f.evaluate("window.__violations || []") or [])]
        assert self.console == [] and self.errors == [] and self.dialogs == [] and violations == []
        assert self.leaks == []
        assert all(u.startswith((self.url + "/", "about:", "data:", "blob:")) for u in self.requests)

    def tab_order(self, stop: str = "go", most: int = 15) -> list[str]:
        self.page.evaluate("document.activeElement && document.activeElement.blur()")
        order = []
        for _ in range(most):
            self.page.keyboard.press("Tab")
            order.append(self.page.evaluate("document.activeElement.id"))
            if order[-1] == stop:
                break
        return order

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def opened(browser):
    pages = []

    def open_(running, width=1280, mocks=None):
        pages.append(Opened(browser, running, width, mocks))
        return pages[-1]

    yield open_
    for p in pages:
        p.close()


def test_page_loads_clean_local_and_keyboard_ready(opened, server):
    o = opened(server)
    assert o.status() == ""
    assert "en" in o.page.eval_on_selector_all("#target option", "os => os.map(o => o.value)")
    assert o.page.input_value("#target") == "en"
    assert o.page.locator("#url-field").is_hidden() and o.page.locator("#key-field").is_hidden()
    assert o.tab_order() == ["text", "file", "format", "target", "go"]
    assert o.page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # visible focus
    for field in ("text", "file", "format", "target"):
        assert o.page.locator(f"label[for={field}]").is_visible()
    live = o.page.locator("#status")
    assert live.get_attribute("role") == "status" and live.get_attribute("aria-live") == "polite"
    o.page.keyboard.press("Enter")                    # on the button: nothing to translate yet, said so
    assert o.status() == "Paste some text or choose a file first."
    o.clean()


def test_round_trip_mocked(opened, server):
    o = opened(server, mocks={"/v1/translate": ("never", None), "/v1/summarize": ("never", None)})
    o.page.fill("#text", "中国。美国。")
    o.page.focus("#text")
    o.page.keyboard.press("Control+Enter")
    expect(o.page.locator("#status")).to_have_text("Translating\u2026")   # said while the server is slow
    assert o.page.get_attribute("#form", "aria-busy") == "true"
    o.mock("/v1/translate", 200, reading_page())
    o.mock("/v1/summarize", 200, DIGESTS)
    o.page.keyboard.press("Control+Enter")                          # asking again drops the slow request
    o.wait_done()
    assert o.status() == "Translated, with digests."
    (page_body, page_headers), = o.sent["/v1/translate"][1:]
    (digest_body, _), = o.sent["/v1/summarize"][1:]
    assert page_body == {"format": "html", "to": "en", "text": "中国。美国。", "input_format": "text"}
    assert digest_body == {"lengths": ["headline", "short"], "format": "json", "to": "en", "text": "中国。美国。",
                           "input_format": "text"}
    assert "authorization" not in page_headers and page_headers["content-type"] == "application/json"
    frame = o.page.frame_locator("#frame")
    assert frame.locator(".tgt .s").first.text_content() == "car."
    frame.locator('.src .s[data-s="p0-s1"]').hover()             # the reading page's own script runs
    assert o.page.evaluate("document.getElementById('frame').contentDocument") is None  # not same origin
    assert "hl" in frame.locator('.tgt .s[data-s="p0-s1"]').get_attribute("class").split()
    assert o.page.locator("#frame").get_attribute("sandbox") == "allow-scripts"
    # digests above the page, as text: the hostile names stay text
    assert o.box("#digests")["y"] < o.box("#result")["y"]
    texts = o.page.locator("#digests .dtext").all_text_contents()
    assert texts == ["car.", f"car. {HOSTILE}"]
    assert o.page.locator("#digests img, #digests script").count() == 0
    assert o.page.locator("#digests h3").nth(1).text_content() == f"short {HOSTILE}"
    with o.page.expect_download() as saved:
        o.page.click("#save")
    assert saved.value.suggested_filename == "translation.html"
    o.clean()


ERRORS = [
    ((400, {"error": "Invalid request: missing\n   target parameter"}), "Invalid request: missing target parameter"),
    ((429, {"error": "Too many requests\r\nlimit: 10 per 1 minute"}), "Too many requests limit: 10 per 1 minute"),
    ((502, "<html><h1>Bad Gateway</h1>\n</html>"), "The server answered 502 Bad Gateway."),
    ((403, {"message": "Wrong key", "error": ["not", "a", "string"]}), "Wrong key"),
    ((500, {"error": "x" * 5000}), "x" * 299 + "\u2026"),
    ((None, None), "Could not reach the server."),
]


def test_api_error_shows_as_one_line(opened, server):
    o = opened(server, mocks={"/v1/translate": (200, reading_page()), "/v1/summarize": (200, DIGESTS)})
    o.page.fill("#text", "中国")
    o.page.click("#go")
    o.wait_done()
    assert o.page.locator("#result").is_visible()
    line = o.page.evaluate("parseFloat(getComputedStyle(document.getElementById('status')).lineHeight)")
    for answer, shown in ERRORS:
        o.mock("/v1/translate", *answer)
        o.mock("/v1/summarize", *answer)
        o.page.focus("#target")
        o.page.keyboard.press("Enter")               # Enter on the language submits too
        o.wait_done()
        assert o.status() == shown
        assert "error" in o.page.get_attribute("#status", "class").split()
        if len(shown) < 100:
            assert o.box("#status")["height"] < 1.5 * line, shown
        assert o.page.locator("#result").is_hidden() and o.page.locator("#digests").is_hidden()
    o.console = [m for m in o.console if "Failed to load resource" not in m]  # the browser's note on the 4xx/5xx
    o.clean()


def test_phone_width_has_no_horizontal_scroll(opened, server):
    long = "中" * 3000 + " " + "x" * 400
    o = opened(server, width=360, mocks={"/v1/translate": (200, reading_page(2)),
                                         "/v1/summarize": (200, {"digests": [{"name": "y" * 300, "text": long}]})})
    width = "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    assert o.page.evaluate(width) <= 360
    o.page.fill("#text", long)
    o.page.click("#go")
    o.wait_done()
    assert o.page.locator("#result").is_visible() and o.page.evaluate(width) <= 360
    assert o.box("#frame")["width"] <= 360 and o.box("#go")["x"] + o.box("#go")["width"] <= 360
    o.clean()


def test_keys_and_urls_when_the_server_wants_them(opened, keyed):
    o = opened(keyed, mocks={"/v1/translate": (200, reading_page()), "/v1/summarize": (403, {"error": "Invalid API key"})})
    assert o.page.locator("#url-field").is_visible() and o.page.locator("#key-field").is_visible()
    assert o.tab_order() == ["url", "text", "file", "format", "target", "key", "go"]
    o.page.fill("#key", "page-test-key")
    o.page.fill("#url", "javascript:alert(1)")
    o.page.focus("#url")
    o.page.keyboard.press("Enter")
    assert o.status() == "The web address must start with http:// or https://." and not o.sent
    o.page.fill("#text", "中国")
    o.page.fill("#url", "https://example.com/news/1")
    o.page.focus("#url")
    o.page.keyboard.press("Enter")                   # Enter in the URL field submits
    o.wait_done()
    (body, headers), = o.sent["/v1/translate"]
    assert body == {"format": "html", "to": "en", "url": "https://example.com/news/1", "api_key": "page-test-key"}
    assert headers["authorization"] == "Bearer page-test-key"
    assert o.sent["/v1/summarize"][0][0]["api_key"] == "page-test-key"
    assert o.status() == "Translated."
    assert o.page.locator("#digests").text_content().strip().endswith("No digests: Invalid API key")
    o.page.fill("#key", "clé")
    o.page.click("#go")
    assert o.status() == "An API key holds only printable ASCII characters, without spaces."
    o.console = [m for m in o.console if "Failed to load resource" not in m]
    o.clean()


def test_files_chosen_or_dropped(opened, keyed):
    o = opened(keyed, mocks={"/v1/translate": (200, reading_page()), "/v1/summarize": (200, DIGESTS)})
    o.page.set_input_files("#file", files=[{"name": "note.md", "mimeType": "text/markdown",
                                            "buffer": "# 标题\n\n中国。".encode()}])
    expect(o.page.locator("#text")).not_to_have_value("")
    assert o.page.input_value("#text") == "# 标题\n\n中国。" and o.page.input_value("#format") == "markdown"
    assert o.status() == "Read note.md: 9 characters."

    def drop(name: str, content: str, kind: str = "text/html") -> None:
        data = o.page.evaluate_handle("([n, c, t]) => { const d = new DataTransfer(); "
                                      "d.items.add(new File([c], n, {type: t})); return d; }", [name, content, kind])
        o.page.dispatch_event("#text", "drop", {"dataTransfer": data})

    drop("page.HTM", "<p>中国</p>")
    expect(o.page.locator("#format")).to_have_value("html")
    assert o.page.input_value("#text") == "<p>中国</p>"
    o.page.fill("#key", "page-test-key")
    o.page.click("#go")
    o.wait_done()
    assert o.sent["/v1/translate"][0][0]["input_format"] == "html"
    for name, content, said in (
            ("tool.exe", "MZ", "Choose a .txt, .html or .md file; tool.exe is none of them."),
            ("noext", "x", "Choose a .txt, .html or .md file; noext is none of them."),
            ("bin.txt", "a\u0000b", "bin.txt is not a text file."),
            ("big.txt", "x" * 5000, "big.txt is too large: 5,000 bytes; this server takes up to 4,096."),
            (f"{HOSTILE}\n.md.exe", "x", f"Choose a .txt, .html or .md file; {HOSTILE} .md.exe is none of them.")):
        drop(name, content)
        expect(o.page.locator("#status")).to_have_text(said)
    assert o.page.input_value("#text") == "<p>中国</p>"         # refused files change nothing
    o.page.fill("#url", "")
    o.page.fill("#text", "中" * 2000)                            # over the body limit once encoded
    count = len(o.sent["/v1/translate"])
    o.page.click("#go")
    assert o.status() == "The text is too large for this server (at most 4,096 bytes a request)."
    assert len(o.sent["/v1/translate"]) == count and o.page.locator("#count.over").count() == 0
    o.clean()


def test_hostile_language_lists(opened, server):
    o = opened(server, mocks={"/languages": (200, {"not": "a list"})})
    assert o.status() == "The server did not list its languages." and o.page.locator("#target option").count() == 0
    o.page.fill("#text", "中国")
    o.page.click("#go")
    assert o.status() == "No language to translate into: the server did not list any."
    o.clean()
    weird = [{"code": HOSTILE, "name": HOSTILE, "targets": [HOSTILE, 5, None, {"a": 1}, "en"]}, None, 7,
             {"code": "en", "name": "English", "targets": "en"}]
    o = opened(server, mocks={"/languages": (200, weird)})
    options = o.page.eval_on_selector_all("#target option", "os => os.map(o => [o.value, o.textContent])")
    assert options == [[HOSTILE, f"{HOSTILE} ({HOSTILE})"], ["en", "English (en)"]]
    assert o.page.input_value("#target") == "en" and o.page.locator("img").count() == 0
    o.clean()


# ---------------------------------------------------------------------------------------------
# With the real endpoints
# ---------------------------------------------------------------------------------------------

def test_real_languages_fill_the_target_list(opened, server):
    o = opened(server)
    assert "en" in o.page.eval_on_selector_all("#target option", "os => os.map(o => o.value)")
    o.clean()


def test_real_round_trip(opened, warm):
    server = warm
    o = opened(server)
    o.page.fill("#text", "中国。")
    o.page.focus("#text")
    o.page.keyboard.press("Control+Enter")
    o.wait_done()
    assert o.status() == "Translated, with digests.", o.status()
    assert "car" in o.page.frame_locator("#frame").locator(".tgt").last.text_content()
    assert "car" in o.page.locator("#digests .dtext").first.text_content()
    o.console = [m for m in o.console if "Failed to load resource" not in m]
    o.clean()
