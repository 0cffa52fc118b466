"""Feeds as input: RSS 0.9x/1.0/2.0, Atom and OPML lists of feeds, read into plain data (items streamed).
Importing this package is light: feedparser and defusedxml load when a feed is parsed."""

from .items import (Enclosure, FeedInfo, FeedItem, FeedKind, ItemParagraph, ItemSentence, Outline, ParsedFeed,
                    TranslatedItem)
from .parse import FeedWarning, looks_like_feed, parse_feed, parse_opml

__all__ = ["Enclosure", "FeedInfo", "FeedItem", "FeedKind", "FeedWarning", "ItemParagraph", "ItemSentence", "Outline",
           "ParsedFeed", "TranslatedItem", "looks_like_feed", "parse_feed", "parse_opml"]
