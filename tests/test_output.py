"""Writing results (translate/output/): the JSONL format aligns every sentence of the seed article
with its source span and paragraph, the Markdown table escapes Markdown and HTML in the text, and an
output file is replaced atomically: a finished run leaves no temporary file behind, a failed one
keeps the previous file. What is not a regular file is never replaced: devices, FIFOs and
/dev/stdout are written through, symlinks stay symlinks, read-only files are refused."""

from __future__ import annotations

import json

import pytest

from tests.cli_helpers import run, run_cli
from translate.output import atomic_writer, open_output


def test_seed_jsonl_alignment_complete(tiny_model, seed_text, tmp_path, capsys):
    out = tmp_path / "seed.jsonl"
    code, _, _ = run_cli(["seeds/customs-reply-zh.txt", "-m", str(tiny_model), "--max-new-tokens", "4",
                          "-f", "jsonl", "-o", str(out), "-q", "--num-beams", "2", "--device", "cpu"], capsys)
    assert code == 0
    header, *records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert header["num_beams"] == 2 and header["device"] == "cpu" and header["max_new_tokens"] == 4
    from translate.segmentation import segment_document

    assert len(records) == segment_document(seed_text).sentence_count == 35
    paragraphs = [line.strip().lstrip("\u3000") for line in seed_text.splitlines() if line.strip()]
    assert sorted({r["paragraph"] for r in records}) == list(range(23))
    for i, para in enumerate(paragraphs):
        mine = [r for r in records if r["paragraph"] == i]
        assert [r["sentence"] for r in mine] == list(range(len(mine)))
        assert all(para[r["start"]:r["end"]] == r["source"] for r in mine)
        assert "".join(r["source"] for r in mine) == para  # nothing between sentences is lost
        assert all(r["translation"] for r in mine)


def test_markdown_format(tiny_model, tmp_path, capsys):
    src = tmp_path / "in.txt"
    src.write_text("标题\n　　正文|<x>加粗</x>*星*。\n", encoding="utf-8")  # not an HTML remnant: kept, escaped
    code, out, _ = run_cli([str(src), "-m", str(tiny_model), "--max-new-tokens", "3", "-f", "markdown", "-q"],
                           capsys)
    assert code == 0
    blocks = out.strip().split("\n\n")  # the translation with the source's structure: a title, a paragraph
    assert len(blocks) == 2 and blocks[0].startswith("# ") and not blocks[1].startswith("#")
    assert "<x>" not in out


def test_output_file_written_atomically(tmp_path, toy_model, capsys):
    src, dst = tmp_path / "a.txt", tmp_path / "out.txt"
    src.write_text("三猫。", encoding="utf-8")
    dst.write_text("old", encoding="utf-8")
    code, out, _ = run([str(src), "-m", str(toy_model), "-o", str(dst), "-q"], capsys)
    assert code == 0 and out == "" and dst.read_text(encoding="utf-8") == "three cat.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "out.txt"]


def test_atomic_writer_keeps_previous_file_on_failure(tmp_path):
    dst = tmp_path / "out.txt"
    dst.write_text("previous", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        with atomic_writer(dst) as fh:
            fh.write("half")
            raise KeyboardInterrupt
    assert dst.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


# -- `-o` never destroys what is not a plain file ------------------------------------------------------

def write(path, text="new\n"):
    with open_output(path) as out:
        out.write(text)


def test_character_device_is_written_through_never_replaced():
    import os
    import stat

    before = os.stat("/dev/null")
    write("/dev/null")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_symlink_stays_a_symlink_and_its_target_is_replaced(tmp_path):
    target, link = tmp_path / "real.txt", tmp_path / "link.txt"
    target.write_text("old\n")
    link.symlink_to(target)
    write(link)
    assert link.is_symlink() and target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real.txt"]  # no temp file left


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "sub" / ".." / "made.txt")
    write(link)
    assert link.is_symlink() and (tmp_path / "made.txt").read_text() == "new\n"


def test_fifo_is_written_through_and_its_reader_gets_everything(tmp_path):
    import os
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write(fifo, "through the pipe\n")
    reader.join()
    assert got == ["through the pipe\n"]
    assert fifo.is_fifo()


def test_read_only_file_is_refused_even_for_root(tmp_path, toy_model, capsys):
    src, out = tmp_path / "in.txt", tmp_path / "ro.txt"
    src.write_text("三猫。\n", encoding="utf-8")
    out.write_text("keep me\n")
    out.chmod(0o444)
    code, stdout, err = run([str(src), "-m", str(toy_model), "-o", str(out), "-q"], capsys)
    assert code == 1 and "read-only" in err and len(err.strip().splitlines()) == 1
    assert out.read_text() == "keep me\n" and out.stat().st_mode & 0o777 == 0o444


def test_existing_file_keeps_its_permissions(tmp_path, toy_model, capsys):
    src, out = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_text("三猫。\n", encoding="utf-8")
    out.write_text("old\n")
    out.chmod(0o640)
    assert run([str(src), "-m", str(toy_model), "-o", str(out), "-q"], capsys)[0] == 0
    assert out.read_text(encoding="utf-8") == "three cat.\n" and out.stat().st_mode & 0o777 == 0o640


def test_dev_stdout_and_dash_write_to_stdout(tmp_path, toy_model):
    import os
    import subprocess
    import sys

    src = tmp_path / "in.txt"
    src.write_text("三猫。\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    for target in ("/dev/stdout", "-"):
        proc = subprocess.run([sys.executable, "-m", "translate", str(src), "-m", str(toy_model), "-o", target, "-q"],
                              capture_output=True, text=True, env=env)
        assert proc.returncode == 0 and proc.stdout == "three cat.\n", proc.stderr
    assert not list(tmp_path.glob(".*.tmp")) and not list((tmp_path.parent).glob(".stdout*"))
