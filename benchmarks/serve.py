"""Throughput, latency and memory of ``translate serve`` under concurrent clients, batcher on and off.
Rerun: ``python benchmarks/serve.py`` (``--quick`` for a short run, ``--long`` for the RSS run).

The server — the app ``translate serve`` runs (``create_app`` over a ``Service``, under uvicorn),
started here from the library — runs in its own process on 127.0.0.1 (its RSS is its own; its
log goes to ``benchmarks/out/serve-server.log``) over the random model of
exactly opus-mt-zh-en's shape that ``bench.py`` builds (cached in ``benchmarks/out/``): random
weights never emit </s>, its generation config forbids it, so every sentence decodes exactly
``--tokens`` tokens (forced output lengths: the same work for every request, whatever the text),
and the pipeline runs without the guard (it would retry every unfinished sentence). ctranslate2
int8, beam 4, batch 16, 2 threads, no translation memory. Every sentence sent is distinct (a
numbered prefix), so no request is answered from another's decoding.

The load generator (asyncio + httpx, in this process, on the same cores) runs closed loops of 1, 4,
16 and 64 clients, each sending ``POST /translate`` (LibreTranslate's shape) and its next request
when the answer comes: single sentences, paragraphs (3 sentences) and 20-text batches (``q`` a
list). A window counts the answers that arrive within it (``--seconds``); the requests still in
flight at its end are cut (the client disconnects; the server drops what it has not started), and
the next window starts once the server is idle again. Two servers run, batcher on and off, and
each cell's windows alternate between them (``--rounds``): on a shared machine whose load comes
and goes, both see the same. Then: an open loop at half the peak throughput (p99 against p50), an
overload run against a small ``--max-queue`` (only 429/503 may fail), and with ``--long`` the
server's RSS from request 1,000 to request 20,000.

``req/call``: requests per batcher call (from ``GET /metrics``). Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench import BATCH, BEAMS, ENV, MODEL, SEED, THREADS, machine  # noqa: E402

CLIENTS = (1, 4, 16, 64)
PAYLOADS = ("sentence", "paragraph", "batch20")
LOG = ROOT / "benchmarks" / "out" / "serve-server.log"
PARAGRAPH_SENTENCES = 3
BATCH_TEXTS = 20


# -- the server (a child process) --------------------------------------------------------------------------
def serve(batching: bool, max_queue: int, tokens: int, beams: int) -> None:
    """Load the model, then serve on a free port of 127.0.0.1; print ``READY <port>`` when it listens."""
    import uvicorn

    from translate import Translator
    from translate.server.app import create_app
    from translate.server.options import ServeOptions
    from translate.server.service import Service

    translator = Translator(str(MODEL), backend="ctranslate2", num_beams=beams, max_new_tokens=tokens,
                            batch_size=BATCH, threads=THREADS, device="cpu", guard=False,
                            consistent_names=False, cache=False)
    translator.translate("预热。")  # load (and convert, the first time) before the port opens
    options = ServeOptions(port=0, batching=batching, max_queue=max_queue, access_log=False)
    service = Service(translator, options)
    app = create_app(service, options)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    print(f"READY {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", backlog=2048)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        service.close()


class Server:
    """``serve`` in a child process: its URL, its RSS; stopped on exit."""

    def __init__(self, *, batching: bool, max_queue: int, tokens: int, beams: int) -> None:
        args = [sys.executable, __file__, "--server", "--tokens", str(tokens), "--beams", str(beams),
                "--max-queue", str(max_queue)]
        if not batching:
            args.append("--no-batching")
        LOG.parent.mkdir(parents=True, exist_ok=True)
        with LOG.open("a", encoding="utf-8") as log:  # the server's own log lines stay out of the table
            self.proc = subprocess.Popen(args, env=ENV, stdout=subprocess.PIPE, stderr=log, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "READY":
            self.stop()
            raise SystemExit(f"the server did not start; {LOG} says why")
        self.url = f"http://127.0.0.1:{line[1]}"

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- what clients send ---------------------------------------------------------------------------------------
class Texts:
    """Distinct sentences: the seed's, each with a number of its own in front."""

    def __init__(self) -> None:
        from translate.segmentation import segment_document

        doc = segment_document(SEED.read_text(encoding="utf-8"))
        self.pool = [s.text for p in doc.paragraphs for s in p.sentences if len(s.text) >= 10]
        self.n = 0

    def sentence(self) -> str:
        self.n += 1
        return f"第{self.n}篇{self.pool[self.n % len(self.pool)]}"

    def body(self, payload: str) -> tuple[dict[str, Any], int]:
        """A request body and how many sentences it holds."""
        if payload == "sentence":
            q: Any = self.sentence()
            n = 1
        elif payload == "paragraph":
            q = "".join(self.sentence() for _ in range(PARAGRAPH_SENTENCES))
            n = PARAGRAPH_SENTENCES
        else:
            q = [self.sentence() for _ in range(BATCH_TEXTS)]
            n = BATCH_TEXTS
        return {"q": q, "source": "zh", "target": "en", "format": "text"}, n


