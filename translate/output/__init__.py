"""Output: render translated paragraphs in a format, and write them safely."""

from .formats import FORMATS, render
from .sink import atomic_writer, open_output

__all__ = ["FORMATS", "render", "atomic_writer", "open_output"]
