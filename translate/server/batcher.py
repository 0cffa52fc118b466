"""One queue for the sentences of every request in flight, decoded together.

Requests put their documents (already segmented) on the queue and get a future. One worker
thread takes the oldest request and every other waiting request for the same translator, up to
a few batches' worth of sentences — waiting at most ``wait`` seconds for a batch to fill — and
translates them in one call (``Translator.translate_documents``: length-sorted token batches,
each distinct sentence once, the translation memory shared). Each request is answered as soon as
its call is done; a request whose client left is dropped before it is decoded; a full queue is
refused at once (:class:`~translate.server.errors.QueueFull`) instead of growing without bound.
With batching off, requests are translated one at a time, text by text, as LibreTranslate does.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
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


@dataclass(eq=False)
class _Job:
    translator: Translator
    documents: Sequence[Sequence[Paragraph]]
    masker: Masker | None
    sentences: int
    future: concurrent.futures.Future[Result] = field(default_factory=concurrent.futures.Future)

    @property
    def key(self) -> tuple[int, int]:
        return id(self.translator), id(self.masker)


class Batcher:
    """The queue and its worker; :meth:`submit` from any thread, :meth:`close` once."""

    def __init__(self, *, batching: bool = True, wait: float = 0.005, max_queue: int = 4096,
                 metrics: Metrics | None = None) -> None:
        self.batching, self.wait, self.max_queue = batching, wait, max_queue
        self.metrics = metrics or Metrics()
        self._jobs: deque[_Job] = deque()
        self._pending = 0  # sentences waiting
        self._cond = threading.Condition()
        self._closing = False
        self._rate = 50.0  # sentences per second, measured (for Retry-After)
        self._thread = threading.Thread(target=self._work, name="translate-batcher", daemon=True)
        self._thread.start()

    @property
    def depth(self) -> int:
        """Sentences waiting to be decoded."""
        return self._pending

    def submit(self, translator: Translator, documents: Sequence[Sequence[Paragraph]],
               masker: Masker | None = None) -> concurrent.futures.Future[Result]:
        """Queue ``documents`` (each a sequence of segmented paragraphs) for ``translator``; the
        future gives each document's translated paragraphs, in order. Cancel it to drop the work."""
        sentences = sum(len(p.sentences) for doc in documents for p in doc)
        job = _Job(translator, documents, masker, sentences)
        with self._cond:
            if self._closing:
                raise ApiError(503, "the server is shutting down", retry_after=5)
            if self._pending and self._pending + sentences > self.max_queue:
                raise QueueFull(retry_after=max(1.0, round(self._pending / self._rate, 1)))
            self._jobs.append(job)
            self._pending += sentences
            self.metrics.queue_depth.set(self._pending)
            self._cond.notify()
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
        for job in left:
            if job.future.set_running_or_notify_cancel():
                job.future.set_exception(ApiError(503, "the server is shutting down", retry_after=5))

    # -- the worker ---------------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._jobs and not self._closing:
                    self._cond.wait()
                if not self._jobs:
                    return  # closing, nothing left
                taken = self._take()
            self._run(taken)

    def _take(self) -> list[_Job]:
        """The oldest job and, batching, the others for the same translator that fit in one call
        (after waiting up to ``wait`` for one batch to fill). Called with the lock held."""
        first = self._jobs[0]
        batch = first.translator.pipeline.batch_size
        if self.batching and not self._closing:
            deadline = time.monotonic() + self.wait
            while self._same_key(first) < batch and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(left)
        budget = batch * BATCHES_PER_CALL if self.batching else 0
        taken: list[_Job] = []
        size = 0
        for job in list(self._jobs):
            if job.key != first.key or (taken and size + job.sentences > budget):
                continue
            taken.append(job)
            size += job.sentences
            self._jobs.remove(job)
            if size >= budget:
                break
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
        translator, masker = live[0].translator, live[0].masker
        started = time.perf_counter()
        try:
            if self.batching:
                documents = [doc for job in live for doc in job.documents]
                done = iter(translator.translate_documents(documents, masker=masker))
                results = [[next(done) for _ in job.documents] for job in live]
            else:  # one text at a time, as LibreTranslate loops
                results = [[translator.translate_documents([doc], masker=masker)[0] for doc in job.documents]
                           for job in live]
        except BaseException as exc:  # noqa: BLE001 - every waiting request gets the failure, the worker lives
            logger.exception("translation failed")
            for job in live:
                job.future.set_exception(exc)
            return
        sentences = sum(job.sentences for job in live)
        elapsed = time.perf_counter() - started
        if sentences and elapsed > 0:
            self._rate = 0.8 * self._rate + 0.2 * sentences / elapsed
        self.metrics.batch_sentences.observe(sentences)
        self.metrics.batch_requests.observe(len(live))
        for job, result in zip(live, results):
            for doc in result:
                for p in doc:
                    self.metrics.count_units(p.stats)
            job.future.set_result(result)
