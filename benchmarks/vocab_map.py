"""A vocabulary shortlist (``--vocab-map``) built from the model's own translations, and what it saves.
Rerun: ``python benchmarks/vocab_map.py`` (about 3 minutes on 2 cores).

1. Translates a corpus (default: benchmarks/bench.py's 20× seed document, 700 sentences) with raw
   CTranslate2 and counts, for each source token, the target tokens of the translations of the
   sentences that contain it.
2. Writes maps in CTranslate2's format (``source n-gram<TAB>target tokens``; the empty n-gram's tokens
   are always allowed): each source token allows its ``--per-token`` most frequent companions; the
   always-allowed list is the most frequent target tokens (then unseen ones, in vocabulary order),
   as long as needed for a decoded batch to have ``--candidates`` candidates on average.
3. Times the product's CTranslate2 backend on the seed without and with each map, on identical work:
   the random opus-mt-zh-en-shaped model of bench.py forbids ``</s>``, so every sentence decodes
   exactly 48 tokens, whatever the map allows (checked); beam 4, batches of 8 in 2 parallel
   workers (``--batch-size 16`` on 2 cores), int8. Runs alternate between variants (the machine's
   load drifts); medians.

Speed only: random weights translate nothing. A shortlist can produce only the tokens it lists, so
the option stays off by default until its BLEU cost is measured on real weights: build a map with
``--model Helsinki-NLP/opus-mt-zh-en --corpus news.zh --build-only`` and compare the rows of
``python benchmarks/quality.py --src test.zh --ref test.en --variants int8,vocab-map --vocab-map MAP``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench import BATCH, BEAMS, OUT, THREADS, TOKENS, build_model, documents, machine, sentences  # noqa: E402
from translate.backends.marian_spm import MarianSpm  # noqa: E402
from translate.models import resolve_model  # noqa: E402

SUB_BATCH = -(-BATCH // THREADS)  # what one CTranslate2 call decodes in the pipeline: 16 split over 2 workers
CT2_CACHE = OUT / "ct2"


def units(text: str) -> list[str]:
    return [s for paragraph in sentences(text) for s in paragraph]


def own_translations(model: str, corpus: list[str], forced: bool) -> tuple[list[list[str]], list[list[str]], list[str]]:
    """(source pieces, target pieces) of each corpus sentence as the model translates it, and the
    model's target vocabulary in id order."""
    import ctranslate2

    from translate.backends.convert import ensure_converted

    folder = ensure_converted(resolve_model(model), "int8", CT2_CACHE)
    tok = MarianSpm(folder)
    translator = ctranslate2.Translator(str(folder), device="cpu", compute_type="int8", intra_threads=1,
                                        inter_threads=THREADS)
    sources = [tok.encode(s) for s in corpus]
    lengths = {"min_decoding_length": TOKENS, "max_decoding_length": TOKENS} if forced else {}
    results = translator.translate_batch(sources, beam_size=BEAMS, max_batch_size=SUB_BATCH,
                                         suppress_sequences=[[tok.pad]], **lengths)
    vocabulary = sorted(tok.target_vocab, key=tok.target_vocab.__getitem__)
    return [s[:-1] for s in sources], [r.hypotheses[0] for r in results], vocabulary


def companions(sources: list[list[str]], targets: list[list[str]], per_token: int) -> tuple[dict, list[str]]:
    """Each source token's most frequent target tokens, and every target token seen, most frequent first."""
    together: defaultdict[str, Counter] = defaultdict(Counter)
    seen: Counter = Counter()
    for source, target in zip(sources, targets):
        seen.update(target)
        for token in set(source):
            together[token].update(target)
    return {s: [t for t, _ in c.most_common(per_token)] for s, c in together.items()}, [t for t, _ in seen.most_common()]


def mean_candidates(rules: dict, always: list[str], batches: list[list[list[str]]]) -> float:
    """Candidates per decoded batch as CTranslate2 counts them: the always-allowed tokens, those of
    every source token of the batch, and <unk>, <s>, </s>."""
    base = set(always)
    return statistics.mean(len(base.union(*(rules.get(t, ()) for s in b for t in s))) + 3 for b in batches)


def sized_map(rules: dict, ranked: list[str], candidates: int, batches: list[list[list[str]]]) -> tuple[dict, float]:
    """The map whose batches have about ``candidates`` candidates: the shortest always-allowed prefix
    of ``ranked`` that reaches it (bisection: candidates grow with the prefix)."""
    low, high = 0, len(ranked)
    while low < high:
        mid = (low + high) // 2
        if mean_candidates(rules, ranked[:mid], batches) < candidates:
            low = mid + 1
        else:
            high = mid
    return {"": ranked[:low], **rules}, mean_candidates(rules, ranked[:low], batches)


