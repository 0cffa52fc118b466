"""The ``translate`` command. Imports only typer up front: ``--help`` stays instant.

The option types and the runner here are shared with the ``summarize`` command.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from enum import Enum
from itertools import chain
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from .errors import TranslateError
from .models.resolve import DEFAULT_MODEL
from .pipeline import DEFAULT_BATCH_TOKENS
from .segmentation.budget import DEFAULT_BUDGET

if TYPE_CHECKING:
    from .document import Paragraph

STREAM_ABOVE_BYTES = 8 << 20  # larger inputs stream paragraph by paragraph (progress without a total)


class Format(str, Enum):
    text = "text"
    bilingual = "bilingual"
    markdown = "markdown"
    jsonl = "jsonl"


class Device(str, Enum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


class BackendOption(str, Enum):
    auto = "auto"
    ctranslate2 = "ctranslate2"
    transformers = "transformers"


class LayoutOption(str, Enum):
    auto = "auto"
    lines = "lines"
    blocks = "blocks"


# Options shared by `translate` and `summarize`.
PathArg = Annotated[str, typer.Argument(metavar="[PATH|-]", show_default=False,
                                        help="Input file; - or none: stdin.")]
OutputOpt = Annotated[Optional[str], typer.Option("-o", "--output",
                                                  help="Write here (atomically) instead of stdout.")]
ModelOpt = Annotated[str, typer.Option("-m", "--model", help="Translation model: Hugging Face id or local folder.")]
DeviceOpt = Annotated[Device, typer.Option("--device", help="auto picks CUDA when present.")]
BackendOpt = Annotated[BackendOption, typer.Option(
    "--backend", help="auto: ctranslate2 when installed (int8 on CPU, converted once and cached), else transformers.")]
ComputeOpt = Annotated[Optional[str], typer.Option(
    "--compute-type", help="CTranslate2 quantization: int8, int8_float32, float32, float16, int8_float16... "
                           "(default: int8 on CPU, int8_float16 on CUDA).")]
BatchOpt = Annotated[int, typer.Option("--batch-size", min=1, help="Sentences decoded at once.")]
BatchTokensOpt = Annotated[int, typer.Option("--batch-tokens", min=1,
                                             help="Padded source tokens decoded at once (long sentences: smaller batches).")]
BeamsOpt = Annotated[Optional[int], typer.Option("--num-beams", min=1,
                                                 help="Beam size (default: from the model's generation config).")]
MaxNewOpt = Annotated[Optional[int], typer.Option("--max-new-tokens", min=1,
                                                  help="Output tokens per sentence (default: 2 × source tokens + 16).")]
BudgetOpt = Annotated[int, typer.Option("--max-sentence-tokens", min=8,
                                        help="Longer sentences are split at clauses, never truncated.")]
LayoutOpt = Annotated[LayoutOption, typer.Option("--paragraphs",
                                                 help="Paragraph convention: one per line, or blank-line blocks.")]
EncodingOpt = Annotated[Optional[str], typer.Option("--encoding", help="Input encoding (default: detected).")]
OfflineOpt = Annotated[bool, typer.Option("--offline", help="Never touch the network (like HF_HUB_OFFLINE=1).")]
ThreadsOpt = Annotated[Optional[int], typer.Option("--threads", min=1,
                                                   help="CPU threads (default: all this process may use).")]
QuietOpt = Annotated[bool, typer.Option("-q", "--quiet", help="No progress bar or notes on stderr.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the translation memory.")]
NoGuardOpt = Annotated[bool, typer.Option("--no-guard", help="Skip the checks for loops, omissions and leftovers "
                                                             "(and their retries): raw decoding.")]
PickleOpt = Annotated[bool, typer.Option("--allow-pickle", help="Allow loading a pytorch_model.bin (pickle) "
                                                                "checkpoint: only for models you trust.")]


def note(prog: str, message: str, quiet: bool = False) -> None:
    """A one-line note on stderr (never mixed into the result)."""
    if not quiet:
        print(f"{prog}: {message}", file=sys.stderr)


def quiet_libraries() -> None:
    """Keep third-party progress bars and advisory warnings off stderr; ours are enough."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")


def version_option(prog: str):
    """An eager ``--version`` option for ``prog``."""
    def show(value: bool) -> None:
        if value:
            from . import __version__

            print(f"{prog} {__version__}")
            raise typer.Exit()

    return typer.Option(False, "--version", callback=show, is_eager=True, help="Show the version and exit.")


