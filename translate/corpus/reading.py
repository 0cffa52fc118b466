"""Reading a corpus: a folder of files, a JSONL file or a Parquet file, as a stream of documents.

Each document is an :class:`Item`: its position in the corpus (the order of the output), its
id, the fields carried through to the output, and either its text (JSONL, Parquet) or its
path (a folder: the file is read by whoever processes it, so a Ray actor reads its own files).
A record that cannot be read (bad JSON, nested deeper than ``MAX_DEPTH``, no text field, text
with a lone surrogate) is an item with an ``error``: it is recorded in the output and the run
goes on. So is the rest of a truncated or corrupt ``.jsonl.gz``, with a warning naming the file.
A UTF-8 BOM before the first line is skipped; Parquet values JSON cannot hold become text (dates
and times in ISO 8601, decimals as written, binary as UTF-8 text).
"""

from __future__ import annotations

import codecs
import datetime
import decimal
import json
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, BinaryIO

from ..errors import InputError, UsageError, first_line

MANIFEST = "_corpus.jsonl"  # a folder output's record of every document (and its resume journal)
MAX_DEPTH = 128  # JSON nesting a record may have: deeper ones could not be written back safely


class CorpusWarning(UserWarning):
    """Something in a corpus the user must know about (the run goes on)."""


@dataclass
class Item:
    """One document of a corpus."""

    position: int
    id: Any
    fields: dict[str, Any] = field(default_factory=dict)  # carried through to the output, in order
    text: str | None = None
    path: str | None = None       # a file of a folder corpus
    error: str | None = None      # unreadable record: recorded, not processed

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> Item:
        return cls(**json.loads(line))


def corpus_kind(path: str) -> str | None:
    """``folder``, ``jsonl`` or ``parquet`` for a corpus input; ``None`` for a single document."""
    if path != "-" and Path(path).is_dir():
        return "folder"
    name = path.lower()
    if name.endswith((".jsonl", ".ndjson", ".jsonl.gz")):
        return "jsonl"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    return None


