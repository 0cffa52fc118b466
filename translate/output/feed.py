"""Writers of a translated feed: RSS 2.0, Atom 1.0, a bilingual HTML page and JSONL.

Each writer streams: ``start`` returns the document's opening, ``item`` one item's text, ``end``
its closing; the caller writes them as they come, so a 50,000-item feed is never held whole.

A feed is hostile input and a translated feed is read by other programs, so every string written
into XML goes through :func:`xml_text` / :func:`xml_cdata` (characters XML 1.0 forbids removed,
then escaped; ``]]>`` never ends a CDATA section early), and a link is written only when it is an
http(s) URL: a ``javascript:`` link is dropped, its item kept. The HTML page runs no script at all
(its Content Security Policy forbids them) and escapes everything the feed says.

With titles only (``titles_only=True``) an item's RSS description / Atom content is the feed's own
text, not dropped: a reader subscribing to translated titles still reads the item. That text is
HTML from a stranger, so it is cleaned first (lxml_html_clean: scripts, styles, forms, frames,
``on*`` attributes and non-http(s) links removed); the HTML page and JSONL carry no text then.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape
from importlib import resources
from typing import Any, Literal, Protocol

from ..errors import UsageError
from .formats import FEED_FORMATS
from ..sources.feed.items import Enclosure, FeedInfo, ItemParagraph, TranslatedItem

TitleMode = Literal["translated", "bilingual"]

# the feed page runs no script; images only from https or data: (none are written today)
FEED_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:"
TITLE_JOINER = " · "

# XML 1.0 forbids C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF; C1 controls are
# allowed but "discouraged" and never text a reader wants, so they go too.
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_HTTP_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.IGNORECASE)
_LANG = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")


# ---------------------------------------------------------------------------------------------
# The few functions every string goes through
# ---------------------------------------------------------------------------------------------

def clean_text(value: object) -> str:
    """``value`` as text that any XML 1.0 (and HTML) document may hold: forbidden characters removed."""
    return _NOT_XML.sub("", "" if value is None else str(value))


def xml_text(value: object) -> str:
    """``value`` cleaned and escaped for XML text and attribute values (quotes included)."""
    return escape(clean_text(value), quote=True)


def xml_cdata(value: object) -> str:
    """``value`` cleaned, as a CDATA section: a ``]]>`` inside it is split across two sections."""
    return "<![CDATA[" + clean_text(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def safe_url(value: object) -> str | None:
    """``value`` when it is an absolute http(s) URL, else ``None`` (a ``javascript:``, ``data:`` or
    relative link is never written as a link)."""
    text = clean_text(value).strip()
    return text if _HTTP_URL.match(text) else None


def _lang(code: object) -> str:
    return str(code) if code and _LANG.match(str(code)) else ""


def _parse_iso(value: str) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def rfc822(value: str) -> str:
    """An ISO 8601 date as RSS wants it (RFC 822, GMT); "" when it is not a date."""
    when = _parse_iso(value)
    return format_datetime(when.astimezone(timezone.utc), usegmt=True) if when else ""


def rfc3339(value: str) -> str:
    """An ISO 8601 date as Atom wants it (RFC 3339, UTC ``Z``); "" when it is not a date."""
    when = _parse_iso(value)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if when else ""


def _now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def item_anchor(n: int) -> str:
    """The anchor of the ``n``-th item (0-based, in the order written) in the HTML page."""
    return f"item-{int(n)}"


def shown_title(t: TranslatedItem, titles: TitleMode) -> str:
    """The item's title as the feed shows it: the translation (the original when there is none),
    or "translation · original" with bilingual titles."""
    return _title(t.title, t.item.title, titles)


def _title(translation: str, original: str, titles: TitleMode) -> str:
    if not translation:
        return original
    if titles == "bilingual" and original and original.strip() != translation.strip():
        return f"{translation}{TITLE_JOINER}{original}"
    return translation


def _shown(p: ItemParagraph) -> str:
    return p.translation or p.source


def paragraphs_html(paragraphs: tuple[ItemParagraph, ...]) -> str:
    """The translated text as an HTML fragment: one element per paragraph, all text escaped."""
    out: list[str] = []
    in_list = False
    for p in paragraphs:
        text = escape(clean_text(_shown(p)), quote=False)
        if p.kind == "list_item":
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{text}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if p.kind in ("title", "heading"):
            out.append(f"<h3>{text}</h3>")
        elif p.kind == "quote":
            out.append(f"<blockquote><p>{text}</p></blockquote>")
        elif p.kind == "verbatim":
            out.append(f"<pre>{text}</pre>")
        else:
            out.append(f"<p>{text}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def sanitize_html(fragment: str) -> str:
    """The feed's own HTML made harmless for a reader: no script, style, form, frame, embedded
    object, ``on*`` attribute, nor any link or source that is not http(s)."""
    fragment = clean_text(fragment)
    if not fragment.strip():
        return ""
    from lxml import etree, html as lhtml
    from lxml_html_clean import Cleaner

    cleaner = Cleaner(scripts=True, javascript=True, comments=True, style=True, inline_style=True, links=True,
                      meta=True, page_structure=True, processing_instructions=True, embedded=True, frames=True,
                      forms=True, annoying_tags=True, remove_unknown_tags=True, safe_attrs_only=True,
                      add_nofollow=False)
    try:
        root = lhtml.fragment_fromstring(fragment, create_parent="div")
        root = cleaner.clean_html(root)
    except (etree.ParserError, ValueError):  # nothing parseable: the text, escaped
        return escape(fragment, quote=False)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name in ("href", "src", "cite", "action", "background", "poster", "longdesc", "srcset", "usemap"):
            if name in el.attrib and (name == "srcset" or safe_url(el.attrib[name]) is None):
                del el.attrib[name]
    inner = (escape(root.text, quote=False) if root.text else "") + "".join(
        lhtml.tostring(child, encoding="unicode") for child in root)
    return clean_text(inner)


# ---------------------------------------------------------------------------------------------
# The writers
# ---------------------------------------------------------------------------------------------

class FeedWriter(Protocol):
    """One output format of a translated feed; each call returns text for the caller to write."""

    def start(self, info: FeedInfo, *, target_language: str, header: Mapping[str, Any],
              translated_title: str | None = None, translated_description: str | None = None,
              self_url: str | None = None, merged: bool = False, generated: str | None = None) -> str:
        """The document's opening. ``translated_title``/``translated_description``: the channel's, when the
        caller translated them (else the source's); ``self_url``: where this feed is served (atom:link
        rel=self); ``merged``: items come from several feeds (each names its own); ``generated``: the build
        time, ISO 8601 (default now); ``header``: options and model (JSONL's header record, the page's)."""
        ...

    def item(self, t: TranslatedItem) -> str: ...

    def end(self) -> str: ...


class _Base:
    """What every writer shares: its options, and the feed's description once ``start`` is called."""

    def __init__(self, titles: TitleMode, titles_only: bool, tool: str) -> None:
        self.titles = titles
        self.titles_only = titles_only
        self.tool = tool
        self.info = FeedInfo(source="")
        self.target = ""
        self.merged = False
        self.count = 0

    def _setup(self, info: FeedInfo, target_language: str, merged: bool) -> None:
        self.info, self.target, self.merged, self.count = info, target_language, merged, 0

    def _generator(self) -> str:
        from ..version import __version__

        return f"{self.tool} {__version__}"

    def _feed_id(self) -> str:
        """This translated feed's own id: stable for one source and target, distinct from the source's."""
        return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.info.source}#translated-to={self.target}"))


