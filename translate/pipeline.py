"""The translation pipeline: read → segment → translate (length-sorted batches) → assemble."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from .assemble import assemble_paragraph, join_translations
from .backends import Backend, DecodingOptions, Hypothesis
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

    The model is resolved on first use and loaded once, lazily.

    >>> t = Translator("Helsinki-NLP/opus-mt-zh-en", num_beams=4)   # doctest: +SKIP
    >>> t.translate("今天天气很好。").text                            # doctest: +SKIP
    """

    def __init__(self, model: str = DEFAULT_MODEL, *, device: str = "auto", num_beams: int | None = None,
                 max_new_tokens: int | None = None, batch_size: int = 16,
                 max_sentence_tokens: int = DEFAULT_BUDGET, layout: LayoutChoice = "auto",
                 threads: int | None = None, revision: str | None = None, offline: bool | None = None,
                 backend: Backend | None = None) -> None:
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
        self._backend = backend
        self._language: str | None = source_language(model)

    @property
    def backend(self) -> Backend:
        """The model backend, created on first use (resolves the model, loads nothing heavy yet)."""
        if self._backend is None:
            from .backends.transformers_backend import TransformersBackend

            resolved = resolve_model(self.model, revision=self.revision, offline=self.offline)
            self._language = source_language(resolved)
            self._backend = TransformersBackend(resolved, self.options, self.device, self.threads)
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

    def _translate_units(self, units: Sequence[str], progress: Progress | None) -> list[Hypothesis]:
        """Translate in batches of similar length (longest first), return in input order."""
        lengths = [self._count(u) for u in units]
        order = sorted(range(len(units)), key=lambda i: -lengths[i])
        out: list[Hypothesis | None] = [None] * len(units)
        for b in range(0, len(order), self.batch_size):
            idx = order[b:b + self.batch_size]
            for i, hyp in zip(idx, self.backend.translate_batch([units[i] for i in idx])):
                out[i] = hyp
            if progress:
                progress(len(idx))
        assert all(h is not None for h in out)
        return out  # type: ignore[return-value]


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
