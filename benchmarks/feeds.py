"""Feeds end to end: ``summarize OPML`` over N feeds served from 127.0.0.1, local and Ray; grouping
precision/recall against known stories; the cost of a rerun with 1% new items; peak RSS of
``translate FEED`` at 1,000 and 50,000 items. Rerun: ``python benchmarks/feeds.py`` (``--quick``: a smoke run).

The items come from the labelled set (benchmarks/feeds_data.py, seed 2: neither the development
split the thresholds were chosen on nor the held-out one): events reported as wire copies with small
edits, rewrites, the other language, and unrelated items (hard negatives among them). They are split
into N RSS 2.0 feeds (Chinese items in some, English in the others), served by tests/feedserver.py's
FeedServer (ETag and 304), and listed in an OPML file. Every command runs as a child process, timed as
a user sees it (start-up and model load included); its peak RSS comes from ``wait4`` (the driver's
only, under Ray: actors are Ray's processes). Each run has its own translation memory folder and
state file, except the rerun, which reuses the first local run's (that is what a rerun is).

Grouping is scored from the JSON briefing: each story's sources' links are mapped back to the items
and compared with the gold groups (pairwise precision/recall/F1, ``score_grouping``). With the toy
model the Chinese titles' translations are word-for-word nonsense, so cross-language grouping is
expected to miss; the line "grouping alone" scores ``group_stories`` on the same items with the
labelled set's ideal translations, for comparison.

The peak-RSS runs translate one feed file of short items (titles only) with the toy model
(tests/toy/toy-zh-en, whatever ``--model`` says: 50,000 items through a real model would take long).
Prints numbers and the command lines it ran; asserts nothing.
"""

from __future__ import annotations

import argparse
import email.utils
import datetime
import html
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench import ENV, machine  # noqa: E402

TOY = ROOT / "tests" / "toy" / "toy-zh-en"
SEED = 2  # the labelled set's seeds 0 and 1 are the development and held-out splits
NEW_SHARE = 0.01
TOY_CHARS = "一二三四五六七八九十猫狗鱼鸟山水花树车书红大小看有海"
COMMANDS: list[str] = []  # every command line run, printed at the end


@dataclass
class Run:
    """One child process: wall seconds, peak RSS (MB), exit status, the tail of its stderr."""

    seconds: float
    rss_mb: float
    rc: int
    stderr: str

    @property
    def ok(self) -> bool:
        return self.rc == 0


def run(cmd: Sequence[str], env: dict[str, str], log: Path, timeout: float) -> Run:
    """Run ``cmd``; its own rusage from ``wait4`` (so every run's peak RSS is its own)."""
    COMMANDS.append(shlex.join(cmd))
    t0 = time.perf_counter()
    with log.open("wb") as err:
        proc = subprocess.Popen(list(cmd), env=env, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t0
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
    if proc.returncode:
        print(f"  exit {proc.returncode} after {seconds:.1f} s: {shlex.join(cmd)}\n  stderr tail:\n"
              + "\n".join("    " + line for line in tail.splitlines()[-25:]), file=sys.stderr)
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode, tail)


