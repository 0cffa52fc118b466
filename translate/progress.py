"""Progress reporting on stderr (rich), silent when asked or when stderr is not a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any


class Bar:
    """``start(total)`` once (``None``: unknown), then ``advance(n)``; draws nothing when disabled.

    The bar appears only at ``start``: what happens before (a model download with its own byte
    progress bar) has the terminal to itself."""

    def __init__(self, label: str, enabled: bool) -> None:
        self._label, self._enabled = label, enabled
        self._progress: Any = None
        self._task: Any = None

    def start(self, total: int | None) -> None:
        if not self._enabled or total == 0 or self._progress is not None:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("sentences"), TimeRemainingColumn())
        self._progress = Progress(*columns, console=Console(stderr=True), transient=True)
        self._progress.start()
        self._task = self._progress.add_task(self._label, total=total)

    def advance(self, n: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, n)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()


@contextlib.contextmanager
def progress_bar(label: str, enabled: bool) -> Iterator[Bar]:
    """A :class:`Bar` on stderr, from its ``start`` to the end of the block (only on a terminal,
    and if ``enabled``)."""
    bar = Bar(label, enabled and sys.stderr.isatty())
    try:
        yield bar
    finally:
        bar.stop()
