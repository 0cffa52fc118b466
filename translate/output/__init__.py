"""Output: render translated paragraphs in a format, and write them safely."""

from .formats import FORMATS, OutputFormat, escape_markdown, header_record, json_line, render
from .sink import atomic_writer, open_output

__all__ = ["FORMATS", "OutputFormat", "atomic_writer", "escape_markdown", "header_record", "json_line",
           "open_output", "render"]
