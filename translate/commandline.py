"""What the ``translate`` and ``summarize`` commands share: one flag per library option, help
panels, notes on stderr, and the runner that turns errors into one line and an exit code.

Every field of :mod:`translate.options` gets its flag here (``FLAGS``); :func:`options_command`
adds them all to a command, which then receives ``load``, ``decoding`` and ``pipeline`` objects.
A new library option therefore needs one line here and nothing in the commands.
Imports only typer up front: ``--help`` stays instant.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import io as _io
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, get_type_hints

import typer

from .errors import LossWarning, ModelNotFoundError, TranslateError, UsageError
from .options import GROUPS, INPUT_FORMATS, LAYOUTS, DecodingOptions, LoadOptions, PipelineOptions, OptionGroup

INPUT, OUTPUT, MODEL, DECODING, SAFETY, HELP = "Input", "Output", "Model", "Decoding", "Cache & safety", "Help"
PANELS = (INPUT, OUTPUT, "Feeds", "Corpus", MODEL, DECODING, SAFETY, HELP)  # the order help shows them in


@dataclass(frozen=True)
class Flag:
    """How one library option appears on the command line."""

    names: tuple[str, ...]
    help: str
    panel: str
    type: Any = str
    choices: tuple[str, ...] | None = None  # read from a registry
    min: float | None = None
    metavar: str | None = None
    negates: bool = False  # ``--no-cache`` sets ``cache=False``


def _registry_choices() -> dict[str, tuple[str, ...]]:
    from .backends import BACKEND_CHOICES, COMPUTE_TYPES
    from .runtime import DEVICES

    return {"backend": BACKEND_CHOICES, "compute_type": COMPUTE_TYPES, "device": DEVICES}


_CHOICES = _registry_choices()

FLAGS: dict[str, Flag] = {
    # LoadOptions
    "model": Flag(("-m", "--model"), "Translation model: Hugging Face id or local folder (default: chosen for "
                                     "each language pair, e.g. Helsinki-NLP/opus-mt-zh-en).", MODEL, metavar="ID|PATH"),
    "source_language": Flag(("--from",), "Source language: auto (detected per document and paragraph) or a code "
                                         "(zh, ja, ru...).", MODEL, metavar="auto|LANG"),
    "target_language": Flag(("--to",), "Target language code (en, zh, zh-Hant, fr...).", MODEL, metavar="LANG"),
    "routes": Flag(("--routes",), "A JSON file of language pairs to models, on top of the built-in table.", MODEL,
                   metavar="FILE"),
    "revision": Flag(("--revision",), "Model revision on the Hub: branch, tag or commit (default: main).", MODEL,
                     metavar="REV"),
    "backend": Flag(("--backend",), "auto: ctranslate2 when installed (int8 on CPU, converted once and cached), "
                                    "else transformers.", MODEL, choices=_CHOICES["backend"]),
    "device": Flag(("--device",), "auto picks CUDA when present (cuda:N for one GPU).", MODEL,
                   metavar="auto|cpu|cuda"),
    "compute_type": Flag(("--compute-type",), "CTranslate2 quantization (default: int8 on CPU, int8_float16 on "
                                              "CUDA).", MODEL, choices=_CHOICES["compute_type"]),
    "threads": Flag(("--threads",), "CPU threads (default: all this process may use).", MODEL, int, min=1),
    "offline": Flag(("--offline",), "Never touch the network (like HF_HUB_OFFLINE=1).", SAFETY, bool),
    "allow_pickle": Flag(("--allow-pickle",), "Allow loading a pytorch_model.bin (pickle) checkpoint: only for "
                                              "models you trust.", SAFETY, bool),
    "vocab_map": Flag(("--vocab-map",), "CTranslate2 vocabulary shortlist (lines of source n-gram, tab, target "
                                        "tokens): faster decoding, only those tokens; off by default.", MODEL,
                      metavar="FILE"),
    # DecodingOptions
    "num_beams": Flag(("--num-beams",), "Beam size (default: the model's generation config).", DECODING, int, min=1),
    "max_new_tokens": Flag(("--max-new-tokens",), "Output tokens per sentence (default: 2 × source tokens + 16).",
                           DECODING, int, min=1),
    "no_repeat_ngram_size": Flag(("--no-repeat-ngram-size",), "Never repeat an n-gram of this size in a "
                                                              "translation (0: allowed).", DECODING, int, min=0),
    "repetition_penalty": Flag(("--repetition-penalty",), "Penalise tokens already produced (1: none; 1.2 is "
                                                          "mild).", DECODING, float, min=0.01),
    "length_penalty": Flag(("--length-penalty",), "Beam scores divided by length**this (>1 favours longer "
                                                  "output; default: the model's, 1).", DECODING, float),
    # PipelineOptions
    "batch_size": Flag(("--batch-size",), "Sentences decoded at once.", DECODING, int, min=1),
    "batch_tokens": Flag(("--batch-tokens",), "Padded source tokens decoded at once (long sentences: smaller "
                                              "batches).", DECODING, int, min=1),
    "max_sentence_tokens": Flag(("--max-sentence-tokens",), "Longer sentences are split at clauses, never "
                                                            "truncated.", INPUT, int, min=8),
    "layout": Flag(("--paragraphs",), "Paragraph convention of plain text: one per line, or blank-line blocks.",
                   INPUT, choices=LAYOUTS),
    "input_format": Flag(("--input-format",), "What the input is (auto: from its name and content; a URL is "
                                              "fetched).", INPUT, choices=INPUT_FORMATS),
    "whole_page": Flag(("--whole-page",), "HTML: translate every visible text block of the page, not only the "
                                          "article.", INPUT, bool),
    "cache": Flag(("--no-cache",), "Neither read nor write the translation memory.", SAFETY, bool, negates=True),
    "guard": Flag(("--no-guard",), "Skip the checks for loops, omissions and leftovers (and their retries): "
                                   "raw decoding.", SAFETY, bool, negates=True),
    "glossary": Flag(("--glossary",), "A TSV or CSV file of source term, target term (, note): every term found is "
                                      "translated as listed, longest first.", SAFETY, metavar="FILE"),
    "consistent_names": Flag(("--consistent-names",), "Render each name (person, place, organisation) of a "
                                                      "Chinese document the same way throughout (off by default: "
                                                      "its benefit on real models is not measured yet).", SAFETY,
                             bool),
}
# Options of the commands themselves, named here so library errors can point at them too.
COMMAND_FLAGS = {"encoding": "--encoding", "format": "--format", "output": "--output",
                 "summary_model": "--summary-model", "lengths": "--length", "to": "--to", "errors": "--errors",
                 "encoding_or_errors": "--encoding NAME, or --errors replace",  # undecodable input: either helps
                 "engine": "--engine", "glob": "--glob", "text_field": "--text-field", "id_field": "--id-field",
                 "ray_address": "--ray-address", "actors": "--actors"}


def flag_name(option: str) -> str | None:
    """The command-line flag of a library option (for error hints)."""
    if option in FLAGS:
        return [n for n in FLAGS[option].names if n.startswith("--")][0]
    from .feeds.options import FeedOptions

    feed = {f.name: f.metadata["flag"] for f in dataclasses.fields(FeedOptions)}
    return feed.get(option) or COMMAND_FLAGS.get(option)


def _typer_param(name: str, default: Any) -> inspect.Parameter:
    flag = FLAGS[name]
    if flag.type is bool:
        annotation: Any = bool
        default = False
    elif flag.choices:
        annotation = Literal[flag.choices]
    else:
        annotation = flag.type if default is not None else Optional[flag.type]
    info = typer.Option(*flag.names, help=flag.help, rich_help_panel=flag.panel, min=flag.min,
                        metavar="" if flag.type is bool else flag.metavar, show_default=default not in (None, False))
    return keyword_param(name, Annotated[annotation, info], default)


def library_params() -> list[inspect.Parameter]:
    """One typer parameter per library option (every field of :data:`~translate.options.GROUPS`),
    from ``FLAGS``: what any command taking a model adds (``translate``, ``translate serve``)."""
    return [_typer_param(f.name, f.default) for group in GROUPS for f in dataclasses.fields(group)]


def library_options(kwargs: dict[str, Any]) -> tuple[LoadOptions, DecodingOptions, PipelineOptions]:
    """Take the values of :func:`library_params`' flags out of ``kwargs``, as the three option objects."""
    def group_of(cls: type[OptionGroup]) -> OptionGroup:
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            value = kwargs.pop(f.name)
            values[f.name] = (not value) if FLAGS[f.name].negates else value
        return cls(**values)

    load, decoding, pipeline = group_of(LoadOptions), group_of(DecodingOptions), group_of(PipelineOptions)
    if not load.offline:
        load = dataclasses.replace(load, offline=None)  # None: follow HF_HUB_OFFLINE
    return load, decoding, pipeline


