"""The bilingual reading page: one self-contained HTML5 file (inline CSS, a tiny optional inline
script, no external resource of any kind), source and translation side by side per paragraph. The
CSS and the script (``page.js``: it only highlights a sentence's counterparts on hover and on tap)
are the package's files ``page.css`` and ``page.js``, inlined into every page.

Everything that comes from the input, the metadata or the options is escaped; a strict Content
Security Policy (``default-src 'none'``) makes sure that nothing the page holds can load anything.
Each sentence is a ``<span data-s="p3-s1">`` in both columns (and in the digests), so that hovering
or tapping one highlights its counterparts; suspect sentences carry their reason, passthrough
text is shown as is. A digest sentence is marked as the article marks it, and one that the digest
shortened (only some of its clauses kept) says so. The toolbar (Source / Both / Translation)
works without the script.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from html import escape
from importlib import resources
from itertools import chain

from ..document import TranslatedParagraph, TranslatedSentence

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
_LANG = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
_ORDERED = re.compile(r"^\d+[.)]$")


# A digest sentence as the page shows it: ``(source, translation or None, paragraph index, sentence
# index)``, and optionally the character spans of the article's sentence that ``source`` keeps when
# the digest shortened it (``()`` or absent: the whole sentence).
DigestLine = tuple[Any, ...]
SHORTENED = "shortened: only part of this sentence"


@dataclass(frozen=True)
class PageDigest:
    """One digest as the page shows it (so that ``translate`` needs nothing from ``summarize``).

    ``sentences``: ``DigestLine``s in document order; ``label`` describes the digest (e.g.
    ``short — 71 of 75 words``)."""

    name: str
    label: str
    sentences: tuple[DigestLine, ...] = ()
    note: str | None = None
    abstract: str | None = None


def esc(value: object) -> str:
    """Escape anything for HTML text and attribute values (quotes included)."""
    return escape("" if value is None else str(value), quote=True)


def _lang(code: object) -> str:
    return str(code) if code and _LANG.match(str(code)) else ""


def _languages(info: Mapping[str, Any], metadata: dict) -> tuple[str, str]:
    """(source, target) language codes for the ``lang`` attributes; ``""`` when unknown."""
    src = metadata.get("language") or info.get("source_language")
    tgt = info.get("target_language") or (info.get("language") if info.get("to") == "en" else None)
    model = info.get("model") or (info.get("translation") or {}).get("model")
    if model and not (src and tgt):
        try:
            from ..languages import model_languages

            msrc, mtgt = model_languages(str(model))
        except (OSError, ValueError):  # pragma: no cover - a model folder that cannot be read
            msrc, mtgt = None, None
        src, tgt = src or msrc, tgt or mtgt
    return _lang(src), _lang(tgt or "en")


def _url(value: object) -> str | None:
    """The source URL, only when it is a plain http(s) URL (never ``javascript:`` and the like)."""
    text = str(value or "").strip()
    return text if re.match(r"^https?://[^\s<>\"']+$", text, re.IGNORECASE) else None


# A translation whose tokens the model chose with a mean log-probability below this (on average
# less than e^-1 ≈ 37% likely each) is marked unsure on the page: a signal to read it with care,
# not a measured quality threshold.
UNSURE_SCORE = -1.0


def sentence_id(paragraph: int, sentence: int) -> str:
    return f"p{int(paragraph)}-s{int(sentence)}"


# ---------------------------------------------------------------------------------------------
# Sentences inside one column
# ---------------------------------------------------------------------------------------------

def _marks(s: TranslatedSentence, side: str) -> tuple[list[str], str]:
    """The classes and title of sentence ``s`` in column ``side``: the same wherever it is shown
    (the article, and the digests that quote it)."""
    classes = ["s"]
    title = ""
    if s.status == "suspect":
        classes.append("suspect")
        title = f"suspect: {s.reason}" if s.reason else "suspect"
    elif s.status == "passthrough":
        classes.append("pass")
        title = "shown as is" + (f": {s.reason}" if s.reason else "")
    elif s.score is not None and s.score < UNSURE_SCORE:
        classes.append("unsure")
        title = f"the model was unsure: {s.score:.2f} log-probability per token"
    if side == "tgt" and not s.translation:
        classes.append("empty")
        title = title or "no translation: the source is shown"
    return classes, title


def _marked(key: str, text: str, classes: Sequence[str], title: str) -> str:
    attrs = f' class="{" ".join(classes)}" data-s="{key}"'
    if title:
        attrs += f' title="{esc(title)}"'
    return f"<span{attrs}>{esc(text)}</span>"


def _span(p: TranslatedParagraph, s: TranslatedSentence, text: str, side: str) -> str:
    return _marked(sentence_id(p.index, s.index), text, *_marks(s, side))


def _source_html(p: TranslatedParagraph) -> str:
    """The source paragraph with a span per sentence, exactly as written between them."""
    if not p.sentences:
        return esc(p.source)
    out, pos = [], 0
    exact = all(0 <= s.start <= s.end <= len(p.source) and p.source[s.start:s.end] == s.source
                and s.start >= prev for s, prev in zip(p.sentences, [0] + [t.end for t in p.sentences]))
    if not exact:
        return " ".join(_span(p, s, s.source, "src") for s in p.sentences)
    for s in p.sentences:
        out.append(esc(p.source[pos:s.start]))
        out.append(_span(p, s, s.source, "src"))
        pos = s.end
    out.append(esc(p.source[pos:]))
    return "".join(out)


def _translation_html(p: TranslatedParagraph) -> str:
    """The translation with a span per sentence; what joins them is taken from the paragraph's
    translation when every sentence is found there in order, else a space."""
    if not p.sentences:
        return esc(p.translation or p.source)
    texts = [s.translation or s.source for s in p.sentences]
    found: list[tuple[int, int]] = []
    pos = 0
    for t in texts:
        at = p.translation.find(t, pos) if t else -1
        if at < 0:
            found = []
            break
        found.append((at, at + len(t)))
        pos = at + len(t)
    if not found:
        return "".join((" " if i and _needs_space(texts[i - 1], t) else "") + _span(p, s, t, "tgt")
                       for i, (s, t) in enumerate(zip(p.sentences, texts)))
    out, pos = [], 0
    for (start, end), s, t in zip(found, p.sentences, texts):
        out.append(esc(p.translation[pos:start]))
        out.append(_span(p, s, t, "tgt"))
        pos = end
    out.append(esc(p.translation[pos:]))
    return "".join(out)


def _needs_space(before: str, after: str) -> bool:
    from ..languages import join_sentences

    return join_sentences([before, after]) != before + after


def _notes(p: TranslatedParagraph) -> str:
    """The visible reasons of the paragraph's suspect sentences, under its translation."""
    items = [f'<span class="note" data-s="{sentence_id(p.index, s.index)}"><span class="flag" aria-hidden="true">'
             f'⚠</span> sentence {s.index + 1}: {esc(s.reason or "suspect")}</span>'
             for s in p.sentences if s.status == "suspect"]
    # spans, not a list: the notes sit inside the translation's <p>/<hN>, where a <ul> cannot
    return f'<small class="notes" lang="en">{"".join(items)}</small>' if items else ""


