"""Where a corpus's outputs go: document ids turned into safe file names, and writes that stay
inside the output folder.

An id comes from someone else's file, so it becomes a file name only through :class:`Names`
(the id itself is kept unchanged in every record):

* a folder corpus's id is the file's relative path: each of its parts is escaped, and the output
  mirrors the input's folders; any other id is one name (its ``/`` escaped too);
* an id that is not a string is its JSON text (``1`` → ``1``, ``null`` → ``null``);
* percent-escaped (``%XX``, the UTF-8 bytes): ``%`` itself, ``/`` and ``\\``, control characters,
  lone surrogates, the characters Windows forbids (``<>:"|?*``), a leading ``.`` (no hidden files,
  no ``..``) and the first letter of a Windows reserved name (``CON``, ``NUL``, ``COM1``…);
* an empty id is ``_``; a name longer than 120 bytes keeps its first 100 bytes, then ``-`` and 16
  hex digits of the SHA-256 of the id's part;
* the format's suffix is added unless the name has it already;
* a name already taken in the run — compared ignoring case and Unicode normalization, so the
  folder copies intact to macOS and Windows; the manifest's name is taken from the start — gets
  ``~2``, ``~3``… before its suffix, in corpus order: never an overwrite, never an error.

Writes (:func:`write_inside`): every folder below the output folder is opened without following
links, and a linked folder is refused (``OutputError``); a file is written to a temp file in its
folder and renamed over its name, so a link in its place is replaced itself, never followed.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import secrets
import unicodedata
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from ..errors import OutputError

ESCAPED = frozenset('%/\\<>:"|?*')
RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10))})
MAX_NAME, KEEP = 120, 100  # bytes of a name; of a long name's start, before its hash


class Names:
    """Safe, unique relative paths for the documents of one run, given in corpus order (a resumed
    run replays the names of the documents it skips, so that it takes the same ones)."""

    def __init__(self, suffix: str, nested: bool, reserved: tuple[str, ...] = ()) -> None:
        self.suffix, self.nested = suffix, nested
        self._taken = {_key(name) for name in reserved}
        self._folders: dict[str, str] = {}  # a folder's key → the name it was given

    def place(self, ident: Any) -> str:
        """The relative path (``/``-separated) of the document ``ident``'s output."""
        text = ident if isinstance(ident, str) else json.dumps(ident, ensure_ascii=False, sort_keys=True)
        parts = text.split("/") if self.nested else [text]
        parent = ""
        for part in parts[:-1]:
            parent = self._folder(parent, _shorten(escape(part), part))
        name = escape(parts[-1])
        stem = name[: -len(self.suffix)] if PurePosixPath(name).suffix == self.suffix else name
        stem = _shorten(stem, parts[-1])
        return self._claim(parent, lambda n: f"{stem}~{n}{self.suffix}" if n > 1 else stem + self.suffix)

    def _folder(self, parent: str, name: str) -> str:
        key = _key(_join(parent, name))
        if key not in self._folders:
            self._folders[key] = self._claim(parent, lambda n: f"{name}~{n}" if n > 1 else name)
        return self._folders[key]

    def _claim(self, parent: str, candidate: Callable[[int], str]) -> str:
        """The first of ``candidate(1)``, ``candidate(2)``… in ``parent`` not taken yet, now taken."""
        n = 1
        while _key(_join(parent, candidate(n))) in self._taken:
            n += 1
        path = _join(parent, candidate(n))
        self._taken.add(_key(path))
        return path


def escape(part: str) -> str:
    """One part of an id as a file name that is valid, visible and inert on every common system."""
    if not part:
        return "_"
    name = "".join(_percent(c) if c in ESCAPED or ord(c) < 32 or ord(c) == 127 or "\ud800" <= c <= "\udfff" else c
                   for c in part)
    if name.startswith(".") or name.split(".")[0].rstrip(" ").upper() in RESERVED:
        name = _percent(name[0]) + name[1:]
    return name


def _percent(c: str) -> str:
    return "".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))


def _shorten(name: str, original: str) -> str:
    if len(name.encode("utf-8")) <= MAX_NAME:
        return name
    cut, size = 0, 0
    while size + len(name[cut].encode("utf-8")) <= KEEP:
        size += len(name[cut].encode("utf-8"))
        cut += 1
    start = name[:cut]
    if "%" in start[-2:]:  # never half an escape
        start = start[: start.rindex("%")]
    return f"{start}-{hashlib.sha256(original.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"


def _key(path: str) -> str:
    return unicodedata.normalize("NFC", path.casefold())


def _join(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


def write_inside(root: str, rel: str, text: str) -> None:
    """Write ``text`` to ``root/rel`` (``rel`` from :class:`Names`), never through a link below ``root``."""
    *folders, name = rel.split("/")
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)  # the output folder itself: the user named it
    except OSError as exc:
        raise OutputError(f"cannot write '{root}': {exc.strerror or exc}", option="output") from None
    try:
        for depth, folder in enumerate(folders, 1):
            child = _subfolder(fd, folder, os.path.join(root, *folders[:depth]))
            os.close(fd)
            fd = child
        _replace(fd, name, text, os.path.join(root, rel))
    finally:
        os.close(fd)


def _subfolder(parent: int, name: str, shown: str) -> int:
    """Open (made if missing) the folder ``name`` in ``parent``, not following a link."""
    try:
        try:
            os.mkdir(name, dir_fd=parent)
        except FileExistsError:
            pass
        return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(shown):
            raise OutputError(f"'{shown}' is a symbolic link: a corpus is never written through one; remove it",
                              option="output") from None
        raise OutputError(f"cannot write '{shown}': {exc.strerror or exc}", option="output") from None


def _replace(folder: int, name: str, text: str, shown: str) -> None:
    tmp = f".{name[:100]}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666, dir_fd=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape", newline="\n") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            os.unlink(tmp, dir_fd=folder)
            raise
    except OSError as exc:
        raise OutputError(f"cannot write '{shown}': {exc.strerror or exc}", option="output") from None


def open_nofollow(path: str, flags: int) -> int:
    """``os.open`` that refuses a symbolic link at ``path`` (a journal is appended to in place)."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(f"'{path}' is a symbolic link: a corpus is never written through one; remove it",
                              option="output") from None
        raise OutputError(f"cannot write '{path}': {exc.strerror or exc}", option="output") from None
