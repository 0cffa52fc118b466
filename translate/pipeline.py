"""The translation pipeline: read → segment → translate (length-sorted batches) → assemble."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from .assemble import assemble_paragraph, join_translations
from .backends import Backend, DecodingOptions, Hypothesis, create_backend, pick_backend
from .caching import Memory, NullMemory, TranslationMemory
from .document import Document, Paragraph, TranslatedDocument, TranslatedParagraph
from .models import DEFAULT_MODEL, ResolvedModel, resolve_model
from .segmentation import DEFAULT_BUDGET, segment_document, segment_paragraph
from .segmentation.paragraphs import LayoutChoice

Progress = Callable[[int], None]
CHUNK_BATCHES = 8  # paragraphs are translated in chunks of about this many batches, then streamed out


def source_language(model: ResolvedModel | str) -> str | None:
    """Source language code from an opus-mt id or the tokenizer config (e.g. ``zh``)."""
    name = model.name if isinstance(model, ResolvedModel) else model
    match = re.search(r"opus-mt-([a-z]{2,3})-", name)
    if match:
        return match.group(1)
    if isinstance(model, ResolvedModel):
        import json

        cfg = model.path / "tokenizer_config.json"
        if cfg.exists():
            return json.loads(cfg.read_text(encoding="utf-8")).get("source_lang")
    return None


class Translator:
    """Translate documents paragraph by paragraph, sentence by sentence.

    The model is resolved on first use and loaded once, lazily — and not at all when every
    sentence is already in the translation memory (``cache=True``: the default memory file;
    a path; or a ``Memory`` object).

    >>> t = Translator("Helsinki-NLP/opus-mt-zh-en", num_beams=4)   # doctest: +SKIP
    >>> t.translate("今天天气很好。").text                            # doctest: +SKIP
    """

    def __init__(self, model: str = DEFAULT_MODEL, *, device: str = "auto", num_beams: int | None = None,
                 max_new_tokens: int | None = None, batch_size: int = 16,
                 max_sentence_tokens: int = DEFAULT_BUDGET, layout: LayoutChoice = "auto",
                 threads: int | None = None, revision: str | None = None, offline: bool | None = None,
                 cache: bool | str | Path | Memory = False, backend: str | Backend = "auto",
                 compute_type: str | None = None) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.model = model
        self.device = device
        self.options = DecodingOptions(num_beams=num_beams, max_new_tokens=max_new_tokens)
        self.batch_size = batch_size
        self.max_sentence_tokens = max_sentence_tokens
        self.layout = layout
        self.threads = threads
        self.revision = revision
        self.offline = offline
        self.backend_name = backend if isinstance(backend, str) else backend.name
        self.compute_type = compute_type
        self._backend = None if isinstance(backend, str) else backend
        if isinstance(backend, str):
            pick_backend(backend)  # reject unknown names now
        self._language: str | None = source_language(model)
        if cache is True:
            self.memory: Memory = TranslationMemory()
        elif cache is False or cache is None:
            self.memory = NullMemory()
        elif isinstance(cache, (str, Path)):
            self.memory = TranslationMemory(cache)
        else:
            self.memory = cache
        self._context: dict | None = None
        self.counts = {"cached": 0, "translated": 0}  # translation units served from memory / by the model

    @property
    def backend(self) -> Backend:
        """The model backend, created on first use (resolves the model, loads nothing heavy yet)."""
        if self._backend is None:
            resolved = resolve_model(self.model, revision=self.revision, offline=self.offline)
            self._language = source_language(resolved)
            self._backend = create_backend(self.backend_name, resolved, self.options, self.device, self.threads,
                                           self.compute_type)
        return self._backend

    @property
    def info(self) -> dict:
        """Model, revision, backend and decoding options, as written in output headers."""
        return {**self.backend.describe(), "batch_size": self.batch_size,
                "max_sentence_tokens": self.max_sentence_tokens}

    def _count(self, text: str) -> int:
        return self.backend.count_tokens(text)

    def segment(self, text: str) -> Document:
        """Split text into paragraphs and translation units within the token budget."""
        return segment_document(text, self._count, self.max_sentence_tokens, self.layout, self._language)

    def translate(self, text: str, progress: Progress | None = None) -> TranslatedDocument:
        """Translate a whole document; the result keeps every paragraph, in order."""
        doc = self.segment(text)
        paragraphs = tuple(self.translate_iter(doc, progress))
        return TranslatedDocument(paragraphs, doc.layout, self.info if paragraphs else {})

    def translate_iter(self, text: str | Document, progress: Progress | None = None) -> Iterator[TranslatedParagraph]:
        """Translate and yield paragraphs in order as soon as their chunk is done."""
        doc = self.segment(text) if isinstance(text, str) else text
        for chunk in _chunks(doc.paragraphs, self.batch_size * CHUNK_BATCHES):
            units = [s.text for p in chunk for s in p.sentences]
            hyps = iter(self._translate_units(units, progress))
            for paragraph in chunk:
                yield assemble_paragraph(paragraph, [next(hyps) for _ in paragraph.sentences])

    def translate_sentences(self, sentences: Sequence[str], progress: Progress | None = None) -> list[str]:
        """Translate independent sentences (each split further if over the token budget)."""
        pieces = [segment_paragraph(s, self._count, self.max_sentence_tokens, self._language) for s in sentences]
        hyps = iter(self._translate_units([u.text for p in pieces for u in p], progress))
        return [join_translations([next(hyps).text for _ in p]) for p in pieces]

    @property
    def memory_context(self) -> dict:
        """Everything that changes a translation: the memory keys on it with each sentence."""
        if self._context is None:
            self._context = {k: v for k, v in self.backend.describe().items() if k != "threads"}
        return self._context

    def _translate_units(self, units: Sequence[str], progress: Progress | None) -> list[Hypothesis]:
        """Translate what the memory lacks, in batches of similar length; return in input order.

        Each batch is written to the memory as soon as it is done, so a killed run keeps it.
        """
        cached = self.memory.get_many(self.memory_context, units) if units and not isinstance(
            self.memory, NullMemory) else {}
        known: dict[str, Hypothesis] = {u: Hypothesis(t, status == "ok") for u, (t, status) in cached.items()}
        occurrences = Counter(units)
        todo = [u for u in occurrences if u not in known]  # each distinct sentence once
        done = sum(occurrences[u] for u in known)
        self.counts["cached"] += done
        if progress and done:
            progress(done)
        lengths = {u: self._count(u) for u in todo}
        todo.sort(key=lambda u: -lengths[u])
        for b in range(0, len(todo), self.batch_size):
            batch = todo[b:b + self.batch_size]
            hyps = self.backend.translate_batch(batch)
            known.update(zip(batch, hyps))
            self.memory.put_many(self.memory_context,
                                 [(u, h.text, "ok" if h.finished else "suspect") for u, h in zip(batch, hyps)])
            self.counts["translated"] += len(batch)
            if progress:
                progress(sum(occurrences[u] for u in batch))
        return [known[u] for u in units]


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


def translate_text(text: str, **options) -> str:
    """Translate ``text`` in one call and return the translation as plain text.

    ``options`` are those of :class:`Translator` (``model``, ``device``, ``num_beams``...).
    """
    return Translator(**options).translate(text).text


def translate_file(path: str | Path, encoding: str | None = None, **options) -> TranslatedDocument:
    """Read a file (or ``"-"`` for stdin) and translate it."""
    from .reading import read_text

    return Translator(**options).translate(read_text(path, encoding))
