"""``translate serve --engine ray``: the same app as a Ray Serve deployment — one model per
replica, Ray's HTTP proxy on ``--host``/``--port``, ``RAY_ADDRESS`` to join a cluster (else a
local Ray instance starts). The only module of the server that imports Ray.

Each replica builds its own translator from the option objects (plain dataclasses, sent to the
replica), loads and runs its model before it takes requests (``run.warm_up``), and serves the app
of ``create_app``: the endpoints, errors and limits are the single process's. Limits and metrics
are each replica's own. On a cluster, every node needs this package and the model (a Hub id
downloads on each node; a folder must exist at the same path there).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from typing import Any

import ray
from ray import serve

from ..errors import TranslateError, first_line
from ..options import DecodingOptions, LoadOptions, PipelineOptions
from ..pipeline import Translator
from .options import ServeOptions
from .run import bind, network_note, server_log, url, warm_up
from .service import Service

APP = "translate"  # the Serve application's and the deployment's name
MAX_ONGOING = 1024  # requests a replica holds at once: its batcher bounds the work (503 beyond --max-queue)


class Replica:
    """One replica: its translator, loaded and warmed in the constructor, and its service."""

    def __init__(self, load: LoadOptions, decoding: DecodingOptions, pipeline: PipelineOptions,
                 options: ServeOptions) -> None:
        self.options = options
        self.service = Service(Translator(load=load, decoding=decoding, pipeline=pipeline), options)
        warm_up(self.service)

    def __serve_build_asgi_app__(self) -> Any:
        from .app import create_app

        return create_app(self.service, self.options)

    def __del__(self) -> None:  # Serve stops the replica: the batcher finishes, the memory is flushed
        service = self.__dict__.get("service")
        if service is not None:
            service.close()


def application(load: LoadOptions, decoding: DecodingOptions, pipeline: PipelineOptions, options: ServeOptions,
                replicas: int) -> Any:
    """The Serve application: ``replicas`` replicas of :class:`Replica`, each with one model."""
    deployment = serve.deployment(name=APP, num_replicas=replicas, max_ongoing_requests=MAX_ONGOING,
                                  graceful_shutdown_timeout_s=options.shutdown_timeout,
                                  ray_actor_options={"num_cpus": load.threads or 1})(serve.ingress()(Replica))
    return deployment.bind(load, decoding, pipeline, options)


def deploy(load: LoadOptions, decoding: DecodingOptions, pipeline: PipelineOptions, options: ServeOptions,
           replicas: int) -> str:
    """Start Serve's HTTP proxy on ``options.host:port`` (in the Ray instance this process is
    connected to) and run the application; returns when every replica is ready, with its URL."""
    serve.start(http_options={"host": options.host, "port": options.port})
    serve.run(application(load, decoding, pipeline, options, replicas), name=APP, route_prefix="/")
    return url(options.host, options.port)


def undeploy() -> None:
    """Stop the application (each replica finishes what is in flight, bounded) and Serve."""
    serve.delete(APP)
    serve.shutdown()


def run_ray(load: LoadOptions, decoding: DecodingOptions, pipeline: PipelineOptions, options: ServeOptions, *,
            replicas: int = 1, prog: str = "translate serve") -> int:
    """Check what can be checked here, deploy, serve until SIGTERM or Ctrl-C, stop; exit 0."""
    with server_log(prog):
        _run_ray(load, decoding, pipeline, options, replicas, prog)
    print(f"{prog}: stopped", file=sys.stderr)
    return 0


def _run_ray(load: LoadOptions, decoding: DecodingOptions, pipeline: PipelineOptions, options: ServeOptions,
             replicas: int, prog: str) -> None:
    from .security import Gate

    Translator(load=load, decoding=decoding, pipeline=pipeline).resolve()  # a missing model: an error now
    Gate(options)  # a bad key file: an error now
    joining = bool(os.environ.get("RAY_ADDRESS"))
    if not joining:  # a local instance: its proxy binds here, so a port in use is found here
        bind(options.host, options.port).close()
    started = not ray.is_initialized()
    if started:  # RAY_ADDRESS: join that cluster; else start a local instance
        ray.init() if joining else ray.init(include_dashboard=False)
    stop = threading.Event()  # after ray.init, which puts its own SIGTERM handler (exit 15) in place
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        network_note(prog, options)
        try:
            address = deploy(load, decoding, pipeline, options, replicas)
        except Exception as exc:  # noqa: BLE001 - a replica failed to start: Ray's reason, in one line
            with contextlib.suppress(Exception):
                undeploy()
            raise TranslateError(f"the Ray Serve deployment failed: {first_line(exc)}") from None
        print(f"{prog}: {replicas} Ray Serve replica(s) listening on {address} (Ctrl-C stops)", file=sys.stderr)
        stop.wait()
        undeploy()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if started:
            ray.shutdown()
