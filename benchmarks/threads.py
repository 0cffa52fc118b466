"""OpenMP thread policy of the transformers backend, idle and under CPU oversubscription.

Rerun (after ``python benchmarks/bench.py`` has built ``benchmarks/out/opus-mt-zh-en-shape``)::

    PYTHONPATH=. python benchmarks/threads.py            # about 12 minutes with the defaults

The package sets ``OMP_WAIT_POLICY=PASSIVE`` before it imports torch (``translate/runtime.py``) unless
the user set it; ``GOMP_SPINCOUNT=300000`` restores libgomp's default spin-wait for comparison.

Times the ``translate`` CLI, start-up and model load included, on ``seeds/customs-reply-zh.txt`` with
``--backend transformers --no-guard --no-cache --num-beams 4 --max-new-tokens 24`` and the random
opus-mt-zh-en-shaped benchmark model (its generation config forbids </s>, so the work is fixed). Two
conditions: an idle machine, and one loaded by N busy-loop processes (N = cores this process may use;
started here, killed after). In each, the variants below; runs are interleaved round-robin so drift hits
every variant alike; medians over ``--runs``; a run over ``--timeout`` seconds is killed and recorded as
``timeout``. CPU is the user+sys seconds of the CLI process (OpenMP spin-waiting shows up there).

First it checks what libgomp (the OpenMP runtime torch's CPU wheels use) actually picked up, with
``OMP_DISPLAY_ENV=VERBOSE``: the policy set in the shell, set inside the process before ``import torch``,
and set after it. libgomp reads its environment once, when torch's import loads it.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
SEED = ROOT / "seeds" / "customs-reply-zh.txt"

SPIN = {"GOMP_SPINCOUNT": "300000"}  # libgomp's default spin-wait, which the package no longer uses by default
# name: (label, backend, threads, extra environment)
VARIANTS = {
    "t1": ("transformers, threads=1 (PASSIVE, the default)", "transformers", 1, {}),
    "t2": ("transformers, threads=2 (PASSIVE, the default)", "transformers", 2, {}),
    "t1spin": ("transformers, threads=1, spin-wait (GOMP_SPINCOUNT=300000)", "transformers", 1, SPIN),
    "t2spin": ("transformers, threads=2, spin-wait (GOMP_SPINCOUNT=300000)", "transformers", 2, SPIN),
    "t2s": ("transformers, threads=2, short spin (GOMP_SPINCOUNT=10000)", "transformers", 2,
            {"GOMP_SPINCOUNT": "10000"}),
    "ct2": ("ctranslate2 int8, threads=2 (reference)", "ctranslate2", 2, {}),
}


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS",
                                                             "MKL_NUM_THREADS", "OMP_DISPLAY_ENV")}
    env.update({"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "TRANSFORMERS_VERBOSITY": "error",
                "TRANSLATE_CT2_CACHE": str(OUT / "ct2"), "TRANSLATE_CACHE_DIR": tempfile.mkdtemp(),
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
    return env


def command(variant: str, args) -> tuple[list[str], dict[str, str]]:
    _, backend, threads, extra = VARIANTS[variant]
    env = {**base_env(), **extra}
    return [sys.executable, "-m", "translate", str(args.input), "-m", str(args.model), "--backend", backend, "--no-guard", "--no-cache",
                   "--num-beams", str(args.num_beams), "--max-new-tokens", str(args.max_new_tokens),
                   "--threads", str(threads), "--device", "cpu", "-q"], env


def run_once(variant: str, args) -> tuple[float | None, float]:
    """(wall seconds or None on timeout, user+sys CPU seconds of the CLI process)."""
    cmd, env = command(variant, args)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=args.timeout)
        wall = time.perf_counter() - t0
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        wall = None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if wall is not None and proc.returncode:
        raise SystemExit(f"{variant} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return wall, cpu


class Load:
    """N busy-loop processes, killed on exit."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.procs: list[subprocess.Popen] = []

    def __enter__(self):
        for _ in range(self.n):
            self.procs.append(subprocess.Popen([sys.executable, "-S", "-c", "while True: pass"]))
        time.sleep(1.0)
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.kill()
        for p in self.procs:
            p.wait()
        return False


