"""``translate serve``'s own API on a real server (127.0.0.1, a free port, the toy zh→en model):
``/v1/translate`` in every format, ``/v1/summarize``, ``/metrics`` and ``/docs`` — and what a
hostile client sends them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ROOT
from tests.misbehaving_server import Connection, MisbehavingServer, response
from tests.serving import TOY_ZH_EN, serving

BODY_LIMIT = 64 << 10
CHAR_LIMIT = 100  # a document may hold 20 × this
TEXT = "中国。车很大。\n狗看山。"


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with serving(body_limit=BODY_LIMIT, char_limit=CHAR_LIMIT) as running, \
            httpx.Client(base_url=running.url, timeout=60) as c:
        yield c


def clean(r: httpx.Response) -> None:
    """No traceback, server path or model folder in an answer."""
    assert "Traceback" not in r.text and str(ROOT) not in r.text, r.text[:300]


def refused(r: httpx.Response, status: int, *words: str) -> str:
    assert r.status_code == status, (r.status_code, r.text[:300])
    clean(r)
    message = r.json()["error"]
    assert "\n" not in message
    for word in words:
        assert word in message, message
    return message


def metrics(c: httpx.Client) -> dict[tuple[str, tuple], float]:
    r = c.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


# -- /v1/translate --------------------------------------------------------------------------------------
def test_jsonl_is_one_object_with_the_header_paragraphs_and_scores(client):
    r = client.post("/v1/translate", json={"text": TEXT})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    clean(r)
    out = r.json()
    header = out["header"]
    assert header["type"] == "header" and header["tool"] == "translate"
    assert header["model"] == "toy-zh-en" and header["identity"] and header["target_language"] == "en"
    assert [p["translation"] for p in out["paragraphs"]] == ["car. car car big.", "dog see mountain."]
    first = out["paragraphs"][0]
    assert (first["source"], first["kind"]) == ("中国。车很大。", "body")
    assert [(s["source"], s["translation"]) for s in first["sentences"]] == [("中国。", "car."),
                                                                             ("车很大。", "car car big.")]
    assert all(isinstance(s["score"], float) and s["score"] <= 0 for p in out["paragraphs"] for s in p["sentences"])
    assert out["terms"] == []
    assert out["detected_language"]["language"] == "zh"


@pytest.mark.parametrize("fmt,media,expected", [
    ("text", "text/plain", "car. car car big.\ndog see mountain.\n"),
    ("bilingual", "text/plain", "中国。车很大。\ncar. car car big.\n\n狗看山。\ndog see mountain.\n"),
    ("markdown", "text/markdown", None),
])
def test_text_formats(client, fmt, media, expected):
    r = client.post("/v1/translate", json={"text": TEXT, "format": fmt})
    assert r.status_code == 200 and r.headers["content-type"] == f"{media}; charset=utf-8"
    if expected is not None:
        assert r.text == expected
    else:
        assert "car. car car big." in r.text and "dog see mountain." in r.text


def test_markdown_input_keeps_its_structure(client):
    r = client.post("/v1/translate", json={"text": "# 中国\n\n车很大。\n\n```\n中国\n```\n", "format": "markdown",
                                           "input_format": "markdown"})
    assert r.status_code == 200
    assert r.text.startswith("# car") and "car car big." in r.text and "```\n中国\n```" in r.text
    out = client.post("/v1/translate", json={"text": "# 中国\n\n```\n中国\n```\n", "input_format": "markdown"}).json()
    assert out["header"]["layout"] == "markdown"
    assert [(p["kind"], p.get("status")) for p in out["paragraphs"]] == [("title", None), ("verbatim", "passthrough")]


def test_html_input_and_the_reading_page(client):
    r = client.post("/v1/translate", json={"text": "<p>中国。</p><p>车很<b>大</b>。</p>", "input_format": "html",
                                           "whole_page": True, "format": "html"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    clean(r)
    page = r.text
    assert page.startswith("<!DOCTYPE html>") and "中国" in page and "car." in page and "big" in page
    assert 'lang="zh"' in page and 'lang="en"' in page and "://" not in page


def test_an_html_fragment_without_an_article_is_one_line(client):
    refused(client.post("/v1/translate", json={"text": "<p>中国。</p>", "input_format": "html"}), 400,
            "no article")


def test_per_request_decoding_shows_in_the_header(client):
    default = client.post("/v1/translate", json={"text": "中国。"}).json()["header"]
    two = client.post("/v1/translate", json={"text": "中国。", "num_beams": 2, "max_new_tokens": 20}).json()["header"]
    assert default["num_beams"] != 2 and two["num_beams"] == 2 and two["max_new_tokens"] == 20


def test_empty_text_has_a_header_and_no_paragraphs(client):
    out = client.post("/v1/translate", json={"text": ""}).json()
    assert out["paragraphs"] == [] and out["header"]["model"] == "toy-zh-en"


def test_language_codes(client):
    assert client.post("/v1/translate", json={"text": "中国。", "from": "zh-Hans", "to": "en"}).status_code == 200
    refused(client.post("/v1/translate", json={"text": "中国。", "from": "fr"}), 400, "fr")
    refused(client.post("/v1/translate", json={"text": "中国。", "to": "de"}), 400, "de")


def test_urls_are_refused_by_default(client):
    refused(client.post("/v1/translate", json={"url": "http://127.0.0.1:1/"}), 403, "not fetch URLs")
    refused(client.post("/v1/summarize", json={"url": "https://example.com/"}), 403, "not fetch URLs")
    for url in ("file:///etc/passwd", "/etc/passwd", "ftp://example.com/x"):
        refused(client.post("/v1/translate", json={"url": url}), 400, "http(s)")


@pytest.mark.parametrize("field", ["model", "device", "backend", "cache", "glossary", "routes", "guard",
                                   "batch_size", "revision", "allow_pickle"])
def test_load_time_options_are_refused_by_name(client, field):
    refused(client.post("/v1/translate", json={"text": "中国。", field: "x"}), 400, field, "set when the server starts")


def test_unknown_fields_are_refused_by_name(client):
    refused(client.post("/v1/translate", json={"text": "中国。", "colour": "red"}), 400, "unknown field 'colour'")
    refused(client.post("/v1/translate", json={"text": "中国。", "x" * 10_000: 1}), 400, "unknown field")
    refused(client.post("/v1/summarize", json={"text": "中国。", "num_beams": 2}), 400, "num_beams")


ARTICLE_PAGE = (ROOT / "tests" / "toy" / "toy-article.html").read_bytes()


def site_script(connection: Connection) -> None:
    """/article: the toy article page; /redirect: to an address outside the allowed prefix; else 404."""
    path = connection.request.path if connection.request else ""
    if path == "/article":
        connection.send(response(body=ARTICLE_PAGE))
    elif path == "/redirect":
        connection.send(response("302 Found", [("Location", "http://127.0.0.2:9/")]))
    else:
        connection.send(response("404 Not Found", body=b"gone"))


@pytest.fixture(scope="module")
def site_and_client() -> Iterator[tuple[str, httpx.Client]]:
    with MisbehavingServer(site_script) as site, serving(allow_urls=(site.url + "/",)) as running, \
            httpx.Client(base_url=running.url, timeout=60) as c:
        yield site.url, c


def test_a_url_under_an_allowed_prefix_is_fetched_and_read(site_and_client):
    site, c = site_and_client
    r = c.post("/v1/translate", json={"url": site + "/article"})
    assert r.status_code == 200, r.text[:300]
    out = r.json()
    assert out["header"]["metadata"]["title"] == "三猫看山"
    assert out["paragraphs"][0]["kind"] == "title" and out["paragraphs"][0]["source"] == "三猫看山"
    assert out["paragraphs"][1]["translation"] == "three cat see mountain. five dog see sea. two bird have tree."
    assert not any("网友" in p["source"] for p in out["paragraphs"])  # the article, not the comments
    digests = c.post("/v1/summarize", json={"url": site + "/article", "lengths": ["headline"]}).json()
    assert len(digests["digests"][0]["sentences"]) == 1


def test_urls_outside_the_prefix_and_broken_pages_are_one_line(site_and_client):
    site, c = site_and_client
    refused(c.post("/v1/translate", json={"url": "http://127.0.0.2:9/"}), 403, "from there")
    message = refused(c.post("/v1/translate", json={"url": site + "/missing"}), 502, "404")
    assert message.startswith("cannot fetch")


def test_a_redirect_outside_the_prefix_is_refused(site_and_client):
    site, c = site_and_client
    refused(c.post("/v1/translate", json={"url": site + "/redirect"}), 403)


def test_keys_in_the_body_or_the_authorization_header(tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("sesame\n", encoding="utf-8")
    with serving(api_keys=str(keys)) as running, httpx.Client(base_url=running.url, timeout=60) as c:
        refused(c.post("/v1/translate", json={"text": "中国。"}), 403)
        refused(c.post("/v1/summarize", json={"text": "中国。", "api_key": "wrong"}), 403)
        assert c.post("/v1/translate", json={"text": "中国。", "api_key": "sesame"}).status_code == 200
        r = c.post("/v1/translate", json={"text": "中国。", "format": "text"}, headers={"Authorization": "Bearer sesame"})
        assert r.text == "car.\n"


# -- hostile input ---------------------------------------------------------------------------------------
def test_a_body_over_the_limit_is_413(client):
    r = client.post("/v1/translate", json={"text": "中" * BODY_LIMIT})
    assert r.status_code == 413 and "error" in r.json()


def test_a_document_over_the_limit_is_400(client):
    refused(client.post("/v1/translate", json={"text": "中国。" * (20 * CHAR_LIMIT // 3 + 1)}), 400,
            f"limit ({20 * CHAR_LIMIT})")


@pytest.mark.parametrize("body,words", [
    (b'{"text": "\xff\xfe"}', "UTF-8"),
    (b"[" * 200 + b"]" * 200, "deep"),
    (b'{"text": [' * 40 + b"]}" * 40, "deep"),
    (b'{"text": "\xe4\xb8\xad', "JSON"),                 # truncated
    (b'["text"]', "object"),
    (b"text=%E4%B8%AD", "JSON"),                          # a form: this API speaks JSON
    (b"   ", "JSON object"),
    (b'{"text": "a", "length_penalty": NaN}', "finite"),
])
def test_malformed_bodies(client, body, words):
    refused(client.post("/v1/translate", content=body, headers={"content-type": "application/json"}), 400, words)


@pytest.mark.parametrize("payload,words", [
    ({"text": ["中国"]}, "text must be a string"),
    ({"text": 5}, "text must be a string"),
    ({"text": {"a": 1}}, "text must be a string"),
    ({}, "either text or url"),
    ({"text": "中国", "url": "https://example.com/"}, "either text or url"),
    ({"text": "中国", "format": "pdf"}, "unknown format 'pdf'"),
    ({"text": "中国", "input_format": "docx"}, "unknown input_format"),
    ({"text": "中国", "layout": "columns"}, "unknown layout"),
    ({"text": "中国", "whole_page": "yes"}, "true or false"),
    ({"text": "中国", "num_beams": 0}, "num_beams"),
    ({"text": "中国", "num_beams": 10_000}, "num_beams"),
    ({"text": "中国", "num_beams": True}, "integer"),
    ({"text": "中国", "num_beams": "2"}, "integer"),
    ({"text": "中国", "max_new_tokens": 1.5}, "integer"),
    ({"text": "中国", "repetition_penalty": -1}, "repetition_penalty"),
    ({"text": "中国", "from": 7}, "from must be a string"),
])
def test_invalid_fields(client, payload, words):
    refused(client.post("/v1/translate", json=payload), 400, words)


def test_deeply_nested_html_is_read_or_refused_in_one_line(client):
    text = "<div>" * 5000 + "中国。" + "</div>" * 5000
    r = client.post("/v1/translate", json={"text": text, "input_format": "html", "whole_page": True})
    assert r.status_code in (200, 400), r.text[:300]
    clean(r)


# -- /v1/summarize ----------------------------------------------------------------------------------------
ARTICLE = "中国。车很大。狗看山。猫有鱼。红花有水。"


def test_summarize_json(client):
    r = client.post("/v1/summarize", json={"text": ARTICLE, "lengths": ["headline", "short", "2"]})
    assert r.status_code == 200
    clean(r)
    out = r.json()
    assert out["header"]["tool"] == "summarize" and out["header"]["language"] == "en"
    assert out["header"]["translation"]["model"] == "toy-zh-en"
    assert [d["name"] for d in out["digests"]] == ["headline", "short", "2"]
    headline = out["digests"][0]
    assert len(headline["sentences"]) == 1 and headline["text"] == headline["sentences"][0]["translation"]
    assert all(s["source"] in ARTICLE for d in out["digests"] for s in d["sentences"])


def test_summarize_in_the_source_language_and_other_formats(client):
    out = client.post("/v1/summarize", json={"text": ARTICLE, "to": "source", "lengths": "headline"}).json()
    assert out["header"]["language"] == "zh"
    assert [s["translation"] for s in out["digests"][0]["sentences"]] == [None]
    md = client.post("/v1/summarize", json={"text": ARTICLE, "format": "markdown", "lengths": ["short"]})
    assert md.headers["content-type"] == "text/markdown; charset=utf-8" and md.text.startswith("## short")
    page = client.post("/v1/summarize", json={"text": ARTICLE, "format": "html", "lengths": ["short"]})
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "content-security-policy" in page.headers and "中国" in page.text and "car" in page.text


@pytest.mark.parametrize("payload,words", [
    ({"text": ARTICLE, "lengths": ["epic"]}, "invalid length 'epic'"),
    ({"text": ARTICLE, "lengths": ["0w"]}, "invalid length"),
    ({"text": ARTICLE, "lengths": [1, 2]}, "list of strings"),
    ({"text": ARTICLE, "lengths": [str(n) for n in range(1, 20)]}, "at most"),
    ({"text": ARTICLE, "format": "jsonl"}, "unknown format"),
    ({"text": ARTICLE, "to": "de"}, "de"),
    ({"text": ARTICLE, "model": "x"}, "set when the server starts"),
])
def test_summarize_refuses(client, payload, words):
    refused(client.post("/v1/summarize", json=payload), 400, words)


# -- /metrics -------------------------------------------------------------------------------------------
def test_metrics_parse_and_move(client):
    before = metrics(client)
    assert client.post("/v1/translate", json={"text": "鱼。鸟。"}).status_code == 200
    after = metrics(client)
    assert after[("translate_batch_sentences_count", ())] > before.get(("translate_batch_sentences_count", ()), 0)
    assert after[("translate_batch_sentences_sum", ())] >= before.get(("translate_batch_sentences_sum", ()), 0) + 2
    key = ("translate_requests_total", (("endpoint", "/v1/translate"), ("status", "200")))
    assert after[key] == before.get(key, 0) + 1
    assert after[("translate_request_seconds_count", (("endpoint", "/v1/translate"),))] >= 1
    assert after[("translate_queue_sentences", ())] == 0
    assert not [name for name, _ in after if name.endswith("_created")]


def test_translation_memory_hits_are_counted(tmp_path):
    from translate import Translator

    translator = Translator(str(TOY_ZH_EN), cache=str(tmp_path / "memory.sqlite3"))
    with serving(translator) as running, httpx.Client(base_url=running.url, timeout=60) as c:
        hits = ("translate_units_total", (("origin", "memory"),))
        first = c.post("/v1/translate", json={"text": "山水。"}).json()
        assert metrics(c).get(hits, 0) == 0
        again = c.post("/v1/translate", json={"text": "山水。"}).json()
        assert metrics(c)[hits] >= 1
        assert again["paragraphs"][0]["translation"] == first["paragraphs"][0]["translation"]
        assert str(tmp_path) not in json.dumps(again, ensure_ascii=False)


# -- /docs and /openapi.json ---------------------------------------------------------------------------
def test_docs_list_every_route_and_load_nothing(client):
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/v1/translate"]["post"]
    assert post["summary"] and "num_beams" in post["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert spec["paths"]["/metrics"]["get"]["summary"]
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    page = r.text
    assert "://" not in page and "<script" not in page.lower()
    for path in ("/translate", "/v2/translate", "/v1/translate", "/v1/summarize", "/metrics", *spec["paths"]):
        assert f" {path}</code>" in page, path
    assert "num_beams" in page
