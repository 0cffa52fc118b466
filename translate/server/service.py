"""What every endpoint calls: translate texts (plain, HTML or Markdown) or documents through the
batcher, detect languages, list the pairs served. One :class:`Service` per app; it holds the
translator (models load once, shared by every language pair) and the batcher.

A routed server (no model named) serves the pairs it has models for on disk (:meth:`Service.pairs`:
OPUS-MT models in the local Hugging Face cache, the routes file's pairs, and the default pair,
downloaded if need be when the server starts). It does not download models on demand: a pair
outside them is refused (400) before any route is planned or any model looked for. A request's
route is planned (its models found) in a worker thread of that request before it is queued, so a
missing model is that request's 400, never a failure in the batcher's thread. (Without
``--offline``, planning may still ask the Hub for a model ranked above the cached ones — a pivot's
direct model, or one for a language detected in an ``auto`` text; ``--offline`` rules that out.)
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import html
import logging
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from time import monotonic

from ..document import Document, TranslatedDocument, TranslatedParagraph
from ..engine import Masker
from ..errors import ModelNotFoundError, TranslateError, UsageError
from ..languages import base_language
from ..options import DecodingOptions
from ..pipeline import Translator
from ..reading import clean_text
from ..routing import PIVOT, user_routes
from .batcher import Batcher
from .errors import ApiError
from .languages import Pair, cached_pairs, name, normalize
from .metrics import Metrics
from .options import ServeOptions

logger = logging.getLogger("translate.server")
MAX_TRANSLATORS = 64  # language pairs kept ready (they share the models; each is small)
PAIRS_TTL = 10.0      # seconds a routed server's list of pairs is kept before the cache folder is read again
DIGEST_SLOTS = 2      # digests (``/v1/summarize``) computed at once: each is CPU work outside the batcher
DIGEST_WAITING = 8    # digests waiting for a slot before more are refused (503)


@dataclass(frozen=True)
class TextTranslation:
    """One text's translation: the text (paragraphs as in the source), the source language
    (given, or detected with ``confidence`` 0–100), the model's mean score over its sentences
    (mean log-probability per token; None when nothing was decoded), and the aligned document."""

    text: str
    source_language: str
    confidence: float | None
    score: float | None
    document: TranslatedDocument

    @property
    def sentences(self) -> list[dict]:
        """Each sentence: source, translation, score (what ``scores`` adds to an API's answer)."""
        return [{"source": s.source, "translation": s.translation, "score": s.score}
                for p in self.document.paragraphs for s in p.sentences]


class Service:
    """The translator, the batcher, the pairs served."""

    def __init__(self, translator: Translator, options: ServeOptions = ServeOptions(),
                 metrics: Metrics | None = None) -> None:
        self.translator, self.options = translator, options
        self.metrics = metrics or Metrics()
        self.batcher = Batcher(batching=options.batching, wait=options.batch_wait_ms / 1000,
                               max_queue=options.max_queue, metrics=self.metrics)
        self._translators: OrderedDict[tuple[str, str, DecodingOptions | None], Translator] = OrderedDict()
        self._lock = threading.Lock()
        self._pairs: tuple[list[Pair], float] | None = None  # a routed server's pairs, and when they were read
        self.ready = False  # the model is loaded (``warm_up``)
        self.digest_slots = Slots(DIGEST_SLOTS, DIGEST_WAITING)  # ``/v1/summarize``: digests made at once

    # -- languages --------------------------------------------------------------------------------------
    def pairs(self) -> list[Pair]:
        """What this server translates: the model's pair, or (routed) each pair whose model is in
        the local cache or the routes file, plus the default — read again at most every
        ``PAIRS_TTL`` seconds (a model added meanwhile shows then; other requests read no folder)."""
        if not self.translator.routed:
            source = self.translator.source_language or "auto"
            return [Pair(source, self.translator.load.target_language)]
        with self._lock:
            kept = self._pairs
        if kept is not None and monotonic() - kept[1] < PAIRS_TTL:
            return list(kept[0])
        found = self._routed_pairs()  # (outside the lock: it reads folders)
        with self._lock:
            self._pairs = (found, monotonic())
        return list(found)

    def _routed_pairs(self) -> list[Pair]:
        default = Pair("zh", self.translator.load.target_language)
        found = cached_pairs()
        try:
            keys = list(user_routes(self.translator.load.routes))
        except TranslateError:  # a bad routes file fails its routes when planned, and the log says so there
            keys = []
        found += [pair for key in keys if (pair := _route_pair(key)) is not None]
        return list(dict.fromkeys([default, *found] if default not in found else found))

    def serves(self, source: str, target: str) -> bool:
        """Whether a routed server has the models for the pair: its own, or both legs through English
        (what ``/languages`` may list as a source's targets)."""
        have = {(base_language(p.source), base_language(p.target)) for p in self.pairs()}
        src, tgt = base_language(source), base_language(target)
        return (src, tgt) in have or ((src, PIVOT) in have and (PIVOT, tgt) in have)

    def language(self, code: str | None, *, role: str) -> str:
        """An API's language code as the routing table's, or a 400 in the API's words. A routed
        server refuses a target no pair it serves has, and a source that is neither a pair's
        source nor a pair's target (which passes through when asked for)."""
        if code is None or code.strip().lower() in ("", "auto"):
            if role == "source":
                return "auto"
            raise ApiError(400, "Invalid request: missing target parameter")
        found = normalize(code)
        if found is None:
            raise ApiError(400, f"{code[:40]} is not supported")
        if self.translator.routed:
            pairs = self.pairs()
            served = {base_language(p.target) for p in pairs}
            if role == "source":
                served |= {base_language(p.source) for p in pairs}
            if base_language(found) not in served:
                raise ApiError(400, f"{code[:40]} is not supported")
        return found

    def translator_for(self, source: str, target: str, decoding: DecodingOptions | None = None) -> Translator:
        """The translator of one pair (``source`` may be ``auto``; ``decoding``: a request's own),
        sharing the models of all. A routed server refuses a pair it has no models for (400)."""
        base = self.translator
        if not base.routed:
            own_source = base.source_language
            if source != "auto" and own_source and base_language(source) != base_language(own_source):
                raise ApiError(400, f"{source} is not supported")
            if base_language(target) != base_language(base.load.target_language):
                raise ApiError(400, f"{target} is not supported")
            source, target = "auto", base.load.target_language
        elif source != "auto" and base_language(source) != base_language(target) and not self.serves(source, target):
            raise ApiError(400, _not_available(source, target))
        if decoding == base.decoding:
            decoding = None
        if not base.routed and decoding is None:
            return base
        key = (source, target, decoding)
        with self._lock:
            if key not in self._translators:
                self._translators[key] = base.for_languages(
                    source_language=source if base.routed else None,
                    target_language=target if base.routed else None, decoding=decoding)
                if len(self._translators) > MAX_TRANSLATORS:
                    self._translators.popitem(last=False)
            self._translators.move_to_end(key)
            return self._translators[key]

    def detect(self, text: str) -> tuple[str, float]:
        """The language of ``text`` and the confidence in it, 0–100 (LibreTranslate's scale)."""
        from ..detect import detect

        found = detect(text)
        return base_language(found.language) if found.language != "zh-Hant" else "zh-Hant", \
            round(found.confidence * 100, 1)

    # -- translating ------------------------------------------------------------------------------------
    async def translate_texts(self, texts: Sequence[str], *, source: str, target: str,
                              decoding: DecodingOptions | None = None) -> list[TextTranslation]:
        """Translate each text (paragraphs kept as in the text) for the pair; one queue entry."""
        translator = self.translator_for(source, target, decoding)
        # segmenting is CPU work (a tokenizer per sentence): in a worker thread, not on the event loop
        documents = await asyncio.to_thread(lambda: [self.segment(translator, text) for text in texts])
        return await self.translate_documents(translator, documents, source=source)

    async def translate_html(self, fragments: Sequence[str], *, source: str, target: str,
                             decoding: DecodingOptions | None = None) -> list[TextTranslation]:
        """Translate HTML fragments: block elements are paragraphs, inline markup rides through
        the translation, what must not be translated stays as it is (``markup.py``). A fragment
        without any markup is translated as plain text, and comes back escaped."""
        from .markup import Fragment, is_plain, mask_markup, parse_fragment, readable

        translator = self.translator_for(source, target, decoding)

        def read() -> tuple[list[Fragment | None], list[Document]]:  # CPU work: in a worker thread
            parsed = [None if is_plain(text) else parse_fragment(text) for text in fragments]
            documents = []
            for text, fragment in zip(fragments, parsed):
                if fragment is None:
                    documents.append(self.segment(translator, text))
                    continue
                try:
                    documents.append(fragment.document(translator.segmenter))
                except TranslateError as exc:
                    logger.error("segmentation failed: %s", _first_line(exc))
                    raise ApiError(500, "the translation failed; the server's log says why") from None
            return parsed, documents

        parsed, documents = await asyncio.to_thread(read)
        done = await self.translate_documents(translator, documents, source=source, masker=mask_markup)
        # a plain fragment's translation is text: escaped, so that "a < b" stays text in the page
        return [dataclasses.replace(result, text=html.escape(result.text, quote=False)) if fragment is None else
                TextTranslation(fragment.render(result.document.paragraphs), result.source_language,
                                result.confidence, result.score, readable(result.document))
                for fragment, result in zip(parsed, done)]

    @staticmethod
    def segment(translator: Translator, text: str) -> Document:
        try:
            return translator.segment(clean_text(text))
        except TranslateError as exc:
            logger.error("segmentation failed: %s", _first_line(exc))
            raise ApiError(500, "the translation failed; the server's log says why") from None

    async def translate_documents(self, translator: Translator, documents: Sequence[Document], *, source: str,
                                  masker: Masker | None = None) -> list[TextTranslation]:
        """Translate segmented documents through the batcher; each with its language and score.
        A routed translator's routes are planned first, in a worker thread: a pair without models
        is this request's 400, not a failure in the batcher."""
        if translator.routed:
            await asyncio.to_thread(self.plan, translator, documents, source)
        future = self.batcher.submit(translator, [d.paragraphs for d in documents], masker)
        try:
            done = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except ModelNotFoundError as exc:  # a language met that no model here translates
            logger.warning("no model for a request: %s", _first_line(exc))
            raise ApiError(400, _no_model(source, translator.load.target_language)) from None
        except TranslateError as exc:  # the log says why; the client is told no path nor file name
            logger.error("translation failed: %s", _first_line(exc))
            raise ApiError(500, "the translation failed; the server's log says why") from None

        def finish() -> list[TextTranslation]:  # detecting is CPU work: in a worker thread, not on the event loop
            results = []
            for doc, paragraphs in zip(documents, done):
                translated = TranslatedDocument(tuple(paragraphs), doc.layout, None, doc.metadata)
                if source == "auto":
                    language, confidence = self.detect(" ".join(p.text for p in doc.paragraphs)[:2000])
                else:
                    language, confidence = source, None
                results.append(TextTranslation(translated.text, language, confidence, _mean_score(paragraphs),
                                               translated))
            return results

        return await asyncio.to_thread(finish) if source == "auto" else finish()

    @staticmethod
    def plan(translator: Translator, documents: Sequence[Document], source: str) -> None:
        """Plan a routed translator's routes for ``documents`` (a given source: its route; ``auto``:
        each language detected) and find their models on disk; nothing is loaded. A pair without
        models is a 400 naming the pair, never a model's name or folder."""
        try:
            if source == "auto":
                for doc in documents:
                    translator.plan(doc.paragraphs)
            else:
                translator.resolve()
        except (ModelNotFoundError, UsageError) as exc:
            logger.warning("no model for a request: %s", _first_line(exc))
            raise ApiError(400, _no_model(source, translator.load.target_language)) from None

    def close(self) -> None:
        self.batcher.close(self.options.shutdown_timeout)
        close = getattr(self.translator.memory, "close", None)
        if close:
            close()


class Slots:
    """At most ``size`` pieces of work at once (work that skips the batcher, and so its queue
    bound), at most ``waiting`` more waiting for their turn; beyond that, a 503 with Retry-After."""

    def __init__(self, size: int, waiting: int, retry_after: float = 5.0) -> None:
        self.size, self.limit, self.retry_after = size, waiting, retry_after
        self.running = 0  # holding a slot now
        self.waiting = 0  # waiting for one now
        self._semaphore = asyncio.Semaphore(size)

    @contextlib.asynccontextmanager
    async def taken(self) -> AsyncIterator[None]:
        """Hold a slot for the block; refused (503) at once when ``waiting`` already wait."""
        if self._semaphore.locked() and self.waiting >= self.limit:
            raise ApiError(503, "the server is busy: too many digests are being made; retry shortly",
                           retry_after=self.retry_after)
        self.waiting += 1
        try:
            await self._semaphore.acquire()
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._semaphore.release()


def _route_pair(key: str) -> Pair | None:
    """A routes file's key as a pair: ``zh-Hant-en`` → (zh-Hant, en); the target starts at the
    first lower-case part after the first."""
    parts = key.split("-")
    cut = next((i for i in range(1, len(parts)) if parts[i].islower()), None)
    return Pair("-".join(parts[:cut]), "-".join(parts[cut:])) if cut else None


def _not_available(source: str, target: str) -> str:
    """LibreTranslate's words for a pair it has no model for."""
    return f"{name(target)} ({target}) is not available as a target language from {name(source)} ({source})"


def _no_model(source: str, target: str) -> str:
    if source == "auto":
        return f"Invalid request: this server has no model from the text's language to {name(target)} ({target})"
    return _not_available(source, target)


def _mean_score(paragraphs: Sequence[TranslatedParagraph]) -> float | None:
    scores = [s.score for p in paragraphs for s in p.sentences if s.score is not None]
    return round(sum(scores) / len(scores), 4) if scores else None


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
