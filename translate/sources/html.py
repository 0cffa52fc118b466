"""Reading a saved web page: HTML bytes → the article as :class:`~translate.document.Block` s.

Size: a page above :data:`MAX_PAGE_BYTES` is refused with one line (an ``InputError``) saying to
save the article part instead; everything below is linear in the page's size.

Decoding: a BOM wins (UTF-16 without one is recognised by its NUL bytes); bytes that are valid
UTF-8 are UTF-8 whatever is declared (a legacy-encoded page with Chinese text is practically never
valid UTF-8, while pages re-saved as UTF-8 often keep a stale declaration); then the server's
charset (``http_charset``, from the HTTP ``Content-Type``) and the page's own declaration (``<meta
charset>``, ``http-equiv``, an XML declaration — looked for in the first bytes, then anywhere
before ``<body>``), in that order, each used only when the bytes decode with it cleanly — and, for
GBK and Big5, which often decode each other's bytes cleanly into nonsense, when the detector does
not find the other or UTF-8 (GB2312 and GBK are read as their superset GB18030, Big5 as
Big5-HKSCS, Latin-1/ASCII as Windows-1252, as browsers do); else
:func:`translate.reading.detect_encoding`. A :class:`PageWarning` names the declarations and the
encoding used when a declaration was not used, and says how many byte sequences became U+FFFD
when some did not decode. An image or other binary data is an ``InputError``.

Nesting: libxml2 stops reading a page at 2,048 open elements (256 without ``huge_tree``) and
silently drops the rest, and deep trees exhaust recursion in the extractor and in our walkers. So a
page that deep is first re-written with its excess start tags left out (:class:`_Unnester`), and
the elements of the tree deeper than :data:`MAX_DEPTH` are then flattened into plain paragraphs,
every word kept in order (:func:`_flatten`), with a :class:`PageWarning`.

Extraction (the default) uses trafilatura, the reference extractor for news pages, in its
precision mode: its default mode, on short articles, falls back to a baseline that flattens the
whole page — navigation and footer included — into one paragraph, whereas precision mode keeps the
structure. The default mode's result is used instead only when it is structured (several blocks)
and holds clearly more text (:data:`FALLBACK_GAIN`). The default mode runs only when it could win:
when precision mode found less than 1/:data:`FALLBACK_GAIN` of the page's visible text. A page
of thousands of paragraphs has runs of them joined for the extractor (:func:`_joined_paragraphs`),
which is otherwise quadratic in their number; one that still has too many is an ``InputError``. The
extractor gets the parsed tree (so the page is parsed once), with scripts, templates and hidden
elements already removed. The result is then repaired from the page's own DOM, since precision
mode loses a few things news pages have:

* figure captions (``<figcaption>``), put back after their image (or after the paragraph that
  precedes the figure) when that lies inside the extracted article;
* the title, when the ``<h1>`` lies outside the article's container, and a subtitle/standfirst
  right after it (a class such as ``subtitle``/``standfirst``/``dek``, or a line that starts
  with "——");
* layout tables (a ``<table>`` used for page layout, whose cells hold paragraphs) are unwrapped;
* short lines that are page furniture, not article: copyright lines, editor credits
  ("（责任编辑：…）"), date/source lines, and short blocks that sit in containers named like
  navigation, share bars, comments, sidebars, bylines or footers (checked only up to the
  container the article's long paragraphs share, so a page-wide wrapper never counts).

Metadata: title, author (``<meta name=author>`` first, trafilatura's otherwise, cleaned of
labels such as "作者：" or "By"), date (htmldate's fast search — meta tags, JSON-LD, ``<time>``, the
URL — else a dateline such as "发布时间：2024年10月20日" by the title; htmldate's extensive search took
seconds, loading every dateparser locale, and picked copyright years), url (canonical, else the
``url`` given), sitename, description — strings only, absent keys when unknown.

Nothing lost silently: after extraction, the long visible paragraphs of the article's container
(outside furniture containers, not mostly links) are checked against what came out, and a
:class:`PageWarning` says how many paragraphs and characters the extractor left out.

``whole_page=True`` reads every visible text block in document order instead (no extraction):
scripts, styles, templates, SVG, comments and hidden elements are skipped.
"""

from __future__ import annotations

import codecs
import copy
import datetime
import html.parser
import re
import warnings
from typing import Any

from ..document import Block, Markup, ParagraphKind, Source
from ..errors import InputError, LossWarning

MAX_PAGE_BYTES = 10_000_000  # bigger pages are refused (a news page is well under 2 MB; see benchmarks/big_page.py)
MAX_DEPTH = 100  # elements nested deeper than this are flattened into paragraphs (module docstring)
PRESCAN_BYTES = 8192  # where a page's charset declaration is looked for first (the HTML spec says 1024)
FALLBACK_GAIN = 1.5  # default mode must find this many times precision mode's text to be preferred
MIN_ARTICLE_UNITS = 20  # fewer words (a CJK character counts as one) than this: no article
SHORT_BLOCK = 60  # blocks with fewer characters than this may be dropped as page furniture
SUBTITLE_MAX = 200
EXACT_LOOKAHEAD = 400  # elements searched for one whose text is exactly a block's, before containment
EXTRACTOR_PARAGRAPHS = 2000  # more <p> than this: runs of them are joined for the extractor (_joined_paragraphs)
MAX_EXTRACTOR_TEXTS = 30_000  # more paragraph texts than this, even joined: no extraction (its time is quadratic)
LOCATE_WINDOW = 2000  # subtrees searched past the last block's element for the next block's text
DATELINE_NODES = 40  # text nodes after (and 10 before) the title searched for a dateline
BINARY_SHARE = 0.05  # more control bytes than this in a page's first 64 KiB: binary data, not a page
LOST_MIN = 20  # paragraphs (not headings) of the article with fewer characters are not checked for (_warn_if_lost)
LOST_WINDOW = 500_000  # characters of output after the last paragraph found where the next one is looked for
FULL_SEARCHES = 100  # paragraphs looked for anywhere in the output, not just after the last one found


class PageWarning(UserWarning):
    """Part of a web page could not be read as written (its encoding, its nesting) or did not come
    out; the CLI prints it as one line."""


class PageLossWarning(PageWarning, LossWarning):
    """Paragraphs of the article did not come out (the extractor left them out): counted, exit 1."""


