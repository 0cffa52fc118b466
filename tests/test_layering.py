"""Layering, checked on the source: ``translate`` never imports ``summarize`` (not even lazily,
inside a function: the package below must not know the one above), and no module reaches into
another object's private attributes (``x._name`` where ``x`` is not ``self`` or ``cls``)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

# Documented interpreter functions spelt with an underscore: public despite the name.
INTERPRETER = {("sys", "_getframe")}


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, wherever the import statement is (top, function, class)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module)
    return names


def test_translate_never_imports_summarize():
    upward = {f"{path.relative_to(ROOT)}: {name}" for path in modules("translate") for name in imported(path)
              if name == "summarize" or name.startswith("summarize.")}
    assert not upward, sorted(upward)


def test_the_scan_finds_an_upward_import_inside_a_function(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from summarize.summarizer import Summarizer\n", encoding="utf-8")
    assert imported(sample) == {"summarize.summarizer"}


def reaches(path: Path) -> list[str]:
    """``x._name`` reads and writes in ``path`` where ``x`` is neither ``self`` nor ``cls``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Attribute) or not node.attr.startswith("_") or node.attr.startswith("__"):
            continue
        owner = node.value
        if isinstance(owner, ast.Name) and (owner.id in ("self", "cls") or (owner.id, node.attr) in INTERPRETER):
            continue
        found.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{node.lineno}: "
                     f"{ast.unparse(node)}")
    return found


def test_no_module_reaches_into_private_attributes():
    found = [line for package in ("translate", "summarize") for path in modules(package) for line in reaches(path)]
    assert not found, "\n".join(found)


def test_the_scan_finds_private_reads_writes_and_module_helpers(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("import os\nx = t._language\nt._token = 1\ny = os._exit\nz = self._ok\n", encoding="utf-8")
    assert [line.split(": ", 1)[1] for line in reaches(sample)] == ["t._language", "t._token", "os._exit"]


# Opening an input and segmenting it: one reading path (``translate/sources/reader.py``), no copies.
READING = {"open_input", "segment_stream", "segment_blocks", "segment_document"}


def reads(path: Path) -> set[str]:
    """The reading entry points ``path`` imports, calls or refers to (``f``, ``x.f``, ``from m import f``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            found.update(alias.name for alias in node.names if alias.name in READING)
        elif isinstance(node, ast.Name) and node.id in READING:
            found.add(node.id)
        elif isinstance(node, ast.Attribute) and node.attr in READING:
            found.add(node.attr)
    return found


def test_only_the_reader_opens_and_segments_an_input():
    segmentation = ROOT / "translate" / "segmentation"
    readers = {str(path.relative_to(ROOT)) for package in ("translate", "summarize") for path in modules(package)
               if not path.is_relative_to(segmentation) and reads(path)}
    assert readers == {"translate/sources/reader.py"}


def test_the_reading_scan_finds_imports_calls_and_attributes(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("from translate.segmentation import segment_blocks\nimport translate.sources as s\n"
                      "s.open_input('-')\nsegment_document('x')\ndef segment_stream(): pass\n", encoding="utf-8")
    assert reads(sample) == {"segment_blocks", "open_input", "segment_document"}
