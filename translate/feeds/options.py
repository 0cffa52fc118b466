"""The options of a feed job, defined once: the commands' flags, the server's query parameters and
the state store's scope derive from :class:`FeedOptions`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields

from ..errors import UsageError

DEFAULT_DELAY_S = 1.0  # between two requests to one host: a feed reader's courtesy, not a crawler's rush


@dataclass(frozen=True)
class FeedOptions:
    """How feed items are read and translated.

    ``titles_only``: translate each item's title, keep its text as the feed gave it; ``bilingual_titles``:
    titles read "translation · original"; ``fetch_articles``: each item's link is fetched and its
    article extracted (the feed's text when that fails); ``since``: only items dated on or after this
    ISO date (items with no date are kept); ``state``: the state store's file (None: the cache folder's);
    ``delay_s``: the least time between two requests to one host.
    """

    titles_only: bool = False
    bilingual_titles: bool = False
    fetch_articles: bool = False
    since: str | None = None
    state: str | None = None
    delay_s: float = DEFAULT_DELAY_S

    def __post_init__(self) -> None:
        if self.since is not None:
            object.__setattr__(self, "since", normalise_date(self.since))
        if self.delay_s < 0:
            raise UsageError(f"the delay between requests must be at least 0 s, not {self.delay_s:g}",
                             option="delay_s")

    def scope(self) -> dict[str, object]:
        """What a stored item's work depends on (not where the state lives, nor the dates asked)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in ("titles_only", "fetch_articles")}


def normalise_date(value: str) -> str:
    """``2026-12-01`` or a full ISO 8601 time → ``2026-12-01T00:00:00Z`` (UTC), else a UsageError."""
    text = value.strip()
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"'{value}' is not a date (write it as 2026-12-01 or 2026-12-01T08:00:00Z)",
                         option="since") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
