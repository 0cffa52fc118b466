"""A light Marian tokenizer: sentencepiece + ``vocab.json``, no torch, no transformers.

Reproduces ``transformers.MarianTokenizer`` (v5) exactly for what the CTranslate2 backend needs:
source pieces (special tokens kept whole, pieces outside the vocabulary → ``<unk>``, ``</s>``
appended) and decoding with the *target* sentencepiece model, special tokens dropped.

Note: transformers 5 builds a ``MosesPunctNormalizer`` for Marian but never applies it when
tokenizing, so neither does this class (applying it would change the model's input).
"""

from __future__ import annotations

import json
import re
from functools import cached_property
from pathlib import Path

SPIECE_UNDERLINE = "\u2581"


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


class MarianSpm:
    """Tokenize and detokenize like ``MarianTokenizer`` from a Marian model folder."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        config = _read_json(self.folder / "tokenizer_config.json")
        self.source_lang: str | None = config.get("source_lang")
        self.separate_vocabs = bool(config.get("separate_vocabs", False))
        special = {**_read_json(self.folder / "special_tokens_map.json"), **config}
        self.eos = self._token(special, "eos_token", "</s>")
        self.unk = self._token(special, "unk_token", "<unk>")
        self.pad = self._token(special, "pad_token", "<pad>")
        self.specials = (self.eos, self.unk, self.pad)
        self.vocab: dict[str, int] = _read_json(self.folder / "vocab.json")
        if self.unk not in self.vocab:
            raise KeyError(f"{self.unk} token must be in {self.folder / 'vocab.json'}")
        self.target_vocab: dict[str, int] = (_read_json(self.folder / "target_vocab.json")
                                             if self.separate_vocabs else self.vocab)
        # Like the tokenizer's trie: special tokens in the text are kept whole, longest first.
        self._split = re.compile("(" + "|".join(map(re.escape, sorted(set(self.specials), key=len,
                                                                        reverse=True))) + ")")

    @staticmethod
    def _token(config: dict, key: str, default: str) -> str:
        value = config.get(key, default)
        return value.get("content", default) if isinstance(value, dict) else str(value)

    @cached_property
    def _source(self):
        import sentencepiece

        return sentencepiece.SentencePieceProcessor(model_file=str(self.folder / "source.spm"))

    @cached_property
    def _target(self):
        import sentencepiece

        return sentencepiece.SentencePieceProcessor(model_file=str(self.folder / "target.spm"))

    def _pieces(self, text: str) -> list[str]:
        pieces: list[str] = []
        for chunk in self._split.split(text):
            if not chunk:
                continue
            if chunk in self.specials:
                pieces.append(chunk)
                continue
            if chunk.startswith(">>") and (end := chunk.find("<<")) != -1:  # language code, e.g. >>fra<<
                pieces.append(chunk[:end + 2])
                chunk = chunk[end + 2:]
            pieces.extend(self._source.encode(chunk, out_type=str))
        return [p if p in self.vocab else self.unk for p in pieces]

    def encode(self, text: str) -> list[str]:
        """Source pieces as the model sees them, ending with ``</s>``."""
        return self._pieces(text) + [self.eos]

    def ids(self, text: str) -> list[int]:
        """Source vocabulary ids of :meth:`encode`."""
        return [self.vocab[p] for p in self.encode(text)]

    def count_tokens(self, text: str) -> int:
        """Number of source tokens without ``</s>``."""
        return len(self._pieces(text))

    def decode(self, pieces: list[str]) -> str:
        """Target pieces → text with the target sentencepiece model; special tokens are dropped."""
        kept = [p for p in pieces if p not in self.specials]
        return self._target.decode_pieces(kept).replace(SPIECE_UNDERLINE, " ").strip()