# ---------------------------------------------------------------------------------------------
# Paragraphs
# ---------------------------------------------------------------------------------------------

class _Writer:
    def __init__(self, src_lang: str, tgt_lang: str) -> None:
        self.src_attr = f' lang="{src_lang}"' if src_lang else ""
        self.tgt_attr = f' lang="{tgt_lang}"' if tgt_lang else ""
        self.container: tuple | None = None   # ("list", group, ordered) / ("table", group)
        self.table: list[TranslatedParagraph] = []
        self.counts = {"paragraphs": 0, "sentences": 0, "suspect": 0, "passthrough": 0}

    def cells(self, tag: str, p: TranslatedParagraph, cls: str = "", prefix: str = "") -> str:
        extra = f" {cls}" if cls else ""
        return (f'<{tag} class="src{extra}"{self.src_attr} dir="auto">{prefix}{_source_html(p)}</{tag}>'
                f'<{tag} class="tgt{extra}"{self.tgt_attr} dir="auto">{prefix}{_translation_html(p)}'
                f'{_notes(p)}</{tag}>')

    def heading_level(self, p: TranslatedParagraph) -> int:
        if p.kind == "title":
            return 1
        level = p.markup.level if p.markup and p.markup.level else 2
        return min(6, max(2, level))

    def close(self) -> Iterator[str]:
        if self.container is None:
            return
        if self.container[0] == "list":
            yield "</ol>\n" if self.container[2] else "</ul>\n"
        else:
            yield from self.flush_table()
        self.container = None

    def flush_table(self) -> Iterator[str]:
        rows: dict[object, list[TranslatedParagraph]] = {}
        for p in self.table:
            rows.setdefault(p.markup.cell[0] if p.markup and p.markup.cell else ("p", p.index), []).append(p)
        first = self.table[0]
        parts = []
        for side, attr, html in (("src", self.src_attr, _source_html), ("tgt", self.tgt_attr, _translation_html)):
            body = []
            for cells in rows.values():
                tds = "".join(
                    f'<{"th" if c.markup and c.markup.header else "td"} dir="auto">{html(c)}'
                    f'{_notes(c) if side == "tgt" else ""}</{"th" if c.markup and c.markup.header else "td"}>'
                    for c in cells)
                body.append(f"<tr>{tds}</tr>")
            parts.append(f'<div class="{side} scroll"{attr}><table>{"".join(body)}</table></div>')
        yield f'<div class="row k-table" id="p{first.index}">{"".join(parts)}</div>\n'
        self.table = []

    def paragraph(self, p: TranslatedParagraph) -> Iterator[str]:
        self.counts["paragraphs"] += 1
        for s in p.sentences:
            self.counts["sentences"] += 1
            if s.status in ("suspect", "passthrough"):
                self.counts[s.status] += 1
        group = p.markup.group if p.markup else 0
        if p.kind == "list_item":
            ordered = bool(p.markup and _ORDERED.match(p.markup.marker))
            key = ("list", group, ordered)
            if self.container != key:
                yield from self.close()
                self.container = key
                yield '<ol class="list">\n' if ordered else '<ul class="list">\n'
            level = min(p.markup.level, 5) if p.markup else 0
            marker = (p.markup.marker if p.markup and p.markup.marker else "•")
            prefix = f'<span class="marker" aria-hidden="true">{esc(marker)}</span> '
            yield f'<li class="row k-list_item lv{level}" id="p{p.index}">{self.cells("div", p, prefix=prefix)}</li>\n'
            return
        if p.kind == "table_cell":
            table_key = ("table", group)
            if self.container != table_key:
                yield from self.close()
                self.container = table_key
            self.table.append(p)
            return
        yield from self.close()
        row = f'class="row k-{p.kind}" id="p{p.index}"'
        if p.kind in ("title", "heading"):
            h = f"h{self.heading_level(p)}"
            yield f"<div {row}>{self.cells(h, p)}</div>\n"
        elif p.kind == "quote":
            yield f"<blockquote {row}>{self.cells('p', p)}</blockquote>\n"
        elif p.kind == "verbatim":
            yield f"<div {row}>{self.cells('pre', p)}</div>\n"
        elif p.kind in ("subtitle", "caption"):
            yield f"<div {row}>{self.cells('p', p, p.kind)}</div>\n"
        else:
            yield f"<div {row}>{self.cells('p', p)}</div>\n"


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------

