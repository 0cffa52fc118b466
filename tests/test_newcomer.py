"""A newcomer's first minutes: what the commands say with no network (a local model folder, the
toy model of this checkout), at a terminal with no input, and on every first-try mistake — one
line each, never a traceback or a silent wait; ``--help`` stays instant for both commands."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

import pytest

from summarize.cli import main as summarize_main
from tests.cli_helpers import run_cli
from tests.conftest import ROOT, SEED

TOY = "tests/toy/toy-zh-en"


def _python(*args: str, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, **kw)


# -- no network: the error and --help both lead to a model that works --------------------------------

def test_offline_without_the_model_points_at_a_local_folder_and_the_toy(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = run_cli([str(SEED)], capsys)  # the Quick start, offline (conftest), no model cached
    assert (code, out) == (1, "") and len(err.splitlines()) == 1
    assert "use a local model folder (--model)" in err and f"-m {TOY}" in err
    assert summarize_main([str(SEED)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("summarize: error: ") and f"-m {TOY}" in err


def test_a_library_error_names_no_flag():
    from translate.errors import ModelNotFoundError
    from translate.models import resolve_model

    with pytest.raises(ModelNotFoundError) as info:
        resolve_model("Helsinki-NLP/opus-mt-xx-yy", offline=True)
    message = str(info.value)
    assert "local model folder" in message and info.value.option == "model"
    assert not re.search(r"(^|\s)-", message) and "toy" not in message  # no flag, no checkout path


@pytest.mark.parametrize("command", ["translate", "summarize"])
def test_help_shows_how_to_run_the_toy_model(command):
    proc = _python("-m", command, "--help")
    assert proc.returncode == 0 and proc.stderr == ""
    text = " ".join(proc.stdout.split())  # rich wraps the epilogue
    assert f"{command} seeds/customs-reply-zh.txt -m {TOY}" in text and "local model folder" in text


def test_summarize_help_imports_no_heavy_module():
    code = ("import sys; from summarize.cli import main; main(['--help'])\n"
            "print('HEAVY', [m for m in ('numpy', 'torch', 'jieba', 'summarize.summarizer', 'translate.pipeline')"
            " if m in sys.modules])")
    proc = _python("-c", code)
    assert "Usage" in proc.stdout and "HEAVY []" in proc.stdout, proc.stdout


# -- standard input at a terminal: say so, do not wait silently ---------------------------------------

def _at_a_terminal(args: list[str], text: bytes) -> tuple[int, str, str]:
    """Run ``args`` with a pseudo-terminal as stdin, ``text`` and Ctrl-D typed ahead (the terminal
    holds them until the command reads); the exit code, stdout and stderr."""
    leader, follower = pty.openpty()
    os.write(leader, text + b"\n\x04")  # Ctrl-D at the start of a line ends the input
    proc = subprocess.Popen([sys.executable, *args], stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    os.close(follower)
    try:
        out, err = proc.communicate(timeout=600)  # a command waiting for a second Ctrl-D fails, never hangs
    finally:
        os.close(leader)
        proc.kill()
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.parametrize("command", ["translate", "summarize"])
def test_standard_input_at_a_terminal_is_announced(command, toy_model):
    args = ["-m", command, "-m", str(toy_model)] + (["-l", "1"] if command == "summarize" else [])
    code, out, err = _at_a_terminal(args, "五鸟看山。".encode())
    assert code == 0, err
    assert err.splitlines()[0] == f"{command}: reading standard input (Ctrl-D to end)"
    assert "five bird see mountain." in out


def test_quiet_or_a_pipe_says_nothing_about_standard_input(toy_model):
    code, out, err = _at_a_terminal(["-m", "translate", "-", "-m", str(toy_model), "-q"], "五鸟。".encode())
    assert (code, out, err) == (0, "five bird.\n", "")
    proc = _python("-m", "translate", "-m", str(toy_model), input="五鸟。\n")
    assert proc.returncode == 0 and "standard input" not in proc.stderr


# -- first-try mistakes: one line each ----------------------------------------------------------------

HOSTILE = {  # arguments → (exit code, what the one line starts with)
    "missing file": (["nonexistent.txt"], 1, "translate: error: cannot read 'nonexistent.txt'"),
    "a folder, no output": (["."], 2, "translate: error: a folder of documents needs an output folder"),
    "an empty path": ([""], 2, "translate: error: the input path is empty"),
    "an empty path, with -o": (["", "-o", "out"], 2, "translate: error: the input path is empty"),
    "a bad format": (["x.txt", "-f", "pdf"], 2, "translate: error: Invalid value for '-f'"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_first_try_mistake_is_one_line(case, tmp_path, capsys, monkeypatch):
    args, expected_code, start = HOSTILE[case]
    monkeypatch.chdir(tmp_path)  # an empty folder: `translate .` finds nothing
    code, out, err = run_cli(args, capsys)
    assert (code, out) == (expected_code, "") and len(err.splitlines()) == 1 and err.startswith(start), err
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize("args", [["-l", "bogus", str(SEED)], ["", "--to", "source"]])
def test_summarize_mistakes_are_one_line(args, capsys):
    assert summarize_main(args) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("summarize: error: ")
