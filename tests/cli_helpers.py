"""Running the translate CLI in-process for a test: ``run_cli(args, capsys)`` gives the exit
code, stdout and stderr. Shared by tests/test_cli.py and tests/test_output.py; ``run`` is the same
function under the shorter name that the CLI tests use."""

from __future__ import annotations

from translate.cli import main


def run_cli(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


run = run_cli
