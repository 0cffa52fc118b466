"""``summarize FEED``: a morning briefing. Every item is read (its article fetched when asked) and
its title and lead translated, through the corpus engine (translate/feeds); items are grouped
into stories (summarize/stories.py); each story gets one digest at the requested lengths, from
its fullest item, with its sources listed; stories are ordered by how many feeds carry them,
then by recency. Items, story digests and readings are kept in the state store, so a rerun
only works on what is new."""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from translate import Translator
from translate.corpus.reading import Item
from translate.corpus.work import Job, Progress, guarded, record
from translate.document import Document, Paragraph
from translate.feeds.fetching import PoliteFetcher
from translate.languages import base_language as base
from translate.feeds.gather import Report
from translate.feeds.options import FeedOptions
from translate.feeds.run import Processed, feed_job
from translate.feeds.state import StateStore
from translate.feeds.work import ItemReader, untranslated
from translate.options import DecodingOptions, LoadOptions, PipelineOptions, describe
from translate.sources.url import Fetched
from translate.sources.feed.items import FeedItem, ItemParagraph, ItemSentence, TranslatedItem

from .digests import Digests
from .stories import minhash_signature
from .lengths import DEFAULT_LENGTHS

SHINGLED_CHARS = 1000  # of an item's text, for near-duplicates: copies share their start; memory stays flat
# What the same-event similarity compares, with the title (the labelled set's gists: a title and one sentence)
LEAD_SENTENCES = 1


class PreparingItems:
    """The per-item work of a briefing: the item read, its title and lead translated."""

    def __init__(self, job: Job, *, feed: FeedOptions, translator: Translator | None = None) -> None:
        self.translator = translator or Translator(load=job.load, decoding=job.decoding, pipeline=job.pipeline)
        self.reader = ItemReader(self.translator, job.pipeline)
        self.language = "" if job.load.source_language == "auto" else base(job.load.source_language)

    def __call__(self, items: Sequence[Item], progress: Progress | None = None) -> list[dict[str, Any]]:
        read = [guarded(functools.partial(self.reader.read, item)) for item in items]
        gists: list[list[Paragraph]] = []
        for r in read:
            if isinstance(r, str):
                gists.append([])
                continue
            heading = [p for p in r.paragraphs if p.kind == "title"][:1]
            lead_sentences = [s.text for p in r.paragraphs if p.kind != "title" for s in p.sentences][:LEAD_SENTENCES]
            lead = " ".join(lead_sentences)
            gist = [*heading, *(self.translator.segment(lead).paragraphs if lead else ())]
            gists.append([Paragraph(i, p.text, p.kind, p.line, p.sentences, p.markup) for i, p in enumerate(gist)])
        todo = [k for k, g in enumerate(gists) if g]
        translated = dict(zip(todo, self.translator.translate_documents([gists[k] for k in todo], progress)))
        records = []
        for k, (item, r) in enumerate(zip(items, read)):
            if isinstance(r, str):
                records.append(record(item, error=r, output=untranslated(item, r)))
                continue
            done = translated.get(k, [])
            title = next((p.translation for p in done if p.kind == "title"), "")
            body = [p for p in r.paragraphs if p.kind != "title"]
            language = self.language or _language(" ".join([r.item.title, *(p.text for p in body[:3])]))
            prepared = {"item": r.item.to_dict(), "title_translation": title,
                        "lead": " ".join([s.text for p in body for s in p.sentences][:LEAD_SENTENCES]),
                        "lead_translation": " ".join(p.translation for p in done if p.kind != "title"),
                        "language": language,
                        "paragraphs": [{"kind": p.kind, "text": p.text} for p in body],
                        # made here, once per item (in the engine): a rerun's grouping hashes nothing
                        "signature": list(minhash_signature(r.item.title, "\n".join(p.text for p in body))),
                        "text_from": r.text_from, "note": r.note}
            records.append(record(item, output=json.dumps(prepared, ensure_ascii=False),
                                  counts={"sentences": sum(len(p.sentences) for p in done)}))
        return records


def _language(text: str) -> str:
    """An item's language, detected from its own text (a model given by name translates whatever it
    gets, so its sentences' languages say nothing): what decides whether two items compare in the
    source or in translation."""
    from translate.detect import detect

    found = detect(text).language
    return "" if found == "und" else base(found)


@dataclass(frozen=True)
class BriefingRun:
    """What ``summarize FEED`` did: items read, items worked on now (the rest from the state
    store), stories, failed items, and what gathering met."""

    items: int
    new: int
    stories: int
    failed: int
    report: Report
    notes: tuple[str, ...]  # the items that are in no story, and why (failed feeds are in ``report``)


