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

Someone else's corpus cannot steer the writes: document files are named by :mod:`.paths` and
written inside the output folder only; a journal or job file that is a symbolic link is refused;
an input field named like one of the output's own (``status``…) is carried as ``input.status``,
with a warning; a JSON string holding a lone surrogate keeps it as a ``\\udXXX`` escape.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import OutputError, UsageError
from ..output import json_line
from .paths import Names, open_nofollow, write_inside
from .reading import MANIFEST, CorpusWarning

PARQUET_ROWS = 512
FILE_OUTPUTS = {"jsonl": (".jsonl", ".ndjson"), "parquet": (".parquet", ".pq")}  # -o names ending so: a file


def output_kind(output: str | None, input_kind: str) -> str:
    """``stdout``, ``jsonl``, ``parquet`` or ``folder``, from ``-o`` (none: JSONL on stdout)."""
    if output is None or output == "-":
        if input_kind == "folder":
            raise UsageError("a folder of documents needs an output folder", option="output")
        return "stdout"
    kind = next((k for k, ends in FILE_OUTPUTS.items() if output.lower().endswith(ends)), None)
    if kind and Path(output).is_dir():
        raise UsageError(f"'{output}' is a folder: a .{kind} output is a file", option="output")
    if kind:
        return kind
    if Path(output).exists() and not Path(output).is_dir():
        raise UsageError(f"'{output}' is a file: a corpus goes to a folder, a .jsonl or a .parquet file",
                         option="output")
    return "folder"


class Sink:
    """Where records go, in order: ``start()`` says how many are already done (resume), then
    ``write(records)`` per window, ``finish()`` at the end."""

    def __init__(self, output: str | None, kind: str, job: dict[str, Any], id_key: str, output_field: str,
                 suffix: str, nested: bool = False) -> None:
        self.output, self.kind, self.job, self.id_key = output, kind, job, id_key
        self.output_field = output_field
        self.own = ("output" if kind == "folder" else output_field, "status", "error", "counts", "header")
        if id_key in self.own:
            raise UsageError(f"the id field cannot be '{id_key}': the output has a field of that name",
                             option="id_field")
        self.names = Names(suffix, nested, reserved=(MANIFEST, MANIFEST + ".partial", MANIFEST + ".partial.job"))
        self.renamed: set[str] = set()  # input fields carried under another name (warned once each)
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
                with os.fdopen(open_nofollow(str(self.spec), os.O_WRONLY | os.O_CREAT | os.O_TRUNC), "w",
                               encoding="utf-8") as spec:
                    spec.write(json.dumps(self.job, sort_keys=True))
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (0 if done else os.O_TRUNC)
            self._handle = os.fdopen(open_nofollow(str(self.journal), flags), "a", encoding="utf-8", newline="\n")
        except OSError as exc:
            raise OutputError(f"cannot write '{self.output}': {exc.strerror or exc}", option="output") from None
        self.resumed = done
        return done

    def _resumable(self) -> int:
        if not (self.journal.exists() and self.spec.exists()) or self.journal.is_symlink() or self.spec.is_symlink():
            return 0  # a link is refused when the journal is opened
        try:
            same = json.loads(self.spec.read_text(encoding="utf-8")) == json.loads(json.dumps(self.job))
        except ValueError:
            same = False
        if not same:
            return 0
        with os.fdopen(open_nofollow(str(self.journal), os.O_RDWR), "r+b") as f:
            data = f.read()
            keep = data.rfind(b"\n") + 1  # a record cut off by the kill is redone
            f.truncate(keep)
        try:
            done = [json.loads(line) for line in data[:keep].splitlines()]
            if not all(isinstance(r, dict) and self.id_key in r for r in done):
                raise ValueError("a record without its id")
        except ValueError:  # not the kill's cut-off last line: someone else's damage; say so
            raise OutputError(f"cannot resume from '{self.journal}': it is damaged; remove it to start over",
                              option="output") from None
        self.failed_before = sum(record.get("status") == "failed" for record in done)
        for record in done:  # the names the first run gave, so that no later document takes one
            if self.kind == "folder" and record.get("output") is not None:
                self.names.place(record[self.id_key])
        return len(done)

    # -- records --------------------------------------------------------------------------------------
    def line(self, record: dict[str, Any]) -> str:
        """A record as the output's JSONL line (the folder's manifest line)."""
        shaped: dict[str, Any] = {self.id_key: record["id"]}
        if self.kind == "folder":
            shaped["output"] = record.get("written")
        else:
            for name, value in record["fields"].items():
                shaped[self._carried(name)] = value
            shaped[self.output_field] = record["output"]
        shaped["status"] = record["status"]
        if record["error"]:
            shaped["error"] = record["error"]
        shaped["counts"], shaped["header"] = record["counts"], record["header"]
        return json_line(shaped)

    def _carried(self, name: str) -> str:
        """An input field's name in the output: ``input.NAME`` when the output has a field ``NAME``."""
        if name not in self.own:
            return name
        renamed = f"input.{name}"
        while renamed in self.own:
            renamed = f"input.{renamed}"
        if name not in self.renamed:
            self.renamed.add(name)
            warnings.warn(CorpusWarning(f"input field '{name}' is carried as '{renamed}': the output has its own "
                                        f"'{name}'"), stacklevel=2)
        return renamed

    def write(self, records: Iterable[dict[str, Any]]) -> None:
        import sys

        lines = []
        for record in records:
            if self.kind == "folder" and record["status"] == "ok":
                record["written"] = self._write_document(record)
            lines.append(self.line(record))
        text = "".join(lines).encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate: \udXXX
        if self.kind == "stdout":
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        try:
            self._handle.write(text)
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as exc:
            raise OutputError(f"cannot write '{self.journal}': {exc.strerror or exc}", option="output") from None

    def _write_document(self, record: dict[str, Any]) -> str:
        rel = self.names.place(record["id"])
        write_inside(self.output, rel, record["output"])  # type: ignore[arg-type]
        return rel

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
            try:
                os.replace(self.journal, target)  # a link there is replaced, never followed
            except OSError as exc:
                raise OutputError(f"cannot write '{target}': {exc.strerror or exc}", option="output") from None
        self.spec.unlink(missing_ok=True)

    def close(self) -> None:
        """Stop without finishing (an error or an interrupt): the journal stays, to resume from."""
        if self._handle is not None and not self._handle.closed:
            self._handle.close()