def check_env() -> list[tuple[str, str]]:
    """What libgomp reports for each way of setting the policy (OMP_DISPLAY_ENV=VERBOSE)."""
    cases = [
        ("unset", None, "import torch"),
        ("shell OMP_WAIT_POLICY=PASSIVE", "PASSIVE", "import torch"),
        ("in-process, before import torch",
         None, "import os; os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE'); import torch"),
        ("in-process, after import torch",
         None, "import torch, os; os.environ['OMP_WAIT_POLICY'] = 'PASSIVE'; torch.ones(2) @ torch.ones(2)"),
        ("this package (translate.runtime)", None, "from translate.runtime import import_torch; import_torch()"),
    ]
    rows = []
    for label, policy, code in cases:
        env = base_env()
        env["OMP_DISPLAY_ENV"] = "VERBOSE"
        if policy:
            env["OMP_WAIT_POLICY"] = policy
        err = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stderr
        spin = next((line.split("=", 1)[1].strip().strip("'") for line in err.splitlines()
                     if line.strip().startswith("GOMP_SPINCOUNT")), "?")
        rows.append((label, spin))
    return rows


def fmt(x: float | None) -> str:
    return "timeout" if x is None else f"{x:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, default=OUT / "opus-mt-zh-en-shape")
    ap.add_argument("--input", type=Path, default=SEED)
    ap.add_argument("--runs", type=int, default=3, help="runs per variant, idle")
    ap.add_argument("--load-runs", type=int, default=None, help="runs per variant under load (default: --runs)")
    ap.add_argument("--timeout", type=float, default=200.0, help="seconds before a run is killed")
    ap.add_argument("--load", type=int, default=cores(), help="busy-loop processes (default: cores)")
    ap.add_argument("--num-beams", type=int, default=4)
    ap.add_argument("--max-new-tokens", type=int, default=24)
    ap.add_argument("--idle", default="t1,t2,t2spin,ct2", help=f"variants on the idle machine, of {','.join(VARIANTS)}")
    ap.add_argument("--loaded", default="t1,t2,t2spin,ct2", help="variants under load")
    args = ap.parse_args()
    if not (args.model / "config.json").exists():
        raise SystemExit(f"no model at {args.model}: build it first (python benchmarks/bench.py builds it)")
    load_runs = args.runs if args.load_runs is None else args.load_runs
    conditions = [("idle", [v for v in args.idle.split(",") if v], args.runs, 0),
                  (f"load x{args.load}", [v for v in args.loaded.split(",") if v], load_runs, args.load)]

    print(f"CPU: {cpu_model()}; cores usable: {cores()}; Python {platform.python_version()}", flush=True)
    import torch  # only for the versions; the timed runs are separate processes

    print(f"torch {torch.__version__}, parallel backend: "
          f"{'OpenMP' if 'OpenMP' in torch.__config__.parallel_info() else '?'}", flush=True)
    print("\nlibgomp GOMP_SPINCOUNT per way of setting the policy (0 = passive, 300000 = libgomp default spin):")
    for label, spin in check_env():
        print(f"  {label:<36} {spin}")
    if any(VARIANTS[v][1] == "ctranslate2" for _, vs, _, _ in conditions for v in vs):
        run_once("ct2", args)  # convert the model once (cached), outside the timing

    results: dict[tuple[str, str], list[tuple[float | None, float]]] = {}
    for cond, variants, runs, n in conditions:
        if not variants or runs < 1:
            continue
        print(f"\n[{cond}] {len(variants)} variants x {runs} runs", flush=True)
        with Load(n):
            for r in range(runs):
                for v in variants:
                    wall, cpu = run_once(v, args)
                    results.setdefault((cond, v), []).append((wall, cpu))
                    print(f"  run {r + 1} {v:<7} wall {fmt(wall):>8} s  cpu {cpu:.1f} s", flush=True)

    base = results.get(("idle", "t1"))
    base_med = statistics.median(w for w, _ in base) if base and all(w is not None for w, _ in base) else None
    print(f"\nseed {args.input.name}, beam {args.num_beams}, {args.max_new_tokens} new tokens/sentence, CLI wall "
          f"time incl. start-up and load; medians; timeout {args.timeout:.0f} s")
    header = f"{'condition':<9} {'variant':<58} {'median s':>9} {'CPU s':>7} {'vs idle t=1':>11}  runs (s)"
    print(header)
    print("-" * len(header))
    for (cond, v), rs in results.items():
        walls = [w for w, _ in rs]
        med = statistics.median(float("inf") if w is None else w for w in walls)  # a timeout is slowest
        med = None if med == float("inf") else med
        cpu = statistics.median(c for _, c in rs)
        rel = f"{med / base_med:.2f}x" if med is not None and base_med else "-"
        print(f"{cond:<9} {VARIANTS[v][0]:<58} {fmt(med):>9} {cpu:>7.1f} {rel:>11}  "
              f"{', '.join(fmt(w) for w in walls)}")


if __name__ == "__main__":
    main()
