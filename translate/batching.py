"""Decoding work cut into bounded batches, and batches run on the backend's parallel workers.

One batcher for everything a model decodes — first passes, the guard's retries, the text around
protected spans — so that ``batch_size`` and ``batch_tokens`` bound every decode, not only the
first one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Limits:
    """What one decode may hold: ``size`` units and ``tokens`` padded source tokens; ``workers``
    decodes may run at once (never more units in flight than the ``batch_size`` option)."""

    size: int
    tokens: int
    workers: int

    @classmethod
    def split(cls, batch_size: int, batch_tokens: int, parallel: int) -> Limits:
        """The options' budget split between the batches the backend runs in parallel."""
        parallel = max(1, min(parallel, batch_size))
        return cls(-(-batch_size // parallel), max(1, batch_tokens // parallel), parallel)


def batches(units: Sequence[T], length: Callable[[T], int], limits: Limits) -> list[list[T]]:
    """Cut units — sorted longest first: a batch's first unit sets its padded length — into batches
    of at most ``limits.size`` units and ``limits.tokens`` padded tokens (a longer unit alone)."""
    cut: list[list[T]] = []
    for unit in units:
        if cut and len(cut[-1]) < limits.size and (len(cut[-1]) + 1) * length(cut[-1][0]) <= limits.tokens:
            cut[-1].append(unit)
        else:
            cut.append([unit])
    return cut


def longest_first(texts: Sequence[str], count: Callable[[str], int]) -> tuple[list[int], list[int]]:
    """The positions of ``texts`` sorted longest first (stable), and each one's length in tokens."""
    lengths = [count(t) for t in texts]
    return sorted(range(len(texts)), key=lambda i: -lengths[i]), lengths


def in_batches(texts: Sequence[str], count: Callable[[str], int], limits: Limits,
               decode: Callable[[list[str]], list[R]]) -> list[R]:
    """``decode`` over ``texts`` cut into batches within ``limits``, one after the other; the
    results in the order of ``texts``."""
    order, lengths = longest_first(texts, count)
    out: dict[int, R] = {}
    for batch in batches(order, lengths.__getitem__, limits):
        out.update(zip(batch, decode([texts[i] for i in batch])))
    return [out[i] for i in range(len(texts))]


def run_batches(work: Callable[[list[T]], list[R]], cut: list[list[T]], workers: int,
                before: Callable[[], None] = lambda: None) -> Iterator[tuple[list[T], list[R]]]:
    """Run ``work`` on each batch, ``workers`` at a time (``before`` runs once first when there are
    several: loading the model); yield each batch with its results as soon as it is done, so it
    can be stored before the next one finishes. A failure stops the batches not yet started,
    keeps those that finish, then is raised."""
    workers = min(workers, len(cut))
    if workers <= 1:
        for batch in cut:
            yield batch, work(batch)
        return
    before()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures: dict[Future, list[T]] = {pool.submit(work, batch): batch for batch in cut}
        error: BaseException | None = None
        try:
            for future in as_completed(futures):
                if future.cancelled():
                    continue
                try:
                    results = future.result()
                except BaseException as exc:  # stop starting batches, but keep those that finish
                    error = error or exc
                    for other in futures:
                        other.cancel()
                    continue
                yield futures[future], results
        finally:
            for future in futures:
                future.cancel()
        if error is not None:
            raise error
