"""Sentences per decode: time and peak memory of the `translate` CLI at several ``--batch-size`` (and
``--batch-tokens``) values, on identical work. Rerun: ``python benchmarks/batch_size.py`` (about 8
minutes on 2 cores).

The work is benchmarks/bench.py's: its random opus-mt-zh-en-shaped model (``</s>`` forbidden, so
every sentence decodes exactly 48 tokens), the 20× seed document (700 distinct sentences), beam 4,
CTranslate2 int8 on 2 threads, ``--no-guard --no-cache``. ``--batch-size`` is
split between the batches CTranslate2 runs in parallel (one per core), ``--batch-tokens`` too, so
a batch of long sentences holds fewer of them: rows with larger token budgets show what the
sentence count alone does. Each run is a fresh CLI process; peak RSS is that whole process's
(``wait4``); time is wall-clock as a user sees it (start-up and model load included) and the
process's CPU seconds (which other processes' load hardly moves); medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench import BEAMS, ENV, OUT, THREADS, TOKENS, build_model, documents, machine  # noqa: E402
from translate.options import DEFAULT_BATCH_SIZE, DEFAULT_BATCH_TOKENS  # noqa: E402

# (batch size, batch tokens): the default, then larger sizes, with the default token budget and with one
# that lets the size bind (128 padded tokens per sentence)
SETTINGS = "16:2048,32:2048,64:2048,32:4096,64:8192"


def run_cli(document: Path, model: Path, size: int, tokens: int) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB) of one CLI run."""
    cmd = [sys.executable, "-m", "translate", str(document), "-m", str(model), "--backend", "ctranslate2",
           "--num-beams", str(BEAMS), "--max-new-tokens", str(TOKENS), "--threads", str(THREADS), "--device", "cpu",
           "--batch-size", str(size), "--batch-tokens", str(tokens), "--no-guard",
           "--no-cache", "-q"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"{' '.join(cmd)} failed with status {status}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", default=SETTINGS, help="comma-separated SIZE:TOKENS pairs")
    parser.add_argument("--runs", type=int, default=1, help="runs of each setting (they alternate)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    model = build_model()
    documents()  # writes benchmarks/out/large-zh.txt
    document = OUT / "large-zh.txt"
    settings = [tuple(map(int, pair.split(":"))) for pair in args.settings.split(",")]
    results: dict[tuple[int, int], list[tuple[float, float, float]]] = {s: [] for s in settings}
    for _ in range(args.runs):
        for size, tokens in settings:
            print(f"--batch-size {size} --batch-tokens {tokens}...", file=sys.stderr, flush=True)
            results[(size, tokens)].append(run_cli(document, model, size, tokens))
    base = [statistics.median(r[k] for r in results[settings[0]]) for k in (0, 1)]
    print(f"Machine: {machine()}")
    print(f"Work: the 20× seed document (700 sentences), {TOKENS} output tokens each, beam {BEAMS}, CTranslate2 int8, "
          f"{THREADS} threads, CLI, medians of {args.runs}; defaults today: --batch-size {DEFAULT_BATCH_SIZE}, "
          f"--batch-tokens {DEFAULT_BATCH_TOKENS}\n")
    print("| --batch-size | --batch-tokens | sentences per worker | s | × row 1 | CPU s | × row 1 | peak RSS MB |\n"
          "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size, tokens in settings:
        runs = results[(size, tokens)]
        wall, cpu = (statistics.median(r[k] for r in runs) for k in (0, 1))
        print(f"| {size} | {tokens} | ≤ {-(-size // THREADS)} | {wall:.1f} | {wall / base[0]:.2f}× | {cpu:.1f} | "
              f"{cpu / base[1]:.2f}× | {max(r[2] for r in runs):.0f} |")


if __name__ == "__main__":
    main()
