"""Regression tests of a review of ``translate serve``: a routed server refuses pairs it has no
models for (400, in the request's own thread, never a download nor a 500 in the batcher);
per-request decoding merges with the server's; CPU work stays off the event loop; hostile values
(a 400-digit integer, a 1e400-word budget, a client leaving mid-body, 700,000 form fields) are
answered as such; a plain HTML fragment comes back escaped; digests are made a few at a time."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ROOT
from tests.serving import TOY_ZH_EN, serving
from translate import Translator
from translate.options import DecodingOptions

GUARD = 30  # seconds: a bound on each wait below, never a guess at how long something takes


def clean(r: httpx.Response) -> None:
    """No traceback, server path or model name in an answer."""
    assert "Traceback" not in r.text and str(ROOT) not in r.text and "opus-mt" not in r.text, r.text[:300]


def refused(r: httpx.Response, status: int, *words: str, key: str = "error") -> str:
    assert r.status_code == status, (r.status_code, r.text[:300])
    clean(r)
    message = r.json()[key]
    for word in words:
        assert word in message, message
    return message


def until(condition, what: str) -> None:
    """Wait for an observable event (bounded by GUARD, polled)."""
    deadline = time.monotonic() + GUARD
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        threading.Event().wait(0.01)


def count(c: httpx.Client, endpoint: str, status: str) -> float:
    text = c.get("/metrics").text
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == "translate_requests_total" and s.labels == {"endpoint": endpoint, "status": status})


@contextlib.contextmanager
def logged(*names: str) -> Iterator[list[logging.LogRecord]]:
    """Every record of WARNING or above the named loggers emit meanwhile."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.WARNING)
    for name in names:
        logging.getLogger(name).addHandler(handler)
    try:
        yield records
    finally:
        for name in names:
            logging.getLogger(name).removeHandler(handler)


# == 1. a routed server serves the pairs it has models for =====================================================

