"""Rendering a briefing (stories grouped from feeds, each with its digests and sources) as a
self-contained HTML page, Markdown, JSON or an RSS 2.0 digest feed.

Everything here comes from feeds, which are written by strangers: every string is cleaned (lone
surrogates and characters XML forbids removed, so the output always encodes and always parses),
escaped for its format, and only plain http(s) URLs ever become links. The page carries a Content
Security Policy that forbids scripts and every request but https/data images, so that nothing a
feed holds can run or phone home even if it slipped through the escaping.

A briefing of a large feed must not be held whole: ``write_briefing`` writes it story by story and
reads ``Briefing.stories`` once, so the caller can hand a generator that computes each story's
digests as it is written. What a format shows before the stories (counts, the page's contents) comes
from ``Briefing.outline``, which is small.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape
from typing import Any

from translate.errors import UsageError
from translate.output.feed import clean_text as xml_clean
from translate.output.feed import rfc822, safe_url, xml_text
from translate.sources.feed.items import TranslatedItem

from .digests import Digest, Digests
from .formats import BRIEFING_FORMATS, describe

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'; "
       "form-action 'none'")
TITLE_LIMIT = 400  # characters of a headline or item title shown (the JSON keeps them whole)

_LANG = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
_ANCHOR = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_MD_SPECIAL = "\\`*_[]|~#"   # as translate.output.escape_markdown; line starts are handled apart
_MD_LINE_START = re.compile(r"^([-+=]|\d{1,9}(?=[.)]))")


@dataclass(frozen=True)
class BriefingSource:
    """One item of a story: the feed it came from, its title in both languages, where it is.
    ``reading_anchor``: the id of its bilingual reading in the page, when the story carries one."""

    feed: str
    feed_title: str
    title: str
    title_translation: str
    link: str
    date: str
    reading_anchor: str | None = None
    language: str = ""          # the item's language (the ``lang`` of its original title), "" when unknown


@dataclass(frozen=True)
class BriefingStory:
    """A story: its translated headline, one digest per requested length, its sources
    (representative first), its most recent date (ISO 8601 UTC) and, when the representative's
    article was fetched, its bilingual reading."""

    id: str
    title: str
    digests: Digests
    sources: tuple[BriefingSource, ...]
    date: str
    reading: TranslatedItem | None = None


@dataclass(frozen=True)
class StoryOutline:
    """What is shown of a story before the stories are written (the counts, the page's contents),
    known without its digests: its id, headline, number of sources and most recent date."""

    id: str
    title: str
    sources: int
    date: str = ""

    @classmethod
    def of(cls, story: BriefingStory) -> StoryOutline:
        return cls(story.id, story.title, len(story.sources), story.date)


@dataclass(frozen=True)
class Briefing:
    """The whole briefing. ``header``: the options and models as they ran (shown under "About");
    ``notes``: one line each for what is not a story (items with no text, feeds that failed).
    ``link``: where the briefing lives, for the RSS channel's link (optional).

    ``stories`` is read once. With ``outline`` (one entry per story, in the same order) it may be a
    generator, read while the output is written, so no more than one story is held at a time;
    ``feeds`` (how many feeds the items came from) and ``lengths`` (the most digests a story has,
    for the page's length tabs) go with it. Without ``outline`` the stories are gathered first and
    everything is counted from them."""

    title: str
    generated: str
    language: str
    stories: Iterable[BriefingStory]
    header: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    link: str = ""
    outline: tuple[StoryOutline, ...] | None = None
    feeds: int | None = None
    lengths: int | None = None


@dataclass(frozen=True)
class _Plan:
    """What a renderer needs before the first story, and the stories to read (once)."""

    outline: tuple[StoryOutline, ...]
    stories: Iterable[BriefingStory]
    feeds: int | None
    lengths: int

    @property
    def items(self) -> int:
        return sum(o.sources for o in self.outline)


def _plan(briefing: Briefing) -> _Plan:
    if briefing.outline is not None:
        return _Plan(tuple(briefing.outline), briefing.stories, briefing.feeds, max(briefing.lengths or 0, 0))
    stories = tuple(briefing.stories)
    feeds = briefing.feeds if briefing.feeds is not None else len({src.feed for s in stories for src in s.sources})
    lengths = briefing.lengths if briefing.lengths is not None else max((len(s.digests) for s in stories), default=0)
    return _Plan(tuple(StoryOutline.of(s) for s in stories), stories, feeds, lengths)


# ---------------------------------------------------------------------------------------------
# Cleaning and escaping, shared by every format
# ---------------------------------------------------------------------------------------------

def clean_text(value: object) -> str:
    """Text that encodes as UTF-8 and is legal in XML 1.0 (``translate.output.feed.clean_text``:
    control characters but tab and newlines removed), split surrogate pairs joined first and lone
    surrogates shown as U+FFFD, so that a damaged title still shows where it was damaged."""
    text = "" if value is None else str(value)
    if _SURROGATE.search(text):
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return xml_clean(text)


def one_line(value: object, limit: int | None = None) -> str:
    """Cleaned, whitespace collapsed, clipped to ``limit`` characters (an ellipsis marks the cut)."""
    text = " ".join(clean_text(value).split())
    if limit is not None and len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    return text


def _h(value: object) -> str:
    return escape(clean_text(value), quote=True)


def _lang_attr(code: object) -> str:
    code = str(code or "")
    return f' lang="{code}"' if _LANG.match(code) else ""


def _parse_date(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _show_date(value: str) -> str:
    when = _parse_date(value)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if when else one_line(value, 40)


def _latest(story: BriefingStory) -> datetime | None:
    dates = [d for d in (_parse_date(x) for x in (story.date, *(s.date for s in story.sources))) if d]
    return max(dates) if dates else None


def _plural(n: int, word: str, words: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"


def _count_line(plan: _Plan) -> str:
    """"3 stories · 4 items · 2 feeds" (the feeds left out when the caller did not count them)."""
    feeds = f" · {_plural(plan.feeds, 'feed')}" if plan.feeds is not None else ""
    return f"{_plural(len(plan.outline), 'story', 'stories')} · {_plural(plan.items, 'item')}{feeds}"


def _story_link(story: BriefingStory) -> str | None:
    for source in story.sources:
        url = safe_url(source.link)
        if url:
            return url
    return None


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

_CSS = """:root{--bg:#fbfaf7;--fg:#1d2126;--muted:#5d646d;--line:#e2ded6;--card:#f3f0ea;--accent:#1a5fb4;--tab:#fff}
@media (prefers-color-scheme:dark){:root{--bg:#15171b;--fg:#e5e5e5;--muted:#a0a6ad;--line:#30343a;--card:#1e2126;
--accent:#8ab4f8;--tab:#23262b}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:17px/1.6 Charter,"Iowan Old Style",Georgia,"Noto Serif",
"Noto Serif CJK SC","Songti SC",serif}
header.top,main,footer{max-width:760px;margin:0 auto;padding:0 20px}
header.top{padding-top:28px;padding-bottom:6px;border-bottom:2px solid var(--fg)}
h1,h2,h3,.meta,.tab,.srcs,.support summary,.reading summary,.about,.toc,.notes,footer,.byline{
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC","PingFang SC",sans-serif}
h1{font-size:2rem;line-height:1.15;margin:0 0 6px;overflow-wrap:anywhere}
.meta{color:var(--muted);font-size:.9rem;margin:0 0 8px}
a{color:var(--accent)}
.about{font-size:.82rem;color:var(--muted);margin:0 0 10px}
.about summary{cursor:pointer}
.about dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 12px;margin:6px 0}
.about dt{font-weight:600}.about dd{margin:0;overflow-wrap:anywhere}
.toc{font-size:.92rem;margin:14px 0 4px;padding:0 0 10px 1.4em;border-bottom:1px solid var(--line)}
.toc li{margin:2px 0;overflow-wrap:anywhere}
.toc a{color:var(--fg);text-decoration:none}.toc a:hover{text-decoration:underline}
.toc .n{color:var(--muted);font-size:.85em}
.story{padding:22px 0 18px;border-bottom:1px solid var(--line)}
.story h2{font-size:1.45rem;line-height:1.25;margin:0 0 4px;overflow-wrap:anywhere}
.story h2 a{color:inherit;text-decoration:none}
.byline{color:var(--muted);font-size:.85rem;margin:0 0 10px}
.lead,.panel p{margin:0 0 10px;overflow-wrap:anywhere}
.lead{font-size:1.08rem}
.len{position:absolute;opacity:0;width:1px;height:1px;pointer-events:none}
.tab{display:inline-block;padding:1px 11px;margin:0 4px 8px 0;border:1px solid var(--line);border-radius:999px;
background:var(--tab);cursor:pointer;font-size:.85rem}
.len:focus-visible+.tab{outline:2px solid var(--accent);outline-offset:2px}
.panel{display:none}
.plabel{display:none;font-weight:600;font-size:.85rem;margin:0 0 2px}
.support{font-size:.88rem;color:var(--muted);margin:0 0 10px}
.support summary,.reading summary{cursor:pointer}
.support ol{margin:6px 0;padding-left:1.4em}
.support li{margin:0 0 6px}
.support .o{display:block}
.srcs{list-style:none;margin:8px 0 0;padding:0;font-size:.88rem}
.srcs li{padding:5px 0 5px 12px;border-left:3px solid var(--line);margin:0 0 6px;overflow-wrap:anywhere}
.srcs .feed{font-weight:600}
.srcs .tr{display:block;color:var(--muted)}
.srcs .when{color:var(--muted)}
.srcs .read{white-space:nowrap}
.reading{margin:12px 0 0;background:var(--card);border-radius:8px;padding:8px 14px}
.reading summary{font-size:.9rem;font-weight:600}
.reading .note{font-size:.85rem;color:var(--muted)}
.pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);column-gap:28px;margin:0 0 .8em}
.pair>div{min-width:0;overflow-wrap:anywhere}
.pair .o{color:var(--muted)}
.pair.k-heading,.pair.k-title{font-weight:700}
.notes{padding:18px 0;font-size:.9rem}
.notes h2{font-size:1.1rem;margin:0 0 6px}
.notes li{overflow-wrap:anywhere}
footer{color:var(--muted);font-size:.8rem;padding-top:12px;padding-bottom:30px}
@media (max-width:640px){body{font-size:16px}h1{font-size:1.6rem}.story h2{font-size:1.25rem}
header.top,main,footer{padding-left:14px;padding-right:14px}
.pair{grid-template-columns:minmax(0,1fr)}.pair .o{font-size:.92em}}
@media print{:root{--bg:#fff;--fg:#000;--muted:#444;--line:#bbb;--card:#fff;--accent:#000}
body{font-size:11pt}.tab,.toc,.about,.reading,.read,.support{display:none !important}
.panel{display:block !important}.plabel{display:block}
.story{break-inside:avoid-page}h2{break-after:avoid}
.srcs a::after{content:" <" attr(href) ">";font-size:.8em;color:#444;overflow-wrap:anywhere}}
"""


def _tab_css(n: int, start: int = 1) -> str:
    """One rule per length position: the checked radio shows its panel (no script needed)."""
    return "".join(f".len:nth-of-type({i}):checked~.panel:nth-of-type({i}){{display:block}}\n"
                   f".len:nth-of-type({i}):checked+.tab{{border-color:var(--accent);color:var(--accent);"
                   f"font-weight:600}}\n" for i in range(start, n + 1))


def _support(d: Digest, src_attr: str, tgt_attr: str) -> str:
    """The digest's sentences in both languages, folded: how the digest reads in the original."""
    pairs = [s for s in d.sentences if s.translation is not None]
    if not pairs:
        return ""
    rows = "".join(f'<li><span class="o"{src_attr} dir="auto">{_h(s.source)}</span>'
                   f'<span{tgt_attr} dir="auto">{_h(s.translation)}</span></li>' for s in pairs)
    return f'<details class="support"><summary>In the original</summary><ol>{rows}</ol></details>'


def _digest_html(story: BriefingStory, n: int) -> str:
    digests = story.digests
    tgt_attr = _lang_attr(digests.language)
    src_attr = _lang_attr(digests.source_language)
    shown = [d for d in digests]
    if not shown:
        return ""
    if len(shown) == 1:
        d = shown[0]
        return (f'<p class="lead"{tgt_attr} dir="auto" title="{_h(describe(d))}">{_h(d.text)}</p>'
                + _support(d, src_attr, tgt_attr))
    out = ['<div class="lengths">']
    for i, d in enumerate(shown):
        checked = " checked" if i == 0 else ""
        out.append(f'<input type="radio" class="len" name="len-{n}" id="len-{n}-{i}"{checked}>'
                   f'<label class="tab" for="len-{n}-{i}" title="{_h(describe(d))}">{_h(one_line(d.name, 40))}'
                   "</label>")
    for i, d in enumerate(shown):
        cls = "lead" if i == 0 else "text"
        out.append(f'<div class="panel"><p class="plabel">{_h(one_line(d.name, 40))}</p>'
                   f'<p class="{cls}"{tgt_attr} dir="auto">{_h(d.text)}</p>{_support(d, src_attr, tgt_attr)}</div>')
    out.append("</div>")
    return "".join(out)


def _source_html(source: BriefingSource, language: str, anchor: str | None) -> str:
    url = safe_url(source.link)
    title = one_line(source.title, TITLE_LIMIT) or "(untitled)"
    translation = one_line(source.title_translation, TITLE_LIMIT)
    title_html = f'<span{_lang_attr(source.language)} dir="auto">{_h(title)}</span>'
    if url:
        title_html = f'<a href="{_h(url)}" rel="noopener noreferrer" target="_blank">{title_html}</a>'
    parts = [f'<span class="feed">{_h(one_line(source.feed_title or source.feed, 120))}</span> · {title_html}']
    if source.date:
        parts.append(f' · <time class="when" datetime="{_h(one_line(source.date, 40))}">'
                     f"{_h(_show_date(source.date))}</time>")
    if anchor and source.reading_anchor is not None:
        parts.append(f' · <a class="read" href="#{anchor}">read the whole article, bilingual</a>')
    if translation and translation != title:
        parts.append(f'<span class="tr"{_lang_attr(language)} dir="auto">{_h(translation)}</span>')
    return f"<li>{''.join(parts)}</li>"


def _reading_html(reading: TranslatedItem, anchor: str, language: str) -> str:
    src_attr = _lang_attr(reading.source_language or reading.item.language)
    tgt_attr = _lang_attr(language)
    rows = []
    for p in reading.paragraphs:
        kind = p.kind if re.match(r"^[a-z_]{1,20}$", p.kind or "") else "body"
        rows.append(f'<div class="pair k-{kind}"><div class="o"{src_attr} dir="auto">{_h(p.source)}</div>'
                    f'<div class="t"{tgt_attr} dir="auto">{_h(p.translation or p.source)}</div></div>')
    note = f'<p class="note">{_h(one_line(reading.note, 300))}</p>' if reading.note else ""
    origin = "the article" if reading.text_from == "article" else "the feed's text"
    # the id is on the content, not on <details>: following a link to it opens the section (browsers
    # reveal a closed <details> around a fragment's target), with no script
    return (f'<details class="reading"><summary>The whole article, bilingual '
            f'({_plural(len(rows), "paragraph")}, from {origin})</summary><div class="body" id="{anchor}">'
            f'{note}{"".join(rows)}</div></details>')


def _anchor(story: BriefingStory, n: int, used: set[str]) -> str | None:
    """The page id of the ``n``th story's reading: its sources' ``reading_anchor`` when it is a
    safe id not in ``used`` (which it joins), else ``reading-N``; None for a story without a reading."""
    if story.reading is None or not story.reading.paragraphs:
        return None
    wanted = next((s.reading_anchor for s in story.sources if s.reading_anchor), None)
    anchor = wanted if wanted and _ANCHOR.match(wanted) and wanted not in used else f"reading-{n}"
    while anchor in used:
        anchor += "-"
    used.add(anchor)
    return anchor


def _about(header: Mapping[str, Any]) -> str:
    rows = []
    for key, value in header.items():
        if isinstance(value, (dict, list, tuple)):
            value = json.dumps(value, ensure_ascii=False, default=str)
        rows.append(f"<dt>{_h(one_line(key, 60))}</dt><dd>{_h(one_line(value, 300))}</dd>")
    if not rows:
        return ""
    return f'<details class="about"><summary>About this briefing</summary><dl>{"".join(rows)}</dl></details>\n'


def _html(briefing: Briefing) -> Iterator[str]:
    from translate.version import __version__

    plan = _plan(briefing)
    lang = briefing.language if _LANG.match(briefing.language or "") else "en"
    title = one_line(briefing.title, TITLE_LIMIT) or "Briefing"
    most = plan.lengths
    yield ("<!DOCTYPE html>\n"
           f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
           f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
           '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           '<meta name="referrer" content="no-referrer">\n'
           '<meta name="color-scheme" content="light dark">\n'
           f'<meta name="generator" content="summarize {_h(__version__)}">\n'
           '<link rel="icon" href="data:,">\n'
           f"<title>{_h(title)}</title>\n<style>\n{_CSS}{_tab_css(most)}</style>\n</head>\n<body>\n")
    generated = (f'<time datetime="{_h(one_line(briefing.generated, 40))}">{_h(_show_date(briefing.generated))}'
                 "</time>")
    yield (f'<header class="top"><h1 dir="auto">{_h(title)}</h1>'
           f'<p class="meta">Generated {generated} · {_count_line(plan)}</p>\n{_about(briefing.header)}</header>\n')
    yield "<main>\n"
    if len(plan.outline) > 1:
        yield '<ol class="toc" aria-label="Stories">'
        for n, entry in enumerate(plan.outline, 1):
            yield (f'<li><a href="#story-{n}" dir="auto">{_h(one_line(entry.title, 160) or "(untitled)")}</a> '
                   f'<span class="n">{_plural(entry.sources, "source")}</span></li>')
        yield "</ol>\n"
    used: set[str] = set()
    for n, story in enumerate(plan.stories, 1):
        anchor = _anchor(story, n, used)
        headline = one_line(story.title, TITLE_LIMIT) or "(untitled)"
        when = _latest(story)
        date = (f' · <time datetime="{when.strftime("%Y-%m-%dT%H:%M:%SZ")}">'
                f'{when.strftime("%Y-%m-%d %H:%M UTC")}</time>') if when else ""
        yield (f'<article class="story" id="story-{n}" aria-labelledby="story-{n}-h">\n'
               f'<h2 id="story-{n}-h"{_lang_attr(lang)} dir="auto"><a href="#story-{n}">{_h(headline)}</a></h2>\n'
               f'<p class="byline">{_plural(len(story.sources), "source")}{date}</p>\n')
        if len(story.digests) > most:  # more lengths than the head's rules cover (an outline that said fewer)
            yield f"<style>\n{_tab_css(len(story.digests), most + 1)}</style>\n"
            most = len(story.digests)
        yield _digest_html(story, n) + "\n"
        yield ('<ul class="srcs" aria-label="Sources">'
               + "".join(_source_html(s, lang, anchor) for s in story.sources) + "</ul>\n")
        if anchor and story.reading is not None:
            yield _reading_html(story.reading, anchor, lang) + "\n"
        yield "</article>\n"
    if briefing.notes:
        yield '<section class="notes" aria-labelledby="notes-h"><h2 id="notes-h">Notes</h2><ul>'
        yield "".join(f'<li dir="auto">{_h(one_line(note, 2000))}</li>' for note in briefing.notes)
        yield "</ul></section>\n"
    yield f"</main>\n<footer>summarize {_h(__version__)}</footer>\n</body>\n</html>\n"


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------

def md_text(value: object, limit: int | None = None) -> str:
    """Feed text made inert in Markdown: one line, every special escaped, no HTML (``<`` as entity)."""
    text = one_line(value, limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)
    match = _MD_LINE_START.match(text)  # "# x", "- x", "1. x" would be a heading or a list at a line's start
    if match:
        text = match.group(1) + "\\" + text[match.end():] if match.group(1)[0].isdigit() else "\\" + text
    return text


def _md_url(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def _markdown(briefing: Briefing) -> Iterator[str]:
    plan = _plan(briefing)
    yield f"# {md_text(briefing.title, TITLE_LIMIT) or 'Briefing'}\n\n"
    yield f"Generated {md_text(_show_date(briefing.generated))} · {_count_line(plan)}\n"
    for story in plan.stories:
        yield f"\n## {md_text(story.title, TITLE_LIMIT) or '(untitled)'}\n\n"
        when = _latest(story)
        yield f"*{_plural(len(story.sources), 'source')}" + (f" · {when:%Y-%m-%d %H:%M} UTC*\n" if when else "*\n")
        for i, d in enumerate(story.digests):
            text = md_text(d.text)
            if text:
                yield f"\n{text}\n" if i == 0 else f"\n**{md_text(d.name, 40)}:** {text}\n"
        yield "\nSources:\n\n"
        for s in story.sources:
            title = md_text(s.title, TITLE_LIMIT) or "(untitled)"
            url = safe_url(s.link)
            line = f"- {md_text(s.feed_title or s.feed, 120)}: " + (f"[{title}]({_md_url(url)})" if url else title)
            translation = one_line(s.title_translation, TITLE_LIMIT)
            if translation and translation != one_line(s.title, TITLE_LIMIT):
                line += f" — {md_text(translation)}"
            if s.date:
                line += f" · {md_text(_show_date(s.date))}"
            yield line + "\n"
    if briefing.notes:
        yield "\n## Notes\n\n" + "".join(f"- {md_text(note, 2000)}\n" for note in briefing.notes)


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------

def _digest_dict(d: Digest) -> dict[str, Any]:
    return {"text": d.text, "sentences": [{"source": s.source, "translation": s.translation} for s in d.sentences],
            "achieved": d.achieved, "amount": d.length.amount, "unit": d.length.unit, "over_budget": d.over_budget,
            "method": d.method, "note": d.note}


def _story_dict(story: BriefingStory) -> dict[str, Any]:
    return {
        "id": story.id, "title": story.title, "date": story.date,
        "sources": [{"feed": s.feed, "feed_title": s.feed_title, "title": s.title,
                     "title_translation": s.title_translation, "link": s.link, "date": s.date,
                     "language": s.language, "reading_anchor": s.reading_anchor} for s in story.sources],
        "digests": {d.name: _digest_dict(d) for d in story.digests},
    }


def _head_dict(briefing: Briefing) -> dict[str, Any]:
    return {"type": "briefing", "title": briefing.title, "generated": briefing.generated,
            "language": briefing.language, "header": dict(briefing.header), "notes": list(briefing.notes)}


def briefing_dict(briefing: Briefing) -> dict[str, Any]:
    """The JSON document (before cleaning): stable keys, every story with its sources and digests.
    Holds every story: ``write_briefing`` writes the same document a story at a time."""
    return {**_head_dict(briefing), "stories": [_story_dict(story) for story in briefing.stories]}


def _dumps(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    if _SURROGATE.search(text):  # raw lone surrogates would not encode; escapes (\ud800) are kept as JSON wrote them
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _json(briefing: Briefing) -> Iterator[str]:
    """``briefing_dict`` as ``json.dumps(indent=2)`` writes it, byte for byte, one story at a time:
    "stories" is the last key, and JSON text has no raw newline inside a string, so a story dumped
    alone is indented to its place by indenting its lines."""
    head = _dumps(_head_dict(briefing))
    yield head[:-len("\n}")] + ',\n  "stories": ['
    sep = "\n    "
    for story in briefing.stories:
        yield sep + _dumps(_story_dict(story)).replace("\n", "\n    ")
        sep = ",\n    "
    yield "]\n}\n" if sep == "\n    " else "\n  ]\n}\n"


# ---------------------------------------------------------------------------------------------
# RSS 2.0
# ---------------------------------------------------------------------------------------------

def _rss_description(story: BriefingStory) -> str:
    """The item's HTML: the first digest, then the sources as a list of links."""
    first = next(iter(story.digests), None)
    parts = [f"<p>{_h(first.text)}</p>"] if first is not None and first.text else []
    items = []
    for s in story.sources:
        url = safe_url(s.link)
        title = _h(one_line(s.title, TITLE_LIMIT) or "(untitled)")
        link = f'<a href="{_h(url)}" rel="noopener noreferrer">{title}</a>' if url else title
        translation = one_line(s.title_translation, TITLE_LIMIT)
        extra = f" — {_h(translation)}" if translation and translation != one_line(s.title, TITLE_LIMIT) else ""
        items.append(f"<li>{_h(one_line(s.feed_title or s.feed, 120))}: {link}{extra}</li>")
    if items:
        parts.append(f"<ul>{''.join(items)}</ul>")
    return "".join(parts)


def _rss(briefing: Briefing) -> Iterator[str]:
    from translate.version import __version__

    plan = _plan(briefing)
    title = one_line(briefing.title, TITLE_LIMIT) or "Briefing"
    about = f"{_plural(len(plan.outline), 'story', 'stories')} from {_plural(plan.items, 'item')}"
    if plan.feeds is not None:
        about += f" of {_plural(plan.feeds, 'feed')}"
    yield ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n<channel>\n'
           f"<title>{xml_text(title)}</title>\n")
    link = safe_url(briefing.link)
    if link:
        yield f"<link>{xml_text(link)}</link>\n"
    yield f"<description>{xml_text(about)}</description>\n"
    if _LANG.match(briefing.language or ""):
        yield f"<language>{briefing.language}</language>\n"
    generated = _parse_date(briefing.generated)
    if generated:
        yield f"<lastBuildDate>{rfc822(briefing.generated)}</lastBuildDate>\n"
    yield f"<generator>summarize {xml_text(__version__)}</generator>\n"
    for story in plan.stories:
        yield "<item>\n"
        yield f"<title>{xml_text(one_line(story.title, TITLE_LIMIT) or '(untitled)')}</title>\n"
        url = _story_link(story)
        if url:
            yield f"<link>{xml_text(url)}</link>\n"
        yield f"<description>{xml_text(_rss_description(story))}</description>\n"
        yield f'<guid isPermaLink="false">{xml_text(one_line(story.id, 2000))}</guid>\n'
        when = _latest(story)
        if when:
            yield f"<pubDate>{format_datetime(when.astimezone(timezone.utc), usegmt=True)}</pubDate>\n"
        yield "</item>\n"
    yield "</channel>\n</rss>\n"


_RENDERERS = {"html": _html, "markdown": _markdown, "json": _json, "rss": _rss}


def write_briefing(fmt: str, briefing: Briefing, write: Callable[[str], object]) -> None:
    """Write the briefing in format ``fmt`` (one of ``BRIEFING_FORMATS``) through ``write``, piece by
    piece (at least one call per story), reading ``briefing.stories`` once: with ``briefing.outline``
    given, no more than one story is held, however many there are."""
    if fmt not in _RENDERERS:
        raise UsageError(f"unknown briefing format '{fmt}' (choose from {', '.join(BRIEFING_FORMATS)})",
                         option="format")
    for piece in _RENDERERS[fmt](briefing):
        write(piece)


def render_briefing(fmt: str, briefing: Briefing) -> str:
    """The whole briefing in format ``fmt`` (one of ``BRIEFING_FORMATS``), as one string."""
    pieces: list[str] = []
    write_briefing(fmt, briefing, pieces.append)
    return "".join(pieces)