_NS = ('xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
       'xmlns:content="http://purl.org/rss/1.0/modules/content/"')


def _enclosure_length(e: Enclosure) -> str:
    return e.length.strip() if e.length.strip().isdigit() else "0"


class RssWriter(_Base):
    """RSS 2.0. An item keeps its link, guid (exactly), date, author, categories and enclosures;
    RSS allows one ``<enclosure>`` per item, so the others follow as ``atom:link rel="enclosure"``."""

    def start(self, info: FeedInfo, *, target_language: str, header: Mapping[str, Any],
              translated_title: str | None = None, translated_description: str | None = None,
              self_url: str | None = None, merged: bool = False, generated: str | None = None) -> str:
        self._setup(info, target_language, merged)
        title = _title(translated_title or "", info.title, self.titles) or info.source
        description = translated_description or info.description or title
        link = safe_url(info.link) or safe_url(self_url) or safe_url(info.source)
        parts = ['<?xml version="1.0" encoding="utf-8"?>\n', f'<rss version="2.0" {_NS}>\n<channel>\n',
                 f"<title>{xml_text(title)}</title>\n"]
        if link:
            parts.append(f"<link>{xml_text(link)}</link>\n")
        parts.append(f"<description>{xml_text(description)}</description>\n")
        if _lang(target_language):
            parts.append(f"<language>{xml_text(target_language)}</language>\n")
        parts.append(f"<lastBuildDate>{rfc822(generated or _now_iso())}</lastBuildDate>\n")
        parts.append(f"<generator>{xml_text(self._generator())}</generator>\n")
        if safe_url(self_url):
            parts.append(f'<atom:link href="{xml_text(self_url)}" rel="self" type="application/rss+xml"/>\n')
        return "".join(parts)

    def item(self, t: TranslatedItem) -> str:
        it = t.item
        self.count += 1
        parts = ["<item>\n", f"<title>{xml_text(shown_title(t, self.titles))}</title>\n"]
        link = safe_url(it.link)
        if link:
            parts.append(f"<link>{xml_text(link)}</link>\n")
        if it.id:
            permalink = "true" if link and it.id == link else "false"
            parts.append(f'<guid isPermaLink="{permalink}">{xml_text(it.id)}</guid>\n')
        date = rfc822(it.published or it.updated)
        if date:
            parts.append(f"<pubDate>{date}</pubDate>\n")
        if it.author:
            parts.append(f"<dc:creator>{xml_text(it.author)}</dc:creator>\n")
        parts.extend(f"<category>{xml_text(c)}</category>\n" for c in it.categories if clean_text(c).strip())
        enclosures = [e for e in it.enclosures if safe_url(e.url)]
        for i, e in enumerate(enclosures):
            kind = xml_text(e.type or "application/octet-stream")
            if i == 0:
                parts.append(f'<enclosure url="{xml_text(e.url.strip())}" length="{_enclosure_length(e)}" '
                             f'type="{kind}"/>\n')
            else:
                parts.append(f'<atom:link rel="enclosure" href="{xml_text(e.url.strip())}" '
                             f'length="{_enclosure_length(e)}" type="{kind}"/>\n')
        body = sanitize_html(it.html) if self.titles_only else paragraphs_html(t.paragraphs)
        if body:
            parts.append(f"<description>{xml_cdata(body)}</description>\n")
        feed_url = safe_url(it.feed)
        if self.merged and feed_url:
            parts.append(f'<source url="{xml_text(feed_url)}">{xml_text(it.feed_title or feed_url)}</source>\n')
        parts.append("</item>\n")
        return "".join(parts)

    def end(self) -> str:
        return "</channel>\n</rss>\n"


