"""The batcher of ``translate serve``: requests that wait while the worker decodes are decoded
together in one call, each gets exactly its own translations back, a client that left is never
decoded, a full queue pushes back, closing drains then refuses, a failing call fails only its
requests, translators are never mixed, and nothing grows with the number of requests served.

No wall-clock waits: a scripted translator records the calls it gets and holds them on an event
the test releases; the end-to-end tests wrap the toy model's ``translate_documents`` the same way
and watch the batcher's public ``depth``/``waiting`` and the server's metrics.
"""

from __future__ import annotations

import gc
import json
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from tests.serving import TOY_ZH_EN, serving
from tests.toy.train_toy import reference
from translate.document import Paragraph, Sentence, TranslatedParagraph
from translate.server import batcher as batcher_module
from translate.server.batcher import Batcher
from translate.server.errors import ApiError, QueueFull
from translate.server.metrics import Metrics

BOUND = 10.0  # seconds: only ever a bound on a failing test, never a wait the behaviour relies on


# -- helpers -------------------------------------------------------------------------------------------
def paragraph(text: str, index: int = 0) -> Paragraph:
    """One paragraph; each sentence ends with 。 (so ``a。b。`` has two)."""
    parts = [p + "。" for p in text.split("。") if p] or [text]
    at, sentences = 0, []
    for i, part in enumerate(parts):
        sentences.append(Sentence(i, part, at, at + len(part)))
        at += len(part)
    return Paragraph(index, text, "body", index + 1, tuple(sentences))


def doc(*texts: str) -> list[Paragraph]:
    return [paragraph(text, i) for i, text in enumerate(texts)]


class Gate:
    """Records each call's documents (their paragraphs' texts) and, while held, keeps the call
    waiting until released."""

    def __init__(self) -> None:
        self.calls: list[list[list[str]]] = []
        self.entered = threading.Event()
        self.open = threading.Event()
        self.open.set()

    def hold(self) -> None:
        self.open.clear()
        self.entered.clear()

    def release(self) -> None:
        self.open.set()

    def __call__(self, documents: Sequence[Sequence[Paragraph]]) -> None:
        self.calls.append([[p.text for p in d] for d in documents])
        self.entered.set()
        assert self.open.wait(BOUND), "the test never released the call"

    def wait_entered(self) -> None:
        assert self.entered.wait(BOUND), "the worker never called the translator"

    def wrap(self, translate: Callable[..., Any]) -> Callable[..., Any]:
        def gated(documents: Sequence[Sequence[Paragraph]], *args: Any, **kwargs: Any) -> Any:
            self(documents)
            return translate(documents, *args, **kwargs)
        return gated


class Scripted:
    """A translator that answers each paragraph ``name:text``, through a :class:`Gate`; it raises
    on a paragraph that contains ``fail_on``."""

    def __init__(self, name: str = "t", batch_size: int = 16, fail_on: str | None = None) -> None:
        self.name, self.fail_on = name, fail_on
        self.pipeline = SimpleNamespace(batch_size=batch_size)
        self.gate = Gate()
        self.maskers: list[Any] = []

    @property
    def calls(self) -> list[list[list[str]]]:
        return self.gate.calls

    def translate_documents(self, documents: Sequence[Sequence[Paragraph]], masker: Any = None,
                            ) -> list[list[TranslatedParagraph]]:
        self.gate(documents)
        self.maskers.append(masker)
        if self.fail_on and any(self.fail_on in p.text for d in documents for p in d):
            raise RuntimeError(f"{self.name} cannot translate {self.fail_on}")
        return [[TranslatedParagraph(p.index, p.kind, p.text, f"{self.name}:{p.text}", ())
                 for p in d] for d in documents]


def texts(result: list[list[TranslatedParagraph]]) -> list[list[str]]:
    return [[p.translation for p in d] for d in result]


@pytest.fixture
def batcher() -> Iterator[Batcher]:
    b = Batcher(metrics=Metrics())
    yield b
    b.close(BOUND)


def sample(metrics: Metrics, name: str, labels: dict[str, str] | None = None) -> float:
    return metrics.registry.get_sample_value(name, labels or {}) or 0.0


def until(condition: Callable[[], bool], what: str) -> None:
    """Poll an observable condition (server state the test cannot be told of directly)."""
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        threading.Event().wait(0.002)


