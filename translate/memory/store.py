"""A SQLite translation memory: sentence translations keyed by (context, normalised source).

The *context* is a dict of everything that changes the output (model id, revision, backend,
decoding options, ...). It is hashed into the key, so an entry made by another model or
option set is never served.

Robustness rules (the cache must never break a translation):

* The database opens lazily, on first use; constructing or importing does nothing on disk.
* WAL journal, 30 s busy timeout, ``synchronous=NORMAL`` and writes under ``BEGIN IMMEDIATE``,
  plus a few retries on "database is locked": several processes can share one file.
* A corrupt file ("file is not a database", "malformed") is moved aside to
  ``<name>.corrupt-<timestamp>`` (with its ``-wal``/``-shm``), an empty one is built in its
  place and a :class:`CacheWarning` is emitted.
* If the location cannot be created or written (read-only folder, a path under a file, ...)
  a :class:`CacheWarning` is emitted and the memory becomes a no-op: ``get_many`` returns
  ``{}``, ``put_many`` does nothing. Any other SQLite failure degrades the same way.
* An instance may be used from several threads (calls are serialised by a lock); after a
  ``fork`` the child silently opens its own connection.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import sqlite3
import sys
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, Protocol, TypeVar

from ..sqlite_file import BUSY_TIMEOUT_S, SQLiteFile, is_corrupt, open_wal, write

T = TypeVar("T")

FILE_NAME = "memory.sqlite3"
SCHEMA_VERSION = 1
_RETRIES = 4            # attempts per operation when SQLite still reports "locked"/"busy"
_CHUNK = 500            # bound parameters per IN (...) query, well under SQLite's limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    context_key TEXT NOT NULL,
    source      TEXT NOT NULL,
    translation TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  REAL NOT NULL,
    PRIMARY KEY (context_key, source)
) WITHOUT ROWID
"""


class CacheWarning(UserWarning):
    """The translation memory had a problem and worked around it (translation goes on)."""


def default_memory_path() -> Path:
    """``$TRANSLATE_CACHE_DIR/memory.sqlite3``, else ``$XDG_CACHE_HOME/translate/memory.sqlite3``,
    else ``~/.cache/translate/memory.sqlite3``."""
    if directory := os.environ.get("TRANSLATE_CACHE_DIR"):
        return Path(directory).expanduser() / FILE_NAME
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "translate" / FILE_NAME


def canonical_source(source: str) -> str:
    """The form a source sentence is stored under: Unicode NFC, with leading/trailing whitespace
    removed and every internal run of whitespace (anything ``str.split()`` splits on: spaces,
    tabs, newlines, NBSP, ideographic space, ...) replaced by one ASCII space."""
    return " ".join(unicodedata.normalize("NFC", source).split())


def _json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    raise TypeError(f"translation-memory context value {value!r} is not JSON-serialisable")


def context_key(context: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the context's canonical JSON (sorted keys, no ASCII escaping, compact).

    Dataclasses, paths and sets are converted; other non-JSON values raise ``TypeError``.
    """
    canonical = json.dumps(context, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                           default=_json_default)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Memory(Protocol):
    """What the pipeline needs from a translation memory (see :class:`TranslationMemory`)."""

    def get_many(self, context: Mapping[str, Any], sources: Sequence[str]) -> dict[str, tuple[str, str]]: ...
    def put_many(self, context: Mapping[str, Any], items: Iterable[tuple[str, str, str]]) -> None: ...
    def stats(self) -> dict[str, Any]: ...
    def clear(self, context: Mapping[str, Any] | None = None) -> int: ...
    def close(self) -> None: ...


class NullMemory:
    """A memory that remembers nothing (``--no-cache``): same API as :class:`TranslationMemory`."""

    path: Path | None = None

    def get_many(self, context: Mapping[str, Any], sources: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Always ``{}``."""
        return {}

    def put_many(self, context: Mapping[str, Any], items: Iterable[tuple[str, str, str]]) -> None:
        """Does nothing."""

    def stats(self) -> dict[str, Any]:
        """Zero entries, no path."""
        return {"path": None, "entries": 0, "size_bytes": 0, "contexts": 0, "enabled": False}

    def clear(self, context: Mapping[str, Any] | None = None) -> int:
        """Removes nothing: returns 0."""
        return 0

    def close(self) -> None:
        """Nothing to close."""

    def __enter__(self) -> NullMemory:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _is_locked(exc: sqlite3.Error) -> bool:
    message = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in message or "busy" in message)


