"""Digest quality and ranking cost. Rerun: ``python benchmarks/digests.py [DATA ...] [--scaling]``.

**Quality.** ``DATA`` is any JSONL or TSV of article + human summary pairs (JSONL fields
``document``/``article``/``text``/``content`` and ``summary``/``highlights``/``abstract``/``title``;
TSV: article, tab, summary, with ``\\n`` escapes allowed). Each article is digested by our
summarizer (``to="source"``, no model) and by the baselines at the same budgets:

- ``ref``: the reference summary's length (English words, or characters for Chinese), a hard
  maximum, whole sentences, at least one;
- ``3``: three sentences.

Systems: ours, Lead-k (the first body sentences), and sumy's LexRank, TextRank and Luhn over the
*same* sentences (our segmentation, titles and headings removed: the comparison is of picking,
not of splitting). Scores: ROUGE-1/2/L F1 × 100, averaged over articles. English uses
``rouge-score`` (Porter stemmer); Chinese uses a character-level ROUGE implemented here, since
``rouge-score`` drops non-ASCII: tokens are CJK characters and Latin words/numbers (lower-cased),
punctuation dropped; ROUGE-N is clipped n-gram overlap, ROUGE-L the LCS, each as an F1.

The committed dev set is ``benchmarks/digests_data/xsum_dev.jsonl``: the 10 BBC articles with
their human one-sentence summaries (XSum) that Hugging Face ``transformers`` ships as a test
fixture (``tests/fixtures/tests_samples/xsum/sample.json``). No Chinese set with human summaries
could be reached from this machine: run it on one you have (LCSTS, NLPCC 2017, CNewSum) as
``python benchmarks/digests.py lcsts.jsonl``. CNN/DailyMail as JSONL with ``article`` and
``highlights`` works as is.

**Scaling** (``--scaling``): ranking time, pair updates and peak RSS for 250 … 2,000 Chinese
sentences, and the whole ``summarize`` run on 100,000 one-character lines (segmentation included).
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
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarize import summarize  # noqa: E402
from summarize.summarizer import effective_kinds  # noqa: E402
from translate.document import BODY_KINDS  # noqa: E402
from translate.languages import has_cjk  # noqa: E402
from translate.segmentation import segment_document  # noqa: E402

DEV = ROOT / "benchmarks" / "digests_data" / "xsum_dev.jsonl"
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_]+", re.UNICODE)
ARTICLE_FIELDS = ("document", "article", "text", "content")
SUMMARY_FIELDS = ("summary", "highlights", "abstract", "title")


# -- data --------------------------------------------------------------------------------------
def load(path: Path) -> list[tuple[str, str]]:
    pairs = []
    if path.suffix == ".tsv":
        with path.open(encoding="utf-8") as f:
            for row in csv.reader(f, delimiter="\t"):
                if len(row) >= 2:
                    pairs.append((row[0].replace("\\n", "\n"), row[1].replace("\\n", "\n")))
        return pairs
    for line in path.open(encoding="utf-8"):
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


_SCORER = None


def rouge(candidate: str, reference: str, cjk: bool) -> dict[str, float]:
    global _SCORER
    if cjk:
        return char_rouge(candidate, reference)
    if _SCORER is None:
        from rouge_score import rouge_scorer

        _SCORER = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    return {k: v.fmeasure for k, v in _SCORER.score(reference, candidate).items()}


# -- systems -----------------------------------------------------------------------------------
def size(text: str, cjk: bool) -> int:
    return sum(not ch.isspace() for ch in text) if cjk else len(text.split())


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
    language = "chinese"

    def to_words(self, text):
        return tokens(text)


def sumy_ranking(name: str, sentences: list[str], cjk: bool) -> list[int]:
    """The order in which a sumy summarizer would add sentences (best first)."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer, null_stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    if cjk:
        tokenizer, stemmer, stop = _CharTokenizer(), null_stemmer, frozenset()
    else:
        tokenizer, stemmer, stop = _EnglishWords(), Stemmer("english"), get_stop_words("english")
    cls = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer, "luhn": LuhnSummarizer}[name]
    summarizer = cls(stemmer)
    summarizer.stop_words = stop
    doc = ObjectDocumentModel([Paragraph([Sentence(s, tokenizer) for s in sentences])])
    index = {id(s): k for k, s in enumerate(doc.sentences)}
    ratings = summarizer.rate_sentences(doc) if hasattr(summarizer, "rate_sentences") else None
    if ratings is None:  # LexRank/Luhn: rank through the public call, one count at a time
        order: list[int] = []
        for k in range(1, len(sentences) + 1):
            chosen = [index[id(s)] for s in summarizer(doc, k)]
            order += [i for i in chosen if i not in order]
        return order + [i for i in range(len(sentences)) if i not in order]
    return sorted(range(len(sentences)), key=lambda k: (-ratings[doc.sentences[k]], k))


