"""Digest quality and ranking cost. Rerun: ``python benchmarks/digests.py [DATA ...] [--scaling]``.

**Quality.** ``DATA`` is any JSONL or TSV of article + human summary pairs (JSONL fields
``document``/``article``/``text``/``content`` and ``summary``/``highlights``/``abstract``/``title``;
TSV: article, tab, summary, with ``\\n`` escapes allowed). Each file is one set, labelled by its stem
(``xsum_dev (10)``), with its own table. Each article is digested by our summarizer (``to="source"``,
no model) and by the baselines at the same budgets:

- ``ref``: the reference summary's length (English words, or non-space characters for Chinese), a
  hard maximum, whole sentences, at least one;
- ``3``: three sentences.

Systems: ours, Lead-k (the first body sentences), and sumy's LexRank, TextRank, LSA and Luhn over the
*same* sentences (our segmentation, titles and headings removed: the comparison is of picking,
not of splitting). Scores: ROUGE-1/2/L F1 × 100, averaged over articles. English uses
``rouge-score`` (Porter stemmer); Chinese uses a character-level ROUGE implemented here, since
``rouge-score`` drops non-ASCII: tokens are CJK characters and Latin words/numbers (lower-cased),
punctuation dropped; ROUGE-N is clipped n-gram overlap, ROUGE-L the LCS, each as an F1.

**Budget compliance** (``ref`` only): ``over`` counts digests longer than the reference, ``over>1
clause`` those over by more than their longest clause (clauses end at ，；：、。！？ and , ; : . ! ?) —
a digest one trimmed clause away from fitting is a near miss, one that is not is a budget bug.
Each set also reports mean digest length against mean reference length, and a verdict line: is ours
≥ Lead and every sumy peer on ROUGE-1 at both budgets, with the worst margin.

**Data.** Without ``DATA``, two sets: the committed ``benchmarks/digests_data/xsum_dev.jsonl`` (the
10 BBC articles with their human one-sentence summaries (XSum) that Hugging Face ``transformers``
ships as a test fixture, ``tests/fixtures/tests_samples/xsum/sample.json``), and
``../shared/data/lcsts-dev.jsonl`` (next to the repository, not in it): 300 Chinese Weibo news posts
with human headline summaries from LCSTS PART_III (Hu et al., EMNLP 2015), research use only — so it is
read from ``../shared`` and never copied into the project; the run notes on stderr when it is absent.
CNN/DailyMail as JSONL with ``article`` and ``highlights`` works as is.

``--save FILE.json`` writes the per-set means and counts; ``--before FILE.json`` (an earlier
``--save``) adds a before → after table for ours, so a summarizer change can be judged on the same sets.

**Scaling** (``--scaling``): ranking time, pair updates and peak RSS for 250 … 2,000 Chinese
sentences (and whether time per sentence stays flat), and the whole ``summarize`` run on 100,000
one-character lines (segmentation included).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import resource
import statistics
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarize import summarize  # noqa: E402
from summarize.summarizer import effective_kinds  # noqa: E402
from translate.document import BODY_KINDS  # noqa: E402
from translate.languages import has_cjk  # noqa: E402
from translate.segmentation import segment_document  # noqa: E402

DEV = ROOT / "benchmarks" / "digests_data" / "xsum_dev.jsonl"
LCSTS = ROOT.parent / "shared" / "data" / "lcsts-dev.jsonl"
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_]+", re.UNICODE)
# A clause runs to a Chinese mark, or an ASCII one not followed by a letter or digit (U.S., 3.5, 1,000 stay whole).
# clause marks as the issue defines them: ，；： and , ; : (plus sentence ends); an enumeration's 、 is not one
_CLAUSE = re.compile(r"(?:[^，；：。！？,;:.!?]|[,;:.!?](?=[A-Za-z0-9]))*(?:[，；：。！？,;:.!?]+|$)")
ARTICLE_FIELDS = ("document", "article", "text", "content")
SUMMARY_FIELDS = ("summary", "highlights", "abstract", "title")
BUDGETS = ("ref", "3")
PEERS = ("lead", "lexrank", "textrank", "lsa", "luhn")
SYSTEMS = ("ours", *PEERS)
METRICS = ("rouge1", "rouge2", "rougeL")


# -- data --------------------------------------------------------------------------------------
def load(path: Path) -> list[tuple[str, str]]:
    pairs = []
    if path.suffix == ".tsv":
        with path.open(encoding="utf-8") as f:
            for row in csv.reader(f, delimiter="\t"):
                if len(row) >= 2:
                    pairs.append((row[0].replace("\\n", "\n"), row[1].replace("\\n", "\n")))
        return pairs
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                article = next(rec[k] for k in ARTICLE_FIELDS if k in rec)
                summary = next(rec[k] for k in SUMMARY_FIELDS if k in rec)
                if isinstance(article, list):
                    article = "\n".join(article)
                pairs.append((article, summary))
    return pairs


# -- ROUGE -------------------------------------------------------------------------------------
def tokens(text: str) -> list[str]:
    """Character-level tokens for Chinese: CJK characters and Latin words/numbers, lower-cased."""
    return [t.lower() for t in _TOKEN.findall(text)]


def _f1(overlap: int, cand: int, ref: int) -> float:
    if not overlap or not cand or not ref:
        return 0.0
    p, r = overlap / cand, overlap / ref
    return 2 * p * r / (p + r)


def _lcs(a: list[str], b: list[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def char_rouge(candidate: str, reference: str) -> dict[str, float]:
    """ROUGE-1/2/L F1 over character-level tokens (for Chinese)."""
    c, r = tokens(candidate), tokens(reference)
    out = {}
    for n in (1, 2):
        cn = Counter(tuple(c[i:i + n]) for i in range(len(c) - n + 1))
        rn = Counter(tuple(r[i:i + n]) for i in range(len(r) - n + 1))
        out[f"rouge{n}"] = _f1(sum((cn & rn).values()), sum(cn.values()), sum(rn.values()))
    out["rougeL"] = _f1(_lcs(c, r), len(c), len(r))
    return out


_SCORER: Any = None


def rouge(candidate: str, reference: str, cjk: bool) -> dict[str, float]:
    global _SCORER
    if cjk:
        return char_rouge(candidate, reference)
    if _SCORER is None:
        from rouge_score import rouge_scorer

        _SCORER = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    return {k: v.fmeasure for k, v in _SCORER.score(reference, candidate).items()}


# -- budgets -----------------------------------------------------------------------------------
def size(text: str, cjk: bool) -> int:
    return sum(not ch.isspace() for ch in text) if cjk else len(text.split())


def clauses(text: str, cjk: bool) -> list[str]:
    """The text cut after each clause mark (kept with its clause), so clause sizes add up to about ``size(text)``.

    ``cjk`` is accepted for symmetry with ``size``: the marks are the same in both scripts, since
    Chinese news mixes ASCII punctuation in.
    """
    return [c for c in _CLAUSE.findall(text) if c.strip()]


def over_by_clause(text: str, limit: int, cjk: bool) -> bool:
    """Over budget by more than the longest clause: trimming one clause would not make it fit."""
    excess = size(text, cjk) - limit
    return excess > max((size(c, cjk) for c in clauses(text, cjk)), default=0)


# -- systems -----------------------------------------------------------------------------------
def body_sentences(article: str) -> list[str]:
    doc = segment_document(article)
    kinds = effective_kinds(doc)
    sentences = [s.text for p, k in zip(doc.paragraphs, kinds) if k in BODY_KINDS for s in p.sentences]
    return sentences or [s.text for p in doc.paragraphs for s in p.sentences]


def fit(ranked: list[int], sentences: list[str], budget: str, limit: int, cjk: bool) -> list[int]:
    """Whole sentences in ``ranked`` order within the budget (hard maximum, at least one)."""
    if budget == "3":
        return sorted(ranked[:3])
    picked, used = [], 0
    for i in ranked:
        s = size(sentences[i], cjk)
        if used + s <= limit:
            picked.append(i)
            used += s
    return sorted(picked or ranked[:1])


def join(sentences: list[str], picked: list[int], cjk: bool) -> str:
    return ("" if cjk else " ").join(sentences[i] for i in picked)


class _CharTokenizer:
    """CJK characters as sumy's words: sumy's Chinese tokenizer needs jieba's dictionary load per run."""

    language = "chinese"

    def to_words(self, text: str) -> list[str]:
        return tokens(text)


