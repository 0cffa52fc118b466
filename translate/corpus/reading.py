"""Reading a corpus: a folder of files, a JSONL file or a Parquet file, as a stream of documents.

Each document is an :class:`Item`: its position in the corpus (the order of the output), its
id, the fields carried through to the output, and either its text (JSONL, Parquet) or its
path (a folder: the file is read by whoever processes it, so a Ray actor reads its own files).
A record that cannot be read (bad JSON, no text field) is an item with an ``error``: it is
recorded in the output and the run goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError

MANIFEST = "_corpus.jsonl"  # a folder output's record of every document (and its resume journal)


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
    exclude: str | None = None    # a folder not to read (the output, when it is inside the input)

    def count(self) -> int | None:
        """How many documents (cheap: file names, lines, Parquet metadata), for progress."""
        try:
            if self.kind == "folder":
                return sum(1 for _ in self._files())
            if self.kind == "parquet":
                import pyarrow.parquet as pq

                return pq.ParquetFile(self.path).metadata.num_rows
            with _open_text(self.path) as f:
                return sum(1 for line in f if line.strip())
        except (OSError, ImportError):
            return None

    def items(self, skip: int = 0) -> Iterator[Item]:
        """The documents in corpus order, from the ``skip``-th on (a resumed run)."""
        reader = {"folder": self._folder, "jsonl": self._jsonl, "parquet": self._parquet}[self.kind]
        for item in reader():
            if item.position >= skip:
                yield item

    def _files(self) -> Iterator[Path]:
        root = Path(self.path)
        excluded = Path(self.exclude).resolve() if self.exclude else None
        found = []
        for f in root.rglob(self.glob):
            rel = f.relative_to(root)
            if any(part.startswith(".") for part in rel.parts) or not f.is_file():
                continue  # hidden files and folders (.git, .DS_Store), and folders matching the glob
            if excluded and (excluded == f.resolve() or excluded in f.resolve().parents):
                continue
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
        return Item(n, ident, fields, text=text)

    def _jsonl(self) -> Iterator[Item]:
        with _open_text(self.path) as f:
            n = 0
            for number, raw in enumerate(f, 1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError as exc:
                    yield Item(n, n, {"line": number}, error=f"line {number}: not UTF-8 (byte {exc.start})")
                except ValueError as exc:
                    yield Item(n, n, {"line": number}, error=f"line {number}: not JSON ({exc.args[0].split(':')[0]})")
                else:
                    yield self._record(n, record)
                n += 1

    def _parquet(self) -> Iterator[Item]:
        pq = _pyarrow_parquet()
        try:
            source = pq.ParquetFile(self.path)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a bad file
            raise InputError(f"cannot read '{self.path}' as Parquet: {exc}") from None
        n = 0
        for batch in source.iter_batches(batch_size=256):
            for record in batch.to_pylist():
                yield self._record(n, record)
                n += 1


def _open_text(path: str):
    try:
        if path.endswith(".gz"):
            import gzip

            return gzip.open(path, "rb")
        return open(path, "rb")  # noqa: SIM115 - the caller closes it
    except OSError as exc:
        raise InputError(f"cannot read '{path}': {exc.strerror or exc}") from None


def _pyarrow_parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("Parquet needs pyarrow: pip install pyarrow", option="input_format") from None
    return pq
