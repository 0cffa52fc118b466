"""One queue for the sentences of every request in flight, decoded together.

Requests put their documents (already segmented) on the queue and get a future. One worker
thread takes the oldest request and every other waiting request for the same translator, up to
a few batches' worth of sentences — waiting at most ``wait`` seconds for a batch to fill (a
little longer, bounded, for the clients it just answered to send their next request) — and
translates them in one call (``Translator.translate_documents``: length-sorted token batches,
each distinct sentence once, the translation memory shared). Each request is answered as soon as
its call is done; a request whose client left (its future cancelled) leaves the queue at once and
is never decoded; a full queue is refused at once (:class:`~translate.server.errors.QueueFull`)
instead of growing without bound. A call that fails is retried request by request, so one bad
request fails alone, and the worker keeps serving whatever a call does. With batching off,
requests are translated one at a time, text by text, as LibreTranslate does.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..document import Paragraph, TranslatedParagraph
from ..engine import Masker
from ..pipeline import Translator
from .errors import ApiError, QueueFull
from .metrics import Metrics

logger = logging.getLogger("translate.server")

Result = list[list[TranslatedParagraph]]
BATCHES_PER_CALL = 4  # a call takes up to this many batches' worth of sentences
DEFAULT_BATCH = 16    # sentences a batch holds, for a translator that does not say
# Waiting for the requests the last call answered to come back: at most this share of that call's
# time (what throughput can lose) and this many times ``wait`` (what latency can lose).
REGROUP_SHARE, REGROUP_WAITS = 0.1, 20


@dataclass(eq=False)
class _Job:
    translator: Translator
    documents: Sequence[Sequence[Paragraph]]
    masker: Masker | None
    sentences: int
    future: concurrent.futures.Future[Result] = field(default_factory=concurrent.futures.Future)
    queued: bool = True  # still in the queue (neither taken by the worker nor dropped)

    @property
    def key(self) -> tuple[int, int]:
        """Jobs decoded together share this: the same translator (pair, decoding) and masker.
        Ids are safe: a queued job keeps both objects alive."""
        return id(self.translator), id(self.masker)


class Batcher:
    """The queue and its worker; :meth:`submit` from any thread, :meth:`close` once.

    ``max_queue``: sentences waiting at most (``0``: no bound); a request that alone is larger is
    still taken when nothing waits, so that no request is refused forever.
    """

    def __init__(self, *, batching: bool = True, wait: float = 0.005, max_queue: int = 4096,
                 metrics: Metrics | None = None) -> None:
        self.batching, self.wait, self.max_queue = batching, wait, max_queue
        self.metrics = metrics or Metrics()
        self._jobs: deque[_Job] = deque()
        self._pending = 0  # sentences waiting
        self._cond = threading.Condition()
        self._closing = False
        self._rate = 50.0  # sentences per second, measured (for Retry-After)
        self._last_call = 0.0  # seconds the last call took
        self._in_flight = 0  # requests in flight when it ended: those it answered and those waiting
        self._thread = threading.Thread(target=self._work, name="translate-batcher", daemon=True)
        self._thread.start()

    @property
    def depth(self) -> int:
        """Sentences waiting to be decoded."""
        return self._pending

    @property
    def waiting(self) -> int:
        """Requests waiting to be decoded."""
        return len(self._jobs)

    def submit(self, translator: Translator, documents: Sequence[Sequence[Paragraph]],
               masker: Masker | None = None) -> concurrent.futures.Future[Result]:
        """Queue ``documents`` (each a sequence of segmented paragraphs) for ``translator``; the
        future gives each document's translated paragraphs, in order. Cancel it to drop the work."""
        sentences = sum(len(p.sentences) for doc in documents for p in doc)
        job = _Job(translator, documents, masker, sentences)
        with self._cond:
            if self._closing:
                raise ApiError(503, "the server is shutting down", retry_after=5)
            if self.max_queue and self._pending and self._pending + sentences > self.max_queue:
                raise QueueFull(retry_after=max(1.0, round(self._pending / self._rate, 1)))
            self._jobs.append(job)
            self._pending += sentences
            self.metrics.queue_depth.set(self._pending)
            self._cond.notify()
        ref = weakref.ref(job)  # not the job itself: job → future → callback → job would be a cycle
        job.future.add_done_callback(lambda _: self._forget(ref()))
        return job.future

    def close(self, timeout: float = 30.0) -> None:
        """Take no more work; finish what is queued within ``timeout`` seconds, refuse the rest."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(timeout)
        with self._cond:
            left = list(self._jobs)
            self._jobs.clear()
            self._pending = 0
            self.metrics.queue_depth.set(0)
            for job in left:
                job.queued = False
        for job in left:
            if job.future.set_running_or_notify_cancel():
                job.future.set_exception(ApiError(503, "the server is shutting down", retry_after=5))

    def _forget(self, job: _Job | None) -> None:
        """A cancelled job leaves the queue now: it no longer counts towards the bound or the depth."""
        if job is None or not job.future.cancelled():
            return
        with self._cond:
            if not job.queued:
                return  # taken: the worker sees it cancelled and counts it
            job.queued = False
            self._jobs.remove(job)
            self._pending -= job.sentences
            self.metrics.queue_depth.set(self._pending)
        self.metrics.dropped.inc()

    # -- the worker ---------------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._jobs and not self._closing:
                    self._cond.wait()
                if not self._jobs:
                    return  # closing, nothing left
                taken = self._take()
            try:
                self._run(taken)
            except Exception as exc:  # noqa: BLE001 - never leave a request waiting, nor the worker dead
                logger.exception("the batcher failed")
                for job in taken:
                    if not job.future.done():
                        job.future.set_exception(exc)
            del taken  # the last call's documents and results are not kept until the next request

    def _take(self) -> list[_Job]:
        """The oldest job and, batching, the others for the same translator that fit in one call
        (after waiting up to ``wait`` for one batch to fill — and, while the call is not full and
        fewer requests wait than were in flight when the last call ended, a little longer for
        those it answered to come back: clients that send their next request on each answer are
        then decoded together, not in two halves that take turns). Called with the lock held."""
        if self.batching and not self._closing:
            first = self._jobs[0]
            batch = _batch_size(first.translator)
            now = time.monotonic()
            fill = now + self.wait
            regroup = now + min(REGROUP_SHARE * self._last_call, REGROUP_WAITS * self.wait)
            while not self._closing and self._jobs and self._jobs[0] is first:
                queued = self._same_key(first)
                now = time.monotonic()
                if queued < batch and now < fill:
                    self._cond.wait(fill - now)
                elif queued < batch * BATCHES_PER_CALL and len(self._jobs) < self._in_flight and now < regroup:
                    self._cond.wait(regroup - now)
                else:
                    break
            if not self._jobs:
                return []  # the jobs waited for were dropped meanwhile
        first = self._jobs[0]
        budget = _batch_size(first.translator) * BATCHES_PER_CALL if self.batching else 0
        taken: list[_Job] = []
        size = 0
        for job in list(self._jobs):
            if job.key != first.key or (taken and size + job.sentences > budget):
                continue
            taken.append(job)
            size += job.sentences
            if size >= budget:
                break
        for job in taken:
            job.queued = False
            self._jobs.remove(job)
        self._pending -= size
        self.metrics.queue_depth.set(self._pending)
        return taken

    def _same_key(self, first: _Job) -> int:
        return sum(job.sentences for job in self._jobs if job.key == first.key)

    def _run(self, jobs: list[_Job]) -> None:
        live = [job for job in jobs if job.future.set_running_or_notify_cancel()]
        if len(live) < len(jobs):
            self.metrics.dropped.inc(len(jobs) - len(live))
        if not live:
            return
        started = time.perf_counter()
        try:
            results = self._translate(live)
        except Exception as exc:  # noqa: BLE001 - the requests get the failure, the worker lives
            if len(live) == 1:
                logger.exception("translation failed")
                live[0].future.set_exception(exc)
                return
            logger.warning("a batch of %d requests failed; translating them one by one", len(live))
            for job in live:  # one bad request fails alone
                try:
                    again = time.perf_counter()
                    self._answer([job], self._translate([job]), again)
                except Exception as alone:  # noqa: BLE001
                    logger.exception("translation failed")
                    job.future.set_exception(alone)
            return
        self._answer(live, results, started)

    def _translate(self, jobs: list[_Job]) -> list[Result]:
        """Each job's documents translated: all in one call, or (batching off) one text a call."""
        translator, masker = jobs[0].translator, jobs[0].masker
        if not self.batching:
            return [[_one(translator.translate_documents([doc], masker=masker)) for doc in job.documents]
                    for job in jobs]
        documents = [doc for job in jobs for doc in job.documents]
        done = translator.translate_documents(documents, masker=masker)
        if len(done) != len(documents):
            raise RuntimeError(f"the translator returned {len(done)} documents for {len(documents)}")
        out, at = [], 0
        for job in jobs:
            out.append(list(done[at:at + len(job.documents)]))
            at += len(job.documents)
        return out

    def _answer(self, jobs: list[_Job], results: list[Result], started: float) -> None:
        sentences = sum(job.sentences for job in jobs)
        elapsed = time.perf_counter() - started
        if sentences and elapsed > 0:
            self._rate = 0.8 * self._rate + 0.2 * sentences / elapsed
        self._last_call, self._in_flight = elapsed, len(jobs) + len(self._jobs)
        self.metrics.batch_sentences.observe(sentences)
        self.metrics.batch_requests.observe(len(jobs))
        for job, result in zip(jobs, results):
            for doc in result:
                for p in doc:
                    self.metrics.count_units(p.stats)
            job.future.set_result(result)


def _one(done: Result) -> list[TranslatedParagraph]:
    if len(done) != 1:
        raise RuntimeError(f"the translator returned {len(done)} documents for 1")
    return done[0]


def _batch_size(translator: Translator) -> int:
    """Sentences one batch of ``translator`` holds (its pipeline's ``batch_size``)."""
    size = getattr(getattr(translator, "pipeline", None), "batch_size", None)
    return size if isinstance(size, int) and size > 0 else DEFAULT_BATCH
