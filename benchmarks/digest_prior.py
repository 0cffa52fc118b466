"""Fit the digests' lead prior (``summarize/prior.py``) on development data.
Rerun: ``python benchmarks/digest_prior.py [DATA ...] [--write]``.

For every position weight on a grid, every development article is digested at the two budgets of
``benchmarks/digests.py`` ("ref": the reference summary's length, a length budget; "3": three
sentences, a sentence-count budget) and scored by ROUGE-1 against its human summary. Each cell
(budget kind × article length bucket) takes the weight with the best mean; a cell with fewer than
``MIN_ARTICLES`` articles takes its budget kind's pooled best instead (too few to learn from).
Ties go to the larger position weight (the news lead). ``--write`` puts the table into
``summarize/prior.py``. The data defaults to the sets ``benchmarks/digests.py`` uses.
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
MIN_ARTICLES = 20
KINDS = {"ref": "length", "3": "sentences"}


def score_all(pairs: list[tuple[str, str]]) -> dict[tuple[str, str, float], list[float]]:
    """ROUGE-1 per (budget kind, bucket, weight), one value per article."""
    scores: dict[tuple[str, str, float], list[float]] = defaultdict(list)
    saved = dict(prior.POSITION)
    try:
        for weight in GRID:
            for cell in prior.POSITION:
                prior.POSITION[cell] = weight
            for article, reference in pairs:
                cjk = has_cjk(article)
                limit = max(size(reference, cjk), 1)
                for budget, kind in KINDS.items():
                    spec = "3" if budget == "3" else (f"{limit}c" if cjk else f"{limit}w")
                    digests = summarize(article, (spec,), to="source", source_language="zh" if cjk else "en")
                    ranked = digests.info["candidates"] - digests.info["not_sentences"]
                    value = 100 * rouge(digests[spec].text, reference, cjk)["rouge1"]
                    scores[(kind, prior.bucket(ranked), weight)].append(value)
    finally:
        prior.POSITION.update(saved)
    return scores


def fit(scores: dict[tuple[str, str, float], list[float]]) -> tuple[dict[tuple[str, str], float], list[str]]:
    """The learned table and a report line per cell."""
    table: dict[tuple[str, str], float] = {}
    lines = ["| budget kind | article length | articles | best position weight | ROUGE-1 there | at 0.3 |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    for kind in ("sentences", "length"):
        pooled = {w: [v for (k, _, ww), vs in scores.items() if k == kind and ww == w for v in vs] for w in GRID}
        pooled_best = max(GRID, key=lambda w: (statistics.fmean(pooled[w]) if pooled[w] else 0.0, w))
        for name, _ in prior.BUCKETS:
            cell = {w: scores.get((kind, name, w), []) for w in GRID}
            n = len(cell[GRID[0]])
            if n >= MIN_ARTICLES:
                best = max(GRID, key=lambda w: (statistics.fmean(cell[w]), w))
                source = f"{statistics.fmean(cell[best]):.2f}"
            else:
                best, source = pooled_best, f"pooled ({n} articles)"
            table[(kind, name)] = best
            at_default = f"{statistics.fmean(cell[0.3]):.2f}" if n else "–"
            lines.append(f"| {kind} | {name} | {n} | {best} | {source} | {at_default} |")
    return table, lines


def write(table: dict[tuple[str, str], float]) -> None:
    path = ROOT / "summarize" / "prior.py"
    text = path.read_text(encoding="utf-8")
    body = "\n".join(f"    ({kind!r}, {name!r}): {weight}," for (kind, name), weight in table.items())
    body = body.replace("'", '"')
    new = re.sub(r"(POSITION: dict\[tuple\[str, str\], float\] = \{\n).*?(\n\})", lambda m: m.group(1) + body + m.group(2),
                 text, flags=re.S)
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="*", type=Path, help="JSONL/TSV of article+summary (default: the dev sets)")
    parser.add_argument("--write", action="store_true", help="write the learned table into summarize/prior.py")
    args = parser.parse_args(argv)
    pairs = [pair for path in (args.data or default_data()) for pair in load(path)]
    table, lines = fit(score_all(pairs))
    print("\n".join(lines))
    if args.write:
        write(table)
        print("written to summarize/prior.py", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
