"""Which engines translate a paragraph, composed: a :class:`Direct` path is one engine; a
:class:`Chain` is a language route's legs one after the other (a pivot through English is two);
:class:`Identity` passes through what is already in the target language. :class:`Single` sends
every paragraph to one model (``Translator("model")``); :class:`Router` picks each language's path
from the routing table (``routing.py``), creating each engine — and loading its model — only for
the languages met, once each. Paths and cores hold no run state: a call's own state (the
document's language so far, its names) lives in the objects that call creates.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .assemble import as_source, assemble_paragraph, combine, passed_through
from .memory import Memory
from .document import Paragraph, TranslatedParagraph
from .engine import Call, Engine
from .errors import ModelNotFoundError
from .glossary import Glossary
from .models import resolve_model
from .names_pass import NamePass
from .info import TranslationInfo
from .options import DecodingOptions, LoadOptions, PipelineOptions, field_names
from .routing import Leg, NoRoute, Route, Routes, base, model_direction, plan, user_routes

logger = logging.getLogger("translate")

# What a routed header gives once for the whole run, not per leg (each leg's are the run's), and a leg's own ends
ROUTE_WIDE = frozenset(set(field_names(LoadOptions)) - {"model", "revision", "backend", "device", "compute_type",
                                                        "threads"}
                       | set(field_names(PipelineOptions)) - {"max_sentence_tokens"})
LEG_ENDS = ("source_language", "target_language", "target_token")


class TranslationPath(Protocol):
    """A way to translate paragraphs of one language."""

    @property
    def first(self) -> Engine | None:
        """The engine that sees the source text (where a document's names are rendered)."""

    def translate(self, paragraphs: Sequence[Paragraph], call: Call,
                  names: NamePass | None = None) -> list[TranslatedParagraph]: ...


@dataclass(frozen=True)
class Direct:
    """One engine. Each sentence is said to come from ``language`` (None: the model's own source
    language) through ``model``."""

    engine: Engine
    language: str | None = None
    model: str | None = None

    @property
    def first(self) -> Engine:
        return self.engine

    def translate(self, paragraphs: Sequence[Paragraph], call: Call,
                  names: NamePass | None = None) -> list[TranslatedParagraph]:
        """Each sentence (in pieces when over the token limit) through the engine, in one call —
        with the document's names, when it has any left to render."""
        engine = self.engine
        pieces = [engine.pieces(s.text) for p in paragraphs for s in p.sentences]
        units = [u for ps in pieces for u in ps]
        side = names.pending() if names else []
        done = engine.translate(units, call.decoding, mask=call.mask, progress=call.progress, also=side)
        outcomes = list(done.outcomes)
        if names:
            if side:
                names.take(done.also)
            outcomes = names.enforce(units, outcomes, call)
        flat = iter(outcomes)
        sentences = iter([[next(flat) for _ in ps] for ps in pieces])
        language = self.language if self.language is not None else engine.source_language
        return [assemble_paragraph(p, [next(sentences) for _ in p.sentences], language, self.model)
                for p in paragraphs]


@dataclass(frozen=True)
class Chain:
    """A route's legs, each translating the previous one's output; the result says which
    language and model(s) each sentence went through, with the counts of every leg."""

    route: Route
    legs: tuple[Direct, ...]
    language: str

    @property
    def first(self) -> Engine:
        return self.legs[0].engine

    def translate(self, paragraphs: Sequence[Paragraph], call: Call,
                  names: NamePass | None = None) -> list[TranslatedParagraph]:
        current: Sequence[Paragraph] = paragraphs
        results: list[list[TranslatedParagraph]] = []
        for k, leg in enumerate(self.legs):
            last = k == len(self.legs) - 1
            out = leg.translate(current, dataclasses.replace(call, progress=call.progress if last else None),
                                names if k == 0 else None)
            results.append(out)
            current = [as_source(p) for p in out]  # the next leg translates this leg's sentences
        return [combine(p, [leg[i] for leg in results], self.language, self.route) for i, p in enumerate(paragraphs)]


@dataclass(frozen=True)
class Identity:
    """Paragraphs already in the target language: passed through as they are."""

    language: str

    @property
    def first(self) -> None:
        return None

    def translate(self, paragraphs: Sequence[Paragraph], call: Call,
                  names: NamePass | None = None) -> list[TranslatedParagraph]:
        if call.progress:
            call.progress(sum(len(p.sentences) for p in paragraphs))
        return [passed_through(p, self.language) for p in paragraphs]


class Languages:
    """The source language of each paragraph of one document, chunk by chunk: given, or detected
    (short and unclear paragraphs take the document's language, which its first chunk decides)."""

    def __init__(self, given: str | None) -> None:
        self.given = given
        self.document: str | None = None

    def __call__(self, paragraphs: Sequence[Paragraph]) -> list[str]:
        if self.given:
            return [self.given] * len(paragraphs)
        from .detect import detect_document

        found = detect_document([p.text for p in paragraphs])
        if self.document is None or self.document == "und":
            self.document = found.document
        return [self.document if inherited and self.document != "und" else language
                for language, inherited in zip(found.per_paragraph, found.inherited)]


class Single:
    """One model for every paragraph."""

    routed = False

    def __init__(self, engine: Engine, language: str | None) -> None:
        self.engine = engine
        self.language = language
        self.path = Direct(engine, language, engine.load.model)

    def languages(self) -> Callable[[Sequence[Paragraph]], list[str]]:
        return lambda paragraphs: [""] * len(paragraphs)  # (one path: no language is looked at)

    def path_of(self, language: str) -> Direct:
        return self.path


@dataclass
class ModelPool:
    """What routers for several language pairs share: each model's engine (created once, loaded on
    first use), which models are available and where, why the others are not, the routes file."""

    lock: threading.RLock = dataclasses.field(default_factory=threading.RLock)
    engines: dict[tuple[str, str], Engine] = dataclasses.field(default_factory=dict)
    available: dict[str, bool] = dataclasses.field(default_factory=dict)
    folders: dict[str, Path] = dataclasses.field(default_factory=dict)
    missing: dict[str, ModelNotFoundError] = dataclasses.field(default_factory=dict)
    user_routes: Routes | None = None  # the routes file, read once (on the first route)


class Router:
    """Translating by language: each language's route (planned once: the user's routes file, the
    built-in table, a pivot through English) and each model's engine (created once), shared by
    every call; all of it under a lock, so that calls from several threads plan and load each
    once."""

    routed = True

    def __init__(self, load: LoadOptions, pipeline: PipelineOptions, memory: Memory,
                 glossary: Glossary | None, pool: ModelPool | None = None) -> None:
        self.load, self.pipeline, self.memory, self.glossary = load, pipeline, memory, glossary
        self.pool = pool or ModelPool()
        self._routes: dict[str, Route] = {}

    def with_languages(self, load: LoadOptions) -> Router:
        """This router for another language pair (``load``'s), sharing its models and what it found."""
        return Router(load, self.pipeline, self.memory, self.glossary, self.pool)

    @property
    def _lock(self) -> threading.RLock:
        return self.pool.lock

    @property
    def _engines(self) -> dict[tuple[str, str], Engine]:
        return self.pool.engines

    @property
    def _available(self) -> dict[str, bool]:
        return self.pool.available

    @property
    def _folders(self) -> dict[str, Path]:
        return self.pool.folders

    @property
    def _missing(self) -> dict[str, ModelNotFoundError]:
        return self.pool.missing

    @property
    def given(self) -> str | None:
        """The source language when it is given (not detected)."""
        return None if self.load.source_language == "auto" else self.load.source_language

    def languages(self) -> Callable[[Sequence[Paragraph]], list[str]]:
        """A detector for one document (it remembers the document's language)."""
        return Languages(self.given)

    def same_language(self, language: str) -> bool:
        return base(language) == base(self.load.target_language)  # (no conversion between scripts)

    def path_of(self, language: str) -> TranslationPath:
        """How paragraphs in ``language`` are translated (their route planned, models found)."""
        if self.same_language(language):
            return Identity(language)
        route = self.route(language)
        legs = tuple(Direct(self.engine(leg.model, leg.target), leg.source, leg.model) for leg in route.legs)
        return Chain(route, legs, language)

    def route(self, source: str) -> Route:
        """The route from ``source`` to the target language (planned once per language)."""
        with self._lock:
            if source not in self._routes:
                self._routes[source] = self._plan(source)
            return self._routes[source]

    def _plan(self, source: str) -> Route:
        if self.pool.user_routes is None:
            self.pool.user_routes = user_routes(self.load.routes)
        try:
            route = plan(source, self.load.target_language, self._has_model, self.pool.user_routes,
                         lambda model: model_direction(model, self._folders.get(model)),
                         lambda model: str(self._missing.get(model, "not found")))
        except NoRoute:
            first = next(iter(self._missing.values()), None)  # the direct model's own reason says most
            raise (first or ModelNotFoundError(f"no model translates {source}")) from None
        if route.pivot:
            logger.info("no direct model from %s to %s: translating through English, %s", source,
                        self.load.target_language, route.describe())
        return route

    def _has_model(self, model: str) -> bool:
        if model not in self._available:
            try:
                found = resolve_model(model, offline=self.load.offline, allow_pickle=self.load.allow_pickle)
                self._folders[model] = found.path
                self._available[model] = True
            except ModelNotFoundError as exc:
                self._available[model] = False
                self._missing.setdefault(model, exc)
        return self._available[model]

    def engine(self, model: str, target: str) -> Engine:
        """The engine of one model into one target (created once; loads on first use)."""
        with self._lock:
            key = (model, target)
            if key not in self._engines:
                load = dataclasses.replace(self.load, model=model, target_language=target)
                self._engines[key] = Engine(load, self.pipeline, self.memory, self.glossary)
            return self._engines[key]

    def resolve(self) -> None:
        """With a given source language, plan its route and find its models now."""
        if self.given and not self.same_language(self.given):
            for leg in self.route(self.given).legs:
                self.engine(leg.model, leg.target).backend  # noqa: B018 - resolves the model

    def info(self, decoding: DecodingOptions, languages: Sequence[str] | None = None) -> TranslationInfo:
        """The options, the route of each language (``routes``: of ``languages``, else of every
        language met so far) and what ran on each leg (``legs``: model, revision, backend, device,
        decoding as it ran...). An option every leg ran with the same is given as it ran; one
        they differ on, as given."""
        if languages is None:
            with self._lock:
                routes = dict(self._routes)
        else:
            routes = {lang: self.route(lang) for lang in dict.fromkeys(languages) if not self.same_language(lang)}
        legs = {lang: [self._leg_info(leg, decoding) for leg in route.legs] for lang, route in routes.items()}
        ran = [leg for chain in legs.values() for leg in chain]
        shared = {key: value for key, value in ran[0].items() if key not in LEG_ENDS
                  and all(leg.get(key) == value for leg in ran)} if ran else {}
        return TranslationInfo(self.load, decoding, self.pipeline, routed=True, shared=shared,
                               routes={lang: route.describe() for lang, route in routes.items()}, legs=legs)

    def _leg_info(self, leg: Leg, decoding: DecodingOptions) -> dict[str, Any]:
        """What ran on one leg: its languages, target token, and its engine's own options as they ran."""
        engine = self.engine(leg.model, leg.target)
        ran = engine.info(decoding)  # (resolves the engine's model, and so its target token)
        token = {"target_token": engine.token} if engine.token else {}
        return {"source_language": leg.source, "target_language": leg.target, **token,
                **{key: value for key, value in ran.items() if key not in ROUTE_WIDE}}
