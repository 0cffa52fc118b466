"""The translation pipeline: read → segment → translate (length-sorted batches) → assemble → write."""

from __future__ import annotations

import dataclasses
import logging
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from .assemble import Outcome, assemble_paragraph
from .backends import Backend, Hypothesis, check_backend, create_backend
from .caching import Memory, NullMemory, TranslationMemory
from .document import Document, Layout, Paragraph, Sentence, TranslatedDocument, TranslatedParagraph
from .errors import ModelNotFoundError
from .glossary import Glossary, Term, load_glossary, term_report
from .guard import REASONS, SEVERITY, nothing_to_translate, problem, retry_decoding, retry_pieces
from .languages import is_cjk, join_sentences, model_languages
from .models import resolve_model
from .router import as_source, combine, passed_through
from .routing import Leg, NoRoute, Route, Routes, base, model_direction, plan, target_token, user_routes
from .options import (DecodingOptions, LoadOptions, PipelineOptions, describe, field_names, memory_context,
                      split_keywords)
from .segmentation import segment_blocks, segment_paragraph, segment_stream, split_to_token_limit
from .spans import join_around, mask, with_terms
from .version import __version__

logger = logging.getLogger("translate")

Progress = Callable[[int], None]
CHUNK_BATCHES = 8  # paragraphs are translated in chunks of about this many batches, then streamed out
STREAM_ABOVE_BYTES = 8 << 20  # larger files stream paragraph by paragraph (no total for progress)


@dataclass(frozen=True)
class FileTranslation:
    """What ``Translator.translate_file`` did: sizes, where sentences came from, the header info."""

    paragraphs: int
    sentences: int
    layout: Layout
    counts: dict[str, int]
    suspect: dict[str, int]
    info: dict[str, Any]
    metadata: dict[str, str]  # what the source said about itself: title, author, date, URL…
    terms: tuple[dict, ...] = ()  # the terms report: glossary terms and names found, how often, whether they held