class AtomWriter(_Base):
    """Atom 1.0 with ``xml:lang`` = the target. An entry's id is the item's id, exactly (a feed's
    guid need not be a URI: kept anyway, so that a reader recognises the item)."""

    def start(self, info: FeedInfo, *, target_language: str, header: Mapping[str, Any],
              translated_title: str | None = None, translated_description: str | None = None,
              self_url: str | None = None, merged: bool = False, generated: str | None = None) -> str:
        self._setup(info, target_language, merged)
        self.generated = rfc3339(generated or "") or _now_iso()
        title = _title(translated_title or "", info.title, self.titles) or info.source
        description = translated_description or info.description
        lang = _lang(target_language)
        parts = ['<?xml version="1.0" encoding="utf-8"?>\n',
                 '<feed xmlns="http://www.w3.org/2005/Atom"' + (f' xml:lang="{lang}"' if lang else "") + ">\n",
                 f"<id>{xml_text(self._feed_id())}</id>\n", f'<title type="text">{xml_text(title)}</title>\n']
        if description:
            parts.append(f'<subtitle type="text">{xml_text(description)}</subtitle>\n')
        parts.append(f"<updated>{self.generated}</updated>\n")
        link = safe_url(info.link) or safe_url(info.source)
        if link:
            parts.append(f'<link rel="alternate" href="{xml_text(link)}"/>\n')
        if safe_url(self_url):
            parts.append(f'<link rel="self" type="application/atom+xml" href="{xml_text(self_url)}"/>\n')
        # Atom wants an author on the feed unless every entry has one: the source feed is it
        parts.append(f"<author><name>{xml_text(info.title or info.source or 'unknown')}</name></author>\n")
        from ..version import __version__

        parts.append(f'<generator version="{xml_text(__version__)}">{xml_text(self.tool)}</generator>\n')
        return "".join(parts)

    def item(self, t: TranslatedItem) -> str:
        it = t.item
        self.count += 1
        published, updated = rfc3339(it.published), rfc3339(it.updated)
        parts = ["<entry>\n", f"<id>{xml_text(it.id)}</id>\n",
                 f'<title type="text">{xml_text(shown_title(t, self.titles))}</title>\n',
                 f"<updated>{updated or published or self.generated}</updated>\n"]
        if published:
            parts.append(f"<published>{published}</published>\n")
        link = safe_url(it.link)
        if link:
            parts.append(f'<link rel="alternate" href="{xml_text(link)}"/>\n')
        for e in it.enclosures:
            if safe_url(e.url):
                kind = f' type="{xml_text(e.type)}"' if e.type else ""
                length = f' length="{xml_text(e.length.strip())}"' if e.length.strip().isdigit() else ""
                parts.append(f'<link rel="enclosure" href="{xml_text(e.url.strip())}"{kind}{length}/>\n')
        if it.author:
            parts.append(f"<author><name>{xml_text(it.author)}</name></author>\n")
        parts.extend(f'<category term="{xml_text(c)}"/>\n' for c in it.categories if clean_text(c).strip())
        body = sanitize_html(it.html) if self.titles_only else paragraphs_html(t.paragraphs)
        if body:
            parts.append(f'<content type="html">{xml_text(body)}</content>\n')
        if self.merged:
            feed_url = safe_url(it.feed)
            parts.append("<source>" + (f"<id>{xml_text(feed_url)}</id>" if feed_url else "")
                         + f"<title>{xml_text(it.feed_title or it.feed)}</title>"
                         + (f'<link rel="self" href="{xml_text(feed_url)}"/>' if feed_url else "") + "</source>\n")
        parts.append("</entry>\n")
        return "".join(parts)

    def end(self) -> str:
        return "</feed>\n"


