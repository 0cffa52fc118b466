"""The translation pipeline: read → segment → translate (length-sorted batches) → assemble → write."""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from .assemble import Outcome, assemble_paragraph
from .backends import Backend, Hypothesis, check_backend, create_backend
from .caching import Memory, NullMemory, TranslationMemory
from .document import Document, Layout, Paragraph, TranslatedDocument, TranslatedParagraph
from .guard import REASONS, SEVERITY, nothing_to_translate, problem, retry_decoding, retry_pieces
from .languages import is_cjk, join_sentences, model_languages
from .models import resolve_model
from .options import DecodingOptions, LoadOptions, PipelineOptions, describe, memory_context, split_keywords
from .segmentation import segment_blocks, segment_paragraph, segment_stream, split_to_token_limit
from .spans import join_around, mask
from .version import __version__

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
        self._language, self._target = model_languages(self.load.model)
        self._context: dict | None = None
        self._mask = mask  # how protected spans are found: Markdown documents also protect their syntax
        # translation units served from memory / by the model / passed through; suspect ones, by reason
        self.counts = {"cached": 0, "translated": 0, "passthrough": 0}
        self.suspect: Counter[str] = Counter()

    @property
    def backend(self) -> Backend:
        """The model backend, created on first use (resolves the model, loads nothing heavy yet)."""
        if self._backend is None:
            load = self.load
            resolved = resolve_model(load.model, revision=load.revision, offline=load.offline,
                                     allow_pickle=load.allow_pickle)
            self._language, self._target = model_languages(resolved.name, resolved.path)
            self._backend = create_backend(resolved, load)
        return self._backend

    def resolve(self) -> Translator:
        """Find the model now — in the cache, or downloading it (with its own progress) — so that a
        wrong model is an error even before there is anything to translate; loads nothing heavy."""
        self.backend  # noqa: B018 - resolves on first access
        return self

    @property
    def info(self) -> dict[str, Any]:
        """Every option as it runs (model revision, backend, device, decoding...), for output headers."""
        backend = self.backend
        pipeline = dataclasses.replace(self.pipeline, max_sentence_tokens=self.token_limit)
        return {**describe(backend.effective(), backend.decoding(self.decoding), pipeline),
                "identity": backend.model_ref.identity, **backend.model_ref.header_fields}

    @property
    def memory_context(self) -> dict[str, Any]:
        """What the translation memory keys on: every option that can change a translation (as it
        runs), the model's identity and the version of this code."""
        if self._context is None:
            backend = self.backend
            self._context = memory_context(backend.effective(), backend.decoding(self.decoding), self.pipeline,
                                           identity=backend.model_ref.identity, version=__version__)
        return self._context

    def _count(self, text: str) -> int:
        return self.backend.count_tokens(text)

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
        return segment_stream(pieces, self._count, lambda: self.token_limit, self.pipeline.layout,  # type: ignore[arg-type]
                              lambda: self._language)

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
        for chunk in _chunks(paragraphs, self.pipeline.batch_size * CHUNK_BATCHES):
            pieces = [self._pieces(s.text) for p in chunk for s in p.sentences]
            outcomes = iter(self._translate_units([u for units in pieces for u in units], progress))
            joined = iter([_joined([next(outcomes) for _ in units]) for units in pieces])
            for paragraph in chunk:
                yield assemble_paragraph(paragraph, [next(joined) for _ in paragraph.sentences])

    def _pieces(self, unit: str) -> list[str]:
        """``unit``, or its pieces when it is over the token limit."""
        limit = self.token_limit
        if self._count(unit) <= limit:
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
        paragraphs = segment_blocks(opened.source.blocks, self._count, lambda: self.token_limit,
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
        if first is not None and (in_memory or str(source) != "-" and os.path.getsize(source) <= STREAM_ABOVE_BYTES):
            paragraphs = list(paragraphs)
            total = sum(len(p.sentences) for p in paragraphs)
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
        return FileTranslation(seen[0], seen[1], layout, dict(self.counts), dict(self.suspect),
                               self.info if seen[0] else {}, metadata)

    def translate_sentences(self, sentences: Sequence[str], progress: Progress | None = None) -> list[str]:
        """Translate independent sentences (each split further if over the token limit)."""
        pieces = [segment_paragraph(s, self._count, self.token_limit, self._language) for s in sentences] \
            if sentences else []
        outcomes = iter(self._translate_units([u.text for p in pieces for u in p], progress))
        return [join_sentences([next(outcomes).text for _ in p]) for p in pieces]

    def _translate_units(self, units: Sequence[str], progress: Progress | None) -> list[Outcome]:
        """Pass through what needs no model, take what the memory knows, translate the rest in
        batches of similar length; return outcomes in input order.

        Each batch is written to the memory as soon as it is done, so a killed run keeps it.
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
            for u, (text, status) in self.memory.get_many(self.memory_context, rest).items():
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
            self.memory.put_many(self.memory_context, [(u, o.text, _status(o)) for u, o in zip(batch, outcomes)])
            self.counts["translated"] += sum(occurrences[u] for u in batch)
            if progress:
                progress(sum(occurrences[u] for u in batch))
        result = [known[u] for u in units]
        self.suspect.update(o.reason or "" for o in result if o.status == "suspect")
        return result

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
        masked = [self._mask(u) for u in units]
        hyps = self.backend.translate_batch([m.text for m in masked], options)
        result: list[Hypothesis | None] = []
        for m, h in zip(masked, hyps):
            restored = m.restore(h.text)
            result.append(None if restored is None else Hypothesis(restored, h.finished))
        around = {i: masked[i].pieces() for i, r in enumerate(result) if r is None}
        texts = [text for pieces in around.values() for is_span, text in pieces if not is_span]
        out = iter(self.backend.translate_batch(texts, options) if texts else [])
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
        target_cjk = is_cjk(self._target)
        found = [problem(u, h.text, h.finished, target_cjk) for u, h in zip(batch, hyps)]
        outcomes = [Outcome(h.text) for h in hyps]
        suspects = [i for i, p in enumerate(found) if p]
        pieces = {i: retry_pieces(batch[i]) for i in suspects}
        flat = [piece for i in suspects for piece in pieces[i]]
        again = iter(self._decode(flat, retry_decoding(self.decoding)) if flat else [])
        for i in suspects:
            retried = [next(again) for _ in pieces[i]]
            text = join_sentences([h.text for h in retried])
            second = problem(batch[i], text, all(h.finished for h in retried), target_cjk)
            if second is None:
                outcomes[i] = Outcome(text)
            elif SEVERITY[second] < SEVERITY[found[i]]:  # type: ignore[index]
                outcomes[i] = Outcome(text, "suspect", REASONS[second])
            else:
                outcomes[i] = Outcome(hyps[i].text, "suspect", REASONS[found[i]])  # type: ignore[index]
        return outcomes


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
