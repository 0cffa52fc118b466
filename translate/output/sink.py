"""Writing results: stdout, or a file replaced atomically (temp file + fsync + rename).

A failed or interrupted run never leaves a half-written file: the previous file, if any, stays.
Only regular files (and new paths) are replaced that way. What is not a regular file is written
through, never replaced: a device such as ``/dev/null``, a FIFO, ``/dev/stdout``. A symlink stays a
symlink (the file it points to is replaced atomically); a read-only file is refused, even for
root; an existing file keeps its permissions.
"""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, TextIO

from ..errors import OutputError


class Writer(Protocol):
    """What the output is written to: stdout, or a file whose write errors are ``OutputError``s."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


@contextlib.contextmanager
def atomic_writer(path: str | Path) -> Iterator[Writer]:
    """Open ``path`` for writing; the file appears (or is replaced) only if the block succeeds.

    Errors raised inside the block propagate unchanged (after the temp file is removed); only
    failures to write the file itself become ``OutputError``.
    """
    shown = Path(path)
    target = Path(os.path.realpath(path))  # through symlinks: the link stays, its target is replaced
    if target.is_dir():
        raise OutputError(f"cannot write '{shown}': it is a directory", option="output")
    if target.exists() and not (target.stat().st_mode & 0o222):
        raise OutputError(f"'{shown}' is read-only; make it writable or choose another output", option="output")
    _remove_orphans(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".",
                                   prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write '{shown}': {exc.strerror or exc}", option="output") from None
    handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
    try:
        yield _Guarded(handle, target)
    except BaseException:
        handle.close()
        _unlink(tmp)
        raise
    try:
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        handle.close()
        _unlink(tmp)
        raise OutputError(f"cannot write '{shown}': {exc.strerror or exc}", option="output") from None


class _Guarded:
    """A file whose write errors (disk full...) are ``OutputError``s naming the output."""

    def __init__(self, handle: TextIO, target: Path) -> None:
        self._handle, self._target = handle, target

    def write(self, text: str) -> int:
        try:
            return self._handle.write(text)
        except OSError as exc:
            raise OutputError(f"cannot write '{self._target}': {exc.strerror or exc}", option="output") from None

    def flush(self) -> None:
        self._handle.flush()


def _remove_orphans(target: Path) -> None:
    """Delete temp files left by runs of ours that were killed (their process is gone)."""
    for tmp in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        pid = tmp.name[len(target.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            _unlink(str(tmp))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _writes_through(path: Path) -> bool:
    """True for what must be written to, not replaced: devices, FIFOs, sockets, and the process's
    own standard streams (``/dev/stdout`` and ``/proc/self/fd/N`` whatever they point to)."""
    if str(path) in ("/dev/stdout", "/dev/stderr") or str(path).startswith(("/dev/fd/", "/proc/self/fd/")):
        return True
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@contextlib.contextmanager
def _write_through(path: Path) -> Iterator[Writer]:
    try:
        handle = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise OutputError(f"cannot write '{path}': {exc.strerror or exc}", option="output") from None
    try:
        yield _Guarded(handle, path)
        handle.flush()
    except OSError as exc:
        raise OutputError(f"cannot write '{path}': {exc.strerror or exc}", option="output") from None
    finally:
        with contextlib.suppress(OSError):
            handle.close()


@contextlib.contextmanager
def open_output(path: str | Path | None) -> Iterator[Writer]:
    """stdout for ``None`` or ``"-"``; a device, FIFO or ``/dev/stdout`` written through; else an
    atomic file writer."""
    if path is None or str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
    elif _writes_through(Path(path)):
        with _write_through(Path(path)) as handle:
            yield handle
    else:
        with atomic_writer(path) as handle:
            yield handle
