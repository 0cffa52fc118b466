"""Translation speed and memory, every path on identical work. Rerun: ``python benchmarks/bench.py``.

Builds once (cached in ``benchmarks/out/``) a randomly initialised MarianMT model with exactly the
shape of Helsinki-NLP/opus-mt-zh-en (d_model 512, 6+6 layers, 8 heads, FFN 2048, vocab 65001,
swish, sinusoidal positions, scaled and tied embeddings, pad 65000, eos 0) with real sentencepiece
tokenizers trained on the seed. Its generation config forbids </s>, so every path decodes exactly
48 tokens per sentence (48 × sentences per paragraph on the per-paragraph path): the work is the
same everywhere, and the pipeline runs with ``--no-guard`` (random weights never finish a sentence,
which the guard would retry). Beam 4, 2 threads. Each path runs in its own process (peak RSS is that process's,
or the CLI process's for CLI paths); times are medians over ``--runs`` runs. Library paths load
the model before timing; CLI paths are timed as a user sees them, start-up and model load included.

Prints a table and writes ``benchmarks/out/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
MODEL = OUT / "opus-mt-zh-en-shape"
SEED = ROOT / "seeds" / "customs-reply-zh.txt"
TOKENS = 48
BEAMS = 4
BATCH = 16
THREADS = 2
LARGE_COPIES = 20
sys.path.insert(0, str(ROOT))

CHILD_RSS: list[int] = []  # peak RSS (KiB) of each CLI process run by this child
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSLATE_CT2_CACHE": str(OUT / "ct2"),
       "TOKENIZERS_PARALLELISM": "false", "TRANSFORMERS_VERBOSITY": "error", "PYTHONPATH": str(ROOT)}


# -- inputs ---------------------------------------------------------------------------------------------
def build_model() -> Path:
    """The random opus-mt-zh-en-shaped model, built once."""
    if (MODEL / "model.safetensors").exists():
        return MODEL
    from benchmarks.factory import ENGLISH, OPUS_MT_ZH_EN, build_marian

    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    pad = OPUS_MT_ZH_EN.vocab_size - 1
    print(f"building {MODEL} (random weights, opus-mt-zh-en shape)...", file=sys.stderr)
    build_marian(MODEL, lines, ENGLISH * 4, OPUS_MT_ZH_EN, src_vocab=1200, tgt_vocab=300, num_beams=BEAMS,
                 generation={"bad_words_ids": [[pad], [0]], "forced_eos_token_id": None})
    return MODEL


def documents() -> dict[str, str]:
    """The seed, and a document 20× larger whose sentences are all distinct (no memory shortcut)."""
    from translate.segmentation import segment_document

    seed = SEED.read_text(encoding="utf-8")
    doc = segment_document(seed)
    copies = []
    for k in range(1, LARGE_COPIES + 1):
        copies.append("\n".join("".join(f"第{k}篇{s.text}" for s in p.sentences) for p in doc.paragraphs))
    large = "\n".join(copies) + "\n"
    (OUT / "large-zh.txt").write_text(large, encoding="utf-8")
    return {"seed": seed, "large": large}


def sentences(text: str) -> list[list[str]]:
    from translate.segmentation import segment_document

    return [[s.text for s in p.sentences] for p in segment_document(text).paragraphs]


# -- paths, each run in its own process -----------------------------------------------------------------
def _hf(model: Path):
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    torch.set_num_threads(THREADS)
    return MarianTokenizer.from_pretrained(model), MarianMTModel.from_pretrained(model).eval()


def path_hf_naive(text: str):
    """The design card's naive path: one paragraph per generate() call."""
    import torch

    tok, model = _hf(MODEL)
    paragraphs = [("".join(p), len(p)) for p in sentences(text)]

    def work():
        with torch.inference_mode():
            for para, n in paragraphs:
                model.generate(**tok([para], return_tensors="pt"), num_beams=BEAMS, max_new_tokens=TOKENS * n)
    return work


def path_hf_batched(text: str):
    """transformers, sentences sorted by length, batches of 16."""
    import torch

    tok, model = _hf(MODEL)
    units = sorted((s for p in sentences(text) for s in p), key=lambda s: -len(tok(s)["input_ids"]))

    def work():
        with torch.inference_mode():
            for b in range(0, len(units), BATCH):
                enc = tok(units[b:b + BATCH], return_tensors="pt", padding=True)
                model.generate(**enc, num_beams=BEAMS, max_new_tokens=TOKENS)
    return work


