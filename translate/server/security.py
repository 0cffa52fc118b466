"""Who may call, how much, and what the server may fetch: API keys, rate and character limits,
URL permissions (SSRF), CORS and the page's Content-Security-Policy. (Placeholder: filled in by
the security work; the interface is what the endpoints call.)"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request

from .options import ServeOptions


class Gate:
    def __init__(self, options: ServeOptions) -> None:
        self.options = options

    def admit(self, request: Request, *, key: str | None, characters: int = 0) -> None:
        """Raise ApiError 403 (no valid key when keys are on) or 429 (over a rate or character limit)."""

    def check_url(self, url: str) -> None:
        """Raise ApiError 403 unless the server may fetch ``url`` (``--allow-urls``)."""
        from .errors import ApiError

        raise ApiError(403, "fetching URLs is off on this server")

    def install(self, app: FastAPI) -> None:
        """CORS (only ``--cors`` origins) and security headers."""
