"""Hostile corpora (translate/corpus): inputs made by someone else, run by the real CLI in-process.

The template for other surfaces' hostile tests:

* one table of cases (``CASES``), in sections: each case builds its input under ``tmp_path``,
  gives the command's arguments, the exit code, a piece of stderr, and what the output must be;
* one runner (:func:`run_case`) that holds every case to the same rules: no traceback (an
  exception escaping ``main`` fails the test), an error is one ``translate: error:`` line, and
  nothing outside the output changes (a snapshot of ``tmp_path`` minus the output, before and after);
* the few cases that do not fit a table (resume, Ray) are plain tests at the end.

Sections: ids → file names; where outputs go (overlap with the input, links in the output); what
is read (JSONL, gzip, Parquet, folders, globs); Parquet output; resume; Ray.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli
from tests.conftest import ROOT, TOY_MODEL

TOY = ["-m", str(TOY_MODEL), "--threads", "1", "-q"]
CAT, CAT_EN = "三猫。", "three cat.\n"
OUT = "out"  # every case writes only under tmp_path/out


# -- building inputs ---------------------------------------------------------------------------------------
def lines(path: Path, *records, gz: bool = False) -> Path:
    """A JSONL file: dicts as JSON, str/bytes as the raw line."""
    data = b"".join((r if isinstance(r, bytes) else (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False))
                     .encode("utf-8", "surrogatepass")) + b"\n" for r in records)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def feed(tmp: Path, *records, name: str = "feed.jsonl") -> str:
    return str(lines(tmp / "in" / name, *records))


def ids_feed(tmp: Path, ids) -> str:
    return feed(tmp, *({"id": i, "text": CAT} for i in ids))


def folder(tmp: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        (tmp / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "in" / name).write_text(text, encoding="utf-8")
    return str(tmp / "in")


def victim(tmp: Path) -> Path:
    """A file outside the output that a hostile input aims at."""
    (tmp / "victim").mkdir(exist_ok=True)
    (tmp / "victim" / "a.txt").write_text("keep me\n", encoding="utf-8")
    return tmp / "victim"


def parquet(tmp: Path, columns: dict) -> str:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    (tmp / "in").mkdir(exist_ok=True)
    pq.write_table(pa.table(columns), tmp / "in" / "in.parquet")
    return str(tmp / "in" / "in.parquet")


# -- reading outputs ---------------------------------------------------------------------------------------
def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def manifest(tmp: Path) -> list[dict]:
    return records(tmp / OUT / "_corpus.jsonl")


def parquet_rows(path: Path) -> list[dict]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def snapshot(root: Path, skip: Path) -> dict[str, tuple]:
    """Every path under ``root`` except ``skip``: kind, size, mtime and content (links not followed)."""
    seen = {}
    for top, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if Path(top, d) != skip]
        for name in dirs + files:
            path = Path(top, name)
            if path == skip:
                continue
            st = os.lstat(path)
            body = os.readlink(path) if path.is_symlink() else \
                hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
            seen[str(path.relative_to(root))] = (st.st_mode, st.st_size, st.st_mtime_ns, body)
    return seen


# -- checks on the output: each asserts, or returns False when the output is wrong ---------------------------
Check = Callable[[Path, str], "bool | None"]


def named(*names: str, fmt_ok: str = CAT_EN) -> Check:
    """The folder output holds exactly these document files, in corpus order, each the translation."""
    def check(tmp: Path, _out: str) -> None:
        rows = manifest(tmp)
        assert [r["output"] for r in rows] == list(names)
        for name in names:
            path = tmp / OUT / name
            assert not path.is_symlink() and path.read_text(encoding="utf-8") == fmt_ok
        files = [p for p in (tmp / OUT).rglob("*") if p.is_file() and p.name != "_corpus.jsonl"]
        assert len(files) == len(names)
    return check


def kept_ids(*ids) -> Check:
    def check(tmp: Path, _out: str) -> None:
        assert [r["id"] for r in manifest(tmp)] == list(ids)  # the id itself is never altered
    return check


def safe_names(count: int) -> Check:
    """``count`` distinct files, each one plain name directly in the output (no folders, no dots first)."""
    def check(tmp: Path, _out: str) -> None:
        outputs = [r["output"] for r in manifest(tmp)]
        assert len(set(outputs)) == count
        for name in outputs:
            assert "/" not in name and not name.startswith(".") and len(name.encode()) <= 130, name
            assert (tmp / OUT / name).read_text(encoding="utf-8") == CAT_EN
    return check


def both(*checks: Check) -> Check:
    return lambda tmp, out: all(c(tmp, out) is not False for c in checks)


def jsonl_out(check: Callable[[list[dict]], bool | None]) -> Check:
    return lambda tmp, out: check(records(tmp / OUT / "x.jsonl") if (tmp / OUT / "x.jsonl").exists()
                                  else [json.loads(line) for line in out.splitlines()])


def untouched(path: str) -> Check:
    def check(tmp: Path, _out: str) -> None:
        assert (tmp / path).read_text(encoding="utf-8") == "keep me\n"
    return check


def nothing(tmp: Path, _out: str) -> None:
    pass


# -- the cases ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Path], list[str]]         # builds the input, gives the arguments (before TOY)
    code: int
    stderr: str = ""                           # a piece of stderr ("" and code 0: stderr must be empty)
    check: Check = nothing


def to_folder(make: Callable[[Path], str], *extra: str) -> Callable[[Path], list[str]]:
    return lambda tmp: [make(tmp), "-o", str(tmp / OUT), *extra]


def to_jsonl(make: Callable[[Path], str], *extra: str) -> Callable[[Path], list[str]]:
    return lambda tmp: [make(tmp), "-o", str(tmp / OUT / "x.jsonl"), *extra]


def to_parquet(make: Callable[[Path], str], *extra: str) -> Callable[[Path], list[str]]:
    return lambda tmp: [make(tmp), "-o", str(tmp / OUT / "x.parquet"), *extra]


def with_links(make: Callable[[Path], str], links: dict[str, str]) -> Callable[[Path], str]:
    """``make``'s input, and symbolic links in the output folder (name → target relative to tmp)."""
    def build(tmp: Path) -> str:
        victim(tmp)
        for name, target in links.items():
            (tmp / OUT / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / OUT / name).symlink_to(tmp / target)
        return make(tmp)
    return build


