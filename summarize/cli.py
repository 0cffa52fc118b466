"""The ``summarize`` command: same conventions as ``translate`` (stdin, stderr notes, one-line errors)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from translate.cli import (DEFAULT_BATCH_TOKENS, BackendOpt, BackendOption, BatchOpt, BatchTokensOpt, BeamsOpt, BudgetOpt, ComputeOpt, Device, DeviceOpt, EncodingOpt, LayoutOpt, LayoutOption,
                           MaxNewOpt, ModelOpt, NoCacheOpt, NoGuardOpt, OfflineOpt, PickleOpt, OutputOpt, PathArg, QuietOpt, ThreadsOpt, new_app, note,
                           quiet_libraries, report, run, translator_options, version_option)
from translate.errors import UsageError
from translate.models.resolve import DEFAULT_MODEL
from translate.segmentation.budget import DEFAULT_BUDGET

from .lengths import DEFAULT_LENGTHS, parse_length
from .summarizer import AbstractiveNeedsEnglish


class To(str, Enum):
    en = "en"
    source = "source"


class Method(str, Enum):
    extractive = "extractive"
    abstractive = "abstractive"


class DigestFormat(str, Enum):
    text = "text"
    bilingual = "bilingual"
    markdown = "markdown"
    json = "json"


app = new_app()


@app.command(help="Digest an article at several lengths (PATH, or - / nothing for stdin).")
def summarize_command(
    path: PathArg = "-",
    length: Annotated[Optional[list[str]], typer.Option(
        "-l", "--length", help="headline, short, medium, long (default: all four), or 3 / 80w / 150c / 20%; "
                               "repeat or separate with commas.")] = None,
    to: Annotated[To, typer.Option("--to", help="en: translate the picked sentences; source: no model.")] = To.en,
    method: Annotated[Method, typer.Option("--method", help="extractive (default) or abstractive.")] =
        Method.extractive,
    fmt: Annotated[DigestFormat, typer.Option("-f", "--format", help="Output format.")] = DigestFormat.text,
    output: OutputOpt = None,
    model: ModelOpt = DEFAULT_MODEL,
    backend: BackendOpt = BackendOption.auto,
    compute_type: ComputeOpt = None,
    summary_model: Annotated[Optional[str], typer.Option(
        "--summary-model", help="Abstractive summarizer: BART/PEGASUS/T5 id or folder "
                                "(default: sshleifer/distilbart-cnn-12-6).")] = None,
    device: DeviceOpt = Device.auto,
    batch_size: BatchOpt = 16,
    batch_tokens: BatchTokensOpt = DEFAULT_BATCH_TOKENS,
    num_beams: BeamsOpt = None,
    max_new_tokens: MaxNewOpt = None,
    max_sentence_tokens: BudgetOpt = DEFAULT_BUDGET,
    layout: LayoutOpt = LayoutOption.auto,
    encoding: EncodingOpt = None,
    offline: OfflineOpt = False,
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
    no_cache: NoCacheOpt = False,
    no_guard: NoGuardOpt = False,
    allow_pickle: PickleOpt = False,
    version: bool = version_option("summarize"),
) -> None:
    options = dict(locals())
    quiet_libraries()
    from translate.output import open_output
    from translate.pipeline import source_language
    from translate.reading import read_text

    from .formats import render
    from .summarizer import Summarizer

    lengths = [part.strip() for item in (length or DEFAULT_LENGTHS) for part in item.split(",") if part.strip()]
    for spec in lengths:  # bad lengths are usage errors, before any input is read
        try:
            parse_length(spec, "words")
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    text = read_text(path, encoding, source_language(model))
    if not text.strip():
        note("summarize", "input is empty; nothing to summarize", quiet)
        with open_output(output):
            pass
        return
    summarizer = Summarizer(lengths, to=to.value, method=method.value, summary_model=summary_model,
                            layout=layout.value, **translator_options(**options))
    try:
        digests = summarizer.summarize(text)
    except AbstractiveNeedsEnglish as exc:
        raise UsageError(str(exc)) from None
    with open_output(output) as out:
        out.write(render(fmt.value, digests))
    for d in digests:
        if d.note:
            note("summarize", f"{d.name}: {d.note}", quiet)
    if summarizer._translator is not None:
        report("summarize", summarizer._translator, quiet)
    translated = len(digests.info.get("translated_sentences", []))
    if translated:
        note("summarize", f"translated {translated} of {digests.info['candidates']} sentences", quiet)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``summarize`` command."""
    return run(app, "summarize", argv)