def path_ct2_raw(text: str):
    """The ceiling: CTranslate2 translate_batch on the pre-tokenized sentences."""
    import ctranslate2

    from translate.backends.convert import ensure_converted
    from translate.backends.marian_spm import MarianSpm
    from translate.models import resolve_model

    folder = ensure_converted(resolve_model(str(MODEL)), "int8")
    # The same threading as the pipeline's backend: one batch per core (inter_threads), one thread each,
    # the 16 sentences in flight split between them.
    translator = ctranslate2.Translator(str(folder), device="cpu", compute_type="int8", intra_threads=1,
                                        inter_threads=THREADS)
    tok = MarianSpm(folder)
    tokens = [tok.encode(s) for p in sentences(text) for s in p]

    def work():
        translator.translate_batch(tokens, beam_size=BEAMS, max_batch_size=-(-BATCH // THREADS),
                                   min_decoding_length=TOKENS,
                                   max_decoding_length=TOKENS, suppress_sequences=[["<pad>"]])
    return work


def _pipeline(backend: str):
    def make(text: str):
        from translate import Translator

        t = Translator(str(MODEL), backend=backend, num_beams=BEAMS, max_new_tokens=TOKENS, batch_size=BATCH,
                       threads=THREADS, device="cpu", guard=False, consistent_names=False)
        t.translate("预热。")  # load the model (and convert it, if needed) outside the timing
        return lambda: t.translate(text)
    return make


def _cli(args: list[str], cache_dir: str | None = None):
    def make(text: str):
        path = Path(tempfile.mkdtemp()) / "doc.txt"
        path.write_text(text, encoding="utf-8")
        env = {**ENV, "TRANSLATE_CACHE_DIR": cache_dir or tempfile.mkdtemp()}
        cmd = [a.replace("{doc}", str(path)).replace("{model}", str(MODEL)) for a in args]
        def run() -> None:
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            if status:
                raise RuntimeError(f"{cmd} failed with status {status}")
            CHILD_RSS.append(usage.ru_maxrss)

        if cache_dir:
            run()  # fill the translation memory once
            CHILD_RSS.clear()  # ...and measure only the reruns
        return run
    return make


# --no-guard: random weights never finish a sentence, and the guard would retry every one of them.
# Consistent names are off by default (random weights render no name, and the names' own batch would
# decode 48 forced tokens per name); the cost of turning them on is the `cli_names` row.
COMMON = ["-m", "{model}", "--num-beams", str(BEAMS), "--max-new-tokens", str(TOKENS), "--batch-size", str(BATCH),
          "--threads", str(THREADS), "--device", "cpu", "--no-guard", "-q"]
NO_NAMES: list[str] = []  # the default since names became opt-in
PATHS = {
    "hf_naive": ("HF fp32, one paragraph per generate() call", path_hf_naive),
    "hf_batched": ("HF fp32, sentences batched (16)", path_hf_batched),
    "ct2_raw": ("CTranslate2 int8 translate_batch (ceiling)", path_ct2_raw),
    "lib_ct2": ("pipeline, library, ctranslate2 int8", _pipeline("ctranslate2")),
    "lib_hf": ("pipeline, library, transformers fp32", _pipeline("transformers")),
    "cli_ct2": ("pipeline, `translate` CLI, ctranslate2", _cli([sys.executable, "-m", "translate", "{doc}",
                                                              "--backend", "ctranslate2", "--no-cache", *COMMON, *NO_NAMES])),
    "cli_names": ("the same, with consistent names (the name finder's cost)", _cli([
        sys.executable, "-m", "translate", "{doc}", "--backend", "ctranslate2", "--no-cache", "--consistent-names",
        *COMMON])),
    "cli_hf": ("pipeline, `translate` CLI, transformers", _cli([sys.executable, "-m", "translate", "{doc}",
                                                               "--backend", "transformers", "--no-cache", *COMMON, *NO_NAMES])),
    "cli_cached": ("`translate` CLI, fully cached rerun", None),
    "summarize_en": ("`summarize --to en` CLI, 4 lengths", _cli([sys.executable, "-m", "summarize", "{doc}",
                                                                "--backend", "ctranslate2", "--no-cache", *COMMON])),
    "help": ("`translate --help`", _cli([sys.executable, "-m", "translate", "--help"])),
}


def child(name: str, doc: str, runs: int) -> dict:
    text = documents()[doc]
    make = PATHS[name][1]
    if name == "cli_cached":
        make = _cli([sys.executable, "-m", "translate", "{doc}", "--backend", "ctranslate2", *COMMON, *NO_NAMES],
                    cache_dir=tempfile.mkdtemp())
    t0 = time.perf_counter()
    work = make(text)
    load = time.perf_counter() - t0
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    rss = max(CHILD_RSS) if CHILD_RSS else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"path": name, "doc": doc, "median_s": statistics.median(times), "runs_s": times,
            "setup_s": load, "peak_rss_mb": rss / 1024}


