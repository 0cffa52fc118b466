"""One loaded model translating into one language, with no run state.

An :class:`Engine` holds what is fixed when its model loads — the backend, the translation memory,
the glossary, the target token, the token limit — and offers one stateless call,
:meth:`Engine.translate`: units (sentences) in, one :class:`~translate.assemble.Outcome` per unit
out, each saying where it came from (so the statistics of *that call* come with it). Several
threads may call one engine at once. A unit is passed through when it needs no model, taken from
the memory when known, else decoded in length-sorted batches with its protected spans and terms
masked, checked by the guard and retried — through the same batcher, within the same limits.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from .assemble import Outcome, mean_score
from .backends import Backend, Hypothesis, create_backend
from .batching import Limits, batches, in_batches, longest_first, run_batches
from .memory import Memory, NullMemory
from .glossary import Glossary, Term
from .guard import REASONS, SEVERITY, nothing_to_translate, problem, retry_decoding, retry_pieces
from .languages import is_cjk, join_sentences, model_languages
from .models import resolve_model
from .info import TranslationInfo
from .options import DecodingOptions, LoadOptions, PipelineOptions, memory_context
from .routing import base, target_token
from .segmentation import split_to_token_limit
from .spans import Masked, join_around, mask, with_terms
from .stats import Stats
from .version import __version__

Progress = Callable[[int], None]
Masker = Callable[[str], Masked]
MAX_CONTEXTS = 64  # memory contexts kept per engine, most recently used (a server's clients choose decodings)


@dataclass(frozen=True)
class Call:
    """How one call translates — nothing of it outlives the call: the decoding options, how
    protected spans are found (Markdown documents protect their syntax too), and whom to tell
    how many sentences are done."""

    decoding: DecodingOptions = DecodingOptions()
    mask: Masker = mask
    progress: Progress | None = None


@dataclass(frozen=True)
class Translation:
    """What one :meth:`Engine.translate` call did: an outcome per unit, in order, and one per
    unit decoded alongside (``also``: not counted)."""

    outcomes: tuple[Outcome, ...]
    also: tuple[Outcome, ...] = ()

    @property
    def stats(self) -> Stats:
        """The counts of this call: units from the memory, the model, passed through; suspects; terms."""
        return Stats.of(self.outcomes)


class Engine:
    """One model into one target language, resolved and loaded once, lazily (not at all when the
    memory knows every unit). ``backend`` may be a ready :class:`Backend` object."""

    def __init__(self, load: LoadOptions, pipeline: PipelineOptions, memory: Memory,
                 glossary: Glossary | None = None, backend: Backend | None = None) -> None:
        self.load, self.pipeline, self.memory, self.glossary = load, pipeline, memory, glossary
        self._backend = backend
        self._lock = threading.Lock()
        self._language, self._target = model_languages(load.model or "")
        self._token: str | None = None
        self._contexts: OrderedDict[DecodingOptions, dict[str, Any]] = OrderedDict()  # under _lock

    # -- what is fixed when the model loads ---------------------------------------------------------------
    @property
    def backend(self) -> Backend:
        """The model backend, created on first use (resolves the model, loads nothing heavy yet)."""
        if self._backend is None:
            with self._lock:
                if self._backend is None:
                    load = self.load
                    resolved = resolve_model(load.model or "", revision=load.revision, offline=load.offline,
                                             allow_pickle=load.allow_pickle)
                    self._language, self._target = model_languages(resolved.name, resolved.path)
                    self._token = target_token(resolved.path, self.output_language)
                    self._backend = create_backend(resolved, load)
        return self._backend

    @property
    def source_language(self) -> str | None:
        """The language the model translates from, as its name or files say (None: unknown)."""
        return self._language if isinstance(self._language, str) else None

    @property
    def output_language(self) -> str:
        """The language asked of the model: the option, unless the model's own target says otherwise
        (``-m opus-mt-en-zh`` alone means Chinese)."""
        wanted, own = self.load.target_language, self._target
        return wanted if own in (None, "mul") or base(own) == base(wanted) else own

    @property
    def token(self) -> str | None:
        """The ``>>xxx<<`` token a multi-target model gets in front of every unit (None: none)."""
        self.backend  # noqa: B018 - resolving the model reads its vocabulary
        return self._token

    @property
    def token_limit(self) -> int:
        """Source tokens per translation unit: the option, never beyond the model's position limit."""
        return max(1, min(self.pipeline.max_sentence_tokens, self.backend.max_source_tokens - 1))

    def count_tokens(self, text: str) -> int:
        return self.backend.count_tokens(text)

    def info(self, decoding: DecodingOptions) -> TranslationInfo:
        """Every option as it runs with ``decoding`` (revision, backend, device, decoding...), and
        the model's identity, for output headers."""
        backend = self.backend
        pipeline = dataclasses.replace(self.pipeline, max_sentence_tokens=self.token_limit)
        return TranslationInfo(backend.effective(), backend.decoding(decoding), pipeline,
                               identity=backend.model_ref.identity, model_details=backend.model_ref.header_fields)

    def memory_context(self, decoding: DecodingOptions) -> dict[str, Any]:
        """What the translation memory keys on: every option that can change a translation (as it
        runs), the model's identity, the glossary's content and the version of this code. The last
        ``MAX_CONTEXTS`` decodings' are kept (callers may choose any decoding: the cache stays bounded)."""
        backend = self.backend  # (resolved before the lock is taken: resolving takes it too)
        with self._lock:
            found = self._contexts.get(decoding)
            if found is not None:
                self._contexts.move_to_end(decoding)
                return found
        glossary = {"glossary": self.glossary.digest} if self.glossary else {}  # its content, not its path
        context = memory_context(backend.effective(), backend.decoding(decoding), self.pipeline,
                                 identity=backend.model_ref.identity, version=__version__, **glossary)
        with self._lock:
            self._contexts[decoding] = context
            self._contexts.move_to_end(decoding)
            while len(self._contexts) > MAX_CONTEXTS:
                self._contexts.popitem(last=False)
        return context

    def pieces(self, unit: str) -> list[str]:
        """``unit``, or its pieces when it is over the token limit."""
        limit = self.token_limit
        if len(unit) < limit or self.count_tokens(unit) <= limit:  # a sentencepiece token covers a character or more
            return [unit]
        return [unit[a:b] for a, b in split_to_token_limit(unit, 0, len(unit), self.count_tokens, limit)]

    # -- the call ---------------------------------------------------------------------------------------
    def translate(self, units: Sequence[str], decoding: DecodingOptions = DecodingOptions(), *, mask: Masker = mask,
                  names: Glossary | None = None, key: Mapping[str, Any] | None = None,
                  progress: Progress | None = None, also: Sequence[str] = ()) -> Translation:
        """Translate ``units``: pass through what needs no model, take what the memory knows (under
        its key plus ``key``), decode the rest — each distinct unit once — and store each batch as
        soon as it is done (a killed run keeps it). ``names``: terms masked besides the glossary's
        (the glossary wins); ``also``: units decoded alongside, neither counted nor reported to
        ``progress`` (which is told how many units are done, as they are)."""
        table = self.glossary.merged(names) if self.glossary else names
        occurrences = Counter(units)
        distinct = list(dict.fromkeys([*units, *also]))
        known = {u: Outcome(u, "passthrough", why, "passthrough") for u in distinct
                 if (why := nothing_to_translate(u, self._language))}
        rest = [u for u in distinct if u not in known]
        stored = not isinstance(self.memory, NullMemory)
        context = {**self.memory_context(decoding), **(key or {})} if rest and stored else {}
        if context:
            found = self.memory.get_many(context, rest)
            known.update((u, _from_memory(text, status)) for u, (text, status) in found.items())
        _advance(progress, sum(occurrences[u] for u in known))
        for batch, outcomes in self._decoded([u for u in rest if u not in known], decoding, mask, table):
            known.update(zip(batch, outcomes))
            if stored:
                self.memory.put_many(context, [(u, o.text, _to_memory(o)) for u, o in zip(batch, outcomes)])
            _advance(progress, sum(occurrences[u] for u in batch))
        checked = {u: _with_terms(known[u], _required(u, table)) for u in distinct}
        return Translation(tuple(checked[u] for u in units), tuple(checked[u] for u in also))

    def _limits(self) -> Limits:
        return Limits.split(self.pipeline.batch_size, self.pipeline.batch_tokens, self.backend.parallel_batches)

    def _decoded(self, todo: list[str], decoding: DecodingOptions, masker: Masker,
                 table: Glossary | None) -> Iterator[tuple[list[str], list[Outcome]]]:
        """The outcomes of ``todo``, batch by batch as each is done (batches run in parallel where
        the backend does)."""
        if not todo:
            return
        order, lengths = longest_first(todo, self.count_tokens)
        limits = self._limits()
        cut = [[todo[i] for i in batch] for batch in batches(order, lengths.__getitem__, limits)]
        work = partial(self._translate_batch, decoding=decoding, masker=masker, table=table)
        yield from run_batches(work, cut, limits.workers, self.backend.load)

    def _translate_batch(self, batch: list[str], decoding: DecodingOptions, masker: Masker,
                         table: Glossary | None) -> list[Outcome]:
        """Translate one batch; with the guard on, retry what looks wrong — each such unit split into
        its clauses, with anti-repetition decoding, in batches within the same limits — and keep
        the better attempt of each."""
        hyps = self._decode(batch, decoding, masker, table)
        if not self.pipeline.guard:
            return [_decoded(h) if h.finished else _decoded(h, REASONS["limit"]) for h in hyps]
        target_cjk, language = is_cjk(self._target), self.output_language  # what the output must be in
        required = [tuple(t.target for t in _required(u, table)) for u in batch]
        found = [problem(u, h.text, h.finished, target_cjk, r, language) for u, h, r in zip(batch, hyps, required)]
        suspects = [i for i, p in enumerate(found) if p]
        pieces = {i: retry_pieces(batch[i]) for i in suspects}
        flat = [piece for i in suspects for piece in pieces[i]]
        retry = retry_decoding(decoding)
        again = iter(in_batches(flat, self.count_tokens, self._limits(),
                                lambda texts: self._decode(texts, retry, masker, table)) if flat else [])
        outcomes = [_decoded(h) for h in hyps]
        for i in suspects:
            retried = _joined([next(again) for _ in pieces[i]])
            second = problem(batch[i], retried.text, retried.finished, target_cjk, required[i], language)
            if second is None:
                outcomes[i] = _decoded(retried)
            elif SEVERITY[second] < SEVERITY[found[i]]:  # type: ignore[index]
                outcomes[i] = _decoded(retried, REASONS[second])
            else:
                outcomes[i] = _decoded(hyps[i], REASONS[found[i]])  # type: ignore[index]
        return outcomes

    def _decode(self, units: list[str], options: DecodingOptions, masker: Masker,
                table: Glossary | None) -> list[Hypothesis]:
        """Translate units with their protected spans (URLs, e-mail addresses, paths, code...) and
        terms masked; a unit whose placeholders did not survive — or whose masked text is longer
        than the model takes (placeholders cost tokens: ten links in a sentence) — is translated
        around its spans instead (in batches of their own). Spans never go through the model as text."""
        masked = [_masked(u, masker, table) for u in units]
        backend = self.backend  # resolves the model and its target token
        prefix = f"{self._token} " if self._token else ""
        limit = backend.max_source_tokens - 1  # the end-of-sentence token takes the last position
        fits = [m.text == u or self.count_tokens(prefix + m.text) <= limit for u, m in zip(units, masked)]
        hyps = iter(backend.translate_batch([prefix + m.text for m, ok in zip(masked, fits) if ok], options)
                    if any(fits) else [])
        result: list[Hypothesis | None] = []
        for m, ok in zip(masked, fits):
            h = next(hyps) if ok else None
            restored = m.restore(h.text) if h is not None else None
            result.append(None if h is None or restored is None else dataclasses.replace(h, text=restored))
        around = {i: masked[i].pieces() for i, r in enumerate(result) if r is None}
        texts = [text for pieces in around.values() for is_span, text in pieces if not is_span]
        out = iter(in_batches(texts, self.count_tokens, self._limits(),
                              lambda batch: backend.translate_batch([prefix + t for t in batch], options))
                   if texts else [])
        for i, pieces in around.items():
            got = [next(out) for is_span, _ in pieces if not is_span]
            result[i] = dataclasses.replace(_joined(got), text=join_around(pieces, [h.text for h in got],
                                                                          is_cjk(self._target)))
        return result  # type: ignore[return-value]