@dataclass(frozen=True)
class CommandIO:
    """What every command reads and writes: the input, its decoding, the output and its format."""

    path: str
    output: str | None
    format: str
    encoding: str | None
    errors: str
    quiet: bool
    format_given: bool = True  # -f was on the command line (a feed's default format is its own)


@dataclass(frozen=True)
class CorpusIO:
    """How a corpus is read and run (a folder, a .jsonl or a .parquet input)."""

    glob: str
    text_field: str | None
    id_field: str | None
    engine: str | None
    ray_address: str | None
    actors: int | None


def options_command(prog: str, formats: Sequence[str], default_format: str = "text"
                    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a typer command the flags every command shares — input, output, ``-f`` (choices from
    ``formats``), encoding, ``-q``, ``--version``, ``-h`` — and one flag per library option. The
    command declares only its own parameters and is called with ``io=`` (a :class:`CommandIO`),
    ``load=``, ``decoding=`` and ``pipeline=`` objects."""
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        hints = get_type_hints(func, include_extras=True)
        own = [p.replace(annotation=hints.get(p.name, p.annotation), kind=inspect.Parameter.KEYWORD_ONLY)
               for p in inspect.signature(func).parameters.values()
               if p.name not in ("io", "corpus", "feed", "load", "decoding", "pipeline")]
        shared = [keyword_param("path", PathArg, "-"), keyword_param("output", OutputOpt, None),
                  keyword_param("fmt", format_option(tuple(formats), default_format), None),
                  keyword_param("encoding", EncodingOpt, None), keyword_param("errors", ErrorsOpt, "strict"),
                  keyword_param("quiet", QuietOpt, False), keyword_param("version", bool, version_option(prog)),
                  keyword_param("show_help", HelpOpt, False), keyword_param("glob", GlobOpt, "*"),
                  keyword_param("text_field", TextFieldOpt, None), keyword_param("id_field", IdFieldOpt, None),
                  keyword_param("engine", EngineOpt, None), keyword_param("ray_address", RayAddressOpt, None),
                  keyword_param("actors", ActorsOpt, None),
                  *feed_params(prog),
                  keyword_param("no_consistent_names", NoConsistentNamesOpt, False)]
        added = library_params()

        @functools.wraps(func)
        def command(**kwargs: Any) -> Any:
            quiet_libraries()
            fmt = kwargs.pop("fmt")
            io = CommandIO(kwargs.pop("path"), kwargs.pop("output"), fmt or default_format, kwargs.pop("encoding"),
                           kwargs.pop("errors"), kwargs.pop("quiet"), fmt is not None)
            if not io.path:  # `translate "$FILE"` with FILE unset: not the current folder
                raise UsageError("the input path is empty: give a file, a folder, a URL, or - for standard input")
            kwargs.pop("version", None), kwargs.pop("show_help", None)
            kwargs.pop("no_consistent_names")  # the old opt-out, now the default: a no-op kept for one release
            corpus = CorpusIO(*(kwargs.pop(name) for name in ("glob", "text_field", "id_field", "engine",
                                                              "ray_address", "actors")))
            feed = feed_options(prog, kwargs)
            load, decoding, pipeline = library_options(kwargs)
            with _typed_input(prog, io):
                return func(io=io, corpus=corpus, feed=feed, **kwargs, load=load, decoding=decoding,
                            pipeline=pipeline)

        del command.__wrapped__  # typer must see the new signature, not the original's
        params = sorted(shared + own + added, key=panel_rank)
        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        return command

    return decorate


def keyword_param(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


def panel_rank(param: inspect.Parameter) -> int:
    infos = [m for m in getattr(param.annotation, "__metadata__", ()) if hasattr(m, "rich_help_panel")]
    if isinstance(param.default, typer.models.ParameterInfo):
        infos.append(param.default)
    panel = infos[0].rich_help_panel if infos else None
    return PANELS.index(panel) if panel in PANELS else -1


# -- shared command options ------------------------------------------------------------------------------
PathArg = Annotated[str, typer.Argument(metavar="[PATH|-]", show_default=False, help="Input file; - or none: stdin.")]
OutputOpt = Annotated[Optional[str], typer.Option("-o", "--output", metavar="PATH", rich_help_panel=OUTPUT,
                                                  help="Write here (atomically) instead of stdout; - is stdout.")]
EncodingOpt = Annotated[Optional[str], typer.Option("--encoding", metavar="NAME", rich_help_panel=INPUT,
                                                    help="Input encoding (default: detected).")]
ErrorsOpt = Annotated[Literal["strict", "replace"], typer.Option(
    "--errors", rich_help_panel=INPUT, show_default=False,
    help="Undecodable input bytes: strict (an error naming the first) or replace (with U+FFFD, and say how many; "
         "default: strict).")]
QuietOpt = Annotated[bool, typer.Option("-q", "--quiet", metavar="", rich_help_panel=OUTPUT,
                                        help="No progress bar or notes on stderr.")]
NoConsistentNamesOpt = Annotated[bool, typer.Option("--no-consistent-names", hidden=True,  # deprecated: the default
                                                    help="Consistent names off (the default now).")]

# -- corpora (translate/corpus): a folder, a .jsonl or a .parquet input is a corpus job -------------------
CORPUS = "Corpus"
GlobOpt = Annotated[str, typer.Option("--glob", metavar="PATTERN", rich_help_panel=CORPUS,
                                      help="Folder input: the files to read, recursively (default: all).")]
TextFieldOpt = Annotated[Optional[str], typer.Option("--text-field", metavar="NAME", rich_help_panel=CORPUS,
                                                     help="JSONL/Parquet input: the field holding each document's "
                                                          "text (default: text).")]
IdFieldOpt = Annotated[Optional[str], typer.Option("--id-field", metavar="NAME", rich_help_panel=CORPUS,
                                                   help="JSONL/Parquet input: each document's id (default: id, "
                                                        "else its position).")]
EngineOpt = Annotated[Optional[Literal["local", "ray"]], typer.Option(
    "--engine", rich_help_panel=CORPUS, show_default=False,
    help="Corpus engine: local (one process; default) or ray (a Ray Data actor pool).")]
RayAddressOpt = Annotated[Optional[str], typer.Option("--ray-address", metavar="ADDRESS", rich_help_panel=CORPUS,
                                                      help="Join this Ray cluster (default: RAY_ADDRESS, else a "
                                                           "local one).")]
ActorsOpt = Annotated[Optional[int], typer.Option("--actors", min=1, metavar="N", rich_help_panel=CORPUS,
                                                  help="Ray engine: actors, each with its own model (default 2).")]

# -- feeds (translate/feeds): RSS, Atom or an OPML list, recognised by content ---------------------------------
FEEDS = "Feeds"


def feed_params(prog: str) -> list[inspect.Parameter]:
    """One typer parameter per :class:`~translate.feeds.options.FeedOptions` field that ``prog`` takes."""
    from .feeds.options import FeedOptions

    params = []
    for f in dataclasses.fields(FeedOptions):
        meta = f.metadata
        if prog not in meta["commands"]:
            continue
        kind: Any = bool if f.type in ("bool", bool) else float if f.type in ("float", float) else Optional[str]
        text = meta["help"]
        info = typer.Option(meta["flag"], help=f"Feed input: {text[0].lower()}{text[1:]}", rich_help_panel=FEEDS,
                            metavar="" if kind is bool else meta["metavar"], min=0 if kind is float else None,
                            show_default=f.default not in (None, False))
        params.append(keyword_param(f.name, Annotated[kind, info], f.default))
    return params


def feed_options(prog: str, kwargs: dict[str, Any]) -> Any:
    """Take :func:`feed_params`' values out of ``kwargs``, as a ``FeedOptions`` (checked: a bad date is a
    usage error naming its flag)."""
    from .feeds.options import FeedOptions

    return FeedOptions(**{f.name: kwargs.pop(f.name) for f in dataclasses.fields(FeedOptions)
                          if prog in f.metadata["commands"]})


class _UntilEnd(_io.RawIOBase):
    """A terminal's input that ends at the first Ctrl-D: a terminal answers a read after it by
    waiting for more, and the readers read once more to be sure the input has ended."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd, self.ended = fd, False

    def readable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return True  # it is the terminal still (nothing sniffs it for a feed)

    def readinto(self, buffer: Any) -> int:
        if self.ended:
            return 0
        data = os.read(self.fd, len(buffer))
        buffer[:len(data)] = data
        self.ended = not data
        return len(data)