# -- driver ---------------------------------------------------------------------------------------------
def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {len(os.sched_getaffinity(0))} cores available, {platform.system()} {platform.machine()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per path on the seed")
    parser.add_argument("--large-runs", type=int, default=1, help="runs per path on the 20× document")
    parser.add_argument("--paths", default=",".join(PATHS), help="comma-separated subset")
    parser.add_argument("--large-paths", default="ct2_raw,lib_ct2,cli_ct2,cli_cached,summarize_en",
                        help="paths to run on the 20× document ('' for none)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--doc", default="seed", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.doc, args.runs)))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    if args.build:
        build_model()
        return
    # The driver stays small: peak RSS is inherited through fork+exec, so nothing heavy loads here.
    subprocess.run([sys.executable, __file__, "--build"], env=ENV, check=True)
    docs = documents()
    counts = {name: sum(map(len, sentences(text))) for name, text in docs.items()}
    plan = [(p, "seed", args.runs) for p in args.paths.split(",") if p] + \
           [(p, "large", args.large_runs) for p in args.large_paths.split(",") if p]
    results = []
    for name, doc, runs in plan:
        print(f"running {name} on {doc}...", file=sys.stderr, flush=True)
        proc = subprocess.run([sys.executable, __file__, "--child", name, "--doc", doc, "--runs", str(runs)],
                              env=ENV, capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr[-2000:], file=sys.stderr)
            continue
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    report = {"machine": machine(), "sentences": counts, "tokens_per_sentence": TOKENS, "beams": BEAMS,
              "batch_size": BATCH, "threads": THREADS, "results": results, "targets": targets(results)}
    (OUT / "results.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(table(report))


def targets(results: list[dict]) -> dict:
    """The issue's targets, computed from the results that were run."""
    r = {(x["path"], x["doc"]): x for x in results}
    out = {}

    def ratio(a, b, doc="seed"):
        if (a, doc) in r and (b, doc) in r:
            return r[(a, doc)]["median_s"] / r[(b, doc)]["median_s"]
        return None

    out["speedup_vs_hf_batched"] = ratio("hf_batched", "lib_ct2")
    out["speedup_vs_hf_naive"] = ratio("hf_naive", "lib_ct2")
    overhead = ratio("lib_ct2", "ct2_raw")
    out["pipeline_overhead_vs_raw_ct2"] = overhead - 1 if overhead else None
    overhead_large = ratio("lib_ct2", "ct2_raw", "large")
    out["pipeline_overhead_vs_raw_ct2_large"] = overhead_large - 1 if overhead_large else None
    out["cli_ct2_peak_rss_mb_large"] = r.get(("cli_ct2", "large"), {}).get("peak_rss_mb")
    out["help_s"] = r.get(("help", "seed"), {}).get("median_s")
    out["cached_rerun_s"] = r.get(("cli_cached", "seed"), {}).get("median_s")
    return out


def table(report: dict) -> str:
    lines = [f"Machine: {report['machine']}",
             f"Work: {report['sentences']['seed']} sentences (seed) / {report['sentences']['large']} (20× document), "
             f"{report['tokens_per_sentence']} output tokens each, beam {report['beams']}, "
             f"batch {report['batch_size']}, {report['threads']} threads", "",
             "| path | document | median s | peak RSS MB |", "| --- | --- | ---: | ---: |"]
    for x in report["results"]:
        lines.append(f"| {PATHS[x['path']][0]} | {x['doc']} | {x['median_s']:.2f} | {x['peak_rss_mb']:.0f} |")
    t = report["targets"]
    fmt = lambda v, f: "n/a" if v is None else f.format(v)
    lines += ["", "| target | measured |", "| --- | ---: |",
              f"| ctranslate2 pipeline ≥ 4× HF fp32 batched | {fmt(t['speedup_vs_hf_batched'], '{:.1f}×')} |",
              f"| ctranslate2 pipeline ≥ 10× HF naive per-paragraph | {fmt(t['speedup_vs_hf_naive'], '{:.1f}×')} |",
              f"| pipeline overhead ≤ 10% over raw CTranslate2 (seed) | "
              f"{fmt(t['pipeline_overhead_vs_raw_ct2'], '{:+.1%}')} |",
              f"| pipeline overhead ≤ 10% over raw CTranslate2 (20×) | "
              f"{fmt(t['pipeline_overhead_vs_raw_ct2_large'], '{:+.1%}')} |",
              f"| peak RSS ≤ 450 MB, ctranslate2 CLI, 20× document | {fmt(t['cli_ct2_peak_rss_mb_large'], '{:.0f} MB')} |",
              f"| `translate --help` ≤ 0.3 s | {fmt(t['help_s'], '{:.2f} s')} |",
              f"| fully cached rerun of the seed ≤ 0.5 s | {fmt(t['cached_rerun_s'], '{:.2f} s')} |"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
