"""Fit the digests' lead prior (``summarize/prior.py``) on development data.
Rerun: ``python benchmarks/digest_prior.py [DATA ...] [--write]``.

For every position weight on a grid, every development article is digested at the two budgets of
``benchmarks/digests.py`` ("ref": the reference summary's length, a length budget; "3": three
sentences, a sentence-count budget) and scored by ROUGE-1 against its human summary: first the
sentence-count cells (a length digest starts from the headline, a sentence count), then the
length cells with those in place. Each cell
(budget kind × article length bucket) takes the weight with the best mean; a cell with fewer than
``MIN_ARTICLES`` articles keeps ``prior.UNLEARNED`` (too few to learn from: the development sets
hold almost no long articles). Ties go to the larger position weight (the news lead). Then
``SHORT_TEXT`` (up to how many sentences a text counts clause groups for sentence-count digests)
is the value of ``SHORT_GRID`` with the best mean ROUGE-1 at 3 sentences over all articles. The two
depend on each other, so they are fitted in turns until neither changes (at most ``ROUNDS``).
``--write`` puts both into ``summarize/prior.py``. The data defaults to the sets
``benchmarks/digests.py`` uses.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from digests import default_data, load, rouge, size  # noqa: E402

from summarize import prior, summarize  # noqa: E402
from translate.languages import has_cjk  # noqa: E402

GRID = tuple(round(0.1 * k, 1) for k in range(9))  # position weight 0 … 0.8 (centrality gets 0.8 − it)
SHORT_GRID = (0, 1, 2, 3, 4, 5, 6, 8)
MIN_ARTICLES = 20
ROUNDS = 4
KINDS = {"ref": "length", "3": "sentences"}


def score_all(pairs: list[tuple[str, str]], kind: str) -> dict[tuple[str, str, float], list[float]]:
    """ROUGE-1 per (budget kind, bucket, weight) at ``kind``'s budget, one value per article, with the
    other kind's weights as they stand (a length digest starts from the headline, a sentence count)."""
    scores: dict[tuple[str, str, float], list[float]] = defaultdict(list)
    saved = dict(prior.POSITION)
    budget = next(b for b, k in KINDS.items() if k == kind)
    try:
        for weight in GRID:
            for cell in prior.POSITION:
                if cell[0] == kind:
                    prior.POSITION[cell] = weight
            for article, reference in pairs:
                cjk = has_cjk(article)
                limit = max(size(reference, cjk), 1)
                spec = "3" if budget == "3" else (f"{limit}c" if cjk else f"{limit}w")
                digests = summarize(article, (spec,), to="source", source_language="zh" if cjk else "en")
                ranked = digests.info["candidates"] - digests.info["not_sentences"]
                value = 100 * rouge(digests[spec].text, reference, cjk)["rouge1"]
                scores[(kind, prior.bucket(ranked), weight)].append(value)
    finally:
        prior.POSITION.update(saved)
    return scores


def fit(scores: dict[tuple[str, str, float], list[float]], kind: str) -> tuple[dict[tuple[str, str], float], list[str]]:
    """``kind``'s learned cells and a report line per cell."""
    table: dict[tuple[str, str], float] = {}
    lines = []
    for name, _ in prior.BUCKETS:
        cell = {w: scores.get((kind, name, w), []) for w in GRID}
        n = len(cell[GRID[0]])
        if n >= MIN_ARTICLES:
            best = max(GRID, key=lambda w: (round(statistics.fmean(cell[w]), 6), w))
            source = f"{statistics.fmean(cell[best]):.2f}"
        else:
            best, source = prior.UNLEARNED, f"unlearned ({n} articles)"
        table[(kind, name)] = best
        at_default = f"{statistics.fmean(cell[0.3]):.2f}" if n else "–"
        lines.append(f"| {kind} | {name} | {n} | {best} | {source} | {at_default} |")
    return table, lines


def fit_short(pairs: list[tuple[str, str]]) -> tuple[int, list[str]]:
    """``SHORT_TEXT``: the value with the best mean ROUGE-1 at 3 sentences (ties: the smaller)."""
    saved = prior.SHORT_TEXT
    means: dict[int, float] = {}
    try:
        for value in SHORT_GRID:
            prior.SHORT_TEXT = value
            scores = []
            for article, reference in pairs:
                cjk = has_cjk(article)
                digests = summarize(article, ("3",), to="source", source_language="zh" if cjk else "en")
                scores.append(100 * rouge(digests["3"].text, reference, cjk)["rouge1"])
            means[value] = statistics.fmean(scores)
    finally:
        prior.SHORT_TEXT = saved
    best = max(SHORT_GRID, key=lambda v: (round(means[v], 6), -v))
    lines = ["| short text: up to N sentences | ROUGE-1 at 3 sentences |", "| ---: | ---: |"]
    lines += [f"| {v}{' ← chosen' if v == best else ''} | {means[v]:.2f} |" for v in SHORT_GRID]
    return best, lines


def write(table: dict[tuple[str, str], float], short: int) -> None:
    path = ROOT / "summarize" / "prior.py"
    text = path.read_text(encoding="utf-8")
    body = "\n".join(f"    ({kind!r}, {name!r}): {weight}," for (kind, name), weight in table.items())
    body = body.replace("'", '"')
    text = re.sub(r"(POSITION: dict\[tuple\[str, str\], float\] = \{\n).*?(\n\})",
                  lambda m: m.group(1) + body + m.group(2), text, flags=re.S)
    text = re.sub(r"^SHORT_TEXT = \d+", f"SHORT_TEXT = {short}", text, flags=re.M)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="*", type=Path, help="JSONL/TSV of article+summary (default: the dev sets)")
    parser.add_argument("--write", action="store_true", help="write the learned table into summarize/prior.py")
    args = parser.parse_args(argv)
    pairs = [pair for path in (args.data or default_data()) for pair in load(path)]
    saved = dict(prior.POSITION), prior.SHORT_TEXT
    try:
        for round_ in range(1, ROUNDS + 1):
            before = dict(prior.POSITION), prior.SHORT_TEXT
            lines = ["| budget kind | article length | articles | position weight | ROUGE-1 there | at 0.3 |",
                     "| --- | --- | ---: | ---: | ---: | ---: |"]
            for kind in ("sentences", "length"):  # the headline (a sentence count) starts every length's cut
                cells, kind_lines = fit(score_all(pairs, kind), kind)
                prior.POSITION.update(cells)
                lines += kind_lines
            table = dict(prior.POSITION)
            short, short_lines = fit_short(pairs)
            prior.SHORT_TEXT = short
            stable = (table, short) == before
            print(f"round {round_}: {'stable' if stable else 'changed'}", file=sys.stderr)
            if stable:
                break
    finally:
        prior.POSITION.update(saved[0])
        prior.SHORT_TEXT = saved[1]
    print("\n".join(lines))
    print()
    print("\n".join(short_lines))
    if args.write:
        write(table, short)
        print("written to summarize/prior.py", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
