"""The briefing page (``summarize FEED -f html``) in a real headless Chromium (Playwright driving the
system's browser, never a downloaded one), with hostile feed text in every field: nothing runs,
nothing is requested, every headline shows; the lengths switch and the bilingual reading opens
with no script.

Skips when Playwright or Chromium is missing, except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from summarize.briefing_formats import TITLE_LIMIT, Briefing, BriefingStory, one_line, render_briefing
from tests.browser import launched
from tests.test_briefing_formats import briefing, digest, digests, reading, source

PWN = "window.pwned=1;document.title='pwned';alert(1)"
PAYLOADS = (
    f"<script>{PWN}</script>",
    f'<img src=x onerror="{PWN}">',
    f"<svg onload=\"{PWN}\"></svg>",
    f'"><iframe src="javascript:{PWN}"></iframe>',
    '<link rel="stylesheet" href="http://127.0.0.1:9/evil.css"><img src="https://example.com/x.png">',
    '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/">',
    "<style>body{background:url(http://127.0.0.1:9/bg)}</style>",
    f"]]> {PWN} \x00\x1f \ud800",
)


def hostile_briefing() -> Briefing:
    """One story per payload, the payload in every string a feed reaches; plus a clean story."""
    stories = []
    for n, evil in enumerate(PAYLOADS):
        sources = (source(1, feed=f"https://a.example/{n}", feed_title=evil, title=evil, title_translation=evil,
                          link=f"javascript:{PWN}", date=evil, reading_anchor=evil),
                   source(2, feed=evil, feed_title="", title=evil, title_translation=evil,
                          link=f"data:text/html,{evil}", date=""))
        stories.append(BriefingStory(
            f"s{n} {evil}", f"Headline {n} {evil}",
            digests(digest("short", (evil, f"Lead {n} {evil}")), digest("long", (evil, f"Long {n} {evil}")),
                    language=evil, source_language=evil),
            sources, evil, reading(evil, evil)))
    clean = briefing()
    return Briefing(PAYLOADS[0], PAYLOADS[1], PAYLOADS[2], (*stories, *clean.stories),
                    {p: p for p in PAYLOADS}, PAYLOADS)


@pytest.fixture(scope="module")
def browser():
    yield from launched()


@pytest.fixture(scope="module")
def page_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("briefing")
    files = {"hostile": folder / "hostile briefing.html", "clean": folder / "briefing.html"}
    files["hostile"].write_text(render_briefing("html", hostile_briefing()), encoding="utf-8")
    files["clean"].write_text(render_briefing("html", briefing()), encoding="utf-8")
    return files


class Opened:
    """A page in its own context, every request routed (and recorded), dialogs and errors recorded."""

    def __init__(self, browser, path: Path, width: int = 1280, color_scheme: str = "light") -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=color_scheme)
        self.context.set_default_timeout(5000)   # a broken page fails fast, not after 30 s
        self.url = path.as_uri()
        self.routed: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        self.routed.append(url)
        if url.split("#")[0] == self.url:
            route.continue_()
        else:
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def opened(browser, page_files):
    pages: list[Opened] = []

    def open_(name: str = "hostile", **kw) -> Opened:
        pages.append(Opened(browser, page_files[name], **kw))
        return pages[-1]

    yield open_
    for p in pages:
        p.close()


def test_hostile_feed_text_runs_nothing_and_requests_nothing(opened):
    o = opened("hostile")
    page = o.page
    # interact with everything the page offers: tabs, folds, in-page links
    page.locator('label[for="len-1-1"]').click()
    page.locator("#story-1 a.read").first.click()
    page.locator("#story-2 summary").first.click()
    page.eval_on_selector_all('label.tab, summary, a[href^="#"]', "els => els.forEach(e => e.click())")
    assert o.dialogs == [] and o.errors == [] and o.console == []
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("document.title") == one_line(PAYLOADS[0])
    assert page.url.split("#")[0] == o.url                           # still here (no refresh, no navigation)
    assert [u for u in o.requests if u.split("#")[0] != o.url] == []  # the file itself, nothing else
    assert [u for u in o.routed if u.split("#")[0] != o.url] == []
    assert page.locator("script, iframe, img, svg, link[rel=stylesheet], style").count() == 1   # our <style>
    assert page.locator("[onerror], [onload], [onclick]").count() == 0
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        assert href.startswith(("https://", "http://", "#")), href
    assert page.evaluate("getComputedStyle(document.body).backgroundImage") == "none"


def test_every_headline_shows(opened):
    o = opened("hostile")
    b = hostile_briefing()
    for n, story in enumerate(b.stories, 1):
        heading = o.page.locator(f"#story-{n}-h")
        assert heading.is_visible()
        assert heading.inner_text() == one_line(story.title, TITLE_LIMIT)


def test_lengths_switch_and_reading_opens_without_script(opened, browser, page_files):
    o = opened("clean")
    page = o.page
    assert page.locator("script").count() == 0
    first = page.locator("#story-1 .panel").nth(0)
    second = page.locator("#story-1 .panel").nth(1)
    assert first.is_visible() and not second.is_visible()
    page.locator('label[for="len-1-1"]').click()
    assert not first.is_visible() and second.is_visible()
    assert "Freight resumed." in second.inner_text()
    reading = page.locator("#story-1 details.reading")
    assert reading.evaluate("d => d.open") is False
    page.locator('#story-1 a.read').click()                     # "read the whole article, bilingual"
    assert reading.evaluate("d => d.open") is True and page.locator("#read-1").is_visible()
    assert page.url.endswith("#read-1")
    pair = page.locator("#read-1 .pair").first
    src, tgt = pair.locator(".o"), pair.locator(".t")
    assert src.get_attribute("lang") == "zh" and tgt.get_attribute("lang") == "en"
    assert tgt.bounding_box()["x"] > src.bounding_box()["x"] + 100   # side by side on a wide screen
    page.emulate_media(media="print")                           # printed: every length, no tabs or folds
    assert first.is_visible() and second.is_visible()
    assert not page.locator("label.tab").first.is_visible() and not reading.is_visible()
    assert o.errors == [] and o.console == []


@pytest.mark.parametrize("name", ["clean", "hostile"])
def test_dark_mode_and_narrow_screen(opened, name):
    o = opened(name)
    background = "getComputedStyle(document.body).backgroundColor"
    light = o.page.evaluate(background)
    o.page.emulate_media(color_scheme="dark")
    assert o.page.evaluate(background) != light
    o.page.set_viewport_size({"width": 390, "height": 800})
    assert o.page.evaluate("document.documentElement.scrollWidth") <= 390   # no sideways scrolling
