"""The DeepL-compatible API of ``translate serve`` (/v2/translate, /v2/languages, /v2/usage), through
the real server on 127.0.0.1 with the toy zh→en model: DeepL's exact shapes, the official ``deepl``
client pointed at it (``server_url``), form and JSON bodies, and hostile requests."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.serving import serving

deepl = pytest.importorskip("deepl")

LIMITS = {"char_limit": 200, "batch_limit": 8, "body_limit": 64 << 10}


@pytest.fixture(scope="module")
def server():
    with serving(**LIMITS) as s:
        yield s


@pytest.fixture()
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.fixture(autouse=True)
def no_retries(monkeypatch):
    """The official client retries 429 and 5xx for seconds; a failing test should fail at once. Its
    10 s read timeout is too short for a first request on a busy machine (the model loads then)."""
    monkeypatch.setattr(deepl.http_client, "max_network_retries", 0)
    monkeypatch.setattr(deepl.http_client, "min_connection_timeout", 120.0)


@pytest.fixture()
def translator(server):
    t = deepl.Translator("any-key", server_url=server.url)
    yield t
    t.close()


class RecordingGate:
    """Stands in for the app's gate: records what the endpoints pass (admit: the key and the
    characters; charge: the characters taken later), refuses when told to."""

    def __init__(self, refuse: Exception | None = None) -> None:
        self.calls: list[tuple[str | None, int]] = []
        self.charged: list[tuple[str | None, int]] = []
        self.refuse = refuse

    def admit(self, request, *, key=None, characters=0):
        self.calls.append((key, characters))
        if self.refuse:
            raise self.refuse

    def charge(self, request, *, key, characters):
        self.charged.append((key, characters))

    def caller(self, request, key):
        return f"the caller of {key}"  # keys apart, even with keys off: /v2/usage must ask the gate who


@pytest.fixture()
def gate(server):
    def install(refuse: Exception | None = None) -> RecordingGate:
        fake = RecordingGate(refuse)
        server.app.state.gate = fake
        return fake

    real = server.app.state.gate
    yield install
    server.app.state.gate = real


def assert_error(response: httpx.Response, status: int, message: str | None = None) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["message"], body
    assert isinstance(body["message"], str) and body["message"]
    for leak in ("Traceback", "/work", ".py", "toy-zh-en", "safetensors"):
        assert leak not in body["message"]
    if message is not None:
        assert body["message"] == message
    return body["message"]


# -- shapes ---------------------------------------------------------------------------------------------
def test_json_body_exact_shape_with_detection(client):
    r = client.post("/v2/translate", json={"text": ["中国", "猫狗"], "target_lang": "EN-US"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"translations": [{"detected_source_language": "ZH", "text": "car"},
                                         {"detected_source_language": "ZH", "text": "cat dog"}]}


def test_billed_characters_when_asked_as_deepl_does(client):
    r = client.post("/v2/translate", json={"text": ["中国", "猫"], "source_lang": "ZH", "target_lang": "EN-GB",
                                          "show_billed_characters": True})
    assert r.json() == {"translations": [
        {"detected_source_language": "ZH", "text": "car", "billed_characters": 2},
        {"detected_source_language": "ZH", "text": "cat", "billed_characters": 1}]}


def test_form_body_repeated_text_and_form_flags(client):
    r = client.post("/v2/translate", data={"text": ["中国", "鱼"], "target_lang": "en-us", "source_lang": "zh",
                                          "show_billed_characters": "1", "preserve_formatting": "0",
                                          "split_sentences": "nonewlines"})
    assert r.json() == {"translations": [
        {"detected_source_language": "ZH", "text": "car", "billed_characters": 2},
        {"detected_source_language": "ZH", "text": "fish", "billed_characters": 1}]}


def test_form_body_with_one_text(client):
    r = client.post("/v2/translate", content="text=%E7%8C%AB&target_lang=EN-US",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.json() == {"translations": [{"detected_source_language": "ZH", "text": "cat"}]}


@pytest.mark.parametrize("target", ["EN-US", "EN-GB", "EN", "en", "en-gb"])
def test_english_targets_all_mean_english(client, target):
    r = client.post("/v2/translate", json={"text": ["狗"], "target_lang": target})
    assert r.json()["translations"][0]["text"] == "dog"


def test_empty_text_is_translated_to_empty(client):
    r = client.post("/v2/translate", json={"text": [""], "target_lang": "EN-US", "show_billed_characters": True})
    assert r.json() == {"translations": [{"detected_source_language": "ZH", "text": "", "billed_characters": 0}]}


def test_scores_only_when_asked(client):
    plain = client.post("/v2/translate", json={"text": ["中国"], "target_lang": "EN-US"}).json()
    assert set(plain["translations"][0]) == {"detected_source_language", "text"}
    for flag in ({"show_scores": True}, {"scores": "1"}):
        item = client.post("/v2/translate", json={"text": ["中国"], "target_lang": "EN-US", **flag}).json()["translations"][0]
        assert item["text"] == "car" and isinstance(item["score"], float) and item["score"] <= 0
        assert item["sentences"] == [{"source": "中国", "translation": "car", "score": pytest.approx(item["score"], abs=1e-3)}]


def test_html_is_billed_for_its_text_only(client):
    r = client.post("/v2/translate", json={"text": ['<p class="x">猫 <b>狗</b></p>'], "target_lang": "EN-US",
                                          "tag_handling": "html", "show_billed_characters": True})
    item = r.json()["translations"][0]
    assert item["billed_characters"] == 3  # 猫, a space, 狗
    assert "cat" in item["text"] and "dog" in item["text"]


def test_languages_shapes(client):
    assert client.get("/v2/languages").json() == [{"language": "ZH", "name": "Chinese"}]
    assert client.get("/v2/languages", params={"type": "source"}).json() == [{"language": "ZH", "name": "Chinese"}]
    target = [{"language": "EN-GB", "name": "English (British)", "supports_formality": False},
              {"language": "EN-US", "name": "English (American)", "supports_formality": False}]
    assert client.get("/v2/languages", params={"type": "target"}).json() == target
    assert client.post("/v2/languages", data={"type": "target"}).json() == target
    assert client.post("/v2/languages", json={"type": "target"}).json() == target
    assert_error(client.get("/v2/languages", params={"type": "both"}), 400,
                 "Parameter 'type' is invalid. 'source' and 'target' are valid values.")


def test_openapi_lists_the_deepl_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v2/translate", "/v2/languages", "/v2/usage"} <= set(paths)


# -- the official client ----------------------------------------------------------------------------------
def test_official_client_translates(translator):
    one = translator.translate_text("中国", target_lang="EN-US")
    assert (one.text, one.detected_source_lang, one.billed_characters) == ("car", "ZH", 2)
    many = translator.translate_text(["猫", "鸟，鱼。"], source_lang="ZH", target_lang="EN-US")
    assert [(r.text, r.detected_source_lang, r.billed_characters) for r in many] == \
        [("cat", "ZH", 1), ("bird, fish.", "ZH", 4)]
    html = translator.translate_text("<p>猫 <b>狗</b></p>", target_lang="EN-US", tag_handling="html")
    assert "cat" in html.text and "dog" in html.text and html.billed_characters == 3


def test_official_client_ignored_options_pass(translator):
    r = translator.translate_text("猫", target_lang="EN-US", context="动物", split_sentences="0",
                                  preserve_formatting=True, formality="prefer_less", outline_detection=False,
                                  model_type="latency_optimized", ignore_tags=["code"])
    assert r.text == "cat"


def test_official_deepl_client_class(server):
    client = deepl.DeepLClient("any-key", server_url=server.url)
    try:
        assert client.translate_text("狗", target_lang="EN-GB").text == "dog"
    finally:
        client.close()


def test_official_client_languages(translator):
    sources = translator.get_source_languages()
    assert [(s.code, s.name) for s in sources] == [("ZH", "Chinese")]
    targets = translator.get_target_languages()
    assert [(t.code, t.name, t.supports_formality) for t in targets] == \
        [("EN-GB", "English (British)", False), ("EN-US", "English (American)", False)]


def test_official_client_usage_counts_characters():
    with serving() as s:
        t = deepl.Translator("any-key", server_url=s.url)
        try:
            assert (t.get_usage().character.count, t.get_usage().character.limit) == (0, 10**12)
            t.translate_text(["中国", "猫"], target_lang="EN-US")
            usage = t.get_usage()
            assert (usage.character.count, usage.character.limit) == (3, 10**12)
            assert not usage.any_limit_reached
        finally:
            t.close()


def test_usage_with_a_per_minute_limit_is_that_minute():
    with serving(char_limit_per_minute=1000) as s, httpx.Client(base_url=s.url, timeout=60) as c:
        assert c.get("/v2/usage").json() == {"character_count": 0, "character_limit": 1000}
        c.post("/v2/translate", json={"text": ["猫狗鱼"], "target_lang": "EN-US"})
        assert c.post("/v2/usage").json() == {"character_count": 3, "character_limit": 1000}


def test_official_client_errors(translator):
    with pytest.raises(deepl.DeepLException, match="Value for 'target_lang' not supported"):
        translator.translate_text("猫", target_lang="DE")
    with pytest.raises(deepl.DeepLException, match="Value for 'source_lang' not supported"):
        translator.translate_text("猫", source_lang="FR", target_lang="EN-US")
    with pytest.raises(deepl.DeepLException, match="'formality' is not supported for given 'target_lang'"):
        translator.translate_text("猫", target_lang="EN-US", formality="more")
    with pytest.raises(deepl.DeepLException, match="Glossary not found"):
        translator.translate_text("猫", source_lang="ZH", target_lang="EN-US", glossary="abc")


# -- keys ----------------------------------------------------------------------------------------------
def test_keys_reach_the_gate(client, gate):
    seen = gate()
    client.post("/v2/translate", json={"text": ["中国", "猫"], "target_lang": "EN-US"},
                headers={"Authorization": "DeepL-Auth-Key secret-1"})
    client.post("/v2/translate", data={"text": "猫", "target_lang": "EN-US", "auth_key": "secret-2"})
    client.post("/v2/translate", json={"text": ["<b>猫</b>"], "target_lang": "EN-US", "tag_handling": "html"},
                headers={"Authorization": "Bearer not-deepl"})
    client.get("/v2/languages", headers={"Authorization": "deepl-auth-key  secret-3"})
    client.get("/v2/usage", params={"auth_key": "secret-4"})
    assert seen.calls == [("secret-1", 0), ("secret-2", 0), (None, 0), ("secret-3", 0), ("secret-4", 0)]
    assert seen.charged == [("secret-1", 3), ("secret-2", 1), (None, 1)]  # once the request is read and checked


def test_refused_key_is_403_in_deepls_shape(server, client, gate):
    from translate.server.errors import ApiError

    gate(ApiError(403, "Invalid API key"))
    assert_error(client.post("/v2/translate", json={"text": ["猫"], "target_lang": "EN-US"}), 403)
    t = deepl.Translator("wrong-key", server_url=server.url)
    try:
        with pytest.raises(deepl.AuthorizationException):
            t.translate_text("猫", target_lang="EN-US")
        with pytest.raises(deepl.AuthorizationException):
            t.get_usage()
    finally:
        t.close()


def test_too_many_requests_is_429_with_retry_after(client, gate):
    from translate.server.errors import ApiError

    gate(ApiError(429, "Too many requests", retry_after=7))
    r = client.post("/v2/translate", json={"text": ["猫"], "target_lang": "EN-US"})
    assert_error(r, 429)
    assert r.headers["retry-after"] == "7"


def test_a_refused_request_is_not_counted():
    from translate.server.errors import ApiError

    with serving() as s, httpx.Client(base_url=s.url, timeout=60) as c:
        s.app.state.gate = RecordingGate(ApiError(403, "Invalid API key"))
        c.post("/v2/translate", json={"text": ["猫"], "target_lang": "EN-US"})
        s.app.state.gate = RecordingGate()
        assert c.get("/v2/usage").json()["character_count"] == 0


# -- hostile ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body, message", [
    ({"text": ["猫"]}, "Value for 'target_lang' not supported."),
    ({"text": ["猫"], "target_lang": ""}, "Value for 'target_lang' not supported."),
    ({"text": ["猫"], "target_lang": "XX-YY-ZZ"}, "Value for 'target_lang' not supported."),
    ({"text": ["猫"], "target_lang": "auto"}, "Value for 'target_lang' not supported."),
    ({"text": ["猫"], "target_lang": ["EN-US"]}, "Value for 'target_lang' not supported."),
    ({"text": ["猫"], "target_lang": {"x": 1}}, "Value for 'target_lang' not supported."),
    ({"text": ["猫"], "target_lang": "EN-US", "source_lang": "EN"}, "Value for 'source_lang' not supported."),
    ({"text": ["猫"], "target_lang": "EN-US", "source_lang": 7}, "Value for 'source_lang' not supported."),
    ({"target_lang": "EN-US"}, "Parameter 'text' not specified."),
    ({"text": [], "target_lang": "EN-US"}, "Parameter 'text' not specified."),
    ({"text": [1], "target_lang": "EN-US"}, "Invalid request: Expected 'text' parameter to be an array of strings"),
    ({"text": None, "target_lang": "EN-US"}, "Invalid request: Expected 'text' parameter to be an array of strings"),
    ({"text": {"a": "猫"}, "target_lang": "EN-US"}, "Invalid request: Expected 'text' parameter to be an array of strings"),
    ({"text": [["猫"]], "target_lang": "EN-US"}, "Invalid request: Expected 'text' parameter to be an array of strings"),
    ({"text": ["猫", None], "target_lang": "EN-US"}, "Invalid request: Expected 'text' parameter to be an array of strings"),
    ({"text": ["猫"], "target_lang": "EN-US", "formality": "less"}, "'formality' is not supported for given 'target_lang'."),
    ({"text": ["猫"], "target_lang": "EN-US", "formality": "casual"}, "Value for 'formality' not supported."),
    ({"text": ["猫"], "target_lang": "EN-US", "split_sentences": "2"}, "Value for 'split_sentences' not supported."),
    ({"text": ["猫"], "target_lang": "EN-US", "model_type": "best"}, "Value for 'model_type' not supported."),
    ({"text": ["猫"], "target_lang": "EN-US", "tag_handling": "markdown"}, "Value for 'tag_handling' not supported."),
    ({"text": ["猫"], "target_lang": "EN-US", "show_billed_characters": "yes"}, "Value for 'show_billed_characters' not supported."),
    ({"text": ["猫"], "target_lang": "EN-US", "preserve_formatting": [1]}, "Value for 'preserve_formatting' not supported."),
    ({"text": ["猫"], "target_lang": "EN-US", "glossary_id": "g1"}, "Use of a glossary requires the source_lang parameter to be specified"),
])
def test_bad_parameters_are_400_in_deepls_words(client, body, message):
    assert_error(client.post("/v2/translate", json=body), 400, message)


def test_xml_tag_handling_is_refused_plainly(client):
    message = assert_error(client.post("/v2/translate", json={"text": ["<x>猫</x>"], "target_lang": "EN-US",
                                                              "tag_handling": "xml"}), 400)
    assert message.startswith("Value for 'tag_handling' not supported") and "html" in message


@pytest.mark.parametrize("field", ["glossary_id", "style_id", "translation_memory_id", "glossary_ids"])
def test_resources_this_server_lacks_are_404(client, field):
    value = ["g1"] if field == "glossary_ids" else "g1"
    message = assert_error(client.post("/v2/translate", json={"text": ["猫"], "source_lang": "ZH",
                                                              "target_lang": "EN-US", field: value}), 404)
    assert message.endswith("not found")


def test_text_over_the_character_limit(client):
    message = assert_error(client.post("/v2/translate", json={"text": ["猫", "猫" * 201], "target_lang": "EN-US"}), 400)
    assert "201" in message and "200" in message


def test_huge_body_is_413(client):
    assert_error(client.post("/v2/translate", json={"text": ["猫" * (70 << 10)], "target_lang": "EN-US"}), 413)
    lying = client.post("/v2/translate", content=b"text=" + b"a" * (65 << 10) + b"&target_lang=EN-US",
                        headers={"content-type": "application/x-www-form-urlencoded"})
    assert_error(lying, 413)


def test_many_text_fields_are_refused(client):
    form = "&".join(["text=%E7%8C%AB"] * 9) + "&target_lang=EN-US"
    message = assert_error(client.post("/v2/translate", content=form,
                                       headers={"content-type": "application/x-www-form-urlencoded"}), 400)
    assert "9" in message and "8" in message
    assert_error(client.post("/v2/translate", json={"text": ["猫"] * 5000, "target_lang": "EN-US"}), 400)


def test_deeply_nested_json_is_400(client):
    body = '{"target_lang": "EN-US", "text": ' + "[" * 5000 + '"猫"' + "]" * 5000 + "}"
    assert_error(client.post("/v2/translate", content=body, headers={"content-type": "application/json"}), 400)


@pytest.mark.parametrize("content, kind", [
    (b"text=\xff\xfe&target_lang=EN-US", "application/x-www-form-urlencoded"),
    (b'{"text": ["\xff"], "target_lang": "EN-US"}', "application/json"),
    (b'{"text": ["\\ud800"], "target_lang": "EN-US"}', "application/json"),
    (b'{"text": ["\xe7\x8c', "application/json"),
    (b'["text", "target_lang"]', "application/json"),
    (b"--x\r\nContent-Disposition: form-data; name=text\r\n\r\ncat\r\n--x--", "multipart/form-data; boundary=x"),
])
def test_bad_bytes_are_400(client, content, kind):
    assert_error(client.post("/v2/translate", content=content, headers={"content-type": kind}), 400)


def test_control_characters_and_odd_text_survive(client):
    texts = ["\x00猫\x07", "\u202e狗", "🐈" * 10, "猫\r\n\r\n狗", "   "]
    r = client.post("/v2/translate", json={"text": texts, "target_lang": "EN-US"})
    assert r.status_code == 200
    assert len(r.json()["translations"]) == 5
    assert all(isinstance(t["text"], str) for t in r.json()["translations"])


def test_unknown_parameters_are_ignored_as_deepl_does(client):
    r = client.post("/v2/translate", json={"text": ["猫"], "target_lang": "EN-US", "whatever": {"deep": [1]},
                                          "custom_instructions": ["be brief"], "context": "动物"})
    assert r.json() == {"translations": [{"detected_source_language": "ZH", "text": "cat"}]}


def test_wrong_method_and_path_answer_in_deepls_shape(client):
    assert_error(client.get("/v2/translate"), 405)
    assert_error(client.get("/v2/nothing"), 404)


def test_server_keeps_serving_after_hostile_requests(client):
    for body in (b"\xff" * 1000, b"{" * 100, json.dumps({"text": ["猫"] * 9, "target_lang": "EN-US"}).encode()):
        client.post("/v2/translate", content=body, headers={"content-type": "application/json"})
    assert client.post("/v2/translate", json={"text": ["猫"], "target_lang": "EN-US"}).json()["translations"][0]["text"] == "cat"


def test_a_client_that_leaves_has_its_work_dropped():
    """The batcher waits (a long fill window) with the request queued; the client hangs up; the
    request leaves the queue undecoded. Every wait is for an observable state, bounded."""
    import socket
    import threading

    def until(condition, what):
        for _ in range(1000):
            if condition():
                return
            threading.Event().wait(0.01)
        raise AssertionError(f"never: {what}")

    with serving(batch_wait_ms=600_000) as s:
        metrics = s.service.metrics.registry
        body = json.dumps({"text": ["猫"], "target_lang": "EN-US"}).encode()
        host, port = s.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(b"POST /v2/translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body) + body)
            until(lambda: s.service.batcher.waiting == 1, "the request is queued")
        until(lambda: metrics.get_sample_value("translate_dropped_requests_total") == 1, "the request is dropped")
        assert s.service.batcher.waiting == 0


@pytest.mark.parametrize("fragment", ["<" * 150, "<b", "<script>猫", "</p></p>猫<p", "<!--", "&#xD800;猫", "<a href='>猫"])
def test_malformed_html_is_answered(client, fragment):
    r = client.post("/v2/translate", json={"text": [fragment], "target_lang": "EN-US", "tag_handling": "html",
                                          "show_billed_characters": True})
    assert r.status_code == 200, r.text
    item = r.json()["translations"][0]
    assert isinstance(item["text"], str) and 0 <= item["billed_characters"] <= len(fragment)


def test_a_bad_flag_is_refused_before_any_work(client, gate):
    seen = gate()
    assert_error(client.post("/v2/translate", json={"text": ["猫"], "target_lang": "EN-US", "show_scores": "maybe"}),
                 400, "Value for 'show_scores' not supported.")
    assert seen.calls == [(None, 0)] and seen.charged == []  # the key was checked; nothing was charged


KEYLESS = [  # each one a 400 once admitted
    (json.dumps({"text": ["猫"]}), "application/json"),
    (json.dumps({"text": ["猫" * 201], "target_lang": "EN-US"}), "application/json"),
    (json.dumps({"text": ["猫"], "target_lang": "EN-US", "formality": "more"}), "application/json"),
    (json.dumps({"text": ["猫"], "target_lang": "EN-US", "glossary_id": "g"}), "application/json"),
    ("{\"text\": [", "application/json"),
    ("text=%FF", "application/x-www-form-urlencoded"),
    ("--x\r\n", "multipart/form-data; boundary=x"),
]


def test_without_a_valid_key_every_request_is_403_first_as_at_deepl(tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text("good-key\n", encoding="utf-8")
    with serving(api_keys=str(keys), **LIMITS) as s, httpx.Client(base_url=s.url, timeout=60) as c:
        for content, kind in KEYLESS:
            for key in (None, "bad-key"):
                headers = {"content-type": kind, **({"Authorization": f"DeepL-Auth-Key {key}"} if key else {})}
                assert_error(c.post("/v2/translate", content=content, headers=headers), 403)
            assert_error(c.post("/v2/translate", content=content, headers={
                "content-type": kind, "Authorization": "DeepL-Auth-Key good-key"}), 400)  # admitted: on to its checks
        assert_error(c.get("/v2/languages", params={"type": "neither"}), 403)
        assert_error(c.get("/v2/languages", params={"type": "neither", "auth_key": "good-key"}), 400)
        huge = json.dumps({"text": ["猫" * (70 << 10)], "target_lang": "EN-US"})
        for key, status in ((None, 403), ("bad-key", 403), ("good-key", 413)):  # a bad header key: body unread
            headers = {"content-type": "application/json", **({"Authorization": f"DeepL-Auth-Key {key}"} if key else {})}
            assert_error(c.post("/v2/translate", content=huge, headers=headers), status)


def test_usage_counts_the_caller_the_gate_names():
    with serving(char_limit_per_minute=1000) as s, httpx.Client(base_url=s.url, timeout=60) as c:
        s.app.state.gate = RecordingGate()
        c.post("/v2/translate", json={"text": ["猫狗"], "target_lang": "EN-US"},
               headers={"Authorization": "DeepL-Auth-Key one"})
        used = c.get("/v2/usage", headers={"Authorization": "DeepL-Auth-Key one"}).json()
        assert used == {"character_count": 2, "character_limit": 1000}
        other = c.get("/v2/usage", headers={"Authorization": "DeepL-Auth-Key another"}).json()
        assert other == {"character_count": 0, "character_limit": 1000}  # the gate said: another caller


def test_real_keys_with_the_official_client(tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text("good-key\n", encoding="utf-8")
    with serving(api_keys=str(keys)) as s, httpx.Client(base_url=s.url, timeout=60) as c:
        assert_error(c.post("/v2/translate", json={"text": ["猫"], "target_lang": "EN-US"}), 403)
        assert_error(c.get("/v2/languages", headers={"Authorization": "DeepL-Auth-Key bad-key"}), 403)
        assert c.post("/v2/translate", data={"text": "猫", "target_lang": "EN-US", "auth_key": "good-key"}).status_code == 200
        good = deepl.Translator("good-key", server_url=s.url)
        bad = deepl.Translator("bad-key", server_url=s.url)
        try:
            assert good.translate_text("狗", target_lang="EN-US").text == "dog"
            assert good.get_usage().character.count == 2
            with pytest.raises(deepl.AuthorizationException):
                bad.translate_text("狗", target_lang="EN-US")
        finally:
            good.close()
            bad.close()


def test_real_character_limit_is_429_and_usage_says_so():
    with serving(char_limit_per_minute=5) as s, httpx.Client(base_url=s.url, timeout=60) as c:
        assert c.post("/v2/translate", json={"text": ["猫狗鱼"], "target_lang": "EN-US"}).status_code == 200
        over = c.post("/v2/translate", json={"text": ["猫狗鱼"], "target_lang": "EN-US"})
        assert_error(over, 429)
        assert int(over.headers["retry-after"]) >= 1
        assert c.get("/v2/usage").json() == {"character_count": 3, "character_limit": 5}
