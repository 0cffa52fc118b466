"""The work on documents that both engines share: one :class:`Worker` per process (local) or per
actor (Ray), holding one ``Translator`` — its model loaded once — and turning a window of
documents into output records, in order. Whatever the engine, the bytes of a record depend only
on the document and the options: that is what makes the engines' outputs identical."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import TranslateError
from ..options import DecodingOptions, LoadOptions, PipelineOptions
from .reading import Item

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Job:
    """What to do with every document: the tool, its output format and every option."""

    tool: str                                  # "translate" or "summarize"
    format: str = "text"
    load: LoadOptions = field(default_factory=LoadOptions)
    decoding: DecodingOptions = field(default_factory=DecodingOptions)
    pipeline: PipelineOptions = field(default_factory=PipelineOptions)
    encoding: str | None = None
    errors: str = "strict"
    lengths: tuple[str, ...] = ()              # summarize
    method: str = "extractive"
    summary_model: str | None = None

    @property
    def output_field(self) -> str:
        return "translation" if self.tool == "translate" else "digests"

    @property
    def suffix(self) -> str:
        """The file suffix of one document's output in a folder."""
        return {"text": ".txt", "bilingual": ".txt", "markdown": ".md", "jsonl": ".jsonl", "json": ".json",
                "html": ".html"}[self.format]

    def describe(self) -> dict[str, Any]:
        """What a resumed run must match (the journal's first line)."""
        import dataclasses

        return {"tool": self.tool, "format": self.format, "lengths": list(self.lengths), "method": self.method,
                "options": {k: v for g in (self.load, self.decoding, self.pipeline)
                            for k, v in dataclasses.asdict(g).items() if k not in ("threads", "device")}}


class Worker:
    """Turns documents into records; one per process or actor (the model loads once, lazily)."""

    def __init__(self, job: Job) -> None:
        from ..pipeline import Translator

        self.job = job
        self.translator = Translator(load=job.load, decoding=job.decoding, pipeline=job.pipeline)
        self.summarizer = None
        if job.tool == "summarize":
            from summarize.summarizer import Summarizer

            self.summarizer = Summarizer(list(job.lengths) or _presets(), to=job.load.target_language,
                                         method=job.method, translator=self.translator,
                                         summary_model=job.summary_model, layout=job.pipeline.layout)

    def process(self, items: Sequence[Item], progress: Progress | None = None) -> list[dict[str, Any]]:
        """The records of ``items``, in their order (sentences of all of them batched together)."""
        if self.job.tool == "summarize":
            return [self._summarize(item) for item in items]
        return self._translate(items, progress)

    # -- translate ------------------------------------------------------------------------------------
    def _translate(self, items: Sequence[Item], progress: Progress | None) -> list[dict[str, Any]]:
        from ..output import render

        read: list[Any] = []
        for item in items:
            read.append(item.error if item.error else _guarded(lambda item=item: self._read(item)))
        done: dict[int, list] = {}
        for markdown in (False, True):  # Markdown documents mask their syntax too: a group of their own
            group = [k for k, r in enumerate(read) if not isinstance(r, str) and (r[0] == "markdown") == markdown
                     and r[1]]
            if group:
                out = self.translator.translate_documents([read[k][1] for k in group], progress, markdown=markdown)
                done.update(zip(group, out))
        records = []
        for k, (item, r) in enumerate(zip(items, read)):
            if isinstance(r, str):
                records.append(_record(item, error=r))
                continue
            layout, paragraphs, metadata = r
            translated = done.get(k, [])
            if not translated:
                records.append(_record(item, output="", counts={"sentences": 0}))
                continue
            info = self.translator.info
            statuses = Counter(s.status for p in translated for s in p.sentences)
            counts = {"sentences": sum(statuses.values()), **{s: statuses[s] for s in ("ok", "suspect", "passthrough")}}
            text = "".join(render(self.job.format, translated, info, layout, metadata=metadata))
            header = {**info, "layout": layout, **({"metadata": metadata} if metadata else {})}
            records.append(_record(item, output=text, counts=counts, header=header))
        return records

    def _read(self, item: Item) -> tuple[str, list, dict]:
        t = self.translator
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # decoding notes are per document: not one line each on stderr
            if item.path is not None:
                layout, stream, metadata = t.read(item.path, encoding=self.job.encoding, errors=self.job.errors)
                return layout, list(stream), metadata
            kind, source, text = _text_source(item.text or "", self.job.pipeline, t.load.source_language)
            if source is None:
                layout, stream = t.segment_stream([text])
                return layout, list(stream), {}
            from ..segmentation import segment_blocks
            from ..spans import markdown_unbreakable_spans

            paragraphs = segment_blocks(source.blocks, t._segment_counter, lambda: t.token_limit,
                                        lambda: t._language, markdown_unbreakable_spans if kind == "markdown" else None)
            return source.layout, list(paragraphs), source.metadata

    # -- summarize ------------------------------------------------------------------------------------
    def _summarize(self, item: Item) -> dict[str, Any]:
        if item.error:
            return _record(item, error=item.error)
        return _guarded(lambda: self._digest(item), lambda why: _record(item, error=why))

    def _digest(self, item: Item) -> dict[str, Any]:
        from summarize.formats import render

        from ..document import Document
        from ..segmentation import segment_blocks, segment_document
        from ..sources import read_document

        job, language = self.job, None if self.job.load.source_language == "auto" else self.job.load.source_language
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if item.path is not None:
                doc = read_document(item.path, input_format=job.pipeline.input_format,
                                    whole_page=job.pipeline.whole_page, encoding=job.encoding, errors=job.errors,
                                    language=language, offline=job.load.offline, layout=job.pipeline.layout)
            else:
                kind, source, text = _text_source(item.text or "", job.pipeline, job.load.source_language)
                doc = segment_document(text, layout=job.pipeline.layout, language=language) if source is None \
                    else Document(tuple(segment_blocks(source.blocks, language=language)), source.layout,
                                  source.metadata)
        sentences = sum(len(p.sentences) for p in doc.paragraphs)
        if not sentences:
            return _record(item, output="", counts={"sentences": 0})
        digests = self.summarizer.summarize(doc)  # type: ignore[union-attr]
        article = self.translator.translate_iter(doc) \
            if job.format == "html" and digests.language != digests.source_language else ()
        text = render(job.format, digests, article, doc.metadata)
        counts = {"sentences": sentences, "translated": len(digests.info.get("translated_sentences", [])),
                  "digests": len(digests)}
        notes = {d.name: d.note for d in digests if d.note}
        header = {**digests.info, **({"notes": notes} if notes else {}),
                  **({"metadata": doc.metadata} if doc.metadata else {})}
        return _record(item, output=text, counts=counts, header=header)


