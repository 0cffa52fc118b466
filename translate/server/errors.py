"""Errors the endpoints raise, answered in the shape of the API that was called (``app.py``)."""

from __future__ import annotations


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