_ENCODING_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "gb18030": "gb18030",
    "chinese": "gb18030", "csgb2312": "gb18030", "iso-ir-58": "gb18030", "x-euc-cn": "gb18030", "euc-cn": "gb18030",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-x-big5": "big5hkscs", "cn-big5": "big5hkscs",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "iso8859-1": "cp1252", "l1": "cp1252", "windows-1252": "cp1252",
    "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8",  # a declaration in ASCII bytes cannot be UTF-16
    "shift_jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949",
}
_META = re.compile(rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"\s*<\?xml\s[^>]*?encoding\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
_BODY_START = re.compile(rb"<body[\s>/]", re.IGNORECASE)
_CONTROL_BYTES = bytes([*range(9), *range(14, 27), *range(28, 32)])  # not \t \n \v \f \r, nor ESC (ISO-2022)
_SEPARATOR = "\ufffc\ufffc"  # between the paragraphs of a run joined for the extractor (_joined_paragraphs)
_INLINE_TEXT = {"a", "b", "i", "u", "s", "em", "strong", "span", "font", "small", "big", "sub", "sup", "mark", "q",
                "abbr", "cite", "code", "kbd", "samp", "var", "time", "ins", "del", "strike", "tt", "label"}
_CHINESE = {"gb18030", "big5hkscs"}  # GBK bytes often decode as Big5 without an error, and the reverse
_SIGNATURES = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
               (b"%PDF-", "a PDF document"), (b"PK\x03\x04", "a ZIP archive"), (b"\x1f\x8b", "gzip-compressed data"))
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
              "head", "title", "meta", "link", "select", "option", "datalist", "input"}
_DROP_TAGS = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas"}
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
              "wbr", "keygen", "basefont", "bgsound", "frame", "isindex"}
_RAW_TEXT_TAGS = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
                  "plaintext"}
_SIBLING_CLOSES = {"p", "li", "dt", "dd", "option", "tr", "td", "th"}  # a start tag that closes an open one alike
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_KEPT_KINDS = {*_HEADINGS, "pre"}  # flattened blocks that keep their tag (else "p")
_LEAF_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt", "figcaption",
                "td", "th", "section", "article"}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "ul", "ol", "li",
               "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "blockquote",
               "pre", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "form", "fieldset", "legend",
               "address", "hr", "br", "center", "body", "html", "details", "summary", "label", "button", "textarea"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Names of containers that hold page furniture rather than article text (class/id tokens).
_FURNITURE = re.compile(
    r"(?:^|[\s_\-])(?:nav|navbar|navigation|menu|topbar|footer|foot|copyright|share|sharing|social|related|"
    r"relation|recommend|comments?|cmt|sidebar|side|aside|rightbar|leftbar|widget|ads?|advert|promo|"
    r"breadcrumbs?|crumbs?|position|tags|keywords|editor|byline|author|info|meta|statement|disclaimer|"
    r"login|signin|subscribe|newsletter|hot|rank|ranking|paging|pagination|toolbar|fontsize|print|"
    r"onward|more|other|othernews|support|cookie|banner)(?:$|[\s_\-])", re.IGNORECASE)
_FURNITURE_TAGS = {"nav", "footer", "aside", "form"}
_COPYRIGHT = re.compile(r"©|&copy;|\bcopyright\b|版权所有|版權所有|all rights reserved|ICP备|ICP證|不得转载|不得轉載",
                        re.IGNORECASE)
_EDITOR_LINE = re.compile(r"^[【\[（(]?\s*(?:责任编辑|責任編輯|编辑|編輯|校对|校對|审核|審核|纠错|糾錯|来源|來源)"
                          r"\s*[:：]?[^】\]）)]{0,20}[】\]）)]?(?:\s*[【\[（(][^】\]）)]{0,20}[】\]）)])*$")
_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\b\d{1,2}:\d{2}\b|"
                   r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}", re.IGNORECASE)
_DATELINE_LABEL = re.compile(r"来源|來源|作者|记者|記者|编辑|編輯|发布|發布|时间|時間|字号|^by\b|\bsource\b|"
                             r"published|updated|\|", re.IGNORECASE)
_AUTHOR_LABEL = re.compile(r"^(?:作者|文|撰文|\S{0,8}?记者|\S{0,8}?記者|责任编辑|by)\s*[:：]?\s*", re.IGNORECASE)
_AUTHOR_JUNK = {"评论", "評論", "comments", "comment", "分享", "share"}
_WIRE_BYLINE = re.compile(r"[（(]\s*(?:记者|記者|reporters?:?)\s*([^）)]{1,40})[）)]", re.IGNORECASE)
_SUBTITLE_CLASS = re.compile(r"(?:^|[\s_\-])(?:subtitle|sub|subhead|subheading|standfirst|dek|deck|strapline|"
                             r"summary|fu[-_]?title|fubt|sub[-_]?title)(?:$|[\s_\-])", re.IGNORECASE)
_WS = re.compile(r"\s+")
_NO_WS = re.compile("[\\s\u3000\u200b-\u200d\u2060\ufeff\u00ad\u180e\x00-\x1f\x7f-\x9f]+")  # what _clean drops, too
_DATELINE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_PUBLISHED = re.compile(r"发布|發布|发表|發表|时间|時間|日期|published|posted|updated|date", re.IGNORECASE)
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\u180e]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


# --- decoding ---------------------------------------------------------------------------------

def _codec(label: str) -> str | None:
    """The Python codec for a charset label (browser aliases: module docstring), or None."""
    label = label.lower().strip(".:")
    try:
        return codecs.lookup(_ENCODING_ALIASES.get(label, label)).name
    except LookupError:
        return None


def _declaration(data: bytes) -> tuple[str, str] | None:
    """(label as written, codec) of the charset a page declares: an XML declaration at its start, or
    a ``<meta>`` in its first bytes or, failing that, anywhere before ``<body>``."""
    body = _BODY_START.search(data)
    head = data[:max(PRESCAN_BYTES, body.start() if body else len(data))]
    found = [m for m in (_XML_DECLARATION.match(data[:512]),) if m]
    for match in (*found, *_META.finditer(head)):
        label = match.group(1).decode("ascii", "ignore").strip(".:")
        if codec := _codec(label):
            return label, codec
    return None


def declared_encoding(data: bytes) -> str | None:
    """The Python codec for the charset a page declares (:func:`_declaration`), or None."""
    found = _declaration(data)
    return found[1] if found else None


