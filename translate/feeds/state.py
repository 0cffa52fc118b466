"""What a feed job remembers between runs, in one SQLite file: each feed's validators and last body (so a
304 costs nothing and still yields the feed), and each item's record (so a rerun works only on new or
changed items).

Several processes may share the file (WAL journal, a busy timeout, writes under ``BEGIN IMMEDIATE``),
and several threads one store (calls are serialised). Unlike the translation memory, which rebuilds a
broken cache silently, this file is the user's (``--state FILE`` may name it): a file that is not a
state store, or one of another schema, is refused with one ``InputError`` line and left as it is.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from ..errors import InputError, OutputError, TranslateError, first_line
from ..memory.store import default_memory_path
from ..sqlite_file import SQLiteFile, is_corrupt, open_wal, write

T = TypeVar("T")

FILE_NAME = "feed-state.sqlite"
APPLICATION = "translate feed state"
SCHEMA_VERSION = 1
MAX_BODY = 32 << 20  # a body larger than this is not kept (nor its validators: a 304 must find its body)
_CHUNK = 500  # bound parameters per IN (...) query, well under SQLite's limit

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS fetches (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, body BLOB, "
    "fetched_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS records (scope TEXT NOT NULL, key TEXT NOT NULL, record TEXT NOT NULL, "
    "updated_at REAL NOT NULL, PRIMARY KEY (scope, key))",
)


def default_state_path() -> Path:
    """``feed-state.sqlite`` in the translation memory's folder (``$TRANSLATE_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/translate``, else ``~/.cache/translate``), read from the environment now."""
    return default_memory_path().parent / FILE_NAME


DEFAULT_STATE = default_state_path()  # as the environment was at import (for help texts); None means the current one