@contextlib.contextmanager
def _typed_input(prog: str, io: CommandIO) -> Iterator[None]:
    """Standard input at a terminal: say that the command waits for it (not a silent hang), and
    end it at the first Ctrl-D."""
    stdin = sys.stdin
    if io.path != "-" or stdin is None or not stdin.isatty():
        yield
        return
    note(prog, f"reading standard input ({'Ctrl-Z, Enter' if os.name == 'nt' else 'Ctrl-D'} to end)", io.quiet)
    sys.stdin = _io.TextIOWrapper(_io.BufferedReader(_UntilEnd(stdin.fileno())), encoding=stdin.encoding)
    try:
        yield
    finally:
        sys.stdin = stdin


def run_corpus_command(prog: str, io: CommandIO, corpus: CorpusIO, job: Any) -> int:
    """Run a corpus job for a command; a note with the totals; exit 1 when a document failed."""
    from .corpus import run_corpus

    result = run_corpus(job, io.path, io.output, glob=corpus.glob, text_field=corpus.text_field,
                        id_field=corpus.id_field, engine=corpus.engine, ray_address=corpus.ray_address,
                        actors=corpus.actors, progress=not io.quiet)
    note(prog, f"{result.documents} documents ({result.resumed} from an earlier run), {result.sentences} "
               f"sentences, {result.failed} failed", io.quiet)
    if result.failed:
        raise typer.Exit(1)
    return 0


