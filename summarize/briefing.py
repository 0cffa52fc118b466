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
from dataclasses import asdict, dataclass
from typing import Any

from translate import Translator
from translate.corpus.reading import Item
from translate.corpus.work import Job, Progress, guarded, record
from translate.document import Document, Paragraph
from translate.feeds.fetching import PoliteFetcher
from translate.languages import base_language as base
from translate.feeds.gather import Report
from translate.feeds.options import FeedOptions
from translate.feeds.run import Processed, process
from translate.feeds.state import StateStore
from translate.feeds.work import ItemReader, untranslated
from translate.options import DecodingOptions, LoadOptions, PipelineOptions, describe
from translate.sources.url import Fetched
from translate.sources.feed.items import FeedItem, ItemParagraph, ItemSentence, TranslatedItem

from .digests import Digest, Digests, DigestSentence
from .lengths import DEFAULT_LENGTHS, LengthSpec

LEAD_SENTENCES = 2  # what the same-event similarity compares, with the title (translated when languages differ)


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
               fetcher: PoliteFetcher | None = None, prefetched: Fetched | None = None) -> BriefingRun:
    """Write the briefing of the feed (or OPML list of feeds) at ``source`` to ``output`` (None: stdout)."""
    from translate.models import offline_mode
    from translate.output import open_output

    from .briefing_formats import BRIEFING_FORMATS, Briefing, render_briefing
    from .summarizer import Summarizer

    if format not in BRIEFING_FORMATS:
        from translate.errors import UsageError

        raise UsageError(f"a feed's briefing is written as {', '.join(BRIEFING_FORMATS)}, not {format}",
                         option="format")
    offline = bool(load.offline) if load.offline is not None else offline_mode()
    translator = Translator(load=load, decoding=decoding, pipeline=pipeline)
    summarizer = Summarizer(list(lengths), to=load.target_language, translator=translator, layout=pipeline.layout)
    job = Job("summarize", "json", load, decoding, pipeline, lengths=tuple(lengths),
              work=functools.partial(PreparingItems, feed=feed, translator=translator if engine == "local" else None))
    own = state is None
    store = state or StateStore(feed.state)
    try:
        done = process(source, job, feed=feed, state=store, fetcher=fetcher or PoliteFetcher(
            delay_s=feed.delay_s, offline=offline), engine=engine, ray_address=ray_address, actors=actors,
            progress=progress, offline=offline, prefetched=prefetched)
        prepared, notes = _prepared(done)
        stories = _stories(prepared)
        briefed = [_story(done, translator, summarizer, prepared, members, reading=format == "html")
                   for members in stories]
        header = {"tool": "summarize", **describe(load, decoding, pipeline), "lengths": list(lengths),
                  **feed.scope()}
        feeds = done.report.feeds
        title = feeds[0].title if len(feeds) == 1 and feeds[0].title else f"Briefing of {len(feeds)} feeds"
        briefing = Briefing(title=title, generated=_now(), language=load.target_language, stories=tuple(briefed),
                            header=header, notes=tuple(notes + _report_notes(done.report)))
        with open_output(output) as out:
            out.write(render_briefing(format, briefing))
        return BriefingRun(len(done.order), done.new, len(briefed), len(done.failures), done.report, tuple(notes))
    finally:
        if own:
            store.close()


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
        prepared.append((key, rec))
    return prepared, notes


def _report_notes(report: Report) -> list[str]:
    notes = [f"{feed}: {cause}" for feed, cause in report.failed]
    notes += report.problems
    if report.before_since:
        notes.append(f"{report.before_since} items dated before the start date were left out")
    return notes


def _stories(prepared: list[tuple[str, dict[str, Any]]]) -> list[tuple[int, ...]]:
    from .stories import StoryInput, group_stories

    inputs = []
    for key, rec in prepared:
        item = FeedItem.from_dict(rec["item"])
        text = "\n".join(p["text"] for p in rec.get("paragraphs") or ())
        inputs.append(StoryInput(key=key, language=rec.get("language") or "", title=item.title,
                                 lead=rec.get("lead", ""), text=text,
                                 title_translation=rec.get("title_translation", ""),
                                 lead_translation=rec.get("lead_translation", ""), date=item.date, feed=item.feed))
    return [story.members for story in group_stories(inputs)]


def _story(done: Processed, translator: Translator, summarizer: Any, prepared: list[tuple[str, dict[str, Any]]],
           members: tuple[int, ...], *, reading: bool) -> Any:
    """One story of the briefing: the representative's digests (stored once made), its sources."""
    from .briefing_formats import BriefingSource, BriefingStory

    key, rep = prepared[members[0]]
    item = FeedItem.from_dict(rep["item"])
    digest_key = f"digests\t{key}"
    stored = done.state.get(done.scope, digest_key)
    if stored is None:
        digests = summarizer.summarize(_document(translator, item, rep))
        done.state.put(done.scope, digest_key, digests_to_dict(digests))
    else:
        digests = digests_from_dict(stored)
    story_id = "story-" + hashlib.sha1(key.encode()).hexdigest()[:12]
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


def digests_to_dict(digests: Digests) -> dict[str, Any]:
    return {"language": digests.language, "source_language": digests.source_language,
            "info": json.loads(json.dumps(digests.info, default=str)),
            "digests": [{**{k: v for k, v in asdict(d).items() if k not in ("length", "sentences")},
                         "length": asdict(d.length), "sentences": [asdict(s) for s in d.sentences]}
                        for d in digests]}


def digests_from_dict(data: dict[str, Any]) -> Digests:
    digests = tuple(Digest(length=LengthSpec(**d["length"]),
                           sentences=tuple(DigestSentence(**s) for s in d["sentences"]),
                           achieved=d["achieved"], over_budget=d["over_budget"], method=d["method"],
                           abstract=d["abstract"], note=d["note"]) for d in data["digests"])
    return Digests(digests, data["language"], data["source_language"], data.get("info") or {})
