"""Segmentation cost on pathological inputs: huge paragraphs, end to end through the CLI.
Rerun: ``python benchmarks/segmentation.py``.

Each input is one huge paragraph (a single line) that the pipeline must split into translation
units within the model's token limit: an unpunctuated Chinese paragraph (20k, 60k and 300k
characters), a 300k-character English line inside a Chinese document (it passes through
untranslated: the cost is sentence splitting, the token limit, the guard and the span checks),
and a 300k-character English line in an English document; each English line as prose (pysbd on a
huge line) and as one unpunctuated run (the token limit's splitting of a huge sentence). The model
is the committed toy MarianMT model (``tests/toy/toy-zh-en``, 63 source tokens per unit, a
26-character Chinese vocabulary), used only as a model folder: its decoding is cheap and the
repeated units are translated once, so the time is segmentation's.

Every run is a fresh ``python -m translate FILE -m MODEL -o OUT -q`` process (start-up and model
load included, as a user sees it; one untimed run first converts the model for the CTranslate2
backend); the table gives the median of ``--runs`` runs and the peak RSS of the CLI process
(``wait4``, the largest of the runs). Prints the table and writes ``benchmarks/out/segmentation.json``.
A run that takes longer than ``--timeout`` seconds is killed and reported as ``> timeout``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.bench import machine  # noqa: E402  (one CPU description for every table)

OUT = ROOT / "benchmarks" / "out"
MODEL = ROOT / "tests" / "toy" / "toy-zh-en"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "TRANSFORMERS_VERBOSITY": "error",
       "PYTHONPATH": str(ROOT)}

# words the toy model knows on its target side; as source they pass through (no Chinese in them)
WORDS = ("the cat looks at a big red mountain and the small dog sees one fish in the water near seven "
         "trees while two birds have a book about the sea").split()


def chinese(chars: int) -> str:
    """An unpunctuated Chinese paragraph of the toy's characters."""
    return ("三猫" * (chars // 2 + 1))[:chars]


def english_prose(chars: int, seed: int = 1) -> str:
    """English sentences of 4-30 words on one line (some abbreviations and numbers, as pysbd sees them)."""
    rng = random.Random(seed)
    extras = ["Dr. Smith", "at 3 p.m.", "in the U.S.", "about 2.5 km", "(see below)", '"really"']
    out: list[str] = []
    size = 0
    while size < chars:
        words = [rng.choice(WORDS) for _ in range(rng.randint(4, 30))]
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), rng.choice(extras))
        sentence = " ".join(words)
        sentence = sentence[0].upper() + sentence[1:] + rng.choice(".!?.")
        out.append(sentence)
        size += len(sentence) + 1
    return " ".join(out)[:chars].rstrip()


def english_run(chars: int, seed: int = 2) -> str:
    """English words with no punctuation at all: one sentence, split only by the token limit."""
    rng = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:chars].rstrip()


CASES = {
    "zh-20k": ("Chinese, unpunctuated paragraph", 20_000, lambda: chinese(20_000) + "\n"),
    "zh-60k": ("Chinese, unpunctuated paragraph", 60_000, lambda: chinese(60_000) + "\n"),
    "zh-300k": ("Chinese, unpunctuated paragraph", 300_000, lambda: chinese(300_000) + "\n"),
    "en-in-zh-300k": ("English line (prose) in a Chinese document", 300_000,
                      lambda: "三猫看大山。\n" + english_prose(300_000) + "\n五小狗看红花。\n"),
    "en-run-in-zh-300k": ("English line (no punctuation) in a Chinese document", 300_000,
                          lambda: "三猫看大山。\n" + english_run(300_000) + "\n五小狗看红花。\n"),
    "en-300k": ("English line (prose), English document", 300_000, lambda: english_prose(300_000) + "\n"),
    "en-run-300k": ("English line (no punctuation), English document", 300_000,
                    lambda: english_run(300_000) + "\n"),
}


def run_once(path: Path, out: Path, timeout: float) -> tuple[float | None, float]:
    """(seconds or None when it ran past ``timeout``, peak RSS MiB) of one CLI run."""
    cmd = [sys.executable, "-m", "translate", str(path), "-m", str(MODEL), "-o", str(out), "-q"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            return None, usage.ru_maxrss / 1024
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    if status:
        raise RuntimeError(f"{cmd} failed with status {status}")
    return seconds, usage.ru_maxrss / 1024


def table(report: dict) -> str:
    lines = [f"Machine: {report['machine']}", f"Model: {report['model']} (CLI, {report['runs']} runs each)", "",
             "| input | characters | median s | runs s | peak RSS MB |", "| --- | ---: | ---: | --- | ---: |"]
    for r in report["results"]:
        runs = ", ".join("timeout" if t is None else f"{t:.2f}" for t in r["runs_s"])
        median = f"> {report['timeout_s']:.0f}" if r["median_s"] is None else f"{r['median_s']:.2f}"
        lines.append(f"| {r['label']} | {r['chars']:,} | {median} | {runs} | {r['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per input (the median is reported)")
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated subset of {', '.join(CASES)}")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a run counts as hung")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp())
    warm = work / "warm-up.txt"
    warm.write_text("三猫看大山。\n", encoding="utf-8")
    run_once(warm, work / "warm-up.out.txt", args.timeout)  # converts the model once, outside the timings
    results = []
    for name in args.cases.split(","):
        label, chars, make = CASES[name]
        path = work / f"{name}.txt"
        path.write_text(make(), encoding="utf-8")
        times: list[float | None] = []
        rss: list[float] = []
        for _ in range(args.runs):
            print(f"running {name}...", file=sys.stderr, flush=True)
            seconds, peak = run_once(path, work / f"{name}.out.txt", args.timeout)
            times.append(seconds)
            rss.append(peak)
            if seconds is None:
                break  # hung once: no need to wait for it again
        done = [t for t in times if t is not None]
        median = statistics.median(done) if len(done) == len(times) else None
        results.append({"case": name, "label": label, "chars": chars, "median_s": median, "runs_s": times,
                        "peak_rss_mb": max(rss)})
    report = {"machine": machine(), "model": str(MODEL.relative_to(ROOT)), "runs": args.runs,
              "timeout_s": args.timeout, "results": results}
    (OUT / "segmentation.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(table(report))


if __name__ == "__main__":
    main()
