"""The ``translate serve`` command: its flags and nothing else (``run.py`` serves).

Its flags come from two tables: the library's options (``FLAGS`` in ``translate/commandline.py``,
the same as ``translate``'s) and the server's (:data:`SERVE_FLAGS`, one per
:class:`~translate.server.options.ServeOptions` field, its type read from the field). Imports only
typer up front: ``--help`` stays instant; FastAPI, uvicorn and torch load only to serve.
"""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Optional, get_type_hints

import typer

from ..commandline import (DECODING, HELP, INPUT, MODEL, SAFETY, HelpOpt, keyword_param, library_options,
                           library_params, new_app, panel_rank, quiet_libraries, run, toy_model_hint, version_option)
from .options import DEFAULT_PORT, ServeOptions

PROG = "translate serve"
SERVER, BATCHING, LIMITS, SECURITY = "Server", "Batching", "Limits", "Security"
PANELS = (SERVER, BATCHING, LIMITS, SECURITY, MODEL, DECODING, INPUT, SAFETY, HELP)  # the order help shows them in


@dataclass(frozen=True)
class ServeFlag:
    """How one :class:`ServeOptions` field appears on the command line (its type comes from the field)."""

    name: str
    help: str
    panel: str
    metavar: str | None = None
    negates: bool = False  # ``--no-batching`` sets ``batching=False``


SERVE_FLAGS: dict[str, ServeFlag] = {
    "host": ServeFlag("--host", "Address to listen on: 127.0.0.1 is this machine only; 0.0.0.0 (or ::) every "
                                "network, which anyone who reaches it may use unless --api-keys is given.",
                      SERVER, "ADDRESS"),
    "port": ServeFlag("--port", f"Port to listen on ({DEFAULT_PORT} is LibreTranslate's: its clients find "
                                "this server unchanged).", SERVER, "PORT"),
    "shutdown_timeout": ServeFlag("--shutdown-timeout", "After SIGTERM or Ctrl-C: seconds to finish the requests "
                                                        "in flight before they are cut.", SERVER, "SECONDS"),
    "access_log": ServeFlag("--no-access-log", "No access log line per request (client, method, path, status; "
                                               "never bodies, keys in the query string masked).", SERVER,
                            negates=True),
    "batching": ServeFlag("--no-batching", "Translate one request at a time, text by text (LibreTranslate's way), "
                                           "instead of decoding the sentences of all requests in flight together.",
                          BATCHING, negates=True),
    "batch_wait_ms": ServeFlag("--batch-wait-ms", "Milliseconds the batcher waits for more sentences to fill a "
                                                  "batch.", BATCHING, "MS"),
    "max_queue": ServeFlag("--max-queue", "Sentences waiting at most; requests beyond get 503 with Retry-After.",
                           BATCHING, "N"),
    "char_limit": ServeFlag("--char-limit", "Characters per text, at most (400 beyond; 0: no limit).", LIMITS, "N"),
    "batch_limit": ServeFlag("--batch-limit", "Texts per request, at most (400 beyond; 0: no limit).", LIMITS, "N"),
    "body_limit": ServeFlag("--body-limit", "Bytes per request body, at most (413 beyond; 0: no limit).", LIMITS,
                            "BYTES"),
    "req_limit": ServeFlag("--req-limit", "Requests per minute per API key or client address (429 beyond; 0: no "
                                          "limit).", LIMITS, "N"),
    "char_limit_per_minute": ServeFlag("--char-limit-per-minute", "Characters per minute per API key or client "
                                                                  "address (429 beyond; 0: no limit).", LIMITS, "N"),
    "api_keys": ServeFlag("--api-keys", "A file of API keys, one a line (or sha256:HEX of a key, so the file holds "
                                        "no secret): every request then needs one (LibreTranslate's api_key, "
                                        "DeepL's Authorization: DeepL-Auth-Key), else 403.", SECURITY, "FILE"),
    "allow_urls": ServeFlag("--allow-urls", "Let the API fetch URLs. Bare: public addresses only; with prefixes "
                                            "(repeatable): only URLs under them, the only way to reach a loopback "
                                            "or private address. Default: never.", SECURITY, "[PREFIX...]"),
    "cors": ServeFlag("--cors", "Let web pages from this origin call the API from a browser (repeatable; default: "
                                "none).", SECURITY, "ORIGIN"),
}

EngineOpt = Annotated[Literal["local", "ray"], typer.Option(
    "--engine", rich_help_panel=SERVER, help="local: this process (uvicorn); ray: a Ray Serve deployment behind "
                                             "Ray's HTTP proxy (RAY_ADDRESS joins a cluster, else a local one).")]
ReplicasOpt = Annotated[Optional[int], typer.Option(
    "--replicas", min=1, metavar="N", rich_help_panel=SERVER, show_default=False,
    help="Ray engine: replicas, each with its own model (default 1).")]


