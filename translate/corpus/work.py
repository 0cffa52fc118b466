"""The work on documents that both engines share: one :class:`Worker` per process (local) or per
actor (Ray), holding the job's work — translating (:class:`Translating`), or what another command
supplies (``summarize``'s digests) — with its model loaded once, and turning a window of documents
into output records, in order. Whatever the engine, the bytes of a record depend only on the
document and the options: that is what makes the engines' outputs identical."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

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
    # The per-document work, made once per worker from the job (a class or function a command
    # supplies: ``summarize`` its own); None: translating (:class:`Translating`)
    work: Callable[[Job], Work] | None = field(default=None, compare=False)

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


class Work(Protocol):
    """The per-document work of a command: documents in, one record each out, in order."""

    def __call__(self, items: Sequence[Item], progress: Progress | None = None) -> list[dict[str, Any]]: ...


class Worker:
    """Turns documents into records with the job's work; one per process or actor (its model
    loads once, lazily)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.work: Work = (job.work or Translating)(job)

    def process(self, items: Sequence[Item], progress: Progress | None = None) -> list[dict[str, Any]]:
        """The records of ``items``, in their order."""
        return self.work(items, progress)


class Translating:
    """The ``translate`` command's work: the sentences of all the documents batched together."""

    def __init__(self, job: Job) -> None:
        from ..pipeline import Translator

        self.job = job
        self.translator = Translator(load=job.load, decoding=job.decoding, pipeline=job.pipeline)

    def __call__(self, items: Sequence[Item], progress: Progress | None = None) -> list[dict[str, Any]]:
        from ..output import render

        read: list[Any] = [item.error if item.error else guarded(partial(self._read, item)) for item in items]
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
                records.append(record(item, error=r))
                continue
            layout, paragraphs, metadata = r
            translated = done.get(k, [])
            if not translated:
                records.append(record(item, output="", counts={"sentences": 0}))
                continue
            info = self.translator.info_of(translated)
            statuses = Counter(s.status for p in translated for s in p.sentences)
            counts = {"sentences": sum(statuses.values()), **{s: statuses[s] for s in ("ok", "suspect", "passthrough")}}
            text = "".join(render(self.job.format, translated, info, layout, metadata=metadata))
            header = {**info, "layout": layout, **({"metadata": metadata} if metadata else {})}
            records.append(record(item, output=text, counts=counts, header=header))
        return records

    def _read(self, item: Item) -> tuple[str, list, dict]:
        from ..sources.reader import read_text

        t = self.translator
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # decoding notes are per document: not one line each on stderr
            if item.path is not None:
                layout, stream, metadata = t.read(item.path, encoding=self.job.encoding, errors=self.job.errors)
                return layout, list(stream), metadata
            reading = read_text(item.text or "", pipeline=self.job.pipeline, segmenter=t.segmenter)
            return reading.layout, list(reading.paragraphs), reading.metadata


def guarded(work: Callable[[], Any], on_error: Callable[[str], Any] = lambda why: why) -> Any:
    """``work()``; a document's own failure (unreadable, undecodable, no article) becomes its error."""
    try:
        return work()
    except TranslateError as exc:
        if getattr(exc, "option", None) not in (None, "encoding_or_errors", "encoding", "errors", "input_format"):
            raise  # a wrong option or model fails the whole run, not one document
        return on_error(str(exc))
    except (OSError, UnicodeError, ValueError) as exc:
        return on_error(f"{type(exc).__name__}: {exc}")


def record(item: Item, *, output: str | None = None, error: str | None = None,
            counts: dict[str, int] | None = None, header: dict | None = None) -> dict[str, Any]:
    """One document's result, engine-independent (the writers shape it for their output)."""
    return {"position": item.position, "id": item.id, "fields": item.fields, "source_path": item.path,
            "status": "failed" if error else "ok", "error": error, "output": output,
            "counts": counts or {}, "header": header or {}}