def _when(info: Mapping[str, Any], metadata: dict) -> str:
    when = info.get("translated_at") or metadata.get("translated_at")
    if when:
        return str(when)
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _header(info: Mapping[str, Any], metadata: dict, title: str | None, src_lang: str, tgt_lang: str,
            made: str = "Translated") -> str:
    rows = []

    def row(label: str, value_html: str) -> None:
        rows.append(f"<div><dt>{label}</dt><dd>{value_html}</dd></div>")

    url = metadata.get("url")
    if url:
        safe = _url(url)
        row("Source", f'<a href="{esc(safe)}" rel="noopener noreferrer" target="_blank">{esc(url)}</a>'
            if safe else esc(url))
    if metadata.get("sitename"):
        row("Site", esc(metadata["sitename"]))
    if metadata.get("date"):
        row("Date", esc(metadata["date"]))
    if metadata.get("author"):
        row("Author", esc(metadata["author"]))
    translation = info.get("translation")
    if not isinstance(translation, dict):
        translation = {}
    model = info.get("model") or translation.get("model")
    if model:
        revision = info.get("revision") or translation.get("revision")
        row("Model", f"<code>{esc(model)}</code>" + (f" @ <code>{esc(revision)}</code>" if revision else ""))
    backend = info.get("backend") or translation.get("backend")
    if backend:
        details = [str(x) for x in (info.get("device") or translation.get("device"),
                                    info.get("compute_type") or translation.get("compute_type")) if x]
        row("Backend", esc(" · ".join([str(backend), *details])))
    if info.get("summary_model"):
        row("Summarizer", f"<code>{esc(info['summary_model'])}</code>")
    if src_lang or tgt_lang:
        row("Languages", esc(src_lang if src_lang == tgt_lang else f"{src_lang or '?'} → {tgt_lang or '?'}"))
    row(made, esc(_when(info, metadata)))
    heading = f'<h1 class="page-title" dir="auto">{esc(title)}</h1>' if title else ""
    return f'<header class="meta">{heading}<dl>{"".join(rows)}</dl></header>\n'


