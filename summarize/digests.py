"""Result dataclasses: the digests of one article, each aligned to its source sentences."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from translate.languages import join_sentences

from .lengths import LengthSpec


_CJK_END = tuple("。！？；：，、…”’」』）】》")
METHODS = ("extractive", "abstractive")  # what ``Digest.method`` can be (here, so the CLI's choices load light)


def join_digest(parts: list[str]) -> str:
    """Join digest sentences: as sentences of one paragraph, except that nothing follows the
    full-width punctuation ending a CJK sentence ("备用；4、…", never "备用； 4、…"); a digest that
    ends on a unit cut at ；/; (a sentence end for segmentation) ends as a sentence (。/.)."""
    out = ""
    for part in parts:
        if out and out.endswith(_CJK_END):
            out += part
        else:
            out = join_sentences([out, part]) if out else part
    if out.endswith("；"):
        out = out[:-1] + "。"
    elif out.endswith(";"):
        out = out[:-1] + "."
    return out


@dataclass(frozen=True)
class DigestSentence:
    """A picked sentence: where it is in the article, its score, its text in both languages."""

    index: int                 # position among the article's candidate sentences (document order)
    paragraph: int             # source paragraph index
    sentence: int              # sentence index within that paragraph
    score: float
    source: str                # what the digest says in the source language (all of the sentence, or its kept parts)
    translation: str | None    # None when the digest is in the source language
    # character spans of the source sentence that ``source`` keeps when it is not all of it (debris such as a
    # link prompt or a photo credit left out, or only the best clauses kept to fit a tight budget); () = all
    kept: tuple[tuple[int, int], ...] = ()

    @property
    def whole(self) -> bool:
        """Whether the digest quotes the whole source sentence."""
        return not self.kept

    @property
    def text(self) -> str:
        return self.source if self.translation is None else self.translation


@dataclass(frozen=True)
class Digest:
    """One digest of the article at one length."""

    length: LengthSpec
    sentences: tuple[DigestSentence, ...]   # extractive support, in document order
    achieved: float                          # length actually reached, in ``length.unit``
    over_budget: bool = False                # only when one sentence alone exceeds the budget
    method: str = "extractive"
    abstract: str | None = None              # generated text (abstractive method)
    note: str | None = None                  # e.g. why an abstractive digest fell back

    @property
    def name(self) -> str:
        return self.length.name

    @property
    def text(self) -> str:
        if self.abstract is not None:
            return self.abstract
        return join_digest([s.text for s in self.sentences])


@dataclass(frozen=True)
class Digests:
    """All digests of one article, shortest budget first as requested."""

    digests: tuple[Digest, ...]
    language: str                 # language of the digests ("en", or the source language)
    source_language: str | None
    info: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> Digest:
        for d in self.digests:
            if d.name == name:
                return d
        raise KeyError(name)

    def __iter__(self):
        return iter(self.digests)

    def __len__(self) -> int:
        return len(self.digests)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON): what a feed's state store keeps of a story's digests."""
        return {"language": self.language, "source_language": self.source_language,
                "info": json.loads(json.dumps(self.info, default=str)),
                "digests": [{**{k: v for k, v in asdict(d).items() if k not in ("length", "sentences")},
                             "length": asdict(d.length), "sentences": [asdict(s) for s in d.sentences]}
                            for d in self.digests]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Digests:
        digests = tuple(Digest(length=LengthSpec(**d["length"]),
                               sentences=tuple(DigestSentence(**{**s, "kept": _spans(s.get("kept", ()))})
                                               for s in d["sentences"]),
                               achieved=d["achieved"], over_budget=d["over_budget"], method=d["method"],
                               abstract=d["abstract"], note=d["note"]) for d in data["digests"])
        return cls(digests, data["language"], data["source_language"], data.get("info") or {})


def _spans(value: Any) -> tuple[tuple[int, int], ...]:
    """``kept`` read back from JSON (lists) as the tuples it was."""
    return tuple((int(a), int(b)) for a, b in value)
