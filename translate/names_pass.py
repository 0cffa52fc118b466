"""The consistent-names pass over one document (``translate/names.py`` says what it does and why).

Its cost is bounded and linear: the names are found once per document (each distinct sentence
tagged once, the result kept in the translation memory), at most ``MAX_NAMES`` of them (the most
frequent) are rendered, alone, in the same engine call as the document's first sentences, and a
sentence is translated a second time only when it contains a confirmed name but not its
rendering — once, with the name protected. A :class:`NamePass` lives for one call; the engine it
works with keeps nothing of it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Sequence

from .assemble import Outcome
from .memory import NullMemory
from .engine import Call, Engine
from .glossary import Glossary, Term
from .version import __version__

logger = logging.getLogger("translate")
MAX_NAMES = 64  # names rendered consistently per document and language, the most frequent first


class NamePass:
    """One document's names for one engine: rendered with its first sentences, confirmed as the
    model uses them, enforced where a sentence strayed."""

    def __init__(self, engine: Engine, found: dict[str, int]) -> None:
        self.engine = engine
        self.found = found
        glossary = engine.glossary or Glossary()
        recurring = [n for n, count in found.items() if count >= 2 and n not in glossary]
        if len(recurring) > MAX_NAMES:
            logger.info("consistent names: the %d most frequent of %d names", MAX_NAMES, len(recurring))
        self.wanted = recurring[:MAX_NAMES]
        self.table: Glossary | None = None   # the names with a confident rendering, and the other names as blockers
        self.confirmed: set[str] = set()     # names the model has used as rendered
        self.rendered = False

    @classmethod
    def start(cls, engine: Engine, sentences: Sequence[str]) -> NamePass | None:
        """The pass for a document's ``sentences`` (in ``engine``'s source language), or None when
        they are not Chinese or no name recurs."""
        if not str(engine.source_language or "").startswith("zh"):
            return None
        names = cls(engine, names_of(list(sentences), engine))
        return names if names.wanted else None

    def pending(self) -> list[str]:
        """The names to decode alone, alongside the next sentences (once)."""
        return [] if self.rendered else self.wanted

    def take(self, renderings: Sequence[Outcome]) -> None:
        """Keep the standalone renderings (of :meth:`pending`) that read as names."""
        from .names import clean_rendering, looks_like_name

        terms = [Term(n, r, kind="name") for n, o in zip(self.wanted, renderings)
                 if o.status == "ok" and looks_like_name(r := clean_rendering(o.text))]
        blockers = [Term(n, n, kind="blocker") for n in self.found if n not in {t.source for t in terms}]
        self.table = Glossary(terms + blockers) if terms else None
        self.rendered = True

    def enforce(self, units: Sequence[str], outcomes: list[Outcome], call: Call) -> list[Outcome]:
        """Render each confirmed name the same way: a name is confirmed once the model used its
        standalone rendering as a name in a sentence (the first confident rendering); a sentence
        with a confirmed name but not its rendering is translated again with the name protected
        (kept unless that made it suspect). Each outcome gets the confirmed names it had to hold."""
        from .names import used_as_name

        if self.table is None:
            return outcomes
        glossary = self.engine.glossary
        table = glossary.merged(self.table) if glossary else self.table  # the glossary's renderings win
        hits = [[t for _, _, t in table.find(u) if t.kind == "name"] if o.status != "passthrough" else []
                for u, o in zip(units, outcomes)]
        for found, o in zip(hits, outcomes):
            self.confirmed.update(t.source for t in found if used_as_name(t.target, o.text))
        todo = list(dict.fromkeys(u for u, found, o in zip(units, hits, outcomes) if self._strayed(found, o)))
        again = self._again(todo, call) if todo else {}
        final = []
        for u, found, o in zip(units, hits, outcomes):
            new = again.get(u)
            if new is not None and (new.status != "suspect" or o.status == "suspect"):  # a worse sentence is no price
                o = dataclasses.replace(new, origin=o.origin)  # (counted where its first translation came from)
            final.append(self._checked(o, found))
        return final

    def _strayed(self, found: list[Term], o: Outcome) -> bool:
        return any(t.source in self.confirmed and t.target.lower() not in o.text.lower() for t in found)

    def _again(self, todo: list[str], call: Call) -> dict[str, Outcome]:
        """``todo`` translated again with the confirmed names protected (memory-keyed by them)."""
        enforced = Glossary(t for t in self.table.terms.values()  # type: ignore[union-attr]
                            if t.kind != "name" or t.source in self.confirmed)
        done = self.engine.translate(todo, call.decoding, mask=call.mask, names=enforced,
                                     key={"names": enforced.digest})
        return dict(zip(todo, done.outcomes))

    def _checked(self, o: Outcome, found: list[Term]) -> Outcome:
        """``o`` with its confirmed names, and whether each held, in place of any names it had."""
        names = tuple((t, t.target.lower() in o.text.lower()) for t in found if t.source in self.confirmed)
        if not names and not any(t.kind == "name" for t, _ in o.terms):
            return o
        return dataclasses.replace(o, terms=tuple(x for x in o.terms if x[0].kind != "name") + names)


def names_of(sentences: list[str], engine: Engine) -> dict[str, int]:
    """Every name the tagger finds in ``sentences``, with its sentence count; kept in the
    translation memory by the document's digest, so a rerun does not load the tagger."""
    from .names import find_names

    memory = engine.memory
    if isinstance(memory, NullMemory):
        return find_names(sentences, min_sentences=1)
    key = hashlib.sha256("\n".join(sentences).encode("utf-8")).hexdigest()
    context = {"names": "jieba", "version": __version__}
    stored = memory.get_many(context, [key]).get(key)
    if stored is not None:
        return dict(json.loads(stored[0]))
    found = find_names(sentences, min_sentences=1)
    memory.put_many(context, [(key, json.dumps(list(found.items()), ensure_ascii=False), "ok")])
    return found