# -- the batcher alone ----------------------------------------------------------------------------------
def test_requests_that_wait_while_the_worker_is_busy_are_decoded_in_one_call(batcher):
    t = Scripted()
    t.gate.hold()
    first = batcher.submit(t, [doc("a。")])
    t.gate.wait_entered()
    waiting = [batcher.submit(t, [doc(f"{k}。")]) for k in "bcdef"]
    assert batcher.depth == 5 and batcher.waiting == 5
    t.gate.release()
    assert texts(first.result(BOUND)) == [["t:a。"]]
    assert [texts(f.result(BOUND)) for f in waiting] == [[[f"t:{k}。"]] for k in "bcdef"]
    assert t.calls == [[["a。"]], [["b。"], ["c。"], ["d。"], ["e。"], ["f。"]]]
    m = batcher.metrics
    assert sample(m, "translate_batch_requests_count") == 2
    assert sample(m, "translate_batch_requests_sum") == 6
    assert sample(m, "translate_batch_sentences_sum") == 6
    assert batcher.depth == 0 and batcher.waiting == 0


def test_each_request_gets_exactly_its_own_documents_back_in_order(batcher):
    t = Scripted()
    t.gate.hold()
    batcher.submit(t, [doc("x。")])
    t.gate.wait_entered()
    jobs = {k: [doc(*(f"r{k}d{d}p{p}。" for p in range(k % 3 + 1))) for d in range(k % 4)] for k in range(30)}
    futures = {k: batcher.submit(t, documents) for k, documents in jobs.items()}
    t.gate.release()
    for k, documents in jobs.items():
        assert texts(futures[k].result(BOUND)) == [[f"t:{p.text}" for p in d] for d in documents]
    assert len(t.calls) >= 2 and max(len(call) for call in t.calls) > 1  # several requests per call


def test_a_request_cancelled_while_it_waits_is_never_decoded(batcher):
    t = Scripted()
    t.gate.hold()
    first = batcher.submit(t, [doc("a。")])
    t.gate.wait_entered()
    gone = batcher.submit(t, [doc("gone。一。二。")])
    kept = batcher.submit(t, [doc("kept。")])
    assert batcher.depth == 4
    assert gone.cancel()
    assert batcher.depth == 1 and batcher.waiting == 1  # it leaves the queue at once
    assert sample(batcher.metrics, "translate_dropped_requests_total") == 1
    assert sample(batcher.metrics, "translate_queue_sentences") == 1
    t.gate.release()
    first.result(BOUND)
    assert texts(kept.result(BOUND)) == [["t:kept。"]]
    assert all("gone" not in text for call in t.calls for d in call for text in d)
    assert sample(batcher.metrics, "translate_dropped_requests_total") == 1


def test_a_full_queue_refuses_at_once_with_a_retry_hint():
    b = Batcher(max_queue=3)
    t = Scripted()
    try:
        t.gate.hold()
        running = b.submit(t, [doc("a。")])
        t.gate.wait_entered()  # taken: no longer waiting, not counted
        queued = [b.submit(t, [doc("b。c。")]), b.submit(t, [doc("d。")])]
        assert b.depth == 3
        with pytest.raises(QueueFull) as refused:
            b.submit(t, [doc("e。")])
        assert refused.value.status == 503 and refused.value.retry_after >= 1
        assert b.depth == 3 and b.waiting == 2  # the refused request left nothing behind
        b.submit(t, [])  # nothing to translate always fits
        t.gate.release()
        running.result(BOUND)
        for f in queued:
            f.result(BOUND)
        # a request larger than the whole bound is still taken when nothing waits: never refused forever
        assert texts(b.submit(t, [doc("一。二。三。四。五。")]).result(BOUND)) == [["t:一。二。三。四。五。"]]
    finally:
        t.gate.release()
        b.close(BOUND)


def test_max_queue_zero_means_no_bound():
    b = Batcher(max_queue=0)
    t = Scripted()
    try:
        t.gate.hold()
        b.submit(t, [doc("a。")])
        t.gate.wait_entered()
        many = [b.submit(t, [doc("b。")]) for _ in range(500)]
        assert b.depth == 500
        t.gate.release()
        assert all(texts(f.result(BOUND)) == [["t:b。"]] for f in many)
    finally:
        t.gate.release()
        b.close(BOUND)


def test_close_finishes_the_queued_work_then_refuses_new_work():
    b = Batcher()
    t = Scripted()
    t.gate.hold()
    first = b.submit(t, [doc("a。")])
    t.gate.wait_entered()
    queued = [b.submit(t, [doc("b。")]), b.submit(t, [doc("c。")])]
    closing = threading.Thread(target=b.close, args=(BOUND,))
    closing.start()

    def closed() -> bool:  # an empty request adds no document to any call
        try:
            b.submit(t, [])
        except ApiError as exc:
            assert exc.status == 503 and exc.retry_after
            return True
        return False

    until(closed, "close() refuses new work")
    t.gate.release()
    closing.join(BOUND)
    assert not closing.is_alive()
    assert texts(first.result(0)) == [["t:a。"]]
    assert [texts(f.result(0)) for f in queued] == [[["t:b。"]], [["t:c。"]]]  # drained before close returned
    assert t.calls == [[["a。"]], [["b。"], ["c。"]]]


