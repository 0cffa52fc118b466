"""User-facing errors: each carries a one-line message and the CLI exit code."""

from __future__ import annotations


def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of an exception's message (or its type), for one-line error messages."""
    text = str(exc).strip()
    return text.splitlines()[0][:limit] if text else type(exc).__name__


class TranslateError(Exception):
    """Base class for errors caused by the user's input or environment (not bugs).

    The CLI prints ``str(error)`` on one line and exits with ``exit_code``.
    """

    exit_code = 1


class InputError(TranslateError):
    """The input cannot be read or decoded."""


class UsageError(TranslateError):
    """An option value or combination is invalid."""

    exit_code = 2


class ModelNotFoundError(TranslateError):
    """The model cannot be found locally and cannot be downloaded."""


class OutputError(TranslateError):
    """The output cannot be written."""
