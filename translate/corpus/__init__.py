"""Corpora: thousands of documents through ``translate`` or ``summarize`` in one job.

Input: a folder (recursive, ``glob``), a JSONL file or a Parquet file (``text_field``,
``id_field``; other fields carried through). Output: a folder mirroring the input, a JSONL file
or a Parquet file, one record per document, in input order. Engines: ``local`` (one process,
one model, sentences of many documents batched together) and ``ray`` (the same job as a Ray Data
pipeline over an actor pool). Killed runs resume; a failed document is recorded, not fatal.

Modules: ``reading`` (corpora in), ``work`` (one worker per process or actor: documents → records),
``writing`` (records out, resume journal), ``local`` and ``ray_engine`` (the engines).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from .reading import CorpusInput, Item, corpus_kind
from .work import Job, Worker
from .writing import Sink, output_kind

__all__ = ["CorpusInput", "CorpusResult", "Item", "Job", "Worker", "corpus_kind", "is_corpus", "run_corpus"]

ENGINES = ("local", "ray")


def is_corpus(path: str, *, engine: str | None = None, text_field: str | None = None) -> bool:
    """Whether the command's input is a corpus (a folder, .jsonl, .parquet, or corpus options given)."""
    return corpus_kind(path) is not None or engine is not None or text_field is not None


@dataclass(frozen=True)
class CorpusResult:
    documents: int      # in the corpus
    resumed: int        # already done by an earlier, killed run
    failed: int         # recorded with their error
    sentences: int      # processed by this run


def run_corpus(job: Job, path: str, output: str | None, *, glob: str = "*", text_field: str | None = None,
               id_field: str | None = None, engine: str | None = None, ray_address: str | None = None,
               actors: int | None = None, progress: bool = True) -> CorpusResult:
    """Run ``job`` on every document of the corpus at ``path``, writing to ``output``."""
    engine = engine or "local"
    if engine not in ENGINES:
        raise UsageError(f"unknown engine '{engine}' (choose from {', '.join(ENGINES)})", option="engine")
    kind = corpus_kind(path)
    if kind is None:
        if path == "-" or not Path(path).exists():
            raise UsageError(f"'{path}' is not a corpus: a folder, a .jsonl or a .parquet file", option="engine")
        kind = "jsonl"  # corpus options given for a file with another name: JSON lines
    out_kind = output_kind(output, kind)
    if out_kind != "stdout":
        _apart(path, kind, output, out_kind)  # type: ignore[arg-type]
    source = CorpusInput(path, kind, glob=glob, text_field=text_field or "text", id_field=id_field or "id")
    sink = Sink(output, out_kind, {**job.describe(), "input": str(Path(path).resolve()), "glob": glob,
                                   "text_field": source.text_field, "id_field": source.id_field},
                id_key="id" if kind == "folder" else source.id_field, output_field=job.output_field,
                suffix=job.suffix, nested=kind == "folder")
    from .local import Meter, run_local

    skip = sink.start()
    meter = Meter(job.tool, source.count(), skip, progress)
    if skip and progress:
        import sys

        print(f"{job.tool}: resuming: {skip} documents already done", file=sys.stderr)
    try:
        if engine == "ray":
            from .ray_engine import run_ray

            run_ray(job, source.items(skip), sink, meter, address=ray_address, actors=actors or 2, quiet=not progress)
        else:
            run_local(job, source.items(skip), sink, meter)
    except BaseException:
        sink.close()
        raise
    sink.finish()
    return CorpusResult(meter.docs, skip, meter.failed + sink.failed_before, meter.sentences)


def _apart(path: str, kind: str, output: str, out_kind: str) -> None:
    """Refuse an output that is the input, lies inside an input folder, or is a folder holding the
    input: the run would overwrite its own documents, or read what it writes (links resolved)."""
    source, target = os.path.realpath(path), os.path.realpath(output)
    inside = (source == target or (kind == "folder" and _within(target, source))
              or (out_kind == "folder" and _within(source, target)))
    if inside:
        raise UsageError(f"the output '{output}' overlaps the input '{path}': choose an output outside the input",
                         option="output")


def _within(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip(os.sep) + os.sep)
