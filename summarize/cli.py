"""The ``summarize`` command: same conventions and the same model options as ``translate``
(both come from ``translate/commandline.py``); only the digest options are its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, Optional

import typer

from translate.commandline import (MODEL, CommandIO, CorpusIO, new_app, note, options_command, report_feed,
                                   report_suspects, run, run_corpus_command)
from translate.feeds.options import FeedOptions
from translate.options import DecodingOptions, LoadOptions, PipelineOptions

from .digests import METHODS
from .formats import BRIEFING_FORMATS, FORMATS
from .lengths import PRESETS

if TYPE_CHECKING:
    from translate.sources.url import Fetched

DIGESTS = "Digests"
LengthOpt = Annotated[Optional[list[str]], typer.Option(
    "-l", "--length", metavar="LENGTH", rich_help_panel=DIGESTS,
    help=f"{', '.join(PRESETS)} (default: all four), or 3 / 80w / 150c / 20%; repeat or separate with commas.")]
MethodOpt = Annotated[Literal[METHODS], typer.Option(  # type: ignore[valid-type]
    "--method", rich_help_panel=DIGESTS, help="extractive: picked sentences; abstractive: a summarizer model "
                                              "writes the digest (guarded).")]
SummaryModelOpt = Annotated[Optional[str], typer.Option(
    "--summary-model", metavar="ID|PATH", rich_help_panel=MODEL,
    help="Abstractive summarizer: BART/PEGASUS/T5 id or folder (default: sshleifer/distilbart-cnn-12-6).")]

app = new_app()


@app.command(help="Digest an article at several lengths (PATH, or - / nothing for stdin).")
@options_command("summarize", tuple(dict.fromkeys((*FORMATS, *BRIEFING_FORMATS))))
def summarize_command(
    *,
    length: LengthOpt = None,
    method: MethodOpt = "extractive",
    summary_model: SummaryModelOpt = None,
    io: CommandIO,
    corpus: CorpusIO,
    feed: FeedOptions,
    load: LoadOptions,
    decoding: DecodingOptions,
    pipeline: PipelineOptions,
) -> int | None:
    from translate.feeds.sniff import sniff
    from translate.models import offline_mode
    from translate.sources.url import prefetched

    lengths = [part.strip() for item in (length or PRESETS) for part in item.split(",") if part.strip()]
    if not lengths:  # -l '' or -l ,,, asked for something, and it is nothing
        from translate.errors import UsageError

        raise UsageError("no length given: use headline, short, medium, long, or e.g. 3, 80w, 150c, 20%",
                         option="lengths")
    sniffed = sniff(io.path, input_format=pipeline.input_format, offline=bool(load.offline) or offline_mode(),
                    state=feed.state)
    if sniffed.feed:
        return _brief(io, corpus, feed, load, decoding, pipeline, sniffed.fetched, lengths, method, summary_model)
    feed.check_unused()  # feed options on an article: a usage error, not silently ignored
    if io.format not in FORMATS:
        from translate.errors import UsageError

        raise UsageError(f"{io.format} is a briefing's format, and the input is not an RSS, Atom or OPML feed",
                         option="format")
    with prefetched(sniffed.fetched):  # a URL already fetched to see what it is: never fetched twice
        return _summarize(io, corpus, load, decoding, pipeline, lengths, method, summary_model)


def _brief(io: CommandIO, corpus: CorpusIO, feed: FeedOptions, load: LoadOptions, decoding: DecodingOptions,
           pipeline: PipelineOptions, fetched: Fetched | None, lengths: list[str],
           method: Literal["extractive", "abstractive"], summary_model: str | None) -> int:
    """``summarize FEED``: a briefing, story by story; exit 1 when a feed or an item failed."""
    import sys
    import time

    from .briefing import brief_feed

    started = time.perf_counter()
    done = brief_feed(io.path, io.output, format=io.format if io.format_given else "markdown", lengths=lengths,
                      feed=feed, load=load, decoding=decoding, pipeline=pipeline, engine=corpus.engine or "local",
                      ray_address=corpus.ray_address, actors=corpus.actors, progress=not io.quiet,
                      prefetched=fetched, method=method, summary_model=summary_model)
    failed = report_feed("summarize", done.report, io.quiet)
    for line in done.notes:
        note("summarize", f"note: {line}", io.quiet)
    note("summarize", f"{done.items} items ({done.new} read now, {done.items - done.new} from the state store) in "
         f"{done.stories} stories, in {time.perf_counter() - started:.1f} s", io.quiet)
    if done.failed:
        print(f"summarize: error: {done.failed} item(s) could not be read; the briefing lists them", file=sys.stderr)
    return 1 if failed or done.failed else 0


def _summarize(io: CommandIO, corpus: CorpusIO, load: LoadOptions, decoding: DecodingOptions,
               pipeline: PipelineOptions, lengths: list[str], method: Literal["extractive", "abstractive"],
               summary_model: str | None) -> int | None:
    from translate import Translator
    from translate.output import open_output
    from translate.sources.reader import read_input

    from .counting import CountingTranslator
    from .formats import render
    from .summarizer import Summarizer

    from translate.corpus import is_corpus

    if is_corpus(io.path, engine=corpus.engine, text_field=corpus.text_field):  # a folder, .jsonl, .parquet
        from translate.corpus import Job

        from .corpus import Digesting

        Summarizer(lengths, to=load.target_language, method=method, summary_model=summary_model,
                   layout=pipeline.layout, translator=Translator(load=load, decoding=decoding, pipeline=pipeline))
        job = Job("summarize", io.format, load, decoding, pipeline, io.encoding, io.errors, tuple(lengths), method,
                  summary_model, work=Digesting)  # (bad lengths fail above, before any document is read)
        return run_corpus_command("summarize", io, corpus, job)
    translator = CountingTranslator(load=load, decoding=decoding, pipeline=pipeline)
    # bad lengths and options fail here, before any input is read
    summarizer = Summarizer(lengths, to=load.target_language, method=method, translator=translator,
                            summary_model=summary_model, layout=pipeline.layout)
    doc = read_input(io.path, pipeline=pipeline, encoding=io.encoding, errors=io.errors,
                     language=None if load.source_language == "auto" else load.source_language,
                     offline=load.offline).document()
    if not any(p.sentences for p in doc.paragraphs):
        note("summarize", "input is empty; nothing to summarize", io.quiet)
        with open_output(io.output):
            pass
        return None
    digests = summarizer.summarize(doc)
    # the reading page shows the whole article beside the digests, translated when they are
    article = list(translator.translate_iter(doc)) \
        if io.format == "html" and digests.language != digests.source_language else None
    metadata = _page_metadata(io.path, doc.metadata)
    if article is None and not metadata.get("title") and doc.paragraphs and doc.paragraphs[0].kind == "title":
        metadata = {**metadata, "title": doc.paragraphs[0].text}  # the digests alone: still titled by the article
    with open_output(io.output) as out:
        out.write(render(io.format, digests, article or (), metadata))
    for d in digests:
        if d.note:
            note("summarize", f"{d.name}: {d.note}", io.quiet)
    if article is None:
        report_suspects("summarize", translator.stats.suspect, io.quiet, "translate --format jsonl shows each")
        translated = len(digests.info.get("translated_sentences", []))
        if translated:
            note("summarize", f"translated {translated} of {digests.info['candidates']} sentences", io.quiet)
    else:
        _report_page(article, io.quiet)
    return None


def _page_metadata(path: str, metadata: dict) -> dict:
    """The input's metadata, plus its file name: the title of a page that has no other."""
    from pathlib import Path

    from translate.sources.url import is_url

    return metadata if path == "-" or is_url(path) else {"filename": Path(path).name, **metadata}


def _report_page(article: list, quiet: bool) -> None:
    """The notes for a reading page, counted on what it shows: the whole article, translated (the
    digests show its sentences as it does)."""
    from collections import Counter

    shown = [s for p in article for s in p.sentences]
    suspect = Counter(s.reason or "" for s in shown if s.status == "suspect")
    report_suspects("summarize", dict(suspect), quiet, "translate --format jsonl shows each")
    passthrough = sum(s.status == "passthrough" for s in shown)
    note("summarize", f"translated {len(shown) - passthrough} of {len(shown)} sentences"
                      + (f", {passthrough} shown as is" if passthrough else ""), quiet)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``summarize`` command."""
    return run(app, "summarize", argv)
