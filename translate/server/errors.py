"""Errors the endpoints raise, answered in the shape of the API that was called (``app.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    """A request the server refuses or cannot serve: its HTTP status, a message meant for the
    client (never a traceback, a path or a model file's name) and, for 429/503, when to retry."""

    def __init__(self, status: int, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


class QueueFull(ApiError):
    """More sentences are waiting than the server takes (``--max-queue``): try again shortly."""

    def __init__(self, retry_after: float = 1.0) -> None:
        super().__init__(503, "the server is busy: too many texts are waiting to be translated; retry shortly",
                         retry_after=retry_after)


ErrorShape = Callable[[str], dict[str, Any]]


def error_shape(path: str) -> ErrorShape:
    """How the API at ``path`` words an error: DeepL ``{"message"}``, the others ``{"error"}``."""
    if path.startswith("/v2/"):
        return lambda message: {"message": message}
    return lambda message: {"error": message}


class AsciiJSON(JSONResponse):
    """JSON written as ASCII: an error that quotes what a client sent (a lone surrogate from a JSON
    escape included) can always be encoded, so a 400 never turns into a 500."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def error_response(path: str, status: int, message: str, retry_after: float | None = None,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    """An error in the shape of the API at ``path``; ``Retry-After`` for 429/503, ``headers`` kept
    (a 405's ``Allow``)."""
    out = dict(headers or {})
    if retry_after is not None:
        out["Retry-After"] = str(max(1, round(retry_after)))
    return AsciiJSON(error_shape(path)(message), status_code=status, headers=out or None)
