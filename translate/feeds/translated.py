"""``translate FEED``: the same feed, translated — every item in, every item out, in order — as
RSS, Atom, a bilingual page or JSON lines. Unchanged items come from the state store."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..corpus.work import Job
from ..options import DecodingOptions, LoadOptions, PipelineOptions, describe
from ..sources.feed.items import FeedInfo, TranslatedItem
from ..pipeline import Translator
from ..sources.url import Fetched
from .fetching import PoliteFetcher
from .gather import Report
from .options import FeedOptions
from .run import feed_job
from .state import StateStore
from .work import TranslatingItems


@dataclass(frozen=True)
class FeedTranslation:
    """What ``translate FEED`` did: items written, how many were translated now (the rest came
    from the state store), how many failed (written untranslated, with their cause), sentences
    translated, and what gathering met (failed feeds, malformed ones, 304s)."""

    items: int
    new: int
    failed: int
    sentences: int
    report: Report


def translate_feed(source: str, output: str | None, *, format: str = "rss", feed: FeedOptions = FeedOptions(),
                   load: LoadOptions = LoadOptions(), decoding: DecodingOptions = DecodingOptions(),
                   pipeline: PipelineOptions = PipelineOptions(), engine: str = "local",
                   ray_address: str | None = None, actors: int | None = None, progress: bool = False,
                   state: StateStore | None = None, fetcher: PoliteFetcher | None = None,
                   prefetched: Fetched | None = None, translator: Translator | None = None, lists: bool = True,
                   public_header: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> FeedTranslation:
    """Translate the feed (or OPML list of feeds) at ``source`` into ``output`` (None: stdout).

    ``translator``: a ready one for the local engine (a server's, whose models are loaded): its options
    replace ``load``/``decoding``/``pipeline``. ``public_header``: what the output's header may say (a
    server cuts the local paths it names). ``lists=False``: an OPML list is refused (one feed per call)."""
    from ..output import open_output
    from ..output.feed import feed_writer

    writer = feed_writer(format, titles="bilingual" if feed.bilingual_titles else "translated",
                         titles_only=feed.titles_only, tool="translate")  # a bad format fails before any fetch
    if translator is not None and engine == "local":
        load, decoding, pipeline = translator.load, translator.decoding, translator.pipeline
    else:
        translator = Translator(load=load, decoding=decoding, pipeline=pipeline) if engine == "local" else None
    job = Job("translate", "jsonl", load, decoding, pipeline,  # local: one model, loaded once, lazily
              work=functools.partial(TranslatingItems, feed=feed, translator=translator))
    with feed_job(source, job, feed=feed, output=output, state=state, fetcher=fetcher, engine=engine,
                  ray_address=ray_address, actors=actors, progress=progress, prefetched=prefetched,
                  lists=lists) as done:
        header = {"tool": "translate", **describe(load, decoding, pipeline), **feed.scope(),
                  "bilingual_titles": feed.bilingual_titles}
        if public_header is not None:
            header = public_header(header)
        info = _channel_info(done.report.feeds, source, done.merged)
        channel = done.result(done.channels.get(info.source, "")) if not done.merged else None
        translated = TranslatedItem.from_dict(channel) if channel else None
        written = 0
        with open_output(output) as out:
            out.write(writer.start(info, target_language=load.target_language, header=header, merged=done.merged,
                                   translated_title=translated.title if translated else None,
                                   translated_description=" ".join(p.translation for p in translated.paragraphs)
                                   if translated else None,
                                   generated=max(done.newest, info.updated) or None))  # not "now": same in, same out
            for _key, record in done.results():
                if record is not None:
                    out.write(writer.item(TranslatedItem.from_dict(record)))
                    written += 1
            out.write(writer.end())
        return FeedTranslation(written, done.new, len(done.failures), done.sentences, done.report)


def _channel_info(feeds: list[FeedInfo], source: str, merged: bool) -> FeedInfo:
    if feeds and not merged:
        return feeds[0]
    titles = ", ".join(f.title for f in feeds[:3] if f.title) + (" …" if len(feeds) > 3 else "")
    return FeedInfo(source=source, title=titles or source, description=f"{len(feeds)} feeds, translated")
