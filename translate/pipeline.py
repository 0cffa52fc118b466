"""The translation pipeline: read → segment → translate (engines, by language) → assemble → write.

:class:`Translator` is the public facade. It only orchestrates: the engines translate
(``engine.py``), the router composes them by language (``router.py``), the names pass keeps names
consistent (``names_pass.py``), ``assemble.py`` puts sentences and paragraphs back together and
``output/`` writes them. It keeps no run state: every result carries the counts of what producing
it did (:class:`~translate.stats.Stats`), so one translator serves any number of callers at once.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .backends import Backend, check_backend
from .memory import Memory, NullMemory, TranslationMemory
from .document import Document, Layout, Paragraph, Sentence, TranslatedDocument, TranslatedParagraph
from .engine import Call, Engine, Masker, Progress
from .errors import UsageError
from .glossary import Glossary, load_glossary
from .info import TranslationInfo
from .names_pass import NamePass
from .options import GROUPS, DecodingOptions, LoadOptions, PipelineOptions, field_names, split_keywords
from .router import Router, Single
from .segmentation import segment_paragraph
from .spans import mask, mask_markdown
from .stats import Stats, total

if TYPE_CHECKING:
    from .sources.reader import Segmenter

CHUNK_BATCHES = 8  # paragraphs are translated in chunks of about this many batches, then streamed out
STREAM_ABOVE_BYTES = 8 << 20  # larger files stream paragraph by paragraph (no total for progress)
OPTIONS = frozenset(name for group in GROUPS for name in field_names(group))


class Translations(list[str]):
    """Translated sentences, in order, and what translating them did (``stats``)."""

    def __init__(self, texts: Iterable[str], stats: Stats) -> None:
        super().__init__(texts)
        self.stats = stats


@dataclass(frozen=True)
class FileTranslation:
    """What ``Translator.translate_file`` did: sizes, the counts of this call, the header info."""

    paragraphs: int
    sentences: int
    layout: Layout
    stats: Stats
    info: TranslationInfo | None  # None: the input was empty
    metadata: dict[str, str]  # what the source said about itself: title, author, date, URL…

    @property
    def counts(self) -> dict[str, int]:
        """Translation units served from memory (``cached``), by the model, passed through."""
        return self.stats.counts

    @property
    def suspect(self) -> dict[str, int]:
        """Suspect units, by reason."""
        return self.stats.suspect

    @property
    def terms(self) -> tuple[dict, ...]:
        """The terms report: glossary terms and names found, how often, whether they held."""
        return tuple(self.stats.terms_report())


class Translator:
    """Translate documents paragraph by paragraph, sentence by sentence.

    Options come as typed objects (:mod:`translate.options`: ``load``, ``decoding``, ``pipeline``)
    and as keywords on top of them (``Translator("Helsinki-NLP/opus-mt-zh-en", num_beams=4)``);
    the effective values are kept as ``load``, ``decoding`` and ``pipeline`` and echoed in
    :attr:`info`. A keyword left at ``None`` keeps the object's value. Without a model, each
    paragraph is routed by its language (``routed``). The model is resolved on first use and
    loaded once, lazily — and not at all when every sentence is already in the translation
    memory. ``backend`` may also be a :class:`Backend` object, and ``cache`` a memory object.

    >>> t = Translator("Helsinki-NLP/opus-mt-zh-en", num_beams=4)   # doctest: +SKIP
    >>> t.translate("今天天气很好。").text                            # doctest: +SKIP
    """

    def __init__(self, model: str | None = None, *, load: LoadOptions | None = None,
                 decoding: DecodingOptions | None = None, pipeline: PipelineOptions | None = None,
                 # LoadOptions
                 source_language: str | None = None, target_language: str | None = None, routes: str | None = None,
                 revision: str | None = None, backend: str | Backend | None = None, device: str | None = None,
                 compute_type: str | None = None, threads: int | None = None, offline: bool | None = None,
                 allow_pickle: bool | None = None, vocab_map: str | None = None,
                 # DecodingOptions
                 num_beams: int | None = None, max_new_tokens: int | None = None,
                 no_repeat_ngram_size: int | None = None, repetition_penalty: float | None = None,
                 length_penalty: float | None = None,
                 # PipelineOptions
                 batch_size: int | None = None, batch_tokens: int | None = None,
                 max_sentence_tokens: int | None = None, layout: str | None = None, input_format: str | None = None,
                 whole_page: bool | None = None, cache: bool | str | os.PathLike | Memory | None = None,
                 guard: bool | None = None, glossary: str | os.PathLike | None = None,
                 consistent_names: bool | None = None) -> None:
        arguments = locals()
        given = {name: value for name, value in arguments.items() if name in OPTIONS and value is not None}
        ready = given.pop("backend") if isinstance(backend, Backend) else None
        memory = given.pop("cache") if cache is not None and not isinstance(cache, (bool, str, os.PathLike)) else None
        given.update({name: os.fspath(given[name]) for name in ("cache", "glossary")
                      if isinstance(given.get(name), os.PathLike)})
        self.load, self.decoding, self.pipeline = split_keywords(given, load, decoding, pipeline)
        if ready is None:
            check_backend(self.load)  # unknown backend, device or compute type: an error now, not later
        kept = self.pipeline.cache
        self.memory: Memory = memory or (TranslationMemory(None if kept is True else kept) if kept else NullMemory())
        self.glossary: Glossary | None = load_glossary(self.pipeline.glossary) if self.pipeline.glossary else None
        self._core: Single | Router = Router(self.load, self.pipeline, self.memory, self.glossary) \
            if self.load.model is None else \
            Single(Engine(self.load, self.pipeline, self.memory, self.glossary, ready), self._given_language)

    def for_languages(self, *, source_language: str | None = None, target_language: str | None = None,
                      decoding: DecodingOptions | None = None) -> Translator:
        """This translator for another language pair (or other ``decoding``), sharing its models,
        memory and glossary: a server's requests each name their pair, and no model is loaded
        twice. A translator with a model keeps it (a multilingual model takes the new target's token)."""
        load = dataclasses.replace(self.load, source_language=source_language or self.load.source_language,
                                   target_language=target_language or self.load.target_language)
        core: Single | Router
        if isinstance(self._core, Router):
            core = self._core.with_languages(load)
        else:
            engine = self._core.engine
            if load.target_language != self.load.target_language:
                engine = Engine(dataclasses.replace(engine.load, target_language=load.target_language),
                                self.pipeline, self.memory, self.glossary, engine.backend)
            core = Single(engine, None if load.source_language == "auto" else load.source_language)
        twin = copy.copy(self)
        vars(twin).update(load=load, decoding=decoding or self.decoding, _core=core)
        return twin

    # -- what it is --------------------------------------------------------------------------------------
    @property
    def routed(self) -> bool:
        """Whether each paragraph is routed by its language to the model for its pair (no model named)."""
        return self._core.routed

    @property
    def _given_language(self) -> str | None:
        return None if self.load.source_language == "auto" else self.load.source_language

    @property
    def _engine(self) -> Engine:
        """The one engine of a translator with a model."""
        if isinstance(self._core, Router):
            raise UsageError("a translator without a model routes each language pair to its own model: name one "
                             "model for this", option="model")
        return self._core.engine

    @property
    def backend(self) -> Backend:
        """The model backend (a translator with a model), created on first use; loads nothing heavy yet."""
        return self._engine.backend

    def resolve(self) -> Translator:
        """Find the model(s) now — in the cache, or downloading (with its own progress) — so that a
        wrong model is an error even before there is anything to translate; loads nothing heavy."""
        if isinstance(self._core, Router):
            self._core.resolve()
        else:
            self._core.engine.backend  # noqa: B018 - resolves on first access
        return self

    @property
    def source_language(self) -> str | None:
        """The language translated from: the option, else what the model says (None: unknown or routed)."""
        if isinstance(self._core, Router):
            return self._given_language
        return self._given_language or self._core.engine.source_language

    @property
    def info(self) -> TranslationInfo:
        """Every option as it runs (model revision, backend, device, decoding, the source language
        the model translates from...) — routed: the route of each language met so far — for output headers."""
        return self._info(None)

    def info_of(self, paragraphs: Iterable[TranslatedParagraph]) -> TranslationInfo:
        """:attr:`info` for a translated document: routed, the routes of the languages it has."""
        return self._info([s.language for p in paragraphs for s in p.sentences if s.language])

    def _info(self, languages: Sequence[str] | None) -> TranslationInfo:
        if isinstance(self._core, Router):
            return self._core.info(self.decoding, languages)
        return dataclasses.replace(self._core.engine.info(self.decoding),
                                   source_language=self.source_language or self.load.source_language)

    @property
    def memory_context(self) -> dict[str, Any]:
        """What the translation memory keys this translator's sentences on (a translator with a model)."""
        return self._engine.memory_context(self.decoding)

    @property
    def token_limit(self) -> int:
        """Source tokens per translation unit (routed: each engine fits its units when translating)."""
        return self.pipeline.max_sentence_tokens if isinstance(self._core, Router) else self._core.engine.token_limit

    # -- reading and segmenting ---------------------------------------------------------------------------
    def _counter(self) -> Callable[[str], int] | None:
        """What segmentation counts tokens with: the model's tokenizer (none when routed)."""
        return None if isinstance(self._core, Router) else self._core.engine.count_tokens

    def _segment_language(self) -> str | None:
        """The language segmentation assumes: the model's (routed: the given one, if any)."""
        return self._given_language if isinstance(self._core, Router) else self._core.engine.source_language

    @property
    def segmenter(self) -> Segmenter:
        """How reading cuts units for this translator: the model's tokenizer, token limit and language."""
        from .sources.reader import Segmenter

        return Segmenter(self._counter(), lambda: self.token_limit, self._segment_language)

    def segment(self, text: str) -> Document:
        """Split text into paragraphs and translation units within the token limit."""
        from .sources.reader import segment_text

        return segment_text(text, layout=self.pipeline.layout, segmenter=self.segmenter).document()

    def read(self, source: str | Path, *, encoding: str | None = None,
             errors: str = "strict") -> tuple[Layout, Iterator[Paragraph], dict[str, str]]:
        """Open ``source`` — a path, ``"-"`` or an http(s) URL; plain text, an HTML page or Markdown
        (``pipeline.input_format``, detected when ``auto``) — and segment it lazily: the layout
        (``markdown`` for Markdown), the paragraphs with their kinds, and what the source says about
        itself (title, author, URL…)."""
        from .sources.reader import read_input

        reading = read_input(source, pipeline=self.pipeline, encoding=encoding, errors=errors,
                             language=self._segment_language(), offline=self.load.offline, segmenter=self.segmenter)
        return reading.layout, reading.paragraphs, reading.metadata

    def plan(self, paragraphs: Sequence[Paragraph]) -> list[str]:
        """The source language of each paragraph (routed: detected, each language's route planned
        and its models found; nothing loaded), to translate them with."""
        detect = self._core.languages()
        languages = [language for chunk in _chunks(paragraphs, self._chunk_size) for language in detect(chunk)]
        for language in dict.fromkeys(languages):
            self._core.path_of(language)
        return languages

    # -- translating ----------------------------------------------------------------------------------------
    def translate(self, text: str, progress: Progress | None = None) -> TranslatedDocument:
        """Translate a whole document held in memory; the result keeps every paragraph, in order,
        and the counts of what translating it did (``stats``)."""
        from .reading import clean_text

        doc = self.segment(clean_text(text))
        languages = self.plan(doc.paragraphs)
        paragraphs = tuple(self._translated(doc.paragraphs, Call(self.decoding, mask, progress), languages))
        return TranslatedDocument(paragraphs, doc.layout, self._info(languages) if paragraphs else None)

    def translate_iter(self, text: str | Document | Iterable[Paragraph], progress: Progress | None = None, *,
                       markdown: bool = False) -> Iterator[TranslatedParagraph]:
        """Translate and yield paragraphs in order as soon as their chunk is done, each with its
        counts (``stats``). The paragraphs' sentences stay as given (a document segmented
        elsewhere keeps its alignment); one over the token limit is translated in pieces and
        joined, never truncated. ``markdown``: the text is Markdown (its syntax is protected like
        URLs; a :class:`Document` says so by its layout)."""
        if isinstance(text, str):
            from .reading import clean_text

            text = self.segment(clean_text(text))
        if isinstance(text, Document):
            markdown = markdown or text.layout == "markdown"
            text = text.paragraphs
        yield from self._translated(text, Call(self.decoding, mask_markdown if markdown else mask, progress))

    def translate_documents(self, documents: Sequence[Sequence[Paragraph]], progress: Progress | None = None,
                            *, markdown: bool = False, masker: Masker | None = None) -> list[list[TranslatedParagraph]]:
        """Translate the paragraphs of several documents at once (a corpus window, a server's
        requests): each document's languages are its own, and the sentences of all of them are
        batched together — each distinct sentence once, length-sorted across documents; each
        document gets its own translated paragraphs back, in order. ``markdown``: the documents are
        Markdown; ``masker``: what else in a unit must come through verbatim (e.g. inline HTML tags)."""
        flat = [p for doc in documents for p in doc]
        languages = [language for doc in documents if doc for language in self._core.languages()(list(doc))]
        chosen = masker or (mask_markdown if markdown else mask)
        done = iter(self._by_language(flat, languages, Call(self.decoding, chosen, progress), {}))
        return [[next(done) for _ in doc] for doc in documents]

    def translate_sentences(self, sentences: Sequence[str], progress: Progress | None = None) -> Translations:
        """Translate independent sentences (each split further if it holds several or is over the
        token limit); the translations, and what translating them did (``stats``)."""
        count, limit, language = self._counter(), self.token_limit, self._segment_language()
        paragraphs = [Paragraph(i, s, "body", 0, segment_paragraph(s, count, limit, language) if count else
                                (Sentence(0, s, 0, len(s)),)) for i, s in enumerate(sentences)]
        done = list(self._translated(paragraphs, Call(self.decoding, mask, progress), names=False))
        return Translations([p.translation for p in done], total(p.stats for p in done))

    @property
    def _chunk_size(self) -> int:
        return self.pipeline.batch_size * CHUNK_BATCHES

    def _translated(self, paragraphs: Iterable[Paragraph], call: Call, languages: Sequence[str] | None = None,
                    names: bool = True) -> Iterator[TranslatedParagraph]:
        """Translate in chunks of whole paragraphs, streamed out in order; each chunk's paragraphs
        grouped by language, each group through its path. A whole document (a sequence) has its
        names found once, over all of it (``pipeline.consistent_names``; never when streaming)."""
        whole = isinstance(paragraphs, Sequence)
        if names and whole and self.pipeline.consistent_names:
            languages = languages if languages is not None else self.plan(paragraphs)  # type: ignore[arg-type]
            passes = self._names(paragraphs, languages)  # type: ignore[arg-type]
        else:
            passes = {}
        detect = self._core.languages()
        done = 0
        for chunk in _chunks(paragraphs, self._chunk_size):
            chunk_languages = list(languages[done:done + len(chunk)]) if languages is not None else detect(chunk)
            done += len(chunk)
            yield from self._by_language(chunk, chunk_languages, call, passes)

    def _by_language(self, paragraphs: Sequence[Paragraph], languages: Sequence[str], call: Call,
                     names: dict[str, NamePass]) -> list[TranslatedParagraph]:
        """Each language's paragraphs through its path (one call each); the results in input order."""
        out: dict[int, TranslatedParagraph] = {}
        for language in dict.fromkeys(languages):
            mine = [k for k, lang in enumerate(languages) if lang == language]
            path = self._core.path_of(language)
            out.update(zip(mine, path.translate([paragraphs[k] for k in mine], call, names.get(language))))
        return [out[k] for k in range(len(paragraphs))]

    def _names(self, paragraphs: Sequence[Paragraph], languages: Sequence[str]) -> dict[str, NamePass]:
        """Each language's consistent names, found over the whole document by the engine that sees
        its source text."""
        passes = {}
        for language in dict.fromkeys(languages):
            engine = self._core.path_of(language).first
            sentences = [s.text for p, lang in zip(paragraphs, languages) if lang == language for s in p.sentences]
            found = NamePass.start(engine, sentences) if engine is not None else None
            if found is not None:
                passes[language] = found
        return passes

    def translate_file(self, source: str | Path, output: str | Path | None = None, *, format: str = "text",
                       encoding: str | None = None, errors: str = "strict", progress: Progress | None = None,
                       on_start: Callable[[int | None], None] | None = None) -> FileTranslation:
        """Translate a file (``"-"``: stdin, or an http(s) URL) into ``output`` (``None``/``"-"``:
        stdout; a path is replaced atomically) in ``format``. Plain text streams: memory stays
        bounded whatever the input's size. (See :meth:`read` for the kinds of input.)

        ``on_start`` is told the number of sentences before translation starts (``None`` when the
        input streams), e.g. to size a progress bar. ``errors``: ``"strict"`` (undecodable input is
        an error) or ``"replace"`` (bad bytes become U+FFFD, with a ``reading.DecodingWarning``).
        """
        from .output import open_output, render
        from .output.formats import json_line, terms_record
        from .sources.url import is_url

        layout, stream, metadata = self.read(source, encoding=encoding, errors=errors)
        first = next(stream, None)  # segmenting it resolves the model (downloads it, the first time)
        if first is None:
            self.resolve()  # nothing to translate, but a wrong model is still an error
        paragraphs: Iterable[Paragraph] = chain([first], stream) if first is not None else ()
        total_sentences: int | None = None
        languages: list[str] | None = None
        in_memory = layout in ("html", "markdown") or is_url(str(source))  # read whole anyway
        if first is not None and (in_memory or _small_file(source)):
            paragraphs = list(paragraphs)
            total_sentences = sum(len(p.sentences) for p in paragraphs)
            languages = self.plan(paragraphs)  # so that the output's header can say how each language is translated
        if on_start:
            on_start(total_sentences)
        tally = _Tally()
        with open_output(output) as out:
            if first is not None:
                call = Call(self.decoding, mask_markdown if layout == "markdown" else mask, progress)
                translated = tally.count(self._translated(paragraphs, call, languages))
                for piece in render(format, translated, self._info(languages or []), layout, metadata=metadata):
                    out.write(piece)
                if format == "jsonl" and tally.stats.terms:  # the terms report, last: it is known only now
                    out.write(json_line(terms_record(tally.stats.terms_report())))
        info = dataclasses.replace(self._info(list(tally.languages)), stats=tally.stats) if tally.paragraphs else None
        return FileTranslation(tally.paragraphs, tally.sentences, layout, tally.stats, info, metadata)


class _Tally:
    """What went by in one call's stream of translated paragraphs: how many, their counts, their languages."""

    def __init__(self) -> None:
        self.paragraphs = self.sentences = 0
        self.stats = Stats()
        self.languages: dict[str, None] = {}

    def count(self, paragraphs: Iterable[TranslatedParagraph]) -> Iterator[TranslatedParagraph]:
        for p in paragraphs:
            self.paragraphs += 1
            self.sentences += len(p.sentences)
            self.stats += p.stats
            self.languages.update(dict.fromkeys(s.language for s in p.sentences if s.language))
            yield p


def _chunks(paragraphs: Iterable[Paragraph], target: int) -> Iterator[list[Paragraph]]:
    """Group whole paragraphs into chunks of at least ``target`` sentences (the last may be smaller)."""
    chunk: list[Paragraph] = []
    size = 0
    for p in paragraphs:
        chunk.append(p)
        size += len(p.sentences)
        if size >= target:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _small_file(source: str | Path) -> bool:
    """A regular file small enough to read whole (a pipe or FIFO streams, whatever its size)."""
    try:
        info = os.stat(source) if str(source) != "-" else None
    except OSError:
        return False
    return info is not None and stat.S_ISREG(info.st_mode) and info.st_size <= STREAM_ABOVE_BYTES


def translate_text(text: str, **options: Any) -> str:
    """Translate ``text`` in one call and return the translation as plain text.

    ``options`` are those of :class:`Translator` (``model``, ``device``, ``num_beams``...).
    """
    return Translator(**options).translate(text).text


def translate_file(source: str | Path, output: str | Path | None = None, *, format: str = "text",
                   encoding: str | None = None, errors: str = "strict", **options: Any) -> FileTranslation:
    """Translate a file (``"-"``: stdin) into ``output`` (``None``: stdout) in bounded memory;
    ``options`` are those of :class:`Translator`."""
    return Translator(**options).translate_file(source, output, format=format, encoding=encoding, errors=errors)