def report_feed(prog: str, report: Any, quiet: bool) -> bool:
    """The lines a feed job owes its user: each feed that failed (a warning, always shown), each
    malformed one, what came from the state store; True when a feed failed (the command exits 1)."""
    for feed, cause in report.failed:
        print(f"{prog}: warning: {cause if feed in cause else f'{feed}: {cause}'}", file=sys.stderr)
    for problem in report.problems:
        print(f"{prog}: warning: {problem}", file=sys.stderr)
    if report.before_since:
        note(prog, f"{report.before_since} items dated before the start date left out", quiet)
    if report.not_modified:
        note(prog, f"{report.not_modified} feed(s) not modified since the last run (304)", quiet)
    if report.failed:
        print(f"{prog}: error: {len(report.failed)} of {report.listed} feeds failed; the other "
              f"{report.listed - len(report.failed)} were processed", file=sys.stderr)
    return bool(report.failed)


def format_option(choices: tuple[str, ...], default: str) -> Any:
    """``-f/--format`` with choices from a format registry."""
    return Annotated[Literal[choices], typer.Option("-f", "--format", rich_help_panel=OUTPUT,
                                                    help=f"Output format (default: {default}).", show_default=False)]


def version_option(prog: str) -> Any:
    """An eager ``--version`` option for ``prog``."""
    def show(value: bool) -> None:
        if value:
            from .version import __version__

            print(f"{prog} {__version__}")
            raise typer.Exit()

    return typer.Option(False, "--version", callback=show, is_eager=True, metavar="", rich_help_panel=HELP,
                        help="Show the version and exit.")


