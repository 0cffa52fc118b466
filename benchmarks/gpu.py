"""GPU rows of the performance table: the pipeline on CUDA, transformers and CTranslate2.

Rerun on a machine with a CUDA GPU::

    PYTHONPATH=. python benchmarks/gpu.py            # a few minutes; builds the model once

The same work as ``benchmarks/bench.py``: a randomly initialised model with exactly the shape of
opus-mt-zh-en whose generation config forbids ``</s>``, so every sentence decodes exactly 48 tokens,
beam 4, the pipeline with ``--no-guard``; the seed (35 sentences) and a 20× document (700 distinct
sentences). Library rows, model loaded (and converted) before timing; medians of 3 runs. One CPU
row (CTranslate2 int8, all cores) is measured in the same run for the ratio. Rows that cannot run
on this machine (e.g. a CTranslate2 build without this CUDA's libraries) say why instead of a time.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench import BEAMS, OUT, TOKENS, build_model, documents  # noqa: E402

ROWS = [  # (label, backend, device, compute type, batch size)
    ("transformers fp32, CUDA", "transformers", "cuda", None, 64),
    ("CTranslate2 float16, CUDA", "ctranslate2", "cuda", "float16", 64),
    ("CTranslate2 int8_float16, CUDA", "ctranslate2", "cuda", "int8_float16", 64),
    ("CTranslate2 int8, CPU (same machine)", "ctranslate2", "cpu", "int8", 16),
]


def gpu_name() -> str:
    try:
        import torch

        return f"{torch.cuda.get_device_name(0)}, torch {torch.__version__}" if torch.cuda.is_available() else "no GPU"
    except Exception as exc:  # noqa: BLE001
        return f"unknown ({exc})"


def measure(label: str, backend: str, device: str, compute: str | None, batch: int, text: str, runs: int) -> dict:
    from translate import Translator

    try:
        t = Translator(str(build_model()), backend=backend, device=device, compute_type=compute, num_beams=BEAMS,
                       max_new_tokens=TOKENS, batch_size=batch, batch_tokens=batch * 128, guard=False)
        t.translate("预热。")  # load (and convert) outside the timing
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            t.translate(text)
            times.append(time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - a row that cannot run here says why
        return {"row": label, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"}
    return {"row": label, "median_s": statistics.median(times), "runs_s": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--docs", default="seed,large")
    parser.add_argument("--rows", default=",".join(str(i) for i in range(len(ROWS))), help="row numbers")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    build_model()
    docs = documents()
    results = []
    rows = [ROWS[int(i)] for i in args.rows.split(",")]
    for doc in args.docs.split(","):
        for row in rows:
            result = measure(*row, docs[doc], args.runs)
            result["doc"] = doc
            results.append(result)
            print(json.dumps(result), file=sys.stderr, flush=True)
    print(f"GPU: {gpu_name()}; {platform.machine()}, Python {platform.python_version()}")
    print(f"Work: 35 sentences (seed) / 700 (20x document), {TOKENS} output tokens each, beam {BEAMS}\n")
    print("| path | document | median s |\n| --- | --- | ---: |")
    for r in results:
        print(f"| {r['row']} | {r['doc']} | {r['median_s']:.2f} |" if "median_s" in r else
              f"| {r['row']} | {r['doc']} | not run: {r['error']} |")
    (OUT / "gpu.json").write_text(json.dumps({"gpu": gpu_name(), "results": results}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