def _serve_param(name: str, hint: Any, default: Any) -> inspect.Parameter:
    """The typer parameter of one :class:`ServeOptions` field, its type read from ``hint``."""
    flag = SERVE_FLAGS[name]
    common: dict[str, Any] = {"help": flag.help, "rich_help_panel": flag.panel}
    if hint is bool:
        info = typer.Option(flag.name, metavar="", show_default=False, **common)
        return keyword_param(name, Annotated[bool, info], False)
    if hint in (int, float):
        info = typer.Option(flag.name, metavar=flag.metavar, min=0, max=65535 if name == "port" else None,
                            **common)
        return keyword_param(name, Annotated[hint, info], default)
    if "tuple" in str(hint):  # tuple[str, ...] (| None): a repeatable flag
        info = typer.Option(flag.name, metavar=flag.metavar, show_default=False, **common)
        return keyword_param(name, Annotated[Optional[list[str]], info], None)
    info = typer.Option(flag.name, metavar=flag.metavar, show_default=default is not None, **common)
    return keyword_param(name, Annotated[str if default is not None else Optional[str], info], default)


def serve_params() -> list[inspect.Parameter]:
    """One typer parameter per :class:`ServeOptions` field."""
    hints = get_type_hints(ServeOptions)
    return [_serve_param(f.name, hints[f.name], f.default) for f in dataclasses.fields(ServeOptions)]


def serve_options(kwargs: dict[str, Any]) -> ServeOptions:
    """Take the values of :func:`serve_params`' flags out of ``kwargs``, as a :class:`ServeOptions`."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(ServeOptions):
        value = kwargs.pop(f.name)
        if SERVE_FLAGS[f.name].negates:
            value = not value
        elif f.name == "allow_urls":  # bare --allow-urls arrives as "" (see allow_urls_values): public only
            value = None if value is None else tuple(v for v in value if v)
        elif f.name == "cors":
            value = tuple(value or ())
        values[f.name] = value
    return ServeOptions(**values)


def allow_urls_values(argv: list[str]) -> list[str]:
    """``--allow-urls`` takes no value, one, or several (``--allow-urls A B``): as one
    ``--allow-urls=VALUE`` per value (``=`` alone when bare), which click reads. The command has
    no positional argument, so a word after the flag can only be a prefix."""
    flag, i = SERVE_FLAGS["allow_urls"].name, 0
    out: list[str] = []
    while i < len(argv):
        word, i = argv[i], i + 1
        if word == "--":
            return [*out, word, *argv[i:]]
        if word != flag:
            out.append(word)
            continue
        values = []
        while i < len(argv) and not argv[i].startswith("-"):
            values.append(argv[i])
            i += 1
        out.extend(f"{flag}={value}" for value in values or [""])
    return out


def serve_command(**kwargs: Any) -> int:
    quiet_libraries()
    kwargs.pop("version", None)
    engine, replicas = kwargs.pop("engine"), kwargs.pop("replicas")
    if replicas is not None and engine != "ray":
        raise typer.BadParameter("replicas need the Ray engine (--engine ray)", param_hint="'--replicas'")
    load, decoding, pipeline = library_options(kwargs)
    options = serve_options(kwargs)
    if engine == "ray":
        from .ray_serve import run_ray

        return run_ray(load, decoding, pipeline, options, replicas=replicas or 1, prog=PROG)
    from .run import serve

    return serve(load, decoding, pipeline, options, prog=PROG)


_params = [*serve_params(), keyword_param("engine", EngineOpt, "local"),
           keyword_param("replicas", ReplicasOpt, None), *library_params(),
           keyword_param("version", bool, version_option("translate")), keyword_param("show_help", HelpOpt, False)]
serve_command.__signature__ = inspect.Signature(sorted(_params, key=panel_rank))  # type: ignore[attr-defined]
serve_command.__annotations__ = {p.name: p.annotation for p in _params}

app = new_app()
app.command(help="Serve translations over HTTP: LibreTranslate's API (/translate, /detect, /languages...), "
                 "DeepL's (/v2/translate), DeepLX's (/imme) and this tool's own (/v1/translate, /v1/summarize), "
                 "with a web page at / and metrics at /metrics. The model loads before the port opens; "
                 "SIGTERM or Ctrl-C finishes the requests in flight and exits 0.")(serve_command)


def epilog() -> str:
    """The end of ``--help``: how to try it offline, and who can reach it."""
    text = ("Listens on this machine only unless --host says otherwise. Models download once from the Hugging Face "
            "Hub; without network, -m takes a local model folder.")
    hint = toy_model_hint()
    if hint:
        text += f"\n\nTo try it offline on the toy model of this checkout: {PROG} {hint}"
    return text


def main(argv: list[str]) -> int:
    """``translate serve ARGS``: what the ``translate`` command runs when its first word is ``serve``."""
    return run(app, PROG, allow_urls_values(argv), epilog=epilog())