def test_close_refuses_what_its_timeout_leaves_undone():
    b = Batcher()
    t = Scripted()
    t.gate.hold()
    first = b.submit(t, [doc("a。")])
    t.gate.wait_entered()
    queued = [b.submit(t, [doc("b。")]), b.submit(t, [doc("c。")])]
    b.close(0)  # the worker is held: nothing more can be done in time
    for f in queued:
        with pytest.raises(ApiError) as refused:
            f.result(0)
        assert refused.value.status == 503
    assert b.depth == 0 and b.waiting == 0
    t.gate.release()
    assert texts(first.result(BOUND)) == [["t:a。"]]  # what was being decoded still finishes
    assert t.calls == [[["a。"]]]
    b.close(BOUND)  # twice is harmless


def test_a_failing_call_fails_only_its_requests_and_the_worker_keeps_serving(batcher):
    t = Scripted(fail_on="boom")
    t.gate.hold()
    first = batcher.submit(t, [doc("a。")])
    t.gate.wait_entered()
    bad = batcher.submit(t, [doc("boom。")])
    good = batcher.submit(t, [doc("c。")])
    t.gate.release()
    assert texts(first.result(BOUND)) == [["t:a。"]]
    with pytest.raises(RuntimeError, match="boom"):
        bad.result(BOUND)
    assert texts(good.result(BOUND)) == [["t:c。"]]  # shared the failed call, answered alone
    assert t.calls == [[["a。"]], [["boom。"], ["c。"]], [["boom。"]], [["c。"]]]
    assert texts(batcher.submit(t, [doc("d。")]).result(BOUND)) == [["t:d。"]]


def test_a_translator_that_always_fails_or_misbehaves_never_stops_the_worker(batcher):
    class Broken(Scripted):
        def translate_documents(self, documents, masker=None):
            raise MemoryError("out of memory")

    class Short(Scripted):
        def translate_documents(self, documents, masker=None):
            return super().translate_documents(documents, masker)[:-1]

    class NoPipeline:  # no ``pipeline``: the batcher's batch size is its default
        def translate_documents(self, documents, masker=None):
            return [[] for _ in documents]

    with pytest.raises(MemoryError):
        batcher.submit(Broken(), [doc("a。")]).result(BOUND)
    with pytest.raises(RuntimeError, match="returned 1 documents for 2"):
        batcher.submit(Short(), [doc("a。"), doc("b。")]).result(BOUND)
    assert batcher.submit(NoPipeline(), [doc("a。")]).result(BOUND) == [[]]
    assert texts(batcher.submit(Scripted(), [doc("ok。")]).result(BOUND)) == [["t:ok。"]]


def test_batching_off_translates_one_document_per_call():
    b = Batcher(batching=False)
    t = Scripted()
    try:
        t.gate.hold()
        first = b.submit(t, [doc("a1。"), doc("a2。")])
        t.gate.wait_entered()
        rest = [b.submit(t, [doc("b。")]), b.submit(t, [doc("c。")])]
        t.gate.release()
        assert texts(first.result(BOUND)) == [["t:a1。"], ["t:a2。"]]
        assert [texts(f.result(BOUND)) for f in rest] == [[["t:b。"]], [["t:c。"]]]
        assert t.calls == [[["a1。"]], [["a2。"]], [["b。"]], [["c。"]]]
        assert sample(b.metrics, "translate_batch_requests_sum") == 3  # one request a call
    finally:
        t.gate.release()
        b.close(BOUND)


def test_different_translators_or_maskers_are_never_mixed_in_one_call(batcher):
    zh, ja = Scripted("zh"), Scripted("ja")
    zh.gate.hold()
    first = batcher.submit(zh, [doc("a。")])
    zh.gate.wait_entered()
    html = object()
    futures = [batcher.submit(ja, [doc("b。")]), batcher.submit(zh, [doc("c。")]),
               batcher.submit(ja, [doc("d。")]), batcher.submit(zh, [doc("e。")], masker=html),
               batcher.submit(zh, [doc("f。")])]
    zh.gate.release()
    first.result(BOUND)
    assert [texts(f.result(BOUND)) for f in futures] == [
        [["ja:b。"]], [["zh:c。"]], [["ja:d。"]], [["zh:e。"]], [["zh:f。"]]]
    assert ja.calls == [[["b。"], ["d。"]]]
    assert zh.calls == [[["a。"]], [["c。"], ["f。"]], [["e。"]]]
    assert zh.maskers == [None, None, html]


