"""Translation quality anyone can check: BLEU and chrF (sacrebleu; COMET when installed) of this
pipeline's choices, side by side, on a test set, for whoever has the model's weights.

    python benchmarks/quality.py --src test.zh --ref test.en                 # your files, line-aligned
    python benchmarks/quality.py --testset wmt20 --langpair zh-en            # fetched by sacrebleu (network)
    python benchmarks/quality.py --model ./my-model --src a.zh --ref a.en --glossary terms.tsv --out q.json

Each line of ``--src`` is a paragraph (it may hold several sentences); ``--ref`` has its reference
on the same line. Rows (``--variants`` picks some):

- segmentation: sentences as the pipeline splits them (``ours``), whole lines (``paragraph``: the
  model sees the line as it is), fixed windows of ``--window`` characters (words for Latin script);
- beam 1 / 4 / 6; CTranslate2 int8 vs float32 vs transformers (fp32);
- guard on / off (with how many sentences the guard retried); consistent names on / off;
- with / without ``--glossary``; with / without ``--vocab-map`` (a CTranslate2 vocabulary shortlist, e.g.
  one that ``benchmarks/vocab_map.py --model … --write`` built: its BLEU cost decides whether it can be on by default).

The model card's published figures are printed beside ours; they come from other test sets and
tooling, and ours come from *your* run — that is the point. Everything runs without the translation
memory. ``--model`` defaults to ``Helsinki-NLP/opus-mt-zh-en`` from the local Hugging Face cache
(``--download`` allows fetching it). The test suite runs this on the toy model and a tiny set.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-zh-en"
# Published on the model cards (Hugging Face / OPUS-MT), for comparison only: other sets, other runs.
MODEL_CARDS = {
    "Helsinki-NLP/opus-mt-zh-en": [("newstest2019 zh-en", "BLEU", 21.6), ("Tatoeba zho-eng", "BLEU", 36.1),
                                   ("flores200 devtest", "BLEU", 22.5), ("flores200 devtest", "chrF", 52.2)],
}
VARIANTS = ("ours", "paragraph", "windows", "beam1", "beam4", "beam6", "int8", "float32", "transformers",
            "guard-off", "names-off", "glossary", "vocab-map")


@dataclass
class Row:
    name: str
    group: str
    bleu: float
    chrf: float
    comet: float | None
    seconds: float
    retried: int = 0
    suspect: int = 0
    hypotheses: list[str] = field(default_factory=list, repr=False)


def read_lines(path: str | Path) -> list[str]:
    return Path(path).read_text(encoding="utf-8").splitlines()


def load_set(args: argparse.Namespace) -> tuple[list[str], list[str], str]:
    """(sources, references, a description) from ``--src/--ref`` or sacrebleu's ``--testset``."""
    if args.testset:
        from sacrebleu.utils import get_reference_files, get_source_file

        src = get_source_file(args.testset, args.langpair)  # downloads on first use (needs the network)
        ref = get_reference_files(args.testset, args.langpair)[0]
        return read_lines(src), read_lines(ref), f"{args.testset} {args.langpair} (sacrebleu)"
    if not (args.src and args.ref):
        raise SystemExit("quality: give --src and --ref files, or --testset (e.g. wmt20 --langpair zh-en)")
    sources, references = read_lines(args.src), read_lines(args.ref)
    if len(sources) != len(references):
        raise SystemExit(f"quality: {args.src} has {len(sources)} lines, {args.ref} has {len(references)}")
    return sources, references, f"{args.src} ({len(sources)} lines)"


def windows(line: str, size: int) -> list[str]:
    """A line cut into fixed windows: ``size`` characters of CJK text, ``size`` words otherwise."""
    from translate.languages import has_cjk

    if has_cjk(line):
        return [line[i:i + size] for i in range(0, len(line), size)] or [line]
    words = line.split()
    return [" ".join(words[i:i + size]) for i in range(0, len(words), size)] or [line]


