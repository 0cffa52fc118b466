"""What every endpoint calls: translate texts (plain, HTML or Markdown) or documents through the
batcher, detect languages, list the pairs served. One :class:`Service` per app; it holds the
translator (models load once, shared by every language pair) and the batcher."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from ..document import Document, TranslatedDocument, TranslatedParagraph
from ..engine import Masker
from ..errors import TranslateError
from ..languages import base_language
from ..options import DecodingOptions
from ..pipeline import Translator
from ..reading import clean_text
from .batcher import Batcher
from .errors import ApiError
from .languages import Pair, cached_pairs, normalize
from .metrics import Metrics
from .options import ServeOptions

logger = logging.getLogger("translate.server")
MAX_TRANSLATORS = 64  # language pairs kept ready (they share the models; each is small)


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
        self.ready = False  # the model is loaded (``warm_up``)

    # -- languages --------------------------------------------------------------------------------------
    def pairs(self) -> list[Pair]:
        """What this server translates: the model's pair, or (routed) each pair whose model is in
        the local cache, plus the default."""
        if not self.translator.routed:
            source = self.translator.source_language or "auto"
            return [Pair(source, self.translator.load.target_language)]
        found = cached_pairs()
        default = Pair("zh", self.translator.load.target_language)
        return found if default in found else [default, *found]

    def language(self, code: str | None, *, role: str) -> str:
        """An API's language code as the routing table's, or a 400 in the API's words."""
        if code is None or code.strip().lower() in ("", "auto"):
            if role == "source":
                return "auto"
            raise ApiError(400, "Invalid request: missing target parameter")
        found = normalize(code)
        if found is None:
            raise ApiError(400, f"{code[:40]} is not supported")
        return found

    def translator_for(self, source: str, target: str, decoding: DecodingOptions | None = None) -> Translator:
        """The translator of one pair (``source`` may be ``auto``; ``decoding``: a request's own),
        sharing the models of all."""
        base = self.translator
        if not base.routed:
            own_source = base.source_language
            if source != "auto" and own_source and base_language(source) != base_language(own_source):
                raise ApiError(400, f"{source} is not supported")
            if base_language(target) != base_language(base.load.target_language):
                raise ApiError(400, f"{target} is not supported")
            source, target = "auto", base.load.target_language
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
        without any markup is translated, and comes back, as plain text."""
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
        return [result if fragment is None else
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
        """Translate segmented documents through the batcher; each with its language and score."""
        future = self.batcher.submit(translator, [d.paragraphs for d in documents], masker)
        try:
            done = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except TranslateError as exc:  # the log says why; the client is told no path nor file name
            logger.error("translation failed: %s", _first_line(exc))
            raise ApiError(500, "the translation failed; the server's log says why") from None
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

    def close(self) -> None:
        self.batcher.close(self.options.shutdown_timeout)
        close = getattr(self.translator.memory, "close", None)
        if close:
            close()


def _mean_score(paragraphs: Sequence[TranslatedParagraph]) -> float | None:
    scores = [s.score for p in paragraphs for s in p.sentences if s.score is not None]
    return round(sum(scores) / len(scores), 4) if scores else None


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