def test_a_call_takes_a_few_batches_at_most(batcher):
    t = Scripted(batch_size=4)
    t.gate.hold()
    batcher.submit(t, [doc("x。")])
    t.gate.wait_entered()
    futures = [batcher.submit(t, [doc(f"{k}。")]) for k in range(40)]
    t.gate.release()
    for f in futures:
        f.result(BOUND)
    assert [len(call) for call in t.calls] == [1, 16, 16, 8]  # 4 batches of 4 sentences a call


def test_twenty_thousand_requests_leave_nothing_behind():
    b = Batcher(wait=0, metrics=Metrics())
    t = Scripted()
    one = [doc("a。")]

    def serve(n: int) -> None:
        for start in range(0, n, 500):
            futures = [b.submit(t, one) for _ in range(min(500, n - start))]
            for f in futures:
                f.result(BOUND)
            t.calls.clear()

    def held() -> int:
        gc.collect()
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(True, batcher_module.__file__, all_frames=True),
             tracemalloc.Filter(False, __file__)])  # the scripted translator's own records
        return sum(stat.size for stat in snapshot.statistics("filename"))

    tracemalloc.start(4)
    try:
        serve(1000)
        before = held()
        serve(19000)
        after = held()
    finally:
        tracemalloc.stop()
        b.close(BOUND)
    assert b.depth == 0 and b.waiting == 0
    assert after - before < 4096, (before, after)
    assert sample(b.metrics, "translate_batch_requests_sum") == 20000



def test_clients_answered_by_the_last_call_are_waited_for_and_decoded_with_the_rest(monkeypatch):
    """Closed-loop clients (each sends its next request on its answer) would otherwise split into
    two halves that take turns; the wait for them is bounded (here: made long, so the test needs
    no clock)."""
    monkeypatch.setattr(batcher_module, "REGROUP_SHARE", 1e9)
    monkeypatch.setattr(batcher_module, "REGROUP_WAITS", 1e9)
    b = Batcher(wait=1e-6)  # no time to fill a batch: only the wait for the answered clients joins them
    t = Scripted()
    try:
        t.gate.hold()
        first = b.submit(t, [doc("a。")])
        t.gate.wait_entered()
        other = b.submit(t, [doc("b。")])  # in flight with it: 2 requests
        t.gate.release()
        first.result(BOUND)
        again = b.submit(t, [doc("a2。")])  # the answered client's next request
        assert texts(other.result(BOUND)) == [["t:b。"]] and texts(again.result(BOUND)) == [["t:a2。"]]
        assert t.calls == [[["a。"]], [["b。"], ["a2。"]]]
    finally:
        t.gate.release()
        b.close(BOUND)


def test_hostile_shapes_a_huge_request_many_empty_documents_or_nothing(batcher):
    t = Scripted()
    many = [doc(f"{k}。") for k in range(5000)]  # far over a call's budget: taken alone, in one call
    assert texts(batcher.submit(t, many).result(BOUND)) == [[f"t:{k}。"] for k in range(5000)]
    assert batcher.submit(t, [[] for _ in range(1000)]).result(BOUND) == [[] for _ in range(1000)]
    assert batcher.submit(t, []).result(BOUND) == []
    assert batcher.depth == 0 and batcher.waiting == 0


def test_answered_requests_are_freed_at_once_not_by_the_garbage_collector():
    b = Batcher(wait=0)
    t = Scripted()
    try:
        b.submit(t, [doc("warm。")]).result(BOUND)
        gc.collect()
        gc.disable()
        try:
            for k in range(200):
                future = b.submit(t, [doc(f"{k}。")])
                if k % 2:
                    future.result(BOUND)
                else:
                    future.cancel()
            b.submit(t, [doc("last。")]).result(BOUND)
            cycles = gc.collect()
        finally:
            gc.enable()
    finally:
        b.close(BOUND)
    assert cycles == 0

# -- through the server, with the toy model ---------------------------------------------------------------
SENTENCES = ["猫看狗。", "红花有水。", "大山。", "小鸟看海！", "三书。", "一二三四。", "树有花？", "狗有大车。"]


