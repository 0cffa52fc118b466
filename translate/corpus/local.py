"""The local engine: one process, one model, documents streamed in windows (bounded memory), the
sentences of a whole window batched together, records written as each window completes, in order."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator

from .reading import Item
from .work import Job, Worker

WINDOW_CHARS = 24_000   # source characters per window: some hundreds of sentences, length-sorted together
WINDOW_DOCS = 64


def windows(items: Iterable[Item], chars: int | None = None, docs: int | None = None) -> Iterator[list[Item]]:
    """Consecutive documents, grouped until they hold about ``chars`` characters (or ``docs`` documents)."""
    chars, docs = chars or WINDOW_CHARS, docs or WINDOW_DOCS
    window: list[Item] = []
    size = 0
    for item in items:
        window.append(item)
        if item.text is not None:
            size += len(item.text)
        elif item.path is not None:
            try:
                size += os.path.getsize(item.path) // 3  # UTF-8 CJK: about 3 bytes a character
            except OSError:
                pass
        if size >= chars or len(window) >= docs:
            yield window
            window, size = [], 0
    if window:
        yield window


class Meter:
    """Progress on stderr: documents and sentences done, rate, ETA (a line every few seconds)."""

    def __init__(self, prog: str, total: int | None, done: int, enabled: bool, every_s: float = 5.0) -> None:
        self.prog, self.total, self.start_done, self.enabled, self.every_s = prog, total, done, enabled, every_s
        self.docs, self.sentences, self.failed = done, 0, 0
        self.started = self.last = time.monotonic()

    def update(self, records: list[dict]) -> None:
        self.docs += len(records)
        self.sentences += sum(r["counts"].get("sentences", 0) for r in records)
        self.failed += sum(r["status"] == "failed" for r in records)
        now = time.monotonic()
        if self.enabled and (now - self.last >= self.every_s or self.docs == self.total):
            self.last = now
            print(f"{self.prog}: {self.line()}", file=sys.stderr, flush=True)

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        new = self.docs - self.start_done
        rate = new / elapsed
        of = f"/{self.total}" if self.total is not None else ""
        eta = ""
        if self.total is not None and rate > 0 and self.docs < self.total:
            left = (self.total - self.docs) / rate
            eta = f", ETA {int(left // 60)}m{int(left % 60):02d}s"
        return (f"{self.docs}{of} documents, {self.sentences} sentences, {rate:.2f} documents/s, "
                f"{self.sentences / elapsed:.1f} sentences/s{eta}")


def run_local(job: Job, items: Iterable[Item], sink, meter: Meter) -> None:
    """Translate (or digest) ``items`` with one worker, writing each window's records in order."""
    worker = Worker(job)
    for window in windows(items):
        records = worker.process(window)
        sink.write(records)
        meter.update(records)
