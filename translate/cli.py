"""The ``translate`` command: a thin layer over ``Translator.translate_file``.

Its flags for library options come from ``translate/commandline.py``; only what is the
command's own (input, output, format, memory maintenance) is declared here.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from .commandline import (SAFETY, CommandIO, CorpusIO, new_app, note, options_command, report_feed,
                          report_suspects, run, run_corpus_command)
from .feeds.options import FeedOptions
from .options import DecodingOptions, LoadOptions, PipelineOptions
from .output.formats import FEED_FORMATS, FORMATS

if TYPE_CHECKING:
    from .sources.url import Fetched


def _cache_info(value: bool) -> None:
    if value:
        from .memory import TranslationMemory

        stats = TranslationMemory().stats()
        print(f"path: {stats['path']}\nentries: {stats['entries']}\ncontexts: {stats['contexts']}\n"
              f"size: {stats['size_bytes'] / 1e6:.2f} MB")
        raise typer.Exit()


def _clear_cache(value: bool) -> None:
    if value:
        from .memory import TranslationMemory

        memory = TranslationMemory()
        print(f"removed {memory.clear()} entries from {memory.stats()['path']}")
        raise typer.Exit()


app = new_app()


@app.command(help="Translate an article paragraph by paragraph (PATH, or - / nothing for stdin).\n\n"
                  "translate serve runs the HTTP server (translate serve --help); a file named serve is "
                  "translated as ./serve.")
@options_command("translate", tuple(dict.fromkeys((*FORMATS, *FEED_FORMATS))))
def translate_command(
    *,
    cache_info: Annotated[bool, typer.Option("--cache-info", callback=_cache_info, is_eager=True, metavar="",
                                             rich_help_panel=SAFETY,
                                             help="Show the translation memory's path, entries and size.")] = False,
    clear_cache: Annotated[bool, typer.Option("--clear-cache", callback=_clear_cache, is_eager=True, metavar="",
                                              rich_help_panel=SAFETY, help="Empty the translation memory.")] = False,
    io: CommandIO,
    corpus: CorpusIO,
    feed: FeedOptions,
    load: LoadOptions,
    decoding: DecodingOptions,
    pipeline: PipelineOptions,
) -> int | None:
    from .feeds.sniff import sniff
    from .models import offline_mode
    from .sources.url import prefetched

    offline = bool(load.offline) or offline_mode()
    sniffed = sniff(io.path, input_format=pipeline.input_format, offline=offline, state=feed.state)
    if sniffed.feed:
        return _translate_feed(io, corpus, feed, load, decoding, pipeline, sniffed.fetched)
    feed.check_unused()  # feed options on an article: a usage error, not silently ignored
    with prefetched(sniffed.fetched):  # a URL already fetched to see what it is: never fetched twice
        return _translate(io, corpus, load, decoding, pipeline)


def _translate_feed(io: CommandIO, corpus: CorpusIO, feed: FeedOptions, load: LoadOptions, decoding: DecodingOptions,
                    pipeline: PipelineOptions, fetched: Fetched | None) -> int:
    """``translate FEED``: the feed translated, every item kept; exit 1 when a feed or an item failed."""
    from .feeds.translated import translate_feed

    fmt = io.format if io.format_given else "rss"
    started = time.perf_counter()
    done = translate_feed(io.path, io.output, format=fmt, feed=feed, load=load, decoding=decoding,
                          pipeline=pipeline, engine=corpus.engine or "local", ray_address=corpus.ray_address,
                          actors=corpus.actors, progress=not io.quiet, prefetched=fetched)
    failed = report_feed("translate", done.report, io.quiet)
    note("translate", f"{done.items} items ({done.new} translated now, {done.items - done.new} from the state store), "
         f"{done.sentences} sentences, in {time.perf_counter() - started:.1f} s", io.quiet)
    if done.failed:
        print(f"translate: error: {done.failed} item(s) could not be translated; they are written as the feed gave "
              "them, with the cause", file=sys.stderr)
    return 1 if failed or done.failed else 0


def _translate(io: CommandIO, corpus: CorpusIO, load: LoadOptions, decoding: DecodingOptions,
               pipeline: PipelineOptions) -> int | None:
    from .corpus import is_corpus

    if io.format not in FORMATS:
        from .errors import UsageError

        raise UsageError(f"{io.format} is a feed's format, and the input is not an RSS, Atom or OPML feed",
                         option="format")

    if is_corpus(io.path, engine=corpus.engine, text_field=corpus.text_field):  # a folder, .jsonl, .parquet
        from .corpus import Job

        job = Job("translate", io.format, load, decoding, pipeline, io.encoding, io.errors)
        return run_corpus_command("translate", io, corpus, job)  # its exit code: 1 when a document failed
    from .pipeline import Translator
    from .progress import progress_bar

    started = time.perf_counter()
    translator = Translator(load=load, decoding=decoding, pipeline=pipeline)
    with progress_bar("translating", not io.quiet) as bar:
        done = translator.translate_file(io.path, io.output, format=io.format, encoding=io.encoding,
                                         errors=io.errors, progress=bar.advance, on_start=bar.start)
    if not done.paragraphs:
        note("translate", "input is empty; nothing to translate", io.quiet)
        return None
    stats = done.stats  # what this call did, from its result
    report_suspects("translate", stats.suspect, io.quiet, "--format jsonl")
    note("translate", f"{stats.translated} sentences translated, {stats.cached} from the translation "
         f"memory, {stats.passthrough} passed through, in {time.perf_counter() - started:.1f} s", io.quiet)
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``translate`` command; ``translate serve ...`` is the server's (a file
    named ``serve`` is ``./serve``, or follows ``--``)."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["serve"]:
        from .server.cli import main as serve

        return serve(args[1:])
    return run(app, "translate", argv)