NFC, NFD = unicodedata.normalize("NFC", "é"), unicodedata.normalize("NFD", "é")
DEEP = '{"id": 1, "text": "三猫。", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
NESTED = '{"id": 2, "text": "三猫。", "x": ' + "[" * 200 + "]" * 200 + "}"
PAD = "x" * 20_000_000
GOOD = json.dumps({"id": 9, "text": CAT}, ensure_ascii=False).encode()

ID_CASES = [
    Case("ids: traversal", to_folder(lambda t: ids_feed(t, ["../../evil", "..", ".", "./x", "a/../../b"])), 0,
         check=both(named("%2E.%2F..%2Fevil.txt", "%2E..txt", "%2E.txt", "%2E%2Fx.txt", "a%2F..%2F..%2Fb.txt"),
                    kept_ids("../../evil", "..", ".", "./x", "a/../../b"))),
    Case("ids: absolute path", to_folder(lambda t: ids_feed(t, [str(victim(t) / "a"), str(t / "victim" / "new")])),
         0, check=safe_names(2)),
    Case("ids: duplicates, any case", to_folder(lambda t: ids_feed(t, ["a", "a", "A"])), 0,
         check=both(named("a.txt", "a~2.txt", "A~3.txt"), kept_ids("a", "a", "A"))),
    Case("ids: numbers, strings and other JSON", to_folder(lambda t: ids_feed(t, ["1", 1, 1.5, None, True, {"k": "v"},
                                                                                 [1]])), 0,
         check=both(named("1.txt", "1~2.txt", "1.5.txt", "null.txt", "true.txt", "{%22k%22%3A %22v%22}.txt",
                          "[1].txt"), kept_ids("1", 1, 1.5, None, True, {"k": "v"}, [1]))),
    Case("ids: missing (the position) and that number", to_folder(lambda t: feed(t, {"text": CAT}, {"id": 0,
                                                                                                     "text": CAT})),
         0, check=named("0.txt", "0~2.txt")),
    Case("ids: empty", to_folder(lambda t: ids_feed(t, ["", "_"])), 0, check=named("_.txt", "_~2.txt")),
    Case("ids: NUL, newline, tab, DEL", to_folder(lambda t: ids_feed(t, ["a\x00b", "line\nbreak", "t\tab", "d\x7f"])),
         0, check=both(named("a%00b.txt", "line%0Abreak.txt", "t%09ab.txt", "d%7F.txt"),
                       kept_ids("a\x00b", "line\nbreak", "t\tab", "d\x7f"))),
    Case("ids: 300 characters", to_folder(lambda t: ids_feed(t, ["x" * 300, "x" * 300 + "y", "猫" * 300])), 0,
         check=both(safe_names(3), kept_ids("x" * 300, "x" * 300 + "y", "猫" * 300))),
    Case("ids: Windows reserved names", to_folder(lambda t: ids_feed(t, ["CON", "con", "nul.txt", "COM1", "LPT9.md",
                                                                        "CONSOLE"])), 0,
         check=named("%43ON.txt", "%63on.txt", "%6Eul.txt", "%43OM1.txt", "%4CPT9.md.txt", "CONSOLE.txt")),
    Case("ids: characters Windows forbids, and %", to_folder(lambda t: ids_feed(t, ['a<b>c:d"e|f?g*h\\i', "100%"])), 0,
         check=named("a%3Cb%3Ec%3Ad%22e%7Cf%3Fg%2Ah%5Ci.txt", "100%25.txt")),
    Case("ids: Unicode normalization", to_folder(lambda t: ids_feed(t, [NFC, NFD])), 0,
         check=both(named(f"{NFC}.txt", f"{NFD}~2.txt"), kept_ids(NFC, NFD))),
    Case("ids: a lone surrogate", to_folder(lambda t: feed(t, '{"id": "\\ud800x", "text": "三猫。"}')), 0,
         check=both(named("%ED%A0%80x.txt"), kept_ids("\ud800x"))),
    Case("ids: the manifest's own name", to_folder(lambda t: ids_feed(t, ["_corpus", "_CORPUS"]), "-f", "jsonl"), 0,
         check=lambda tmp, _: [r["output"] for r in manifest(tmp)] == ["_corpus~2.jsonl", "_CORPUS~3.jsonl"]),
    Case("ids: already the format's suffix", to_folder(lambda t: ids_feed(t, ["story.txt", "story"])), 0,
         check=named("story.txt", "story~2.txt")),
    Case("folder: odd file names, a file and a folder of one name",
         to_folder(lambda t: folder(t, {"x\ny.txt": CAT, "a": CAT, "a.txt/b.txt": CAT, "CON.txt": CAT,
                                        "%41.txt": CAT, ".hidden": CAT})), 0,
         check=named("%2541.txt", "%43ON.txt", "a.txt", "a.txt~2/b.txt", "x%0Ay.txt")),
]

