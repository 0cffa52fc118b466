"""Every option of the library, defined once, in three typed groups.

- :class:`LoadOptions` — what is loaded, where and how (fixed for a :class:`~translate.Translator`'s life);
- :class:`DecodingOptions` — how each batch is decoded (passed per call, so a retry can pass its own);
- :class:`PipelineOptions` — how a document is cut into batches, cached and checked.

Output headers and the translation-memory key are *derived* from these objects (see
:func:`describe` and :func:`memory_context`): a field changes the memory key unless it is marked
``keyed=False`` — a new option is safe by default. The CLI builds its flags from the same fields
(``translate/commandline.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from .errors import UsageError

DEFAULT_BATCH_SIZE = 16
DEFAULT_BATCH_TOKENS = 2048  # padded source tokens decoded at once (16 sentences of up to 128 tokens)
DEFAULT_MAX_SENTENCE_TOKENS = 128  # source tokens per translation unit, well under Marian's 512
MIN_SENTENCE_TOKENS = 8
LAYOUTS = ("auto", "lines", "blocks")
INPUT_FORMATS = ("auto", "text", "html", "markdown", "feed")


def _opt(default: Any, *, keyed: bool = True, neutral: Any = None) -> Any:
    """A field; ``keyed=False`` marks one that never changes a translation, so the translation
    memory does not key on it; ``neutral`` is a decoding option's value when neither the user nor
    the model sets it."""
    return field(default=default, metadata={"keyed": keyed, "neutral": neutral})


def _at_least(owner: object, name: str, low: float, *, allow_none: bool = True) -> None:
    value = getattr(owner, name)
    if value is None and allow_none:
        return
    if value is None or value < low:
        raise UsageError(f"{name.replace('_', ' ')} must be at least {low:g}, not {value}", option=name)


@dataclass(frozen=True)
class LoadOptions:
    """Which model, on which runtime and device. ``None`` = automatic.

    ``model=None`` routes by language: each paragraph's language (``source_language``, detected
    when ``auto``) to ``target_language`` through the routing table (``translate/routing.py``,
    extended by the ``routes`` file); a model named here skips routing.
    ``backend`` is ``auto`` (CTranslate2 when installed), ``ctranslate2`` or ``transformers``;
    ``compute_type`` is CTranslate2's quantization (default int8 on CPU, int8_float16 on CUDA);
    ``offline=None`` follows ``HF_HUB_OFFLINE``; pickle checkpoints load only with ``allow_pickle``.
    """

    model: str | None = _opt(None)
    source_language: str = _opt("auto", keyed=False)  # a unit's model decides its translation
    target_language: str = _opt("en")
    routes: str | None = _opt(None, keyed=False)
    revision: str | None = _opt(None)
    backend: str = _opt("auto")
    device: str = _opt("auto")
    compute_type: str | None = _opt(None)
    threads: int | None = _opt(None, keyed=False)
    offline: bool | None = _opt(None, keyed=False)
    allow_pickle: bool = _opt(False, keyed=False)
    vocab_map: str | None = _opt(None)  # a CTranslate2 vocabulary shortlist file (translate/backends/vocab_map.py)

    def __post_init__(self) -> None:
        _at_least(self, "threads", 1)


@dataclass(frozen=True)
class DecodingOptions:
    """How to decode. ``None`` follows the model's own ``generation_config.json`` (the field names
    are transformers' generation names), else the neutral value.

    ``max_new_tokens=None`` is automatic: 2 × source tokens + 16, never above the model's
    ``max_length``; a hypothesis that reaches the limit is reported as unfinished. Both backends
    give every field the same meaning.
    """

    num_beams: int | None = _opt(None, neutral=1)
    max_new_tokens: int | None = _opt(None)
    no_repeat_ngram_size: int | None = _opt(None, neutral=0)
    repetition_penalty: float | None = _opt(None, neutral=1.0)
    length_penalty: float | None = _opt(None, neutral=1.0)

    def __post_init__(self) -> None:
        _at_least(self, "num_beams", 1)
        _at_least(self, "max_new_tokens", 1)
        _at_least(self, "no_repeat_ngram_size", 0)
        if self.repetition_penalty is not None and self.repetition_penalty <= 0:
            raise UsageError(f"repetition penalty must be positive, not {self.repetition_penalty}",
                             option="repetition_penalty")

    def resolved(self, model_defaults: Mapping[str, Any]) -> DecodingOptions:
        """What runs: each unset field from ``model_defaults`` (a generation config), else neutral."""
        def pick(f: dataclasses.Field) -> Any:
            for value in (getattr(self, f.name), model_defaults.get(f.name), f.metadata["neutral"]):
                if value is not None:
                    return value
            return None

        return DecodingOptions(**{f.name: pick(f) for f in fields(self)})


@dataclass(frozen=True)
class PipelineOptions:
    """How documents become batches, and what guards them.

    ``cache``: ``True`` uses the default translation memory, a path another file, ``False`` none.
    ``guard``: check every translation for loops, omissions and leftovers, retry, mark suspects.
    ``glossary``: a TSV/CSV file of source term, target term (, note) (``translate/glossary.py``).
    ``consistent_names``: render each name of a document the same way throughout (``translate/names.py``);
    off by default until ``benchmarks/quality.py`` shows that it helps a real model.
    """

    batch_size: int = _opt(DEFAULT_BATCH_SIZE, keyed=False)
    batch_tokens: int = _opt(DEFAULT_BATCH_TOKENS, keyed=False)
    max_sentence_tokens: int = _opt(DEFAULT_MAX_SENTENCE_TOKENS, keyed=False)  # units are keyed by their text
    layout: str = _opt("auto", keyed=False)
    input_format: str = _opt("auto", keyed=False)  # what the input is: from its name and content when auto
    whole_page: bool = _opt(False, keyed=False)    # HTML: every visible text block, no article extraction
    cache: bool | str = _opt(False, keyed=False)
    guard: bool = _opt(True)
    glossary: str | None = _opt(None, keyed=False)  # a path: the memory keys on the glossary's content instead
    consistent_names: bool = _opt(False, keyed=False)  # enforced sentences are keyed by their names' renderings

    def __post_init__(self) -> None:
        _at_least(self, "batch_size", 1, allow_none=False)
        _at_least(self, "batch_tokens", 1, allow_none=False)
        _at_least(self, "max_sentence_tokens", MIN_SENTENCE_TOKENS, allow_none=False)
        if self.layout not in LAYOUTS:
            raise UsageError(f"unknown layout '{self.layout}' (choose from {', '.join(LAYOUTS)})", option="layout")
        if self.input_format not in INPUT_FORMATS:
            raise UsageError(f"unknown input format '{self.input_format}' (choose from {', '.join(INPUT_FORMATS)})",
                             option="input_format")


GROUPS = (LoadOptions, DecodingOptions, PipelineOptions)
OptionGroup = TypeVar("OptionGroup", LoadOptions, DecodingOptions, PipelineOptions)


def field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def split_keywords(keywords: dict[str, Any], load: LoadOptions | None = None,
                   decoding: DecodingOptions | None = None,
                   pipeline: PipelineOptions | None = None) -> tuple[LoadOptions, DecodingOptions, PipelineOptions]:
    """Sort loose keywords (``num_beams=4``, ``device="cpu"``...) into the three groups, on top of
    the given objects; an unknown keyword is a ``TypeError``, as for any Python call."""
    rest = dict(keywords)

    def taken(group: OptionGroup) -> OptionGroup:
        mine = {name: rest.pop(name) for name in field_names(type(group)) if name in rest}
        return dataclasses.replace(group, **mine) if mine else group

    result = (taken(load or LoadOptions()), taken(decoding or DecodingOptions()), taken(pipeline or PipelineOptions()))
    if rest:
        raise TypeError(f"unknown option(s): {', '.join(sorted(rest))}")
    return result


def describe(*groups: object) -> dict[str, Any]:
    """Every field of the option objects, flat, for output headers (pass the effective values)."""
    return {f.name: getattr(g, f.name) for g in groups for f in fields(g)}  # type: ignore[arg-type]


def memory_context(*groups: object, **extra: Any) -> dict[str, Any]:
    """What the translation memory keys on: every field that can change a translation (all but
    those marked ``keyed=False``), plus ``extra`` (model identity, code version)."""
    return {**{f.name: getattr(g, f.name) for g in groups for f in fields(g)  # type: ignore[arg-type]
               if f.metadata.get("keyed", True)}, **extra}
