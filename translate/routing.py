"""Which model translates a language pair: one table, extended by the user's routes file.

A pair ``(source, target)`` maps to the user's route for it — whose models must be there and,
where their name or metadata says, translate into the route's target — else to the first
candidate whose models are available: the direct OPUS-MT model
(``Helsinki-NLP/opus-mt-{src}-{tgt}``, with the known code differences), a multilingual one
(``opus-mt-mul-en``, ``opus-mt-en-mul``), else a pivot through English (``src→en`` then
``en→tgt``) when both legs exist. "Available" means: a local folder, in the Hugging Face cache,
or — when the network is allowed — downloadable. Multi-target models (a vocabulary with
``>>xxx<<`` tokens, such as opus-mt-en-zh) get the target's token in front of every sentence,
read from the model's own vocabulary.

Routes file (JSON): ``$TRANSLATE_ROUTES``, else ``$XDG_CONFIG_HOME/translate/routes.json``
(``~/.config/translate/routes.json``), or the ``routes`` option::

    {"ja-en": "Helsinki-NLP/opus-mt-ja-en", "ja-zh": ["Helsinki-NLP/opus-mt-ja-en", "./my-en-zh"]}

A file that is there but is not such an object (a bad pair, a value that is not one model or two
different ones through English, not a regular UTF-8 file of at most 1 MiB) is a ``UsageError``.
"""

from __future__ import annotations

import json
import os
import re
import stat
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelNotFoundError, UsageError
from .languages import base_language, model_languages

PIVOT = "en"
MAX_ROUTES_BYTES = 1 << 20  # a routes file is a few lines: more is a mistake, read no further
_CODE = r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?"  # zh, zh-Hant, pt-BR
_KEY = re.compile(f"({_CODE})-({_CODE})")
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


base = base_language  # the name router.py and engine.py import; one function (translate/languages.py)


def model_code(language: str) -> str:
    return MODEL_CODES.get(language, base_language(language))


class RouteWarning(UserWarning):
    """A route's model says it translates from another language than the route's."""


class NoRoute(ModelNotFoundError):
    """No candidate for a pair is available (the caller may know a better reason)."""


class Routes(dict):
    """The user's routes, ``{"ja-zh": [model, ...]}``, and the file they come from (for messages)."""

    def __init__(self, table: dict[str, list[str]] | None = None, file: Path | None = None) -> None:
        super().__init__(table or {})
        self.file = file


def shown(text: object, limit: int = 120) -> str:
    """``text`` for a one-line message: control characters (a newline in a name) escaped, and
    cut at ``limit`` characters (a hostile file's key may be a megabyte long)."""
    text = str(text)
    cut = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text[:limit])
    return cut + ("…" if len(text) > limit else "")


def user_routes(path: str | os.PathLike | None = None) -> Routes:
    """The user's routes from ``path``, ``$TRANSLATE_ROUTES`` or the config folder (``{}`` when
    there is none). A file that is there but wrong, or one named explicitly that is not there, is
    a ``UsageError`` naming the file and the bad entry: a route silently ignored would translate
    with another model than the one the user chose."""
    explicit = [(path, ""), (os.environ.get("TRANSLATE_ROUTES"), " (from $TRANSLATE_ROUTES)")]
    for candidate, origin in explicit:
        if candidate:
            file = Path(candidate).expanduser()
            return Routes(_parse(file, _read(file, origin)), file)
    file = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "translate" / "routes.json"
    if not os.path.lexists(file):
        return Routes()
    return Routes(_parse(file, _read(file, "")), file)


def _fail(file: Path, problem: str) -> UsageError:
    return UsageError(f"routes file '{shown(file)}' {problem}", option="routes")


