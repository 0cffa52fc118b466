"""What one translation call did, counted: where its units came from (the translation memory,
the model, passed through), which ones the guard marked suspect and why, and which glossary
terms and consistent names were found and held.

Results carry these counts (each translated paragraph its own, a document or a file their sum),
never the translator: any number of callers can share one translator and each still counts only
its own work.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from .glossary import Term, term_report

Origin = Literal["memory", "model", "passthrough"]


class Counted(Protocol):
    """What is counted of a unit's outcome (``assemble.Outcome``)."""

    @property
    def origin(self) -> Origin: ...
    @property
    def status(self) -> str: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def terms(self) -> tuple[tuple[Term, bool], ...]: ...


@dataclass(frozen=True)
class Stats:
    """Translation units served from the memory (``cached``), by the model (``translated``) and
    passed through; suspect units by reason; each term found: how often, and how often it held."""

    cached: int = 0
    translated: int = 0
    passthrough: int = 0
    suspects: tuple[tuple[str, int], ...] = ()        # (reason, units), by reason
    terms: tuple[tuple[Term, int, int], ...] = ()     # (term, found, held)

    @classmethod
    def of(cls, outcomes: Iterable[Counted]) -> Stats:
        """The counts of translation units' outcomes (one per occurrence)."""
        origins: Counter[str] = Counter()
        suspect: Counter[str] = Counter()
        found: Counter[Term] = Counter()
        held: Counter[Term] = Counter()
        for o in outcomes:
            origins[o.origin] += 1
            if o.status == "suspect":
                suspect[o.reason or ""] += 1
            for term, ok in o.terms:
                found[term] += 1
                held[term] += ok
        return cls(origins["memory"], origins["model"], origins["passthrough"], _pairs(suspect), _terms(found, held))

    def __add__(self, other: Stats) -> Stats:
        if not isinstance(other, Stats):
            return NotImplemented
        suspect = Counter(dict(self.suspects))
        suspect.update(dict(other.suspects))
        found: Counter[Term] = Counter()
        held: Counter[Term] = Counter()
        for term, n, ok in (*self.terms, *other.terms):
            found[term] += n
            held[term] += ok
        return Stats(self.cached + other.cached, self.translated + other.translated,
                     self.passthrough + other.passthrough, _pairs(suspect), _terms(found, held))

    @property
    def counts(self) -> dict[str, int]:
        """``{"cached": …, "translated": …, "passthrough": …}``: units by where they came from."""
        return {"cached": self.cached, "translated": self.translated, "passthrough": self.passthrough}

    @property
    def suspect(self) -> dict[str, int]:
        """Suspect units by reason."""
        return dict(self.suspects)

    def terms_report(self) -> list[dict]:
        """Every glossary term and consistent name found: how often, and how often it held."""
        return term_report({t: n for t, n, _ in self.terms}, {t: ok for t, _, ok in self.terms})


def total(stats: Iterable[Stats]) -> Stats:
    """The sum of several calls' counts."""
    return sum(stats, Stats())


def _pairs(counter: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((k, n) for k, n in counter.items() if n))


def _terms(found: Mapping[Term, int], held: Mapping[Term, int]) -> tuple[tuple[Term, int, int], ...]:
    order = sorted(found, key=lambda t: (t.kind, t.source, t.target, t.note))
    return tuple((t, found[t], held.get(t, 0)) for t in order)