def brief_feed(source: str, output: str | None, *, format: str = "html", lengths: Sequence[str] = DEFAULT_LENGTHS,
               feed: FeedOptions = FeedOptions(), load: LoadOptions = LoadOptions(),
               decoding: DecodingOptions = DecodingOptions(), pipeline: PipelineOptions = PipelineOptions(),
               engine: str = "local", ray_address: str | None = None, actors: int | None = None,
               progress: bool = False, state: StateStore | None = None,
               fetcher: PoliteFetcher | None = None, prefetched: Fetched | None = None,
               method: Literal["extractive", "abstractive"] = "extractive",
               summary_model: str | None = None) -> BriefingRun:
    """Write the briefing of the feed (or OPML list of feeds) at ``source`` to ``output`` (None: stdout)."""
    from translate.output import open_output

    from .briefing_formats import BRIEFING_FORMATS, Briefing, write_briefing
    from .summarizer import Summarizer

    if format not in BRIEFING_FORMATS:
        from translate.errors import UsageError

        raise UsageError(f"a feed's briefing is written as {', '.join(BRIEFING_FORMATS)}, not {format}",
                         option="format")
    translator = Translator(load=load, decoding=decoding, pipeline=pipeline)
    summarizer = Summarizer(list(lengths), to=load.target_language, translator=translator, layout=pipeline.layout,
                            method=method, summary_model=summary_model)  # bad lengths fail before any fetch
    job = Job("summarize", "json", load, decoding, pipeline,  # an item's preparation: not the lengths' business
              work=functools.partial(PreparingItems, feed=feed, translator=translator if engine == "local" else None))
    digest_spec = hashlib.sha256(json.dumps([list(lengths), method, summary_model]).encode()).hexdigest()[:16]
    with feed_job(source, job, feed=feed, output=output, state=state, fetcher=fetcher, engine=engine,
                  ray_address=ray_address, actors=actors, progress=progress, prefetched=prefetched,
                  channels=False) as done:  # a briefing has its own title: the feeds' are not translated
        prepared, notes = _prepared(done)
        stories = _planned(done, prepared)
        for _, rec in prepared:
            for done_with in ("text", "signature", "lead", "lead_translation"):
                rec.pop(done_with, None)  # grouped: the sources' lists need none of these
        outline = tuple(_outline(prepared, members) for members in stories)
        header = {"tool": "summarize", **describe(load, decoding, pipeline), "lengths": list(lengths),
                  **feed.scope()}
        feeds = done.report.feeds
        title = feeds[0].title if len(feeds) == 1 and feeds[0].title else f"Briefing of {len(feeds)} feeds"
        briefed = (_story(done, translator, summarizer, prepared, members, reading=format == "html",
                          digest_spec=digest_spec) for members in stories)  # made as written, one at a time
        briefing = Briefing(title=title, generated=_now(), language=load.target_language, stories=briefed,
                            header=header, notes=tuple(notes + _report_notes(done.report)), outline=outline,
                            feeds=len({rec["item"]["feed"] for _, rec in prepared}), lengths=len(lengths))
        with open_output(output) as out:
            write_briefing(format, briefing, out.write)
        return BriefingRun(len(done.order), done.new, len(stories), len(done.failures), done.report, tuple(notes))


def _outline(prepared: list[tuple[str, dict[str, Any]]], members: tuple[int, ...]) -> Any:
    """What the briefing's header says of a story before its digests are made: id, headline, sources, date."""
    from .briefing_formats import StoryOutline

    items = [prepared[k][1] for k in members]
    dates = [rec["item"].get("published") or rec["item"].get("updated") or "" for rec in items]
    return StoryOutline(id=_story_id([rec["item"] for rec in items]),
                        title=items[0].get("title_translation") or items[0]["item"].get("title", ""),
                        sources=len(members), date=max(dates))


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _prepared(done: Processed) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """Every item's prepared record, in feed order; the items that cannot be in a story, named."""
    prepared: list[tuple[str, dict[str, Any]]] = []
    notes: list[str] = []
    for key, rec in done.results():
        if rec is None:
            continue
        item = FeedItem.from_dict(rec["item"])
        name = item.title or item.link or item.id
        if key in done.failures:
            notes.append(f"{name} ({item.feed}): not summarized: {done.failures[key]}")
            continue
        if not rec.get("paragraphs") and not item.title:
            notes.append(f"{name} ({item.feed}): {rec.get('note') or 'the item has no text'}")
            continue
        if rec.get("note") and not rec.get("paragraphs"):
            notes.append(f"{name} ({item.feed}): {rec['note']}; only its title is used")
        prepared.append((key, _slim(rec)))
    return prepared, notes


def _slim(rec: dict[str, Any]) -> dict[str, Any]:
    """What grouping and the sources list need of a prepared record; the whole record is read again
    only for a story's representative (50,000 items' texts never sit in memory at once)."""
    text = "\n".join(p["text"] for p in rec.get("paragraphs") or ())
    return {**{k: v for k, v in rec.items() if k not in ("paragraphs", "item")},
            "item": {**rec["item"], "html": ""}, "text": text[:SHINGLED_CHARS], "length": len(text)}


def _report_notes(report: Report) -> list[str]:
    notes = [f"{feed}: {cause}" for feed, cause in report.failed]
    notes += report.problems
    if report.before_since:
        notes.append(f"{report.before_since} items dated before the start date were left out")
    return notes


