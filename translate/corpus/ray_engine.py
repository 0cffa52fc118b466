"""The Ray engine: the same job as a Ray Data pipeline.

read (the corpus reader, on the driver: ids, positions, texts or paths) → ``map_batches`` over an
actor pool (``ActorPoolStrategy``) whose actors each hold one :class:`~translate.corpus.work.Worker`
— the model loaded once per actor, CPU or GPU — → write (on the driver, through the same writer
as the local engine, records put back in corpus order by their position). The records are the
same bytes as the local engine's: the work is the same code, and the order is restored on write.

A local Ray cluster is started unless ``address`` (``--ray-address``) or ``RAY_ADDRESS`` names one
to join; one that cannot be started or joined is a one-line error. Ray is optional:
``pip install -e '.[ray]'``. Quiet (``-q``): none of Ray's log lines or warnings reach stderr —
its log levels are set in the environment before it reads them (the cluster it starts inherits
them: its C++ log files then hold fatal errors only), its loggers are at ERROR, its warnings ignored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import TranslateError, UsageError, first_line
from .local import Meter
from .reading import CorpusWarning, Item
from .work import Job, Worker

BATCH_DOCS = 16  # documents per map_batches call: the sentences of these are batched together
QUIET_ENV = {"RAY_DATA_LOG_LEVEL": "ERROR", "RAY_BACKEND_LOG_LEVEL": "fatal"}  # read as Ray Data / Ray start


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
            actors: int = 2, cpus_per_actor: float = 1, batch_docs: int = BATCH_DOCS, quiet: bool = False) -> None:
    """Run the job on Ray; records reach ``sink`` in corpus order. ``quiet``: Ray's own log lines and
    warnings stay off stderr."""
    rows = [{"position": item.position, "item": item.to_json()} for item in items]
    if not rows:
        return
    gpu = job.load.device.startswith("cuda")
    if job.load.threads is None and not gpu:  # as many threads as the actor's CPUs, not the node's
        job = dataclasses.replace(job, load=dataclasses.replace(job.load, threads=max(1, int(cpus_per_actor))))
    with _quiet(quiet):
        ray = _start(address, quiet)
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


def _start(address: str | None, quiet: bool) -> Any:
    """Ray, imported and initialised (joining ``address`` or ``RAY_ADDRESS``, else a local cluster)."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise UsageError("the ray engine needs Ray: pip install 'newsdigest-translate[ray]'",
                         option="engine") from None
    if not ray.is_initialized():
        address = address or os.environ.get("RAY_ADDRESS") or None
        try:
            with _fd2_closed() if quiet else contextlib.nullcontext():
                ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
        except Exception as exc:  # noqa: BLE001 - Ray raises several kinds (no cluster there, a timeout...)
            where = f"join Ray at '{address}'" if address else "start a local Ray cluster"
            raise TranslateError(f"cannot {where}: {first_line(exc)}", option="ray_address") from None
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    return ray


@contextlib.contextmanager
def _fd2_closed() -> Iterator[None]:
    """File descriptor 2 on /dev/null: Ray's C++ core announces the log level it reads from the
    environment there as it starts, whatever that level (ours stays on ``sys.stderr`` as Python errors)."""
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


@contextlib.contextmanager
def _quiet(enabled: bool) -> Iterator[None]:
    """Ray's log lines (Python and C++) and warnings off stderr, ours kept: what Ray reads from the
    environment is set before it starts (unless the user set it), and everything is put back after."""
    if not enabled:
        yield
        return
    saved = {name: os.environ.get(name) for name in QUIET_ENV}
    os.environ.update({name: value for name, value in QUIET_ENV.items() if saved[name] is None})
    loggers = {name: logging.getLogger(name).level for name in ("ray", "ray.data")}
    for name in loggers:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.filterwarnings("default", category=CorpusWarning)  # the writer's warnings are ours
            yield
    finally:
        for name, level in loggers.items():
            logging.getLogger(name).setLevel(level)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