_TOOLBAR = """<form class="toolbar" aria-label="Columns" onsubmit="return false">
<fieldset><legend>Show</legend>
<label><input type="radio" name="view" id="view-src" value="src"> Source</label>
<label><input type="radio" name="view" id="view-both" value="both" checked> Both</label>
<label><input type="radio" name="view" id="view-tgt" value="tgt"> Translation</label>
</fieldset>
<span class="legend"><span class="s suspect">suspect</span> <span class="s unsure">unsure</span>
<span class="s pass">as is</span>{shortened}
<span class="hint">hover or tap a sentence to see its counterpart</span></span>
</form>
"""


def _toolbar(digests: Sequence[PageDigest]) -> str:
    """The column switch and the legend (which names the shortened digest sentences when a digest has one)."""
    short = any(len(line) > 4 and line[4] for d in digests for line in d.sentences)
    return _TOOLBAR.format(shortened=f'\n<small class="cut" title="{SHORTENED}">✂ shortened</small>' if short else "")


def _quoted(source: str, kept: Sequence[Any], shown: TranslatedSentence | None) -> TranslatedSentence | None:
    """The article's sentence that a digest line quotes, when the article shows it: the same place
    and the same text — all of it, or (shortened) each kept span of it, in order."""
    if shown is None:
        return None
    if not kept:
        return shown if shown.source == source else None
    pos, previous = 0, 0
    folded = source.casefold()  # a shortened English part may gain a capital
    try:
        for start, end in kept:
            if not (isinstance(start, int) and isinstance(end, int) and previous <= start < end <= len(shown.source)):
                return None
            part = shown.source[start:end].strip().casefold()
            at = folded.find(part, pos)
            if at < 0:
                return None
            pos, previous = at + len(part), end
    except (TypeError, ValueError):  # spans that are not pairs
        return None
    return shown


