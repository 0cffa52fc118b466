"""Hostile plain-text inputs that are not regular files: pipes and FIFOs given as paths, stdin that
is a page, and the paragraph separation of one-line-per-paragraph text. Each input is read exactly
once (sniffing its kind must not consume it), and nothing is lost or merged.

Every case runs the real CLI in a subprocess (a FIFO or a pipe needs a real file descriptor)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

TEXT = "三猫看山。\n\n红海有三猫。\n"
EXPECTED = "three cat see mountain.\n\nred sea have three cat.\n"


def _translate(args, toy_model, **kw):
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    # --no-cache: these tests are about reading stdin once; the session's shared translation memory
    # (which another test's process may be rewriting at that moment) is not theirs to depend on
    return subprocess.run([sys.executable, "-m", "translate", "-m", str(toy_model), "-q", "--no-cache", *args],
                          capture_output=True, env=env, timeout=600, **kw)  # a hang fails, never blocks


def test_dev_stdin_from_a_pipe_is_read_once(toy_model):
    """``translate /dev/stdin`` with a pipe on stdin: the sniffed first MiB is part of the text."""
    proc = _translate(["/dev/stdin"], toy_model, input=TEXT.encode())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == EXPECTED and not proc.stderr


def test_process_substitution_path(toy_model):
    """``translate <(cat f)``: a /dev/fd path onto a pipe."""
    read, write = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(write, TEXT.encode()), os.close(write)))
    writer.start()
    try:
        proc = _translate([f"/dev/fd/{read}"], toy_model, pass_fds=(read,))
    finally:
        writer.join()
        os.close(read)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == EXPECTED


def test_fifo_is_opened_once(tmp_path, toy_model):
    """A FIFO opened twice would wait for a second writer forever; opened once it just works."""
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "wb") as handle:
            handle.write(TEXT.encode())

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    proc = _translate([str(fifo)], toy_model)
    writer.join()
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == EXPECTED


@pytest.mark.slow
def test_pipe_larger_than_the_sniffed_mib(toy_model):
    """More than the first MiB through a pipe: every line comes out, in order."""
    lines = ["三猫看山。", "红海有三猫。"] * 80_000  # ≈ 2.3 MB of UTF-8
    proc = _translate(["/dev/stdin", "--no-cache"], toy_model, input=("\n".join(lines) + "\n").encode())
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode().splitlines()
    assert len(out) == len(lines)
    assert out[:2] == ["three cat see mountain.", "red sea have three cat."] and out[-1] == out[1]


def test_a_page_on_stdin_is_read_as_a_page(toy_model):
    """Sniffing works on stdin too: a page piped in is not translated tags and all."""
    page = ("<!doctype html><html><body><article><h1>三猫看山</h1>" +
            "".join(f"<p>{'红海有三猫。' * 12}</p>" for _ in range(6)) + "</article></body></html>")
    proc = _translate(["-", "-f", "jsonl"], toy_model, input=page.encode())
    assert proc.returncode == 0, proc.stderr
    assert b'"layout": "html"' in proc.stdout.splitlines()[0] and b"<p>" not in proc.stdout


@pytest.mark.parametrize("source, expected", [
    ("三猫看山。\n\n红海有三猫。\n", "three cat see mountain.\n\nred sea have three cat.\n"),
    ("三猫看山。\n红海有三猫。\n", "three cat see mountain.\nred sea have three cat.\n"),
    ("三猫看山。\n\n\n\n红海有三猫。\n五鸟。\n", "three cat see mountain.\n\nred sea have three cat.\nfive bird.\n"),
])
def test_text_output_keeps_the_paragraph_separation(tmp_path, toy_model, source, expected):
    """One-line paragraphs separated by blank lines keep a blank line between them in ``-f text``."""
    path = tmp_path / "in.txt"
    path.write_text(source, encoding="utf-8")
    proc = _translate([str(path)], toy_model)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == expected


def test_library_text_keeps_the_paragraph_separation(toy_model):
    from translate import Translator

    assert Translator(str(toy_model)).translate(TEXT).text == EXPECTED.rstrip("\n")
