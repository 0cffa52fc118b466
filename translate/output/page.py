"""The bilingual reading page: one self-contained HTML5 file (inline CSS, a tiny optional inline
script, no external resource of any kind), source and translation side by side per paragraph.

Everything that comes from the input, the metadata or the options is escaped; a strict Content
Security Policy (``default-src 'none'``) makes sure that nothing the page holds can load anything.
Each sentence is a ``<span data-s="p3-s1">`` in both columns (and in the digests), so that hovering
or tapping one highlights its counterparts; suspect sentences carry their reason, passthrough
text is shown as is. The toolbar (Source / Both / Translation) works without the script.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from itertools import chain

from ..document import TranslatedParagraph, TranslatedSentence

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
_LANG = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
_ORDERED = re.compile(r"^\d+[.)]$")


@dataclass(frozen=True)
class PageDigest:
    """One digest as the page shows it (so that ``translate`` needs nothing from ``summarize``).

    ``sentences``: ``(source, translation or None, paragraph index, sentence index)`` in document
    order; ``label`` describes the digest (e.g. ``short — 71 of 75 words``)."""

    name: str
    label: str
    sentences: tuple[tuple[str, str | None, int, int], ...] = ()
    note: str | None = None
    abstract: str | None = None


def esc(value: object) -> str:
    """Escape anything for HTML text and attribute values (quotes included)."""
    return escape("" if value is None else str(value), quote=True)


def _lang(code: object) -> str:
    return str(code) if code and _LANG.match(str(code)) else ""


def _languages(info: dict, metadata: dict) -> tuple[str, str]:
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


def sentence_id(paragraph: int, sentence: int) -> str:
    return f"p{int(paragraph)}-s{int(sentence)}"


# ---------------------------------------------------------------------------------------------
# Sentences inside one column
# ---------------------------------------------------------------------------------------------

def _span(p: TranslatedParagraph, s: TranslatedSentence, text: str, side: str) -> str:
    classes = ["s"]
    title = ""
    if s.status == "suspect":
        classes.append("suspect")
        title = f"suspect: {s.reason}" if s.reason else "suspect"
    elif s.status == "passthrough":
        classes.append("pass")
        title = "shown as is" + (f": {s.reason}" if s.reason else "")
    if side == "tgt" and not s.translation:
        classes.append("empty")
        title = title or "no translation: the source is shown"
    attrs = f' class="{" ".join(classes)}" data-s="{sentence_id(p.index, s.index)}"'
    if title:
        attrs += f' title="{esc(title)}"'
    return f"<span{attrs}>{esc(text)}</span>"


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
    found, pos = [], 0
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
            key = ("table", group)
            if self.container != key:
                yield from self.close()
                self.container = key
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

def _when(info: dict, metadata: dict) -> str:
    when = info.get("translated_at") or metadata.get("translated_at")
    if when:
        return str(when)
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _header(info: dict, metadata: dict, title: str | None, src_lang: str, tgt_lang: str) -> str:
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
    translation = info.get("translation") if isinstance(info.get("translation"), dict) else {}
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
        row("Languages", esc(f"{src_lang or '?'} → {tgt_lang or '?'}"))
    row("Translated", esc(_when(info, metadata)))
    heading = f'<h1 class="page-title" dir="auto">{esc(title)}</h1>' if title else ""
    return f'<header class="meta">{heading}<dl>{"".join(rows)}</dl></header>\n'


_TOOLBAR = """<form class="toolbar" aria-label="Columns" onsubmit="return false">
<fieldset><legend>Show</legend>
<label><input type="radio" name="view" id="view-src" value="src"> Source</label>
<label><input type="radio" name="view" id="view-both" value="both" checked> Both</label>
<label><input type="radio" name="view" id="view-tgt" value="tgt"> Translation</label>
</fieldset>
<span class="legend"><span class="s suspect">suspect</span> <span class="s pass">as is</span>
<span class="hint">hover or tap a sentence to see its counterpart</span></span>
</form>
"""


def _digest_row(source: str, translation: str, key: str, jump: str, src_attr: str, tgt_attr: str,
                shown: TranslatedSentence | None) -> str:
    """A translated digest sentence; when the article below shows it (same place, same source), as
    shown there — its rendering, and its ⚠ and reason when suspect."""
    tgt = f'<span class="s" data-s="{key}">{esc(translation)}</span>'
    if shown is not None and shown.source == source:
        tgt = f'<span class="s" data-s="{key}">{esc(shown.translation or shown.source)}</span>'
        if shown.status == "suspect":
            reason = shown.reason or "suspect"
            tgt = (f'<span class="s suspect" data-s="{key}" title="{esc("suspect: " + reason)}">'
                   f'{esc(shown.translation or shown.source)}</span><small class="notes" lang="en">'
                   f'<span class="note" data-s="{key}"><span class="flag" aria-hidden="true">⚠</span> {esc(reason)}'
                   '</span></small>')
    return (f'<li class="row"><div class="src"{src_attr} dir="auto"><span class="s" data-s="{key}">{esc(source)}'
            f'</span>{jump}</div><div class="tgt"{tgt_attr} dir="auto">{tgt}</div></li>\n')


def _digests(digests: Sequence[PageDigest], linked: bool, src_attr: str, tgt_attr: str,
             shown: dict[str, TranslatedSentence]) -> Iterator[str]:
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
            for source, translation, para, sent in d.sentences:
                key = sentence_id(para, sent)
                jump = f' <a class="jump" href="#p{int(para)}" title="in the article">¶</a>' if linked else ""
                if translation is None:
                    yield (f'<li class="row mono"><div class="src"{src_attr} dir="auto">'
                           f'<span class="s" data-s="{key}">{esc(source)}</span>{jump}</div></li>\n')
                else:
                    yield _digest_row(source, translation, key, jump, src_attr, tgt_attr, shown.get(key))
            yield "</ol>\n"
        elif d.abstract is None:
            yield '<p class="dnote">No sentence in this digest.</p>\n'
        yield "</div>\n"
    yield "</section>\n"


def _page_title(metadata: dict, first: TranslatedParagraph | None) -> str:
    """The page's ``<title>``: the source's own title, else the article's first line (its title
    or heading, when it opens with one), else the input's file name."""
    if metadata.get("title"):
        return str(metadata["title"])
    line = (first.translation or first.source).strip().split("\n", 1)[0] if first is not None else ""
    if line:
        return line if len(line) <= 120 else line[:119].rstrip() + "…"
    return str(metadata.get("filename") or "Bilingual reading page")


