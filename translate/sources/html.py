"""Reading a saved web page: HTML bytes → the article as :class:`~translate.document.Block` s.

Decoding: a BOM wins; bytes that are valid UTF-8 are UTF-8 (a legacy-encoded page with Chinese
text is practically never valid UTF-8, while pages re-saved as UTF-8 often keep a stale GBK
declaration); otherwise the page's own ``<meta charset>`` / ``http-equiv`` declaration (GB2312
and GBK are read as their superset GB18030, Big5 as Big5-HKSCS, Latin-1/ASCII as Windows-1252, as
browsers do), else :func:`translate.reading.detect_encoding`.

Extraction (the default) uses trafilatura, the reference extractor for news pages, in its
precision mode: its default mode, on short articles, falls back to a baseline that flattens the
whole page — navigation and footer included — into one paragraph, whereas precision mode keeps the
structure. The default mode's result is used instead only when it is structured (several blocks)
and holds clearly more text (:data:`FALLBACK_GAIN`). The result is then repaired from the page's
own DOM, since precision mode loses a few things news pages have:

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
labels such as "作者：" or "By"), date, url (canonical, else the ``url`` given), sitename,
description — strings only, absent keys when unknown.

``whole_page=True`` reads every visible text block in document order instead (no extraction):
scripts, styles, templates, SVG, comments and hidden elements are skipped.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from ..document import Block, Markup, ParagraphKind, Source
from ..errors import InputError

PRESCAN_BYTES = 8192  # where a page's charset declaration is looked for (the HTML spec says 1024)
FALLBACK_GAIN = 1.5  # default mode must find this many times precision mode's text to be preferred
MIN_ARTICLE_UNITS = 20  # fewer words (a CJK character counts as one) than this: no article
SHORT_BLOCK = 60  # blocks with fewer characters than this may be dropped as page furniture
SUBTITLE_MAX = 200
EXACT_LOOKAHEAD = 400  # elements searched for one whose text is exactly a block's, before containment

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
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
              "head", "title", "meta", "link", "select", "option", "datalist", "input"}
_DROP_TAGS = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas"}
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
_NO_WS = re.compile(r"[\s\u3000]+")
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\u180e]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


# --- decoding ---------------------------------------------------------------------------------

def declared_encoding(data: bytes) -> str | None:
    """The Python codec for the charset a page declares in its first bytes, or None."""
    for match in _META.finditer(data[:PRESCAN_BYTES]):
        label = match.group(1).decode("ascii", "ignore").lower().strip(".:")
        name = _ENCODING_ALIASES.get(label, label)
        try:
            return codecs.lookup(name).name
        except LookupError:
            continue
    return None


def decode_html(data: bytes) -> str:
    """Decode a page's bytes (module docstring: BOM, declaration, UTF-8, detector)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace")
    try:  # valid UTF-8 with non-ASCII text is UTF-8 whatever the page says (a stale declaration)
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = declared_encoding(data)
    if declared and declared not in ("utf-8", "utf-8-sig"):
        return data.decode(declared, errors="replace")
    from ..reading import detect_encoding

    encoding = detect_encoding(data) or "utf-8"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


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

def _parse_dom(text: str) -> Any:
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except Exception:  # lxml refuses documents it finds empty
        return None
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.tag in _DROP_TAGS or _hidden(el):
            if el.getparent() is not None:
                el.drop_tree()
    return root


def _hidden(el: Any) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if el.tag == "input" and (el.get("type") or "").lower() == "hidden":
        return True
    return bool(_HIDDEN_STYLE.search(el.get("style") or ""))


class _Dom:
    """The page's elements in document order with their whitespace-free text, for locating the
    extracted blocks in the page."""

    def __init__(self, root: Any) -> None:
        self.root = root
        body = root.find("body") if root is not None else None
        body = body if body is not None else root
        self.elements = [el for el in body.iter() if isinstance(el.tag, str)] if body is not None else []
        self.index = {el: i for i, el in enumerate(self.elements)}
        self.keys = [_key("".join(el.itertext())) for el in self.elements]
        self.end = [0] * len(self.elements)  # pre-order index of each element's last descendant
        for i in range(len(self.elements) - 1, -1, -1):
            el = self.elements[i]
            last = i
            for child in el:
                if isinstance(child.tag, str):
                    last = max(last, self.end[self.index[child]])
            self.end[i] = last
        self.cursor = 0

    def locate(self, text: str) -> Any:
        """The deepest element from the cursor on whose text contains ``text`` (its first 40
        non-space characters), or None; the cursor moves to it."""
        whole = _key(text)
        key = whole[:40]
        if not key:
            return None
        for i in range(self.cursor, min(len(self.elements), self.cursor + EXACT_LOOKAHEAD)):
            if self.keys[i] == whole:  # a short block (a table cell) is best found whole
                while i + 1 <= self.end[i] and self.keys[i + 1] == whole:
                    i += 1
                self.cursor = i
                return self.elements[i]
        found = None
        for i in range(self.cursor, len(self.elements)):
            if found is not None and i > self.end[found]:
                break
            if key in self.keys[i]:
                found = i
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
        text = _clean(text)
        if text:
            self.blocks.append((Block(text, kind, 0, markup), image))

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


