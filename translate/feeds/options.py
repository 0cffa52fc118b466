"""The options of a feed job, defined once: the commands' flags, the server's query parameters and
the state store's scope derive from :class:`FeedOptions`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields
from typing import Any

from ..errors import UsageError

DEFAULT_DELAY_S = 1.0  # between two requests to one host: a feed reader's courtesy, not a crawler's rush
MAX_DELAY_S = 3600.0   # an hour between two requests to one host: beyond it, a typo


def _feed(default: Any, *, flag: str, help: str, commands: tuple[str, ...] = ("translate", "summarize"),
          metavar: str | None = None, served: bool = False, keyed: bool = False) -> Any:
    """A feed option: its flag and help (the commands' flags are made from these), which commands take
    it, whether ``GET /v1/feed`` takes it as a query parameter (``served``) and whether a stored item's
    result depends on it (``keyed``: part of the state store's scope)."""
    return field(default=default, metadata={"flag": flag, "help": help, "commands": commands, "metavar": metavar,
                                            "served": served, "keyed": keyed})


@dataclass(frozen=True)
class FeedOptions:
    """How feed items are read and translated; the flags of both commands and the server's query
    parameters are made from these fields (``translate/commandline.py``, ``translate/server/api/feed.py``)."""

    titles_only: bool = _feed(False, flag="--titles-only", commands=("translate",), served=True, keyed=True,
                              help="Translate each item's title; its text stays as the feed gave it.")
    bilingual_titles: bool = _feed(False, flag="--bilingual-titles", commands=("translate",), served=True,
                                   help="Titles read \"translation · original\".")
    fetch_articles: bool = _feed(False, flag="--fetch-articles", keyed=True,
                                 help="Fetch each item's link and use its article (the feed's text when that "
                                      "fails).")
    since: str | None = _feed(None, flag="--since", metavar="DATE",
                              help="Only items dated on or after DATE (2026-12-01 or an ISO 8601 time).")
    state: str | None = _feed(None, flag="--state", metavar="FILE",
                              help="The state store of items seen and feeds' validators (default: in the cache "
                                   "folder).")
    delay_s: float = _feed(DEFAULT_DELAY_S, flag="--delay", metavar="SECONDS",
                           help="The least time between two requests to one host.")

    def __post_init__(self) -> None:
        if self.since is not None:
            object.__setattr__(self, "since", normalise_date(self.since))
        if not 0 <= self.delay_s <= MAX_DELAY_S:  # NaN fails too
            raise UsageError(f"the delay between requests must be 0 to {MAX_DELAY_S:g} s, not {self.delay_s:g}",
                             option="delay_s")

    def check_unused(self) -> None:
        """Raise unless every field is at its default: for an input that is not a feed."""
        for f in fields(self):
            if f.name != "delay_s" and getattr(self, f.name) != f.default:
                raise UsageError(f"{f.name.replace('_', ' ')} applies to a feed, and the input is not an RSS, "
                                 "Atom or OPML feed", option=f.name)

    def scope(self) -> dict[str, object]:
        """What a stored item's work depends on (not where the state lives, nor the dates asked)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.metadata["keyed"]}


def normalise_date(value: str) -> str:
    """``2026-12-01`` or a full ISO 8601 time → ``2026-12-01T00:00:00Z`` (UTC), else a UsageError."""
    text = value.strip()
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError):  # not a date; or one UTC cannot hold (year 1 at +14:00)
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise UsageError(f"'{shown}' is not a date (write it as 2026-12-01 or 2026-12-01T08:00:00Z)",
                         option="since") from None
