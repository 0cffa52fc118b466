"""Running the server: everything that can fail does so before the port opens, then uvicorn
serves until SIGTERM or Ctrl-C, finishes what is in flight and the service is closed.

Order: the options and the key file are checked (exit 2), the socket is bound (a port in use:
exit 1) but not listening, the model is found, loaded and run once (a missing model: exit 1),
and only then does uvicorn listen on that same socket — no race between the check and the use,
and no client ever meets a server whose model is still loading.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import logging
import math
import re
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any
from urllib.parse import unquote_plus

import uvicorn

from ..errors import TranslateError
from ..options import DecodingOptions, LoadOptions, PipelineOptions
from ..pipeline import Translator
from .options import ServeOptions
from .service import Service

logger = logging.getLogger("translate.server")
WARM_UP = "你好。"  # any short text runs the model once (zh: the default pair of a routed server)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class ListenError(TranslateError):
    """The server cannot listen where it was told to (a port in use, an address not here)."""


class Stopped(Exception):
    """SIGTERM arrived while the model was loading: nothing is in flight, stop cleanly."""


def serve(load: LoadOptions, decoding: DecodingOptions, pipeline: PipelineOptions, options: ServeOptions, *,
          prog: str = "translate serve") -> int:
    """Serve in this process until stopped; the exit code (0 after SIGTERM or Ctrl-C). Errors
    before the port opens are raised (:class:`~translate.errors.TranslateError`: one line, exit 1 or 2)."""
    with server_log(prog):
        return _serve(load, decoding, pipeline, options, prog)


def _serve(load: LoadOptions, decoding: DecodingOptions, pipeline: PipelineOptions, options: ServeOptions,
           prog: str) -> int:
    from .api.libretranslate import close_files
    from .app import create_app

    service = Service(Translator(load=load, decoding=decoding, pipeline=pipeline), options)
    app = None
    try:
        app = create_app(service, options)  # reads the key file: a bad one is an error now
        sock = bind(options.host, options.port)
        try:
            with _stopped_by_sigterm():
                warm_up(service)
            server = Server(config(app, options))
            network_note(prog, options)
            print(f"{prog}: listening on {url(options.host, sock.getsockname()[1])} (Ctrl-C stops)",
                  file=sys.stderr)
            try:
                server.run(sockets=[sock])
            except OSError as exc:  # listen() failed after all: another server took the port meanwhile
                raise ListenError(f"cannot listen on {options.host}:{options.port}: {exc.strerror or exc}") from None
        finally:
            sock.close()
    except Stopped:
        print(f"{prog}: stopped before serving", file=sys.stderr)
        return 0
    finally:
        if app is not None:
            close_files(app)  # the translated files kept for download, and their folder
        service.close()  # the batcher finishes what it holds (bounded), the memory is flushed
    if server.stopped_by is not None:
        print(f"{prog}: stopped ({signal.Signals(server.stopped_by).name})", file=sys.stderr)
    return 0


@contextlib.contextmanager
def server_log(prog: str) -> Iterator[None]:
    """While serving, the server's own log (logger ``translate.server``) goes to stderr,
    tracebacks included: clients are told only that the log says why."""
    log = logging.getLogger("translate.server")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"{prog}: %(levelname)s: %(message)s"))
    level, propagate = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # not a second time as a note of the command
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
        log.propagate = propagate


def warm_up(service: Service) -> None:
    """Find the model (downloading it if need be) and run it once, so that the first request
    neither waits for a load nor fails on a missing model; then the service is ready."""
    translator = service.translator.resolve()
    if translator.routed:  # the default pair's models (routes of other pairs load on first use)
        twin = translator.for_languages(source_language=translator.source_language or "zh").resolve()
        twin.translate_sentences([WARM_UP])
    else:  # the backend itself, past the translation memory: the model really runs
        backend = translator.backend
        backend.load()
        backend.translate_batch([WARM_UP])
    service.ready = True


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, not listening yet (connections are refused until uvicorn
    listens on it): a port in use is found here, exactly, before the model loads."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise ListenError(f"cannot listen on {host}: {exc.strerror or exc}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart need not wait out TIME_WAIT
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.set_inheritable(True)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ListenError(f"port {port} on {host} is in use: {exc.strerror}") from None
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def is_loopback(host: str) -> bool:
    """Whether only this machine reaches ``host``."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def network_note(prog: str, options: ServeOptions) -> None:
    """Say so when the server is reachable from the network, and whether it asks for keys."""
    if is_loopback(options.host):
        return
    keys = "API keys are required" if options.api_keys else \
        "no API key is required: anyone who reaches it may use it (--api-keys FILE)"
    print(f"{prog}: note: listening on {options.host}, reachable from the network; {keys}", file=sys.stderr)


def url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def config(app: Any, options: ServeOptions) -> uvicorn.Config:
    """uvicorn's settings: no lifespan (``run.py`` owns the service), a bounded graceful
    shutdown, no ``server`` header, the access log (which never holds bodies) with keys masked."""
    settings = uvicorn.Config(app, lifespan="off", access_log=options.access_log, server_header=False,
                              timeout_graceful_shutdown=math.ceil(options.shutdown_timeout), log_level="info")
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, MaskKeys) for f in access.filters):
        access.addFilter(MaskKeys())
    return settings


class MaskKeys(logging.Filter):
    """Masks API keys in the query strings of access log lines (DeepL's ``auth_key``,
    LibreTranslate's ``api_key``, Immersive Translate's ``token``, and the usual other names of
    one): a log is no place for a secret. A parameter's name is read as the server reads it —
    percent-escapes and ``+`` decoded, any case — so ``?%74oken=`` is masked too."""

    SECRETS = frozenset({"auth_key", "api_key", "apikey", "key", "token", "access_token", "auth_token"})
    PARAMETER = re.compile(r"([?&])([^&=]*)(=?)([^&]*)")  # "&" only: the server splits on nothing else

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(self.mask(a) if isinstance(a, str) and "?" in a else a for a in args)
        return True

    def mask(self, text: str) -> str:
        """``text`` with the value of every secret parameter after its ``?`` replaced by ``***``."""
        path, mark, query = text.partition("?")

        def masked(match: re.Match[str]) -> str:
            separator, name, equals, value = match.groups()
            if unquote_plus(name).strip().lower() in self.SECRETS and (equals or value):
                return f"{separator}{name}=***"
            return match.group(0)

        return path + self.PARAMETER.sub(masked, mark + query)


class Server(uvicorn.Server):
    """uvicorn's server, ending with exit 0 on SIGTERM or Ctrl-C: uvicorn re-raises the signal
    after its graceful shutdown, which kills the process with -15 (or raises KeyboardInterrupt)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.stopped_by: int | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.stopped_by = sig
        super().handle_exit(sig, frame)  # stop accepting, finish what is in flight; twice Ctrl-C: now


@contextlib.contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """Until uvicorn takes over the signals, SIGTERM stops the start (``Stopped``) instead of
    killing the process: the service is still closed, and the exit code is 0."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(sig: int, frame: FrameType | None) -> None:
        raise Stopped

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