def _show_help(ctx: typer.Context, value: bool) -> None:
    if value:
        print(ctx.get_help())
        raise typer.Exit()


HelpOpt = Annotated[bool, typer.Option("-h", "--help", callback=_show_help, is_eager=True, expose_value=False,
                                       metavar="", rich_help_panel=HELP, help="Show this message and exit.")]


def note(prog: str, message: str, quiet: bool = False) -> None:
    """A one-line note on stderr (never mixed into the result)."""
    if not quiet:
        print(f"{prog}: {message}", file=sys.stderr)


def report_suspects(prog: str, suspect: dict[str, int], quiet: bool, details: str) -> None:
    """One summary line on stderr for sentences the guard marked suspect; ``details`` says where to look."""
    if suspect:
        why = "; ".join(f"{n} × {reason}" for reason, n in sorted(suspect.items(), key=lambda kv: -kv[1]))
        note(prog, f"warning: {sum(suspect.values())} suspect sentence(s): {why} (details: {details})", quiet)


def quiet_libraries() -> None:
    """Keep third-party progress bars and advisory warnings off stderr; ours are enough.

    The one exception is the Hugging Face Hub's byte progress bar during a model download, which
    the library shows itself, alone, only with notes on and on a terminal (translate/models/resolve.py).
    """
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")


def new_app() -> typer.Typer:
    """A typer app whose commands declare ``-h/--help`` themselves (``HelpOpt``), shown as a flag."""
    return typer.Typer(add_completion=False, pretty_exceptions_enable=False, add_help_option=False)


def error_line(exc: TranslateError) -> str:
    """A library error as the CLI prints it: its message, plus the flag involved."""
    flag = flag_name(exc.option) if exc.option else None
    return f"{exc} ({flag})" if flag and flag not in str(exc) else str(exc)