@dataclass(frozen=True)
class CorpusInput:
    """Where the documents come from, and how to read them."""

    path: str
    kind: str                     # folder, jsonl or parquet
    glob: str = "*"
    text_field: str = "text"
    id_field: str = "id"

    def __post_init__(self) -> None:
        why = _glob_problem(self.glob) if self.kind == "folder" else None
        if why:
            raise UsageError(f"invalid glob '{self.glob}': {why}", option="glob")

    def count(self) -> int | None:
        """How many documents (cheap: file names, lines, Parquet metadata), for progress."""
        try:
            if self.kind == "folder":
                return sum(1 for _ in self._files())
            if self.kind == "parquet":
                import pyarrow.parquet as pq

                return pq.ParquetFile(self.path).metadata.num_rows
            with _open_text(self.path) as f:
                return sum(1 for _ in _lines(f))
        except (OSError, EOFError, zlib.error, ImportError):  # a corrupt file: _jsonl records it
            return None

    def items(self, skip: int = 0) -> Iterator[Item]:
        """The documents in corpus order, from the ``skip``-th on (a resumed run)."""
        reader = {"folder": self._folder, "jsonl": self._jsonl, "parquet": self._parquet}[self.kind]
        for item in reader():
            if item.position >= skip:
                yield item

    def _files(self) -> Iterator[Path]:
        root = Path(self.path)
        found = []
        for f in root.rglob(self.glob):
            rel = f.relative_to(root)
            if any(part.startswith(".") for part in rel.parts) or not f.is_file():
                continue  # hidden files and folders (.git, .DS_Store), and folders matching the glob
            found.append(rel)
        yield from (root / rel for rel in sorted(found, key=lambda r: r.as_posix()))

    def _folder(self) -> Iterator[Item]:
        root = Path(self.path)
        for n, f in enumerate(self._files()):
            yield Item(n, f.relative_to(root).as_posix(), path=str(f))

    def _record(self, n: int, record: Any) -> Item:
        if not isinstance(record, dict):
            return Item(n, n, error="record is not a JSON object")
        fields = {k: v for k, v in record.items() if k != self.text_field}
        ident = record.get(self.id_field, n)
        fields.pop(self.id_field, None)
        text = record.get(self.text_field)
        if not isinstance(text, str):
            why = f"no text field '{self.text_field}'" if text is None else f"field '{self.text_field}' is not text"
            return Item(n, ident, fields, error=why)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            return Item(n, ident, fields, error=f"field '{self.text_field}' holds a lone surrogate "
                                                f"(U+{ord(text[exc.start]):04X}): it is not Unicode text")
        return Item(n, ident, fields, text=text)

    def _jsonl(self) -> Iterator[Item]:
        with _open_text(self.path) as f:
            n = number = 0
            try:
                for number, raw in _lines(f):
                    yield self._line(n, number, raw)
                    n += 1
            except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt .jsonl.gz
                why = f"'{self.path}' is truncated or corrupt after line {number} ({first_line(exc)})"
                warnings.warn(CorpusWarning(f"{why}: the rest of it is recorded as one failed document"), stacklevel=2)
                yield Item(n, n, {"line": number + 1}, error=why)

    def _line(self, n: int, number: int, raw: bytes) -> Item:
        try:
            record = json.loads(raw.decode("utf-8"))
            deep = _too_deep(record)
        except UnicodeDecodeError as exc:
            return Item(n, n, {"line": number}, error=f"line {number}: not UTF-8 (byte {exc.start})")
        except RecursionError:  # deeper than Python parses
            deep = True
        except ValueError as exc:
            return Item(n, n, {"line": number}, error=f"line {number}: not JSON ({exc.args[0].split(':')[0]})")
        if deep:
            return Item(n, n, {"line": number}, error=f"line {number}: nested deeper than {MAX_DEPTH} levels")
        return self._record(n, record)

    def _parquet(self) -> Iterator[Item]:
        pq = _pyarrow_parquet()
        try:
            source = pq.ParquetFile(self.path)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a bad file
            raise InputError(f"cannot read '{self.path}' as Parquet: {exc}") from None
        n = 0
        for batch in source.iter_batches(batch_size=256):
            for record in batch.to_pylist():
                yield self._parquet_record(n, record)
                n += 1

    def _parquet_record(self, n: int, record: dict[str, Any]) -> Item:
        plain = {}
        for name, value in record.items():
            try:
                plain[name] = _plain(value)
            except UnicodeDecodeError:
                return Item(n, n, error=f"field '{name}' is binary and not UTF-8 text")
        return self._record(n, plain)


def _lines(f: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of a JSONL file and their numbers; a BOM before the first is skipped."""
    for number, raw in enumerate(f, 1):
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if raw.strip():
            yield number, raw


def _too_deep(value: Any) -> bool:
    """Whether JSON ``value`` nests deeper than ``MAX_DEPTH`` (iteratively: no recursion limit to hit)."""
    stack = [(value, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                return True
            stack.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))
    return False


def _plain(value: Any) -> Any:
    """A Parquet value as JSON can hold it (binary that is not UTF-8 raises ``UnicodeDecodeError``)."""
    if isinstance(value, dict):
        return {key: _plain(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, datetime.timedelta)):
        return str(value)
    return value


def _glob_problem(glob: str) -> str | None:
    """Why ``glob`` cannot select files inside the input folder (``None``: it can)."""
    parts = PurePath(glob).parts
    if not glob:
        return "it is empty"
    if PurePath(glob).is_absolute() or glob.startswith("/"):
        return "it must be relative to the input folder"
    if ".." in parts:
        return "'..' would leave the input folder"
    if any("**" in part and part != "**" for part in parts):
        return "'**' can only be a whole part of it"
    return None


def _open_text(path: str):
    try:
        if path.endswith(".gz"):
            import gzip

            return gzip.open(path, "rb")
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read '{path}': {exc.strerror or exc}") from None


def _pyarrow_parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("Parquet needs pyarrow: pip install pyarrow", option="input_format") from None
    return pq