# -- the load generator --------------------------------------------------------------------------------------
@dataclass
class Cell:
    """What one run measured."""

    latencies: list[float] = field(default_factory=list)
    sentences: int = 0
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    cut: int = 0
    seconds: float = 0.0
    calls: float = 0.0   # calls the batcher made (the cut requests' included)
    served: float = 0.0  # requests those calls served

    def add(self, other: Cell) -> None:
        self.latencies += other.latencies
        self.sentences += other.sentences
        self.statuses += other.statuses
        self.errors += other.errors
        self.cut += other.cut
        self.seconds += other.seconds
        self.calls += other.calls
        self.served += other.served

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def failed(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200) + sum(self.errors.values())

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def sps(self) -> float:
        return self.sentences / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def valid(body: dict[str, Any], answer: Any) -> bool:
    got = answer.get("translatedText") if isinstance(answer, dict) else None
    if isinstance(body["q"], list):
        return isinstance(got, list) and len(got) == len(body["q"]) and all(isinstance(t, str) and t for t in got)
    return isinstance(got, str) and bool(got)


async def request(http: Any, body: dict[str, Any], n: int, cell: Cell, counting: Callable[[], bool]) -> float:
    """Send one request; record it if it ends while ``counting()``; the seconds a 429/503 says to wait."""
    import httpx

    started = time.perf_counter()
    try:
        r = await http.post("/translate", json=body)
    except httpx.HTTPError as exc:
        if counting():
            cell.errors[type(exc).__name__] += 1
        return 0.05
    if not counting():
        return 0.0
    if r.status_code == 200 and not valid(body, r.json()):
        cell.errors["wrong answer"] += 1
    elif r.status_code == 200:
        cell.latencies.append(time.perf_counter() - started)
        cell.sentences += n
    else:
        cell.statuses[r.status_code] += 1
    if r.status_code in (429, 503):
        return min(float(r.headers.get("retry-after", 1)), 0.05)  # back off a little, then try again
    return 0.0


def client(url: str, connections: int) -> Any:
    import httpx

    return httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(None),
                             limits=httpx.Limits(max_connections=connections + 4,
                                                 max_keepalive_connections=connections + 4))


