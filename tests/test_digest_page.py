"""The digest page (``summarize -f html``): the digest box shows each sentence as the article below
does (its suspect mark and reason, passthrough, unsure), a shortened sentence says so, the page's
counts are those of ``translate -f html`` on the same input, and it is named and titled as a
digest page. Then what ``describe`` and the JSON say of shortened sentences, hostile texts, and
the box in a real Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from summarize.cli import main as summarize_main
from summarize.digests import Digest, Digests, DigestSentence
from summarize.formats import describe, digest_page, page_digests, render
from summarize.lengths import LengthSpec
from tests.browser import launched
from tests.conftest import SEED
from tests.test_output_page import INFO, ok, para, parse
from translate.cli import main as translate_main
from translate.output.page import SHORTENED, PageDigest, render_page

SCRIPT = "<script>alert(1)</script>"
FOOTER = re.compile(r'<footer class="foot">(\d+) paragraphs · (\d+) sentences · (\d+) suspect · '
                    r'(\d+) shown as is · (\w+) [^<]*</footer>')


def region(html: str, start: str, end: str) -> str:
    return html[html.index(start):html.index(end, html.index(start))]


# ---------------------------------------------------------------------------------------------
# The seed with the toy model: both commands on the same input
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pages(toy_model, tmp_path_factory) -> dict[str, str]:
    """``translate -f html`` and ``summarize -f html`` (translated, and in the source language) of the seed."""
    folder = tmp_path_factory.mktemp("digest-page")
    out = {name: folder / f"{name}.html" for name in ("translate", "summarize", "source")}
    assert translate_main([str(SEED), "-m", str(toy_model), "-f", "html", "-o", str(out["translate"]), "-q"]) == 0
    assert summarize_main([str(SEED), "-m", str(toy_model), "-f", "html", "-o", str(out["summarize"]), "-q"]) == 0
    assert summarize_main([str(SEED), "--to", "source", "-f", "html", "-o", str(out["source"]), "-q"]) == 0
    return {name: path.read_text(encoding="utf-8") for name, path in out.items()}


def test_the_counts_and_the_article_are_those_of_translate(pages):
    translated, digest = FOOTER.search(pages["translate"]), FOOTER.search(pages["summarize"])
    assert translated and digest and translated.groups()[:4] == digest.groups()[:4]
    assert int(digest[3]) > 0 and (translated[5], digest[5]) == ("translate", "summarize")
    article = region(pages["translate"], '<article class="article"', "</article>")
    assert article == region(pages["summarize"], '<article class="article"', "</article>")  # the very same


def test_the_box_marks_each_sentence_as_the_article_does(pages):
    spans = parse(pages["summarize"]).spans
    article = {(s["key"], s["side"]): s for s in spans if s["region"] == "article"}
    digest = [s for s in spans if s["region"] == "digest"]
    assert digest
    for s in digest:
        shown = article[s["key"], s["side"]]
        assert (s["classes"], s["title"], s["text"]) == (shown["classes"], shown["title"], shown["text"]), s["key"]
    suspect = {s["key"] for s in digest if "suspect" in s["classes"]}
    assert suspect and all(("suspect" in s["classes"]) == (s["key"] in suspect) for s in digest)
    box = region(pages["summarize"], 'class="digests"', 'class="article"')
    for key in suspect:
        reason = article[key, "tgt"]["title"].removeprefix("suspect: ")
        assert re.search(rf'<span class="note" data-s="{key}"><span class="flag" aria-hidden="true">⚠</span> '
                         rf'{re.escape(reason)}</span>', box)


def test_the_page_is_named_and_titled_as_a_digest_page(pages):
    html = pages["summarize"]
    header, footer = region(html, "<header", "</header>"), region(html, "<footer", "</footer>")
    assert '<meta name="generator" content="summarize ' in html and "summarize" in footer
    assert not re.search(r"\btranslate\b", header + footer) and "<dt>Summarized</dt>" in header
    titles = [re.search(r"<title>(.*)</title>", page) for page in (html, pages["translate"])]
    assert titles[0] and titles[1] and titles[0][1] == titles[1][1]  # the article's title
    title = titles[0][1]
    assert f'<h1 class="page-title" dir="auto">{title}</h1>' in header      # over the digests, not under them
    assert "<dt>Translated</dt>" in pages["translate"] and "Summarized" not in pages["translate"]


def test_digests_in_the_source_language_alone(pages):
    html = pages["source"]
    parse(html)
    first_line = next(line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip())
    assert f"<title>{first_line}</title>" in html and '<html lang="zh">' in html
    assert "<dt>Languages</dt><dd>zh</dd>" in html        # not "zh → en": nothing was translated
    assert '<article' not in html and re.search(r'<footer class="foot">4 digests · summarize [^<]*</footer>', html)


# ---------------------------------------------------------------------------------------------
# Shortened sentences, built by hand
# ---------------------------------------------------------------------------------------------

WHOLE = "今年是二十周年，大家纷纷表示，点击查看更多。"


def article():
    return [para(0, "title", [ok("海关回信", "Customs reply")]),
            para(1, "body", [(WHOLE, "This is the 20th year, everyone said said said.", "suspect", "repetition loop"),
                             ok("最后一段。", "The last paragraph.")]),
            para(2, "body", [("https://example.org", "https://example.org", "passthrough", "nothing to translate")])]


def digests(kept=((0, 14),), source="今年是二十周年，大家纷纷表示。", over=False) -> Digests:
    cut = DigestSentence(0, 1, 0, 1.0, source, "This is the 20th year, everyone said.", kept)
    whole = DigestSentence(1, 1, 1, 0.5, "最后一段。", "The last paragraph.")
    return Digests((Digest(LengthSpec("short", 10, "words"), (cut,), 7, over),
                    Digest(LengthSpec("long", 30, "words"), (cut, whole), 10)),
                   "en", "zh", {"method": "extractive", "to": "en", "language": "en", "translation": INFO})


def items(html: str) -> list[str]:
    return re.findall(r"<li[^>]*>.*?</li>", region(html, 'class="digests"', "</section>"))


def test_a_shortened_sentence_is_marked_and_keeps_the_articles_suspect_mark():
    html = digest_page(digests(), article(), {"translated_at": "now"})
    parsed = parse(html)
    short = [i for i in items(html) if i.startswith('<li class="row short"')]
    assert len(short) == 2 and all(f'title="{SHORTENED}"' in i and "✂ shortened" in i for i in short)
    assert all('class="s suspect" data-s="p1-s0" title="suspect: repetition loop"' in i and "⚠" in i for i in short)
    assert all("This is the 20th year, everyone said.</span>" in i for i in short)  # the part's own translation
    whole = [i for i in items(html) if i not in short]
    assert len(whole) == 1 and "✂" not in whole[0] and "⚠" not in whole[0]
    assert 'class="cut"' in region(html, '<span class="legend">', "</form>")  # the legend names it
    marked = [s for s in parsed.spans if s["region"] == "digest" and s["key"] == "p1-s0"]
    assert {s["side"] for s in marked} == {"src", "tgt"} and all("suspect" in s["classes"] for s in marked)


@pytest.mark.parametrize("kept", [((15, 14),), ((0, 99),), ((-3, 4),), ((0, 14), (2, 20)), (("a", "b"),),
                                  ((0, 1, 2),), ((30, 40),)], ids=str)
def test_spans_that_do_not_fit_the_articles_sentence_carry_no_mark_and_break_nothing(kept):
    html = digest_page(digests(kept=kept), article())
    parse(html)
    short = [i for i in items(html) if i.startswith('<li class="row short"')]
    assert len(short) == 2 and all("✂ shortened" in i and "suspect" not in i for i in short)


def test_a_whole_sentence_that_differs_from_the_articles_is_not_marked():
    html = digest_page(digests(kept=(), source="另一句话。"), article())
    assert all("suspect" not in i and "✂" not in i for i in items(html))
    assert 'class="cut"' not in html                    # no shortened sentence: not in the legend either


def test_describe_counts_shortened_sentences_and_says_what_over_budget_means():
    ds = digests()
    assert describe(ds["short"]) == "short — 7 of 10 words, 1 sentence, 1 shortened"
    assert describe(ds["long"]) == "long — 10 of 30 words, 2 sentences, 1 shortened"
    over = digests(over=True)["short"]
    assert describe(over) == ("short — 7 of 10 words, 1 sentence, 1 shortened (over budget: not even one clause "
                              "fits, so the best-ranked is kept)")
    assert describe(digests(kept=())["long"]) == "long — 10 of 30 words, 2 sentences"
    assert "1 shortened" in page_digests(ds)[0].label


def test_the_json_carries_the_kept_spans():
    data = json.loads(render("json", digests(kept=((0, 7), (8, 14)))))
    assert [s["kept"] for d in data["digests"] for s in d["sentences"]] == [[[0, 7], [8, 14]], [[0, 7], [8, 14]], []]
    assert data["header"]["tool"] == "summarize"


# ---------------------------------------------------------------------------------------------
# Hostile texts
# ---------------------------------------------------------------------------------------------

def test_hostile_sentences_and_reasons_are_escaped():
    rtl = "\u202eمرحبا \u05e9\u05dc\u05d5\u05dd\u202c"
    source = f'今年"\'{SCRIPT}{rtl}'
    reason = f'loop "{SCRIPT}" & ' + "x" * 100_000
    paragraphs = [para(0, "body", [(source, f'He said "{SCRIPT}" {rtl}', "suspect", reason)])]
    sentence = DigestSentence(0, 0, 0, 1.0, source, f'He said "{SCRIPT}" {rtl}')
    part = DigestSentence(0, 0, 0, 1.0, SCRIPT, f"<img src=x onerror=alert(2)>{rtl}", ((4, 4 + len(SCRIPT)),))
    ds = Digests((Digest(LengthSpec("s", 5, "words"), (sentence,), 3),
                  Digest(LengthSpec(f"l{SCRIPT}", 5, "words"), (part,), 3, note=f"note {SCRIPT}")),
                 "en", "zh", {"translation": {**INFO, "model": f"m{SCRIPT}"}})
    html = digest_page(ds, paragraphs, {"translated_at": f"now {SCRIPT}"}, {"title": f'T "{SCRIPT}"'})
    parsed = parse(html)
    assert parsed.scripts == 1 and "<script>alert" not in html.replace("<script>\n", "") and "<img" not in html
    assert html.count("x" * 100_000) == 9   # both titles and the note: in the article, and under each digest
    assert f"<title>T &quot;{SCRIPT.replace('<', '&lt;').replace('>', '&gt;')}&quot;</title>" in html
    digest = [s for s in parsed.spans if s["region"] == "digest"]
    assert {s["text"] for s in digest} >= {source, f'He said "{SCRIPT}" {rtl}', SCRIPT}


def test_a_page_digest_from_elsewhere_may_omit_the_spans():
    plain = PageDigest("short", "label", (("今年是二十周年。", "The 20th year.", 0, 0),))
    html = "".join(render_page([para(0, "body", [ok("今年是二十周年。", "This year is the 20th.")])], INFO, "lines",
                               {}, (plain,), tool="summarize"))
    parse(html)
    assert "✂" not in html and "This year is the 20th.</span>" in region(html, 'class="digests"', "</section>")


# ---------------------------------------------------------------------------------------------
# In a real browser
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    yield from launched()


def test_browser_shows_the_shortened_mark_and_the_suspect_note(browser, tmp_path: Path):
    path = tmp_path / "digest.html"
    path.write_text(digest_page(digests(), article(), {"translated_at": "now"}), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        panel = page.locator("#dgp-0")
        assert panel.locator("li.short .cut").is_visible()
        assert panel.locator("li.short .cut").get_attribute("title") == SHORTENED
        assert panel.locator(".tgt .note").inner_text().strip() == "⚠ repetition loop"
        panel.locator('.src [data-s="p1-s0"]').hover()          # highlights the sentence in the article too
        assert "hl" in (page.locator('.article .tgt .s[data-s="p1-s0"]').get_attribute("class") or "").split()
        assert errors == [] and requests == [path.as_uri()]
    finally:
        context.close()


def test_a_sentence_the_summarizer_shortened_keeps_the_articles_marks(toy_model, tmp_path):
    """Real ``kept`` spans (the clause marks the digest's own end replaces left out) still find the
    article's sentence: the shortened row carries its classes, title and ⚠ note."""
    out = tmp_path / "short.html"
    assert summarize_main([str(SEED), "-m", str(toy_model), "-f", "html", "-l", "5w", "-o", str(out), "-q"]) == 0
    html = out.read_text(encoding="utf-8")
    rows = re.findall(r'<li class="row short"[^>]*>.*?</li>', html, re.S)
    assert rows, "the 5-word digest shortens a sentence"
    for row in rows:
        key = re.search(r'data-s="(p\d+-s\d+)"', row)[1]
        box = re.search(rf'<span class="([^"]*)" data-s="{key}"( title="[^"]*")?>', row)
        article = region(html, '<article class="article"', "</article>")
        shown = re.search(rf'<span class="([^"]*)" data-s="{key}"( title="[^"]*")?>', article)
        assert box and shown and box.groups() == shown.groups()