def _extract(text: str, url: str | None, precision: bool) -> Any:
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(text, url=url, output_format="xml", include_tables=True, include_images=True,
                              include_comments=False, with_metadata=True, include_formatting=False,
                              include_links=False, favor_precision=precision, deduplicate=False)
    if not xml:
        return None
    try:
        return etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError:
        return None


def _body_text(doc: Any) -> tuple[int, int]:
    """(characters of text, number of blocks) in an extraction's main part."""
    main = doc.find("main") if doc is not None else None
    if main is None:
        return 0, 0
    count = sum(1 for el in main.iter() if el.tag in ("p", "head", "item", "cell", "code", "quote"))
    return len(_key("".join(main.itertext()))), count


def choose_extraction(text: str, url: str | None) -> Any:
    """Precision mode's extraction, or the default mode's when it is structured and finds clearly
    more text (module docstring)."""
    precise = _extract(text, url, True)
    default = _extract(text, url, False)
    p_chars, _ = _body_text(precise)
    d_chars, d_blocks = _body_text(default)
    if default is not None and d_blocks >= 3 and d_chars >= FALLBACK_GAIN * max(p_chars, 1):
        if precise is not None and default.find("main") is not None:  # keep precision mode's metadata
            for name, value in precise.attrib.items():
                default.set(name, value)
        return default
    return precise


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


def _metadata(doc: Any, dom_root: Any, head: Any, url: str | None, first_text: str = "") -> dict[str, str]:
    """The metadata dict (module docstring); ``first_text`` is the article's opening, where a wire
    story names its reporters ("（记者 …）")."""
    attrib = doc.attrib if doc is not None else {}
    meta: dict[str, str] = {}
    title = _clean(attrib.get("title", "")) or _clean(head.text_content()) if head is not None else \
        _clean(attrib.get("title", ""))
    if title:
        meta["title"] = title
    author = _clean_author(_meta(dom_root, "author", "article:author") or attrib.get("author", ""))
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
    for key in ("date", "sitename", "description"):
        if value := _clean(attrib.get(key, "")):
            meta[key] = value
    canonical = ""
    if dom_root is not None:
        for el in dom_root.iter("link"):
            if (el.get("rel") or "").lower() == "canonical" and (el.get("href") or "").startswith("http"):
                canonical = el.get("href").strip()
                break
        canonical = canonical or (og if (og := _meta(dom_root, "og:url")).startswith("http") else "")
    if link := canonical or _clean(attrib.get("url", "")) or (url or ""):
        meta["url"] = link
    return meta


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
    if el is None or article_root is None:
        return False
    stop = _common_ancestor(el, article_root)
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
    dom = _Dom(_parse_dom(text))
    doc = choose_extraction(text, url)
    main = doc.find("main") if doc is not None else None
    if main is None:
        raise _no_article(url)
    builder = _Builder()
    builder.walk(main)
    title = _clean(doc.get("title", ""))
    head = dom.find_heading(title) if dom.root is not None else None
    first = next((b.text for b, _ in builder.blocks if b.kind == "body"), "")
    meta = _metadata(doc, dom.root, head, url, first[:120])
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
    return Source(tuple(blocks), meta, "html")


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
    root = _parse_dom(text)
    if root is None:
        raise InputError("the page has no text")
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
    meta = _metadata(None, root, None, url)
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

def read_html(data: bytes, *, whole_page: bool = False, url: str | None = None) -> Source:
    """A web page's article (or, with ``whole_page``, all of its visible text) as blocks with their
    markup, and its metadata. A page with no article is an ``InputError``."""
    text = decode_html(data)
    if not text.strip():
        raise InputError("the page is empty")
    if whole_page:
        return _whole_page(text, url)
    return _article(text, url)