async def closed_loop(url: str, texts: Texts, payload: str, clients: int, seconds: float,
                      max_requests: int) -> Cell:
    """``clients`` clients, each sending its next request when its answer comes, for ``seconds``
    (or ``max_requests`` answers); what is still in flight at the end is cut."""
    cell = Cell()
    loop = asyncio.get_running_loop()
    start = loop.time()
    end = start + seconds
    counting = lambda: loop.time() < end and cell.ok < max_requests

    async def one(http: Any) -> None:
        while counting():
            body, n = texts.body(payload)
            pause = await request(http, body, n, cell, counting)
            if pause:
                await asyncio.sleep(pause)

    async with client(url, clients) as http:
        tasks = [asyncio.create_task(one(http)) for _ in range(clients)]
        done = asyncio.gather(*tasks)
        try:
            await asyncio.wait_for(asyncio.shield(done), timeout=seconds)
        except asyncio.TimeoutError:
            pass
        cell.seconds = min(loop.time(), end) - start
        cell.cut = sum(not t.done() for t in tasks)
        for t in tasks:
            t.cancel()  # the client leaves: the server drops what it has not started decoding
        await asyncio.gather(done, return_exceptions=True)
    return cell


async def open_loop(url: str, texts: Texts, rate: float, seconds: float, limit: int = 1024) -> Cell:
    """Requests of one sentence arriving at ``rate`` a second (Poisson), whatever the answers do;
    every answer counted (the last ones are waited for, up to ``4 × seconds``)."""
    cell = Cell()
    rng = random.Random(19)
    loop = asyncio.get_running_loop()
    async with client(url, limit) as http:
        tasks: list[asyncio.Task] = []
        start = loop.time()
        at = start
        while (at := at + rng.expovariate(rate)) < start + seconds:
            await asyncio.sleep(max(0.0, at - loop.time()))
            if sum(not t.done() for t in tasks[-limit:]) >= limit:
                cell.errors["generator saturated"] += 1
                continue
            body, n = texts.body("sentence")
            tasks.append(asyncio.create_task(request(http, body, n, cell, lambda: True)))
        _, pending = await asyncio.wait(tasks, timeout=4 * seconds) if tasks else (set(), set())
        cell.cut = len(pending)
        for t in pending:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        cell.seconds = seconds
    return cell


async def settle(url: str, texts: Texts) -> tuple[float, float]:
    """Wait until the server is idle — one request, answered after all that was queued before it —
    and read how many calls the batcher has made, and for how many requests (``GET /metrics``)."""
    async with client(url, 1) as http:
        body, _ = texts.body("sentence")
        await http.post("/translate", json=body)
        r = await http.get("/metrics")
    found = {}
    for row in r.text.splitlines() if r.status_code == 200 else []:
        name, _, value = row.partition(" ")
        if name in ("translate_batch_requests_count", "translate_batch_requests_sum"):
            found[name] = float(value)
    return found.get("translate_batch_requests_count", 0.0), found.get("translate_batch_requests_sum", 0.0)


# -- the runs -------------------------------------------------------------------------------------------------
def line(label: str, cell: Cell) -> str:
    failed = f"{cell.failed} ({', '.join(f'{k}×{v}' for k, v in (cell.statuses | cell.errors).items())})" \
        if cell.failed else "0"
    per_call = f"{cell.served / cell.calls:5.1f}" if cell.calls > 0 else "  –"
    return (f"| {label} | {cell.ok} | {cell.rps:6.2f} | {cell.sps:6.1f} | {cell.quantile(0.5):6.2f} | "
            f"{cell.quantile(0.99):6.2f} | {per_call} | {cell.cut} | {failed} |")


HEADER = ["| run | answered | req/s | sent./s | p50 s | p99 s | req/call | cut | failed |",
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]