_CHECKOUT = Path(__file__).resolve().parent.parent  # a source checkout holds the toy models and the seed


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def toy_model_hint() -> str | None:
    """How to run on the toy zh→en model of a source checkout (``-m FOLDER``); None without one."""
    toy = _CHECKOUT / "tests" / "toy" / "toy-zh-en"
    return f"-m {_shown(toy)}" if (toy / "config.json").is_file() else None


def epilogue(prog: str) -> str:
    """The end of ``--help``: models download once; offline, a local folder — the toy one to try."""
    text = "Models download once from the Hugging Face Hub; without network, -m takes a local model folder."
    hint, seed = toy_model_hint(), _CHECKOUT / "seeds" / "customs-reply-zh.txt"
    if hint and seed.is_file():
        text += (f"\n\nTo see the tool work offline, on the toy model of this checkout (it knows a few words, it "
                 f"does not really translate): {prog} {_shown(seed)} {hint}")
    return text


def _error_line(exc: TranslateError) -> str:
    """:func:`error_line`, plus the toy model to try when the model could not be had."""
    line, hint = error_line(exc), toy_model_hint()
    if isinstance(exc, ModelNotFoundError) and exc.option == "model" and hint:
        line += f" — to see the tool work offline, try this checkout's toy model: {hint}"
    return line


class _Notes(logging.Handler):
    """Shows the library's notes (logger ``translate``, INFO) as ``prog: message`` lines on stderr."""

    def __init__(self, prog: str) -> None:
        super().__init__(logging.INFO)
        self.prog = prog

    def emit(self, record: logging.LogRecord) -> None:
        try:  # sys.stderr as it is now: a live progress display may have redirected it, to print above it
            print(f"{self.prog}: {record.getMessage()}", file=sys.stderr)
        except Exception:  # noqa: BLE001
            self.handleError(record)


def show_notes(prog: str | None, quiet: bool = False) -> None:
    """Show the library's notes on stderr as ``prog: message`` (none with ``quiet``; ``prog=None``
    removes the handler again). :func:`run` does this around the command body, with the command's
    ``quiet`` parameter."""
    logger = logging.getLogger("translate")
    for handler in [h for h in logger.handlers if isinstance(h, _Notes)]:
        logger.removeHandler(handler)
    if prog is None:
        logger.setLevel(logging.NOTSET)
    elif quiet:
        logger.setLevel(logging.WARNING)
    else:
        logger.addHandler(_Notes(prog))
        logger.setLevel(logging.INFO)


def _with_notes(command: Any, prog: str) -> None:
    """Make ``command`` show the library's notes unless it got ``-q`` (its ``quiet`` parameter)."""
    callback = getattr(command, "callback", None)
    if callback is None or getattr(callback, "shows_notes", False):
        return

    @functools.wraps(callback)
    def with_notes(*args: Any, **kwargs: Any) -> Any:
        show_notes(prog, bool(kwargs.get("quiet", False)))
        try:
            return callback(*args, **kwargs)
        finally:
            show_notes(None)

    with_notes.shows_notes = True  # type: ignore[attr-defined]
    command.callback = with_notes


def run(typer_app: typer.Typer, prog: str, argv: list[str] | None = None, epilog: str | None = None) -> int:
    """Run a command; user errors end with one line on stderr and exit 1 (runtime) or 2 (usage).
    The library's notes (logger ``translate``) show on stderr unless the command got ``-q``.
    ``epilog``: the end of ``--help`` (default: :func:`epilogue`)."""
    import warnings

    command = typer.main.get_command(typer_app)
    command.epilog = epilogue(prog) if epilog is None else epilog
    _with_notes(command, prog)
    lost: list[str] = []

    def show(message: Warning | str, category: type[Warning], *_a: Any, **_k: Any) -> None:
        print(f"{prog}: warning: {message}", file=sys.stderr)
        if issubclass(category, LossWarning):
            lost.append(str(message))

    warnings.showwarning = show
    try:
        result = command.main(args=argv, prog_name=prog, standalone_mode=False)
        if lost and not result:
            return 1  # the output is written, but text of the input is missing from it (the warning said what)
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except typer.TyperException as exc:  # bad usage: unknown option, invalid value...
        print(f"{prog}: error: {exc.format_message()}", file=sys.stderr)
        return getattr(exc, "exit_code", 2)
    except TranslateError as exc:
        print(f"{prog}: error: {_error_line(exc)}", file=sys.stderr)
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