def render_page(paragraphs: Iterable[TranslatedParagraph], info: dict, layout: str = "lines",
                metadata: dict | None = None, digests: Sequence[PageDigest] = (),
                tool: str = "translate") -> Iterator[str]:
    """Stream one self-contained HTML5 reading page: metadata header, digests (when given), then
    the article, source and translation side by side per paragraph.

    ``info``: the options as they ran (``Translator.info``: model, revision, backend, device...;
    ``translated_at`` overrides the time shown). ``metadata``: what the source said about itself
    (title, url, date, author, sitename, language; ``filename`` titles a page without paragraphs).
    ``paragraphs`` may be a lazy iterator: the page is written as they come (only the first one is
    looked at before the page starts) — except under digests, which show their sentences as the
    article does. ``tool``: the command named in the footer.
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
    doc_title = _page_title(metadata, first)
    header_title = metadata.get("title") if not article_title else None
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
    yield _header(info, metadata, header_title, src_lang, tgt_lang)
    yield _TOOLBAR
    yield "<main>\n"
    if digests:
        yield from _digests(digests, first is not None, src_attr, tgt_attr, shown)
    writer = _Writer(src_lang, tgt_lang)
    yield '<article class="article" aria-label="Article">\n'
    src_head, tgt_head = (f" ({lang})" if lang else "" for lang in (src_lang, tgt_lang))
    yield (f'<div class="row colheads" aria-hidden="true"><div class="src">Source{esc(src_head)}</div>'
           f'<div class="tgt">Translation{esc(tgt_head)}</div></div>\n')
    for p in rest:
        yield from writer.paragraph(p)
    yield from writer.close()
    yield "</article>\n</main>\n"
    c = writer.counts
    yield (f'<footer class="foot">{c["paragraphs"]} paragraphs · {c["sentences"]} sentences · '
           f'{c["suspect"]} suspect · {c["passthrough"]} shown as is · {esc(tool)} {esc(__version__)}</footer>\n')
    yield f"<script>\n{_SCRIPT}</script>\n</body>\n</html>\n"


# Highlight a sentence's counterparts on hover (mouse) and on tap (touch); nothing else.
_SCRIPT = """(function () {
  var lit = [];
  function clear() { lit.forEach(function (e) { e.classList.remove('hl'); }); lit = []; }
  function light(target) {
    var el = target && target.closest ? target.closest('[data-s]') : null;
    if (el && lit.indexOf(el) >= 0) return;
    clear();
    if (!el) return;
    var key = el.getAttribute('data-s');
    lit = Array.prototype.slice.call(document.querySelectorAll('[data-s="' + CSS.escape(key) + '"]'));
    lit.forEach(function (e) { e.classList.add('hl'); });
  }
  document.addEventListener('mouseover', function (ev) { light(ev.target); });
  document.addEventListener('click', function (ev) { light(ev.target); });
  document.addEventListener('mouseleave', clear);
})();
"""


def _css(n_digests: int) -> str:
    tabs = "\n".join(f".digests:has(#dg-{i}:checked) #dgp-{i}{{display:block}}" for i in range(n_digests))
    return _CSS + tabs + "\n"


_CSS = """:root{--bg:#fdfcfa;--fg:#1f2328;--muted:#5f6670;--line:#e3e0da;--card:#f4f1ec;--accent:#1a5fb4;
--hl:#ffe79a;--suspect:#b35900;--suspect-bg:#fff1e0;--pass:#6b6f76;--tab:#ffffff}
@media (prefers-color-scheme:dark){:root{--bg:#16181c;--fg:#e6e6e6;--muted:#a0a6ad;--line:#30343a;
--card:#1f2227;--accent:#8ab4f8;--hl:#5c4a00;--suspect:#ffb366;--suspect-bg:#3a2611;--pass:#9aa0a6;--tab:#23262b}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:17px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,
"Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif}
main,.meta,.toolbar,.foot{max-width:1180px;margin:0 auto;padding:0 20px}
a{color:var(--accent)}
code{font-size:.9em;overflow-wrap:anywhere}
.meta{padding-top:22px}
.page-title{font-size:1.7rem;line-height:1.25;margin:0 0 8px}
.meta dl{display:flex;flex-wrap:wrap;gap:4px 22px;margin:0;font-size:.86rem;color:var(--muted)}
.meta dl div{display:flex;gap:6px;min-width:0}
.meta dt{font-weight:600}
.meta dd{margin:0;overflow-wrap:anywhere}
.toolbar{position:sticky;top:0;z-index:2;display:flex;flex-wrap:wrap;align-items:center;gap:6px 18px;
padding-top:10px;padding-bottom:10px;background:var(--bg);border-bottom:1px solid var(--line);font-size:.9rem}
.toolbar fieldset{border:0;margin:0;padding:0;display:flex;align-items:center;gap:4px}
.toolbar legend{float:left;margin-right:6px;color:var(--muted);font-weight:600}
.toolbar label{display:inline-flex;align-items:center;gap:4px;padding:3px 10px;border:1px solid var(--line);
border-radius:999px;cursor:pointer;background:var(--tab)}
.toolbar label:has(input:checked){border-color:var(--accent);color:var(--accent);font-weight:600}
.toolbar input{accent-color:var(--accent);margin:0}
.legend{color:var(--muted);display:flex;flex-wrap:wrap;gap:4px 10px;align-items:center}
.hint{font-size:.85em}
.row{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);column-gap:36px;margin:0;padding:0}
.row>.src,.row>.tgt{min-width:0;margin:0 0 .9em}
.src{color:var(--fg)}
.tgt{color:var(--fg)}
.article{padding:6px 0 30px}
.colheads{position:relative;font-size:.75rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);
border-bottom:1px solid var(--line);margin:14px 0 14px}
.colheads>div{margin:0 0 4px}
.k-title h1{font-size:1.6rem;line-height:1.3;margin:.2em 0 .5em}
h2,h3,h4,h5,h6{line-height:1.3;margin:.9em 0 .4em}
.k-heading h2{font-size:1.3rem}.k-heading h3{font-size:1.15rem}
.k-heading h4,.k-heading h5,.k-heading h6{font-size:1.02rem}
p.subtitle{font-size:1.08rem;color:var(--muted);font-style:italic}
p.caption{font-size:.88rem;color:var(--muted)}
blockquote.row{border-left:3px solid var(--line);padding-left:14px;margin-left:0;font-style:italic}
ul.list,ol.list{list-style:none;margin:0 0 .6em;padding:0}
li.row>div{margin-bottom:.35em}
.marker{color:var(--muted);display:inline-block;min-width:1.4em}
.lv1>div{padding-left:1.4em}.lv2>div{padding-left:2.8em}.lv3>div{padding-left:4.2em}
.lv4>div,.lv5>div{padding-left:5.6em}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font:.88rem/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
background:var(--card);padding:10px 12px;border-radius:6px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.92rem;width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--card)}
.s{border-radius:3px;transition:background-color .12s;cursor:default}
.s:hover,.s.hl{background:var(--hl);box-shadow:0 0 0 2px var(--hl)}
.s.suspect{text-decoration:underline wavy var(--suspect);text-decoration-thickness:1px;text-underline-offset:3px;
background:var(--suspect-bg)}
.tgt .s.suspect::after{content:"\\26A0";color:var(--suspect);font-size:.75em;vertical-align:super;margin-left:1px}
.src .s.suspect{text-decoration:none}
.s.suspect.hl,.s.suspect:hover{background:var(--hl)}
.note.hl{background:var(--hl);border-radius:3px}
.s.pass{color:var(--pass)}
.s.empty{font-style:italic;color:var(--pass)}
.legend .s{padding:0 4px}
.notes{display:block;margin:.3em 0 0;font-size:.8rem;line-height:1.45;color:var(--suspect);font-style:normal;
font-weight:normal}
.note{display:block}
.flag{color:var(--suspect)}
.digests{margin:18px 0 6px;padding:14px 18px 8px;background:var(--card);border-radius:10px}
.digests h2{font-size:1.05rem;margin:0 0 8px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.tabs{display:flex;flex-wrap:wrap;gap:6px;margin-bottom:10px}
.tab-input{position:absolute;opacity:0;width:1px;height:1px;pointer-events:none}
.tab{padding:3px 12px;border-radius:999px;border:1px solid var(--line);background:var(--tab);cursor:pointer;
font-size:.9rem}
.tab-input:checked+.tab{border-color:var(--accent);color:var(--accent);font-weight:600}
.tab-input:focus-visible+.tab{outline:2px solid var(--accent);outline-offset:2px}
.panel{display:none}
.panel-title{display:none}
.dlabel{font-size:.85rem;color:var(--muted);margin:0 0 8px}
.dnote{font-size:.85rem;color:var(--suspect);margin:0 0 8px}
.abstract{margin:0 0 10px}
.dsents{list-style:none;margin:0;padding:0}
.dsents li.row>div{margin:0 0 .55em}
.row.mono{grid-template-columns:minmax(0,1fr)}
.jump{text-decoration:none;font-size:.85em;margin-left:4px;opacity:.6}
.jump:hover{opacity:1}
.foot{color:var(--muted);font-size:.8rem;padding-top:14px;padding-bottom:30px;border-top:1px solid var(--line)}
body:has(#view-src:checked) main .tgt,body:has(#view-tgt:checked) main .src{display:none}
body:has(#view-src:checked) main .row,body:has(#view-tgt:checked) main .row{grid-template-columns:minmax(0,1fr)}
body:has(#view-src:checked) main .row,body:has(#view-tgt:checked) main .row{max-width:760px}
@media (max-width:720px){
body{font-size:16px}
main,.meta,.toolbar,.foot{padding:0 14px}
.meta{padding-top:14px}.toolbar{position:static;padding-top:8px;padding-bottom:8px}
.row{grid-template-columns:minmax(0,1fr)}
.row>.src{margin-bottom:.25em}
.row>.tgt{margin-bottom:1.1em}
body:not(:has(#view-src:checked)):not(:has(#view-tgt:checked)) .article .row>.src{font-size:.9em;color:var(--muted)}
.colheads{display:none}
.hint{display:none}
}
@media print{
:root{--bg:#fff;--fg:#000;--muted:#444;--card:#f3f3f3;--line:#bbb}
body{font-size:11pt}
.toolbar,.tabs,.jump,.hint{display:none !important}
main .src,main .tgt{display:block !important}
main .row{grid-template-columns:minmax(0,1fr) minmax(0,1fr) !important;max-width:none !important}
main .row.mono{grid-template-columns:minmax(0,1fr) !important}
.row,li,tr,pre,blockquote{break-inside:avoid}
h1,h2,h3,h4,h5,h6{break-after:avoid}
.panel{display:block !important;margin-bottom:10px}
.panel-title{display:block;font-size:1rem;margin:.4em 0 .2em}
.digests{background:none;padding:0}
.s.hl{background:none;box-shadow:none}
.meta a::after{content:""}
}
"""