# -- the feeds -------------------------------------------------------------------------------------------
def items_and_gold(total: int) -> tuple[list[dict[str, str]], list[list[int]]]:
    """About ``total`` labelled items (whole groups only) and their gold groups."""
    from benchmarks.feeds_data import labelled_items

    groups = max(1, total // 3)
    while True:
        items, gold = labelled_items(groups, seed=SEED)
        if len(items) >= total:
            break
        groups = int(groups * total / max(1, len(items))) + 2
    kept: list[list[int]] = []
    count = 0
    for group in gold:
        if count + len(group) <= total:
            kept.append(group)
            count += len(group)
    order = sorted(i for group in kept for i in group)
    index = {old: new for new, old in enumerate(order)}
    return [items[i] for i in order], [[index[i] for i in group] for group in kept]


def rfc822(iso: str) -> str:
    try:
        when = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:  # the labelled set's day may run past the month's end
        when = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    return email.utils.format_datetime(when)


def rss(title: str, link: str, language: str, items: Sequence[dict[str, str]]) -> bytes:
    """An RSS 2.0 feed of labelled items (newest first, as feeds are)."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
           f"<title>{html.escape(title)}</title><link>{html.escape(link)}</link>",
           f"<description>{html.escape(title)}</description><language>{language}</language>"]
    for item in items:
        out.append(f"<item><title>{html.escape(item['title'])}</title><link>{html.escape(item['link'])}</link>"
                   f"<guid isPermaLink=\"true\">{html.escape(item['link'])}</guid>"
                   f"<pubDate>{rfc822(item['date'])}</pubDate>"
                   f"<description>{html.escape('<p>' + html.escape(item['text']) + '</p>')}</description></item>")
    out.append("</channel></rss>\n")
    return "\n".join(out).encode("utf-8")


def split_feeds(items: Sequence[dict[str, str]], n: int, rng: random.Random) -> list[tuple[str, list[int]]]:
    """``n`` feeds, Chinese items in some and English in the others (in proportion), round robin."""
    zh = [i for i, item in enumerate(items) if item["language"] == "zh"]
    en = [i for i, item in enumerate(items) if item["language"] != "zh"]
    n_zh = min(n - 1, max(1, round(n * len(zh) / max(1, len(items))))) if zh and en and n > 1 else (n if zh else 0)
    feeds: list[tuple[str, list[int]]] = [("zh" if f < n_zh else "en", []) for f in range(n)]
    for language, members in (("zh", zh), ("en", en)):
        slots = [f for f, (lang, _) in enumerate(feeds) if lang == language] or list(range(n))
        for k, i in enumerate(members):
            feeds[slots[k % len(slots)]][1].append(i)
    for _, members in feeds:
        members.sort(key=lambda i: items[i]["date"], reverse=True)
    return feeds


def opml(urls: Sequence[str]) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<opml version="2.0"><head><title>bench</title></head><body>']
    lines += [f'<outline type="rss" text="feed {k}" xmlUrl="{html.escape(u)}"/>' for k, u in enumerate(urls)]
    lines.append("</body></opml>")
    return "\n".join(lines) + "\n"


def big_feed(path: Path, n: int, seed: int = 0) -> None:
    """One feed of ``n`` short, distinct Chinese items the toy model knows the characters of."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>大</title>'
                  "<link>https://big.example/</link><description>big</description><language>zh</language>\n")
        seen: set[str] = set()
        for k in range(n):
            title = ""
            while not title or title in seen:
                title = "".join(rng.choice(TOY_CHARS) for _ in range(6)) + "。"
            seen.add(title)
            body = "".join(rng.choice(TOY_CHARS) for _ in range(12)) + "。"
            out.write(f"<item><title>{title}</title><link>https://big.example/{k}</link>"
                      f"<guid>https://big.example/{k}</guid><description>{body}</description></item>\n")
        out.write("</channel></rss>\n")


# -- scoring ---------------------------------------------------------------------------------------------
def grouping_score(briefing: Path, items: Sequence[dict[str, str]], present: Sequence[int],
                   gold: Sequence[Sequence[int]]) -> dict[str, float] | None:
    """Pairwise P/R/F1 of the briefing's stories (sources' links → items) against the gold groups of the
    items served."""
    from summarize.stories import Story, score_grouping

    try:
        data = json.loads(briefing.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"  no briefing to score ({e})", file=sys.stderr)
        return None
    by_link = {items[i]["link"]: i for i in present}
    seen: set[int] = set()
    stories = []
    for story in data.get("stories", []):
        members = []
        for source in story.get("sources", []):
            i = by_link.get(source.get("link", ""))
            if i is not None and i not in seen:
                seen.add(i)
                members.append(i)
        if members:
            stories.append(Story(tuple(members)))
    shown = set(present)
    gold_here = [[i for i in group if i in shown] for group in gold]
    score = score_grouping(stories, [g for g in gold_here if g])
    score["stories"] = float(len(data.get("stories", [])))
    score["items_in_stories"] = float(len(seen))
    return score


def ideal_score(items: Sequence[dict[str, str]], present: Sequence[int], gold: Sequence[Sequence[int]]) -> dict:
    """``group_stories`` on the same items with the labelled set's ideal translations."""
    from benchmarks.feeds_data import story_inputs
    from summarize.stories import group_stories, score_grouping

    order = list(present)
    index = {old: new for new, old in enumerate(order)}
    gold_here = [[index[i] for i in group if i in index] for group in gold]
    return score_grouping(group_stories(story_inputs([items[i] for i in order])), [g for g in gold_here if g])