WHERE_CASES = [
    Case("out: the input folder", lambda t: [folder(t, {"a.txt": CAT}), "-o", str(t / "in")], 2, "input"),
    Case("out: inside the input folder", lambda t: [folder(t, {"a.txt": CAT}), "-o", str(t / "in" / "en")], 2,
         "input"),
    Case("out: the input through a link", lambda t: [folder(t, {"a.txt": CAT}),
                                                     (t / "link").symlink_to(t / "in") or "-o", str(t / "link")],
         2, "input"),
    Case("out: a folder around the input", lambda t: [folder(t, {"news/a.txt": CAT}) + "/news", "-o", str(t / "in")],
         2, "input"),
    Case("out: a .jsonl inside the input folder", lambda t: [folder(t, {"a.txt": CAT}), "-o",
                                                             str(t / "in" / "x.jsonl")], 2, "input"),
    Case("out: the input .jsonl itself", lambda t: [feed(t, {"id": 1, "text": CAT}), "-o",
                                                    str(t / "in" / "feed.jsonl")], 2, "input"),
    Case("out: a folder holding the input .jsonl", lambda t: [feed(t, {"id": "feed", "text": CAT}), "-o",
                                                              str(t / "in"), "-f", "jsonl"], 2, "input"),
    Case("out: an existing file where a folder is needed", lambda t: [folder(t, {"a.txt": CAT}), "-o",
                                                                      str((t / OUT).write_text("") or t / OUT)],
         2, "is a file"),
    Case("out: a folder under a file", lambda t: [folder(t, {"a.txt": CAT}), "-o",
                                                  str((t / OUT).write_text("") or t / OUT / "x")], 1, "cannot write"),
    Case("out: a .jsonl that is a folder", to_jsonl(lambda t: (t / OUT / "x.jsonl").mkdir(parents=True)
                                                    or ids_feed(t, ["a"])), 2, "is a folder"),
    Case("out: the manifest's name is a folder", to_folder(lambda t: (t / OUT / "_corpus.jsonl").mkdir(parents=True)
                                                           or ids_feed(t, ["a"])), 1, "_corpus.jsonl"),
    Case("links: a document's file links out", to_folder(with_links(lambda t: ids_feed(t, ["a"]),
                                                                     {"a.txt": "victim/a.txt"})), 0,
         check=both(named("a.txt"), untouched("victim/a.txt"))),
    Case("links: the manifest links out", to_folder(with_links(lambda t: ids_feed(t, ["a"]),
                                                               {"_corpus.jsonl": "victim/a.txt"})), 0,
         check=both(named("a.txt"), untouched("victim/a.txt"),
                    lambda tmp, _: not (tmp / OUT / "_corpus.jsonl").is_symlink())),
    Case("links: a subfolder links out", to_folder(with_links(lambda t: folder(t, {"s/a.txt": CAT}), {"s": "victim"})),
         1, "link", check=untouched("victim/a.txt")),
    Case("links: the journal links out", to_folder(with_links(lambda t: ids_feed(t, ["a"]),
                                                              {"_corpus.jsonl.partial": "victim/a.txt"})),
         1, "link", check=untouched("victim/a.txt")),
    Case("links: the job file links out", to_folder(with_links(lambda t: ids_feed(t, ["a"]),
                                                               {"_corpus.jsonl.partial.job": "victim/a.txt"})),
         1, "link", check=untouched("victim/a.txt")),
    Case("links: a .jsonl output's journal links out", to_jsonl(with_links(lambda t: ids_feed(t, ["a"]),
                                                                           {"x.jsonl.partial": "victim/a.txt"})),
         1, "link", check=untouched("victim/a.txt")),
]

