"""Accuracy of the offline language detection (translate/detect.py) on a hand-written news set.
Rerun: ``python benchmarks/detection.py`` (about a second; no network, no GPU).

The set is ``tests/detect/samples.tsv``: 16 languages (zh-Hans, zh-Hant, ja, ko, en, ru, uk, fr,
de, es, pt, it, nl, ar, vi, tr), each with headline-like short lines, medium sentences and long
sentences. Buckets are by letters (what :func:`translate.detect.letter_count` counts: digits,
punctuation, spaces and URLs left out): short <= 10, medium 11-60, long > 60.

Two accuracies per line:

- raw: ``detect(line)`` alone;
- in document: ``detect_document(context + [line])`` where the context is the other long lines of
  the line's language, i.e. the rule a translator applies (short and low-confidence paragraphs
  take the document's language);
- in foreign document: the same inside an article of a neighbouring language (es for pt, ru for
  uk, zh-Hant for zh-Hans, en for ar...), where the line should keep its own language: the cost of
  the rule (a short line there takes the article's language by design).

A line counts as right when the code matches exactly, so ``zh`` (script undetermined) is wrong
for a ``zh-Hans`` line. Then a confusion table for zh-Hans/zh-Hant, the sweep that chose the
ambiguity threshold (``AMBIGUOUS_CONFIDENCE``), and the time per detection.
Writes ``benchmarks/out/detection.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from translate import detect as detection  # noqa: E402

SAMPLES = ROOT / "tests" / "detect" / "samples.tsv"
OUT = ROOT / "benchmarks" / "out"
BUCKETS = ("short", "medium", "long")
THRESHOLDS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def bucket(text: str) -> str:
    letters = detection.letter_count(text)
    return "short" if letters <= 10 else "medium" if letters <= 60 else "long"


def load(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["language"], row["text"]) for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


# For the cost of inheriting: each line inside an article in a neighbouring language (same script
# where there is one), where it should keep its own language.
FOREIGN = {"zh-Hans": "zh-Hant", "zh-Hant": "zh-Hans", "ja": "zh-Hans", "ko": "ja", "en": "fr", "fr": "en",
           "de": "nl", "nl": "de", "es": "pt", "pt": "es", "it": "es", "ru": "uk", "uk": "ru", "ar": "en",
           "vi": "en", "tr": "en"}


def in_document(rows: list[tuple[str, str]], index: int, *, foreign: bool = False, **options: float) -> str:
    """The line's language as the last paragraph of an article made of the other long lines of its
    own language (or, with ``foreign``, of the neighbouring language)."""
    language, text = rows[index]
    host = FOREIGN.get(language, "en") if foreign else language
    context = [other for i, (lang, other) in enumerate(rows) if lang == host and i != index and bucket(other) == "long"]
    return detection.detect_document([*context, text], **options).per_paragraph[-1]  # type: ignore[arg-type]


def pct(right: int, total: int) -> str:
    return f"{100 * right / total:5.1f}% ({right}/{total})" if total else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=SAMPLES)
    args = parser.parse_args()
    rows = load(args.samples)

    start = time.perf_counter()
    detection.detect("warm-up: load the model")
    load_s = time.perf_counter() - start

    raw, timings = [], []
    for _, text in rows:
        start = time.perf_counter()
        raw.append(detection.detect(text))
        timings.append(time.perf_counter() - start)
    documented = [in_document(rows, i) for i in range(len(rows))]
    foreign = [in_document(rows, i, foreign=True) for i in range(len(rows))]

    # accuracy per bucket
    results: dict[str, object] = {"samples": len(rows), "languages": len({lang for lang, _ in rows})}
    print(f"{len(rows)} lines, {results['languages']} languages; model load {1000 * load_s:.0f} ms, "
          f"detect() median {1e6 * statistics.median(timings):.0f} µs/line\n")
    print(f"{'bucket':<8} {'raw':>18} {'in document':>18} {'in foreign doc':>18}")
    per_bucket = {}
    for name in (*BUCKETS, "all"):
        picked = [i for i, (_, text) in enumerate(rows) if name == "all" or bucket(text) == name]
        right_raw = sum(raw[i].language == rows[i][0] for i in picked)
        right_doc = sum(documented[i] == rows[i][0] for i in picked)
        right_foreign = sum(foreign[i] == rows[i][0] for i in picked)
        per_bucket[name] = {"lines": len(picked), "raw": right_raw, "document": right_doc, "foreign": right_foreign}
        print(f"{name:<8} {pct(right_raw, len(picked)):>18} {pct(right_doc, len(picked)):>18} "
              f"{pct(right_foreign, len(picked)):>18}")
    results["per_bucket"] = per_bucket

    # accuracy per language: raw per bucket, then in document (all buckets)
    print(f"\n{'language':<9}" + "".join(f"{'raw ' + b:>12}" for b in BUCKETS) + f"{'in doc (all)':>14}  raw errors")
    per_language = {}
    for language in dict.fromkeys(lang for lang, _ in rows):
        picked = [i for i, (lang, _) in enumerate(rows) if lang == language]
        cells, entry = [], {}
        for name in BUCKETS:
            sub = [i for i in picked if bucket(rows[i][1]) == name]
            right = sum(raw[i].language == language for i in sub)
            entry[name] = [right, len(sub)]
            cells.append(f"{right}/{len(sub)}")
        right_doc = sum(documented[i] == language for i in picked)
        entry["document"] = [right_doc, len(picked)]
        errors = Counter(raw[i].language for i in picked if raw[i].language != language)
        entry["raw_errors"] = dict(errors)
        per_language[language] = entry
        print(f"{language:<9}" + "".join(f"{c:>12}" for c in cells) + f"{right_doc:>8}/{len(picked):<5}  "
              + ", ".join(f"{k}×{v}" for k, v in errors.most_common()))
    results["per_language"] = per_language

    # zh-Hans vs zh-Hant
    print("\nChinese script (rows: truth; columns: detected), raw | in document")
    columns = ("zh-Hans", "zh-Hant", "zh", "other")
    confusion: dict[str, dict[str, dict[str, int]]] = {}
    print(f"{'':<9}" + "".join(f"{c:>9}" for c in columns) + "   |" + "".join(f"{c:>9}" for c in columns))
    for truth in ("zh-Hans", "zh-Hant"):
        picked = [i for i, (lang, _) in enumerate(rows) if lang == truth]
        table = {}
        for label, found in (("raw", [raw[i].language for i in picked]), ("document", [documented[i] for i in picked])):
            counts = Counter(code if code in columns else "other" for code in found)
            table[label] = {c: counts[c] for c in columns}
        confusion[truth] = table
        print(f"{truth:<9}" + "".join(f"{table['raw'][c]:>9}" for c in columns) + "   |"
              + "".join(f"{table['document'][c]:>9}" for c in columns))
    results["zh_confusion"] = confusion

    # the ambiguity threshold: lines longer than "short" whose own detection is below it inherit
    print("\nAmbiguity threshold sweep (medium + long lines; short ones always inherit):")
    print(f"{'min conf':>8} {'raw ok, conf<t':>15} {'raw wrong, conf>=t':>19} {'in document':>18} {'in foreign doc':>18}")
    longer = [i for i, (_, text) in enumerate(rows) if bucket(text) != "short"]
    sweep = {}
    for threshold in THRESHOLDS:
        below_ok = sum(raw[i].confidence < threshold and raw[i].language == rows[i][0] for i in longer)
        above_wrong = sum(raw[i].confidence >= threshold and raw[i].language != rows[i][0] for i in longer)
        right = sum(in_document(rows, i, min_confidence=threshold) == rows[i][0] for i in longer)
        kept = sum(in_document(rows, i, foreign=True, min_confidence=threshold) == rows[i][0] for i in longer)
        sweep[str(threshold)] = {"raw_right_below": below_ok, "raw_wrong_above": above_wrong, "document": right,
                                 "foreign": kept}
        marker = "  <- AMBIGUOUS_CONFIDENCE" if threshold == detection.AMBIGUOUS_CONFIDENCE else ""
        print(f"{threshold:>8.1f} {below_ok:>15} {above_wrong:>19} {pct(right, len(longer)):>18} "
              f"{pct(kept, len(longer)):>18}{marker}")
    results["threshold_sweep"] = sweep
    low = sorted((round(raw[i].confidence, 3), rows[i][0], rows[i][1]) for i in longer if raw[i].confidence < 0.9)
    print("medium/long lines under 0.9:", *(f"  {c}  {lang}  {text}" for c, lang, text in low), sep="\n")
    confidences = sorted(raw[i].confidence for i in longer if raw[i].language == rows[i][0])
    wrong = sorted(round(raw[i].confidence, 3) for i in longer if raw[i].language != rows[i][0])
    print(f"confidence of right medium/long detections: min {confidences[0]:.3f}, "
          f"10th percentile {confidences[len(confidences) // 10]:.3f}; of wrong ones: {wrong}")

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "detection.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