class Translator:
    """Translate documents paragraph by paragraph, sentence by sentence.

    Options come as typed objects (:mod:`translate.options`) or as loose keywords for one-liners
    (``Translator("Helsinki-NLP/opus-mt-zh-en", num_beams=4)``); the objects are kept as
    ``load``, ``decoding`` and ``pipeline``, and echoed (effective values) in :attr:`info`.
    The model is resolved on first use and loaded once, lazily — and not at all when every
    sentence is already in the translation memory. ``backend`` may also be a :class:`Backend`
    object, and ``cache`` a memory object.

    >>> t = Translator("Helsinki-NLP/opus-mt-zh-en", num_beams=4)   # doctest: +SKIP
    >>> t.translate("今天天气很好。").text                            # doctest: +SKIP
    """

    def __new__(cls, model: str | None = None, **kwargs: Any) -> Translator:
        """Without a model (argument, keyword or ``load.model``), a translator that routes each
        paragraph by its language (``translate.router.RoutedTranslator``)."""
        load = kwargs.get("load")
        if cls is Translator and model is None and kwargs.get("model") is None and (load is None or load.model is None):
            return super().__new__(RoutedTranslator)
        return super().__new__(cls)

    def __init__(self, model: str | None = None, *, load: LoadOptions | None = None,
                 decoding: DecodingOptions | None = None, pipeline: PipelineOptions | None = None,
                 **options: Any) -> None:
        self._backend: Backend | None = None
        memory: Memory | None = None
        if not isinstance(options.get("backend", ""), str):
            self._backend = options.pop("backend")
        if isinstance(options.get("cache"), os.PathLike):
            options["cache"] = os.fspath(options["cache"])
        elif options.get("cache") is not None and not isinstance(options["cache"], (bool, str)):
            memory = options.pop("cache")
        if model is not None:
            options["model"] = model
        self.load, self.decoding, self.pipeline = split_keywords(options, load, decoding, pipeline)
        if self._backend is None:
            check_backend(self.load)  # unknown backend, device or compute type: an error now, not later
        cache = self.pipeline.cache
        self.memory: Memory = memory or (TranslationMemory(None if cache is True else cache) if cache
                                         else NullMemory())
        self._language, self._target = model_languages(self.load.model or "")
        self._context: dict | None = None
        self._mask = mask  # how protected spans are found: Markdown documents also protect their syntax
        self._token: str | None = None  # a multi-target model's >>xxx<< token for the target language
        # translation units served from memory / by the model / passed through; suspect ones, by reason
        self.counts = {"cached": 0, "translated": 0, "passthrough": 0}
        self.suspect: Counter[str] = Counter()
        self.glossary: Glossary | None = load_glossary(self.pipeline.glossary) if self.pipeline.glossary else None
        self._terms: Glossary | None = self.glossary  # what is masked now: the glossary (+ a document's names)
        self._preset_names: tuple[Glossary | None] | None = None  # names decided by a caller for a whole document
        self.term_found: Counter[Term] = Counter()  # terms in the units translated, and how often each held
        self.term_held: Counter[Term] = Counter()

    def terms_report(self) -> list[dict]:
        """Every glossary term and consistent name found so far: how often, and how often it held."""
        return term_report(self.term_found, self.term_held)

    @property
    def backend(self) -> Backend:
        """The model backend, created on first use (resolves the model, loads nothing heavy yet)."""
        if self._backend is None:
            load = self.load
            resolved = resolve_model(load.model, revision=load.revision, offline=load.offline,
                                     allow_pickle=load.allow_pickle)
            self._language, self._target = model_languages(resolved.name, resolved.path)
            self._token = target_token(resolved.path, self._target_for_token())
            self._backend = create_backend(resolved, load)
        return self._backend

    def plan(self, paragraphs: Sequence[Paragraph]) -> None:
        """Decide, before translating, whatever depends on the whole input (one model: nothing)."""

    def _target_for_token(self) -> str:
        """The language a multi-target model is asked for: the option, unless the model's own target
        says otherwise (``-m opus-mt-en-zh`` alone means Chinese)."""
        wanted, own = self.load.target_language, self._target
        if own in (None, "mul") or base(own) == base(wanted):
            return wanted
        return own

    def resolve(self) -> Translator:
        """Find the model now — in the cache, or downloading it (with its own progress) — so that a
        wrong model is an error even before there is anything to translate; loads nothing heavy."""
        self.backend  # noqa: B018 - resolves on first access
        return self

    @property
    def info(self) -> dict[str, Any]:
        """Every option as it runs (model revision, backend, device, decoding, the source language
        the model translates from...), for output headers."""
        backend = self.backend
        pipeline = dataclasses.replace(self.pipeline, max_sentence_tokens=self.token_limit)
        return {**describe(backend.effective(), backend.decoding(self.decoding), pipeline),
                "source_language": self.source_language or self.load.source_language,
                "identity": backend.model_ref.identity, **backend.model_ref.header_fields}

    @property
    def source_language(self) -> str | None:
        """The language translated from: the option, else what the model says (None: unknown)."""
        given = self.load.source_language
        return given if given != "auto" else self._language if isinstance(self._language, str) else None

    def _stamped(self, paragraph: TranslatedParagraph) -> TranslatedParagraph:
        """``paragraph`` with each sentence's source language and model, as routed ones have them."""
        language, model = self.source_language, self.load.model
        return dataclasses.replace(paragraph, sentences=tuple(dataclasses.replace(s, language=language, model=model)
                                                              for s in paragraph.sentences))

    @property
    def memory_context(self) -> dict[str, Any]:
        """What the translation memory keys on: every option that can change a translation (as it
        runs), the model's identity and the version of this code."""
        if self._context is None:
            backend = self.backend
            glossary = {"glossary": self.glossary.digest} if self.glossary else {}  # its content, not its path
            self._context = memory_context(backend.effective(), backend.decoding(self.decoding), self.pipeline,
                                           identity=backend.model_ref.identity, version=__version__, **glossary)
        return self._context

    def _count(self, text: str) -> int:
        return self.backend.count_tokens(text)

    @property
    def _segment_counter(self) -> Callable[[str], int] | None:
        """What segmentation counts tokens with (the model's tokenizer)."""
        return self._count

    @property
    def token_limit(self) -> int:
        """Source tokens per translation unit: the option, never beyond the model's position limit."""
        return max(1, min(self.pipeline.max_sentence_tokens, self.backend.max_source_tokens - 1))

    def segment(self, text: str) -> Document:
        """Split text into paragraphs and translation units within the token limit."""
        chosen, paragraphs = self.segment_stream([text])
        return Document(tuple(paragraphs), layout=chosen)

    def segment_stream(self, pieces: Iterable[str]) -> tuple[Layout, Iterator[Paragraph]]:
        """Segment text that arrives in pieces (e.g. ``reading.iter_text``), lazily, in bounded memory."""
        return segment_stream(pieces, self._segment_counter, lambda: self.token_limit,  # type: ignore[arg-type]
                              self.pipeline.layout, lambda: self._language)

    def translate(self, text: str, progress: Progress | None = None) -> TranslatedDocument:
        """Translate a whole document held in memory; the result keeps every paragraph, in order."""
        from .reading import clean_text

        doc = self.segment(clean_text(text))
        paragraphs = tuple(self.translate_iter(doc, progress))
        return TranslatedDocument(paragraphs, doc.layout, self.info if paragraphs else {})

    def translate_iter(self, text: str | Document | Iterable[Paragraph],
                       progress: Progress | None = None) -> Iterator[TranslatedParagraph]:
        """Translate and yield paragraphs in order as soon as their chunk is done. The paragraphs'
        sentences stay as given (a document segmented elsewhere keeps its alignment); one over the
        token limit is translated in pieces and joined, never truncated."""
        if isinstance(text, str):
            from .reading import clean_text

            text = self.segment(clean_text(text))
        paragraphs = text.paragraphs if isinstance(text, Document) else text
        names = self._preset_names[0] if self._preset_names is not None else \
            self._document_names(paragraphs) if isinstance(paragraphs, Sequence) else None  # (not when streaming)
        confirmed: set[str] = set()
        for chunk in _chunks(paragraphs, self.pipeline.batch_size * CHUNK_BATCHES):
            pieces = [self._pieces(s.text) for p in chunk for s in p.sentences]
            units = [u for units in pieces for u in units]
            done = self._translate_units(units, progress)
            if names:
                done = self._consistent_names(units, done, names, confirmed)
            outcomes = iter(done)
            joined = iter([_joined([next(outcomes) for _ in units]) for units in pieces])
            for paragraph in chunk:
                yield self._stamped(assemble_paragraph(paragraph, [next(joined) for _ in paragraph.sentences]))

    def translate_documents(self, documents: Sequence[Sequence[Paragraph]], progress: Progress | None = None,
                            *, markdown: bool = False) -> list[list[TranslatedParagraph]]:
        """Translate the paragraphs of several documents at once (a corpus window): their sentences
        are batched together — each distinct sentence once, length-sorted across documents — and
        each document gets its own translated paragraphs back, in order. ``markdown``: the
        documents are Markdown (its syntax is protected like URLs)."""
        flat = [p for doc in documents for p in doc]
        self._mask = mask_markdown_spans() if markdown else mask
        pieces = [self._pieces(s.text) for p in flat for s in p.sentences]
        outcomes = iter(self._translate_units([u for units in pieces for u in units], progress))
        joined = iter([_joined([next(outcomes) for _ in units]) for units in pieces])
        done = iter([self._stamped(assemble_paragraph(p, [next(joined) for _ in p.sentences])) for p in flat])
        return [[next(done) for _ in doc] for doc in documents]

    def _pieces(self, unit: str) -> list[str]:
        """``unit``, or its pieces when it is over the token limit."""
        limit = self.token_limit
        if len(unit) < limit or self._count(unit) <= limit:  # a sentencepiece token covers a character or more
            return [unit]
        return [unit[a:b] for a, b in split_to_token_limit(unit, 0, len(unit), self._count, limit)]

    def read(self, source: str | Path, *, encoding: str | None = None,
             errors: str = "strict") -> tuple[Layout, Iterator[Paragraph], dict[str, str]]:
        """Open ``source`` — a path, ``"-"`` or an http(s) URL; plain text, an HTML page or Markdown
        (``pipeline.input_format``, detected when ``auto``) — and segment it lazily: the layout, the
        paragraphs with their kinds, and what the source says about itself (title, author, URL…)."""
        from .sources import open_input
        from .spans import mask_markdown, markdown_unbreakable_spans

        opened = open_input(source, input_format=self.pipeline.input_format, whole_page=self.pipeline.whole_page,
                            encoding=encoding, errors=errors, language=self._language, offline=self.load.offline)
        self._mask = mask_markdown if opened.kind == "markdown" else mask
        if opened.source is None:
            layout, stream = self.segment_stream(opened.text)
            return layout, stream, {}
        unbreakable = markdown_unbreakable_spans if opened.kind == "markdown" else None
        paragraphs = segment_blocks(opened.source.blocks, self._segment_counter, lambda: self.token_limit,
                                    lambda: self._language, unbreakable)
        return opened.source.layout, paragraphs, opened.metadata

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

        layout, stream, metadata = self.read(source, encoding=encoding, errors=errors)
        first = next(stream, None)  # segmenting it resolves the model (downloads it, the first time)
        if first is None:
            self.resolve()  # nothing to translate, but a wrong model is still an error
        paragraphs: Iterable[Paragraph] = chain([first], stream) if first is not None else ()
        total: int | None = None
        from .sources.url import is_url

        in_memory = layout in ("html", "markdown") or is_url(str(source))  # read whole anyway
        if first is not None and (in_memory or _small_file(source)):
            paragraphs = list(paragraphs)
            total = sum(len(p.sentences) for p in paragraphs)
            self.plan(paragraphs)  # so that the output's header can say how each language is translated
        if on_start:
            on_start(total)
        seen = [0, 0]

        def counted(items: Iterable[TranslatedParagraph]) -> Iterator[TranslatedParagraph]:
            for p in items:
                seen[0] += 1
                seen[1] += len(p.sentences)
                yield p

        with open_output(output) as out:
            if first is not None:
                translated = counted(self.translate_iter(paragraphs, progress))
                for piece in render(format, translated, self.info, layout, metadata=metadata):
                    out.write(piece)
                if format == "jsonl" and self.term_found:  # the terms report, last: it is known only now
                    from .output.formats import json_line, terms_record

                    out.write(json_line(terms_record(self.terms_report())))
        return FileTranslation(seen[0], seen[1], layout, dict(self.counts), dict(self.suspect),
                               self.info if seen[0] else {}, metadata, tuple(self.terms_report()))

    def translate_sentences(self, sentences: Sequence[str], progress: Progress | None = None) -> list[str]:
        """Translate independent sentences (each split further if over the token limit)."""
        pieces = [segment_paragraph(s, self._count, self.token_limit, self._language) for s in sentences] \
            if sentences else []
        outcomes = iter(self._translate_units([u.text for p in pieces for u in p], progress))
        return [join_sentences([next(outcomes).text for _ in p]) for p in pieces]

    def _translate_units(self, units: Sequence[str], progress: Progress | None,
                         context: dict[str, Any] | None = None) -> list[Outcome]:
        """Pass through what needs no model, take what the memory knows, translate the rest in
        batches of similar length; return outcomes in input order.

        Each batch is written to the memory (under ``context``, default ``memory_context``) as
        soon as it is done, so a killed run keeps it.
        """
        occurrences = Counter(units)
        known: dict[str, Outcome] = {}
        for u in occurrences:
            why = nothing_to_translate(u, self._language)
            if why:
                known[u] = Outcome(u, "passthrough", why)
        self.counts["passthrough"] += sum(occurrences[u] for u in known)
        rest = [u for u in occurrences if u not in known]
        if rest and not isinstance(self.memory, NullMemory):
            context = context or self.memory_context
            for u, (text, status) in self.memory.get_many(context, rest).items():
                known[u] = _stored(text, status)
                self.counts["cached"] += occurrences[u]
        done = sum(occurrences[u] for u in known)
        if progress and done:
            progress(done)
        todo = [u for u in rest if u not in known]  # each distinct sentence once
        lengths = {u: self._count(u) for u in todo}
        todo.sort(key=lambda u: -lengths[u])
        batches = self._batches(todo, lengths) if todo else []
        for batch, outcomes in self._run_batches(batches):
            known.update(zip(batch, outcomes))
            self.memory.put_many(context or self.memory_context,
                                 [(u, o.text, _status(o)) for u, o in zip(batch, outcomes)])
            self.counts["translated"] += sum(occurrences[u] for u in batch)
            if progress:
                progress(sum(occurrences[u] for u in batch))
        result = [known[u] for u in units]
        self.suspect.update(o.reason or "" for o in result if o.status == "suspect")
        if self._terms:
            for u, o in zip(units, result):
                for term in self._required_terms(u):
                    self.term_found[term] += 1
                    self.term_held[term] += term.target in o.text
        return result

    def _required_terms(self, unit: str) -> list[Term]:
        """The terms masked in ``unit``: glossary terms and names to enforce (not mere blockers)."""
        return [t for _, _, t in self._terms.find(unit) if t.kind != "blocker"] if self._terms else []

    def _masked(self, unit: str) -> Any:
        """``unit`` with its protected spans, and its glossary terms (and enforced names), masked."""
        masked = self._mask(unit)
        terms = [(s, e, t.target) for s, e, t in self._terms.find(unit) if t.kind != "blocker"] if self._terms else []
        return with_terms(masked, terms) if terms else masked

    def _document_names(self, paragraphs: Sequence[Paragraph]) -> Glossary | None:
        """A Chinese document's names to render consistently (``translate/names.py``): each name in
        two or more sentences with its standalone rendering, when that reads as a name; every other
        name the tagger found blocks matches inside it (kind ``blocker``). None when off."""
        if not self.pipeline.consistent_names or not str(self._language or "").startswith("zh"):
            return None
        from .names import clean_rendering, find_names, looks_like_name

        found = self._names_of([s.text for p in paragraphs for s in p.sentences], find_names)
        wanted = [n for n, count in found.items() if count >= 2 and n not in (self.glossary or ())]
        if not wanted:
            return None
        saved = self._counters()
        try:
            rendered = self._translate_units(wanted, None)  # one small batch, cached like any sentence
        finally:
            self._counters(saved)
        terms = [Term(n, r, kind="name") for n, o in zip(wanted, rendered)
                 if o.status == "ok" and looks_like_name(r := clean_rendering(o.text))]
        blockers = [Term(n, n, kind="blocker") for n in found if n not in {t.source for t in terms}]
        return Glossary(terms + blockers) if terms else None

    def _names_of(self, sentences: list[str], find_names: Callable[..., dict[str, int]]) -> dict[str, int]:
        """Every name the tagger finds in ``sentences``, with its sentence count; kept in the
        translation memory by the document's digest, so a rerun does not load the tagger."""
        import hashlib
        import json

        if isinstance(self.memory, NullMemory):
            return find_names(sentences, min_sentences=1)
        key = hashlib.sha256("\n".join(sentences).encode("utf-8")).hexdigest()
        context = {"names": "jieba", "version": __version__}
        stored = self.memory.get_many(context, [key]).get(key)
        if stored is not None:
            return dict(json.loads(stored[0]))
        found = find_names(sentences, min_sentences=1)
        self.memory.put_many(context, [(key, json.dumps(list(found.items()), ensure_ascii=False), "ok")])
        return found

    def _counters(self, saved: tuple | None = None) -> tuple:
        """The run's counters (counts, suspects, terms), or put ``saved`` ones back."""
        if saved is not None:
            self.counts, self.suspect, self.term_found, self.term_held = saved
        return dict(self.counts), Counter(self.suspect), Counter(self.term_found), Counter(self.term_held)

    def _consistent_names(self, units: list[str], outcomes: list[Outcome], names: Glossary,
                          confirmed: set[str]) -> list[Outcome]:
        """Render each confirmed name the same way: a name is confirmed once the model used its
        standalone rendering as a name in a sentence (the first confident rendering); a sentence
        with a confirmed name but not its rendering is translated again with the name protected."""
        from .names import used_as_name

        table = self.glossary.merged(names) if self.glossary else names  # the glossary's renderings win
        hits = [[t for _, _, t in table.find(u) if t.kind == "name"] if o.status != "passthrough" else []
                for u, o in zip(units, outcomes)]
        for found, o in zip(hits, outcomes):
            confirmed.update(t.source for t in found if used_as_name(t.target, o.text))
        todo = list(dict.fromkeys(u for u, found, o in zip(units, hits, outcomes)
                                  if any(t.source in confirmed and t.target.lower() not in o.text.lower()
                                         for t in found)))
        if todo:
            enforced = Glossary(t for t in names.terms.values() if t.kind != "name" or t.source in confirmed)
            saved = self._counters()
            self._terms = self.glossary.merged(enforced) if self.glossary else enforced
            try:
                context = {**self.memory_context, "names": enforced.digest}
                again = dict(zip(todo, self._translate_units(todo, None, context=context)))
            finally:
                self._terms = self.glossary
                self._counters(saved)
            for k, (u, o) in enumerate(zip(units, outcomes)):
                new = again.get(u)
                if new is None or (new.status == "suspect" and o.status != "suspect"):
                    continue  # a worse sentence is no price for a consistent name
                if o.status == "suspect":
                    self.suspect[o.reason or ""] -= 1
                if new.status == "suspect":
                    self.suspect[new.reason or ""] += 1
                outcomes[k] = new
            self.suspect = +self.suspect
        for found, o in zip(hits, outcomes):
            for t in found:
                if t.source in confirmed:
                    self.term_found[t] += 1
                    self.term_held[t] += t.target.lower() in o.text.lower()
        return outcomes

    def _batches(self, todo: list[str], lengths: dict[str, int]) -> list[list[str]]:
        """Cut length-sorted sentences into batches: at most ``batch_size`` sentences decoded at once
        (split between the batches the backend runs in parallel) and at most ``batch_tokens`` padded
        source tokens per batch, so a batch of long sentences holds fewer of them."""
        parallel = max(1, min(self.backend.parallel_batches, self.pipeline.batch_size))
        size = -(-self.pipeline.batch_size // parallel)
        tokens = max(1, self.pipeline.batch_tokens // parallel)
        batches: list[list[str]] = []
        for unit in todo:  # longest first: a batch's first sentence sets its padded length
            if batches and len(batches[-1]) < size and (len(batches[-1]) + 1) * lengths[batches[-1][0]] <= tokens:
                batches[-1].append(unit)
            else:
                batches.append([unit])
        return batches

    def _run_batches(self, batches: list[list[str]]) -> Iterator[tuple[list[str], list[Outcome]]]:
        """Translate batches, several at once when the backend runs them in parallel (never more
        sentences in flight than ``batch_size``); yield each as soon as it is done (so it can be
        stored before the next one finishes)."""
        workers = min(self.backend.parallel_batches, len(batches), self.pipeline.batch_size)
        if workers <= 1:
            for batch in batches:
                yield batch, self._translate_batch(batch)
            return
        from concurrent.futures import ThreadPoolExecutor, as_completed

        self.backend.load()  # once, before the workers start

        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(self._translate_batch, batch): batch for batch in batches}
            error: BaseException | None = None
            try:
                for future in as_completed(futures):
                    if future.cancelled():
                        continue
                    try:
                        outcomes = future.result()
                    except BaseException as exc:  # stop starting batches, but keep those that finish
                        error = error or exc
                        for other in futures:
                            other.cancel()
                        continue
                    yield futures[future], outcomes
            finally:
                for future in futures:
                    future.cancel()
            if error is not None:
                raise error

    def _decode(self, units: list[str], options: DecodingOptions) -> list[Hypothesis]:
        """Translate units with their protected spans (URLs, e-mail addresses, paths, code...) masked;
        a unit whose placeholders did not survive is translated around its spans instead (all
        such units of the batch in one more call). Spans never go through the model as text."""
        masked = [self._masked(u) for u in units]
        backend = self.backend  # resolves the model and its target token
        prefix = f"{self._token} " if self._token else ""
        hyps = backend.translate_batch([prefix + m.text for m in masked], options)
        result: list[Hypothesis | None] = []
        for m, h in zip(masked, hyps):
            restored = m.restore(h.text)
            result.append(None if restored is None else Hypothesis(restored, h.finished))
        around = {i: masked[i].pieces() for i, r in enumerate(result) if r is None}
        texts = [prefix + text for pieces in around.values() for is_span, text in pieces if not is_span]
        out = iter(backend.translate_batch(texts, options) if texts else [])
        for i, pieces in around.items():
            got = [next(out) for is_span, _ in pieces if not is_span]
            result[i] = Hypothesis(join_around(pieces, [h.text for h in got], is_cjk(self._target)),
                                   all(h.finished for h in got))
        return result  # type: ignore[return-value]

    def _translate_batch(self, batch: list[str]) -> list[Outcome]:
        """Translate one batch; with the guard on, retry what looks wrong — all such sentences of
        the batch together, each split into its clauses, with anti-repetition decoding — and keep
        the better attempt of each."""
        hyps = self._decode(batch, self.decoding)
        if not self.pipeline.guard:
            return [Outcome(h.text) if h.finished else Outcome(h.text, "suspect", REASONS["limit"]) for h in hyps]
        target_cjk, language = is_cjk(self._target), self._target_for_token()  # what the output must be in
        required = [tuple(t.target for t in self._required_terms(u)) for u in batch]
        found = [problem(u, h.text, h.finished, target_cjk, r, language) for u, h, r in zip(batch, hyps, required)]
        outcomes = [Outcome(h.text) for h in hyps]
        suspects = [i for i, p in enumerate(found) if p]
        pieces = {i: retry_pieces(batch[i]) for i in suspects}
        flat = [piece for i in suspects for piece in pieces[i]]
        again = iter(self._decode(flat, retry_decoding(self.decoding)) if flat else [])
        for i in suspects:
            retried = [next(again) for _ in pieces[i]]
            text = join_sentences([h.text for h in retried])
            second = problem(batch[i], text, all(h.finished for h in retried), target_cjk, required[i], language)
            if second is None:
                outcomes[i] = Outcome(text)
            elif SEVERITY[second] < SEVERITY[found[i]]:  # type: ignore[index]
                outcomes[i] = Outcome(text, "suspect", REASONS[second])
            else:
                outcomes[i] = Outcome(hyps[i].text, "suspect", REASONS[found[i]])  # type: ignore[index]
        return outcomes


# What a routed header gives once for the whole run, not per leg (each leg's are the run's), and a leg's own ends
ROUTE_WIDE = frozenset(set(field_names(LoadOptions)) - {"model", "revision", "backend", "device", "compute_type",
                                                        "threads"}
                       | set(field_names(PipelineOptions)) - {"max_sentence_tokens"})
LEG_ENDS = ("source_language", "target_language", "target_token")


class RoutedTranslator(Translator):
    """Translating by language: each paragraph's language is detected (or given), routed to the
    model for its pair (``routing.py``), pivoted through English when no direct model exists, or
    passed through when it is already in the target language. Each model is a :class:`Translator`
    of its own, created — and loaded — only for the languages actually present, once each.
    ``Translator()`` without a model is one of these."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._routes: dict[str, Route] = {}
        self._user_routes: Routes | None = None  # the routes file, read once (on the first route)
        self._engines: dict[tuple[str, str], Translator] = {}
        self._available: dict[str, bool] = {}
        self._folders: dict[str, Path] = {}  # where each available model is (for what its metadata says)
        self._missing: dict[str, ModelNotFoundError] = {}  # why a candidate model is not available
        self._document_language: str | None = None
        self._detected: dict[tuple[int, str], str] = {}  # (paragraph index, text) -> language, from plan()
        self._language = None if self.load.source_language == "auto" else self.load.source_language
        self._target = self.load.target_language

    # -- routes and engines -------------------------------------------------------------------------
    def route(self, source: str) -> Route:
        """The route from ``source`` to the target language (planned once per language)."""
        if source not in self._routes:
            if self._user_routes is None:
                self._user_routes = user_routes(self.load.routes)
            try:
                route = plan(source, self.load.target_language, self._has_model, self._user_routes,
                             lambda model: model_direction(model, self._folders.get(model)),
                             lambda model: str(self._missing.get(model, "not found")))
            except NoRoute:
                first = next(iter(self._missing.values()), None)  # the direct model's own reason says most
                raise (first or ModelNotFoundError(f"no model translates {source}")) from None
            if route.pivot:
                logger.info("no direct model from %s to %s: translating through English, %s", source,
                            self.load.target_language, route.describe())
            self._routes[source] = route
        return self._routes[source]

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

    def engine(self, model: str, target: str) -> Translator:
        """The translator of one model into one target (created once; loads on first use)."""
        key = (model, target)
        if key not in self._engines:
            load = dataclasses.replace(self.load, model=model, target_language=target)
            self._engines[key] = Translator(load=load, decoding=self.decoding, pipeline=self.pipeline, cache=self.memory)
        return self._engines[key]

    def plan(self, paragraphs: Sequence[Paragraph]) -> None:
        """The route of every language in ``paragraphs`` (planned, models found; nothing loaded).
        The languages found are kept, so translating the same paragraphs does not detect them again."""
        self._detected = {}
        for chunk in _chunks(paragraphs, self.pipeline.batch_size * CHUNK_BATCHES):
            languages = self.languages(chunk)
            self._detected.update(((p.index, p.text), lang) for p, lang in zip(chunk, languages))
            for language in dict.fromkeys(languages):
                if not self._same_language(language):
                    self.route(language)

    def resolve(self) -> Translator:
        """With a known source language, plan its route and find its models now."""
        if self._language:
            for leg in self.route(self._language).legs:
                self.engine(leg.model, leg.target).resolve()
        return self

    @property
    def info(self) -> dict[str, Any]:
        """The options, the route of each language met (``routes``) and what ran on each leg of it
        (``legs``: model, revision, backend, device, compute type, decoding as it ran...). An
        option every leg ran with the same is given as it ran; one they differ on, as given."""
        legs = {lang: [self._leg_info(leg) for leg in route.legs] for lang, route in self._routes.items()}
        ran = [leg for chain in legs.values() for leg in chain]
        shared = {key: value for key, value in ran[0].items() if key not in LEG_ENDS
                  and all(leg.get(key) == value for leg in ran)} if ran else {}
        return {**describe(self.load, self.decoding, self.pipeline), **shared,
                "routes": {lang: route.describe() for lang, route in self._routes.items()}, "legs": legs}

    def _leg_info(self, leg: Leg) -> dict[str, Any]:
        """What ran on one leg: its languages, target token, and its engine's own options as they ran."""
        engine = self.engine(leg.model, leg.target)
        ran = engine.info  # (resolves the engine's model, and so its target token)
        token = {"target_token": engine._token} if engine._token else {}
        return {"source_language": leg.source, "target_language": leg.target, **token,
                **{key: value for key, value in ran.items() if key not in ROUTE_WIDE}}

    @property
    def _segment_counter(self) -> None:
        """No model-wide token counter: each engine fits the units to its own limit when translating."""
        return None

    @property
    def token_limit(self) -> int:
        return self.pipeline.max_sentence_tokens

    # -- translation -----------------------------------------------------------------------------------
    def languages(self, paragraphs: Sequence[Paragraph]) -> list[str]:
        """The source language of each paragraph (given, or detected: short and unclear paragraphs
        take the document's language, which the first paragraphs decide)."""
        if self._language:
            return [self._language] * len(paragraphs)
        known = [self._detected.get((p.index, p.text)) for p in paragraphs]
        if all(known):
            return known  # type: ignore[return-value]  # detected by plan()
        from .detect import detect_document

        found = detect_document([p.text for p in paragraphs])
        if self._document_language is None or self._document_language == "und":
            self._document_language = found.document  # decided by the first chunk of a streamed input
        return [self._document_language if inherited and self._document_language != "und" else language
                for language, inherited in zip(found.per_paragraph, found.inherited)]

    def translate_iter(self, text: str | Document | Iterable[Paragraph],
                       progress: Progress | None = None) -> Iterator[TranslatedParagraph]:
        if isinstance(text, str):
            from .reading import clean_text

            text = self.segment(clean_text(text))
        paragraphs = text.paragraphs if isinstance(text, Document) else text
        preset = self._preset_document_names(paragraphs) if isinstance(paragraphs, Sequence) else []
        try:
            for chunk in _chunks(paragraphs, self.pipeline.batch_size * CHUNK_BATCHES):
                languages = self.languages(chunk)
                done: dict[int, TranslatedParagraph] = {}
                for language in dict.fromkeys(languages):
                    mine = [p for p, lang in zip(chunk, languages) if lang == language]
                    done.update((p.index, t) for p, t in zip(mine, self._translate_language(mine, language, progress)))
                yield from (done[p.index] for p in chunk)
        finally:
            for engine in preset:
                engine._preset_names = None

    def _preset_document_names(self, paragraphs: Sequence[Paragraph]) -> list[Translator]:
        """Decide each language's consistent names over the whole document (not chunk by chunk):
        set on the engine of the route's first leg; returns those engines."""
        if not self.pipeline.consistent_names or not paragraphs:
            return []
        languages = self.languages(paragraphs)
        engines = []
        for language in dict.fromkeys(languages):
            if self._same_language(language):
                continue
            leg = self.route(language).legs[0]
            engine = self.engine(leg.model, leg.target)
            mine = [p for p, lang in zip(paragraphs, languages) if lang == language]
            engine._preset_names = (engine._document_names(mine),)
            engines.append(engine)
        return engines

    def translate_documents(self, documents: Sequence[Sequence[Paragraph]], progress: Progress | None = None,
                            *, markdown: bool = False) -> list[list[TranslatedParagraph]]:
        """Several documents at once: each is detected on its own (its own document language), then
        the paragraphs of all of them are grouped by language and translated together."""
        tagged = []
        for d, doc in enumerate(documents):
            self._document_language = None
            tagged += [(d, i, p, lang) for i, (p, lang) in enumerate(zip(doc, self.languages(list(doc)) if doc else []))]
        self._document_language = None
        done: dict[tuple[int, int], TranslatedParagraph] = {}
        for language in dict.fromkeys(lang for *_, lang in tagged):
            mine = [(d, i, p) for d, i, p, lang in tagged if lang == language]
            for (d, i, _), t in zip(mine, self._translate_language([p for *_, p in mine], language, progress)):
                done[d, i] = t
        return [[done[d, i] for i in range(len(doc))] for d, doc in enumerate(documents)]

    def _translate_language(self, paragraphs: list[Paragraph], language: str,
                            progress: Progress | None) -> list[TranslatedParagraph]:
        if self._same_language(language):
            self.counts["passthrough"] += sum(len(p.sentences) for p in paragraphs)
            if progress:
                progress(sum(len(p.sentences) for p in paragraphs))
            return [passed_through(p, language) for p in paragraphs]
        route = self.route(language)
        current: list[Paragraph] = paragraphs
        results: list[list[TranslatedParagraph]] = []
        for k, leg in enumerate(route.legs):
            engine = self.engine(leg.model, leg.target)
            before = (dict(engine.counts), Counter(engine.suspect))
            terms = (Counter(engine.term_found), Counter(engine.term_held))
            last = k == len(route.legs) - 1
            out = list(engine.translate_iter(current, progress if last else None))
            for name, n in engine.counts.items():
                self.counts[name] += n - before[0][name]
            self.suspect.update(engine.suspect - before[1])
            self.term_found.update(engine.term_found - terms[0])
            self.term_held.update(engine.term_held - terms[1])
            results.append(out)
            current = [as_source(p) for p in out]  # the next leg translates this leg's sentences
        return [combine(paragraph, [leg[i] for leg in results], language, route)
                for i, paragraph in enumerate(paragraphs)]

    def _same_language(self, language: str) -> bool:
        return base(language) == base(self.load.target_language)  # (no conversion between scripts)

    def translate_sentences(self, sentences: Sequence[str], progress: Progress | None = None) -> list[str]:
        paragraphs = [Paragraph(i, s, "body", 0, (Sentence(0, s, 0, len(s)),)) for i, s in enumerate(sentences)]
        return [p.translation for p in self.translate_iter(paragraphs, progress)]


def mask_markdown_spans() -> Callable[[str], Any]:
    """The masking of Markdown documents (their syntax is protected too)."""
    from .spans import mask_markdown

    return mask_markdown


def _status(outcome: Outcome) -> str:
    """How an outcome's status is stored in the memory: ``ok`` or ``suspect: reason``."""
    return f"suspect: {outcome.reason}" if outcome.status == "suspect" else "ok"


def _stored(text: str, status: str) -> Outcome:
    if status.startswith("suspect"):
        return Outcome(text, "suspect", status.partition(": ")[2] or None)
    return Outcome(text)


def _joined(outcomes: list[Outcome]) -> Outcome:
    """One sentence's outcome from those of its pieces: the worst status, the first reason."""
    if len(outcomes) == 1:
        return outcomes[0]
    text = join_sentences([o.text for o in outcomes])
    bad = [o for o in outcomes if o.status == "suspect"]
    if bad:
        return Outcome(text, "suspect", bad[0].reason)
    return Outcome(text, "passthrough", outcomes[0].reason) if all(o.status == "passthrough" for o in outcomes) \
        else Outcome(text)


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
