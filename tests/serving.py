"""Start ``translate serve``'s app on 127.0.0.1 (a free port) in a thread of the test process,
and stop it afterwards. Ready is an event (uvicorn's ``started``), never a guessed delay."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

TOY_ZH_EN = Path(__file__).resolve().parent / "toy" / "toy-zh-en"


@dataclass
class Running:
    url: str
    app: Any
    service: Any
    server: Any


@contextlib.contextmanager
def serving(translator: Any = None, *, options: Any = None, **option_values: Any) -> Iterator[Running]:
    """The app over ``translator`` (default: the toy zh→en model, no memory) at ``Running.url``."""
    import uvicorn

    from translate import Translator
    from translate.server.app import create_app
    from translate.server.options import ServeOptions
    from translate.server.service import Service

    translator = translator or Translator(str(TOY_ZH_EN), cache=False)
    options = replace(options or ServeOptions(), port=0, **option_values)
    service = Service(translator, options)
    app = create_app(service, options)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the test server did not start")
            threading.Event().wait(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield Running(f"http://127.0.0.1:{port}", app, service, server)
    finally:
        server.should_exit = True
        thread.join(30)
        service.close()