_FEED_CSS = """.feed-items{padding:6px 0 30px}
.item{border-bottom:1px solid var(--line);padding:14px 0 8px}
.item-head{margin:0 0 10px}
.item-title{font-size:1.3rem;line-height:1.3;margin:0 0 4px}
.item-title a{text-decoration:none}
.orig-title{margin:0 0 4px;color:var(--muted);font-size:1rem}
.item-meta{font-size:.85rem;color:var(--muted);margin:0}
.item-meta span+span::before{content:" · "}
.item-note{font-size:.85rem;color:var(--suspect);margin:4px 0 0}
.item-empty{font-size:.9rem;color:var(--muted);font-style:italic}
"""


def _page_css() -> str:
    """The reading page's stylesheet (package data shared with ``page.py``) and the feed's rules."""
    return resources.files(__package__).joinpath("page.css").read_text(encoding="utf-8") + _FEED_CSS


def _esc(value: object) -> str:
    return escape(clean_text(value), quote=True)


def _link(url: str | None, text: str, cls: str = "") -> str:
    """An outgoing link when ``url`` is http(s), else the text alone."""
    if not url:
        return _esc(text)
    klass = f' class="{cls}"' if cls else ""
    return f'<a{klass} href="{_esc(url)}" rel="noopener noreferrer" target="_blank">{_esc(text)}</a>'


def _when(value: str) -> str:
    when = _parse_iso(value)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if when else clean_text(value)