def _presets() -> list[str]:
    from summarize.lengths import PRESETS

    return list(PRESETS)


def _guarded(work: Callable[[], Any], on_error: Callable[[str], Any] = lambda why: why) -> Any:
    """``work()``; a document's own failure (unreadable, undecodable, no article) becomes its error."""
    try:
        return work()
    except TranslateError as exc:
        if getattr(exc, "option", None) not in (None, "encoding_or_errors", "encoding", "errors", "input_format"):
            raise  # a wrong option or model fails the whole run, not one document
        return on_error(str(exc))
    except (OSError, UnicodeError, ValueError) as exc:
        return on_error(f"{type(exc).__name__}: {exc}")


def _text_source(text: str, pipeline: PipelineOptions, language: str) -> tuple[str, Any, str]:
    """A record's text: its kind (``pipeline.input_format``, else sniffed), and for HTML or
    Markdown its parsed source; plain text is cleaned like a file's."""
    from ..reading import clean_text
    from ..sources import kind_of, read_html, read_markdown

    kind = pipeline.input_format if pipeline.input_format != "auto" else kind_of("", text[:4096].encode("utf-8"))
    if kind == "html":
        return kind, read_html(text.encode("utf-8"), whole_page=pipeline.whole_page), text
    if kind == "markdown":
        return kind, read_markdown(text), text
    return "text", None, clean_text(text)


def _record(item: Item, *, output: str | None = None, error: str | None = None,
            counts: dict[str, int] | None = None, header: dict | None = None) -> dict[str, Any]:
    """One document's result, engine-independent (the writers shape it for their output)."""
    return {"position": item.position, "id": item.id, "fields": item.fields, "source_path": item.path,
            "status": "failed" if error else "ok", "error": error, "output": output,
            "counts": counts or {}, "header": header or {}}
