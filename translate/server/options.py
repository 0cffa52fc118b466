"""Every setting of the server, in one typed object (the ``serve`` command's flags derive from it)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError

DEFAULT_PORT = 5000  # LibreTranslate's: clients configured for it find this server unchanged


@dataclass(frozen=True)
class ServeOptions:
    """How the server listens, batches and protects itself.

    Limits of ``0`` mean none. ``allow_urls``: ``None`` — the API never fetches a URL; ``()`` —
    public addresses only; prefixes — only URLs under them (the only way to reach a loopback,
    private or link-local address). ``api_keys``: a file of keys (one a line, or ``sha256:HEX``);
    ``None`` — no key needed.
    """

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    # batching
    batching: bool = True            # off: one request at a time, text by text (LibreTranslate's way)
    batch_wait_ms: float = 5.0       # how long the batcher waits to fill a batch
    max_queue: int = 4096            # sentences waiting at most; beyond: 503 with Retry-After (0: no bound)
    # limits
    char_limit: int = 5000           # characters per text (LibreTranslate's default wording on excess)
    batch_limit: int = 128           # texts per request
    body_limit: int = 2 << 20        # bytes per request body (413 beyond)
    req_limit: int = 0               # requests per minute per key or address (429 beyond)
    char_limit_per_minute: int = 0   # characters per minute per key or address (429 beyond)
    api_keys: str | None = None
    allow_urls: tuple[str, ...] | None = None
    cors: tuple[str, ...] = ()
    # lifecycle
    shutdown_timeout: float = 30.0   # seconds to finish requests in flight after SIGTERM / Ctrl-C
    access_log: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise UsageError(f"port must be between 0 and 65535, not {self.port}", option="port")
        for name in ("max_queue", "char_limit", "batch_limit", "body_limit", "req_limit", "char_limit_per_minute"):
            if getattr(self, name) < 0:
                raise UsageError(f"{name.replace('_', ' ')} must be at least 0, not {getattr(self, name)}",
                                 option=name)
        if self.batch_wait_ms < 0:
            raise UsageError(f"batch wait must be at least 0 ms, not {self.batch_wait_ms:g}", option="batch_wait_ms")
