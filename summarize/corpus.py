"""The ``summarize`` command's work on a corpus: each document's digests as one record. The corpus
engine (``translate/corpus``) runs it as it runs translation — it knows nothing of digests."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

from translate import Translator
from translate.corpus.reading import Item
from translate.corpus.work import Job, guarded, record
from translate.document import Document

from .lengths import PRESETS
from .summarizer import Summarizer


class Digesting:
    """Digests of each document, with one translator (its model loaded once) for what they translate."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.translator = Translator(load=job.load, decoding=job.decoding, pipeline=job.pipeline)
        self.summarizer = Summarizer(list(job.lengths) or list(PRESETS), to=job.load.target_language,
                                     method=job.method, translator=self.translator,  # type: ignore[arg-type]
                                     summary_model=job.summary_model, layout=job.pipeline.layout)

    def __call__(self, items: Sequence[Item], progress: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
        return [self._record(item) for item in items]

    def _record(self, item: Item) -> dict[str, Any]:
        """The item's record: its digests, or its own error (unreadable, undecodable, no article)."""
        if item.error:
            return record(item, error=item.error)
        return guarded(lambda: self._digest(item), lambda why: record(item, error=why))

    def _digest(self, item: Item) -> dict[str, Any]:
        from .formats import render

        job = self.job
        doc = self._read(item)
        sentences = sum(len(p.sentences) for p in doc.paragraphs)
        if not sentences:
            return record(item, output="", counts={"sentences": 0})
        digests = self.summarizer.summarize(doc)
        article = self.translator.translate_iter(doc) \
            if job.format == "html" and digests.language != digests.source_language else ()
        text = render(job.format, digests, article, doc.metadata)
        counts = {"sentences": sentences, "translated": len(digests.info.get("translated_sentences", [])),
                  "digests": len(digests)}
        notes = {d.name: d.note for d in digests if d.note}
        header = {**digests.info, **({"notes": notes} if notes else {}),
                  **({"metadata": doc.metadata} if doc.metadata else {})}
        return record(item, output=text, counts=counts, header=header)

    def _read(self, item: Item) -> Document:
        """The document of an item (a file, or a record's text), segmented with no model."""
        from translate.sources.reader import read_input, read_text

        job = self.job
        language = None if job.load.source_language == "auto" else job.load.source_language
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # decoding notes are per document: not one line each on stderr
            if item.path is not None:
                return read_input(item.path, pipeline=job.pipeline, encoding=job.encoding, errors=job.errors,
                                  language=language, offline=job.load.offline).document()
            return read_text(item.text or "", pipeline=job.pipeline, language=language).document()
