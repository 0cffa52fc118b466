"""Writing a corpus's results, in corpus order, resumably.

Outputs: a folder mirroring the input (one file per document, written atomically, plus
``_corpus.jsonl``: one record per document with its status, counts and header), a JSONL file
(one record per document: its id, its carried fields, the output, status, counts, header) or a
Parquet file (the same columns; ``counts`` and ``header`` as JSON text).

Resume: records are appended, in order, to a journal — ``OUTPUT.partial`` (JSONL; a Parquet
output's journal is JSONL too) or ``_corpus.jsonl.partial`` in the folder — flushed and fsynced
after every window, next to ``….job`` (the options it was made with). The journal holds a
prefix of the corpus, so a rerun with the same options skips the documents it holds (a record
cut off by the kill is dropped and redone). The final output appears, atomically, only when
every document is done; the journal is then removed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import OutputError, UsageError
from ..output import atomic_writer, json_line
from .reading import MANIFEST

PARQUET_ROWS = 512


def output_kind(output: str | None, input_kind: str) -> str:
    """``stdout``, ``jsonl``, ``parquet`` or ``folder``, from ``-o`` (none: JSONL on stdout)."""
    if output is None or output == "-":
        if input_kind == "folder":
            raise UsageError("a folder of documents needs an output folder", option="output")
        return "stdout"
    name = output.lower()
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if Path(output).exists() and not Path(output).is_dir():
        raise UsageError(f"'{output}' is a file: a corpus goes to a folder, a .jsonl or a .parquet file",
                         option="output")
    return "folder"


class Sink:
    """Where records go, in order: ``start()`` says how many are already done (resume), then
    ``write(records)`` per window, ``finish()`` at the end."""

    def __init__(self, output: str | None, kind: str, job: dict[str, Any], id_key: str, output_field: str,
                 suffix: str) -> None:
        self.output, self.kind, self.job, self.id_key = output, kind, job, id_key
        self.output_field, self.suffix = output_field, suffix
        self.resumed = self.failed_before = 0
        if kind == "folder":
            self.journal = Path(output) / (MANIFEST + ".partial")  # type: ignore[arg-type]
        elif kind == "parquet":
            self.journal = Path(f"{output}.partial.jsonl")
        else:
            self.journal = Path(f"{output}.partial")
        self.spec = Path(f"{self.journal}.job")
        self._handle: Any = None

    # -- resume ---------------------------------------------------------------------------------------
    def start(self) -> int:
        """Open the journal; the number of documents a killed run already finished (0: a fresh run)."""
        if self.kind == "stdout":
            return 0
        try:
            if self.kind == "folder":
                Path(self.output).mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]
            else:
                Path(self.output).parent.mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]
            done = self._resumable()
            if not done:
                self.spec.write_text(json.dumps(self.job, sort_keys=True), encoding="utf-8")
                self.journal.write_bytes(b"")
            self._handle = open(self.journal, "a", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as exc:
            raise OutputError(f"cannot write '{self.output}': {exc.strerror or exc}", option="output") from None
        self.resumed = done
        return done

    def _resumable(self) -> int:
        if not (self.journal.exists() and self.spec.exists()):
            return 0
        try:
            same = json.loads(self.spec.read_text(encoding="utf-8")) == json.loads(json.dumps(self.job))
        except ValueError:
            same = False
        if not same:
            return 0
        data = self.journal.read_bytes()
        keep = data.rfind(b"\n") + 1  # a record cut off by the kill is redone
        if keep < len(data):
            with open(self.journal, "r+b") as f:
                f.truncate(keep)
        lines = data[:keep].splitlines()
        self.failed_before = sum(json.loads(line).get("status") == "failed" for line in lines)
        return len(lines)

    # -- records --------------------------------------------------------------------------------------
    def line(self, record: dict[str, Any]) -> str:
        """A record as the output's JSONL line (the folder's manifest line)."""
        shaped: dict[str, Any] = {self.id_key: record["id"]}
        if self.kind == "folder":
            shaped["output"] = record.get("written")
        else:
            shaped.update(record["fields"])
            shaped[self.output_field] = record["output"]
        shaped["status"] = record["status"]
        if record["error"]:
            shaped["error"] = record["error"]
        shaped["counts"], shaped["header"] = record["counts"], record["header"]
        return json_line(shaped)

    def write(self, records: Iterable[dict[str, Any]]) -> None:
        import sys

        lines = []
        for record in records:
            if self.kind == "folder" and record["status"] == "ok":
                record["written"] = self._write_document(record)
            lines.append(self.line(record))
        if self.kind == "stdout":
            sys.stdout.write("".join(lines))
            sys.stdout.flush()
            return
        try:
            self._handle.write("".join(lines))
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as exc:
            raise OutputError(f"cannot write '{self.journal}': {exc.strerror or exc}", option="output") from None

    def _write_document(self, record: dict[str, Any]) -> str:
        rel = Path(str(record["id"]))
        name = rel.name if rel.suffix == self.suffix else rel.name + self.suffix
        target = Path(self.output) / rel.parent / name  # type: ignore[arg-type]
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_writer(target) as out:
            out.write(record["output"])
        return (rel.parent / name).as_posix()

    def finish(self) -> None:
        """Every document is done: the output appears (atomically) and the journal goes."""
        if self.kind == "stdout":
            return
        self._handle.close()
        if self.kind == "parquet":
            _jsonl_to_parquet(self.journal, Path(self.output))  # type: ignore[arg-type]
            self.journal.unlink()
        else:
            target = Path(self.output) / MANIFEST if self.kind == "folder" else Path(self.output)  # type: ignore[arg-type]
            os.replace(self.journal, target)
        self.spec.unlink(missing_ok=True)

    def close(self) -> None:
        """Stop without finishing (an error or an interrupt): the journal stays, to resume from."""
        if self._handle is not None and not self._handle.closed:
            self._handle.close()


def _jsonl_to_parquet(journal: Path, target: Path) -> None:
    """Convert the journal to Parquet in row groups (bounded memory); atomic via a temp file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def tables():
        rows: list[dict] = []
        with open(journal, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                record["counts"] = json.dumps(record["counts"], ensure_ascii=False, sort_keys=True)
                record["header"] = json.dumps(record["header"], ensure_ascii=False)
                rows.append(record)
                if len(rows) >= PARQUET_ROWS:
                    yield pa.Table.from_pylist(rows)
                    rows = []
        if rows:
            yield pa.Table.from_pylist(rows)

    schemas = [t.schema for t in tables()]  # first pass: one schema for every row group
    schema = pa.unify_schemas(schemas, promote_options="permissive") if schemas else pa.schema([])
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with pq.ParquetWriter(tmp, schema) as writer:
            for table in tables():
                for name in schema.names:
                    if name not in table.schema.names:
                        table = table.append_column(name, pa.nulls(len(table), schema.field(name).type))
                writer.write_table(table.select(schema.names).cast(schema))
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write '{target}': {exc.strerror or exc}", option="output") from None