def _joined(hyps: list[Hypothesis]) -> Hypothesis:
    """Pieces decoded apart, as one hypothesis: texts joined, finished when all are, token-weighted score."""
    score, tokens = mean_score([(h.score, h.scored_tokens) for h in hyps])
    return Hypothesis(join_sentences([h.text for h in hyps]), all(h.finished for h in hyps), score=score,
                      scored_tokens=tokens)


def _decoded(h: Hypothesis, suspect: str | None = None) -> Outcome:
    """A model's hypothesis as an outcome (``suspect``: why it is)."""
    score = h.score if h.score is not None and math.isfinite(h.score) else None  # a length penalty can give -inf
    return Outcome(h.text, "suspect" if suspect else "ok", suspect, "model", score, h.scored_tokens)


def _required(unit: str, table: Glossary | None) -> list[Term]:
    """The terms masked in ``unit``: glossary terms and names to enforce (not mere blockers)."""
    return [t for _, _, t in table.find(unit) if t.kind != "blocker"] if table else []


def _masked(unit: str, masker: Masker, table: Glossary | None) -> Masked:
    """``unit`` with its protected spans, and its terms, masked."""
    masked = masker(unit)
    terms = [(s, e, t.target) for s, e, t in table.find(unit) if t.kind != "blocker"] if table else []
    return with_terms(masked, terms) if terms else masked


def _with_terms(outcome: Outcome, terms: list[Term]) -> Outcome:
    """``outcome`` with each term it had to contain, and whether it does."""
    return dataclasses.replace(outcome, terms=tuple((t, t.target in outcome.text) for t in terms)) if terms \
        else outcome


def _advance(progress: Progress | None, done: int) -> None:
    if progress and done:
        progress(done)


# How an outcome is kept in the translation memory's status column: "ok" or "suspect: reason", then
# (tab-separated) the model's score and the number of tokens it is the mean of.
def _to_memory(outcome: Outcome) -> str:
    status = f"suspect: {outcome.reason}" if outcome.status == "suspect" else "ok"
    return status if outcome.score is None else f"{status}\t{outcome.score!r}\t{outcome.tokens}"


def _from_memory(text: str, stored: str) -> Outcome:
    status, _, scored = stored.partition("\t")
    score, _, tokens = scored.partition("\t")
    try:
        measured: tuple[float | None, int] = (float(score), int(tokens))
    except ValueError:
        measured = (None, 0)
    if status.startswith("suspect"):
        return Outcome(text, "suspect", status.partition(": ")[2] or None, "memory", *measured)
    return Outcome(text, "ok", None, "memory", *measured)