READ_CASES = [
    Case("jsonl: a UTF-8 BOM", to_jsonl(lambda t: str(lines(t / "in" / "f.jsonl", b"\xef\xbb\xbf" + GOOD))),
         0, check=jsonl_out(lambda rs: [r["translation"] for r in rs] == [CAT_EN])),
    Case("jsonl: a truncated .jsonl.gz", to_jsonl(lambda t: truncated_gz(t)), 1, "truncated",
         check=jsonl_out(lambda rs: check_truncated(rs))),
    Case("jsonl: a .jsonl.gz that is not gzip", to_jsonl(lambda t: str(lines(t / "in" / "f.jsonl.gz",
                                                                             {"id": 1, "text": CAT}))),
         1, "f.jsonl.gz", check=jsonl_out(lambda rs: [r["status"] for r in rs] == ["failed"])),
    Case("jsonl: nested 100,000 deep", to_jsonl(lambda t: feed(t, DEEP, {"id": 3, "text": CAT})), 1,
         check=jsonl_out(lambda rs: check_failed(rs, {0: "nested"}))),
    Case("jsonl: nested 200 deep", to_jsonl(lambda t: feed(t, NESTED, {"id": 3, "text": CAT})), 1,
         check=jsonl_out(lambda rs: check_failed(rs, {0: "nested"}))),
    Case("jsonl: lines that are not objects", to_jsonl(lambda t: feed(t, "[1]", '"s"', "null", "42", "true",
                                                                      {"id": 5, "text": CAT})), 1,
         check=jsonl_out(lambda rs: check_failed(rs, {k: "not a JSON object" for k in range(5)}))),
    Case("jsonl: a 20 MB line", to_jsonl(lambda t: feed(t, {"id": 1, "text": CAT, "pad": PAD})), 0,
         check=jsonl_out(lambda rs: rs[0]["pad"] == PAD)),
    Case("jsonl: bad bytes and CRLF", to_jsonl(lambda t: str(lines(t / "in" / "f.jsonl", b'{"id": 1, "text": "\xff"}\r',
                                                                   GOOD + b"\r"))),
         1, check=jsonl_out(lambda rs: check_failed(rs, {0: "not UTF-8"}))),
    Case("jsonl: fields named like the output's", to_jsonl(lambda t: feed(t, {"id": 1, "text": CAT, "status": "draft",
                                                                              "translation": "old", "counts": 3})),
         0, "carried as 'input.status'",
         check=jsonl_out(lambda rs: (rs[0]["status"], rs[0]["input.status"], rs[0]["input.translation"],
                                     rs[0]["input.counts"], rs[0]["translation"]) == ("ok", "draft", "old", 3, CAT_EN)
                        )),
    Case("jsonl: the id field named like an output field", to_jsonl(lambda t: ids_feed(t, ["a"]), "--id-field",
                                                                     "status"), 2, "--id-field"),
    Case("jsonl: text with a lone surrogate", to_jsonl(lambda t: feed(t, '{"id": 1, "text": "三猫。\\udcff"}')), 1,
         check=jsonl_out(lambda rs: check_failed(rs, {0: "surrogate"}))),
    Case("folder: symbolic link loops", to_folder(lambda t: link_loops(t)), 0, check=named("a.txt")),
    Case("glob: absolute", lambda t: [folder(t, {"a.txt": CAT}), "--glob", str(t / "*"), "-o", str(t / OUT)], 2,
         "--glob"),
    Case("glob: leaves the folder", lambda t: [folder(t, {"s/a.txt": CAT}) + "/s", "--glob", "../*", "-o",
                                               str(t / OUT)], 2, "--glob"),
    Case("glob: empty", lambda t: [folder(t, {"a.txt": CAT}), "--glob", "", "-o", str(t / OUT)], 2, "--glob"),
    Case("glob: invalid", lambda t: [folder(t, {"a.txt": CAT}), "--glob", "a**b", "-o", str(t / OUT)], 2, "--glob"),
    Case("parquet in: dates, decimals, binary", to_jsonl(lambda t: odd_parquet(t)), 0,
         check=jsonl_out(lambda rs: [(r["id"], r["b"], r["d"], r["translation"]) for r in rs]
                         == [("2024-01-02T03:04:05", "ok", "1.50", CAT_EN)])),
    Case("parquet in: binary that is not UTF-8", to_jsonl(lambda t: parquet(t, {"id": [1], "text": [CAT], "b":
                                                                                [b"\xff"]})), 1,
         check=jsonl_out(lambda rs: check_failed(rs, {0: "'b'"}))),
]

