"""What the project's two SQLite files (the translation memory, the feed state store) share: one
connection per process, opened in WAL mode with a busy timeout (several processes may use the
file at once), never used or closed in a forked child, a lock for threads, closed on exit."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from collections.abc import Callable
from typing import Any

BUSY_TIMEOUT_S = 30.0  # another process's write transaction is waited for, not an error
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


def is_corrupt(exc: sqlite3.Error) -> bool:
    """Whether SQLite says the file is damaged or not a database at all (by its error code, else its words)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _CORRUPT_CODES
    message = str(exc).lower()
    return "file is not a database" in message or "malformed" in message


def open_wal(path: Path, busy_timeout_s: float = BUSY_TIMEOUT_S, *,
             check: Callable[[sqlite3.Connection], None] | None = None) -> sqlite3.Connection:
    """A connection to ``path`` (autocommit, usable from any thread under the owner's lock) in WAL mode.
    ``check`` runs first and may refuse the file: WAL mode is written into the file, and a file that is
    not ours must be left as it was."""
    conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        if check is not None:
            check(conn)
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
        conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


class SQLiteFile:
    """A file's per-process connection: ``_current()`` is it (None when not open in this process),
    ``_keep(conn)`` records a new one; :meth:`close` and the context manager end it."""

    path: Path

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._pid: int | None = None
        self._lock = threading.RLock()

    def _current(self) -> sqlite3.Connection | None:
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        self._conn = None  # a connection inherited across fork is never used (nor closed) here
        return None

    def _keep(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        self._conn, self._pid = conn, os.getpid()
        return conn

    def close(self) -> None:
        """Close the connection (it reopens on next use)."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                try:
                    self._conn.close()
                except sqlite3.Error:
                    pass
            self._conn = None

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"


class write:
    """``with write(conn):`` an ``IMMEDIATE`` transaction (the write lock taken up front, so the busy
    timeout applies), committed on success and rolled back on error."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            if exc_type is None:
                self.conn.execute("COMMIT")
        finally:
            if self.conn.in_transaction:  # an error, or a failed COMMIT
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