def _bad_sequences(data: bytes, codec: str) -> tuple[str, int]:
    """``data`` decoded with U+FFFD for what does not decode, and how many byte sequences did not."""
    text = data.decode(codec, errors="replace")
    if "\ufffd" not in text:
        return text, 0
    return text, text.count("\ufffd") - data.decode(codec, errors="ignore").count("\ufffd")


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` for a page that starts with ``<`` written in UTF-16 with no BOM, its
    markup's ASCII leaving every other byte NUL."""
    head = data[:256]
    for start, zeros, name in ((b"<\x00", head[1::2], "utf-16-le"), (b"\x00<", head[0::2], "utf-16-be")):
        if head.startswith(start) and zeros.count(0) > 0.5 * len(zeros):
            return name
    return None


def _not_a_page(data: bytes) -> str | None:
    """What binary data is (an image…), or None for text."""
    if data.startswith(tuple(bom for bom, _ in _BOMS)) or _utf16_without_bom(data):
        return None
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            return what
    sample = data[:65536]
    if len(sample) - len(sample.translate(None, _CONTROL_BYTES)) > BINARY_SHARE * len(sample) + 8:
        return "binary data"
    return None


def decode_html(data: bytes, http_charset: str | None = None) -> str:
    """Decode a page's bytes (module docstring: BOM, the server's charset, the page's declaration,
    UTF-8, detector), with a :class:`PageWarning` when a declaration did not fit or bytes did not decode."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decoded(data, name, name)
    if utf16 := _utf16_without_bom(data):
        return _decoded(data, utf16, "UTF-16")
    declared = _declaration(data)
    claims = [(label, codec, who) for label, codec, who in (
        (http_charset, _codec(http_charset or ""), "the server says the page is"),
        (*(declared or ("", None)), "the page says it is")) if label and codec]
    try:  # valid UTF-8 with non-ASCII text is UTF-8 whatever is declared (a stale declaration)
        text = data.decode("utf-8")
        if not data.isascii():
            _disagreement(claims, "utf-8", "UTF-8, which its bytes are")
        return text
    except UnicodeDecodeError:
        pass
    detected: list[str] = []

    def detector() -> str:
        from ..reading import detect_encoding

        if not detected:
            detected.append(_codec(detect_encoding(data) or "") or (claims[0][1] if claims else "utf-8"))
        return detected[0]

    for label, codec, _ in claims:
        text, bad = _bad_sequences(data, codec)
        if not bad and (codec not in _CHINESE or detector() == codec or detector() not in {*_CHINESE, "utf-8"}):
            _disagreement(claims, codec, label)
            return text
    used = detector()
    label = "UTF-8" if used == "utf-8" else used
    _disagreement(claims, used, f"{label} (detected, as the bytes fit no declaration)")
    return _decoded(data, used, label)


def _decoded(data: bytes, codec: str, label: str) -> str:
    text, bad = _bad_sequences(data, codec)
    if bad:
        warnings.warn(f"{bad} byte sequence{'s' if bad > 1 else ''} of the page {'are' if bad > 1 else 'is'} not "
                      f"valid {label}: {'they' if bad > 1 else 'it'} became U+FFFD", PageWarning, stacklevel=4)
    return text


def _disagreement(claims: list[tuple[str, str, str]], used: str, label: str) -> None:
    """One warning line naming the declarations and the encoding used, when one of them was not used."""
    if any(codec != used for _, codec, _ in claims):
        said = " and ".join(f"{who} {claimed}" for claimed, _, who in claims)
        warnings.warn(f"{said}; read as {label}", PageWarning, stacklevel=4)


# --- text helpers -----------------------------------------------------------------------------

def _clean(text: str) -> str:
    """Inline text as a reader sees it: invisible and control characters gone, runs of whitespace
    (no-break and full-width spaces included) one space, trimmed."""
    text = _INVISIBLE.sub("", text.replace("\u200c", "").replace("\u200d", ""))
    text = _CONTROL.sub(" ", text)
    return _WS.sub(" ", text.replace("\u3000", " ")).strip()


def _key(text: str) -> str:
    """Whitespace-free text, for comparing what two parsers made of the same words."""
    return _NO_WS.sub("", text)


def units(text: str) -> int:
    """How much text: words, with each CJK character counting as one word."""
    return len(_CJK.findall(text)) + len(_WORD.findall(_CJK.sub(" ", text)))


def _tokens(el: Any) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".strip()


# --- the page's DOM ---------------------------------------------------------------------------

def _parse(text: str) -> Any:
    """The page's element tree with every word of the page in it, nested at most about
    :data:`MAX_DEPTH` deep (module docstring), or None when lxml finds no document."""
    root, overflowed = _lxml_parse(text)
    unwrapped = 0
    if overflowed:
        unnester = _Unnester()
        unnester.feed(text)
        unnester.close()
        root, _ = _lxml_parse("".join(unnester.out))
        unwrapped = unnester.left_out
    if root is not None:
        unwrapped += sum(_flatten(el) for el in root.xpath("/".join(["*"] * MAX_DEPTH)) if el.find("*/*") is not None)
    if unwrapped:
        warnings.warn(f"the page nests its elements more than {MAX_DEPTH} deep: {unwrapped} elements below that "
                      "depth were unwrapped, their text kept in order as plain paragraphs", PageWarning, stacklevel=4)
    return root


def _lxml_parse(text: str) -> tuple[Any, bool]:
    """The tree lxml makes of a page (None if it finds none), and whether libxml2 stopped at its depth limit."""
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except etree.ParserError:  # lxml refuses documents it finds empty
        return None, False
    return root, any("Excessive depth" in error.message for error in parser.error_log)


class _Unnester(html.parser.HTMLParser):
    """Re-writes a page that libxml2 cannot parse whole (too deep) so that no more than
    :data:`MAX_DEPTH` elements are ever open: a start tag beyond that is left out, with its end
    tag (a block's become ``<br>``, so its text stays a line of its own). Which tags close which
    follows HTML loosely (end tags close up to their match; ``p``, ``li``, cells… close their like);
    it only needs to keep the page under libxml2's limit. Comments are dropped, as the parser does."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.open: list[tuple[str, bool]] = []  # (tag, kept) of each open element
        self.counts: dict[str, int] = {}
        self.left_out = 0
        self.broken = False  # a <br> stands for the tags left out since the last text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS:
            self.out.append(self.get_starttag_text() or "")
            return
        top = self.open[-1][0] if self.open else ""
        if (top == tag and tag in _SIBLING_CLOSES) or (top == "p" and tag in _BLOCK_TAGS):
            self._pop(len(self.open) - 1)
        keep = len(self.open) < MAX_DEPTH or tag in _RAW_TEXT_TAGS
        self.open.append((tag, keep))
        self.counts[tag] = self.counts.get(tag, 0) + 1
        self.left_out += not keep
        if keep:
            self.out.append(self.get_starttag_text() or "")
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if not self.counts.get(tag):
            return  # a stray end tag: the parser would ignore it too
        at = len(self.open) - 1
        while self.open[at][0] != tag:
            at -= 1
        kept = self.open[at][1]
        self._pop(at)
        if kept:
            self.out.append(f"</{tag}>")
        elif tag in _BLOCK_TAGS:
            self._break()

    def _break(self) -> None:
        if not self.broken:
            self.out.append("<br>")
            self.broken = True

    def _pop(self, at: int) -> None:
        for tag, _ in self.open[at:]:
            self.counts[tag] -= 1
        del self.open[at:]

    def handle_data(self, data: str) -> None:
        self.out.append(data)
        self.broken = self.broken and not data.strip()

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")


def _flatten(el: Any) -> int:
    """Replace ``el``'s descendants by one paragraph for each run of their visible text between
    block boundaries (headings and ``pre`` keep their tag), in order; return how many elements went.
    Iterative: the subtree may be as deep as libxml2 allows."""
    from lxml import etree

    runs: list[tuple[str, str, int]] = []  # (tag, text, line)
    pieces: list[str] = [el.text or ""]
    kinds = [el.tag if el.tag in _KEPT_KINDS else "p"]
    line, skipping, removed = el.sourceline or 0, 0, 0

    def flush(next_line: int) -> None:
        nonlocal pieces, line
        if (text := "".join(pieces)).strip():
            runs.append((kinds[-1], text, line))
        pieces, line = [], next_line

    for event, node in etree.iterwalk(el, events=("start", "end")):
        if node is el:
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            removed += 1
            if skipping or not tag or tag in _SKIP_TAGS or _hidden(node):
                skipping += 1
            elif tag in _BLOCK_TAGS:
                flush(node.sourceline or 0)
                kinds.append(tag if tag in _KEPT_KINDS else "p")
            if not skipping:
                pieces.append(node.text or "")
            continue
        if skipping:
            skipping -= 1
            if skipping:
                continue
        elif tag in _BLOCK_TAGS:
            flush(node.sourceline or 0)
            kinds.pop()
        pieces.append(node.tail or "")
    flush(0)
    for child in list(el):
        el.remove(child)
    el.text = None
    if len(runs) == 1 and runs[0][0] == kinds[0]:  # inline nesting only: one text, the element kept
        el.text = runs[0][1]
        return removed
    if el.tag not in _BLOCK_TAGS or el.tag in _KEPT_KINDS or el.tag == "p":
        el.tag = "div"  # it now holds paragraphs
    for tag, text, at in runs:
        child = el.makeelement(tag, {})
        child.text = text
        if at:
            child.sourceline = at
        el.append(child)
    return removed


def _drop_invisible(root: Any, keep: Any = None) -> None:
    """Remove scripts, styles, templates… and hidden elements (their tails stay); ``keep(el)`` spares some."""
    for el in list(root.iter()):
        if isinstance(el.tag, str) and (el.tag in _DROP_TAGS or _hidden(el)) and el.getparent() is not None \
                and not (keep and keep(el)):
            el.drop_tree()


def _json_ld(el: Any) -> bool:
    """A JSON-LD script: metadata (author, date) for the extractor, not text."""
    return el.tag == "script" and "ld+json" in (el.get("type") or "").lower()


def _hidden(el: Any) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if el.tag == "input" and (el.get("type") or "").lower() == "hidden":
        return True
    return bool(_HIDDEN_STYLE.search(el.get("style") or ""))


class _Dom:
    """The page's elements in document order and their whitespace-free text, for locating the
    extracted blocks in the page. The text is one string (``doc``); an element's is the slice
    ``doc[start[i]:stop[i]]``, so memory stays linear however deep the page nests."""

    def __init__(self, root: Any) -> None:
        from lxml import etree

        self.root = root
        body = root.find("body") if root is not None else None
        body = body if body is not None else root
        self.elements: list[Any] = []
        self.start: list[int] = []
        self.stop: list[int] = []
        self.end: list[int] = []  # pre-order index of each element's last descendant
        pieces: list[str] = []
        length = 0
        open_: list[int] = []
        for event, el in etree.iterwalk(body, events=("start", "end")) if body is not None else ():
            if not isinstance(el.tag, str):
                continue
            if event == "start":
                open_.append(len(self.elements))
                self.elements.append(el)
                self.start.append(length)
                self.stop.append(length)
                self.end.append(0)
                piece = _key(el.text or "")
            else:
                i = open_.pop()
                self.stop[i], self.end[i] = length, len(self.elements) - 1
                piece = _key(el.tail or "") if el is not body else ""
            pieces.append(piece)
            length += len(piece)
        self.doc = "".join(pieces)
        self.index = {el: i for i, el in enumerate(self.elements)}
        self.cursor = 0

    def key(self, i: int) -> str:
        return self.doc[self.start[i]:self.stop[i]]

    def holds(self, i: int, key: str) -> bool:
        return self.doc.find(key, self.start[i], self.stop[i]) >= 0

    def locate(self, text: str) -> Any:
        """The deepest element from the cursor on whose text contains ``text`` (its first 40
        non-space characters), or None; the cursor moves to it. Subtrees without the text are
        skipped whole, and at most :data:`LOCATE_WINDOW` are tried, so the search stays linear."""
        whole = _key(text)
        key = whole[:40]
        if not key:
            return None
        for i in range(self.cursor, min(len(self.elements), self.cursor + EXACT_LOOKAHEAD)):
            if self.stop[i] - self.start[i] == len(whole) and self.doc.startswith(whole, self.start[i]):
                while i + 1 <= self.end[i] and self.start[i + 1] == self.start[i] and \
                        self.stop[i + 1] == self.stop[i]:  # a short block (a table cell) is best found whole
                    i += 1
                self.cursor = i
                return self.elements[i]
        found, i, tries = None, self.cursor, 0
        while i < len(self.elements) and (found is None or i <= self.end[found]) and tries < LOCATE_WINDOW:
            tries += found is None
            if self.holds(i, key):
                found, i = i, i + 1  # look deeper, in its children
            else:
                i = self.end[i] + 1  # nothing inside holds it either
        if found is None:
            return None
        self.cursor = found
        return self.elements[found]

    def find_heading(self, title: str) -> Any:
        key = _key(title)
        for el in self.elements:
            if el.tag in ("h1", "h2") and key and (_key(el.text_content()) == key or key in _key(el.text_content())):
                return el
        for el in self.elements:
            if el.tag == "h1":
                return el
        return None


# --- the extracted article --------------------------------------------------------------------

class _Builder:
    """Walks trafilatura's XML and yields blocks with their markup."""

    def __init__(self) -> None:
        self.blocks: list[tuple[Block, str]] = []  # (block, image src that follows or "")
        self.lists = self.quotes = self.tables = 0

    def add(self, text: str, kind: ParagraphKind, markup: Markup | None = None, image: str = "") -> None:
        for piece in text.split(_SEPARATOR):  # paragraphs joined for the extractor (_joined_paragraphs)
            if piece := _clean(piece):
                self.blocks.append((Block(piece, kind, 0, markup), image))

    def walk(self, el: Any) -> None:
        for child in el:
            tag = child.tag
            if tag == "head":
                level = _level(child.get("rend"))
                self.add(_inline(child), "heading", Markup(level=level))
            elif tag == "p":
                for piece in _lines(child):
                    self.add(piece, "body")
            elif tag == "list":
                self.lists += 1
                self.list(child, 0, self.lists)
            elif tag == "quote":
                self.quotes += 1
                group = self.quotes
                parts = [c for c in child if c.tag in ("p", "head", "list")]
                if parts:
                    for part in parts:
                        for piece in _lines(part):
                            self.add(piece, "quote", Markup(group=group))
                else:
                    for piece in _lines(child):
                        self.add(piece, "quote", Markup(group=group))
            elif tag == "table":
                if _layout_table(child):
                    for row in child.iter("row"):
                        for cell in row.findall("cell"):
                            self.walk(cell)
                else:
                    self.tables += 1
                    self.table(child, self.tables)
            elif tag == "code":
                source = "".join(child.itertext()).strip("\n")
                if source.strip():
                    self.blocks.append((Block(source, "verbatim", 0, Markup(source=source)), ""))
            elif tag == "graphic":
                self.blocks.append((Block("", "caption"), child.get("src") or ""))
            elif tag in ("div", "main", "doc", "figure"):
                self.walk(child)
            else:
                self.add(_inline(child), "body")

    def list(self, el: Any, level: int, group: int) -> None:
        ordered = (el.get("rend") or "").lower() == "ol"
        number = 0
        for item in el:
            if item.tag != "item":
                continue
            number += 1
            marker = f"{number}." if ordered else "-"
            self.add(_inline(item, skip=("list",)), "list_item", Markup(level=level, marker=marker, group=group))
            for sub in item.findall("list"):
                self.list(sub, level + 1, group)

    def table(self, el: Any, group: int) -> None:
        for r, row in enumerate(el.iter("row")):
            for c, cell in enumerate(row.findall("cell")):
                self.add(_inline(cell), "table_cell",
                         Markup(cell=(r, c), group=group, header=cell.get("role") == "head"))


def _level(rend: str | None) -> int:
    match = re.fullmatch(r"h([1-6])", rend or "")
    return int(match.group(1)) if match else 2


def _inline(el: Any, skip: tuple[str, ...] = ()) -> str:
    """An element's text, nested ``skip`` elements left out (their tails kept)."""
    parts = [el.text or ""]
    for child in el:
        if child.tag not in skip:
            parts.append(_inline(child) if child.tag != "lb" else " ")
        parts.append(child.tail or "")
    return "".join(parts)


def _lines(el: Any) -> list[str]:
    """A paragraph's text, split at its line breaks (``<br>`` separated paragraphs on many pages)."""
    pieces, current = [], [el.text or ""]
    for child in el:
        if child.tag == "lb":
            pieces.append("".join(current))
            current = []
        else:
            current.append(_inline(child))
        current.append(child.tail or "")
    pieces.append("".join(current))
    return [p for p in pieces if p.strip()]


def _layout_table(el: Any) -> bool:
    """A table used for page layout: some cell holds paragraphs, headings or lists."""
    return any(cell.find(tag) is not None for cell in el.iter("cell") for tag in ("p", "head", "list", "table"))


def _extract(root: Any, url: str | None, precision: bool) -> tuple[Any, dict[str, str]]:
    """trafilatura's article — its body of p, head, list, quote, table, code, graphic… — or None,
    and, in precision mode, its metadata. trafilatura works on a copy of the tree; its date search
    is htmldate's fast one (module docstring)."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        root, url=url, output_format="xml", include_tables=True, include_images=True, include_comments=False,
        with_metadata=precision, include_formatting=False, include_links=False, favor_precision=precision,
        deduplicate=False, date_extraction_params={"extensive_search": False, "original_date": True,
                                                   "max_date": datetime.date.today().isoformat()})
    if doc is None:
        return None, {}
    meta = {name: value for name in ("title", "author", "date", "url", "sitename", "description")
            if isinstance(value := getattr(doc, name, None), str) and value}
    return (doc.body if doc.body is not None and len(doc.body) else None), meta


def _joined_paragraphs(root: Any, url: str | None) -> Any:
    """The tree the extractor gets: ``root`` itself or, when the page has more than
    :data:`EXTRACTOR_PARAGRAPHS` paragraphs, a copy where each run of sibling text-only ``<p>`` is
    one ``<p>``, their texts joined by :data:`_SEPARATOR` (the blocks split there again).
    trafilatura asks for ``//p//text()``, which libxml2 answers in time quadratic in the number of
    text nodes (18 s for 80,000; 200 s for 280,000), so a page that still has too many is refused."""
    if int(root.xpath("count(//p)")) <= EXTRACTOR_PARAGRAPHS:
        return root
    tree = copy.deepcopy(root)
    runs: list[list[Any]] = []
    for p in tree.iter("p"):
        if any(d.tag not in _INLINE_TEXT for d in p.iterdescendants()):
            runs.append([])
        elif runs and runs[-1] and p.getprevious() is runs[-1][-1] and not (p.getprevious().tail or "").strip():
            runs[-1].append(p)
        else:
            runs.append([p])
    for run in runs:
        if len(run) > 1:
            head = run[0]
            text = _SEPARATOR.join(p.text_content() for p in run)
            for child in list(head):
                head.remove(child)
            head.text, head.tail = text, run[-1].tail
            for p in run[1:]:
                p.getparent().remove(p)
    if (left := int(tree.xpath("count(//p//text())"))) > MAX_EXTRACTOR_TEXTS:
        where = f"{url}: " if url else ""
        raise InputError(f"{where}the page has {left:,} separate paragraphs, more than the {MAX_EXTRACTOR_TEXTS:,} an "
                         "article can be extracted from; save just its article, or read it as a whole page",
                         option="whole_page")
    return tree


def _body_text(body: Any) -> tuple[int, int]:
    """(characters of text, number of blocks) in an extracted article."""
    if body is None:
        return 0, 0
    count = sum(1 for el in body.iter() if el.tag in ("p", "head", "item", "cell", "code", "quote"))
    return len(_key("".join(body.itertext()))), count


def choose_extraction(root: Any, url: str | None) -> tuple[Any, dict[str, str]]:
    """Precision mode's article and metadata, or the default mode's article when it is structured
    and finds clearly more text — tried only when it could (module docstring). Leaves ``root``
    without its JSON-LD scripts, which only the metadata needed."""
    tree = _joined_paragraphs(root, url)
    precise, meta = _extract(tree, url, True)
    for script in list(root.iter("script")):
        script.drop_tree()
    body = root.find("body")
    p_chars, _ = _body_text(precise)
    if body is None or len(_key(body.text_content())) < FALLBACK_GAIN * max(p_chars, 1):
        return precise, meta
    default, _ = _extract(tree, url, False)
    d_chars, d_blocks = _body_text(default)
    if default is not None and d_blocks >= 3 and d_chars >= FALLBACK_GAIN * max(p_chars, 1):
        return default, meta
    return precise, meta


def _meta(dom: Any, *names: str) -> str:
    if dom is None:
        return ""
    for name in names:
        for attr in ("name", "property", "itemprop"):
            for el in dom.iter("meta"):
                if (el.get(attr) or "").lower() == name and _clean(el.get("content") or ""):
                    return _clean(el.get("content") or "")
    return ""


def _clean_author(raw: str) -> str:
    names = []
    for part in re.split(r"\s*[;|；]\s*", raw):
        part = _AUTHOR_LABEL.sub("", _clean(part)).strip(" ,，、")
        if part and part.lower() not in _AUTHOR_JUNK and len(part) <= 80:
            names.append(part)
    return "; ".join(names)


def _metadata(found: dict[str, str], dom_root: Any, head: Any, url: str | None, first_text: str = "") -> dict[str, str]:
    """The metadata dict (module docstring) from the extractor's (``found``) and the page's own;
    ``first_text`` is the article's opening, where a wire story names its reporters ("（记者 …）")."""
    meta: dict[str, str] = {}
    title = _clean(found.get("title", "")) or (_clean(head.text_content()) if head is not None else "")
    if title:
        meta["title"] = title
    author = _clean_author(_meta(dom_root, "author", "article:author") or found.get("author", ""))
    if not author and dom_root is not None:
        for el in dom_root.iter():
            if isinstance(el.tag, str) and (el.get("rel") == "author" or re.search(
                    r"(?:^|[\s_\-])(?:author|byline)(?:$|[\s_\-])", _tokens(el), re.IGNORECASE)):
                author = _clean_author(el.text_content())
                if author:
                    break
    if author:
        meta["author"] = author
    elif byline := _WIRE_BYLINE.search(first_text):
        meta["author"] = _clean(byline.group(1))
    if date := _clean(found.get("date", "")) or _dateline(head):
        meta["date"] = date
    for key in ("sitename", "description"):
        if value := _clean(found.get(key, "")):
            meta[key] = value
    canonical = ""
    if dom_root is not None:
        for el in dom_root.iter("link"):
            if (el.get("rel") or "").lower() == "canonical" and (el.get("href") or "").startswith("http"):
                canonical = el.get("href").strip()
                break
        canonical = canonical or (og if (og := _meta(dom_root, "og:url")).startswith("http") else "")
    if link := canonical or _clean(found.get("url", "")) or (url or ""):
        meta["url"] = link
    return meta


def _dateline(head: Any) -> str:
    """The date of a dateline by the title ("发布时间：2024年10月20日 09:15", "2024-03-05 来源：…"), as
    YYYY-MM-DD: in the text right after the title, else right before it; a date after a label such
    as 发布时间 first. "" when there is none (or it is no real date)."""
    if head is None:
        return ""
    for nodes in (head.xpath(f"following::text()[position() <= {DATELINE_NODES}]"),
                  head.xpath("preceding::text()[position() <= 10]")):
        text = " ".join(nodes)
        dates = [(match, day) for match in _DATELINE.finditer(text) if (day := _real_date(*match.groups()))]
        labelled = [day for match, day in dates if _PUBLISHED.search(text[max(0, match.start() - 12):match.start()])]
        if labelled or dates:
            return (labelled or [day for _, day in dates])[0]
    return ""


def _real_date(year: str, month: str, day: str) -> str:
    """YYYY-MM-DD, or "" when it is no date or lies in the future."""
    try:
        date = datetime.date(int(year), int(month), int(day))
    except ValueError:
        return ""
    return date.isoformat() if date <= datetime.date.today() + datetime.timedelta(days=1) else ""


def _furniture(block: Block, el: Any, article_root: Any, dom: _Dom) -> bool:
    """Whether a short extracted block is page furniture (module docstring)."""
    text = block.text
    if len(_key(text)) >= SHORT_BLOCK or block.kind == "title":
        return False
    if block.kind in ("body", "heading"):
        if _COPYRIGHT.search(text) or _EDITOR_LINE.match(_key(text)):
            return True
        if block.kind == "body" and _DATE.search(text) and _DATELINE_LABEL.search(text) and len(_key(text)) < 50:
            return True
    return el is not None and article_root is not None and _in_furniture(el, _common_ancestor(el, article_root))


def _in_furniture(el: Any, stop: Any) -> bool:
    """Whether ``el`` or an ancestor below ``stop`` is a furniture container (nav, comments…)."""
    node = el
    while node is not None and node is not stop:
        if node.tag in _FURNITURE_TAGS or _FURNITURE.search(_tokens(node)):
            return True
        node = node.getparent()
    return False


def _common_ancestor(a: Any, b: Any) -> Any:
    ancestors = {id(n) for n in a.iterancestors()} | {id(a)}
    node = b
    while node is not None and id(node) not in ancestors:
        node = node.getparent()
    return node


def _subtitle_after(head: Any) -> Any:
    """The element right after the title that is a subtitle / standfirst, or None."""
    if head is None:
        return None
    node = head
    for _ in range(3):
        nxt = node.getnext()
        while nxt is None and node.getparent() is not None and node.getparent().tag not in ("body", "html"):
            node = node.getparent()
            nxt = node.getnext()
        if nxt is None:
            return None
        node = nxt
        text = _clean(node.text_content())
        if not text:
            continue
        if len(text) <= SUBTITLE_MAX and (_SUBTITLE_CLASS.search(_tokens(node)) or text.startswith(("——", "—"))):
            return node
        if node.tag in ("p", "h2", "h3") or len(text) > SUBTITLE_MAX:
            return None
    return None


def _captions(dom: _Dom) -> tuple[dict[str, tuple[str, int]], list[tuple[Any, str]]]:
    """Figure captions of the page: by image src, and (figure, caption) pairs in order."""
    by_src: dict[str, tuple[str, int]] = {}
    figures: list[tuple[Any, str]] = []
    if dom.root is None:
        return by_src, figures
    for fig in dom.root.iter("figure"):
        caption = fig.find(".//figcaption")
        if caption is None or not (text := _clean(caption.text_content())):
            continue
        figures.append((fig, text))
        for img in fig.iter("img"):
            if src := (img.get("src") or "").strip():
                by_src.setdefault(src, (text, caption.sourceline or 0))
    return by_src, figures


def _no_article(url: str | None) -> InputError:
    where = f"{url}: " if url else ""
    return InputError(f"{where}no article text found in this page; it can be read as a whole page instead, "
                      "which translates all of its visible text", option="whole_page")


def _article(text: str, url: str | None) -> Source:
    root = _parse(text)
    if root is None:
        raise _no_article(url)
    _drop_invisible(root, keep=_json_ld)
    main, found = choose_extraction(root, url)
    if main is None:
        raise _no_article(url)
    dom = _Dom(root)
    builder = _Builder()
    builder.walk(main)
    title = _clean(found.get("title", ""))
    head = dom.find_heading(title)
    first = next((b.text for b, _ in builder.blocks if b.kind == "body"), "")
    meta = _metadata(found, dom.root, head, url, first[:120])
    by_src, figures = _captions(dom)

    # Locate each block in the page (lines, furniture check, captions), put captions back.
    located: list[tuple[Block, Any]] = []
    seen_captions: set[str] = set()
    for block, image in builder.blocks:
        if block.kind == "caption" and not block.text:  # an image: its caption, if the page has one
            caption, line = by_src.get(image, ("", 0))
            if caption and caption not in seen_captions:
                seen_captions.add(caption)
                located.append((Block(caption, "caption", line), None))
            continue
        el = dom.locate(block.text)
        line = el.sourceline if el is not None and el.sourceline else 0
        located.append((Block(block.text, block.kind, line, block.markup), el))
    all_text = _key("".join(b.text for b, _ in located))
    for fig, caption in figures:  # figures whose image trafilatura left out: after the paragraph before them
        if caption in seen_captions or _key(caption) in all_text:
            continue
        before = fig.getprevious()
        if before is None:
            continue
        key = _key(before.text_content())
        for i, (block, _) in enumerate(located):
            if key and _key(block.text) and _key(block.text) in key:
                cap_el = fig.find(".//figcaption")
                located.insert(i + 1, (Block(caption, "caption", cap_el.sourceline or 0), fig))
                seen_captions.add(caption)
                break

    long_els = [el for b, el in located if el is not None and len(_key(b.text)) >= SHORT_BLOCK]
    long_els = long_els or [el for _, el in located if el is not None]
    article_root = long_els[0] if long_els else None
    for el in long_els[1:]:
        article_root = _common_ancestor(article_root, el)
    blocks = [b for b, el in located if not _furniture(b, el, article_root, dom)]

    # The title, and a subtitle right after it.
    title_text = _clean(head.text_content()) if head is not None else title
    if title_text:
        first = next((i for i, b in enumerate(blocks) if b.kind == "heading" and _key(b.text) == _key(title_text)),
                     None)
        line = head.sourceline or 0 if head is not None else 0
        if first is not None and first <= 1:
            blocks[first] = Block(blocks[first].text, "title", blocks[first].line, Markup(level=1))
        else:
            blocks.insert(0, Block(title_text, "title", line, Markup(level=1)))
        at = next(i for i, b in enumerate(blocks) if b.kind == "title")
        sub = _subtitle_after(head)
        if sub is not None:
            sub_text = _clean(sub.text_content())
            existing = next((i for i, b in enumerate(blocks) if _key(b.text) == _key(sub_text)), None)
            if existing is not None:
                blocks.pop(existing)
                at = next(i for i, b in enumerate(blocks) if b.kind == "title")
            blocks.insert(at + 1, Block(sub_text, "subtitle", sub.sourceline or 0))
        elif at + 1 < len(blocks) and blocks[at + 1].kind == "body" and blocks[at + 1].text.startswith("——") \
                and len(blocks[at + 1].text) <= SUBTITLE_MAX:
            b = blocks[at + 1]
            blocks[at + 1] = Block(b.text, "subtitle", b.line, b.markup)

    body = " ".join(b.text for b in blocks if b.kind not in ("title", "subtitle", "heading"))
    if units(body) < MIN_ARTICLE_UNITS:
        raise _no_article(url)
    _warn_if_lost(dom, article_root, blocks)
    return Source(tuple(blocks), meta, "html")


def _warn_if_lost(dom: _Dom, article_root: Any, blocks: list[Block]) -> None:
    """A :class:`PageWarning` when paragraphs of the article's container are in none of ``blocks``
    (module docstring); a heading counts only when text follows it (trafilatura drops trailing
    titles on purpose). Each is looked for after the last one found (the order is the page's), and
    only :data:`FULL_SEARCHES` of them anywhere, so this stays linear."""
    first = dom.index.get(article_root)
    if first is None:
        return
    out = "".join(_key(b.text) for b in blocks)
    lost: list[int] = []  # sizes of the paragraphs lost
    headings: list[int] = []  # sizes of the headings lost since the last paragraph
    searches = pos = 0
    for i in range(first, dom.end[first] + 1):
        el = dom.elements[i]
        heading = el.tag in _HEADINGS
        if el.tag not in _LEAF_BLOCKS or dom.stop[i] - dom.start[i] < (2 if heading else LOST_MIN) \
                or not _paragraph(el, article_root, dom):
            continue
        key = dom.key(i)
        at = out.find(key, pos, pos + len(key) + LOST_WINDOW)
        if at < 0 and searches < FULL_SEARCHES:
            searches += 1
            at = out.find(key)
        if at >= 0:
            pos = max(pos, at + len(key))
        if heading:
            headings += [len(key)] if at < 0 else []
            continue
        lost += headings + ([len(key)] if at < 0 else [])
        headings = []
    if lost:
        them = "them" if len(lost) > 1 else "it"
        warnings.warn(f"{len(lost)} paragraph{'s' if len(lost) > 1 else ''} of the article ({sum(lost)} characters) "
                      f"did not come out: the extractor left {them} out; reading the whole page keeps {them}",
                      PageLossWarning, stacklevel=4)


def _paragraph(el: Any, article_root: Any, dom: _Dom) -> bool:
    """Whether ``el`` is one paragraph of article text: no block inside it, not mostly links, not
    page furniture (:func:`_furniture`) and, however long, in no furniture container."""
    if any(isinstance(d.tag, str) and d.tag in _BLOCK_TAGS and d.tag != "br" for d in el.iterdescendants()):
        return False
    text = _clean(el.text_content())
    if 2 * sum(len(_key(a.text_content())) for a in el.iter("a")) >= len(_key(text)):
        return False
    return not (_furniture(Block(text, "body"), el, article_root, dom) or _in_furniture(el, article_root))


# --- the whole page ---------------------------------------------------------------------------

class _PageWalker:
    """Every visible text block of a page, in document order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.line = 0
        self.kind: ParagraphKind = "body"
        self.markup: Markup | None = None
        self.lists = self.quotes = self.tables = 0
        self.titled = False

    def flush(self) -> None:
        text = _clean("".join(self.buffer))
        if text:
            self.blocks.append(Block(text, self.kind, self.line, self.markup))
        self.buffer = []

    def start(self, el: Any, kind: ParagraphKind, markup: Markup | None) -> tuple[ParagraphKind, Markup | None]:
        self.flush()
        saved = (self.kind, self.markup)
        self.kind, self.markup, self.line = kind, markup, el.sourceline or 0
        return saved

    def walk(self, el: Any, list_state: tuple[int, int] | None = None, quote: int = 0) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP_TAGS or _hidden(el):
            return
        if tag == "br":
            self.flush()
            return
        if tag == "pre":
            self.flush()
            source = el.text_content().strip("\n")
            if source.strip():
                self.blocks.append(Block(source, "verbatim", el.sourceline or 0, Markup(source=source)))
            return
        if tag == "table":
            self.flush()
            self.tables += 1
            group = self.tables
            for r, row in enumerate(el.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")):
                for c, cell in enumerate(x for x in row if x.tag in ("td", "th")):
                    if any(cell.find(f".//{t}") is not None for t in ("p", "div", "table", "ul", "ol", "h1", "h2")):
                        self.walk_children(cell, list_state, quote)  # a layout table
                        continue
                    saved = self.start(cell, "table_cell",
                                       Markup(cell=(r, c), group=group, header=cell.tag == "th" or row.getparent()
                                              .tag == "thead"))
                    self.walk_children(cell, list_state, quote)
                    self.flush()
                    self.kind, self.markup = saved
            return
        kind: ParagraphKind | None = None
        markup: Markup | None = None
        if re.fullmatch(r"h[1-6]", tag):
            level = int(tag[1])
            kind = "title" if level == 1 and not self.titled else "heading"
            self.titled = self.titled or kind == "title"
            markup = Markup(level=level)
        elif tag in ("ul", "ol"):
            if list_state is None:
                self.lists += 1
                state = (self.lists, 0)
            else:
                state = (list_state[0], list_state[1] + 1)
            self.flush()
            number = 0
            for child in el:
                if isinstance(child.tag, str) and child.tag == "li":
                    number += 1
                    marker = f"{number}." if tag == "ol" else "-"
                    saved = self.start(child, "list_item", Markup(level=state[1], marker=marker, group=state[0]))
                    self.walk_children(child, state, quote)
                    self.flush()
                    self.kind, self.markup = saved
                else:
                    self.walk(child, state, quote)
                    self.buffer.append(child.tail or "")
            self.flush()
            return
        elif tag == "blockquote":
            self.quotes += 1
            kind, markup, quote = "quote", Markup(group=self.quotes), self.quotes
        elif tag == "figcaption":
            kind = "caption"
        elif tag in _BLOCK_TAGS and tag not in ("li",):
            kind = self.kind if self.kind in ("list_item", "quote", "table_cell") else "body"
            markup = self.markup if kind == self.kind else None
        if kind is not None:
            saved = self.start(el, kind, markup)
            self.walk_children(el, list_state, quote)
            self.flush()
            self.kind, self.markup = saved
        else:
            self.walk_children(el, list_state, quote)

    def walk_children(self, el: Any, list_state: tuple[int, int] | None, quote: int) -> None:
        self.buffer.append(el.text or "")
        for child in el:
            self.walk(child, list_state, quote)
            self.buffer.append(child.tail or "")  # a block child has flushed: its tail starts a new block


def _whole_page(text: str, url: str | None) -> Source:
    root = _parse(text)
    if root is None:
        raise InputError("the page has no text")
    _drop_invisible(root)
    body = root.find("body")
    walker = _PageWalker()
    walker.walk(body if body is not None else root)
    walker.flush()
    blocks = [b for b in walker.blocks if b.text]
    for i, b in enumerate(blocks[:-1]):  # "——…" right after the title: its subtitle
        nxt = blocks[i + 1]
        if b.kind == "title" and nxt.kind == "body" and nxt.text.startswith("——") and len(nxt.text) <= SUBTITLE_MAX:
            blocks[i + 1] = Block(nxt.text, "subtitle", nxt.line, nxt.markup)
    if not blocks:
        raise InputError("the page has no visible text")
    meta = _metadata({}, root, None, url)
    title_el = root.find(".//title")
    page_title = _meta(root, "og:title") or (_clean(title_el.text_content()) if title_el is not None else "")
    if page_title:
        meta["title"] = page_title
    for key, names in (("sitename", ("og:site_name",)), ("description", ("description", "og:description")),
                       ("date", ("article:published_time", "pubdate", "publishdate", "date"))):
        if value := _meta(root, *names):
            meta[key] = value
    return Source(tuple(blocks), dict(sorted(meta.items())), "html")


# --- the reader -------------------------------------------------------------------------------

def read_html(data: bytes, *, whole_page: bool = False, url: str | None = None,
              http_charset: str | None = None) -> Source:
    """A web page's article (or, with ``whole_page``, all of its visible text) as blocks with their
    markup, and its metadata. ``http_charset`` is the charset of the HTTP ``Content-Type``, when
    the page was fetched. A page with no article, too big or not a page is an ``InputError``."""
    if len(data) > MAX_PAGE_BYTES:
        raise InputError(f"the page is {len(data) / 1e6:.3g} MB, more than the {MAX_PAGE_BYTES / 1e6:g} MB a web page "
                         "may be; save just its article (or the article's text) and translate that")
    if what := _not_a_page(data):
        raise InputError(f"the page is {what}, not HTML; give the web page itself")
    text = decode_html(data, http_charset)
    if "\x00" in text:  # not text: a browser shows nothing (lxml would make each a U+FFFD)
        text = text.replace("\x00", "")
    if not text.strip():
        raise InputError("the page is empty")
    if whole_page:
        return _whole_page(text, url)
    return _article(text, url)