def _digest_row(line: DigestLine, linked: bool, src_attr: str, tgt_attr: str,
                shown: Mapping[str, TranslatedSentence]) -> str:
    """A digest sentence; when the article below shows it, with the classes, title, ⚠ and reason it
    has there (and, quoted whole, its translation as shown there). A shortened one says so."""
    source, translation, para, sent = line[0], line[1], int(line[2]), int(line[3])
    kept = tuple(line[4]) if len(line) > 4 and line[4] else ()
    key = sentence_id(para, sent)
    quoted = _quoted(source, kept, shown.get(key))
    jump = f' <a class="jump" href="#p{para}" title="in the article">¶</a>' if linked else ""
    cut = f' <small class="cut" lang="en" title="{SHORTENED}">✂ shortened</small>' if kept else ""
    src = _marked(key, source, *(_marks(quoted, "src") if quoted else (["s"], "")))
    row = "row" + (" mono" if translation is None else "") + (" short" if kept else "")
    row_attrs = f' class="{row}"' + (f' title="{SHORTENED}"' if kept else "")
    src_html = f'<div class="src"{src_attr} dir="auto">{src}{cut}{jump}</div>'
    if translation is None:
        return f"<li{row_attrs}>{src_html}</li>\n"
    notes = ""
    if quoted is None:
        tgt = _marked(key, translation, ["s"], "")
    else:
        text = translation if kept else (quoted.translation or quoted.source)  # a part: its own translation
        classes, title = _marks(quoted, "tgt")
        if kept:  # whether it is empty is a matter of this part's own translation
            empty = "no translation: the source is shown"
            classes, title = [c for c in classes if c != "empty"], "" if title == empty else title
            if not translation:
                classes, title = [*classes, "empty"], title or empty
        tgt = _marked(key, text or source, classes, title)
        if quoted.status == "suspect":
            notes = (f'<small class="notes" lang="en"><span class="note" data-s="{key}"><span class="flag" '
                     f'aria-hidden="true">⚠</span> {esc(quoted.reason or "suspect")}</span></small>')
    return f'<li{row_attrs}>{src_html}<div class="tgt"{tgt_attr} dir="auto">{tgt}{notes}</div></li>\n'


def _digests(digests: Sequence[PageDigest], linked: bool, src_attr: str, tgt_attr: str,
             shown: Mapping[str, TranslatedSentence]) -> Iterator[str]:
    yield '<section class="digests" aria-labelledby="digests-title">\n<h2 id="digests-title">Digests</h2>\n'
    yield '<div class="tabs">'
    for i, d in enumerate(digests):
        checked = " checked" if i == 0 else ""
        yield (f'<input type="radio" name="digest" id="dg-{i}" class="tab-input"{checked}>'
               f'<label for="dg-{i}" class="tab">{esc(d.name)}</label>')
    yield "</div>\n"
    for i, d in enumerate(digests):
        yield f'<div class="panel" id="dgp-{i}">\n<h3 class="panel-title">{esc(d.name)}</h3>\n'
        yield f'<p class="dlabel">{esc(d.label)}</p>\n'
        if d.note:
            yield f'<p class="dnote"><span class="flag" aria-hidden="true">⚠</span> {esc(d.note)}</p>\n'
        if d.abstract is not None:
            yield f'<p class="abstract"{tgt_attr} dir="auto">{esc(d.abstract)}</p>\n'
        if d.sentences:
            yield '<ol class="dsents">\n'
            for line in d.sentences:
                yield _digest_row(line, linked, src_attr, tgt_attr, shown)
            yield "</ol>\n"
        elif d.abstract is None:
            yield '<p class="dnote">No sentence in this digest.</p>\n'
        yield "</div>\n"
    yield "</section>\n"


def _page_title(metadata: dict, first: TranslatedParagraph | None, fallback: str = "Bilingual reading page") -> str:
    """The page's ``<title>``: the source's own title, else the article's first line (its title
    or heading, when it opens with one), else the input's file name, else ``fallback``."""
    if metadata.get("title"):
        return str(metadata["title"])
    line = (first.translation or first.source).strip().split("\n", 1)[0] if first is not None else ""
    if line:
        return line if len(line) <= 120 else line[:119].rstrip() + "…"
    return str(metadata.get("filename") or fallback)