@pytest.fixture
def gated() -> Iterator[tuple[Any, Gate]]:
    """The toy translator, its ``translate_documents`` behind a :class:`Gate`."""
    from translate import Translator

    translator = Translator(str(TOY_ZH_EN), cache=False)
    gate = Gate()
    translator.translate_documents = gate.wrap(translator.translate_documents)  # type: ignore[method-assign]
    yield translator, gate
    gate.release()


def post(url: str, q: Any) -> httpx.Response:
    return httpx.post(f"{url}/translate", json={"q": q, "source": "zh", "target": "en"}, timeout=BOUND * 3)


def test_the_server_decodes_concurrent_requests_together_and_answers_each_its_own(gated):
    translator, gate = gated
    payloads: list[Any] = [SENTENCES[k % len(SENTENCES)] * (k // len(SENTENCES) + 1) for k in range(12)]
    payloads += [[SENTENCES[k], SENTENCES[k + 1]] for k in range(6)]
    expected = [" ".join([reference(SENTENCES[k % len(SENTENCES)])] * (k // len(SENTENCES) + 1)) for k in range(12)]
    expected += [[reference(SENTENCES[k]), reference(SENTENCES[k + 1])] for k in range(6)]
    with serving(translator=translator) as s, ThreadPoolExecutor(len(payloads) + 1) as pool:
        alone = [post(s.url, q).json()["translatedText"] for q in payloads]  # each, the only one in flight
        calls_alone = len(gate.calls)
        gate.hold()
        first = pool.submit(post, s.url, "鱼。")
        gate.wait_entered()
        futures = [pool.submit(post, s.url, q) for q in payloads]
        until(lambda: s.service.batcher.waiting == len(payloads), "every request is queued")
        gate.release()
        assert first.result().json() == {"translatedText": "fish."}
        together = [f.result() for f in futures]
        assert [r.status_code for r in together] == [200] * len(payloads)
        assert [r.json()["translatedText"] for r in together] == alone
        m = s.service.metrics
        assert len(gate.calls) == calls_alone + 2  # the 18 waiting requests: one call
        assert sample(m, "translate_batch_requests_count") == len(payloads) + 2
        assert sample(m, "translate_batch_requests_sum") == 2 * len(payloads) + 1
        assert sample(m, "translate_batch_requests_bucket", {"le": "32.0"}) - \
            sample(m, "translate_batch_requests_bucket", {"le": "16.0"}) == 1
    assert alone == expected  # and each is the toy model's exact answer


def test_a_full_queue_answers_503_with_retry_after(gated):
    translator, gate = gated
    with serving(translator=translator, max_queue=2) as s, ThreadPoolExecutor(4) as pool:
        gate.hold()
        first = pool.submit(post, s.url, "鱼。")
        gate.wait_entered()
        queued = pool.submit(post, s.url, ["猫。", "狗。"])
        until(lambda: s.service.batcher.depth == 2, "the second request is queued")
        refused = post(s.url, "花。")
        assert refused.status_code == 503
        assert int(refused.headers["retry-after"]) >= 1
        assert set(refused.json()) == {"error"} and "busy" in refused.json()["error"]
        gate.release()
        assert first.result().json() == {"translatedText": "fish."}
        assert queued.result().json() == {"translatedText": ["cat.", "dog."]}
        assert post(s.url, "花。").json() == {"translatedText": "flower."}  # room again


def test_a_client_that_disconnects_is_dropped_before_it_is_decoded(gated):
    translator, gate = gated
    with serving(translator=translator) as s, ThreadPoolExecutor(2) as pool:
        m = s.service.metrics
        gate.hold()
        first = pool.submit(post, s.url, "鱼。")
        gate.wait_entered()
        body = json.dumps({"q": "海有船。", "source": "zh", "target": "en"}).encode()
        host, port = s.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=BOUND) as raw:
            raw.sendall(b"POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            until(lambda: s.service.batcher.waiting == 1, "the raw request is queued")
        until(lambda: sample(m, "translate_dropped_requests_total") == 1, "the server sees the client leave")
        assert s.service.batcher.waiting == 0 and s.service.batcher.depth == 0
        truncated = json.dumps({"q": "山有鸟。", "source": "zh", "target": "en"}).encode()
        with socket.create_connection((host, int(port)), timeout=BOUND) as raw:  # leaves mid-body
            raw.sendall(b"POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (len(truncated), truncated[:10]))
        gate.release()
        assert first.result().json() == {"translatedText": "fish."}
        assert post(s.url, "猫。").json() == {"translatedText": "cat."}
        assert all("海有船" not in text and "山有鸟" not in text for call in gate.calls for d in call for text in d)
        assert sample(m, "translate_dropped_requests_total") == 1
