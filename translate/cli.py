"""The ``translate`` command: a thin layer over ``Translator.translate_file``.

Its flags for library options come from ``translate/commandline.py``; only what is the
command's own (input, output, format, memory maintenance) is declared here.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer

from .commandline import (SAFETY, EncodingOpt, HelpOpt, OutputOpt, PathArg, QuietOpt, format_option, new_app, note,
                          options_command, quiet_libraries, report_suspects, run, version_option)
from .options import DecodingOptions, LoadOptions, PipelineOptions
from .output.formats import FORMATS


def _cache_info(value: bool) -> None:
    if value:
        from .caching import TranslationMemory

        stats = TranslationMemory().stats()
        print(f"path: {stats['path']}\nentries: {stats['entries']}\ncontexts: {stats['contexts']}\n"
              f"size: {stats['size_bytes'] / 1e6:.2f} MB")
        raise typer.Exit()


def _clear_cache(value: bool) -> None:
    if value:
        from .caching import TranslationMemory

        memory = TranslationMemory()
        print(f"removed {memory.clear()} entries from {memory.stats()['path']}")
        raise typer.Exit()


FormatOpt = format_option(tuple(FORMATS), "text")
app = new_app()


@app.command(help="Translate an article paragraph by paragraph (PATH, or - / nothing for stdin).")
@options_command
def translate_command(
    path: PathArg = "-",
    output: OutputOpt = None,
    fmt: FormatOpt = "text",
    encoding: EncodingOpt = None,
    quiet: QuietOpt = False,
    cache_info: Annotated[bool, typer.Option("--cache-info", callback=_cache_info, is_eager=True, metavar="",
                                             rich_help_panel=SAFETY,
                                             help="Show the translation memory's path, entries and size.")] = False,
    clear_cache: Annotated[bool, typer.Option("--clear-cache", callback=_clear_cache, is_eager=True, metavar="",
                                              rich_help_panel=SAFETY, help="Empty the translation memory.")] = False,
    version: bool = version_option("translate"),
    show_help: HelpOpt = False,
    *,
    load: LoadOptions,
    decoding: DecodingOptions,
    pipeline: PipelineOptions,
) -> None:
    quiet_libraries()
    from .pipeline import Translator
    from .progress import progress_bar

    started = time.perf_counter()
    translator = Translator(load=load, decoding=decoding, pipeline=pipeline)
    with progress_bar("translating", not quiet) as bar:
        done = translator.translate_file(path, output, format=fmt, encoding=encoding, progress=bar.advance,
                                         on_start=bar.start)
    if not done.paragraphs:
        note("translate", "input is empty; nothing to translate", quiet)
        return
    report_suspects("translate", done.suspect, quiet, "--format jsonl")
    counts = done.counts
    note("translate", f"{counts['translated']} sentences translated, {counts['cached']} from the translation "
         f"memory, {counts['passthrough']} passed through, in {time.perf_counter() - started:.1f} s", quiet)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``translate`` command."""
    return run(app, "translate", argv)
