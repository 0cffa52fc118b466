"""A glossary: source terms that must come out as given target terms (names, places,
institutions, slogans).

A glossary file is TSV or CSV (``.csv``: comma-separated, with CSV quoting; anything else: tab-
separated), one term a line: source term, target term, an optional note. Blank lines and lines
starting with ``#`` are ignored, and so is a first line ``source<sep>target…`` (a header).

Terms are found longest first (:meth:`Glossary.find`): Chinese has no spaces, so a listed term is
never matched inside a longer listed term that covers it. A Latin-script source term matches only
as a whole word. The translation pipeline replaces each term found by a placeholder, puts the
*target* term back after translation (or translates around the term when the model lost the
placeholder), and checks that the target term is in the output (``guard``: reason
``glossary term missing``). The translation memory keys on :attr:`Glossary.digest`, the content.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, UsageError


@dataclass(frozen=True)
class Term:
    """One glossary entry. ``kind`` is ``glossary`` (from a file) or ``name`` (a document's name
    made consistent, see ``translate/names.py``)."""

    source: str
    target: str
    note: str = ""
    kind: str = "glossary"


class Glossary:
    """Source term → :class:`Term`; :meth:`find` locates terms in a text, longest first."""

    def __init__(self, terms: Iterable[Term] = ()) -> None:
        self.terms: dict[str, Term] = {}
        for term in terms:
            if term.source:
                self.terms.setdefault(term.source, term)  # the first entry of a source wins
        self._lengths = sorted({len(s) for s in self.terms}, reverse=True)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str], kind: str = "glossary") -> Glossary:
        return cls(Term(s, t, kind=kind) for s, t in mapping.items())

    def __len__(self) -> int:
        return len(self.terms)

    def __bool__(self) -> bool:
        return bool(self.terms)

    def __contains__(self, source: object) -> bool:
        return source in self.terms

    def merged(self, other: Glossary | None) -> Glossary:
        """This glossary's terms, then ``other``'s that are not in it (this one wins)."""
        if not other:
            return self
        return Glossary([*self.terms.values(), *other.terms.values()])

    @property
    def digest(self) -> str:
        """A fingerprint of the content (what the translation memory keys on), not of the file."""
        pairs = sorted((t.source, t.target) for t in self.terms.values())
        return hashlib.sha256(json.dumps(pairs, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]

    def find(self, text: str) -> list[tuple[int, int, Term]]:
        """``(start, end, term)`` of every term in ``text``, in text order, never overlapping:
        longer terms are taken first, so no term matches inside a longer one that covers it."""
        if not self.terms or not text:
            return []
        candidates = []
        for start in range(len(text)):
            for length in self._lengths:
                piece = text[start:start + length]
                if len(piece) == length and piece in self.terms and _whole(text, start, start + length):
                    candidates.append((start, start + length))
        candidates.sort(key=lambda se: (se[0] - se[1], se[0]))  # longest first, then leftmost
        taken: list[tuple[int, int]] = []
        for start, end in candidates:
            if all(end <= a or start >= b for a, b in taken):
                taken.append((start, end))
        return [(s, e, self.terms[text[s:e]]) for s, e in sorted(taken)]


def _whole(text: str, start: int, end: int) -> bool:
    """A Latin-script (or digit) edge of a term must not continue a word of ``text``."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if _wordish(text[start]) and _wordish(before):
        return False
    return not (_wordish(text[end - 1]) and _wordish(after))


def _wordish(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isalnum()


def load_glossary(path: str | Path) -> Glossary:
    """Read a glossary file (see the module's docstring). Errors are one line naming the file and
    line, with ``option="glossary"``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read glossary {path}: {exc.strerror or exc}", option="glossary") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"glossary {path} is not UTF-8 text", option="glossary") from None
    if path.suffix.lower() == ".csv":
        rows = list(csv.reader(io.StringIO(text)))
    else:
        rows = [line.split("\t") for line in text.splitlines()]
    terms: dict[str, Term] = {}
    for number, row in enumerate(rows, 1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and [c.lower() for c in cells[:2]] == ["source", "target"]:
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise UsageError(f"glossary {path}, line {number}: expected a source term and a target term",
                             option="glossary")
        term = Term(cells[0], cells[1], cells[2] if len(cells) > 2 else "")
        if term.source in terms and terms[term.source].target != term.target:
            raise UsageError(f"glossary {path}, line {number}: '{term.source}' is listed twice with different "
                             "targets", option="glossary")
        terms.setdefault(term.source, term)
    return Glossary(terms.values())


def term_report(found: Mapping[Term, int], held: Mapping[Term, int]) -> list[dict]:
    """The terms report: every term found, how often, and how often its target held."""
    return [{"source": t.source, "target": t.target, "kind": t.kind, "found": n, "held": held.get(t, 0),
             **({"note": t.note} if t.note else {})}
            for t, n in sorted(found.items(), key=lambda kv: (kv[0].kind, -kv[1], kv[0].source))]