# -- the benchmark ---------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--items", type=int, default=50, help="items per feed")
    parser.add_argument("--big", type=int, default=50_000, help="items of the big feed (peak RSS)")
    parser.add_argument("--small", type=int, default=1_000, help="items of the small feed (peak RSS)")
    parser.add_argument("-m", "--model", default=str(TOY), help="translation model folder (default: the toy model)")
    parser.add_argument("--opus-shape", action="store_true",
                        help="the random opus-mt-zh-en-shaped model of benchmarks/bench.py (8 tokens a sentence, "
                             "greedy, ctranslate2, --no-guard)")
    parser.add_argument("--actors", type=int, default=2)
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--skip-rss", action="store_true", help="skip the peak-RSS runs")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds any one command may take")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5 feeds × 40 items, 5,000-item big feed")
    parser.add_argument("--choose-thresholds", action="store_true",
                        help="print the grouping thresholds' sweep on the labelled set, and stop")
    args = parser.parse_args()
    if args.choose_thresholds:
        from benchmarks.feeds_data import main_choose_thresholds

        main_choose_thresholds()
        return
    if args.quick:
        args.feeds, args.items, args.big, args.small = 5, 40, 5_000, 200

    from tests.feedserver import FeedServer, Route

    model_args = ["-m", args.model]
    model_name = Path(args.model).name
    if args.opus_shape:
        from benchmarks.bench import build_model

        model = build_model()
        model_args = ["-m", str(model), "--num-beams", "1", "--max-new-tokens", "8", "--backend", "ctranslate2",
                      "--device", "cpu", "--no-guard"]
        model_name = f"{model.name} (random weights, 8 tokens a sentence, greedy)"
    work = Path(tempfile.mkdtemp(prefix="feeds-bench-"))
    print(f"work folder: {work}", file=sys.stderr)
    # the feeds are fetched from 127.0.0.1: the hub's offline switch would forbid that too (models are folders)
    env = {k: v for k, v in ENV.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    summarize = [sys.executable, "-m", "summarize"]
    translate = [sys.executable, "-m", "translate"]
    results: dict[str, Any] = {}
    try:
        total = args.feeds * args.items
        new_count = max(1, round(total * NEW_SHARE))
        items, gold = items_and_gold(total + new_count)
        rng = random.Random(SEED)
        held = set(rng.sample(range(len(items)), min(new_count, len(items) - 1)))
        first = [i for i in range(len(items)) if i not in held]
        feeds = split_feeds(items, args.feeds, rng)
        print(f"{len(first)} items in {args.feeds} feeds (+{len(held)} new for the rerun), {len(gold)} gold groups, "
              f"{sum(len(g) > 1 for g in gold)} with more than one item", file=sys.stderr)
        # warm: the CTranslate2 conversion of each model, once, outside every timed run
        warm = work / "warm.rss"
        big_feed(warm, 3)
        for warm_args in [model_args] + ([["-m", str(TOY)]] if model_args != ["-m", str(TOY)] else []):
            run([*translate, str(warm), "-f", "rss", "-o", str(work / "warm.out.rss"), "--state",
                 str(work / "warm.sqlite"), "--delay", "0", "-q", *warm_args],
                {**env, "TRANSLATE_CACHE_DIR": str(work / "cache-warm")}, work / "warm.log", args.timeout)
        COMMANDS.clear()
        with FeedServer() as server:
            paths = [f"/feed/{k}.rss" for k in range(len(feeds))]
            for k, (language, members) in enumerate(feeds):
                body = rss(f"Feed {k}", server.url(paths[k]), language, [items[i] for i in members if i not in held])
                server.set(paths[k], Route(body, etag=f'"v1-{k}"'))
            listing = work / "feeds.opml"
            listing.write_text(opml([server.url(p) for p in paths]), encoding="utf-8")

            def brief(name: str, extra: Sequence[str] = (), state: str | None = None, cache: str | None = None) -> Run:
                out = work / f"{name}.json"
                cmd = [*summarize, str(listing), "-f", "json", "-o", str(out), "--state",
                       str(work / f"{state or name}.sqlite"), "--delay", "0", "-q", *model_args, *extra]
                run_env = {**env, "TRANSLATE_CACHE_DIR": str(work / f"cache-{cache or name}")}
                print(f"running {name}...", file=sys.stderr, flush=True)
                return run(cmd, run_env, work / f"{name}.log", args.timeout)

            results["local"] = brief("local")
            results["local_score"] = grouping_score(work / "local.json", items, first, gold)
            results["ideal_score"] = ideal_score(items, first, gold)
            if args.skip_ray:
                results["ray_note"] = "skipped (--skip-ray)"
            else:
                try:
                    import ray  # noqa: F401
                except ImportError:
                    results["ray_note"] = "skipped: ray is not installed"
                else:
                    results["ray"] = brief("ray", ["--engine", "ray", "--actors", str(args.actors)])
                    results["ray_score"] = grouping_score(work / "ray.json", items, first, gold)
            # the rerun: 1% new items at the top of their feeds; the other feeds unchanged (304)
            changed = 0
            for k, (language, members) in enumerate(feeds):
                if any(i in held for i in members):
                    changed += 1
                    server.set(paths[k], Route(rss(f"Feed {k}", server.url(paths[k]), language,
                                                   [items[i] for i in members]), etag=f'"v2-{k}"'))
            mark = len(server.requests)
            results["rerun"] = brief("rerun", state="local", cache="local")
            after = server.requests[mark:]
            unchanged = {paths[k] for k, (_, members) in enumerate(feeds) if not any(i in held for i in members)}
            results["rerun_requests"] = len(after)
            results["rerun_conditional"] = sum("if-none-match" in r.headers for r in after)
            results["rerun_304"] = sum(r.path in unchanged and r.headers.get("if-none-match", "").startswith('"v1-')
                                       for r in after)
            results["changed_feeds"] = changed
            results["rerun_score"] = grouping_score(work / "rerun.json", items, range(len(items)), gold)
            # the floor: a rerun with nothing new (start-up, model load, every feed a 304, the briefing rewritten)
            results["noop"] = brief("noop", state="local", cache="local")
        if not args.skip_rss:
            for name, n in (("small", args.small), ("big", args.big)):
                path = work / f"{name}.rss"
                big_feed(path, n)
                cmd = [*translate, str(path), "-f", "rss", "--titles-only", "-o", str(work / f"{name}.out.rss"),
                       "--state", str(work / f"{name}.sqlite"), "--delay", "0", "-q", "-m", str(TOY)]
                print(f"running translate FEED ({n} items)...", file=sys.stderr, flush=True)
                results[f"rss_{name}"] = run(cmd, {**env, "TRANSLATE_CACHE_DIR": str(work / f"cache-{name}")},
                                             work / f"{name}.log", args.timeout)
        report(args, results, len(first), len(held), model_name)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def report(args: argparse.Namespace, r: dict[str, Any], n_items: int, n_new: int, model: str) -> None:
    def seconds(key: str) -> str:
        x = r.get(key)
        if x is None:
            return "—"
        return f"{x.seconds:.1f}" + ("" if x.ok else f" (exit {x.rc})")

    def rate(key: str, n: int) -> str:
        x = r.get(key)
        return f"{n / x.seconds:.1f}" if x is not None else "—"

    def prf(key: str) -> str:
        s = r.get(key)
        return f"{s['precision']:.3f} / {s['recall']:.3f} / {s['f1']:.3f}" if s else "—"

    print(f"\nCPU: {machine()}")
    print(f"model for summarize: {model}; peak-RSS runs: toy model (tests/toy/toy-zh-en), titles only")
    print(f"{n_items} items in {args.feeds} feeds (labelled set, seed {SEED}); rerun: +{n_new} new items in "
          f"{r.get('changed_feeds', 0)} feeds\n")
    print("| measure | value |")
    print("| --- | ---: |")
    print(f"| items / feeds | {n_items} / {args.feeds} |")
    print(f"| first run, local (s) | {seconds('local')} |")
    print(f"| items/s, local | {rate('local', n_items)} |")
    print(f"| peak RSS, local (MB) | {r['local'].rss_mb:.0f} |")
    if "ray" in r:
        print(f"| first run, ray, {args.actors} actors (s) | {seconds('ray')} |")
        print(f"| items/s, ray | {rate('ray', n_items)} |")
        print(f"| peak RSS, ray driver (MB) | {r['ray'].rss_mb:.0f} |")
    else:
        print(f"| ray | {r.get('ray_note', '—')} |")
    rerun, local = r["rerun"], r["local"]
    print(f"| rerun, +{n_new} items (s) | {seconds('rerun')} |")
    print(f"| rerun / first run | {100 * rerun.seconds / local.seconds:.1f}% (target ≤ 5%) |")
    print(f"| rerun, nothing new (s): the floor | {seconds('noop')} |")
    print(f"| rerun requests: conditional / 304 | {r['rerun_requests']}: {r['rerun_conditional']} / "
          f"{r['rerun_304']} |")
    print(f"| grouping P / R / F1, local | {prf('local_score')} |")
    if "ray_score" in r:
        print(f"| grouping P / R / F1, ray | {prf('ray_score')} |")
    print(f"| grouping P / R / F1, rerun (all items) | {prf('rerun_score')} |")
    print(f"| grouping alone, ideal translations | {prf('ideal_score')} |")
    if "rss_small" in r:
        small, big = r["rss_small"], r["rss_big"]
        print(f"| translate FEED --titles-only, {args.small} items: s / peak RSS MB | {seconds('rss_small')} / "
              f"{small.rss_mb:.0f} |")
        print(f"| translate FEED --titles-only, {args.big} items: s / peak RSS MB | {seconds('rss_big')} / "
              f"{big.rss_mb:.0f} |")
        print(f"| peak RSS {args.big} / {args.small} items | {big.rss_mb / small.rss_mb:.2f}× |")
    for key in ("local_score", "rerun_score"):
        s = r.get(key)
        if s:
            print(f"\n{key}: {int(s['stories'])} stories, {int(s['items_in_stories'])} items in them; pairs: "
                  f"{int(s['true_pairs'])} right of {int(s['predicted_pairs'])} predicted, {int(s['gold_pairs'])} gold")
    print("\ncommands run:")
    for cmd in COMMANDS:
        print(f"  {cmd}")


if __name__ == "__main__":
    main()
