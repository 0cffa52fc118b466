"""Progress reporting on stderr (rich), silent when asked or when stderr is not a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any


class Bar:
    """``start(total)`` once (``None``: unknown), then ``advance(n)``; does nothing when disabled."""

    def __init__(self, label: str, progress: Any = None) -> None:
        self._label, self._progress, self._task = label, progress, None

    def start(self, total: int | None) -> None:
        if self._progress is not None and total != 0:
            self._task = self._progress.add_task(self._label, total=total)

    def advance(self, n: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, n)


@contextlib.contextmanager
def progress_bar(label: str, enabled: bool) -> Iterator[Bar]:
    """A :class:`Bar` drawn on stderr while the block runs (only on a terminal, and if ``enabled``)."""
    if not enabled or not sys.stderr.isatty():
        yield Bar(label)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("sentences"), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield Bar(label, progress)