def matrix(args: argparse.Namespace, texts: Texts) -> dict[tuple[str, str, int], Cell]:
    """Every cell with the batcher on and off, interleaved: one server of each, idle while the other
    runs, and each cell's windows alternated (``--rounds``), so that the load of a shared machine
    falls on both alike. Each window starts and ends with its server idle."""
    cells: dict[tuple[str, str, int], Cell] = {}
    with contextlib.ExitStack() as stack:
        servers = {mode: stack.enter_context(Server(batching=mode == "on", max_queue=args.max_queue,
                                                    tokens=args.tokens, beams=args.beams))
                   for mode in args.modes}
        print("\nServer RSS after load: " + ", ".join(f"batcher {m} {s.rss_mb():.0f} MB" for m, s in servers.items()))
        print("\n".join(HEADER), flush=True)
        for payload in args.payloads:
            for clients in args.clients:
                for _ in range(args.rounds):
                    for mode, server in servers.items():
                        calls, served = asyncio.run(settle(server.url, texts))
                        cell = asyncio.run(closed_loop(server.url, texts, payload, clients, args.seconds,
                                                       args.requests))
                        # what was cut finishes before the next window; the settling request is one call
                        calls_after, served_after = asyncio.run(settle(server.url, texts))
                        cell.calls, cell.served = calls_after - calls - 1, served_after - served - 1
                        cells.setdefault((mode, payload, clients), Cell()).add(cell)
                for mode in servers:
                    print(line(f"{payload}, {clients} client{'s' * (clients > 1)}, batcher {mode}",
                               cells[(mode, payload, clients)]), flush=True)
        if "on" in servers and args.open_loop:
            peak = max((c.rps for (m, p, _), c in cells.items() if m == "on" and p == "sentence"), default=0)
            if peak:
                calls, served = asyncio.run(settle(servers["on"].url, texts))
                half = asyncio.run(open_loop(servers["on"].url, texts, peak / 2, args.seconds * args.rounds))
                calls_after, served_after = asyncio.run(settle(servers["on"].url, texts))
                half.calls, half.served = calls_after - calls - 1, served_after - served - 1
                print(line(f"sentence, open loop at {peak / 2:.2f} req/s (half the peak), batcher on", half),
                      flush=True)
                cells[("on", "open", 0)] = half
    return cells


def overload(args: argparse.Namespace, texts: Texts) -> Cell:
    with Server(batching=True, max_queue=args.overload_queue, tokens=args.tokens, beams=args.beams) as server:
        asyncio.run(settle(server.url, texts))
        return asyncio.run(closed_loop(server.url, texts, "sentence", 64, args.seconds, args.requests))


