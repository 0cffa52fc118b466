"""The ``translate`` command. Imports only typer up front: ``--help`` stays instant."""

from __future__ import annotations

import os
import sys
import time
from enum import Enum
from typing import Optional

import typer

from .errors import TranslateError
from .models.resolve import DEFAULT_MODEL
from .segmentation.budget import DEFAULT_BUDGET

PROG = "translate"


class Format(str, Enum):
    text = "text"
    bilingual = "bilingual"
    markdown = "markdown"
    jsonl = "jsonl"


class Device(str, Enum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


class LayoutOption(str, Enum):
    auto = "auto"
    lines = "lines"
    blocks = "blocks"


def fail(message: str, code: int = 1) -> None:
    """Print a one-line error on stderr and exit."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    raise typer.Exit(code)


def note(message: str, quiet: bool = False) -> None:
    """A one-line note on stderr (not the result)."""
    if not quiet:
        print(f"{PROG}: {message}", file=sys.stderr)


def quiet_libraries() -> None:
    """Keep third-party progress bars and advisory warnings off stderr; ours are enough."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")


def _version(value: bool) -> None:
    if value:
        from . import __version__

        print(f"{PROG} {__version__}")
        raise typer.Exit()


app = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]})


@app.command(help="Translate an article paragraph by paragraph (PATH, or - / nothing for stdin).")
def translate_command(
    path: str = typer.Argument("-", metavar="[PATH|-]", show_default=False, help="Input file; - or none: stdin."),
    output: Optional[str] = typer.Option(None, "-o", "--output", help="Write here (atomically) instead of stdout."),
    fmt: Format = typer.Option(Format.text, "-f", "--format", help="Output format."),
    model: str = typer.Option(DEFAULT_MODEL, "-m", "--model", help="Hugging Face model id or local folder."),
    device: Device = typer.Option(Device.auto, "--device", help="auto picks CUDA when present."),
    batch_size: int = typer.Option(16, "--batch-size", min=1, help="Sentences per model call."),
    num_beams: Optional[int] = typer.Option(None, "--num-beams", min=1,
                                            help="Beam size (default: from the model's generation config)."),
    max_new_tokens: Optional[int] = typer.Option(None, "--max-new-tokens", min=1,
                                                 help="Output tokens per sentence (default: 2 × source tokens + 16)."),
    max_sentence_tokens: int = typer.Option(DEFAULT_BUDGET, "--max-sentence-tokens", min=8,
                                            help="Longer sentences are split at clauses, never truncated."),
    layout: LayoutOption = typer.Option(LayoutOption.auto, "--paragraphs",
                                        help="Paragraph convention: one per line, or blank-line blocks."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Input encoding (default: UTF-8)."),
    offline: bool = typer.Option(False, "--offline", help="Never touch the network (like HF_HUB_OFFLINE=1)."),
    threads: Optional[int] = typer.Option(None, "--threads", min=1, help="CPU threads (default: all this process may use)."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar or notes on stderr."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show version."),
) -> None:
    quiet_libraries()
    from .backends.transformers_backend import default_threads
    from .output import open_output, render
    from .pipeline import Translator
    from .progress import progress_bar
    from .reading import read_text

    started = time.perf_counter()
    text = read_text(path, encoding)
    if not text.strip():
        note("input is empty; nothing to translate", quiet)
        with open_output(output):
            pass
        return
    translator = Translator(model, device=device.value, num_beams=num_beams, max_new_tokens=max_new_tokens,
                            batch_size=batch_size, max_sentence_tokens=max_sentence_tokens,
                            layout=layout.value, threads=threads or default_threads(),
                            offline=True if offline else None)
    doc = translator.segment(text)
    suspect = 0
    with progress_bar(doc.sentence_count, "translating", not quiet) as advance, open_output(output) as out:
        def paragraphs():
            nonlocal suspect
            for p in translator.translate_iter(doc, advance):
                suspect += sum(s.status == "suspect" for s in p.sentences)
                yield p

        for chunk in render(fmt.value, paragraphs(), translator.info, doc.layout):
            out.write(chunk)
    if suspect:
        note(f"warning: {suspect} sentence(s) hit the output length limit; see --format jsonl", quiet)
    note(f"{len(doc.paragraphs)} paragraphs, {doc.sentence_count} sentences in "
         f"{time.perf_counter() - started:.1f} s", quiet)


def main(argv: list[str] | None = None) -> int:
    """Run the command; user errors end with one line on stderr and exit 1 (runtime) or 2 (usage)."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name=PROG, standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except typer.TyperException as exc:  # bad usage: unknown option, invalid value...
        print(f"{PROG}: error: {exc.format_message()}", file=sys.stderr)  # type: ignore[attr-defined]
        return getattr(exc, "exit_code", 2)
    except TranslateError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        sys.stderr.close()  # downstream closed the pipe (e.g. `| head`): not an error
        return 0
    return result if isinstance(result, int) else 0