class _EnglishWords:
    """Word tokens without NLTK data (sumy's own tokenizer needs punkt)."""

    language = "english"

    def to_words(self, text):
        return re.findall(r"[^\W_][\w'-]*", text)


def ours(article: str, budget: str, limit: int, cjk: bool) -> str:
    spec = "3" if budget == "3" else (f"{limit}c" if cjk else f"{limit}w")
    digests = summarize(article, (spec,), to="source", source_language="zh" if cjk else "en")
    return digests[spec].text


SYSTEMS = ("ours", "lead", "lexrank", "textrank", "luhn")


def evaluate(pairs: list[tuple[str, str]]) -> dict:
    """Mean ROUGE per (language, budget, system)."""
    table: dict = {}
    for article, reference in pairs:
        cjk = has_cjk(article)
        lang = "zh" if cjk else "en"
        sentences = body_sentences(article)
        limit = max(size(reference, cjk), 1)
        for budget in ("ref", "3"):
            for system in SYSTEMS:
                if system == "ours":
                    text = ours(article, budget, limit, cjk)
                else:
                    ranked = list(range(len(sentences))) if system == "lead" else sumy_ranking(system, sentences, cjk)
                    text = join(sentences, fit(ranked, sentences, budget, limit, cjk), cjk)
                for metric, value in rouge(text, reference, cjk).items():
                    table.setdefault((lang, budget, system, metric), []).append(100 * value)
    return {k: statistics.fmean(v) for k, v in table.items()}, {k: len(v) for k, v in table.items()}


def print_table(means: dict, counts: dict) -> str:
    lines = ["| set | budget | system | ROUGE-1 | ROUGE-2 | ROUGE-L |", "| --- | --- | --- | ---: | ---: | ---: |"]
    for lang in sorted({k[0] for k in means}):
        for budget in ("ref", "3"):
            n = counts.get((lang, budget, "ours", "rouge1"), 0)
            for system in SYSTEMS:
                r = [means.get((lang, budget, system, m), float("nan")) for m in ("rouge1", "rouge2", "rougeL")]
                lines.append(f"| {lang} ({n}) | {budget} | {system} | {r[0]:.2f} | {r[1]:.2f} | {r[2]:.2f} |")
    return "\n".join(lines)


# -- scaling -----------------------------------------------------------------------------------
def scaling() -> str:
    import random

    from summarize.ranking import Candidate, rank_sentences

    rng = random.Random(1)
    chars = "海关总书记回信国门卫士发展开放口岸监管服务效能安全屏障大家表示我们将经济市场企业政府工作会议提出要求推动改革创新建设人民生活"
    lines = ["| input | seconds | pair updates | peak RSS (MB) |", "| --- | ---: | ---: | ---: |"]
    for n in (250, 500, 1000, 2000):
        cands = [Candidate(i, "".join(rng.choice(chars) for _ in range(rng.randint(12, 50))) + "。", i % 4 == 0)
                 for i in range(n)]
        t = time.perf_counter()
        ranked = rank_sentences(cands, "标题")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        lines.append(f"| rank {n} Chinese sentences | {time.perf_counter() - t:.2f} | {ranked.comparisons} | {rss:.0f} |")
    text = "\n".join(rng.choice("abcdefghij海关") for _ in range(100_000))
    t = time.perf_counter()
    summarize(text, to="source", source_language="zh")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"| summarize 100,000 one-character lines (segmentation included) | {time.perf_counter() - t:.2f} | "
                 f"– | {rss:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="*", type=Path, help="JSONL/TSV of article+summary (default: the dev set)")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N pairs of each file")
    parser.add_argument("--scaling", action="store_true", help="also time ranking on large inputs")
    args = parser.parse_args(argv)
    pairs = []
    for path in args.data or [DEV]:
        rows = load(path)
        pairs += rows[:args.limit] if args.limit else rows
    means, counts = evaluate(pairs)
    print(print_table(means, counts))
    if args.scaling:
        print()
        print(scaling())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