def score(hypotheses: Sequence[str], references: Sequence[str], tokenize: str,
          sources: Sequence[str] | None = None, comet: Callable | None = None) -> tuple[float, float, float | None]:
    from sacrebleu.metrics import BLEU, CHRF

    bleu = BLEU(tokenize=tokenize).corpus_score(list(hypotheses), [list(references)]).score
    chrf = CHRF().corpus_score(list(hypotheses), [list(references)]).score
    return round(bleu, 2), round(chrf, 2), comet(sources, hypotheses, references) if comet else None


def comet_scorer(name: str | None) -> Callable | None:
    """COMET (``unbabel-comet``) when installed and its model loads; else None."""
    if not name:
        return None
    try:
        from comet import download_model, load_from_checkpoint
    except ImportError:
        return None
    try:
        model = load_from_checkpoint(download_model(name))
    except Exception as exc:  # noqa: BLE001 - no network, no model: COMET is optional
        print(f"quality: COMET unavailable ({exc.__class__.__name__}: {exc})", file=sys.stderr)
        return None

    def run(sources, hypotheses, references):
        data = [{"src": s, "mt": h, "ref": r} for s, h, r in zip(sources, hypotheses, references)]
        return round(float(model.predict(data, batch_size=16, progress_bar=False).system_score), 4)

    return run


def translate_all(variant: str, sources: list[str], args: argparse.Namespace) -> tuple[list[str], int, int, float]:
    """One variant's translations of every line: (hypotheses, retried, suspect, seconds)."""
    import translate.engine as engine
    from translate import Translator

    load = {"model": args.model, "device": args.device, "offline": not args.download, "cache": False}
    options = {"ours": {}, "paragraph": {}, "windows": {}, "beam1": {"num_beams": 1}, "beam4": {"num_beams": 4},
               "beam6": {"num_beams": 6}, "int8": {"backend": "ctranslate2", "compute_type": "int8"},
               "float32": {"backend": "ctranslate2", "compute_type": "float32"},
               "transformers": {"backend": "transformers"}, "guard-off": {"guard": False},
               "names-off": {"consistent_names": False}, "glossary": {"glossary": args.glossary},
               "vocab-map": {"backend": "ctranslate2", "vocab_map": args.vocab_map}}[variant]
    translator = Translator(**load, **options)
    retried = [0]
    original = engine.retry_pieces

    def counting(unit: str) -> list[str]:  # the guard calls this once for each sentence it retries
        retried[0] += 1
        return original(unit)

    engine.retry_pieces = counting
    started = time.perf_counter()
    suspect = 0
    try:
        if variant == "paragraph":  # the model sees each line whole: no splitting, no guard
            backend = translator.backend
            hyps = [h.text for h in backend.translate_batch(sources, translator.decoding)] if sources else []
        elif variant == "windows":
            cut = [windows(line, args.window) for line in sources]
            flat = translator.translate_sentences([w for ws in cut for w in ws])
            suspect = sum(flat.stats.suspect.values())
            it = iter(flat)
            from translate.languages import join_sentences

            hyps = [join_sentences([next(it) for _ in ws]) for ws in cut]
        else:
            hyps = translator.translate_sentences(sources)
            suspect = sum(hyps.stats.suspect.values())
    finally:
        engine.retry_pieces = original
    return hyps, retried[0], suspect, time.perf_counter() - started


GROUPS = {"ours": "segmentation", "paragraph": "segmentation", "windows": "segmentation", "beam1": "beam",
          "beam4": "beam", "beam6": "beam", "int8": "backend", "float32": "backend", "transformers": "backend",
          "guard-off": "guard", "names-off": "names", "glossary": "glossary", "vocab-map": "vocabulary"}
LABELS = {"ours": "sentences (ours, default)", "paragraph": "whole paragraphs", "windows": "fixed windows",
          "beam1": "beam 1", "beam4": "beam 4", "beam6": "beam 6", "int8": "CTranslate2 int8",
          "float32": "CTranslate2 float32", "transformers": "transformers fp32", "guard-off": "guard off",
          "names-off": "consistent names off", "glossary": "with the glossary",
          "vocab-map": "CTranslate2 with the vocabulary map"}