class HtmlWriter(_Base):
    """A self-contained bilingual page of the whole feed, item by item (``id="item-N"``), each
    paragraph's source and translation side by side. No script: nothing from the feed runs."""

    def start(self, info: FeedInfo, *, target_language: str, header: Mapping[str, Any],
              translated_title: str | None = None, translated_description: str | None = None,
              self_url: str | None = None, merged: bool = False, generated: str | None = None) -> str:
        self._setup(info, target_language, merged)
        self.tgt_lang = _lang(target_language)
        title = translated_title or info.title or info.source or "Translated feed"
        rows = []
        source_url = safe_url(info.link) or safe_url(info.source)
        rows.append(("Feed", _link(safe_url(info.source), info.source) if info.source else ""))
        if info.link and info.link != info.source:
            rows.append(("Site", _link(source_url, info.link)))
        src_lang = _lang(info.language)
        if src_lang or self.tgt_lang:
            rows.append(("Languages", _esc(f"{src_lang or '?'} → {self.tgt_lang or '?'}")))
        model = header.get("model")
        if model:
            rows.append(("Model", f"<code>{_esc(model)}</code>"))
        rows.append(("Translated", _esc(_when(generated or _now_iso()))))
        meta = "".join(f"<div><dt>{label}</dt><dd>{value}</dd></div>" for label, value in rows if value)
        original = (f'<p class="orig-title" dir="auto"{self._attr(src_lang)}>{_esc(info.title)}</p>'
                    if translated_title and info.title and translated_title != info.title else "")
        desc = translated_description or info.description
        description = f'<p class="orig-title" dir="auto">{_esc(desc)}</p>' if desc else ""
        return ("<!DOCTYPE html>\n"
                f'<html lang="{self.tgt_lang or "en"}">\n<head>\n<meta charset="utf-8">\n'
                f'<meta http-equiv="Content-Security-Policy" content="{FEED_PAGE_CSP}">\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                '<meta name="referrer" content="no-referrer">\n'
                '<meta name="color-scheme" content="light dark">\n'
                f'<meta name="generator" content="{_esc(self._generator())}">\n'
                '<link rel="icon" href="data:,">\n'
                f"<title>{_esc(title)}</title>\n<style>\n{_page_css()}</style>\n</head>\n<body>\n"
                f'<header class="meta"><h1 class="page-title" dir="auto">{_esc(title)}</h1>{original}{description}'
                f"<dl>{meta}</dl></header>\n"
                '<div class="toolbar" role="group" aria-label="Columns">\n<fieldset><legend>Show</legend>\n'
                '<label><input type="radio" name="view" id="view-src" value="src"> Source</label>\n'
                '<label><input type="radio" name="view" id="view-both" value="both" checked> Both</label>\n'
                '<label><input type="radio" name="view" id="view-tgt" value="tgt"> Translation</label>\n'
                "</fieldset>\n</div>\n<main>\n<div class=\"feed-items\">\n")

    @staticmethod
    def _attr(lang: str) -> str:
        return f' lang="{lang}"' if lang else ""

    def item(self, t: TranslatedItem) -> str:
        it = t.item
        anchor = item_anchor(self.count)
        self.count += 1
        src_attr = self._attr(_lang(t.source_language or it.language))
        tgt_attr = self._attr(self.tgt_lang)
        link = safe_url(it.link)
        title = t.title or it.title or "(untitled)"
        parts = [f'<article class="item" id="{anchor}">\n<header class="item-head">',
                 f'<h2 class="item-title" dir="auto"{tgt_attr if t.title else src_attr}>{_link(link, title)}</h2>']
        if t.title and it.title and t.title.strip() != it.title.strip():
            parts.append(f'<p class="orig-title" dir="auto"{src_attr}>{_esc(it.title)}</p>')
        meta = []
        if it.date:
            meta.append(f"<span>{_esc(_when(it.date))}</span>")
        if it.author:
            meta.append(f'<span dir="auto">{_esc(it.author)}</span>')
        if self.merged or it.feed_title:
            meta.append(f'<span dir="auto">{_link(safe_url(it.feed), it.feed_title or it.feed)}</span>')
        if link:
            meta.append(f"<span>{_link(link, 'original')}</span>")
        if meta:
            parts.append(f'<p class="item-meta">{"".join(meta)}</p>')
        if t.note:
            parts.append(f'<p class="item-note"><span class="flag" aria-hidden="true">⚠</span> {_esc(t.note)}</p>')
        parts.append("</header>\n")
        if t.paragraphs:
            for p in t.paragraphs:
                tag = "h3" if p.kind in ("title", "heading") else "pre" if p.kind == "verbatim" else "p"
                parts.append(f'<div class="row k-{_esc(p.kind)}"><{tag} class="src"{src_attr} dir="auto">'
                             f"{_esc(p.source)}</{tag}><{tag} class=\"tgt\"{tgt_attr} dir=\"auto\">"
                             f"{self._translation(p)}</{tag}></div>\n")
        elif not self.titles_only:
            parts.append('<p class="item-empty">This item has no text.</p>\n')
        parts.append("</article>\n")
        return "".join(parts)

    @staticmethod
    def _translation(p: ItemParagraph) -> str:
        """The translation, its suspect sentences marked with their reason."""
        if not any(s.status == "suspect" for s in p.sentences):
            return _esc(_shown(p))
        spans = []
        for s in p.sentences:
            text = _esc(s.translation or s.source)
            if s.status == "suspect":
                reason = "suspect" + (f": {s.reason}" if s.reason else "")
                spans.append(f'<span class="s suspect" title="{_esc(reason)}">{text}</span>')
            else:
                spans.append(f'<span class="s">{text}</span>')
        return " ".join(spans)

    def end(self) -> str:
        return (f'</div>\n</main>\n<footer class="foot">{self.count} items · {_esc(self._generator())}</footer>\n'
                "</body>\n</html>\n")


