"""The FastAPI app: every API's routes over one :class:`~translate.server.service.Service`, errors
in each API's own shape, metrics of every request, security (keys, limits, CORS, CSP) around all.

FastAPI (over Starlette) because it gives the OpenAPI document and typed routes for free while
leaving the raw request to us: LibreTranslate's and DeepL's clients send the same field as form
fields or JSON, repeated or as a list, which a plain Starlette request reads best (``http.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..version import __version__
from .errors import ApiError, error_response
from .metrics import Metrics
from .options import ServeOptions
from .service import Service

logger = logging.getLogger("translate.server")

def create_app(service: Service, options: ServeOptions | None = None) -> FastAPI:
    """The app serving ``service``; the caller owns its lifecycle (``run.py`` closes it)."""
    from .api import deepl, feed, imme, libretranslate, native, web
    from .security import Gate

    options = options or service.options
    app = FastAPI(title="translate serve", version=__version__, docs_url=None, redoc_url=None,
                  description="Translation with MarianMT models behind LibreTranslate-, DeepL- and "
                              "DeepLX-compatible endpoints, and this tool's own /v1 API.")
    gate = Gate(options)
    app.state.service, app.state.options, app.state.gate = service, options, gate

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return error_response(request.url.path, exc.status, exc.message, exc.retry_after)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "Invalid request"
        return error_response(request.url.path, exc.status_code, message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request.url.path, 400, "Invalid request")

    for module in (libretranslate, deepl, imme, native, feed, web):
        app.include_router(module.router)
    for router in extra_routes():
        app.include_router(router)
    app.add_middleware(Unexpected)
    gate.install(app)
    return MetricsMiddleware(HeadAsGet(app), service.metrics)  # type: ignore[return-value]


ROUTES_GROUP = "translate.server.routes"  # entry points: routes other packages add (summarize's /v1/summarize)


def extra_routes() -> list[APIRouter]:
    """The routers other installed packages offer (``translate`` imports none of them by name)."""
    from importlib.metadata import entry_points

    found = []
    for point in sorted(entry_points(group=ROUTES_GROUP), key=lambda p: p.name):
        try:
            router = point.load()
        except Exception as exc:  # noqa: BLE001 - a broken extension costs its routes, not the server
            logger.warning("routes %s not added: %s", point.name, exc)
            continue
        if isinstance(router, APIRouter):
            found.append(router)
    return found


class Unexpected:
    """A bug's exception answered as a 500 in the API's shape — the traceback to the log, never to
    the client — and *not* raised further: Starlette's outermost handler would re-raise it and the
    server would drop the keep-alive connection (and a pipelined request with it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            logger.error("unexpected error on %s", scope.get("path"), exc_info=exc)
            if not started:
                response = error_response(scope.get("path", ""), 500, "internal error; the server's log says why")
                await response(scope, receive, send)


class HeadAsGet:
    """HEAD answered wherever GET is (uptime checkers probe ``/health`` so): the GET's status and
    headers, no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def bodiless(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, bodiless)


class MetricsMiddleware:
    """Counts every request by endpoint (the route's path template) and status, and its latency."""

    def __init__(self, app: HeadAsGet, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics
        self.state = app.state

    def __getattr__(self, name: str) -> Any:  # the app's own attributes (routes, openapi, state...)
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            endpoint = _endpoint(scope)
            self.metrics.requests.labels(endpoint, str(status)).inc()
            self.metrics.latency.labels(endpoint).observe(time.perf_counter() - started)


def _endpoint(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


ASGI = ASGIApp
Handler = Callable[..., Awaitable[Response]]
