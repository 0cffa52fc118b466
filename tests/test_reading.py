"""Reading the input (translate/reading.py): the bad-input corpus (tests/bad_inputs/, expectations
in expected.json) runs through the CLI to a clear result or a one-line error; random bytes and random
Unicode never cause a traceback nor lose a paragraph; a large input is streamed in bounded memory;
streamed decoding is exact across chunk boundaries (CRLF, CR, multibyte characters, no final newline)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate.cli import main

CORPUS = Path(__file__).parent / "bad_inputs"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_corpus(name, toy_model, capsys):
    exp = EXPECTED[name]
    code = main([str(CORPUS / name), "-m", str(toy_model)])
    out, err = capsys.readouterr()
    assert code == exp["exit"], err
    assert "Traceback" not in err
    if code != 0:
        assert len(err.strip().splitlines()) == 1 and re.search(exp["stderr"], err)
        assert out == ""
        return
    if "output" in exp:
        assert out == exp["output"]
    if "paragraphs" in exp:
        assert len([line for line in out.splitlines() if line.strip()]) == exp["paragraphs"]
    if "stderr" in exp:
        assert re.search(exp["stderr"], err)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_fuzz_random_bytes_never_traceback(toy_model, tmp_path, data):
    src = tmp_path / "fuzz.bin"
    src.write_bytes(data)
    code = main([str(src), "-m", str(toy_model), "-q", "-o", str(tmp_path / "out.txt"), "--max-new-tokens", "8"])
    assert code in (0, 1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_fuzz_random_unicode_keeps_every_paragraph(toy_model, tmp_path, text):
    from translate.reading import clean_text
    from translate.segmentation import segment_document

    src = tmp_path / "fuzz.txt"
    src.write_bytes(text.encode("utf-8", "replace"))
    out = tmp_path / "out.jsonl"
    code = main([str(src), "-m", str(toy_model), "-q", "-o", str(out), "-f", "jsonl", "--max-new-tokens", "8"])
    assert code in (0, 1)
    if code == 0 and out.exists() and out.stat().st_size:
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()[1:]]
        expected = segment_document(clean_text(src.read_bytes().decode("utf-8")))
        assert len({r["paragraph"] for r in records}) == len(expected.paragraphs)


def test_large_input_streams_in_bounded_memory(toy_model, tmp_path):
    """A 12 MB input (above the streaming threshold) of lines with nothing to translate: the CLI
    streams it and its peak memory stays far below the size of the text held as Python objects."""
    line = " ".join(str(10_000 + i) for i in range(20))  # 119 characters, passes through verbatim
    count = 100_000
    src, dst = tmp_path / "big.txt", tmp_path / "out.txt"
    src.write_text((line + "\n") * count, encoding="utf-8")
    assert src.stat().st_size > 8 << 20
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    # Peak RSS is inherited through fork+exec, so a small trampoline runs the CLI and reports it.
    trampoline = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
                  "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    proc = subprocess.run([sys.executable, "-c", trampoline, sys.executable, "-m", "translate", str(src),
                           "-m", str(toy_model), "-o", str(dst), "-q"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    peak_mb = int(proc.stdout.split()[-1]) / 1024
    with dst.open(encoding="utf-8") as out:
        assert sum(1 for _ in out) == count
    assert peak_mb < 250, f"peak RSS {peak_mb:.0f} MB"


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7])
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16"])
def test_streamed_decoding_across_chunk_boundaries(monkeypatch, tmp_path, chunk, encoding):
    """CRLF, CR and multibyte characters split between chunks; a last line without newline."""
    import translate.reading as reading

    text = "一山。\r\n二水。\r三猫\r\n\r\n四狗 five\r\n六鸟"
    src = tmp_path / "in.txt"
    src.write_bytes(text.encode(encoding))
    monkeypatch.setattr(reading, "CHUNK_BYTES", chunk)
    pieces = list(reading.iter_text(src, encoding=encoding))
    assert "".join(pieces) == "一山。\n二水。\n三猫\n\n四狗 five\n六鸟"
    assert all(p.endswith("\n") for p in pieces[:-1])