class StateStore(SQLiteFile):
    """Feed validators and bodies by URL; item records (JSON objects) by ``(scope, key)``.

    ``scope`` is what the records depend on (a hash of the job's options), ``key`` one item (feed, item
    id, fingerprint). The file is opened, created or checked at once, so a bad ``path`` is said before
    any work: ``InputError`` (not a state store, another schema) or ``OutputError`` (cannot be created).
    Use as a context manager or call :meth:`close`; a closed store reopens on use, and a forked child
    opens its own connection."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(Path(path).expanduser() if path is not None else default_state_path())
        with self._lock:
            self._connection()

    # -- feeds ---------------------------------------------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """``(etag, last_modified)`` of the last 200 for ``url`` whose body is kept; ``(None, None)`` else."""
        def op(conn: sqlite3.Connection) -> tuple[str | None, str | None]:
            row = conn.execute("SELECT etag, last_modified FROM fetches WHERE url = ? AND body IS NOT NULL",
                               (_storable(url),)).fetchone()
            return (row[0], row[1]) if row else (None, None)

        return self._run(op, writing=False)

    def remember_fetch(self, url: str, *, etag: str | None, last_modified: str | None, body: bytes) -> None:
        """Keep a 200's validators and body (compressed). A body over ``MAX_BODY`` is not kept, nor then
        its validators: the next fetch is unconditional rather than a 304 with nothing to show."""
        blob: bytes | None = zlib.compress(body, 6) if len(body) <= MAX_BODY else None
        if blob is None:
            etag = last_modified = None

        def op(conn: sqlite3.Connection) -> None:
            with write(conn):
                conn.execute("INSERT OR REPLACE INTO fetches (url, etag, last_modified, body, fetched_at) "
                             "VALUES (?, ?, ?, ?, ?)", (_storable(url), etag and _storable(etag),
                                                         last_modified and _storable(last_modified), blob, time.time()))

        self._run(op, writing=True)

    def last_body(self, url: str) -> bytes | None:
        """The body kept for ``url``; None when there is none (or it does not decompress: fetch it
        again without validators)."""
        def op(conn: sqlite3.Connection) -> bytes | None:
            row = conn.execute("SELECT body FROM fetches WHERE url = ?", (_storable(url),)).fetchone()
            return row[0] if row else None

        blob = self._run(op, writing=False)
        if blob is None:
            return None
        inflater = zlib.decompressobj()
        try:
            body = inflater.decompress(blob, MAX_BODY + 1)
        except zlib.error:
            return None
        return body if inflater.eof and len(body) <= MAX_BODY else None

    # -- item records ----------------------------------------------------------------------------

    def get(self, scope: str, key: str) -> dict[str, Any] | None:
        """The record stored under ``(scope, key)``, or None (also for one that is not a JSON object)."""
        def op(conn: sqlite3.Connection) -> str | None:
            row = conn.execute("SELECT record FROM records WHERE scope = ? AND key = ?",
                               (_storable(scope), _storable(key))).fetchone()
            return row[0] if row else None

        text = self._run(op, writing=False)
        if text is None:
            return None
        try:
            record = json.loads(text)
        except ValueError:
            return None
        return record if isinstance(record, dict) else None

    def put(self, scope: str, key: str, record: dict[str, Any]) -> None:
        self.put_many(scope, [(key, record)])

    def put_many(self, scope: str, records: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Store records in one transaction (the newest wins). They are encoded before the write lock is
        taken, so a slow iterable never holds other processes up."""
        now, scope = time.time(), _storable(scope)
        rows = []
        for key, record in records:
            text = _encode(key, record)  # checks the types first
            rows.append((scope, _storable(key), text, now))
        if not rows:
            return

        def op(conn: sqlite3.Connection) -> None:
            with write(conn):
                conn.executemany("INSERT OR REPLACE INTO records (scope, key, record, updated_at) VALUES (?, ?, ?, ?)",
                                 rows)

        self._run(op, writing=True)

    def seen(self, scope: str, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` have a record in ``scope`` (queried in batches: SQLite bounds the variables)."""
        originals: dict[str, list[str]] = {}
        for key in keys:
            originals.setdefault(_storable(key), []).append(key)
        wanted, scope = list(originals), _storable(scope)

        def op(conn: sqlite3.Connection) -> set[str]:
            found: set[str] = set()
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start:start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(f"SELECT key FROM records WHERE scope = ? AND key IN ({marks})", [scope, *chunk])
                for (key,) in rows:
                    found.update(originals[key])
            return found

        return self._run(op, writing=False) if wanted else set()

    def forget(self, scope: str) -> int:
        """Remove every record of ``scope``; returns how many there were."""
        def op(conn: sqlite3.Connection) -> int:
            with write(conn):
                return conn.execute("DELETE FROM records WHERE scope = ?", (_storable(scope),)).rowcount

        return self._run(op, writing=True)

    # -- life ------------------------------------------------------------------------------------

    # -- internals -------------------------------------------------------------------------------

    def _run(self, op: Callable[[sqlite3.Connection], T], *, writing: bool) -> T:
        """Run ``op`` on the connection; any SQLite failure becomes one line naming the file."""
        with self._lock:
            conn = self._connection()
            try:
                return op(conn)
            except sqlite3.Error as exc:
                if is_corrupt(exc):
                    raise self._not_a_store(first_line(exc)) from None
                error = OutputError if writing else InputError
                raise error(f"the feed state {self.path} could not be {'written' if writing else 'read'} "
                            f"({first_line(exc)})", option="state") from None

    def _connection(self) -> sqlite3.Connection:
        current = self._current()
        if current is not None:
            return current
        if self.path.is_dir():
            raise InputError(f"the feed state {self.path} is a folder, not a file; give a file", option="state")
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        except OSError as exc:
            raise OutputError(f"the feed state {self.path} cannot be created or written "
                              f"({exc.strerror or first_line(exc)})", option="state") from None
        try:
            conn = open_wal(self.path, check=self._check_schema)  # refused before WAL mode touches the file
        except sqlite3.Error as exc:
            if is_corrupt(exc):
                raise self._not_a_store(first_line(exc)) from None
            raise self._unopenable(exc) from None
        return self._keep(conn)

    def _check_schema(self, conn: sqlite3.Connection) -> None:
        """Make the tables in an empty file; refuse a file that holds anything else."""
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            with write(conn):  # another process may be making them too: IF NOT EXISTS, OR IGNORE
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.executemany("INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)",
                                 [("application", APPLICATION), ("schema", str(SCHEMA_VERSION))])
        meta = dict(conn.execute("SELECT name, value FROM meta").fetchall()) if "meta" in tables or not tables else {}
        if meta.get("application") != APPLICATION:
            raise self._not_a_store("it holds other data")
        if meta.get("schema") != str(SCHEMA_VERSION):
            raise self._not_a_store(f"schema {meta.get('schema')}, this version reads schema {SCHEMA_VERSION}")

    def _unopenable(self, exc: sqlite3.Error) -> TranslateError:
        return InputError(f"the feed state {self.path} cannot be opened ({first_line(exc)})", option="state")

    def _not_a_store(self, cause: str) -> TranslateError:
        return InputError(f"{self.path} is not a feed state file this version can use ({cause}); "
                          f"remove it or give another state file", option="state")


def _storable(text: str) -> str:
    """``text`` as SQLite can store it: a lone surrogate (a broken feed's id) has no UTF-8, so its bytes are
    written as escapes instead — the same every time, so a key still finds its record."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "backslashreplace")
    return text


def _encode(key: str, record: dict[str, Any]) -> str:
    """A record as JSON text; escaped to ASCII only when it holds what UTF-8 cannot store (a lone surrogate)."""
    if not isinstance(key, str) or not isinstance(record, dict):
        raise TypeError("put_many takes (key: str, record: dict) pairs")
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(record, separators=(",", ":"))
    return text
