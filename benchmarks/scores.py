"""What the confidence scores cost: decoding with and without them, on identical work.
Rerun: ``python benchmarks/scores.py [--transformers]`` (about 3 minutes on 2 cores; 10 more with transformers).

CTranslate2 ``return_scores`` (what the backend asks for) and the transformers backend's
``StepLogProbs`` record, each on and off, on benchmarks/bench.py's random opus-mt-zh-en-shaped model
(built by benchmarks/factory.py; ``</s>`` forbidden, so every sentence decodes exactly 48 tokens),
seed sentences in batches of 16, 2 threads, beams 4 and 1. Time is this process's CPU seconds (all
threads), so other processes' load hardly moves it; runs go off, on, on, off (the load drifts), and
the outputs with and without scores must be identical.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench import BATCH, BEAMS, OUT, SEED, THREADS, TOKENS, build_model, machine, sentences  # noqa: E402


def cpu_seconds(run: Callable[[bool], object], scores: bool) -> tuple[float, object]:
    started = time.process_time()
    out = run(scores)
    return time.process_time() - started, out


def abba(run: Callable[[bool], object]) -> tuple[float, float]:
    """Mean CPU seconds (off, on) over the order off, on, on, off; the outputs must not differ."""
    seconds: dict[bool, list[float]] = {False: [], True: []}
    outputs = {}
    for scores in (False, True, True, False):
        spent, outputs[scores] = cpu_seconds(run, scores)
        seconds[scores].append(spent)
    if outputs[False] != outputs[True]:
        raise SystemExit("the outputs differ with scores on: not identical work")
    return statistics.mean(seconds[False]), statistics.mean(seconds[True])


def ctranslate2_runner(model: Path, units: list[str], beams: int) -> Callable[[bool], object]:
    import ctranslate2

    from translate.backends.convert import ensure_converted
    from translate.backends.marian_spm import MarianSpm
    from translate.models import resolve_model

    folder = ensure_converted(resolve_model(str(model)), "int8", OUT / "ct2")
    translator = ctranslate2.Translator(str(folder), device="cpu", compute_type="int8", intra_threads=1,
                                        inter_threads=THREADS)
    tok = MarianSpm(folder)
    sources = [tok.encode(s) for s in units]

    def run(scores: bool) -> object:
        results = translator.translate_batch(sources, beam_size=beams, max_batch_size=BATCH, return_scores=scores,
                                             min_decoding_length=TOKENS, max_decoding_length=TOKENS,
                                             suppress_sequences=[[tok.pad]])
        return [r.hypotheses[0] for r in results]
    return run


def transformers_runner(model: Path, units: list[str], beams: int) -> Callable[[bool], object]:
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    from translate.backends.transformers_backend import StepLogProbs

    torch.set_num_threads(THREADS)
    tok, marian = MarianTokenizer.from_pretrained(model), MarianMTModel.from_pretrained(model).eval()
    batches = [tok(units[b:b + BATCH], return_tensors="pt", padding=True) for b in range(0, len(units), BATCH)]

    def run(scores: bool) -> object:
        out = []
        for enc in batches:
            extra = {"logits_processor": [StepLogProbs(marian.generation_config, beams)],
                     "return_dict_in_generate": True} if scores else {}
            with torch.inference_mode():
                generated = marian.generate(**enc, num_beams=beams, max_new_tokens=TOKENS, **extra)
            out.append((generated.sequences if scores else generated).tolist())
        return out
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=64, help="seed sentences (repeated as needed)")
    parser.add_argument("--transformers", action="store_true", help="also the transformers backend (slow)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    model = build_model()
    seed = [s for p in sentences(SEED.read_text(encoding="utf-8")) for s in p]
    units = (seed * (args.sentences // len(seed) + 1))[:args.sentences]
    runners = {"CTranslate2 int8": ctranslate2_runner}
    if args.transformers:
        runners["transformers fp32"] = transformers_runner
    print(f"Machine: {machine()}")
    print(f"Work: {len(units)} sentences × {TOKENS} output tokens (forced), batches of {BATCH}, {THREADS} threads; "
          "CPU seconds, mean of 2 runs each\n")
    print("| backend | beam | scores off s | scores on s | on / off |\n| --- | ---: | ---: | ---: | ---: |")
    for name, make in runners.items():
        for beams in (BEAMS, 1):
            off, on = abba(make(model, units, beams))
            print(f"| {name} | {beams} | {off:.2f} | {on:.2f} | {on / off:.3f} |", flush=True)


if __name__ == "__main__":
    main()
