"""``POST /imme`` — the custom endpoint of Immersive Translate, kiss-translator and DeepLX front-ends —
through the real server (uvicorn on 127.0.0.1, the toy zh→en model): its exact shape, the codes
those apps send, the key as ``?token=`` or ``Authorization: Bearer``, and hostile input."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.serving import Running, serving
from translate.server.errors import ApiError


@pytest.fixture(scope="module")
def server() -> Iterator[Running]:
    with serving() as running:
        yield running


@pytest.fixture(scope="module")
def client(server: Running) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def _error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"] and isinstance(body["error"], str)
    for leak in ("Traceback", "toy-zh-en", ".py", "/tmp"):
        assert leak not in body["error"]
    return body["error"]


def test_the_shape_in_order(client):
    got = client.post("/imme", json={"source_lang": "auto", "target_lang": "EN-US",
                                     "text_list": ["猫狗。", "红花。大树！", "书"]})
    assert got.status_code == 200
    assert got.json() == {"translations": [
        {"detected_source_lang": "ZH", "text": "cat dog."},
        {"detected_source_lang": "ZH", "text": "red flower. big tree!"},
        {"detected_source_lang": "ZH", "text": "book"},
    ]}


def test_immersive_translate_codes_come_back_as_sent(client):
    got = client.post("/imme", json={"source_lang": "zh-CN", "target_lang": "en", "text_list": ["鱼有水。"]}).json()
    assert got == {"translations": [{"detected_source_lang": "zh-CN", "text": "fish have water."}]}
    traditional = client.post("/imme", json={"source_lang": "zh-TW", "target_lang": "en", "text_list": ["猫"]}).json()
    assert traditional == {"translations": [{"detected_source_lang": "zh-TW", "text": "cat"}]}


@pytest.mark.parametrize("source", ["", None, "auto", "AUTO"])
def test_an_empty_or_auto_source_is_detected(client, source):
    body = {"target_lang": "en", "text_list": ["猫狗。", ""]}
    if source is not None:
        body["source_lang"] = source
    got = client.post("/imme", json=body).json()
    assert got == {"translations": [{"detected_source_lang": "zh", "text": "cat dog."},
                                    {"detected_source_lang": "zh", "text": ""}]}


@pytest.mark.parametrize("source, target", [("ZH", "EN"), ("ZH-HANS", "EN-GB"), ("ZH-HANT", "EN-US"), ("zh", "en")])
def test_deepl_codes(client, source, target):
    got = client.post("/imme", json={"source_lang": source, "target_lang": target, "text_list": ["书"]}).json()
    assert got == {"translations": [{"detected_source_lang": source, "text": "book"}]}


def test_an_empty_list_and_scores(client):
    assert client.post("/imme", json={"target_lang": "en", "text_list": []}).json() == {"translations": []}
    scored = client.post("/imme", json={"source_lang": "zh", "target_lang": "en", "text_list": ["猫"],
                                        "scores": True}).json()["translations"][0]
    assert set(scored) == {"detected_source_lang", "text", "score", "sentences"} and isinstance(scored["score"], float)


def test_scores_give_each_sentences_score_as_the_other_apis_do(client):
    got = client.post("/imme", json={"source_lang": "zh", "target_lang": "en", "text_list": ["红花。大树！", ""],
                                     "scores": "true"}).json()["translations"]
    first, empty = got
    assert [(s["source"], s["translation"]) for s in first["sentences"]] == [("红花。", "red flower."),
                                                                             ("大树！", "big tree!")]
    assert all(isinstance(s["score"], float) and s["score"] <= 0 for s in first["sentences"])
    assert first["score"] == pytest.approx(sum(s["score"] for s in first["sentences"]) / 2, abs=0.5)
    assert empty["sentences"] == [] and empty["score"] is None
    libre = client.post("/translate", json={"q": "红花。大树！", "source": "zh", "target": "en", "scores": True}).json()
    assert first["sentences"] == libre["sentences"]
    plain = client.post("/imme", json={"target_lang": "en", "text_list": ["猫"], "scores": "no"}).json()
    assert plain == {"translations": [{"detected_source_lang": "zh", "text": "cat"}]}


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str | None, int]] = []

    def __call__(self, request, *, key, characters=0):
        self.calls.append((key, characters))
        if key == "bad":
            raise ApiError(403, "Invalid API key")


@pytest.fixture
def admitted(server):
    gate = server.app.state.gate
    recorder = Recorder()
    gate.admit = recorder
    yield recorder
    del gate.admit


def test_the_key_from_token_or_bearer(client, admitted):
    body = {"source_lang": "zh", "target_lang": "en", "text_list": ["猫", "猫狗"]}
    client.post("/imme?token=t1", json=body)
    client.post("/imme", json=body, headers={"Authorization": "Bearer t2"})
    client.post("/imme", json=body)
    client.post("/imme", json=body, headers={"Authorization": "Basic xyz"})
    client.post("/imme", json=body, headers={"Authorization": "Bearer"})
    assert admitted.calls == [("t1", 3), ("t2", 3), (None, 3), (None, 3), (None, 3)]
    assert _error(client.post("/imme?token=bad", json=body), 403) == "Invalid API key"
    assert _error(client.post("/imme?token=bad", json={"text_list": {"x": 1}}), 403) == "Invalid API key"


@pytest.mark.parametrize("body, message", [
    ({"target_lang": "en"}, "Invalid request: missing text_list parameter"),
    ({"source_lang": "zh", "text_list": ["猫"]}, "Invalid request: missing target_lang parameter"),
    ({"target_lang": "", "text_list": ["猫"]}, "Invalid request: missing target_lang parameter"),
    ({"target_lang": "DE", "text_list": ["猫"]}, "de is not supported"),
    ({"source_lang": "FR", "target_lang": "EN", "text_list": ["猫"]}, "fr is not supported"),
    ({"target_lang": "en", "text_list": {"a": "b"}}, "Invalid request: text_list must be a list of strings"),
    ({"target_lang": "en", "text_list": ["猫", 5]}, "Invalid request: text_list must be a list of strings"),
    ({"target_lang": "en", "text_list": [["猫"]]}, "Invalid request: text_list must be a list of strings"),
    ({"target_lang": "en", "text_list": [None]}, "Invalid request: text_list must be a list of strings"),
    ({"target_lang": 5, "text_list": ["猫"]}, "Invalid request: target_lang parameter must be a string"),
    ({"source_lang": ["zh"], "target_lang": "en", "text_list": ["猫"]},
     "Invalid request: source_lang parameter must be a string"),
])
def test_refusals(client, body, message):
    assert _error(client.post("/imme", json=body), 400) == message


@pytest.mark.parametrize("code", ["../../etc/passwd", "x" * 10_000, "\u202een", "zh-Hant-XX-YY", "EN US"])
def test_hostile_codes(client, code):
    assert len(_error(client.post("/imme", json={"target_lang": code, "text_list": ["猫"]}), 400)) < 200


def test_hostile_bodies(client):
    json_type = {"Content-Type": "application/json"}
    lone_surrogate = b'{"target_lang": "en", "text_list": ["\\u732b", "\\ud800\\u732b"]}'  # what a model cannot read
    assert _error(client.post("/imme", content=lone_surrogate, headers=json_type), 400) == \
        "Invalid request: text_list must be valid Unicode"
    assert _error(client.post("/imme", content=b""), 400) == "Invalid request: missing text_list parameter"
    assert _error(client.post("/imme", content=b"{\"text_list\": [\"\xff\"]}", headers=json_type), 400)
    assert _error(client.post("/imme", content=b"[" * 50_000, headers=json_type), 400)
    assert _error(client.post("/imme", content=b"{\"text_list\": [\"\xe7\x8c", headers=json_type), 400)
    assert _error(client.post("/imme", content=b"[\"text_list\"]", headers=json_type), 400)
    assert _error(client.post("/imme", content="<x>猫</x>".encode(), headers={"Content-Type": "text/xml"}), 400)
    form = client.post("/imme", data={"target_lang": "en", "text_list": ["猫", "书"]})  # form: the field repeats
    assert form.json() == {"translations": [{"detected_source_lang": "zh", "text": "cat"},
                                            {"detected_source_lang": "zh", "text": "book"}]}


def test_limits():
    with serving(char_limit=10, batch_limit=3, body_limit=2048) as s, httpx.Client(base_url=s.url, timeout=60) as c:
        assert _error(c.post("/imme", json={"target_lang": "en", "text_list": ["猫"] * 4}), 400) == \
            "Invalid request: request (4) exceeds text limit (3)"
        assert _error(c.post("/imme", json={"target_lang": "en", "text_list": ["猫" * 11]}), 400) == \
            "Invalid request: request (11) exceeds text limit (10)"
        assert _error(c.post("/imme", json={"target_lang": "en", "text_list": ["猫" * 10] * 100}), 413)
        assert c.post("/imme", json={"target_lang": "en", "text_list": ["猫" * 10] * 3}).status_code == 200


def test_a_client_that_disconnects_cancels_the_translation(server):
    started, cancelled = threading.Event(), threading.Event()
    service = server.service

    async def never(*args, **kwargs):
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    service.translate_texts = never
    try:
        body = json.dumps({"target_lang": "en", "text_list": ["猫"]}).encode()
        address = urlsplit(server.url)
        with socket.create_connection((address.hostname, address.port)) as sock:
            sock.sendall(b"POST /imme HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            assert started.wait(30)
        assert cancelled.wait(30)
    finally:
        del service.translate_texts


def test_the_real_gate_with_a_key_file(tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("s3cret\n", encoding="utf-8")
    with serving(api_keys=str(keys)) as s, httpx.Client(base_url=s.url, timeout=60) as c:
        assert _error(c.post("/imme", json={"text_list": ["猫"]}), 403)
        assert _error(c.post("/imme?token=wrong", json={"text_list": ["猫"]}), 403) == "Invalid API key"
        for admitted in ({"params": {"token": "s3cret"}}, {"headers": {"Authorization": "Bearer s3cret"}}):
            assert _error(c.post("/imme", json={"text_list": ["猫"]}, **admitted), 400) == \
                "Invalid request: missing target_lang parameter"