PARQUET_OUT_CASES = [
    Case("parquet out: ids of mixed types", to_parquet(lambda t: ids_feed(t, [1, "a", None])), 0,
         "'id'", check=lambda tmp, _: [r["id"] for r in parquet_rows(tmp / OUT / "x.parquet")] == ["1", "a", None]),
    Case("parquet out: a field only in a later record", to_parquet(lambda t: feed(t, {"id": 1, "text": CAT},
                                                                                  {"id": 2, "text": CAT, "late": 7})),
         0, check=lambda tmp, _: [r["late"] for r in parquet_rows(tmp / OUT / "x.parquet")] == [None, 7]),
    Case("parquet out: a field of mixed types", to_parquet(lambda t: feed(t, {"id": 1, "text": CAT, "src": 1},
                                                                          {"id": 2, "text": CAT, "src": {"a": [1]}})),
         0, "'src'", check=lambda tmp, _: [r["src"] for r in parquet_rows(tmp / OUT / "x.parquet")]
         == ["1", '{"a": [1]}']),
    Case("parquet out: a lone surrogate", to_parquet(lambda t: feed(t, '{"id": "\\ud800x", "text": "三猫。"}')), 0,
         "'id'", check=lambda tmp, _: [r["id"] for r in parquet_rows(tmp / OUT / "x.parquet")] == ["\\ud800x"]),
]

