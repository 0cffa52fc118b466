"""A page's metadata: title, author (``<meta name=author>`` first, trafilatura's otherwise, cleaned
of labels such as "作者：" or "By"), date (htmldate's fast search — meta tags, JSON-LD, ``<time>``,
the URL — else a dateline such as "发布时间：2024年10月20日" by the title; htmldate's extensive search
took seconds, loading every dateparser locale, and picked copyright years), url (canonical, else
the ``url`` given), sitename, description — strings only, absent keys when unknown."""

from __future__ import annotations

import datetime
import re
from typing import Any

from .dom import tokens
from .text import clean

DATELINE_NODES = 40  # text nodes after (and 10 before) the title searched for a dateline

_AUTHOR_LABEL = re.compile(r"^(?:作者|文|撰文|\S{0,8}?记者|\S{0,8}?記者|责任编辑|by)\s*[:：]?\s*", re.IGNORECASE)
_AUTHOR_JUNK = {"评论", "評論", "comments", "comment", "分享", "share"}
_WIRE_BYLINE = re.compile(r"[（(]\s*(?:记者|記者|reporters?:?)\s*([^）)]{1,40})[）)]", re.IGNORECASE)
_DATELINE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_PUBLISHED = re.compile(r"发布|發布|发表|發表|时间|時間|日期|published|posted|updated|date", re.IGNORECASE)


def meta_tag(dom: Any, *names: str) -> str:
    """The cleaned content of the first ``<meta>`` named (``name``, ``property`` or ``itemprop``) one of ``names``."""
    if dom is None:
        return ""
    for name in names:
        for attr in ("name", "property", "itemprop"):
            for el in dom.iter("meta"):
                if (el.get(attr) or "").lower() == name and clean(el.get("content") or ""):
                    return clean(el.get("content") or "")
    return ""


def _clean_author(raw: str) -> str:
    names = []
    for part in re.split(r"\s*[;|；]\s*", raw):
        part = _AUTHOR_LABEL.sub("", clean(part)).strip(" ,，、")
        if part and part.lower() not in _AUTHOR_JUNK and len(part) <= 80:
            names.append(part)
    return "; ".join(names)


def metadata(found: dict[str, str], dom_root: Any, head: Any, url: str | None, first_text: str = "") -> dict[str, str]:
    """The metadata dict (module docstring) from the extractor's (``found``) and the page's own;
    ``first_text`` is the article's opening, where a wire story names its reporters ("（记者 …）")."""
    meta: dict[str, str] = {}
    title = clean(found.get("title", "")) or (clean(head.text_content()) if head is not None else "")
    if title:
        meta["title"] = title
    author = _clean_author(meta_tag(dom_root, "author", "article:author") or found.get("author", ""))
    if not author and dom_root is not None:
        for el in dom_root.iter():
            if isinstance(el.tag, str) and (el.get("rel") == "author" or re.search(
                    r"(?:^|[\s_\-])(?:author|byline)(?:$|[\s_\-])", tokens(el), re.IGNORECASE)):
                author = _clean_author(el.text_content())
                if author:
                    break
    if author:
        meta["author"] = author
    elif byline := _WIRE_BYLINE.search(first_text):
        meta["author"] = clean(byline.group(1))
    if date := clean(found.get("date", "")) or _dateline(head):
        meta["date"] = date
    for key in ("sitename", "description"):
        if value := clean(found.get(key, "")):
            meta[key] = value
    canonical = ""
    if dom_root is not None:
        for el in dom_root.iter("link"):
            if (el.get("rel") or "").lower() == "canonical" and (el.get("href") or "").startswith("http"):
                canonical = el.get("href").strip()
                break
        canonical = canonical or (og if (og := meta_tag(dom_root, "og:url")).startswith("http") else "")
    if link := canonical or clean(found.get("url", "")) or (url or ""):
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




def whole_page_metadata(root: Any, url: str | None) -> dict[str, str]:
    """The metadata of a page read whole (no extractor): the page's own tags, ``<title>`` for the title."""
    meta = metadata({}, root, None, url)
    title_el = root.find(".//title")
    page_title = meta_tag(root, "og:title") or (clean(title_el.text_content()) if title_el is not None else "")
    if page_title:
        meta["title"] = page_title
    for key, names in (("sitename", ("og:site_name",)), ("description", ("description", "og:description")),
                       ("date", ("article:published_time", "pubdate", "publishdate", "date"))):
        if value := meta_tag(root, *names):
            meta[key] = value
    return dict(sorted(meta.items()))