class TranslationMemory(SQLiteFile):
    """Sentence translations in a SQLite file, keyed by ``(context_key(context), canonical_source(source))``.

    ``path`` defaults to :func:`default_memory_path`. Nothing touches the disk until first use.
    A folder it creates gets mode 0o700 and a database file it creates 0o600 (existing ones are
    left as they are). Use as a context manager or call :meth:`close`; closed memories reopen on use.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(Path(path).expanduser() if path is not None else default_memory_path())
        self._disabled = False

    # -- public API ---------------------------------------------------------------------------

    def get_many(self, context: Mapping[str, Any], sources: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Cached ``(translation, status)`` for each source that has one, keyed by the caller's
        *original* source strings (lookup is by their normalised form, so several originals may
        share one entry). Misses, and sources whose canonical form is ``""``, are absent."""
        by_norm: dict[str, list[str]] = {}
        for source in sources:
            if norm := canonical_source(source):
                by_norm.setdefault(norm, []).append(source)
        if not by_norm:
            return {}
        key = context_key(context)

        def op(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
            found: dict[str, tuple[str, str]] = {}
            norms = list(by_norm)
            for start in range(0, len(norms), _CHUNK):
                chunk = norms[start:start + _CHUNK]
                rows = conn.execute(
                    f"SELECT source, translation, status FROM translations "
                    f"WHERE context_key = ? AND source IN ({','.join('?' * len(chunk))})", [key, *chunk])
                for norm, translation, status in rows:
                    for original in by_norm[norm]:
                        found[original] = (translation, status)
            return found

        return self._run(op, {}, "read from")

    def put_many(self, context: Mapping[str, Any], items: Iterable[tuple[str, str, str]]) -> None:
        """Store ``(source, translation, status)`` items in one transaction (``INSERT OR REPLACE``:
        the newest wins). Sources whose canonical form is ``""`` are skipped."""
        key = context_key(context)
        now = time.time()
        rows = []
        for source, translation, status in items:
            if not all(isinstance(v, str) for v in (source, translation, status)):
                raise TypeError("put_many items must be (source, translation, status) strings")
            if norm := canonical_source(source):
                rows.append((key, norm, translation, status, now))
        if not rows:
            return

        def op(conn: sqlite3.Connection) -> None:
            with write(conn):
                conn.executemany("INSERT OR REPLACE INTO translations "
                                 "(context_key, source, translation, status, created_at) VALUES (?, ?, ?, ?, ?)",
                                 rows)

        self._run(op, None, "write to")

    def stats(self) -> dict[str, Any]:
        """``path``, ``entries``, ``contexts`` (distinct context keys), ``size_bytes`` (database
        plus its ``-wal``/``-shm`` files) and ``enabled`` (False once degraded to a no-op)."""

        def op(conn: sqlite3.Connection) -> tuple[int, int]:
            return conn.execute("SELECT COUNT(*), COUNT(DISTINCT context_key) FROM translations").fetchone()

        entries, contexts = self._run(op, (0, 0), "read from")
        size = 0
        for name in (self.path, *_companions(self.path)):
            try:
                size += name.stat().st_size
            except OSError:
                pass
        return {"path": str(self.path), "entries": entries, "size_bytes": size, "contexts": contexts,
                "enabled": not self._disabled}

    def clear(self, context: Mapping[str, Any] | None = None) -> int:
        """Remove the entries of one context, or all entries when ``context`` is None (then the
        file is also vacuumed and the WAL truncated). Returns the number of rows removed."""
        key = None if context is None else context_key(context)

        def op(conn: sqlite3.Connection) -> int:
            with write(conn):
                if key is None:
                    return conn.execute("DELETE FROM translations").rowcount
                return conn.execute("DELETE FROM translations WHERE context_key = ?", (key,)).rowcount

        removed = self._run(op, 0, "clear")
        if key is None and not self._disabled:
            def shrink(conn: sqlite3.Connection) -> None:
                conn.execute("VACUUM")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

            self._run(shrink, None, "vacuum")
        return removed

    def __enter__(self) -> TranslationMemory:
        return self

    # -- internals ----------------------------------------------------------------------------

    def _run(self, op: Callable[[sqlite3.Connection], T], fallback: T, action: str) -> T:
        """Run ``op`` on the connection: retry while locked, rebuild once if corrupt, and on any
        other failure warn and degrade to a no-op. Returns ``fallback`` when it cannot run."""
        with self._lock:
            rebuilt = False
            for attempt in range(_RETRIES):
                try:
                    conn = self._connection()
                    if conn is None:
                        return fallback
                    return op(conn)
                except sqlite3.Error as exc:
                    if _is_locked(exc):
                        if attempt + 1 < _RETRIES:
                            time.sleep(0.05 * 2 ** attempt + random.uniform(0, 0.05))
                            continue
                        _warn(f"translation memory {self.path} stayed locked; could not {action} it "
                              f"this time ({exc})")
                        return fallback
                    if is_corrupt(exc) and not rebuilt:
                        rebuilt = True
                        if self._quarantine(exc):
                            continue
                        return fallback
                    self._disable(f"could not {action} it ({exc})")
                    return fallback
                except OSError as exc:
                    self._disable(f"could not {action} it ({exc})")
                    return fallback
            return fallback  # pragma: no cover - the loop always returns

    def _connection(self) -> sqlite3.Connection | None:
        """The open connection, opening (and creating) the database on first use."""
        if self._disabled:
            return None
        current = self._current()
        if current is not None:
            return current
        try:
            _make_private_dir(self.path.parent)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
        except OSError as exc:
            self._disable(f"its location cannot be created or written ({exc})")
            return None
        conn = open_wal(self.path, BUSY_TIMEOUT_S)
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                with write(conn):
                    conn.execute(_SCHEMA)
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            conn.close()
            raise
        return self._keep(conn)

    def _quarantine(self, exc: sqlite3.Error) -> bool:
        """Move a corrupt database (and its -wal/-shm) aside and warn; True if it was moved."""
        self.close()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            n += 1
        try:
            os.replace(self.path, target)
            for companion, suffix in zip(_companions(self.path), ("-wal", "-shm")):
                if companion.exists():
                    os.replace(companion, target.with_name(target.name + suffix))
        except OSError as err:
            self._disable(f"it is corrupt ({exc}) and could not be moved aside ({err})")
            return False
        _warn(f"translation memory {self.path} was corrupt ({exc}); moved it to {target.name} "
              f"and started an empty one")
        return True

    def _disable(self, reason: str) -> None:
        """Warn once and turn this memory into a no-op for the rest of its life."""
        self.close()
        if not self._disabled:
            self._disabled = True
            _warn(f"translation memory {self.path} disabled: {reason}; translating without it")


def _companions(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def _make_private_dir(directory: Path) -> None:
    """Create ``directory`` (mode 0o700) and missing parents; an existing folder is left alone."""
    if directory.is_dir():
        return
    directory.parent.mkdir(parents=True, exist_ok=True)
    try:
        directory.mkdir(mode=0o700)
    except FileExistsError:
        if not directory.is_dir():
            raise
        return  # another process made it first
    os.chmod(directory, 0o700)


def _warn(message: str) -> None:
    """Emit a :class:`CacheWarning` attributed to the first caller outside this module."""
    level = 2
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__:
        level, frame = level + 1, frame.f_back
    warnings.warn(message, CacheWarning, stacklevel=level)
