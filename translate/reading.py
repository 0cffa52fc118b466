"""Reading input: bytes from a path or stdin, decoded to text with normalised line endings."""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import InputError

STDIN = "-"


def read_bytes(source: str | Path) -> bytes:
    """Read raw bytes from a file path, or from stdin when ``source`` is ``"-"``."""
    if str(source) == STDIN:
        return sys.stdin.buffer.read()
    path = Path(source)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"cannot read '{path}': no such file") from None
    except IsADirectoryError:
        raise InputError(f"cannot read '{path}': it is a directory") from None
    except PermissionError:
        raise InputError(f"cannot read '{path}': permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read '{path}': {exc.strerror or exc}") from None


def decode(data: bytes, encoding: str | None = None, name: str = "input") -> str:
    """Decode input bytes: UTF-8 with or without BOM, unless ``encoding`` says otherwise.

    Line endings (CRLF, CR) become LF.
    """
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise InputError(f"unknown encoding '{encoding}'") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{name} is not valid {encoding} (byte {exc.start})") from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name} is not valid UTF-8 (byte {exc.start}); pass --encoding (e.g. gb18030, big5)"
            ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(source: str | Path, encoding: str | None = None) -> str:
    """Read and decode a document from a path or ``"-"`` (stdin)."""
    name = "stdin" if str(source) == STDIN else f"'{source}'"
    return decode(read_bytes(source), encoding, name)
