"""The translation pipeline: read → segment → translate (length-sorted batches) → assemble."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from .assemble import Outcome, assemble_paragraph, join_translations
from .backends import Backend, DecodingOptions, create_backend, pick_backend
from .caching import Memory, NullMemory, TranslationMemory
from .document import Document, Layout, Paragraph, TranslatedDocument, TranslatedParagraph
from .guard import CJK_LANGUAGES, REASONS, SEVERITY, nothing_to_translate, problem, retry_pieces
from .models import DEFAULT_MODEL, ResolvedModel, resolve_model
from .segmentation import DEFAULT_BUDGET, segment_paragraph, segment_stream
from .segmentation.paragraphs import LayoutChoice

Progress = Callable[[int], None]
CHUNK_BATCHES = 8  # paragraphs are translated in chunks of about this many batches, then streamed out
DEFAULT_BATCH_TOKENS = 2048  # padded source tokens decoded at once (16 sentences of up to 128 tokens)


def model_languages(model: ResolvedModel | str) -> tuple[str | None, str | None]:
    """(source, target) language codes from an opus-mt id or the tokenizer config (e.g. zh, en)."""
    name = model.name if isinstance(model, ResolvedModel) else model
    match = re.search(r"opus-mt-(?:tc-(?:big|base)-)?([a-zA-Z]{2,3})-([a-zA-Z]{2,3})\b", name)
    if match:
        return match.group(1).lower(), match.group(2).lower()
    if isinstance(model, ResolvedModel):
        import json

        cfg = model.path / "tokenizer_config.json"
        if cfg.exists():
            data = json.loads(cfg.read_text(encoding="utf-8"))
            return data.get("source_lang"), data.get("target_lang")
    return None, None


def source_language(model: ResolvedModel | str) -> str | None:
    """Source language code from an opus-mt id or the tokenizer config (e.g. ``zh``)."""
    return model_languages(model)[0]


class Translator:
    """Translate documents paragraph by paragraph, sentence by sentence.

    The model is resolved on first use and loaded once, lazily — and not at all when every
    sentence is already in the translation memory (``cache=True``: the default memory file;
    a path; or a ``Memory`` object). With ``guard=True`` (default) every translation is checked
    for loops, omissions and leftovers, retried once, and marked ``suspect`` if still wrong.

    >>> t = Translator("Helsinki-NLP/opus-mt-zh-en", num_beams=4)   # doctest: +SKIP
    >>> t.translate("今天天气很好。").text                            # doctest: +SKIP
    """

    def __init__(self, model: str = DEFAULT_MODEL, *, device: str = "auto", num_beams: int | None = None,
                 max_new_tokens: int | None = None, batch_size: int = 16, batch_tokens: int = DEFAULT_BATCH_TOKENS,
                 max_sentence_tokens: int = DEFAULT_BUDGET, layout: LayoutChoice = "auto",
                 threads: int | None = None, revision: str | None = None, offline: bool | None = None,
                 cache: bool | str | Path | Memory = False, backend: str | Backend = "auto",
                 compute_type: str | None = None, guard: bool = True, allow_pickle: bool = False) -> None:
        if batch_size < 1 or batch_tokens < 1:
            raise ValueError("batch_size and batch_tokens must be at least 1")
        self.model = model
        self.device = device
        self.options = DecodingOptions(num_beams=num_beams, max_new_tokens=max_new_tokens)
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
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
        self._language, self._target = model_languages(model)
        self.guard = guard
        self.allow_pickle = allow_pickle
        if cache is True:
            self.memory: Memory = TranslationMemory()
        elif cache is False or cache is None:
            self.memory = NullMemory()
        elif isinstance(cache, (str, Path)):
            self.memory = TranslationMemory(cache)
        else:
            self.memory = cache
        self._context: dict | None = None
        # translation units served from memory / by the model / passed through; suspect ones, by reason
        self.counts = {"cached": 0, "translated": 0, "passthrough": 0}
        self.suspect: Counter[str] = Counter()

    @property
    def backend(self) -> Backend:
        """The model backend, created on first use (resolves the model, loads nothing heavy yet)."""
        if self._backend is None:
            resolved = resolve_model(self.model, revision=self.revision, offline=self.offline,
                                     allow_pickle=self.allow_pickle)
            self._language, self._target = model_languages(resolved)
            self._backend = create_backend(self.backend_name, resolved, self.options, self.device, self.threads,
                                           self.compute_type)
        return self._backend

    @property
    def info(self) -> dict:
        """Model, revision, backend and decoding options, as written in output headers."""
        return {**self.backend.describe(), "batch_size": self.batch_size, "batch_tokens": self.batch_tokens,
                "max_sentence_tokens": self.budget}

    def _count(self, text: str) -> int:
        return self.backend.count_tokens(text)

    @property
    def budget(self) -> int:
        """Source tokens per translation unit: the option, never beyond the model's position limit."""
        return max(1, min(self.max_sentence_tokens, self.backend.max_source_tokens - 1))

    def segment(self, text: str) -> Document:
        """Split text into paragraphs and translation units within the token budget."""
        chosen, paragraphs = self.segment_stream([text])
        return Document(tuple(paragraphs), layout=chosen)

    def segment_stream(self, pieces: Iterable[str]) -> tuple[Layout, Iterator[Paragraph]]:
        """Segment text that arrives in pieces (e.g. ``reading.iter_text``), lazily, in bounded memory."""
        return segment_stream(pieces, self._count, lambda: self.budget, self.layout, lambda: self._language)

    def translate(self, text: str, progress: Progress | None = None) -> TranslatedDocument:
        """Translate a whole document; the result keeps every paragraph, in order."""
        doc = self.segment(text)
        paragraphs = tuple(self.translate_iter(doc, progress))
        return TranslatedDocument(paragraphs, doc.layout, self.info if paragraphs else {})

    def translate_iter(self, text: str | Document | Iterable[Paragraph],
                       progress: Progress | None = None) -> Iterator[TranslatedParagraph]:
        """Translate and yield paragraphs in order as soon as their chunk is done."""
        if isinstance(text, str):
            text = self.segment(text)
        paragraphs = text.paragraphs if isinstance(text, Document) else text
        for chunk in _chunks(paragraphs, self.batch_size * CHUNK_BATCHES):
            units = [s.text for p in chunk for s in p.sentences]
            outcomes = iter(self._translate_units(units, progress))
            for paragraph in chunk:
                yield assemble_paragraph(paragraph, [next(outcomes) for _ in paragraph.sentences])

    def translate_sentences(self, sentences: Sequence[str], progress: Progress | None = None) -> list[str]:
        """Translate independent sentences (each split further if over the token budget)."""
        pieces = [segment_paragraph(s, self._count, self.budget, self._language) for s in sentences] if sentences else []
        outcomes = iter(self._translate_units([u.text for p in pieces for u in p], progress))
        return [join_translations([next(outcomes).text for _ in p]) for p in pieces]

    @property
    def memory_context(self) -> dict:
        """Everything that changes a translation: the memory keys on it with each sentence
        (the backend's description, the guard, and the version of this code)."""
        if self._context is None:
            self._context = self.backend.describe()
        from . import __version__

        return {**self._context, "guard": self.guard, "version": __version__}

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
        parallel = max(1, self.backend.parallel_batches)
        size = -(-self.batch_size // parallel)
        tokens = max(1, self.batch_tokens // parallel)
        batches: list[list[str]] = []
        for unit in todo:  # longest first: a batch's first sentence sets its padded length
            if batches and len(batches[-1]) < size and (len(batches[-1]) + 1) * lengths[batches[-1][0]] <= tokens:
                batches[-1].append(unit)
            else:
                batches.append([unit])
        return batches

    def _run_batches(self, batches: list[list[str]]) -> Iterator[tuple[list[str], list[Outcome]]]:
        """Translate batches, several at once when the backend runs them in parallel; yield each
        as soon as it is done (so it can be stored before the next one finishes)."""
        workers = min(self.backend.parallel_batches, len(batches))
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

    def _translate_batch(self, batch: list[str]) -> list[Outcome]:
        """Translate one batch; with the guard on, retry what looks wrong and keep the best attempt."""
        hyps = self.backend.translate_batch(batch)
        if not self.guard:
            return [Outcome(h.text) if h.finished else Outcome(h.text, "suspect", REASONS["limit"]) for h in hyps]
        target_cjk = self._target in CJK_LANGUAGES
        found = [problem(u, h.text, h.finished, target_cjk) for u, h in zip(batch, hyps)]
        outcomes = [Outcome(h.text) for h in hyps]
        for i in [i for i, p in enumerate(found) if p]:
            pieces = retry_pieces(batch[i])
            again = self.backend.translate_batch(pieces, retry=True)
            text = join_translations([h.text for h in again])
            second = problem(batch[i], text, all(h.finished for h in again), target_cjk)
            if second is None:
                outcomes[i] = Outcome(text)
            elif SEVERITY[second] < SEVERITY[found[i]]:
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