def _json_line(record: dict[str, Any]) -> str:
    """One JSONL line (``formats.json_line``), with NEL (U+0085) escaped too: Python's
    ``str.splitlines`` breaks a line there, as it does at U+2028/U+2029."""
    from .formats import json_line

    return json_line(_json_safe(record)).replace("\x85", "\\u0085")


def _json_safe(value: Any) -> Any:
    """``value`` with lone surrogates removed from every string, so that it can be written as UTF-8."""
    if isinstance(value, str):
        return _SURROGATE.sub("", value)
    if isinstance(value, dict):
        return {_json_safe(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


class JsonlWriter(_Base):
    """A header record (``"type": "header"``: the caller's ``header``, the feed, the target), then
    one ``"type": "item"`` record per item with its paragraphs and sentences."""

    def start(self, info: FeedInfo, *, target_language: str, header: Mapping[str, Any],
              translated_title: str | None = None, translated_description: str | None = None,
              self_url: str | None = None, merged: bool = False, generated: str | None = None) -> str:
        from ..version import __version__
        self._setup(info, target_language, merged)
        record: dict[str, Any] = {"type": "header", "tool": self.tool, "version": __version__, **header}
        record["type"] = "header"
        record["feed"] = {"source": info.source, "kind": info.kind, "title": info.title, "link": info.link,
                          "description": info.description, "language": info.language, "updated": info.updated}
        if translated_title:
            record["feed"]["title_translation"] = translated_title
        if translated_description:
            record["feed"]["description_translation"] = translated_description
        record["target_language"] = target_language
        record["generated"] = generated or _now_iso()
        return _json_line(record)

    def item(self, t: TranslatedItem) -> str:
        it = t.item
        self.count += 1
        record = {"type": "item", "id": it.id, "link": it.link, "title": it.title, "title_translation": t.title,
                  "published": it.published, "updated": it.updated, "author": it.author, "feed": it.feed,
                  "feed_title": it.feed_title, "categories": list(it.categories),
                  "enclosures": [{"url": e.url, "type": e.type, "length": e.length} for e in it.enclosures],
                  "source_language": t.source_language, "text_from": t.text_from, "note": t.note,
                  "paragraphs": [{"kind": p.kind, "source": p.source, "translation": p.translation,
                                  "sentences": [{"source": s.source, "translation": s.translation, "status": s.status,
                                                 "reason": s.reason} for s in p.sentences]}
                                 for p in t.paragraphs]}
        return _json_line(record)

    def end(self) -> str:
        return ""


_WRITERS: dict[str, type[_Base]] = {"rss": RssWriter, "atom": AtomWriter, "html": HtmlWriter, "jsonl": JsonlWriter}


def feed_writer(fmt: str, *, titles: TitleMode = "translated", titles_only: bool = False,
                tool: str = "translate") -> FeedWriter:
    """A writer of a translated feed in ``fmt`` (one of ``FEED_FORMATS``). ``titles``: the
    translated title alone, or "translation · original" (``"bilingual"``). ``titles_only``: the
    items carry no translated text (RSS/Atom keep the feed's own text, cleaned)."""
    if fmt not in _WRITERS:
        raise UsageError(f"unknown feed format '{fmt}' (choose from {', '.join(FEED_FORMATS)})", option="format")
    if titles not in ("translated", "bilingual"):
        raise UsageError(f"unknown title mode '{titles}' (choose from translated, bilingual)", option="titles")
    writer: FeedWriter = _WRITERS[fmt](titles, titles_only, tool)  # type: ignore[assignment]
    return writer