def long_run(args: argparse.Namespace, texts: Texts) -> list[tuple[int, float]]:
    """16 clients of single sentences until 20,000 answers; the server's RSS along the way."""
    marks = [1000, 2000, 5000, 10000, 15000, 20000]
    seen: list[tuple[int, float]] = []
    with Server(batching=True, max_queue=args.max_queue, tokens=args.long_tokens, beams=args.beams) as server:
        async def run() -> None:
            cell = Cell()
            counting = lambda: cell.ok < marks[-1]

            async def one(http: Any) -> None:
                while counting():
                    body, n = texts.body("sentence")
                    await request(http, body, n, cell, counting)
                    if len(seen) < len(marks) and cell.ok >= marks[len(seen)]:
                        seen.append((marks[len(seen)], server.rss_mb()))
                        print(f"  request {seen[-1][0]:>6,}: server RSS {seen[-1][1]:.1f} MB", flush=True)

            async with client(server.url, 16) as http:
                await asyncio.gather(*(one(http) for _ in range(16)))
            if cell.failed:
                print(f"  failed: {cell.failed} ({dict(cell.statuses | cell.errors)})")

        asyncio.run(run())
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run: 1 and 16 clients, 8 s windows, 16 tokens")
    parser.add_argument("--long", action="store_true", help="also the RSS run: 20,000 requests")
    parser.add_argument("--seconds", type=float, help="window of each run (default 30; quick: 8)")
    parser.add_argument("--tokens", type=int, help="output tokens per sentence (default 48; quick: 16)")
    parser.add_argument("--beams", type=int, default=BEAMS, help="beam size (default: the model's, 4)")
    parser.add_argument("--long-tokens", type=int, default=8, help="output tokens per sentence in the RSS run")
    parser.add_argument("--rounds", type=int, help="windows per cell and mode, alternated (default 2; quick: 1)")
    parser.add_argument("--requests", type=int, default=5000, help="answers a window counts at most")
    parser.add_argument("--clients", help="comma-separated client counts (default 1,4,16,64; quick: 1,16)")
    parser.add_argument("--payloads", default=",".join(PAYLOADS), help="comma-separated: " + ", ".join(PAYLOADS))
    parser.add_argument("--modes", default="on,off", help="batcher on, off, or both ('' skips the matrix)")
    parser.add_argument("--max-queue", type=int, default=4096, help="the server's queue bound (sentences)")
    parser.add_argument("--overload-queue", type=int, default=16, help="queue bound of the overload run (0: skip it)")
    parser.add_argument("--no-open-loop", dest="open_loop", action="store_false", help="skip the half-peak run")
    parser.add_argument("--server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-batching", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.seconds = args.seconds or (8.0 if args.quick else 30.0)
    args.rounds = args.rounds or (1 if args.quick else 2)
    args.clients = args.clients or ("1,16" if args.quick else ",".join(map(str, CLIENTS)))
    args.tokens = args.tokens or (16 if args.quick else 48)
    if args.server:
        serve(not args.no_batching, args.max_queue, args.tokens, args.beams)
        return
    if not (MODEL / "model.safetensors").exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--build"], env=ENV, check=True)
    args.clients = [int(c) for c in args.clients.split(",") if c]
    args.payloads = [p for p in args.payloads.split(",") if p]
    args.modes = [m for m in args.modes.split(",") if m]
    texts = Texts()

    print(f"Machine: {machine()}; load average at start {os.getloadavg()[0]:.2f}")
    print(f"Server: random opus-mt-zh-en-shaped model, ctranslate2 int8, {args.tokens} output tokens per sentence "
          f"(forced), beam {args.beams}, batch {BATCH}, {THREADS} threads, no memory, 127.0.0.1; load generator: "
          f"asyncio + httpx in another process on the same cores; {args.rounds} × {args.seconds:g} s windows "
          f"per cell and mode, on and off alternated. "
          f"Payloads: 1 sentence, a paragraph of {PARAGRAPH_SENTENCES}, a list of {BATCH_TEXTS} texts.")
    cells = matrix(args, texts) if args.modes else {}

    print("\nTargets")
    on, off = cells.get(("on", "sentence", 16)), cells.get(("off", "sentence", 16))
    if on and off and off.rps:
        print(f"- 16 clients, one sentence each: batcher on {on.rps:.2f} req/s, off {off.rps:.2f} req/s: "
              f"{on.rps / off.rps:.1f}× (target ≥ 3×)")
    half = cells.get(("on", "open", 0))
    if half and half.ok:
        p50, p99 = half.quantile(0.5), half.quantile(0.99)
        print(f"- at half the peak throughput: p50 {p50:.2f} s, p99 {p99:.2f} s: p99 = {p99 / p50:.1f}× p50 "
              f"(target ≤ 3×)")
    if cells:
        failed = sum(c.failed for c in cells.values())
        print(f"- below the queue bound ({args.max_queue} sentences): {failed} failed requests of "
              f"{sum(c.ok + c.failed for c in cells.values())} (target 0)")
    if args.overload_queue:
        over = overload(args, texts)
        others = sum(n for status, n in over.statuses.items() if status not in (429, 503)) + sum(over.errors.values())
        print(f"- overload, 64 clients against a queue of {args.overload_queue} sentences: {over.ok} answered, "
              f"{dict(over.statuses)} refused, {others} other failures (target: only 429/503)")
    if args.long:
        print(f"\nRSS run: 16 clients, one sentence each, {args.long_tokens} output tokens per sentence")
        seen = long_run(args, texts)
        rss = dict(seen)
        if 1000 in rss and 20000 in rss:
            print(f"- server RSS at request 1,000: {rss[1000]:.1f} MB, at 20,000: {rss[20000]:.1f} MB: "
                  f"{rss[20000] / rss[1000] - 1:+.1%} (target within ±10%)")


if __name__ == "__main__":
    main()
