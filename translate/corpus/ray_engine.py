"""The Ray engine: the same job as a Ray Data pipeline.

read (the corpus reader, on the driver: ids, positions, texts or paths) → ``map_batches`` over an
actor pool (``ActorPoolStrategy``) whose actors each hold one :class:`~translate.corpus.work.Worker`
— the model loaded once per actor, CPU or GPU — → write (on the driver, through the same writer
as the local engine, records put back in corpus order by their position). The records are the
same bytes as the local engine's: the work is the same code, and the order is restored on write.

A local Ray cluster is started unless ``address`` (``--ray-address``) or ``RAY_ADDRESS`` names one
to join. Ray is optional: ``pip install -e '.[ray]'``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable
from typing import Any

from ..errors import UsageError
from .local import Meter
from .reading import Item
from .work import Job, Worker

BATCH_DOCS = 16  # documents per map_batches call: the sentences of these are batched together


class RayWorker:
    """The actor: one worker (one model), turning batches of items into records."""

    def __init__(self, job: Job) -> None:
        self.worker = Worker(job)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        items = [Item.from_json(line) for line in batch["item"]]
        records = self.worker.process(items)
        return {"position": [r["position"] for r in records],
                "record": [json.dumps(r, ensure_ascii=False) for r in records]}


def run_ray(job: Job, items: Iterable[Item], sink, meter: Meter, *, address: str | None = None,
            actors: int = 2, cpus_per_actor: float = 1, batch_docs: int = BATCH_DOCS) -> None:
    """Run the job on Ray; records reach ``sink`` in corpus order."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise UsageError("the ray engine needs Ray: pip install 'newsdigest-translate[ray]'",
                         option="engine") from None
    if not ray.is_initialized():
        address = address or os.environ.get("RAY_ADDRESS") or None
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    gpu = job.load.device.startswith("cuda")
    if job.load.threads is None and not gpu:  # as many threads as the actor's CPUs, not the node's
        job = dataclasses.replace(job, load=dataclasses.replace(job.load, threads=max(1, int(cpus_per_actor))))
    rows = [{"position": item.position, "item": item.to_json()} for item in items]
    if not rows:
        return
    dataset = ray.data.from_items(rows, override_num_blocks=max(1, min(len(rows) // batch_docs, 4 * actors * 4)))
    results = dataset.map_batches(RayWorker, fn_constructor_kwargs={"job": job}, batch_size=batch_docs,
                                  batch_format="numpy", compute=ray.data.ActorPoolStrategy(size=actors),
                                  num_cpus=cpus_per_actor, num_gpus=1 if gpu else 0)
    pending: dict[int, dict] = {}
    following = rows[0]["position"]
    for batch in results.iter_batches(batch_size=None, batch_format="numpy"):
        for position, record in zip(batch["position"], batch["record"]):
            pending[int(position)] = json.loads(str(record))
        ready = []
        while following in pending:  # sort on write: contiguous positions only
            ready.append(pending.pop(following))
            following += 1
        if ready:
            sink.write(ready)
            meter.update(ready)
    if pending:  # cannot happen with preserve_order; never drop a record
        ready = [pending[p] for p in sorted(pending)]
        sink.write(ready)
        meter.update(ready)
