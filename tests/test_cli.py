"""The translate CLI (translate/cli.py): one-line errors with exit codes, encodings, stdin/stdout,
nothing left behind by an unwritable output, python -m and pipes, an instant --help that imports no
torch, a lazy library, and the seed article through the CLI with every paragraph kept."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.cli_helpers import run, run_cli


def one_line(err: str) -> str:
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_missing_file(capsys):
    code, out, err = run(["no/such/file.txt", "-q"], capsys)
    assert code == 1 and out == ""
    assert "no/such/file.txt" in one_line(err) and "no such file" in err


def test_unknown_model_offline(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text("你好。", encoding="utf-8")
    code, out, err = run([str(src), "-m", "Helsinki-NLP/opus-mt-xx-yy"], capsys)
    line = one_line(err)
    assert code == 1 and out == ""
    assert "Helsinki-NLP/opus-mt-xx-yy" in line and "offline" in line and "(--model)" in line


def test_missing_model_folder(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text("你好。", encoding="utf-8")
    code, _, err = run([str(src), "-m", "./no-such-model-dir"], capsys)
    assert code == 1 and "does not exist" in one_line(err)


def test_folder_without_model(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text("你好。", encoding="utf-8")
    code, _, err = run([str(src), "-m", str(tmp_path)], capsys)
    assert code == 1 and "not a model folder" in one_line(err)


def test_wrong_explicit_encoding_is_a_one_line_error(tmp_path, capsys):
    src = tmp_path / "gbk.txt"
    src.write_bytes("海关总署表示。".encode("gbk"))
    code, _, err = run([str(src), "-q", "--encoding", "utf-8"], capsys)
    assert code == 1 and "not valid utf-8" in one_line(err) and "--encoding" in err


def test_unknown_encoding_name(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text("三猫。", encoding="utf-8")
    code, _, err = run([str(src), "-q", "--encoding", "klingon"], capsys)
    assert code == 2 and "unknown encoding" in one_line(err)  # a bad option value is a usage error


def test_explicit_encoding(tmp_path, toy_model, capsys):
    src = tmp_path / "gbk.txt"
    src.write_bytes("三猫。".encode("gb18030"))
    code, out, _ = run([str(src), "--encoding", "gb18030", "-m", str(toy_model), "-q"], capsys)
    assert code == 0 and out == "three cat.\n"


def test_utf8_bom_and_crlf(tmp_path, toy_model, capsys):
    src = tmp_path / "bom.txt"
    src.write_bytes(b"\xef\xbb\xbf" + "三猫。\r\n四狗。\r\n".encode())
    code, out, _ = run([str(src), "-m", str(toy_model), "-q"], capsys)
    assert code == 0 and out == "three cat.\nfour dog.\n"


@pytest.mark.parametrize("args", [["--format", "pdf"], ["--batch-size", "0"], ["--no-such-flag"]])
def test_usage_errors_exit_2(args, capsys):
    code, _, err = run(args, capsys)
    assert code == 2 and one_line(err).startswith("translate: error:")


def test_empty_input(tmp_path, toy_model, capsys):
    src = tmp_path / "empty.txt"
    src.write_text(" \n\u3000\n", encoding="utf-8")
    code, out, err = run([str(src), "-m", str(toy_model)], capsys)
    assert code == 0 and out == "" and "empty" in one_line(err)


def test_empty_input_still_checks_the_model(tmp_path, capsys):
    """A wrong model is reported even when there is nothing to translate (it would fail on the next file)."""
    src = tmp_path / "empty.txt"
    src.write_text(" \n\u3000\n", encoding="utf-8")
    code, out, err = run([str(src), "-m", "Helsinki-NLP/opus-mt-xx-yy"], capsys)
    assert code == 1 and out == "" and "opus-mt-xx-yy" in one_line(err)


def test_unwritable_output_leaves_nothing(tmp_path, toy_model, capsys):
    src = tmp_path / "a.txt"
    src.write_text("三猫。", encoding="utf-8")
    code, _, err = run([str(src), "-m", str(toy_model), "-o", str(tmp_path / "missing" / "out.txt"), "-q"], capsys)
    assert code == 1 and "cannot write" in one_line(err)
    assert not (tmp_path / "missing").exists()


def _subprocess(args, **kw):
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, **kw)


def test_help_is_instant_and_imports_no_torch():
    code = ("import sys, time; t=time.perf_counter(); from translate.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy=[m for m in ('torch','transformers','sentencepiece','huggingface_hub') if m in sys.modules]\n"
            "print('HEAVY', heavy, time.perf_counter()-t)")
    proc = _subprocess(["-c", code])
    assert "Usage" in proc.stdout
    assert "HEAVY []" in proc.stdout, proc.stdout


def test_python_dash_m_and_pipes(toy_model):
    proc = _subprocess(["-m", "translate", "-m", str(toy_model)], input="五鸟。\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "five bird.\n"
    assert "Traceback" not in proc.stderr


def test_version():
    proc = _subprocess(["-m", "translate", "--version"])
    assert proc.returncode == 0 and proc.stdout.startswith("translate ")


def test_library_is_lazy():
    code = ("import sys; import translate; t = translate.Translator('Helsinki-NLP/opus-mt-zh-en'); "
            "print([m for m in ('torch','transformers') if m in sys.modules])")
    assert _subprocess(["-c", code]).stdout.strip() == "[]"


def test_seed_through_cli_keeps_every_paragraph(tiny_model, capsys):
    code, out, err = run_cli(["seeds/customs-reply-zh.txt", "-m", str(tiny_model), "--max-new-tokens", "6", "-q"],
                             capsys)
    assert code == 0 and err == ""
    assert len(out.rstrip("\n").split("\n")) == 23
    assert all(line.strip() for line in out.rstrip("\n").split("\n"))
