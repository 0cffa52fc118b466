"""Deterministic multi-paragraph documents in the toy model's language, with their exact translations."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tests.toy.train_toy import reference, sample


@dataclass(frozen=True)
class ToyDoc:
    text: str
    paragraphs: list[list[str]]  # source sentences per paragraph

    @property
    def expected(self) -> list[str]:
        return [" ".join(reference(s) for s in p) for p in self.paragraphs]


def toy_document(n_paragraphs: int = 12, seed: int = 1, indent: str = "\u3000\u3000") -> ToyDoc:
    """Paragraphs of 1–5 toy sentences; some are unterminated headings, some end without a mark."""
    rng = random.Random(seed)
    paragraphs = []
    for i in range(n_paragraphs):
        if i % 5 == 3:  # a heading: one short unterminated sentence
            paragraphs.append(["".join(rng.choice("山水花树海") for _ in range(3))])
            continue
        sentences = []
        for _ in range(rng.randint(1, 5)):
            s = sample(rng)
            while not s.endswith(("。", "！", "？", "；")):
                s = sample(rng)
            sentences.append(s)
        if rng.random() < 0.3:  # unterminated tail
            sentences.append(sample(rng).rstrip("。！？；") or "猫")
        paragraphs.append(sentences)
    text = "\n".join(("" if len(p) == 1 and i % 5 == 3 else indent) + "".join(p) for i, p in enumerate(paragraphs))
    return ToyDoc(text + "\n", paragraphs)