@pytest.fixture(scope="module")
def routed(tmp_path_factory) -> Iterator[tuple[httpx.Client, object]]:
    """A routed server (no model named, offline): zh→en (and zh-Hant→it, never asked for) through a
    routes file (the toy model); the Hugging Face cache holds folders named for de→en (empty: its
    model is missing) and fr→de."""
    from huggingface_hub import constants

    folder = tmp_path_factory.mktemp("hub")
    for pair in ("de-en", "fr-de"):
        (folder / f"models--Helsinki-NLP--opus-mt-{pair}").mkdir()
    routes = folder / "routes.json"
    routes.write_text(json.dumps({"zh-en": str(TOY_ZH_EN), "zh-Hant-it": str(TOY_ZH_EN)}), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(constants, "HF_HUB_CACHE", str(folder))
        with serving(Translator(offline=True, cache=False, routes=str(routes))) as running, \
                httpx.Client(base_url=running.url, timeout=GUARD) as c:
            yield c, running.service


def test_routed_pairs_are_the_cache_the_routes_file_and_the_default(routed):
    _, service = routed
    assert {(p.source, p.target) for p in service.pairs()} == {("zh", "en"), ("de", "en"), ("fr", "de"),
                                                               ("zh-Hant", "it")}


def test_routed_server_translates_its_pairs_and_passes_the_target_through(routed):
    c, _ = routed
    assert c.post("/translate", json={"q": "中国。", "source": "zh", "target": "en"}).json() == {"translatedText": "car."}
    assert c.post("/translate", json={"q": "中国。", "source": "auto", "target": "en"}).json()["translatedText"] == "car."
    assert c.post("/translate", json={"q": "Hello.", "source": "en", "target": "en"}).json() == \
        {"translatedText": "Hello."}


def test_routed_server_refuses_a_target_no_pair_has(routed):
    c, _ = routed
    refused(c.post("/translate", json={"q": "中国。", "source": "zh", "target": "ja"}), 400, "ja is not supported")
    refused(c.post("/translate", json={"q": "中国。", "source": "auto", "target": "ko"}), 400, "ko is not supported")
    refused(c.post("/v1/translate", json={"text": "中国。", "to": "ja"}), 400, "ja is not supported")
    refused(c.post("/v2/translate", data={"text": "中国。", "target_lang": "JA"}), 400,
            "Value for 'target_lang' not supported.", key="message")


def test_routed_server_refuses_a_source_no_pair_has(routed):
    c, _ = routed
    refused(c.post("/translate", json={"q": "x", "source": "ja", "target": "en"}), 400, "ja is not supported")
    refused(c.post("/v2/translate", data={"text": "x", "source_lang": "JA", "target_lang": "EN"}), 400,
            "Value for 'source_lang' not supported.", key="message")


def test_routed_server_refuses_a_pair_its_models_do_not_join(routed):
    """fr and zh are sources, de a target, but no model (nor a pivot through English) goes zh→de:
    refused before anything is planned — no model is looked for, so none is downloaded."""
    c, _ = routed
    refused(c.post("/translate", json={"q": "中国。", "source": "zh", "target": "de"}), 400,
            "German (de) is not available as a target language from Chinese (zh)")


def test_a_missing_model_is_the_requests_400_not_a_500_in_the_batcher(routed):
    """de→en is listed (its folder is in the cache) but its model is not there: the route is
    planned before the request is queued, so the batcher never sees it."""
    c, _ = routed
    with logged("translate.server") as records:
        for body in ({"q": "Hallo Welt.", "source": "de", "target": "en"},
                     {"q": "Bonjour tout le monde, comment allez-vous aujourd'hui ?", "source": "auto",
                      "target": "en"}):
            before = count(c, "/translate", "500")
            refused(c.post("/translate", json=body), 400, "English (en)")
            assert count(c, "/translate", "500") == before
    assert not [r for r in records if r.levelno >= logging.ERROR], [r.getMessage() for r in records]
    refused(c.post("/v1/translate", json={"text": "Hallo Welt.", "from": "de", "to": "en"}), 400, "from German (de)")


def test_routed_pairs_are_read_again_only_after_their_time_to_live(monkeypatch):
    from translate.server import service as module

    reads: list[int] = []
    now = [1000.0]
    monkeypatch.setattr(module, "cached_pairs", lambda: reads.append(1) or [module.Pair("de", "en")])
    monkeypatch.setattr(module, "monotonic", lambda: now[0])
    service = module.Service(Translator(offline=True, cache=False))
    try:
        first = service.pairs()
        assert service.pairs() == first and len(reads) == 1
        now[0] += module.PAIRS_TTL + 1
        assert service.pairs() == first and len(reads) == 2
    finally:
        service.close()


# == 2. decoding =================================================================================================

def test_request_decoding_is_merged_onto_the_servers():
    from translate.server.api.native import request_decoding

    server = DecodingOptions(num_beams=3, repetition_penalty=1.2)
    assert request_decoding({"max_new_tokens": 20}, server) == \
        DecodingOptions(num_beams=3, max_new_tokens=20, repetition_penalty=1.2)
    assert request_decoding({"num_beams": 1}, server) == DecodingOptions(num_beams=1, repetition_penalty=1.2)
    assert request_decoding({}, server) is None


def test_the_servers_decoding_stays_under_a_requests_own():
    with serving(Translator(str(TOY_ZH_EN), cache=False, num_beams=3)) as running, \
            httpx.Client(base_url=running.url, timeout=GUARD) as c:
        header = c.post("/v1/translate", json={"text": "中国。", "max_new_tokens": 20}).json()["header"]
    assert header["num_beams"] == 3 and header["max_new_tokens"] == 20


def test_memory_contexts_per_decoding_are_bounded(monkeypatch):
    """A server's clients choose decodings (any float): the engine keeps the last 64's contexts."""
    from translate import engine

    made: list[DecodingOptions] = []
    real = engine.memory_context
    monkeypatch.setattr(engine, "memory_context", lambda *a, **k: made.append(a[1]) or real(*a, **k))
    base = Translator(str(TOY_ZH_EN), cache=False)
    twins = [base.for_languages(decoding=DecodingOptions(length_penalty=i / 100)) for i in range(engine.MAX_CONTEXTS + 1)]
    for twin in twins:
        assert twin.memory_context
    assert len(made) == len(twins)
    assert twins[-1].memory_context and len(made) == len(twins)  # the latest is kept
    assert twins[0].memory_context and len(made) == len(twins) + 1  # the oldest was dropped: made again


def test_memory_contexts_from_many_threads():
    base = Translator(str(TOY_ZH_EN), cache=False)
    twins = [base.for_languages(decoding=DecodingOptions(length_penalty=i / 100)) for i in range(300)]
    with ThreadPoolExecutor(8) as pool:
        contexts = list(pool.map(lambda t: t.memory_context, twins * 2))
    assert all(contexts)


# == 3, 4, 5, 6: the toy zh→en server ==============================================================================

@pytest.fixture(scope="module")
def toy() -> Iterator[tuple[httpx.Client, object]]:
    with serving() as running, httpx.Client(base_url=running.url, timeout=GUARD) as c:
        yield c, running


def off_the_loop(calls: list[bool]):
    """A wrapper recording, for each call, whether it ran on the event loop's thread."""
    def wrap(function):
        def run(*args, **kwargs):
            try:
                asyncio.get_running_loop()
                calls.append(True)
            except RuntimeError:
                calls.append(False)
            return function(*args, **kwargs)
        return run
    return wrap


def test_detection_runs_in_a_worker_thread(toy, monkeypatch):
    c, running = toy
    calls: list[bool] = []
    monkeypatch.setattr(running.service, "detect", off_the_loop(calls)(running.service.detect))
    assert c.post("/translate", json={"q": ["中国。", "狗。"], "source": "auto", "target": "en"}).status_code == 200
    assert calls == [False, False]


@pytest.mark.parametrize("fmt,function", [("jsonl", "translation_object"), ("html", "rendered"),
                                          ("text", "rendered")])
def test_v1_rendering_runs_in_a_worker_thread(toy, monkeypatch, fmt, function):
    from translate.server.api import native

    c, _ = toy
    calls: list[bool] = []
    monkeypatch.setattr(native, function, off_the_loop(calls)(getattr(native, function)))
    assert c.post("/v1/translate", json={"text": "中国。", "format": fmt}).status_code == 200
    assert calls == [False]


def test_summarize_rendering_runs_in_a_worker_thread(toy, monkeypatch):
    from summarize import server

    c, _ = toy
    calls: list[bool] = []
    monkeypatch.setattr(server, "render_digests", off_the_loop(calls)(server.render_digests))
    r = c.post("/v1/summarize", json={"text": "中国。车很大。狗看山。", "format": "html", "lengths": ["headline"]})
    assert r.status_code == 200 and calls == [False]


def test_a_400_digit_integer_out_of_range_is_a_400(toy):
    c, _ = toy
    for name, sign in (("num_beams", ""), ("num_beams", "-"), ("repetition_penalty", ""), ("length_penalty", "-")):
        body = f'{{"text": "中", "{name}": {sign}1{"0" * 400}}}'.encode()
        refused(c.post("/v1/translate", content=body, headers={"content-type": "application/json"}), 400,
                f"{name} must be from", "a larger number")


@pytest.mark.parametrize("length", ["1" + "0" * 400 + "w", "1" + "0" * 400, "100001c", "101%"])
def test_a_huge_digest_budget_is_a_400(toy, length):
    c, _ = toy
    refused(c.post("/v1/summarize", json={"text": "中国。车很大。", "lengths": [length]}), 400, "invalid length")


def test_a_budget_up_to_the_bound_is_taken():
    from summarize.lengths import MAX_AMOUNT, parse_length

    assert parse_length(f"{MAX_AMOUNT}w", "words").amount == MAX_AMOUNT
    assert parse_length("100%", "words").amount == 100


@pytest.mark.parametrize("path", ["/translate", "/v1/translate"])
def test_a_client_leaving_mid_body_is_a_quiet_499(toy, path):
    c, running = toy
    host, port = urlsplit(running.url).hostname, urlsplit(running.url).port
    before = count(c, path, "499")
    with logged("translate.server", "uvicorn.error") as records:
        with socket.create_connection((host, port), timeout=GUARD) as s:
            s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Content-Length: 1000\r\n\r\n{\"q\": \"".encode())
        until(lambda: count(c, path, "499") > before, "the request counted as 499")
    assert count(c, path, "500") == 0
    assert not [r for r in records if r.levelno >= logging.ERROR], [r.getMessage() for r in records]


def test_a_form_of_too_many_fields_is_a_400(toy):
    c, _ = toy
    body = "q=%E4%B8%AD%E5%9B%BD&target=en&" + "x=&" * 1500
    refused(c.post("/translate", content=body, headers={"content-type": "application/x-www-form-urlencoded"}), 400,
            "too many fields")


def test_a_form_at_the_batch_limit_is_taken(toy):
    c, _ = toy
    body = "source=zh&target=en&format=text&api_key=&" + "&".join(["q=%E7%8B%97"] * 128)
    r = c.post("/translate", content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and r.json()["translatedText"] == ["dog"] * 128


def test_the_form_field_bound_follows_a_larger_batch_limit():
    with serving(batch_limit=1500) as running, httpx.Client(base_url=running.url, timeout=GUARD) as c:
        body = "source=zh&target=en&" + "&".join(["q=%E7%8B%97"] * 1500)
        r = c.post("/translate", content=body, headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code == 200 and len(r.json()["translatedText"]) == 1500
        refused(c.post("/translate", content=body + "&x=" * 100,
                       headers={"content-type": "application/x-www-form-urlencoded"}), 400, "too many fields")


def test_a_plain_fragment_comes_back_as_escaped_html(toy):
    c, _ = toy
    r = c.post("/translate", json={"q": "a < b & c", "source": "zh", "target": "en", "format": "html"})
    assert r.json() == {"translatedText": "a &lt; b &amp; c"}
    r = c.post("/v2/translate", data={"text": "a < b", "source_lang": "ZH", "target_lang": "EN",
                                      "tag_handling": "html"})
    assert r.json()["translations"][0]["text"] == "a &lt; b"
    r = c.post("/translate", json={"q": "a < b", "source": "zh", "target": "en", "format": "text"})
    assert r.json() == {"translatedText": "a < b"}  # text stays text


# == 7. digests are made a few at a time ================================================================================

def test_digests_are_made_a_few_at_a_time_and_the_rest_refused(toy, monkeypatch):
    from summarize import server
    from translate.server.service import DIGEST_SLOTS, DIGEST_WAITING

    c, running = toy
    slots = running.service.digest_slots
    release, lock = threading.Event(), threading.Lock()
    inside, peak = [0], [0]
    real = server.Summarizer.summarize

    def held(self, document):
        with lock:
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
        try:
            assert release.wait(GUARD)
            return real(self, document)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(server.Summarizer, "summarize", held)

    def digest() -> httpx.Response:
        return httpx.post(running.url + "/v1/summarize", json={"text": "中国。车很大。", "lengths": ["headline"]},
                          timeout=GUARD)

    with ThreadPoolExecutor(DIGEST_SLOTS + DIGEST_WAITING) as pool:
        try:
            pending = [pool.submit(digest) for _ in range(DIGEST_SLOTS + DIGEST_WAITING)]
            until(lambda: inside[0] == DIGEST_SLOTS and slots.waiting == DIGEST_WAITING, "the slots full")
            r = digest()
            refused(r, 503, "busy")
            assert int(r.headers["retry-after"]) >= 1
        finally:
            release.set()
        assert [f.result().status_code for f in pending] == [200] * len(pending)
    assert peak[0] == DIGEST_SLOTS and slots.running == slots.waiting == 0
