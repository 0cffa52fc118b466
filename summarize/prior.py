"""The lead prior: how much a sentence's position weighs against its centrality, by budget kind
(a sentence count, or a length in words or characters) and by how long the article is.

News puts its gist first, but how far to trust that depends on the article and on the budget: a
three-sentence digest of a long report is often best as its first three sentences, a short post's
headline-length digest is not. The weights are learned, not set by hand: ``python
benchmarks/digest_prior.py`` fits the position weight on the development sets (a grid over it, the
best mean ROUGE-1 per cell; a cell with too few articles to learn from keeps ``UNLEARNED``, the
weight used before any fitting) and prints this table. The title's weight stays fixed; centrality
gets what position does not. The same script picks ``SHORT_TEXT``: up to how many sentences a text
is short, so that a sentence-count digest of it counts clause groups (a post's "3 sentences" are
its 3 best clause groups, as SnowNLP's units are clauses), whatever the count asked for.
"""

from __future__ import annotations

from typing import Literal

from .lengths import LengthSpec
from .ranking import Weights

Kind = Literal["sentences", "length"]
TITLE_WEIGHT = 0.2
SHARED = 1 - TITLE_WEIGHT  # what centrality and position share
BUCKETS: tuple[tuple[str, int], ...] = (("short", 8), ("medium", 20), ("long", 1 << 62))  # by ranked sentences
UNLEARNED = 0.3  # the position weight of a cell the development sets cannot teach
SHORT_TEXT = 4  # written by benchmarks/digest_prior.py

# position weight per (budget kind, article length): written by benchmarks/digest_prior.py
POSITION: dict[tuple[str, str], float] = {
    ("sentences", "short"): 0.8,
    ("sentences", "medium"): 0.3,
    ("sentences", "long"): 0.3,
    ("length", "short"): 0.0,
    ("length", "medium"): 0.3,
    ("length", "long"): 0.3,
}


def kind_of(spec: LengthSpec) -> Kind:
    """A budget's kind: a count of sentences, or a length (words, characters, a share of the article)."""
    return "sentences" if spec.unit == "sentences" else "length"


def is_short(sentences: int) -> bool:
    """Whether a text of this many ranked sentences is short (see ``SHORT_TEXT``)."""
    return 0 < sentences <= SHORT_TEXT


def bucket(sentences: int) -> str:
    """The length bucket of an article with ``sentences`` ranked sentences."""
    return next(name for name, most in BUCKETS if sentences <= most)


def weights_for(kind: Kind, sentences: int) -> Weights:
    """The ranking weights for a digest of this budget kind of an article this long."""
    position = POSITION[(kind, bucket(sentences))]
    return Weights(centrality=round(SHARED - position, 6), position=position, title=TITLE_WEIGHT)