class _EnglishWords:
    """Word tokens without NLTK data (sumy's own tokenizer needs punkt)."""

    language = "english"

    def to_words(self, text: str) -> list[str]:
        return re.findall(r"[^\W_][\w'-]*", text)


def sumy_ranking(name: str, sentences: list[str], cjk: bool) -> list[int]:
    """The order in which a sumy summarizer would add sentences (best first)."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer, null_stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    tokenizer: _CharTokenizer | _EnglishWords
    stop: frozenset[str]
    if cjk:
        tokenizer, stemmer, stop = _CharTokenizer(), null_stemmer, frozenset()
    else:
        tokenizer, stemmer, stop = _EnglishWords(), Stemmer("english"), get_stop_words("english")
    class StableLsa(LsaSummarizer):
        """LSA with its term rows in sorted order: sumy builds them from a frozenset, so the SVD's rounding,
        and with it the order of near-tied sentences, changed with each run's string hash seed."""

        def _create_dictionary(self, document: Any) -> dict[str, int]:
            return {w: i for i, w in enumerate(sorted(super()._create_dictionary(document)))}

    classes = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer, "lsa": StableLsa,
               "luhn": LuhnSummarizer}
    summarizer = classes[name](stemmer)
    summarizer.stop_words = stop
    doc = ObjectDocumentModel([Paragraph([Sentence(s, tokenizer) for s in sentences])])
    index = {id(s): k for k, s in enumerate(doc.sentences)}
    with warnings.catch_warnings():
        # numpy's divide-by-zero on sentences with no content words (LexRank's power method, LSA's
        # normalisation) and LSA's "fewer words than sentences": noise in a table of scores.
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", message="Number of words .* is lower than number of sentences")
        if hasattr(summarizer, "rate_sentences"):  # TextRank exposes its ratings
            ratings = summarizer.rate_sentences(doc)
            return sorted(range(len(sentences)), key=lambda k: (-ratings[doc.sentences[k]], k))
        # LexRank/LSA/Luhn: rank through the public call, one count at a time
        order: list[int] = []
        for k in range(1, len(sentences) + 1):
            chosen = [index[id(s)] for s in summarizer(doc, k)]
            order += [i for i in chosen if i not in order]
    return order + [i for i in range(len(sentences)) if i not in order]