def run(args: argparse.Namespace) -> dict:
    sources, references, described = load_set(args)
    if args.limit:
        sources, references = sources[:args.limit], references[:args.limit]
    tokenize = args.tokenize or ("zh" if args.langpair.endswith(("-zh", "-ja")) else "13a")
    comet = comet_scorer(args.comet)
    wanted = [v for v in (args.variants.split(",") if args.variants else VARIANTS)]
    unknown = sorted(set(wanted) - set(VARIANTS))
    if unknown:
        raise SystemExit(f"quality: unknown variant(s) {', '.join(unknown)} (choose from {', '.join(VARIANTS)})")
    if "glossary" in wanted and not args.glossary:
        wanted.remove("glossary")
    if "vocab-map" in wanted and not args.vocab_map:
        wanted.remove("vocab-map")
    rows = []
    for variant in wanted:
        hyps, retried, suspect, seconds = translate_all(variant, sources, args)
        bleu, chrf, comet_score = score(hyps, references, tokenize, sources, comet)
        rows.append(Row(LABELS[variant], GROUPS[variant], bleu, chrf, comet_score, round(seconds, 2),
                        retried, suspect, hyps))
    return {"model": args.model, "test_set": described, "lines": len(sources), "tokenize": tokenize,
            "rows": rows, "model_card": MODEL_CARDS.get(args.model, [])}


def report(result: dict, timings: bool = True) -> str:
    has_comet = any(r.comet is not None for r in result["rows"])
    lines = [f"Model: {result['model']}", f"Test set: {result['test_set']}, BLEU tokenize={result['tokenize']}",
             "These figures come from this run, on the test set above: not from the model card.", "",
             "| group | variant | BLEU | chrF |" + (" COMET |" if has_comet else "")
             + " guard retried | suspect |" + (" seconds |" if timings else ""),
             "| --- | --- | ---: | ---: |" + (" ---: |" if has_comet else "") + " ---: | ---: |"
             + (" ---: |" if timings else "")]
    for r in result["rows"]:
        lines.append(f"| {r.group} | {r.name} | {r.bleu:.2f} | {r.chrf:.2f} |"
                     + (f" {r.comet if r.comet is not None else '—'} |" if has_comet else "")
                     + f" {r.retried} | {r.suspect} |" + (f" {r.seconds:.2f} |" if timings else ""))
    if result["model_card"]:
        lines += ["", "Published on the model card (other test sets and tooling; compare with care):", "",
                  "| test set | metric | published |", "| --- | --- | ---: |"]
        lines += [f"| {name} | {metric} | {value} |" for name, metric, value in result["model_card"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL, help="Hub id or folder (default: %(default)s, from the cache)")
    parser.add_argument("--src", help="source file, one paragraph a line")
    parser.add_argument("--ref", help="reference file, line-aligned with --src")
    parser.add_argument("--testset", help="a sacrebleu test set instead (wmt20, flores200…; needs the network)")
    parser.add_argument("--langpair", default="zh-en", help="for --testset, and the BLEU tokenizer (default: zh-en)")
    parser.add_argument("--glossary", help="a glossary file: adds the 'with the glossary' row")
    parser.add_argument("--vocab-map", help="a vocabulary map file: adds the 'CTranslate2 with the vocabulary map' row")
    parser.add_argument("--variants", help=f"comma-separated subset of: {', '.join(VARIANTS)}")
    parser.add_argument("--window", type=int, default=12, help="fixed window size (CJK characters or words)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--limit", type=int, help="only the first N lines")
    parser.add_argument("--tokenize", help="sacrebleu BLEU tokenizer (default: zh for a Chinese/Japanese target, else 13a)")
    parser.add_argument("--comet", default="Unbabel/wmt22-comet-da", help="COMET model, when unbabel-comet is "
                                                                          "installed ('' to skip)")
    parser.add_argument("--download", action="store_true", help="allow downloading the model")
    parser.add_argument("--no-timings", action="store_true", help="leave the seconds column out")
    parser.add_argument("--out", help="also write the results as JSON here")
    args = parser.parse_args(argv)
    result = run(args)
    print(report(result, timings=not args.no_timings), end="")
    if args.out:
        rows = [{k: v for k, v in vars(r).items()} for r in result["rows"]]
        Path(args.out).write_text(json.dumps({**result, "rows": rows}, ensure_ascii=False, indent=1) + "\n",
                                  encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