def render_page(paragraphs: Iterable[TranslatedParagraph], info: Mapping[str, Any], layout: str = "lines",
                metadata: dict | None = None, digests: Sequence[PageDigest] = (),
                tool: str = "translate") -> Iterator[str]:
    """Stream one self-contained HTML5 reading page: metadata header, digests (when given), then
    the article, source and translation side by side per paragraph.

    ``info``: the options as they ran (``Translator.info``: model, revision, backend, device...;
    ``translated_at`` overrides the time shown). ``metadata``: what the source said about itself
    (title, url, date, author, sitename, language; ``filename`` titles a page without paragraphs).
    ``paragraphs`` may be a lazy iterator: the page is written as they come (only the first one is
    looked at before the page starts) — except under digests, which show their sentences as the
    article does. ``tool``: the command named in the footer. Digests without paragraphs (digests in
    the article's own language) stand alone: no empty article, and the footer counts the digests.
    """
    metadata = dict(metadata or {})
    info = dict(info or {})
    if digests:
        paragraphs = list(paragraphs)
    shown = {sentence_id(p.index, s.index): s for p in paragraphs for s in p.sentences} if digests else {}
    stream = iter(paragraphs)
    first = next(stream, None)
    rest: Iterable[TranslatedParagraph] = chain([first], stream) if first is not None else ()
    src_lang, tgt_lang = _languages(info, metadata)
    article_title = first is not None and first.kind == "title"
    doc_title = _page_title(metadata, first, "Digests" if digests else "Bilingual reading page")
    header_title = metadata.get("title") if not article_title else None
    if digests and article_title:  # the digests come first: the page opens with the article's title
        header_title = _page_title({}, first)
    src_attr = f' lang="{src_lang}"' if src_lang else ""
    tgt_attr = f' lang="{tgt_lang}"' if tgt_lang else ""
    from ..version import __version__

    yield ("<!DOCTYPE html>\n"
           f'<html lang="{tgt_lang or "en"}">\n<head>\n<meta charset="utf-8">\n'
           f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
           '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           '<meta name="referrer" content="no-referrer">\n'
           '<meta name="color-scheme" content="light dark">\n'
           f'<meta name="generator" content="{esc(tool)} {esc(__version__)}">\n'
           '<link rel="icon" href="data:,">\n'
           f"<title>{esc(doc_title)}</title>\n<style>\n{_css(len(digests))}</style>\n</head>\n<body>\n")
    yield _header(info, metadata, header_title, src_lang, tgt_lang, "Summarized" if digests else "Translated")
    yield _toolbar(digests)
    yield "<main>\n"
    if digests:
        yield from _digests(digests, first is not None, src_attr, tgt_attr, shown)
    writer = _Writer(src_lang, tgt_lang)
    if first is not None or not digests:  # (the digests alone: no empty article under them)
        yield '<article class="article" aria-label="Article">\n'
        src_head, tgt_head = (f" ({lang})" if lang else "" for lang in (src_lang, tgt_lang))
        yield (f'<div class="row colheads" aria-hidden="true"><div class="src">Source{esc(src_head)}</div>'
               f'<div class="tgt">Translation{esc(tgt_head)}</div></div>\n')
        for p in rest:
            yield from writer.paragraph(p)
        yield from writer.close()
        yield "</article>\n"
    yield "</main>\n"
    c = writer.counts
    if digests and first is None:  # the digests alone: no article to count
        counts = f"{len(digests)} digest{'s' if len(digests) != 1 else ''} · "
    else:
        counts = (f'{c["paragraphs"]} paragraphs · {c["sentences"]} sentences · {c["suspect"]} suspect · '
                  f'{c["passthrough"]} shown as is · ')
    yield f'<footer class="foot">{counts}{esc(tool)} {esc(__version__)}</footer>\n'
    yield f"<script>\n{_asset('page.js')}</script>\n</body>\n</html>\n"


@cache
def _asset(name: str) -> str:
    """A file of the page shipped with the package (``page.css``, ``page.js``: package data), read once."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _css(n_digests: int) -> str:
    tabs = "\n".join(f".digests:has(#dg-{i}:checked) #dgp-{i}{{display:block}}" for i in range(n_digests))
    return _asset("page.css") + tabs + "\n"
