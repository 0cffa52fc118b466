"""One exception hierarchy for everything the user can cause (not bugs).

Messages are one line and name no command-line flag: ``option`` names the library option
involved (a field of :mod:`translate.options`, or ``encoding``/``output``), and the CLI maps it
to its flag when it prints the error.
"""

from __future__ import annotations


def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of an exception's message (or its type), for one-line error messages."""
    text = str(exc).strip()
    return text.splitlines()[0][:limit] if text else type(exc).__name__


class TranslateError(Exception):
    """Base class: the input, an option or the environment is wrong. ``exit_code`` is the CLI's."""

    exit_code = 1

    def __init__(self, message: str, *, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


class InputError(TranslateError):
    """The input cannot be read or decoded."""


class UsageError(TranslateError, ValueError):
    """An option value or combination is invalid (unknown backend, device, compute type...)."""

    exit_code = 2


class ModelNotFoundError(TranslateError):
    """The model cannot be found locally and cannot be downloaded."""


class OutputError(TranslateError):
    """The output cannot be written."""


class LossWarning(UserWarning):
    """Text of the input did not come out (a reader left it out, and said how much): the output is
    written, and the CLI exits 1 so that a script notices."""
