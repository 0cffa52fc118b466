"""The warnings the page reader gives (the CLI prints each as one line)."""

from __future__ import annotations

from ...errors import LossWarning


class PageWarning(UserWarning):
    """Part of a web page could not be read as written (its encoding, its nesting) or did not come
    out; the CLI prints it as one line."""


class PageLossWarning(PageWarning, LossWarning):
    """Paragraphs of the article did not come out (the extractor left them out): counted, exit 1."""
