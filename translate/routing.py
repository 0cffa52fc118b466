"""Which model translates a language pair: one table, extended by the user's routes file.

A pair ``(source, target)`` maps to the first candidate whose models are available: the user's
route for it, the direct OPUS-MT model (``Helsinki-NLP/opus-mt-{src}-{tgt}``, with the known code
differences), a multilingual one (``opus-mt-mul-en``, ``opus-mt-en-mul``), else a pivot through
English (``src→en`` then ``en→tgt``) when both legs exist. "Available" means: a local folder, in
the Hugging Face cache, or — when the network is allowed — downloadable. Multi-target models (a
vocabulary with ``>>xxx<<`` tokens, such as opus-mt-en-zh) get the target's token in front of
every sentence, read from the model's own vocabulary.

Routes file (JSON): ``$TRANSLATE_ROUTES``, else ``$XDG_CONFIG_HOME/translate/routes.json``
(``~/.config/translate/routes.json``), or the ``routes`` option::

    {"ja-en": "Helsinki-NLP/opus-mt-ja-en", "ja-zh": ["Helsinki-NLP/opus-mt-ja-en", "./my-en-zh"]}
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelNotFoundError, UsageError
from .languages import base_language

PIVOT = "en"
# Where the OPUS-MT repository names differ from the language code (or need a target token).
MODEL_CODES = {"zh-Hans": "zh", "zh-Hant": "zh", "zh": "zh", "he": "he", "jw": "jv"}
DIRECT = {  # pairs whose model is not named opus-mt-{src}-{tgt}
    ("en", "ja"): "Helsinki-NLP/opus-mt-en-jap",
    ("en", "ko"): "Helsinki-NLP/opus-mt-tc-big-en-ko",
    ("ko", "en"): "Helsinki-NLP/opus-mt-ko-en",
    ("en", "pt"): "Helsinki-NLP/opus-mt-tc-big-en-pt",
}
MULTI_TO = {"en": "Helsinki-NLP/opus-mt-mul-en"}      # any source → this target
MULTI_FROM = {"en": "Helsinki-NLP/opus-mt-en-mul"}    # this source → any target (with target tokens)
# The target token a multi-target model expects for a language (its vocabulary decides if it has it).
TARGET_TOKENS = {"zh-Hans": ">>cmn_Hans<<", "zh": ">>cmn_Hans<<", "zh-Hant": ">>cmn_Hant<<", "yue": ">>yue_Hant<<",
                 "ja": ">>jpn<<", "ko": ">>kor<<", "fr": ">>fra<<", "de": ">>deu<<", "es": ">>spa<<",
                 "it": ">>ita<<", "pt": ">>por<<", "ru": ">>rus<<", "ar": ">>ara<<", "vi": ">>vie<<",
                 "nl": ">>nld<<", "pl": ">>pol<<", "tr": ">>tur<<", "uk": ">>ukr<<", "id": ">>ind<<",
                 "th": ">>tha<<", "hi": ">>hin<<", "fa": ">>pes<<", "sv": ">>swe<<", "cs": ">>ces<<"}


@dataclass(frozen=True)
class Leg:
    """One model on a route, and the target token it needs (None for single-target models)."""

    model: str
    source: str
    target: str


@dataclass(frozen=True)
class Route:
    """How ``source`` becomes ``target``: one leg, or two through English."""

    source: str
    target: str
    legs: tuple[Leg, ...]

    @property
    def pivot(self) -> bool:
        return len(self.legs) > 1

    def describe(self) -> str:
        """e.g. ``ja→en→zh-Hans (Helsinki-NLP/opus-mt-ja-en, Helsinki-NLP/opus-mt-en-zh)``."""
        hops = "→".join([self.source, *(leg.target for leg in self.legs)])
        return f"{hops} ({', '.join(leg.model for leg in self.legs)})"


base = base_language


def model_code(language: str) -> str:
    return MODEL_CODES.get(language, base(language))


def user_routes(path: str | os.PathLike | None = None) -> dict[str, list[str]]:
    """The user's routes: ``{"ja-zh": [model, ...]}`` from ``path``, ``$TRANSLATE_ROUTES`` or the
    config folder; ``{}`` when there is none."""
    candidates = [path, os.environ.get("TRANSLATE_ROUTES"),
                  Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "translate" / "routes.json"]
    for candidate in candidates:
        if not candidate:
            continue
        file = Path(candidate).expanduser()
        if not file.is_file():
            if candidate is path:
                raise UsageError(f"routes file '{file}' does not exist", option="routes")
            continue
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"routes file '{file}' is not valid JSON: {exc}", option="routes") from None
        if not isinstance(data, dict):
            raise UsageError(f"routes file '{file}' must map \"src-tgt\" to a model or a list of models",
                             option="routes")
        return {pair: [value] if isinstance(value, str) else list(value) for pair, value in data.items()}
    return {}


def candidates(source: str, target: str, routes: dict[str, list[str]]) -> list[tuple[Leg, ...]]:
    """Every way to go from ``source`` to ``target``, best first (before checking availability)."""
    out: list[tuple[Leg, ...]] = []
    for key in (f"{source}-{target}", f"{base(source)}-{base(target)}"):
        if key in routes:
            models = routes[key]
            if len(models) == 1:
                out.append((Leg(models[0], source, target),))
            else:  # an explicit pivot: the hops' languages are the ends plus English between
                hops = [source, *([PIVOT] * (len(models) - 1)), target]
                out.append(tuple(Leg(m, hops[i], hops[i + 1]) for i, m in enumerate(models)))
            break
    src, tgt = model_code(source), model_code(target)
    out.append((Leg(DIRECT.get((src, tgt), f"Helsinki-NLP/opus-mt-{src}-{tgt}"), source, target),))
    if tgt in MULTI_TO:
        out.append((Leg(MULTI_TO[tgt], source, target),))
    if src in MULTI_FROM:
        out.append((Leg(MULTI_FROM[src], source, target),))
    return out


def plan(source: str, target: str, available: Callable[[str], bool], routes: dict[str, list[str]]) -> Route:
    """The route for a pair: the first candidate whose models are all available, else a pivot
    through English; ``ModelNotFoundError`` naming the pair and what to try when none is."""
    if base(source) == base(target) and source != target and base(source) != "zh":
        raise UsageError(f"'{source}' and '{target}' are the same language", option="target_language")
    for legs in candidates(source, target, routes):
        if all(available(leg.model) for leg in legs):
            return Route(source, target, legs)
    if PIVOT not in (base(source), base(target)):
        first = next((legs for legs in candidates(source, PIVOT, routes) if all(available(leg.model) for leg in legs)),
                     None)
        second = next((legs for legs in candidates(PIVOT, target, routes) if all(available(leg.model) for leg in legs)),
                      None)
        if first and second:
            return Route(source, target, first + second)
    tried = ", ".join(leg.model for legs in candidates(source, target, routes) for leg in legs)
    raise ModelNotFoundError(
        f"no model translates {source} to {target} (tried {tried}, and a pivot through English); "
        "name one, or add a route for the pair to the routes file", option="model")


def target_token(model_folder: Path, target: str) -> str | None:
    """The ``>>xxx<<`` token a multi-target model needs for ``target``; None for single-target
    models. ``UsageError`` when the model is multi-target but offers no token for ``target``."""
    try:
        vocab = json.loads((model_folder / "vocab.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    tokens = sorted(t for t in vocab if t.startswith(">>") and t.endswith("<<"))
    if not tokens:
        return None
    for key in (target, base(target)):
        if TARGET_TOKENS.get(key) in vocab:
            return TARGET_TOKENS[key]
        if f">>{key}<<" in vocab:
            return f">>{key}<<"
    shown = ", ".join(tokens[:8]) + (" …" if len(tokens) > 8 else "")
    raise UsageError(f"model '{model_folder.name}' cannot translate into {target}: it offers {shown}",
                     option="target_language")
