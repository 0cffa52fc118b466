"""An opt-in vocabulary shortlist for CTranslate2 (the ``vocab_map`` option, CTranslate2's ``use_vmap``).

The file has one rule a line: a source n-gram (tokens separated by spaces), a tab, the target
tokens it allows; the tokens of the empty n-gram are always allowed. Decoding a batch then scores
only the union of the candidates of its source n-grams: less work per step, and the output can use
only those tokens. Off by default until ``benchmarks/quality.py`` shows its cost on real weights
(``benchmarks/vocab_map.py`` builds a map from a model's own translations and measures the speed).

CTranslate2 reads the map as ``vmap.txt`` in the model folder when the model loads. It gives a
blank line the empty n-gram (erasing the always-allowed tokens) and lets a repeated n-gram replace
the earlier one; so blank lines are dropped here, a repeat is an error, and what CTranslate2 reads
is the normalised text, whose digest the header and the translation memory key on (not the path).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError, first_line

FILE_NAME = "vmap.txt"  # where CTranslate2 looks for it in a model folder


class VocabMapWarning(UserWarning):
    """The vocabulary map names target tokens the model does not have."""


@dataclass(frozen=True)
class VocabMap:
    """A checked vocabulary map: ``rules`` maps each source n-gram to its target tokens."""

    rules: dict[str, tuple[str, ...]]

    @property
    def text(self) -> str:
        """The map as CTranslate2 reads it: one rule a line, single spaces."""
        return "".join(f"{source}\t{' '.join(targets)}\n" for source, targets in self.rules.items())

    @property
    def digest(self) -> str:
        """What the header and the translation memory key on: the content, not where the file is."""
        return "sha256:" + hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]

    def unknown_targets(self, vocabulary: dict[str, int]) -> tuple[int, int]:
        """(distinct target tokens not in ``vocabulary``, distinct target tokens)."""
        targets = {token for tokens in self.rules.values() for token in tokens}
        return len(targets - vocabulary.keys()), len(targets)


def read_vocab_map(path: str | os.PathLike) -> VocabMap:
    """Read and check a vocabulary map; any fault is one line naming the file (``option="vocab_map"``)."""
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"the vocabulary map '{path}' is not UTF-8 text (byte {exc.start})",
                         option="vocab_map") from None
    except OSError as exc:
        raise UsageError(f"cannot read the vocabulary map '{path}': {exc.strerror or first_line(exc)}",
                         option="vocab_map") from None
    rules: dict[str, tuple[str, ...]] = {}
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line.count("\t") != 1:
            raise UsageError(f"the vocabulary map '{path}', line {number}: expected a source n-gram, a tab, then "
                             "target tokens", option="vocab_map")
        source, targets = (" ".join(part.split()) for part in line.split("\t"))
        if source in lines:
            raise UsageError(f"the vocabulary map '{path}', line {number}: the n-gram '{source}' is listed twice "
                             f"(first on line {lines[source]})", option="vocab_map")
        rules[source], lines[source] = tuple(targets.split()), number
    if not rules:
        raise UsageError(f"the vocabulary map '{path}' is empty", option="vocab_map")
    return VocabMap(rules)


def warn_unknown_targets(vmap: VocabMap, vocabulary: dict[str, int]) -> None:
    """Say how many of the map's target tokens the model cannot produce (a map made for another model)."""
    unknown, total = vmap.unknown_targets(vocabulary)
    if unknown:
        warnings.warn(VocabMapWarning(f"{unknown} of {total} target tokens of the vocabulary map are not in the "
                                      "model's vocabulary: they are never produced"), stacklevel=2)


@contextlib.contextmanager
def folder_with_map(model_dir: Path, vmap: VocabMap | None) -> Iterator[Path]:
    """``model_dir``, or with a map a temporary folder beside it with the same files (hard links) and
    the map: CTranslate2 reads every file when the model loads, so the folder goes right after."""
    if vmap is None:
        yield model_dir
        return
    folder = Path(tempfile.mkdtemp(prefix=".tmp-", dir=model_dir.parent))  # stale ones are removed by convert.py
    try:
        for item in model_dir.iterdir():
            if item.is_file() and item.name != FILE_NAME:
                _link(item, folder / item.name)
        (folder / FILE_NAME).write_text(vmap.text, encoding="utf-8")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copyfile(source, target)


def check_vocab_map(path: str, backend: str, model: str | None) -> None:
    """Before anything loads: a map needs CTranslate2, one named model (a map fits one vocabulary,
    and a routed run may load several models), and a readable, well-formed file."""
    if backend != "ctranslate2":
        raise UsageError("the vocabulary map needs the ctranslate2 backend", option="vocab_map")
    if not model:
        raise UsageError("a vocabulary map fits one model's vocabulary: name the model as well", option="vocab_map")
    read_vocab_map(path)
