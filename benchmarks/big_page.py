"""Reading a big web page: how long ``read_html`` and the whole CLI take on a generated news page.
Rerun: ``python benchmarks/big_page.py`` (``--pages article:20,realistic:2`` — shape:MB;
``--keep DIR`` keeps the pages).

Both shapes are a news page as a CMS writes it: a head with metadata, a navigation bar, a breadcrumb,
an article (a title, a date line "发布时间：…", paragraphs of 1–5 toy-model sentences, a subheading
every 20 paragraphs), a sidebar of links and a footer; no paragraph repeats, so nothing is cached or
deduplicated away. ``article`` fills the size with article paragraphs (the worst case: 28,000
paragraphs in 2 MB); ``realistic`` has a 59-paragraph article and fills the size as real pages do —
inline scripts and JSON state, styles, SVG icons, link lists, a comment thread. The sentences are the
committed toy model's (``tests/toy/toy-zh-en``), so translation is cheap and the time is mostly reading.

For each page it prints the seconds and peak RSS of ``read_html`` alone, in a fresh process with the
size limit lifted (how the reader scales), and of the whole CLI, ``python -m translate PAGE -m
tests/toy/toy-zh-en --no-cache -o /dev/null -q`` (a page above the size limit ends with one line, exit 1).
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
from tests.toy.train_toy import sample  # noqa: E402 - after the path it needs

MODEL = ROOT / "tests" / "toy" / "toy-zh-en"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "TRANSFORMERS_VERBOSITY": "error",
       "PYTHONPATH": str(ROOT)}
READ = ("import sys; from translate.sources import html; html.MAX_PAGE_BYTES = 10**12; "
        "print(len(html.read_html(open(sys.argv[1], 'rb').read()).blocks), 'blocks')")


def _paragraphs(rng: random.Random, count: int | None = None, size: int = 0) -> list[str]:
    """``count`` article paragraphs (and subheadings), or as many as fill ``size`` bytes."""
    parts, total, n = [], 0, 0
    while (count is None and total < size) or (count is not None and n < count):
        n += 1
        if n % 20 == 0:
            piece = f"<h2>{''.join(rng.choice('山水花树海') for _ in range(3))}{n}</h2>"
        else:
            sentences = "".join(sample(rng).rstrip("。！？；") + "。" for _ in range(rng.randint(1, 5)))
            piece = f"<p>\u3000\u3000{n}、{sentences}</p>\n"
        parts.append(piece)
        total += len(piece.encode())
    return parts


def _filler(rng: random.Random, size: int) -> tuple[str, str]:
    """(head, body) furniture of about ``size`` bytes: scripts, JSON state, styles, icons, links, comments."""
    state = json.dumps({"items": [{"id": i, "title": f"相关新闻标题第{i}条", "url": f"/n/{i}.html",
                                   "tags": ["news", "local"], "score": rng.random()} for i in range(size // 400)]},
                       ensure_ascii=False)
    code = "".join(f"function f{i}(a,b){{return a.map(function(x){{return x*{i}+b}})}}" for i in range(size // 300))
    style = "".join(f".c{i}{{color:#{i % 4096:03x};margin:{i % 9}px}}" for i in range(size // 300))
    icon = '<svg viewBox="0 0 24 24"><path d="M12 2L2 7l10 5 10-5-10-5z"/></svg>'
    links = "".join(f'<li><a href="/n/{i}.html">{icon}相关新闻标题第{i}条</a></li>' for i in range(size // 2000))
    comments = "".join(f'<div class="comment"><span class="user">网友{i}</span><p>说得好，三猫看山。</p></div>'
                       for i in range(size // 4000))
    head = f"<style>{style}</style><script>{code}</script><script>window.__STATE__ = {state};</script>"
    body = f'<div class="related"><ul>{links}</ul></div><div class="comments">{comments}</div>'
    return head, body


def page(size: int, shape: str = "article") -> bytes:
    """A UTF-8 news page of about ``size`` bytes (module docstring)."""
    first = _page(size, shape, size)
    return first if shape == "article" else _page(size, shape, size * size // len(first))


def _page(size: int, shape: str, filler: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    nav = "".join(f'<li><a href="/c/{i}/">栏目{i}</a></li>' for i in range(40))
    side = "".join(f'<li><a href="/n/{i}.html">相关新闻标题第{i}条</a></li>' for i in range(30))
    extra_head, extra_body = _filler(rng, filler) if shape == "realistic" else ("", "")
    head = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>三猫看大山 - 新闻网</title>'
            f'<meta name="description" content="三猫看大山。">{extra_head}</head><body>'
            f'<div id="header"><ul class="nav">{nav}</ul></div><div class="position">首页 &gt; 新闻 &gt; 正文</div>'
            '<div class="main"><div class="article"><h1>三猫看大山</h1>'
            '<div class="info"><span>发布时间：2024年10月20日 08:30</span><span>来源：新闻网</span></div>'
            '<div class="content">')
    tail = (f'</div></div>{extra_body}<div class="sidebar"><h3>相关新闻</h3><ul>{side}</ul></div></div>'
            '<div id="footer">版权所有 新闻网 未经许可不得转载</div></body></html>')
    room = size - len(head.encode()) - len(tail.encode())
    article = _paragraphs(rng, 59) if shape == "realistic" else _paragraphs(rng, size=room)
    return (head + "".join(article) + tail).encode("utf-8")


def timed(cmd: list[str], timeout: float) -> tuple[str, float | None, float, str]:
    """(exit status, seconds or None past ``timeout``, peak RSS MB, last output line) of one process."""
    with tempfile.TemporaryFile("w+") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=ENV, stdout=log, stderr=log, text=True)
        while not (waited := os.wait4(proc.pid, os.WNOHANG))[0]:
            if time.perf_counter() - start > timeout:
                proc.kill()
                return "killed", None, os.wait4(proc.pid, 0)[2].ru_maxrss / 1024, ""
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        log.seek(0)
        lines = log.read().strip().splitlines()
    return str(os.waitstatus_to_exitcode(waited[1])), seconds, waited[2].ru_maxrss / 1024, lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="realistic:2,article:2,article:20", help="shape:MB, comma-separated")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a run counts as hung")
    parser.add_argument("--keep", type=Path, help="write the pages to this folder and keep them")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    for shape, mb in ((s.split(":")[0], float(s.split(":")[1])) for s in args.pages.split(",")):
        path = work / f"{shape}-{mb:g}mb.html"
        path.write_bytes(page(int(mb * 1_000_000), shape))
        for label, cmd in (("read_html", [sys.executable, "-c", READ, str(path)]),
                           ("CLI", [sys.executable, "-m", "translate", str(path), "-m", str(MODEL), "--no-cache",
                                    "-o", os.devnull, "-q"])):
            status, seconds, rss, line = timed(cmd, args.timeout)
            took = f"killed after {args.timeout:.0f} s" if seconds is None else f"{seconds:.1f} s"
            print(f"{shape} {mb:g} MB {label}: exit {status}, {took}, peak RSS {rss:.0f} MB | {line}", flush=True)


if __name__ == "__main__":
    main()