def _jsonl_to_parquet(journal: Path, target: Path) -> None:
    """Convert the journal to Parquet in row groups (bounded memory); atomic via a temp file.

    A first pass finds every column (in the order they first appear) and one type for each; a
    column whose values have none (ids ``1`` and ``"a"``, a lone surrogate) is written as text —
    strings as they are, other values as JSON — with a warning naming it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def chunks() -> Iterator[list[dict[str, Any]]]:
        rows: list[dict[str, Any]] = []
        with open(journal, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                record["counts"] = json.dumps(record["counts"], ensure_ascii=False, sort_keys=True)
                record["header"] = json.dumps(record["header"], ensure_ascii=False)
                rows.append(record)
                if len(rows) >= PARQUET_ROWS:
                    yield rows
                    rows = []
        if rows:
            yield rows

    types: dict[str, Any] = {}  # column → its Arrow type, or None: written as text
    for rows in chunks():
        for row in rows:
            for name in row:
                types.setdefault(name, pa.null())
        for name, known in types.items():
            if known is not None:
                types[name] = _common_type(pa, name, known, [row.get(name) for row in rows])
    for name in (name for name, known in types.items() if known is None):
        warnings.warn(CorpusWarning(f"column '{name}' of '{target}' is written as text: its values have no common "
                                    f"Parquet type"), stacklevel=2)
    schema = pa.schema([(name, pa.string() if known is None else known) for name, known in types.items()])
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as sink, pq.ParquetWriter(sink, schema) as writer:
            for rows in chunks():
                columns = [_column(pa, [row.get(name) for row in rows], known) for name, known in types.items()]
                writer.write_table(pa.table(columns, schema=schema))
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write '{target}': {exc.strerror or exc}", option="output") from None
        raise


def _common_type(pa: Any, name: str, known: Any, values: list[Any]) -> Any:
    """The type that holds ``known``'s values and these; ``None`` when there is none."""
    try:
        found = pa.array(values).type
        return pa.unify_schemas([pa.schema([(name, known)]), pa.schema([(name, found)])],
                                promote_options="permissive").field(name).type
    except (pa.ArrowException, ValueError, TypeError, OverflowError):
        return None


def _column(pa: Any, values: list[Any], known: Any) -> Any:
    """One column of a row group: its values, or their text where the column is written as text."""
    return pa.array([_as_text(v) for v in values], pa.string()) if known is None else pa.array(values, known)


def _as_text(value: Any) -> str | None:
    """A string as it is (a lone surrogate as ``\\udXXX``), another value as its JSON, null as null."""
    text = value if isinstance(value, str) or value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return None if text is None else text.encode("utf-8", "backslashreplace").decode("utf-8")
