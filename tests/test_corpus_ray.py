"""The Ray engine (translate/corpus/ray_engine.py) gives byte-identical output to the local engine.
Needs the ``ray`` extra (skipped without it); one ``ray.init(num_cpus=2)`` for the whole module."""

from __future__ import annotations

import json

import pytest

from tests.cli_helpers import run_cli
from tests.conftest import TOY_MODEL
from tests.test_corpus import BAD, docs, expected_text, write_jsonl

ray = pytest.importorskip("ray")
pytestmark = [pytest.mark.slow,  # a local Ray cluster starts: seconds each
              pytest.mark.xdist_group("ray")]  # one Ray at a time, in one worker, under pytest -n

TOY = ["-m", str(TOY_MODEL), "--threads", "1", "-q"]


@pytest.fixture(scope="module", autouse=True)
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_ray_jsonl_is_byte_identical_to_local(tmp_path, capsys):
    corpus = docs(20)
    write_jsonl(tmp_path / "feed.jsonl", corpus)
    with open(tmp_path / "feed.jsonl", "a", encoding="utf-8") as f:
        f.write('{"id": "nobody"}\n')  # a failing document, in the middle of the order checks
        f.write(json.dumps({"id": "last", "body": "三猫。"}, ensure_ascii=False) + "\n")
    outputs = {}
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.jsonl"
        code, _, err = run_cli([str(tmp_path / "feed.jsonl"), "--text-field", "body", "-o", str(out),
                                "--engine", engine, "--actors", "2", *TOY], capsys)
        assert code == 1, err  # the failing document
        outputs[engine] = out.read_bytes()
    assert outputs["ray"] == outputs["local"]
    records = [json.loads(line) for line in outputs["ray"].decode("utf-8").splitlines()]
    assert [r["id"] for r in records] == [f"d{k}" for k in range(20)] + ["nobody", "last"]
    assert [r["translation"] for r in records[:20]] == [expected_text(d) for d in corpus]


def test_ray_folder_is_byte_identical_to_local(tmp_path, capsys):
    corpus = docs(6)
    src = tmp_path / "news"
    src.mkdir()
    for k, d in enumerate(corpus):
        (src / f"{k}.txt").write_text(d.text, encoding="utf-8")
    (src / "bad.txt").write_bytes(BAD)
    for engine in ("local", "ray"):
        code, _, err = run_cli([str(src), "-o", str(tmp_path / engine), "-f", "bilingual", "--engine", engine,
                                *TOY], capsys)
        assert code == 1, err
    names = sorted(p.relative_to(tmp_path / "local") for p in (tmp_path / "local").rglob("*"))
    assert names == sorted(p.relative_to(tmp_path / "ray") for p in (tmp_path / "ray").rglob("*"))
    for name in names:
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