def translator_options(*, model: str, backend: BackendOption, compute_type: str | None, device: Device,
                       batch_size: int, batch_tokens: int, num_beams: int | None, max_new_tokens: int | None,
                       max_sentence_tokens: int, threads: int | None, offline: bool, no_cache: bool,
                       no_guard: bool, allow_pickle: bool, **_other) -> dict:
    """Keyword arguments for ``Translator`` from the shared CLI options (pass the command's ``locals()``)."""
    from .backends.base import default_threads

    return dict(model=model, backend=backend.value, compute_type=compute_type, device=device.value,
                batch_size=batch_size, batch_tokens=batch_tokens, num_beams=num_beams,
                max_new_tokens=max_new_tokens, max_sentence_tokens=max_sentence_tokens,
                threads=threads or default_threads(), offline=True if offline else None, cache=not no_cache,
                guard=not no_guard, allow_pickle=allow_pickle)


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


def new_app() -> typer.Typer:
    return typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                       context_settings={"help_option_names": ["-h", "--help"]})


app = new_app()


@app.command(help="Translate an article paragraph by paragraph (PATH, or - / nothing for stdin).")
def translate_command(
    path: PathArg = "-",
    output: OutputOpt = None,
    fmt: Annotated[Format, typer.Option("-f", "--format", help="Output format.")] = Format.text,
    model: ModelOpt = DEFAULT_MODEL,
    backend: BackendOpt = BackendOption.auto,
    compute_type: ComputeOpt = None,
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
    cache_info: Annotated[bool, typer.Option("--cache-info", callback=_cache_info, is_eager=True,
                                             help="Show the translation memory's path, entries and size.")] = False,
    clear_cache: Annotated[bool, typer.Option("--clear-cache", callback=_clear_cache, is_eager=True,
                                              help="Empty the translation memory.")] = False,
    version: bool = version_option("translate"),
) -> None:
    options = dict(locals())
    quiet_libraries()
    from .output import open_output, render
    from .pipeline import Translator, source_language
    from .progress import progress_bar
    from .reading import iter_text

    started = time.perf_counter()
    translator = Translator(layout=layout.value, **translator_options(**options))
    chosen, stream = translator.segment_stream(iter_text(path, encoding, source_language(model)))
    first = next(stream, None)
    if first is None:
        note("translate", "input is empty; nothing to translate", quiet)
        with open_output(output):
            pass
        return
    paragraphs: Iterable[Paragraph] = chain([first], stream)
    total = None  # unknown while streaming a large input
    if path != "-" and os.path.getsize(path) <= STREAM_ABOVE_BYTES:
        paragraphs = list(paragraphs)
        total = sum(len(p.sentences) for p in paragraphs)
    with progress_bar(total, "translating", not quiet) as advance, open_output(output) as out:
        for chunk in render(fmt.value, translator.translate_iter(paragraphs, advance), translator.info, chosen):
            out.write(chunk)
    report("translate", translator, quiet)
    counts = translator.counts
    note("translate", f"{counts['translated']} sentences translated, {counts['cached']} from the translation "
         f"memory, {counts['passthrough']} passed through, in {time.perf_counter() - started:.1f} s", quiet)


def report(prog: str, translator, quiet: bool) -> None:
    """One summary line on stderr for sentences the guard marked suspect."""
    if translator.suspect:
        total = sum(translator.suspect.values())
        why = "; ".join(f"{n} × {reason}" for reason, n in translator.suspect.most_common())
        note(prog, f"warning: {total} suspect sentence(s): {why} (details: --format jsonl)", quiet)


def run(typer_app: typer.Typer, prog: str, argv: list[str] | None = None) -> int:
    """Run a command; user errors end with one line on stderr and exit 1 (runtime) or 2 (usage)."""
    import warnings

    command = typer.main.get_command(typer_app)
    warnings.showwarning = lambda message, *_a, **_k: print(f"{prog}: warning: {message}", file=sys.stderr)
    try:
        result = command.main(args=argv, prog_name=prog, standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except typer.TyperException as exc:  # bad usage: unknown option, invalid value...
        print(f"{prog}: error: {exc.format_message()}", file=sys.stderr)  # type: ignore[attr-defined]
        return getattr(exc, "exit_code", 2)
    except TranslateError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except SystemExit as exc:  # typer turns a closed pipe (`| head`) into exit 1: not an error
        if isinstance(exc.__context__, BrokenPipeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        raise
    except BrokenPipeError:  # downstream closed the pipe (e.g. `| head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the final flush cannot fail
        return 0
    except OSError as exc:  # stdout itself failed (disk full, closed)
        print(f"{prog}: error: cannot write output: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return result if isinstance(result, int) else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``translate`` command."""
    return run(app, "translate", argv)
