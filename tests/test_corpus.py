"""Corpora (translate/corpus): folder / JSONL / Parquet in and out with exact toy translations,
ids and order, a failing document, kill-and-resume, and summarize over a corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarize.cli import main as summarize_main
from tests.cli_helpers import run_cli
from tests.conftest import ROOT, TOY_MODEL
from tests.toydoc import toy_document

TOY = ["-m", str(TOY_MODEL), "--threads", "1", "-q"]
BAD = (ROOT / "tests" / "bad_inputs" / "utf8-one-bad-byte.txt").read_bytes()


def expected_text(doc) -> str:
    return "\n".join(doc.expected) + "\n"


def docs(n: int = 6):
    return [toy_document(1 + (k * 7) % 9, seed=100 + k) for k in range(n)]


def write_jsonl(path: Path, corpus) -> None:
    path.write_text("".join(json.dumps({"id": f"d{k}", "body": d.text, "src": k}, ensure_ascii=False) + "\n"
                            for k, d in enumerate(corpus)), encoding="utf-8")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_folder_in_folder_out_mirrors_the_input(tmp_path, capsys):
    corpus = docs(5)
    src = tmp_path / "news"
    for k, d in enumerate(corpus):
        (src / f"s{k % 2}").mkdir(parents=True, exist_ok=True)
        (src / f"s{k % 2}" / f"{k}.txt").write_text(d.text, encoding="utf-8")
    (src / "skip.md").write_text("# 三猫\n", encoding="utf-8")
    code, out, err = run_cli([str(src), "-o", str(tmp_path / "out"), "--glob", "*.txt", *TOY], capsys)
    assert code == 0, err
    for k, d in enumerate(corpus):
        assert (tmp_path / "out" / f"s{k % 2}" / f"{k}.txt").read_text(encoding="utf-8") == expected_text(d)
    manifest = read_jsonl(tmp_path / "out" / "_corpus.jsonl")
    assert [r["id"] for r in manifest] == sorted(f"s{k % 2}/{k}.txt" for k in range(5))  # input order
    assert all(r["status"] == "ok" and r["output"] == r["id"] for r in manifest)
    assert manifest[0]["header"]["model"] == str(TOY_MODEL) and manifest[0]["counts"]["sentences"] > 0
    assert not (tmp_path / "out" / "skip.md.txt").exists()


def test_jsonl_in_jsonl_out_exact_ids_order_and_fields(tmp_path, capsys):
    corpus = docs(7)
    write_jsonl(tmp_path / "feed.jsonl", corpus)
    out = tmp_path / "feed-en.jsonl"
    code, _, err = run_cli([str(tmp_path / "feed.jsonl"), "--text-field", "body", "--id-field", "id", "-o", str(out),
                            *TOY], capsys)
    assert code == 0, err
    records = read_jsonl(out)
    assert [r["id"] for r in records] == [f"d{k}" for k in range(7)]
    assert [r["translation"] for r in records] == [expected_text(d) for d in corpus]
    assert [r["src"] for r in records] == list(range(7))  # other fields carried through
    assert "body" not in records[0]
    assert records[0]["counts"] == {"sentences": sum(map(len, corpus[0].paragraphs)), "ok":
                                    sum(map(len, corpus[0].paragraphs)), "suspect": 0, "passthrough": 0}
    assert not list(tmp_path.glob("*.partial*"))


def test_a_failing_document_is_recorded_and_sets_the_exit_code(tmp_path, capsys):
    src = tmp_path / "news"
    src.mkdir()
    (src / "a.txt").write_text("三猫。\n", encoding="utf-8")
    (src / "b.txt").write_bytes(BAD)
    (src / "c.txt").write_text("三猫。三猫。\n", encoding="utf-8")
    code, _, err = run_cli([str(src), "-o", str(tmp_path / "out"), *TOY[:-1]], capsys)
    assert code == 1
    assert "3 documents (0 from an earlier run)" in err and "1 failed" in err
    manifest = read_jsonl(tmp_path / "out" / "_corpus.jsonl")
    assert [(r["id"], r["status"]) for r in manifest] == [("a.txt", "ok"), ("b.txt", "failed"), ("c.txt", "ok")]
    assert "not valid UTF-8 at byte 20" in manifest[1]["error"]
    assert (tmp_path / "out" / "c.txt").read_text(encoding="utf-8") == "three cat. three cat.\n"
    assert not (tmp_path / "out" / "b.txt").exists()


def test_jsonl_bad_lines_are_failed_documents(tmp_path, capsys):
    (tmp_path / "f.jsonl").write_bytes(b'{"id": 1, "text": "\xe4\xb8\x89\xe7\x8c\xab\xe3\x80\x82"}\nnot json\n'
                                       b'{"id": 3}\n{"id": 4, "text": "\xff"}\n')
    code, out, _ = run_cli([str(tmp_path / "f.jsonl"), *TOY], capsys)  # no -o: JSONL on stdout
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in records] == ["ok", "failed", "failed", "failed"]
    assert records[0]["translation"] == "three cat.\n"
    assert [r["error"] for r in records[1:]] == ["line 2: not JSON (Expecting value)", "no text field 'text'",
                                                 "line 4: not UTF-8 (byte 19)"]


def test_parquet_in_and_out(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    corpus = docs(4)
    pq.write_table(pa.table({"key": [10, 11, 12, 13], "body": [d.text for d in corpus], "lang": ["zh"] * 4}),
                   tmp_path / "in.parquet")
    code, _, err = run_cli([str(tmp_path / "in.parquet"), "--text-field", "body", "--id-field", "key",
                            "-o", str(tmp_path / "out.parquet"), *TOY], capsys)
    assert code == 0, err
    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [r["key"] for r in rows] == [10, 11, 12, 13]
    assert [r["translation"] for r in rows] == [expected_text(d) for d in corpus]
    assert [r["lang"] for r in rows] == ["zh"] * 4 and json.loads(rows[0]["counts"])["ok"] > 0
    # Parquet in, JSONL out: the same records
    code, _, _ = run_cli([str(tmp_path / "in.parquet"), "--text-field", "body", "--id-field", "key",
                          "-o", str(tmp_path / "out.jsonl"), *TOY], capsys)
    assert [r["translation"] for r in read_jsonl(tmp_path / "out.jsonl")] == [expected_text(d) for d in corpus]


def test_formats_per_document(tmp_path, capsys):
    corpus = docs(2)
    write_jsonl(tmp_path / "feed.jsonl", corpus)
    code, _, _ = run_cli([str(tmp_path / "feed.jsonl"), "--text-field", "body", "-f", "jsonl",
                          "-o", str(tmp_path / "out.jsonl"), *TOY], capsys)
    assert code == 0
    inner = [json.loads(line) for line in read_jsonl(tmp_path / "out.jsonl")[1]["translation"].splitlines()]
    assert inner[0]["type"] == "header"
    assert [r["translation"] for r in inner[1:]] == [t for p in corpus[1].paragraphs for t in
                                                     [__import__("tests.toy.train_toy", fromlist=["reference"])
                                                      .reference(s) for s in p]]


def test_kill_and_resume_does_no_document_twice(tmp_path, capsys, monkeypatch):
    import translate.corpus.local as local
    from translate.corpus.work import Worker

    corpus = docs(9)
    write_jsonl(tmp_path / "feed.jsonl", corpus)
    out = tmp_path / "feed-en.jsonl"
    args = [str(tmp_path / "feed.jsonl"), "--text-field", "body", "-o", str(out), *TOY]
    monkeypatch.setattr(local, "WINDOW_DOCS", 3)
    real = Worker.process
    seen: list[str] = []

    def killed_after_two_windows(self, items, progress=None):
        if len(seen) >= 6:
            raise KeyboardInterrupt  # the run dies here, as if killed
        seen.extend(i.id for i in items)
        return real(self, items, progress)

    monkeypatch.setattr(Worker, "process", killed_after_two_windows)
    assert run_cli(args, capsys)[0] == 130
    assert not out.exists()  # the output appears only when complete
    journal = Path(f"{out}.partial")
    assert len(journal.read_text(encoding="utf-8").splitlines()) == 6
    with open(journal, "a", encoding="utf-8") as f:
        f.write('{"id": "d6", "transl')  # a record cut off by the kill
    monkeypatch.setattr(Worker, "process", lambda self, items, progress=None: (seen.extend(i.id for i in items),
                                                                                real(self, items, progress))[1])
    code, _, err = run_cli(args[:-1], capsys)
    assert code == 0, err
    assert "6 from an earlier run" in err
    assert seen == [f"d{k}" for k in range(9)]  # each document processed once, across both runs
    assert [r["translation"] for r in read_jsonl(out)] == [expected_text(d) for d in corpus]
    assert not journal.exists()


def test_summarize_a_corpus(tmp_path, capsys):
    corpus = docs(3)
    write_jsonl(tmp_path / "feed.jsonl", corpus)
    for k, d in enumerate(corpus):
        (tmp_path / f"{k}.txt").write_text(d.text, encoding="utf-8")
    code = summarize_main([str(tmp_path / "feed.jsonl"), "--text-field", "body", "-l", "short", "-o",
                           str(tmp_path / "digests.jsonl"), *TOY])
    assert code == 0, capsys.readouterr().err
    records = read_jsonl(tmp_path / "digests.jsonl")
    singles = []
    for k in range(3):
        capsys.readouterr()
        assert summarize_main([str(tmp_path / f"{k}.txt"), "-l", "short", *TOY]) == 0
        singles.append(capsys.readouterr().out)
    assert [r["digests"] for r in records] == singles
    assert [r["id"] for r in records] == ["d0", "d1", "d2"]


def test_a_folder_needs_an_output_folder(tmp_path, capsys):
    (tmp_path / "news").mkdir()
    code, _, err = run_cli([str(tmp_path / "news"), *TOY], capsys)
    assert code == 2 and "needs an output folder (--output)" in err
