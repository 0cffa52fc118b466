"""What a feed holds, once parsed: the feed's own description and its items, each keeping what a
reader needs to find it again (id, link, date, author, source feed) and its text as the feed gave it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FeedKind = Literal["rss", "atom", "rdf"]


@dataclass(frozen=True)
class Enclosure:
    """A podcast's audio, an item's picture: carried through to a translated feed untouched."""

    url: str
    type: str = ""
    length: str = ""


@dataclass(frozen=True)
class FeedInfo:
    """The feed itself: where it was read from (``source``: its URL or path), its kind, and the
    channel's title, link, description, language and date as plain text (dates in ISO 8601 UTC)."""

    source: str
    kind: FeedKind = "rss"
    title: str = ""
    link: str = ""
    description: str = ""
    language: str = ""
    updated: str = ""


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed. ``id`` is the guid (Atom: id), else the link, else a hash of title, text,
    dates and enclosures (a repeat within one feed gets ``#2``...), so a rerun recognises it;
    ``title`` is plain text (HTML reduced); ``html`` is the item's text as an HTML fragment (content,
    else summary/description; plain text escaped); links are absolute (resolved against the feed);
    ``published``/``updated`` are ISO 8601 UTC or ""."""

    id: str
    feed: str                      # the source feed's URL or path (FeedInfo.source)
    title: str = ""
    link: str = ""
    html: str = ""
    published: str = ""
    updated: str = ""
    author: str = ""
    feed_title: str = ""
    language: str = ""             # the item's or else the feed's declared language ("" when none)
    categories: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()
    position: int = 0              # order in its feed (0-based)

    @property
    def date(self) -> str:
        """The item's date for ordering and ``--since``: published, else updated."""
        return self.published or self.updated

    def fingerprint(self) -> str:
        """A hash of what a translation depends on (title and text): a changed item is new work."""
        return hashlib.sha256(json.dumps([self.title, self.html], ensure_ascii=False).encode()).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeedItem:
        data = dict(data)
        data["categories"] = tuple(data.get("categories") or ())
        data["enclosures"] = tuple(Enclosure(**e) for e in data.get("enclosures") or ())
        return cls(**data)


@dataclass(frozen=True)
class Outline:
    """One feed an OPML file lists: its URL and the title the list gives it."""

    url: str
    title: str = ""


@dataclass
class ParsedFeed:
    """A parsed feed: its description, its items in order (an iterator: a 50,000-item feed is
    never held whole), and what was wrong with it — one-line causes, complete once ``items`` is
    exhausted; every item that did parse is yielded."""

    info: FeedInfo
    items: Iterator[FeedItem]
    problems: list[str] = field(default_factory=list)


# -- translated items: what the feed writers and the state store take (plain data, JSON both ways)

@dataclass(frozen=True)
class ItemSentence:
    source: str
    translation: str
    status: str = "ok"             # "ok", "suspect" or "passthrough", as translate's sentences
    reason: str | None = None      # why a sentence is suspect


@dataclass(frozen=True)
class ItemParagraph:
    kind: str                      # translate's paragraph kinds: "body", "heading", "list_item"...
    source: str
    translation: str
    sentences: tuple[ItemSentence, ...] = ()


@dataclass(frozen=True)
class TranslatedItem:
    """A feed item and its translation: the title (``title``: "" when the item has none), the
    text paragraph by paragraph (empty with titles only), where the text came from (``text_from``:
    "feed", "article" or "" when the item has none) and a note when something fell back (an
    article that could not be fetched: the feed's text was used)."""

    item: FeedItem
    title: str = ""
    paragraphs: tuple[ItemParagraph, ...] = ()
    text_from: str = ""
    source_language: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item.to_dict(), "title": self.title, "text_from": self.text_from,
                "source_language": self.source_language, "note": self.note,
                "paragraphs": [asdict(p) for p in self.paragraphs]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TranslatedItem:
        paragraphs = tuple(ItemParagraph(p["kind"], p["source"], p["translation"],
                                         tuple(ItemSentence(**s) for s in p.get("sentences") or ()))
                           for p in data.get("paragraphs") or ())
        return cls(FeedItem.from_dict(data["item"]), data.get("title", ""), paragraphs, data.get("text_from", ""),
                   data.get("source_language", ""), data.get("note", ""))