def _planned(done: Processed, prepared: list[tuple[str, dict[str, Any]]]) -> list[tuple[int, ...]]:
    """The stories of these items: grouped once, then kept in the state store under the items' keys (a
    rerun with nothing new neither groups again nor loads the grouping's libraries)."""
    dated = (f"{key}\t{rec['item'].get('published') or rec['item'].get('updated') or ''}" for key, rec in prepared)
    plan_key = "stories\t" + hashlib.sha256("\n".join(dated).encode()).hexdigest()  # dates group and order too
    stored = done.state.get(done.scope, plan_key)
    if stored is not None:
        return [tuple(members) for members in stored["stories"]]
    stories = _stories(prepared)
    done.state.put(done.scope, plan_key, {"stories": [list(members) for members in stories]})
    return stories


def _stories(prepared: list[tuple[str, dict[str, Any]]]) -> list[tuple[int, ...]]:
    from .stories import StoryInput, group_stories

    inputs = []
    for key, rec in prepared:
        item = FeedItem.from_dict(rec["item"])
        inputs.append(StoryInput(key=key, language=rec.get("language") or "", title=item.title,
                                 lead=rec.get("lead", ""), text=rec["text"], size=rec["length"],
                                 signature=tuple(rec.get("signature") or ()),
                                 title_translation=rec.get("title_translation", ""),
                                 lead_translation=rec.get("lead_translation", ""), date=item.date, feed=item.feed))
    return [story.members for story in group_stories(inputs)]


def _story(done: Processed, translator: Translator, summarizer: Any, prepared: list[tuple[str, dict[str, Any]]],
           members: tuple[int, ...], *, reading: bool, digest_spec: str) -> Any:
    """One story of the briefing: the representative's digests (stored once made), its sources."""
    from .briefing_formats import BriefingSource, BriefingStory

    key = prepared[members[0]][0]
    rep = done.result(key) or {}
    item = FeedItem.from_dict(rep["item"])
    digest_key = f"digests\t{digest_spec}\t{key}"
    stored = done.state.get(done.scope, digest_key)
    if stored is None:
        digests = summarizer.summarize(_document(translator, item, rep))
        done.state.put(done.scope, digest_key, digests.to_dict())
    else:
        digests = Digests.from_dict(stored)
    story_id = _story_id([prepared[k][1]["item"] for k in members])
    translated_reading = None
    if reading and rep.get("text_from") == "article" and rep.get("paragraphs"):
        reading_key = f"reading\t{key}"
        stored_reading = done.state.get(done.scope, reading_key)
        if stored_reading is None:
            translated_reading = _reading(translator, item, rep)
            done.state.put(done.scope, reading_key, translated_reading.to_dict())
        else:
            translated_reading = TranslatedItem.from_dict(stored_reading)
    sources = []
    for k in members:
        _, rec = prepared[k]
        member = FeedItem.from_dict(rec["item"])
        sources.append(BriefingSource(feed=member.feed, feed_title=member.feed_title, title=member.title,
                                      title_translation=rec.get("title_translation", ""), link=member.link,
                                      date=member.date,
                                      reading_anchor=f"{story_id}-reading" if k == members[0] and translated_reading
                                      else None))
    headline = rep.get("title_translation") or item.title
    dates = [s.date for s in sources if s.date]
    return BriefingStory(id=story_id, title=headline, digests=digests, sources=tuple(sources),
                         date=max(dates) if dates else "", reading=translated_reading)


def _story_id(items: list[dict[str, Any]]) -> str:
    """A story's id, the same from run to run while its first report stays in it (a digest feed's guid:
    a reader must not see the story again because a longer copy or an edit came in)."""
    first = min(items, key=lambda item: (item.get("published") or item.get("updated") or "9999", item["feed"],
                                         item["id"]))
    return "story-" + hashlib.sha1(f"{first['feed']}\t{first['id']}".encode()).hexdigest()[:12]


def _document(translator: Translator, item: FeedItem, rep: dict[str, Any]) -> Document:
    """The representative item as a document: its title, then its paragraphs as read (kinds kept)."""
    paragraphs: list[Paragraph] = []
    for kind, text in [("title", item.title), *((p["kind"], p["text"]) for p in rep.get("paragraphs") or ())]:
        if not text.strip():
            continue
        for p in translator.segment(text).paragraphs:
            paragraphs.append(Paragraph(len(paragraphs), p.text, kind, p.line, p.sentences, p.markup))
    return Document(tuple(paragraphs), "blocks", {"title": item.title, "url": item.link})


def _reading(translator: Translator, item: FeedItem, rep: dict[str, Any]) -> TranslatedItem:
    """The fetched article, translated whole: the briefing's bilingual reading of the story."""
    doc = _document(translator, item, rep)
    done = translator.translate_documents([list(doc.paragraphs)])[0]
    title = next((p.translation for p in done if p.kind == "title"), "")
    body = tuple(ItemParagraph(p.kind, p.source, p.translation,
                               tuple(ItemSentence(s.source, s.translation, s.status, s.reason) for s in p.sentences))
                 for p in done if p.kind != "title")
    return TranslatedItem(item, title, body, "article")