def write_map(rules: dict, path: Path) -> Path:
    path.write_text("".join(f"{s}\t{' '.join(t)}\n" for s, t in rules.items()), encoding="utf-8")
    return path


def time_variants(model: str, timed: list[str], maps: dict[str, Path | None], runs: int,
                  forced: bool) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds per run of each variant (the product's backend, the pipeline's parallel
    batches). CPU seconds are this process's, all threads: other processes' load hardly moves them."""
    from translate.backends.ctranslate2_backend import CTranslate2Backend
    from translate.options import DecodingOptions, LoadOptions

    resolved = resolve_model(model)
    backends = {name: CTranslate2Backend(resolved, LoadOptions(device="cpu", threads=THREADS,
                                                               vocab_map=str(path) if path else None),
                                         cache_dir=CT2_CACHE) for name, path in maps.items()}
    ordered = sorted(timed, key=lambda s: -backends[next(iter(maps))].count_tokens(s))  # longest first, as batched
    batches = [ordered[b:b + SUB_BATCH] for b in range(0, len(ordered), SUB_BATCH)]
    options = DecodingOptions(num_beams=BEAMS, max_new_tokens=TOKENS)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in maps}
    with ThreadPoolExecutor(THREADS) as pool:
        for backend in backends.values():
            backend.load()
        for _ in range(runs):
            for name, backend in backends.items():
                started, cpu = time.perf_counter(), time.process_time()
                hypotheses = [h for hs in pool.map(backend.translate_batch, batches, [options] * len(batches)) for h in hs]
                times[name].append((time.perf_counter() - started, time.process_time() - cpu))
                if forced and {h.scored_tokens for h in hypotheses} != {TOKENS}:
                    raise SystemExit(f"{name}: not every sentence decoded {TOKENS} tokens: not identical work")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model to build the map for (default: bench.py's random opus-mt-zh-en shape)")
    parser.add_argument("--corpus", help="text file whose translations build the map (default: bench.py's 20× seed)")
    parser.add_argument("--candidates", default="32000,8000", help="candidates per decoded batch, comma-separated")
    parser.add_argument("--per-token", type=int, default=64, help="target tokens each source token allows")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each variant")
    parser.add_argument("--build-only", action="store_true", help="write the maps, time nothing")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    model = args.model or str(build_model())
    docs = documents()
    corpus = units(Path(args.corpus).read_text(encoding="utf-8") if args.corpus else docs["large"])
    timed = units(docs["seed"])
    print(f"translating {len(corpus)} corpus sentences to build the maps...", file=sys.stderr, flush=True)
    sources, targets, vocabulary = own_translations(model, corpus, forced=args.model is None)
    rules, seen = companions(sources, targets, args.per_token)
    known = set(seen)
    ranked = seen + [t for t in vocabulary if t not in known]
    tok = MarianSpm(resolve_model(model).path)
    seed_pieces = sorted((tok.encode(s)[:-1] for s in timed), key=len, reverse=True)
    batches = [seed_pieces[b:b + SUB_BATCH] for b in range(0, len(seed_pieces), SUB_BATCH)]
    maps: dict[str, Path | None] = {"none": None}
    sizes = {"none": float(len(vocabulary))}
    for wanted in (int(c) for c in args.candidates.split(",")):
        sized, sizes[f"{wanted:,}"] = sized_map(rules, ranked, wanted, batches)
        maps[f"{wanted:,}"] = write_map(sized, OUT / f"vmap-{Path(model).name}-{wanted}.txt")
        print(f"wrote {maps[f'{wanted:,}']}", file=sys.stderr)
    if args.build_only:
        return
    times = time_variants(model, timed, maps, args.runs, forced=args.model is None)
    wall = {name: statistics.median(t for t, _ in runs) for name, runs in times.items()}
    cpu = {name: statistics.median(c for _, c in runs) for name, runs in times.items()}
    print(f"Machine: {machine()}")
    print(f"Work: {len(timed)} seed sentences, {TOKENS} output tokens each (forced), beam {BEAMS}, CTranslate2 int8, "
          f"batches of {SUB_BATCH} in {THREADS} parallel workers; map from {len(corpus)} sentences, "
          f"{args.per_token} targets per source token; medians of {args.runs}\n")
    print("| vocabulary map | candidates per batch | median s | × without | CPU s | × without |\n"
          "| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in maps:
        print(f"| {name if name == 'none' else name + ' candidates'} | {sizes[name]:,.0f} | {wall[name]:.2f} | "
              f"{wall[name] / wall['none']:.2f}× | {cpu[name]:.2f} | {cpu[name] / cpu['none']:.2f}× |")


if __name__ == "__main__":
    main()