CASES = ID_CASES + WHERE_CASES + READ_CASES + PARQUET_OUT_CASES


def truncated_gz(tmp: Path) -> str:
    rng = random.Random(7)
    data = gzip.compress("".join(json.dumps({"id": k, "text": CAT, "pad": f"{rng.getrandbits(128):x}"}) + "\n"
                                 for k in range(300)).encode())
    (tmp / "in").mkdir()
    (tmp / "in" / "f.jsonl.gz").write_bytes(data[: len(data) // 2])
    return str(tmp / "in" / "f.jsonl.gz")


def check_truncated(rs: list[dict]) -> None:
    assert 0 < len(rs) < 300 and all(r["status"] == "ok" for r in rs[:-1])
    assert rs[-1]["status"] == "failed" and "truncated" in rs[-1]["error"]
    assert [r["id"] for r in rs[:-1]] == list(range(len(rs) - 1))


def check_failed(rs: list[dict], failed: dict[int, str]) -> None:
    for k, r in enumerate(rs):
        if k in failed:
            assert r["status"] == "failed" and failed[k] in r["error"], r
        else:
            assert r["status"] == "ok" and r["translation"], r


def link_loops(tmp: Path) -> str:
    root = Path(folder(tmp, {"a.txt": CAT, "sub/.keep": ""}))
    (root / "sub" / "up").symlink_to("..")
    (root / "self").symlink_to("self")
    (root / "one").symlink_to("two")
    (root / "two").symlink_to("one")
    return str(root)


def odd_parquet(tmp: Path) -> str:
    import datetime
    import decimal

    import pyarrow as pa

    return parquet(tmp, {"id": [datetime.datetime(2024, 1, 2, 3, 4, 5)], "text": pa.array([CAT.encode()], pa.binary()),
                         "b": [b"ok"], "d": pa.array([decimal.Decimal("1.50")], pa.decimal128(5, 2))})


def run_case(case: Case, tmp: Path, capsys) -> tuple[int, str, str]:
    """Run one case under the rules every case shares; the CLI's exit code, stdout and stderr."""
    args = case.setup(tmp)
    before = snapshot(tmp, tmp / OUT)
    code, out, err = run_cli([*args, *TOY], capsys)  # an exception escaping main() is a traceback: the test fails
    assert snapshot(tmp, tmp / OUT) == before, "something outside the output changed"
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if not line.startswith("translate: warning: ")]
    if code in (1, 2) and errors:
        assert len(errors) == 1 and errors[0].startswith("translate: error: "), err
    return code, out, err


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_corpus(case: Case, tmp_path, capsys):
    code, out, err = run_case(case, tmp_path, capsys)
    assert code == case.code, err
    assert case.stderr in err if case.stderr else (code != 0 or not err), err
    assert case.check(tmp_path, out) is not False, out


# -- what a table cannot hold -----------------------------------------------------------------------------
def test_a_resumed_run_keeps_the_names_of_the_first(tmp_path, capsys, monkeypatch):
    """Duplicate ids across a kill: the resumed run must not give the second 'a' the first one's file."""
    from translate.corpus import local
    from translate.corpus.work import Worker

    monkeypatch.setattr(local, "WINDOW_DOCS", 1)
    args = [ids_feed(tmp_path, ["a", "b", "a"]), "-o", str(tmp_path / OUT), *TOY]
    real = Worker.process
    calls = []

    def killed_after_two(self, items, progress=None):
        calls.append(1)
        if len(calls) > 2:
            raise KeyboardInterrupt
        return real(self, items, progress)

    monkeypatch.setattr(Worker, "process", killed_after_two)
    assert run_cli(args, capsys)[0] == 130
    monkeypatch.setattr(Worker, "process", real)
    assert run_cli(args, capsys)[0] == 0
    named("a.txt", "b.txt", "a~2.txt")(tmp_path, "")


@pytest.mark.slow
@pytest.mark.xdist_group("ray")  # one Ray at a time, in one worker, under pytest -n
def test_ray_is_silent_with_quiet(tmp_path):
    """``--engine ray -q``: Ray's own log lines and warnings stay off stderr (a fresh process: its own ray.init)."""
    pytest.importorskip("ray")
    src = ids_feed(tmp_path, ["a", "b"])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("RAY_ADDRESS", None)
    proc = subprocess.run([sys.executable, "-m", "translate", src, "-o", str(tmp_path / "x.jsonl"), "--engine", "ray",
                           "--actors", "1", *TOY], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert [r["translation"] for r in records(tmp_path / "x.jsonl")] == [CAT_EN, CAT_EN]


def test_ray_that_cannot_start_is_one_line(tmp_path, capsys, monkeypatch):
    """A cluster that cannot be joined (or started): one line naming it, exit 1, not Ray's traceback."""
    ray = pytest.importorskip("ray")
    if ray.is_initialized():
        pytest.skip("Ray is already running in this process")

    def unreachable(**_kwargs):
        raise ConnectionError("Could not find any running Ray instance.\nmore")

    monkeypatch.setattr(ray, "init", unreachable)
    code, _, err = run_cli([ids_feed(tmp_path, ["a"]), "-o", str(tmp_path / "x.jsonl"), "--engine", "ray",
                            "--ray-address", "10.0.0.1:6379", *TOY], capsys)
    assert code == 1
    assert err == ("translate: error: cannot join Ray at '10.0.0.1:6379': Could not find any running Ray instance. "
                   "(--ray-address)\n")


# -- found by review: names the writer keeps for itself, a journal damaged by someone else -------------------
def test_an_input_named_like_the_journal_does_not_stop_the_run(tmp_path, capsys):
    source = folder(tmp_path, {"_corpus.jsonl.partial/a.txt": CAT, "_corpus.jsonl.partial.job": CAT, "b.txt": CAT})
    code, _, err = run_cli([source, "-o", str(tmp_path / OUT), "-m", str(TOY_MODEL), "-q"], capsys)
    assert code == 0, err
    assert len(manifest(tmp_path)) == 3 and all(r["status"] == "ok" for r in manifest(tmp_path))


def test_a_damaged_journal_is_one_line_not_a_traceback(tmp_path):
    """Only a kill's cut-off last line is expected in a journal; other damage is someone else's: said
    in one line, never a JSONDecodeError."""
    from translate.corpus.writing import Sink
    from translate.errors import OutputError

    out = str(tmp_path / "o.jsonl")
    job = {"command": "translate", "format": "text"}
    Path(out + ".partial.job").write_text(json.dumps(job, sort_keys=True), encoding="utf-8")
    Path(out + ".partial").write_text('{bad\n{"id": "a"}\n', encoding="utf-8")
    with pytest.raises(OutputError, match=r"cannot resume from .*: it is damaged; remove it to start over$"):
        Sink(out, "jsonl", job, "id", "translation", ".txt").start()