def _read(file: Path, origin: str) -> str:
    """The file's text: a regular file of at most ``MAX_ROUTES_BYTES`` bytes of UTF-8, read with
    that cap."""
    with os.fdopen(_open_regular(file, origin), "rb") as handle:
        try:
            data = handle.read(MAX_ROUTES_BYTES + 1)
        except OSError as exc:
            raise _fail(file, f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_ROUTES_BYTES:
        raise _fail(file, f"is too large (a routes file is at most {MAX_ROUTES_BYTES >> 10} KiB)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(file, f"is not UTF-8 text (byte {exc.start})") from None


def _open_regular(file: Path, origin: str) -> int:
    """A descriptor of ``file``, opened without blocking (a FIFO is refused, never waited on);
    ``UsageError`` unless it is a regular file."""
    def fail(problem: str) -> UsageError:
        return _fail(file, f"{origin} {problem}".lstrip())

    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise fail("does not exist") from None
    except OSError as exc:
        raise fail("is a folder, not a file" if file.is_dir() else f"cannot be read: {exc.strerror or exc}") from None
    kind = os.fstat(fd).st_mode
    if stat.S_ISREG(kind):
        return fd
    os.close(fd)
    raise fail("is a folder, not a file" if stat.S_ISDIR(kind) else "is not a regular file")


def _parse(file: Path, text: str) -> dict[str, list[str]]:
    """Every route of the file, checked: ``"src-tgt"`` to a model, or to two through English."""
    def unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
        table = dict(pairs)
        if len(table) < len(pairs):  # JSON keeps the last of two equal keys: a route silently lost
            twice = next(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
            raise _fail(file, f"has the route \"{shown(twice)}\" twice")
        return table

    try:
        data = json.loads(text, object_pairs_hook=unique)
    except UsageError:
        raise  # a key twice: said as such (a UsageError is a ValueError too)
    except ValueError as exc:
        raise _fail(file, f"is not valid JSON: {shown(exc)}") from None
    except RecursionError:
        raise _fail(file, "is nested too deeply to be a routes file") from None
    if not isinstance(data, dict):
        raise _fail(file, f"must be a JSON object of \"src-tgt\" to a model, not {_excerpt(data)}")
    return {key: _route(file, key, value) for key, value in data.items()}


def _excerpt(value: object) -> str:
    """A JSON value as the file has it, shortened for a message."""
    return shown(json.dumps(value, ensure_ascii=False), 60)


def _route(file: Path, key: str, value: object) -> list[str]:
    """One route's models, checked; ``UsageError`` naming the route otherwise."""
    match = _KEY.fullmatch(key)
    if not match:
        raise _fail(file, f"has a bad route \"{shown(key)}\": write a language pair such as \"zh-en\", "
                          "\"zh-Hant-en\" or \"en-pt-BR\"")
    source, target = match.groups()
    if base_language(source) == base_language(target):
        raise _fail(file, f"has a route \"{key}\" from a language into itself")
    models = [value] if isinstance(value, str) else value
    if not isinstance(models, list) or not models or not all(isinstance(m, str) for m in models):
        raise _fail(file, f"has a route \"{key}\" to {_excerpt(value)}: give a model (a Hugging "
                          "Face id or a folder) or a list of two (through English)")
    for model in models:
        if not model.strip() or model != model.strip() or not model.isprintable():
            raise _fail(file, f"has a route \"{key}\" to '{shown(model)}': write the model's name without "
                              "spaces or control characters around it")
    if len(set(models)) < len(models):
        raise _fail(file, f"has a route \"{key}\" that names a model twice: a list is two different models, "
                          f"{source}→{PIVOT} then {PIVOT}→{target}")
    if len(models) > 2 or len(models) == 2 and PIVOT in (base_language(source), base_language(target)):
        raise _fail(file, f"has a route \"{key}\" that goes in a circle ({' → '.join(map(shown, models))}): a "
                          f"list is two models, {source}→{PIVOT} then {PIVOT}→{target}")
    return models


def user_route(source: str, target: str, routes: dict[str, list[str]]) -> tuple[str, tuple[Leg, ...]] | None:
    """The user's route for the pair (its key and legs), if the routes have one."""
    for key in (f"{source}-{target}", f"{base_language(source)}-{base_language(target)}"):
        if key in routes:
            models = routes[key]
            hops = [source, *([PIVOT] * (len(models) - 1)), target]  # an explicit pivot: through English
            return key, tuple(Leg(m, hops[i], hops[i + 1]) for i, m in enumerate(models))
    return None


def candidates(source: str, target: str, routes: dict[str, list[str]]) -> list[tuple[Leg, ...]]:
    """Every way to go from ``source`` to ``target``, best first (before checking availability)."""
    mine = user_route(source, target, routes)
    out: list[tuple[Leg, ...]] = [mine[1]] if mine else []
    src, tgt = model_code(source), model_code(target)
    out.append((Leg(DIRECT.get((src, tgt), f"Helsinki-NLP/opus-mt-{src}-{tgt}"), source, target),))
    if tgt in MULTI_TO:
        out.append((Leg(MULTI_TO[tgt], source, target),))
    if src in MULTI_FROM:
        out.append((Leg(MULTI_FROM[src], source, target),))
    return out


Languages = Callable[[str], tuple[str | None, str | None]]


def plan(source: str, target: str, available: Callable[[str], bool], routes: dict[str, list[str]],
         languages: Languages | None = None, why: Callable[[str], str] | None = None) -> Route:
    """The route for a pair: the user's route when there is one (its models must be there and go
    the right way), else the first built-in candidate whose models are all available, else a pivot
    through English; ``NoRoute`` naming the pair and what to try when none is. ``languages``
    gives what a model translates (default: :func:`model_direction`), ``why`` why one is missing."""
    if base_language(source) == base_language(target) and source != target and base_language(source) != "zh":
        raise UsageError(f"'{source}' and '{target}' are the same language", option="target_language")
    pick = _Picker(available, routes, languages or model_direction, why or (lambda model: "not found"))
    legs = pick(source, target)
    if legs is None and PIVOT not in (base_language(source), base_language(target)):
        first, second = pick(source, PIVOT), pick(PIVOT, target)
        legs = first + second if first and second else None
    if legs is None:
        tried = ", ".join(leg.model for legs in candidates(source, target, routes) for leg in legs)
        raise NoRoute(f"no model translates {source} to {target} (tried {tried}, and a pivot through English); "
                      "name one, or add a route for the pair to the routes file", option="model")
    return Route(source, target, legs)


@dataclass(frozen=True)
class _Picker:
    """Chooses the legs for one pair (see :func:`plan`)."""

    available: Callable[[str], bool]
    routes: dict[str, list[str]]
    languages: Languages
    why: Callable[[str], str]

    def __call__(self, source: str, target: str) -> tuple[Leg, ...] | None:
        mine = user_route(source, target, self.routes)
        if mine is None:
            return next((legs for legs in candidates(source, target, self.routes)
                         if all(self.available(leg.model) for leg in legs)), None)
        key, legs = mine
        for leg in legs:
            said = self.languages(leg.model)  # a Hub id's name says before the model is looked for
            if said != (None, None):
                _check_direction(self._where(key), leg, said)
            if not self.available(leg.model):
                raise ModelNotFoundError(f"{self._where(key)} names '{shown(leg.model)}', which is not available: "
                                         f"{self.why(leg.model)}", option="routes")
            if said == (None, None):  # what the model found says (a Hub id's tokenizer config, a model card)
                _check_direction(self._where(key), leg, self.languages(leg.model))
        return legs

    def _where(self, key: str) -> str:
        file = getattr(self.routes, "file", None)
        return f"the route \"{key}\"" + (f" of routes file '{shown(file)}'" if file else "")


# ISO 639-3 codes model cards and tokenizer configs use, to the codes routes compare (``zho`` → ``zh``);
# Chinese languages count as Chinese (opus-mt-en-zh serves ``yue`` with its >>yue_Hant<< token)
_ISO3 = {token[2:5]: base_language(language) for language, token in TARGET_TOKENS.items()} | {
    "eng": "en", "zho": "zh", "jap": "ja", "yue": "zh", "wuu": "zh", "gan": "zh", "nb": "no"}


def language_code(value: object) -> str | None:
    """A language as routes, models and the guard compare it: its base code, ISO 639-3 mapped to
    639-1 where known (``zho`` → ``zh``); None when unknown or many (``mul``)."""
    if not isinstance(value, str) or not value.strip():
        return None
    code = base_language(value.strip())
    code = _ISO3.get(code, code)
    return None if code == "mul" else code


def model_direction(name: str, folder: Path | None = None) -> tuple[str | None, str | None]:
    """What a model translates, as base codes (None where unknown): from its OPUS-MT name, its
    tokenizer config, else its model card (``src_alpha2``/``tgt_alpha2`` or ``source languages:``)."""
    source, target = model_languages(name, folder)
    if source is None and target is None:
        source, target = _card_languages(folder or Path(name))
    return language_code(source), language_code(target)


_CARD = {side: re.compile(rf"^\W*(?:{short}_alpha2|{side} languages?(?:\(s\))?)\s*:\s*([A-Za-z_-]+)\s*$",
                          re.MULTILINE | re.IGNORECASE) for side, short in (("source", "src"), ("target", "tgt"))}
_CARD_BYTES = 64 << 10


def _card_languages(folder: Path) -> tuple[str | None, str | None]:
    """The single source and target language an OPUS-MT model card (README.md) names."""
    if not (folder / "README.md").is_file():  # (a FIFO there would block the read)
        return None, None
    try:
        with open(folder / "README.md", "rb") as card:
            text = card.read(_CARD_BYTES).decode("utf-8", "replace")
    except OSError:
        return None, None
    source, target = (_CARD[side].search(text) for side in ("source", "target"))
    return (source.group(1) if source else None), (target.group(1) if target else None)


def _check_direction(where: str, leg: Leg, direction: tuple[str | None, str | None]) -> None:
    """A model that translates into another language than its leg's is refused; one from another
    language than the leg's is a warning (a related language's model may be chosen on purpose)."""
    source, target = direction
    said = f"'{shown(leg.model)}' translates {source or '?'}→{target or '?'}"
    if target is not None and not _same(target, leg.target):
        raise UsageError(f"{where} goes {leg.source}→{leg.target}, but {said}; route the pair to a model "
                         f"into {leg.target}", option="routes")
    if source is not None and not _same(source, leg.source):
        warnings.warn(f"{where} goes {leg.source}→{leg.target}, but {said}: its {leg.source} input may come "
                      "out poorly", RouteWarning, stacklevel=2)


def _same(code: str, language: str) -> bool:
    """Whether a model's code is the language (a three-letter code with no known mapping may be
    a language group: not a mismatch)."""
    wanted = language_code(language)
    return wanted is None or code == wanted or len(code) == 3 and len(wanted) == 2


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
    for key in (target, base_language(target)):
        if TARGET_TOKENS.get(key) in vocab:
            return TARGET_TOKENS[key]
        if f">>{key}<<" in vocab:
            return f">>{key}<<"
    offered = ", ".join(tokens[:8]) + (" …" if len(tokens) > 8 else "")
    raise UsageError(f"model '{model_folder.name}' cannot translate into {target}: it offers {offered}",
                     option="target_language")
