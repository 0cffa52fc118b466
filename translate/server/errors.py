"""Errors the endpoints raise, answered in the shape of the API that was called (``app.py``)."""

from __future__ import annotations

from collections.abc import Callable
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


def error_response(path: str, status: int, message: str, retry_after: float | None = None) -> JSONResponse:
    headers = {"Retry-After": str(max(1, round(retry_after)))} if retry_after is not None else None
    return JSONResponse(error_shape(path)(message), status_code=status, headers=headers)