def ours_digest(article: str, budget: str, limit: int, cjk: bool) -> Any:
    spec = "3" if budget == "3" else (f"{limit}c" if cjk else f"{limit}w")
    digests = summarize(article, (spec,), to="source", source_language="zh" if cjk else "en")
    return digests[spec]


def ours(article: str, budget: str, limit: int, cjk: bool) -> str:
    return str(ours_digest(article, budget, limit, cjk).text)


# -- evaluation --------------------------------------------------------------------------------
def evaluate(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """One set's means: ROUGE and digest length per (system, budget), budget misses at ``ref``.

    Plain nested dicts, so ``--save`` writes them as they are and ``--before`` reads them back.
    """
    scores: dict[tuple[str, str, str], list[float]] = {}
    over = Counter[tuple[str, str]]()
    ref_lens, cjk_count = [], 0
    longest = {"segmentation": 0, "digests": 0}  # the longest unit, in the set's measure
    for article, reference in pairs:
        cjk = has_cjk(article)
        cjk_count += cjk
        sentences = body_sentences(article)
        limit = max(size(reference, cjk), 1)
        ref_lens.append(size(reference, cjk))
        longest["segmentation"] = max([longest["segmentation"], *(size(s, cjk) for s in sentences)])
        rankings = {s: list(range(len(sentences))) if s == "lead" else sumy_ranking(s, sentences, cjk) for s in PEERS}
        for budget in BUDGETS:
            for system in SYSTEMS:
                if system == "ours":
                    digest = ours_digest(article, budget, limit, cjk)
                    text = digest.text
                    longest["digests"] = max([longest["digests"], *(size(u.source, cjk) for u in digest.sentences)])
                else:
                    text = join(sentences, fit(rankings[system], sentences, budget, limit, cjk), cjk)
                for metric, value in rouge(text, reference, cjk).items():
                    scores.setdefault((system, budget, metric), []).append(100 * value)
                scores.setdefault((system, budget, "len"), []).append(size(text, cjk))
                if budget == "ref":
                    over[system, "over"] += size(text, cjk) > limit
                    over[system, "over_clause"] += over_by_clause(text, limit, cjk)
    systems: dict[str, dict[str, dict[str, float | int | None]]] = {}
    for system in SYSTEMS:
        for budget in BUDGETS:
            row: dict[str, float | int | None] = {m: statistics.fmean(scores[system, budget, m]) if pairs else
                                                   float("nan") for m in (*METRICS, "len")}
            row["over"] = over[system, "over"] if budget == "ref" else None
            row["over_clause"] = over[system, "over_clause"] if budget == "ref" else None
            systems.setdefault(system, {})[budget] = row
    unit = "characters" if cjk_count == len(pairs) else "words" if not cjk_count else "words/characters"
    return {"n": len(pairs), "unit": unit, "ref_len": statistics.fmean(ref_lens) if pairs else float("nan"),
            "systems": systems, "longest": longest}


def _cell(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def print_table(name: str, result: dict[str, Any]) -> str:
    """One set's table, its length line and its verdict line."""
    label = f"{name} ({result['n']})"
    lines = [f"### {label}", "",
             "| set | budget | system | ROUGE-1 | ROUGE-2 | ROUGE-L | mean len | over | over>1 clause |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for budget in BUDGETS:
        for system in SYSTEMS:
            r = result["systems"][system][budget]
            lines.append(f"| {label} | {budget} | {system} | " + " | ".join(_cell(r[m]) for m in METRICS)
                         + f" | {_cell(r['len'], 1)} | {_cell(r['over'])} | {_cell(r['over_clause'])} |")
    ref = result["systems"]
    lines += ["", f"{label} at ref: mean reference {result['ref_len']:.1f} {result['unit']}; mean digest "
              + ", ".join(f"{s} {ref[s]['ref']['len']:.1f}" for s in SYSTEMS)]
    if "longest" in result:
        lines.append(f"{label} longest unit ({result['unit']}): {result['longest']['segmentation']} as segmented "
                     f"(translation), {result['longest']['digests']} in our digests")
    lines.append(verdict(result))
    return "\n".join(lines)


def verdict(result: dict[str, Any]) -> str:
    """Is ours ≥ Lead and every sumy peer on ROUGE-1 at both budgets? The worst margin says by how much."""
    systems = result["systems"]
    margin, peer, budget = min((systems["ours"][b]["rouge1"] - systems[p][b]["rouge1"], p, b)
                               for b in BUDGETS for p in PEERS)
    ok = "yes" if margin >= 0 else "no"
    return f"ours ≥ every peer at ref and 3: {ok} (worst margin {margin:+.2f} vs {peer} at {budget})"


def compare(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Before → after for ours, per set both runs have (sizes shown, so a --limit mismatch is visible)."""
    lines = ["| set | budget | ROUGE-1 | ROUGE-2 | ROUGE-L | over | over>1 clause |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for name in [n for n in after["sets"] if n in before["sets"]]:
        b_set, a_set = before["sets"][name], after["sets"][name]
        n = f"{a_set['n']}" if a_set["n"] == b_set["n"] else f"{b_set['n']} → {a_set['n']}"
        for budget in BUDGETS:
            b, a = b_set["systems"]["ours"][budget], a_set["systems"]["ours"][budget]
            cells = []
            for key in (*METRICS, "over", "over_clause"):
                if a[key] is None or b[key] is None:
                    cells.append("–")
                elif key in METRICS:
                    cells.append(f"{b[key]:.2f} → {a[key]:.2f} ({a[key] - b[key]:+.2f})")
                else:
                    cells.append(f"{b[key]} → {a[key]} ({a[key] - b[key]:+d})")
            lines.append(f"| {name} ({n}) | {budget} | " + " | ".join(cells) + " |")
    missing = sorted(set(before["sets"]) ^ set(after["sets"]))
    if missing:
        lines.append(f"\n(only in one run, not compared: {', '.join(missing)})")
    return "\n".join(lines)


# -- scaling -----------------------------------------------------------------------------------
def scaling() -> str:
    import random

    from summarize.ranking import Candidate, rank_sentences

    rng = random.Random(1)
    chars = "海关总书记回信国门卫士发展开放口岸监管服务效能安全屏障大家表示我们将经济市场企业政府工作会议提出要求推动改革创新建设人民生活"

    def candidates(n: int) -> list[Candidate]:
        return [Candidate(i, "".join(rng.choice(chars) for _ in range(rng.randint(12, 50))) + "。", i % 4 == 0)
                for i in range(n)]

    rank_sentences(candidates(50), "标题")  # warm-up: first-call imports would otherwise bill the 250 row
    lines = ["| input | seconds | ms per sentence | pair updates | peak RSS (MB) |",
             "| --- | ---: | ---: | ---: | ---: |"]
    per_sentence = {}
    for n in (250, 500, 1000, 2000):
        cands = candidates(n)
        t = time.perf_counter()
        ranked = rank_sentences(cands, "标题")
        elapsed = time.perf_counter() - t
        per_sentence[n] = elapsed / n
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        lines.append(f"| rank {n} Chinese sentences | {elapsed:.2f} | {1000 * per_sentence[n]:.3f} | "
                     f"{ranked.comparisons} | {rss:.0f} |")
    text = "\n".join(rng.choice("abcdefghij海关") for _ in range(100_000))
    t = time.perf_counter()
    summarize(text, to="source", source_language="zh")
    elapsed = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"| summarize 100,000 one-character lines (segmentation included) | {elapsed:.2f} | "
                 f"{1000 * elapsed / 100_000:.3f} | – | {rss:.0f} |")
    ratio = per_sentence[2000] / per_sentence[250]
    growth = "linear" if ratio <= 2 else "grows faster than linear"
    lines += ["", f"ranking time per sentence, 2000 vs 250 sentences: ×{ratio:.2f} → {growth}"]
    return "\n".join(lines)


# -- command line ------------------------------------------------------------------------------
def default_data() -> list[Path]:
    if LCSTS.is_file():
        return [DEV, LCSTS]
    print(f"note: {LCSTS} not found; running on the XSum dev set only", file=sys.stderr)
    return [DEV]


def set_names(paths: list[Path]) -> list[str]:
    """File stems, made unique (two files called dev.jsonl get dev and dev#2)."""
    names: list[str] = []
    for path in paths:
        name, k = path.stem, 2
        while name in names:
            name, k = f"{path.stem}#{k}", k + 1
        names.append(name)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("data", nargs="*", type=Path,
                        help="JSONL/TSV of article+summary (default: the XSum dev set and ../shared/data/lcsts-dev.jsonl)")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N pairs of each file")
    parser.add_argument("--scaling", action="store_true", help="also time ranking on large inputs")
    parser.add_argument("--save", type=Path, help="write the per-set means and counts to this JSON file")
    parser.add_argument("--before", type=Path, help="an earlier --save: print before → after for ours")
    args = parser.parse_args(argv)
    before = json.loads(args.before.read_text(encoding="utf-8")) if args.before else None
    if args.scaling:  # first, so that its peak RSS is its own, not the evaluation's
        print(scaling(), end="\n\n")
    paths = args.data or default_data()
    results: dict[str, Any] = {"sets": {}, "limit": args.limit}
    for name, path in zip(set_names(paths), paths):
        rows = load(path)
        results["sets"][name] = evaluate(rows[:args.limit] if args.limit else rows)
        print(print_table(name, results["sets"][name]), end="\n\n")
    if before is not None:
        print("### ours, before → after", "", compare(before, results), sep="\n", end="\n\n")
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
