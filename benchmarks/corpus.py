"""Corpus throughput: the local engine vs a naive loop of CLI calls, and the Ray engine with 1 and 2 actors.

A generated corpus (wire items of 2–4 paragraphs, some sharing a boilerplate paragraph, and long
features), built from the seed article's sentences with per-article variations; the full-size
random opus-mt-zh-en-shaped model (benchmarks/bench.py builds it), CTranslate2 int8, greedy
decoding forced to TOKENS tokens a sentence (--no-guard: random weights never finish one).
Every configuration runs as a child process; peak RSS via wait4. Writes benchmarks/out/corpus.json
and prints a Markdown table.

    python benchmarks/corpus.py [--articles 300] [--naive 30]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench import ENV, MODEL, OUT, SEED, build_model, machine  # noqa: E402

TOKENS = 8
COMMON = ["-m", str(MODEL), "--num-beams", "1", "--max-new-tokens", str(TOKENS), "--backend", "ctranslate2",
          "--device", "cpu", "--no-guard", "--no-cache", "-q"]
BOILERPLATE = ["（本文来源：新华社）", "责任编辑：王某某。", "海关总署新闻发言人表示，将继续加强监管。"]


def corpus(n: int, seed: int = 7) -> list[dict]:
    """``n`` articles: 75% wire items (2–4 paragraphs of 1–2 sentences; 40% end with a shared
    boilerplate paragraph), 25% features (15–30 paragraphs of 2–4 sentences)."""
    from translate.segmentation import segment_document

    sentences = [s.text for p in segment_document(SEED.read_text(encoding="utf-8")).paragraphs for s in p.sentences]
    rng = random.Random(seed)
    articles = []
    for k in range(n):
        def sentence(k: int = k) -> str:
            s = rng.choice(sentences)
            return f"第{k}篇{s}" if rng.random() < 0.8 else s  # the rest repeat across articles (wire copy)
        if rng.random() < 0.75:
            paragraphs = ["".join(sentence() for _ in range(rng.randint(1, 2))) for _ in range(rng.randint(2, 4))]
            if rng.random() < 0.4:
                paragraphs.append(rng.choice(BOILERPLATE))
        else:
            paragraphs = ["".join(sentence() for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(15, 30))]
        articles.append({"id": f"a{k:04d}", "kind": "wire" if len(paragraphs) < 6 else "feature",
                         "text": "\n".join(paragraphs) + "\n"})
    return articles


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise RuntimeError(f"{cmd} failed: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
    return time.perf_counter() - t0, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--naive", type=int, default=30, help="articles for the naive CLI loop (and local on the same)")
    parser.add_argument("--skip-ray", action="store_true")
    args = parser.parse_args()
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--build"], env=ENV, check=True)
    build_model()
    work = Path(tempfile.mkdtemp(prefix="corpus-bench-"))
    env = {**ENV, "TRANSLATE_CACHE_DIR": str(work / "memory"), "OMP_WAIT_POLICY": "PASSIVE"}
    from translate.segmentation import segment_document

    articles = corpus(args.articles)
    sizes = {"small": articles[:100], "full": articles, "naive": articles[:args.naive]}
    files = {}
    for name, docs in sizes.items():
        files[name] = work / f"{name}.jsonl"
        files[name].write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in docs), encoding="utf-8")
    count = {name: sum(len(p.sentences) for a in docs for p in segment_document(a["text"]).paragraphs)
             for name, docs in sizes.items()}
    translate = [sys.executable, "-m", "translate"]
    # warm: CTranslate2 conversion, once
    timed([*translate, str(files["naive"]), "-o", str(work / "warm.jsonl"), *COMMON], env)
    rows = []

    def row(name: str, docs: str, seconds: float, rss: float, note: str = "") -> None:
        n = len(sizes[docs])
        rows.append({"config": name, "articles": n, "sentences": count[docs], "seconds": seconds,
                     "documents_per_s": n / seconds, "sentences_per_s": count[docs] / seconds, "peak_rss_mb": rss,
                     "note": note})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)

    # the naive loop: one CLI call per article
    naive_dir = work / "naive"
    naive_dir.mkdir()
    total, peak = 0.0, 0.0
    for a in sizes["naive"]:
        path = naive_dir / f"{a['id']}.txt"
        path.write_text(a["text"], encoding="utf-8")
        s, rss = timed([*translate, str(path), "-o", str(naive_dir / f"{a['id']}.en.txt"), "--threads", "2",
                        *COMMON], env)
        total, peak = total + s, max(peak, rss)
    row("naive loop: `translate doc.txt` per article, 2 threads", "naive", total, peak)
    for name in ("naive", "small", "full"):
        s, rss = timed([*translate, str(files[name]), "-o", str(work / f"local-{name}.jsonl"), "--threads", "2",
                        *COMMON], env)
        row("`--engine local`, 2 threads", name, s, rss)
    if not args.skip_ray:
        for actors in (1, 2):
            s, rss = timed([*translate, str(files["full"]), "-o", str(work / f"ray-{actors}.jsonl"), "--engine", "ray",
                            "--actors", str(actors), *COMMON], env)
            row(f"`--engine ray`, {actors} actor(s) × 1 thread", "full", s, rss, "RSS: driver only")
        same = (work / "ray-1.jsonl").read_bytes() == (work / "ray-2.jsonl").read_bytes()
        print(f"ray 1 vs 2 actors byte-identical: {same}", file=sys.stderr)
    report = {"machine": machine(), "tokens_per_sentence": TOKENS, "rows": rows}
    r = {(x["config"].split(",")[0], x["articles"]): x for x in rows}
    local_same = next(x for x in rows if x["config"].startswith("`--engine local") and x["articles"] == args.naive)
    naive = rows[0]
    report["local_vs_naive"] = local_same["documents_per_s"] / naive["documents_per_s"]
    locals_ = [x for x in rows if x["config"].startswith("`--engine local")]
    report["local_rss_100_vs_300"] = [x["peak_rss_mb"] for x in locals_[1:]]
    rays = [x for x in rows if x["config"].startswith("`--engine ray")]
    if len(rays) == 2:
        report["ray_2_vs_1"] = rays[1]["documents_per_s"] / rays[0]["documents_per_s"]
    del r
    (OUT / "corpus.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"{report['machine']}; {TOKENS} tokens a sentence, greedy\n")
    print("| configuration | articles | sentences | s | documents/s | sentences/s | peak RSS MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for x in rows:
        print(f"| {x['config']} | {x['articles']} | {x['sentences']} | {x['seconds']:.1f} | {x['documents_per_s']:.2f} "
              f"| {x['sentences_per_s']:.1f} | {x['peak_rss_mb']:.0f}{' (' + x['note'] + ')' if x['note'] else ''} |")
    print(f"\nlocal vs naive (same {args.naive} articles): {report['local_vs_naive']:.1f}×; "
          f"ray 2 vs 1 actors: {report.get('ray_2_vs_1', float('nan')):.2f}×; "
          f"local peak RSS 100 vs 300 articles: {report['local_rss_100_vs_300']}")


if __name__ == "__main__":
    main()
