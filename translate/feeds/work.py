"""The per-item work of a feed job, the same in every engine (one process, or a Ray actor): an
item's title and text read into paragraphs — the feed's HTML, or the fetched article's (the
feed's text again when the article cannot be read) — and translated with the items of a whole
window batched together. Articles are fetched before (on the driver, politely); here nothing
touches the network, so a record depends only on the item, its article and the options."""

from __future__ import annotations

import dataclasses
import functools
import html
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..corpus.reading import Item
from ..corpus.work import Job, Progress, guarded, record
from ..document import Paragraph, TranslatedParagraph
from ..errors import TranslateError
from ..sources.feed.items import FeedItem, ItemParagraph, ItemSentence, TranslatedItem
from ..options import PipelineOptions
from .options import FeedOptions

if TYPE_CHECKING:
    from ..pipeline import Translator


def payload(item: FeedItem, article: str | None = None, article_error: str | None = None) -> str:
    """What travels to a worker for one item: the item, and its fetched article page (or why not)."""
    return json.dumps({"item": item.to_dict(), "article": article, "article_error": article_error},
                      ensure_ascii=False)


@dataclass(frozen=True)
class ItemText:
    """An item read for translation: its title (kind ``title``, when it has one) and its text as
    paragraphs, where the text came from ("feed", "article", "") and what fell back, if anything."""

    item: FeedItem
    paragraphs: tuple[Paragraph, ...]
    text_from: str
    note: str


class ItemReader:
    """Reads a worker's items into paragraphs, segmented for ``translator``'s model."""

    def __init__(self, translator: Translator, pipeline: PipelineOptions, *, titles_only: bool = False) -> None:
        self.translator, self.pipeline, self.titles_only = translator, pipeline, titles_only

    def read(self, item: Item) -> ItemText:
        data = json.loads(item.text or "{}")
        feed_item = FeedItem.from_dict(data["item"])
        paragraphs = self._segment(feed_item.title, "text", kind="title") if feed_item.title else []
        text_from, note = "", ""
        if not self.titles_only:
            body: list[Paragraph] = []
            if data.get("article"):
                try:
                    body = self._segment(data["article"], "article")
                    text_from = "article" if body else ""
                except TranslateError as exc:
                    note = f"the article could not be read ({exc}); the feed's text is used"
            elif data.get("article_error"):
                note = f"the article could not be fetched ({data['article_error']}); the feed's text is used"
            if not body and feed_item.html.strip():
                body = self._segment(feed_item.html, "html")
                text_from = "feed" if body else ""
            if not body and note:  # the fallback had nothing either
                note = note.replace("; the feed's text is used", "; the feed gives no text either")
            elif not body:
                note = "the item has no text" + ("" if feed_item.link else " and no link")
            paragraphs += body
        return ItemText(feed_item, tuple(dataclasses.replace(p, index=i) for i, p in enumerate(paragraphs)),
                        text_from, note)

    def _segment(self, text: str, how: str, *, kind: str | None = None) -> list[Paragraph]:
        from ..sources.reader import read_text, segment_text

        segmenter = self.translator.segmenter
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # per-item reading notes are not one line each on stderr
            if how == "text":
                reading = segment_text(" ".join(text.split()), layout="lines", segmenter=segmenter)
            else:  # a feed's HTML fragment: every visible block (no page around it); a page: its article
                pipeline = dataclasses.replace(self.pipeline, input_format="html", whole_page=how == "html")
                reading = read_text(text if "<" in text else f"<p>{html.escape(text)}</p>", pipeline=pipeline,
                                    segmenter=segmenter)
            paragraphs = [p for p in reading.paragraphs if p.sentences]
        return [dataclasses.replace(p, kind=kind) for p in paragraphs] if kind else paragraphs  # type: ignore[arg-type]


def untranslated(item: Item, why: str) -> str:
    """A failed item's output: the item as the feed gave it, saying why (retried by the next run)."""
    return json.dumps(TranslatedItem(FeedItem.from_dict(json.loads(item.text or "{}")["item"]),
                                     note=f"not translated: {why}").to_dict(), ensure_ascii=False)


class TranslatingItems:
    """``translate FEED``'s work: feed items → records whose output is a :class:`TranslatedItem` as JSON."""

    def __init__(self, job: Job, *, feed: FeedOptions, translator: Translator | None = None) -> None:
        from ..pipeline import Translator

        self.job, self.feed = job, feed
        self.translator = translator or Translator(load=job.load, decoding=job.decoding, pipeline=job.pipeline)
        self.reader = ItemReader(self.translator, job.pipeline, titles_only=feed.titles_only)

    def __call__(self, items: Sequence[Item], progress: Progress | None = None) -> list[dict[str, Any]]:
        read = [guarded(functools.partial(self.reader.read, item)) for item in items]
        group = [k for k, r in enumerate(read) if not isinstance(r, str) and r.paragraphs]
        done = dict(zip(group, self.translator.translate_documents([read[k].paragraphs for k in group], progress)))
        records = []
        for k, (item, r) in enumerate(zip(items, read)):
            if isinstance(r, str):
                records.append(record(item, error=r, output=untranslated(item, r)))
                continue
            translated = done.get(k, [])
            result = _assemble(r.item, list(r.paragraphs), translated, r.text_from, r.note)
            records.append(record(item, output=json.dumps(result.to_dict(), ensure_ascii=False),
                                  counts={"sentences": sum(len(p.sentences) for p in translated)}))
        return records


def _assemble(item: FeedItem, paragraphs: list[Paragraph], translated: list[TranslatedParagraph], text_from: str,
              note: str) -> TranslatedItem:
    title = ""
    body: list[ItemParagraph] = []
    languages = [s.language for p in translated for s in p.sentences if s.language]
    for source, done in zip(paragraphs, translated):
        if source.kind == "title":
            title = done.translation
            continue
        body.append(ItemParagraph(done.kind, done.source, done.translation,
                                  tuple(ItemSentence(s.source, s.translation, s.status, s.reason)
                                        for s in done.sentences)))
    return TranslatedItem(item, title, tuple(body), text_from, max(set(languages), key=languages.count)
                          if languages else "", note)
