"""User-facing errors: each carries a one-line message and the CLI exit code."""

from __future__ import annotations


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
