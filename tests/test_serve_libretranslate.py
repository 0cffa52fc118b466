"""``translate serve``'s LibreTranslate API through the real server (uvicorn on 127.0.0.1, the toy
zh→en model): LibreTranslate's exact shapes and wording, the requests Mastodon, Discourse and
``libretranslatepy`` send, file translation, and hostile input."""

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
from translate.server.api.libretranslate import FileStore, safe_name
from translate.server.errors import ApiError


@pytest.fixture(scope="module")
def server() -> Iterator[Running]:
    with serving() as running:
        yield running


@pytest.fixture(scope="module")
def client(server: Running) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def _clean_error(response: httpx.Response, status: int) -> str:
    """The error's message, checked for LibreTranslate's shape and for nothing it must not say."""
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"] and isinstance(body["error"], str)
    for leak in ("Traceback", "toy-zh-en", ".py", "/tmp", "File \""):
        assert leak not in body["error"]
    return body["error"]


# -- /translate: shapes ----------------------------------------------------------------------------------
def test_translate_a_string_json_and_form(client):
    assert client.post("/translate", json={"q": "猫狗。", "source": "zh", "target": "en"}).json() == \
        {"translatedText": "cat dog."}
    assert client.post("/translate", data={"q": "猫狗。", "source": "zh", "target": "en"}).json() == \
        {"translatedText": "cat dog."}


def test_translate_a_list_keeps_order_and_answers_a_list(client):
    got = client.post("/translate", json={"q": ["猫", "红花。大树！", "书"], "source": "zh", "target": "en"}).json()
    assert got == {"translatedText": ["cat", "red flower. big tree!", "book"]}


def test_auto_source_detects_per_text(client):
    one = client.post("/translate", json={"q": "鱼有水。", "source": "auto", "target": "en"}).json()
    assert one["translatedText"] == "fish have water."
    assert set(one["detectedLanguage"]) == {"confidence", "language"}
    assert one["detectedLanguage"]["language"] == "zh" and 0 < one["detectedLanguage"]["confidence"] <= 100
    many = client.post("/translate", json={"q": ["猫狗。", "", "鱼有水。"], "source": "auto", "target": "en"}).json()
    assert many["translatedText"] == ["cat dog.", "", "fish have water."]
    assert [d["language"] for d in many["detectedLanguage"]] == ["zh", "zh", "zh"]  # the empty one: the request's


def test_alternatives_asked_are_empty_in_libretranslates_shape(client):
    one = client.post("/translate", json={"q": "猫", "source": "zh", "target": "en", "alternatives": 3}).json()
    assert one == {"translatedText": "cat", "alternatives": []}
    many = client.post("/translate", data={"q": ["猫", "书"], "source": "zh", "target": "en", "alternatives": "2"}).json()
    assert many == {"translatedText": ["cat", "book"], "alternatives": [[], []]}
    assert "alternatives" not in client.post("/translate", json={"q": "猫", "source": "zh", "target": "en",
                                                                 "alternatives": 0}).json()


def test_scores_only_when_asked(client):
    got = client.post("/translate", json={"q": ["猫狗。", ""], "source": "zh", "target": "en", "scores": True}).json()
    assert got["translatedText"] == ["cat dog.", ""]
    assert isinstance(got["scores"][0], float) and got["scores"][0] <= 0 and got["scores"][1] is None
    assert got["sentences"][0] == [{"source": "猫狗。", "translation": "cat dog.", "score": pytest.approx(
        got["sentences"][0][0]["score"])}] and got["sentences"][1] == []
    form = client.post("/translate", data={"q": "猫", "source": "zh", "target": "en", "scores": "true"}).json()
    assert set(form) == {"translatedText", "scores", "sentences"} and isinstance(form["scores"], float)


def test_html_format(client):
    got = client.post("/translate", json={"q": "<p>猫狗。</p>", "source": "zh", "target": "en",
                                          "format": "html"}).json()
    assert list(got) == ["translatedText"] and "cat dog." in got["translatedText"]


@pytest.mark.parametrize("code", ["zh", "zh-Hans", "zt", "zh-Hant", "ZH", "zh-CN", "zh_TW"])
def test_every_chinese_code_clients_send(client, code):
    got = client.post("/translate", json={"q": "猫", "source": code, "target": "en"})
    assert got.json() == {"translatedText": "cat"}


def test_missing_source_means_auto(client):
    got = client.post("/translate", json={"q": "猫狗。", "target": "en"}).json()
    assert got["translatedText"] == "cat dog." and got["detectedLanguage"]["language"] == "zh"


def test_repeated_form_q_is_a_list(client):
    got = client.post("/translate", content="q=%E7%8C%AB&q=%E4%B9%A6&source=zh&target=en",
                      headers={"Content-Type": "application/x-www-form-urlencoded"}).json()
    assert got == {"translatedText": ["cat", "book"]}


# -- the clients -----------------------------------------------------------------------------------------
def test_libretranslatepy_client(server):
    from libretranslatepy import LibreTranslateAPI

    lt = LibreTranslateAPI(server.url)
    assert lt.translate("猫狗。", "zh", "en") == "cat dog."
    assert lt.translate("书", "auto", "en") == "book"
    found = lt.detect("红花。大树！")
    assert found[0]["language"] == "zh" and set(found[0]) == {"confidence", "language"}
    codes = {entry["code"]: entry for entry in lt.languages()}
    assert "en" in codes["zh"]["targets"] and codes["zh"]["name"] == "Chinese"


def test_what_mastodon_sends(client):
    """Mastodon (app/lib/translation_service/libre_translate.rb): JSON with a Content-Type even on
    GET, q a list of HTML texts, source 'auto' when the status has no language, api_key null; it
    reads translatedText[i] and detectedLanguage[i].language, and /languages as code → targets."""
    headers = {"Content-Type": "application/json"}
    languages = client.get("/languages", headers=headers).json()
    table = {entry["code"]: [t for t in entry["targets"] if t != entry["code"]] for entry in languages}
    assert "en" in table["zh"] and "en" in table["zh-Hant"]
    body = json.dumps({"q": ["<p>猫狗。</p>", "<p>书</p>"], "source": "auto", "target": "en", "format": "html",
                       "api_key": None})
    data = client.post("/translate", content=body, headers=headers).json()
    texts = [(text, data["detectedLanguage"][i]["language"]) for i, text in enumerate(data["translatedText"])]
    assert [t for t, _ in texts] and all(lang == "zh" for _, lang in texts)
    assert "cat dog." in texts[0][0] and "book" in texts[1][0]
    older = client.post("/translate", json={"q": "<p>书</p>", "source": "zh", "target": "en", "format": "html",
                                            "api_key": None}).json()  # Mastodon before 4.2: one text
    assert "book" in older["translatedText"]


def test_what_discourse_sends(client):
    """Discourse's translator plugin: form-encoded bodies with an empty api_key, /detect first,
    then /languages to check both codes, then /translate with the detected source and format html."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    detected = client.post("/detect", content="q=%E7%BA%A2%E8%8A%B1%E3%80%82%E5%A4%A7%E6%A0%91%EF%BC%81&api_key=",
                           headers=form).json()
    source = detected[0]["language"] if detected else "en"
    assert source == "zh"
    codes = {entry["code"] for entry in client.get("/languages").json()}
    assert source in codes and "en" in codes
    got = client.post("/translate", data={"q": "<p>红花。大树！</p>", "source": source, "target": "en",
                                          "format": "html", "api_key": ""}).json()
    assert "red flower. big tree!" in got["translatedText"] and "detectedLanguage" not in got


# -- /detect, /languages, /frontend/settings, /health ----------------------------------------------------
def test_detect_shapes(client):
    one = client.post("/detect", json={"q": "鱼有水。"}).json()
    assert len(one) == 1 and one[0]["language"] == "zh" and 0 < one[0]["confidence"] <= 100
    many = client.post("/detect", json={"q": ["猫狗。", "鱼有水。"]}).json()
    assert len(many) == 1 and many[0]["language"] == "zh"
    assert _clean_error(client.post("/detect", json={}), 400) == "Invalid request: missing q parameter"
    assert _clean_error(client.post("/detect", json={"q": {"a": 1}}), 400).startswith("Invalid request")


def test_languages_lists_every_code_clients_know(client):
    got = client.get("/languages").json()
    assert got == [
        {"code": "en", "name": "English", "targets": []},
        {"code": "zh", "name": "Chinese", "targets": ["en"]},
        {"code": "zh-Hans", "name": "Chinese (Simplified)", "targets": ["en"]},
        {"code": "zh-Hant", "name": "Chinese (Traditional)", "targets": ["en"]},
        {"code": "zt", "name": "Chinese (Traditional)", "targets": ["en"]},
    ]


def test_frontend_settings_and_health(client):
    settings = client.get("/frontend/settings").json()
    assert settings == {
        "charLimit": 5000, "frontendTimeout": 500, "apiKeys": False, "keyRequired": False, "suggestions": False,
        "filesTranslation": True, "supportedFilesFormat": [".txt", ".html", ".htm", ".md", ".markdown"],
        "language": {"source": {"code": "auto", "name": "Auto Detect"}, "target": {"code": "en", "name": "English"}},
    }
    assert client.get("/health").json() == {"status": "ok"}


# -- errors, in LibreTranslate's words ------------------------------------------------------------------
@pytest.mark.parametrize("body, message", [
    ({"source": "zh", "target": "en"}, "Invalid request: missing q parameter"),
    ({"q": "", "source": "zh", "target": "en"}, "Invalid request: missing q parameter"),
    ({"q": [], "source": "zh", "target": "en"}, "Invalid request: missing q parameter"),
    ({"q": "猫", "source": "zh"}, "Invalid request: missing target parameter"),
    ({"q": "猫", "source": "zh", "target": ""}, "Invalid request: missing target parameter"),
    ({"q": "猫", "source": "zh", "target": "de"}, "de is not supported"),
    ({"q": "猫", "source": "fr", "target": "en"}, "fr is not supported"),
    ({"q": "猫", "source": "xx", "target": "en"}, "xx is not supported"),
    ({"q": "猫", "source": "zh", "target": "en", "format": "pdf"}, "pdf format is not supported"),
    ({"q": "猫", "source": "zh", "target": "en", "alternatives": "many"},
     "Invalid request: alternatives parameter is not a number"),
    ({"q": "猫", "source": "zh", "target": "en", "alternatives": [1]},
     "Invalid request: alternatives parameter is not a number"),
])
def test_libretranslate_wording(client, body, message):
    assert _clean_error(client.post("/translate", json=body), 400) == message


@pytest.mark.parametrize("q", [{"a": 1}, 5, True, [["猫"]], ["猫", None], ["猫", {"x": "y"}], [1, 2]])
def test_q_that_is_not_text(client, q):
    message = _clean_error(client.post("/translate", json={"q": q, "source": "zh", "target": "en"}), 400)
    assert message.startswith("Invalid request")


@pytest.mark.parametrize("field, value", [("source", 5), ("target", ["en"]), ("format", {"x": 1}),
                                          ("source", "../../etc/passwd"), ("target", "a" * 10_000),
                                          ("source", "zh-Hant-XX-YY"), ("target", "\u202een")])
def test_hostile_language_and_format_fields(client, field, value):
    body = {"q": "猫", "source": "zh", "target": "en", field: value}
    message = _clean_error(client.post("/translate", json=body), 400)
    assert len(message) < 200


def test_limits_in_libretranslates_words():
    with serving(char_limit=10, batch_limit=3) as s, httpx.Client(base_url=s.url, timeout=60) as c:
        long = _clean_error(c.post("/translate", json={"q": "猫" * 11, "source": "zh", "target": "en"}), 400)
        assert long == "Invalid request: request (11) exceeds text limit (10)"
        many = _clean_error(c.post("/translate", json={"q": ["猫"] * 4, "source": "zh", "target": "en"}), 400)
        assert many == "Invalid request: request (4) exceeds text limit (3)"
        assert c.post("/translate", json={"q": ["猫"] * 3, "source": "zh", "target": "en"}).status_code == 200
        assert c.post("/translate", json={"q": "猫" * 10, "source": "zh", "target": "en"}).status_code == 200
        assert c.get("/frontend/settings").json()["charLimit"] == 10


def test_a_file_is_a_document_of_at_most_20_texts():
    """/v1/translate's rule (20 × --char-limit characters), in LibreTranslate's words; a page's
    markup and scripts are not its text."""
    with serving(char_limit=10) as s, httpx.Client(base_url=s.url, timeout=60) as c:
        over = _upload(c, "a.txt", ("猫" * 201).encode())
        assert _clean_error(over, 400) == "Invalid request: request (201) exceeds text limit (200)"
        assert _clean_error(_upload(c, "a.md", ("# " + "猫" * 199).encode()), 400) == \
            "Invalid request: request (201) exceeds text limit (200)"
        assert _upload(c, "a.txt", ("猫" * 200).encode()).status_code == 200
        script = "<script>" + "var x = 1;" * 1000 + "</script>"
        page = f"<html><head><style>{'p{}' * 1000}</style></head><body>{script}<p>猫</p></body></html>"
        assert _upload(c, "a.html", page.encode()).status_code == 200
        words = "<b>猫</b>" * 201
        assert _clean_error(_upload(c, "a.html", f"<body><p>{words}</p></body>".encode()), 400) == \
            "Invalid request: request (201) exceeds text limit (200)"


def test_no_limits_means_minus_one_in_settings():
    with serving(char_limit=0, batch_limit=0) as s, httpx.Client(base_url=s.url, timeout=60) as c:
        assert c.get("/frontend/settings").json()["charLimit"] == -1
        assert c.post("/translate", json={"q": ["猫"] * 300, "source": "zh", "target": "en"}).status_code == 200
        assert _upload(c, "a.txt", ("猫" * 300).encode()).status_code == 200


def test_hostile_bodies(client):
    json_type = {"Content-Type": "application/json"}
    assert _clean_error(client.post("/translate", content=b""), 400) == "Invalid request: missing q parameter"
    assert _clean_error(client.post("/translate", content=b"{\"q\": \"\xff\xfe\"}", headers=json_type), 400)
    replaced = client.post("/translate", content=b"q=%FF%FE&target=en&source=zh",  # as werkzeug: U+FFFD
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert replaced.status_code == 200 and set(replaced.json()) == {"translatedText"}
    assert _clean_error(client.post("/translate", content=b"q=\xff\xfe&target=en",
                                    headers={"Content-Type": "application/x-www-form-urlencoded"}), 400)
    assert _clean_error(client.post("/translate", content=b"[" * 100_000, headers=json_type), 400)
    for q in (b'"\\ud800"', b'["\\u732b", "\\udfff\\u732b"]'):  # lone surrogates: no model reads them
        assert _clean_error(client.post("/translate", content=b'{"q": %s, "source": "zh", "target": "en"}' % q,
                                        headers=json_type), 400) == "Invalid request: q must be valid Unicode"
    deep = {"q": "猫", "target": "en", "x": json.loads("[" * 30 + "]" * 30)}
    assert client.post("/translate", json=deep).status_code == 200  # deep but sane: ignored
    assert _clean_error(client.post("/translate", content=b"{\"q\": \"\xe7\x8c", headers=json_type), 400)
    assert _clean_error(client.post("/translate", content=b"[\"q\"]", headers=json_type), 400)
    assert _clean_error(client.post("/translate", content="<q>猫</q>".encode(),
                                    headers={"Content-Type": "application/xml"}), 400)
    files = {"file": ("a.txt", b"x")}
    assert _clean_error(client.post("/translate", files=files, data={"q": "猫", "target": "en"}), 400)


def test_body_limit_and_huge_q():
    with serving(body_limit=4096, char_limit=0) as s, httpx.Client(base_url=s.url, timeout=60) as c:
        huge = c.post("/translate", json={"q": "猫" * 5000, "source": "zh", "target": "en"})
        assert _clean_error(huge, 413)
        form = c.post("/translate", data={"q": "猫" * 5000, "source": "zh", "target": "en"})
        assert _clean_error(form, 413)
        upload = c.post("/translate_file", files={"file": ("a.txt", "猫。\n".encode() * 2000)},
                        data={"source": "zh", "target": "en"})
        assert _clean_error(upload, 413)


# -- keys and the gate -----------------------------------------------------------------------------------
class Recorder:
    """Stands in for the gate's ``admit``: records what each call was asked, refuses a key "bad"."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, int]] = []

    def __call__(self, request, *, key, characters=0):
        self.calls.append((request.url.path, key, characters))
        if key == "bad":
            raise ApiError(403, "Invalid API key")


@pytest.fixture
def admitted(server):
    gate = server.app.state.gate
    recorder = Recorder()
    gate.admit = recorder
    yield recorder
    del gate.admit


def test_api_key_goes_to_the_gate_with_the_characters(client, admitted):
    client.post("/translate", json={"q": ["猫", "书本"], "source": "zh", "target": "en", "api_key": "k1"})
    client.post("/translate", data={"q": "猫狗", "source": "zh", "target": "en", "api_key": "k2"})
    client.post("/translate", json={"q": "猫", "target": "en", "api_key": None})
    client.post("/translate", data={"q": "猫", "target": "en", "api_key": ""})
    client.post("/detect", data={"q": "猫狗鱼", "api_key": "k3"})
    client.post("/translate_file", files={"file": ("a.txt", "猫".encode())}, data={"target": "en", "api_key": "k4"})
    assert admitted.calls == [("/translate", "k1", 3), ("/translate", "k2", 2), ("/translate", None, 1),
                              ("/translate", None, 1), ("/detect", "k3", 3), ("/translate_file", "k4", 3)]


def test_a_refused_key_is_403_before_anything_else(client, admitted):
    assert _clean_error(client.post("/translate", json={"api_key": "bad"}), 403) == "Invalid API key"
    assert _clean_error(client.post("/translate", json={"q": {"x": 1}, "api_key": "bad"}), 403)
    assert _clean_error(client.post("/detect", data={"q": "猫", "api_key": "bad"}), 403)
    assert _clean_error(client.post("/translate_file", files={"file": ("a.pdf", b"x")},
                                    data={"target": "en", "api_key": "bad"}), 403)


# -- a client that leaves --------------------------------------------------------------------------------
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
        body = json.dumps({"q": "猫", "source": "zh", "target": "en"}).encode()
        address = urlsplit(server.url)
        with socket.create_connection((address.hostname, address.port)) as sock:
            sock.sendall(b"POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            assert started.wait(30)
        assert cancelled.wait(30)
    finally:
        del service.translate_texts


# -- /translate_file, /download_file ---------------------------------------------------------------------
def _upload(client, name, data, **fields):
    return client.post("/translate_file", files={"file": (name, data)}, data={"source": "zh", "target": "en", **fields})


def test_translate_a_text_file(client, server):
    got = _upload(client, "新闻.txt", "猫狗。\n\n红花。大树！\n".encode())
    url = got.json()["translatedFileUrl"]
    assert list(got.json()) == ["translatedFileUrl"]
    assert url.startswith(server.url + "/download_file/") and url.endswith("-%E6%96%B0%E9%97%BB.txt")
    download = client.get(url)
    assert download.status_code == 200 and download.text == "cat dog.\n\nred flower. big tree!\n"
    assert download.headers["content-type"] == "text/plain; charset=utf-8"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E6%96%B0%E9%97%BB.txt" in download.headers["content-disposition"]


def test_translate_a_file_in_a_legacy_chinese_encoding(client):
    got = _upload(client, "gbk.txt", "鱼有水。\n".encode("gb18030"), source="auto")
    assert client.get(got.json()["translatedFileUrl"]).text == "fish have water.\n"


def test_translate_markdown_keeps_its_structure(client):
    got = _upload(client, "a.md", "# 猫狗\n\n- 红花。\n- 大树！\n".encode())
    text = client.get(got.json()["translatedFileUrl"]).text
    assert text.startswith("# cat dog") and "- red flower." in text and "- big tree!" in text
    assert client.get(got.json()["translatedFileUrl"]).headers["content-type"] == "text/markdown; charset=utf-8"


def test_translate_html_keeps_the_head_and_makes_the_charset_utf8(client):
    page = "<!DOCTYPE html><html><head><meta charset=\"gb2312\"><title>t</title></head>" \
           "<body><p>猫狗。</p></body></html>"
    got = _upload(client, "page.html", page.encode("gb18030"))
    text = client.get(got.json()["translatedFileUrl"]).text
    assert text.startswith("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title></head><body>")
    assert text.endswith("</body></html>") and "cat dog." in text


def test_an_uploaded_page_with_a_script_is_never_served_as_a_page_of_ours(client):
    got = _upload(client, "x.html", b"<html><body><script>alert(document.cookie)</script><p>x</p></body></html>")
    download = client.get(got.json()["translatedFileUrl"])
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["content-security-policy"].startswith("sandbox")
    assert download.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("raw, safe", [
    ("../../etc/passwd.txt", "passwd.txt"), ("..\\..\\win.ini.txt", "win.ini.txt"), ("a\0b.txt", "a_b.txt"),
    ("..", "file"), ("/", "file"), (".hidden.md", "hidden.md"), ("a b;rm -rf.txt", "a_b_rm_-rf.txt"),
    ("\u202etxt.exe.md", "txt.exe.md"), ("新闻 稿.html", "新闻_稿.html"), ("x\r\nSet-Cookie: a.txt", "x_Set-Cookie_a.txt"),
])
def test_safe_names(raw, safe):
    assert safe_name(raw) == safe


def test_a_long_name_is_cut_and_keeps_its_extension():
    name = safe_name("长" * 5000 + ".md")
    assert len(name) <= 100 and name.endswith(".md")


@pytest.mark.parametrize("name", ["../../../escape.txt", "/etc/escape.txt", "..\\escape.txt", "esc\0ape.txt",
                                  "x/" * 500 + "escape.txt"])
def test_uploaded_names_never_leave_the_store(client, server, name):
    got = _upload(client, name, "猫".encode())
    assert got.status_code == 200, got.text
    stored = got.json()["translatedFileUrl"].rsplit("/", 1)[1]
    store = server.app.state.translated_files
    assert (store.path / stored).is_file() and "/" not in stored and ".." not in stored
    assert client.get(got.json()["translatedFileUrl"]).text == "cat"


@pytest.mark.parametrize("path", ["/download_file/..", "/download_file/..%2F..%2Fetc%2Fpasswd",
                                  "/download_file/%2Fetc%2Fpasswd", "/download_file/x%00.txt",
                                  "/download_file/" + "a" * 5000, "/download_file/%E2%80%AE"])
def test_downloads_only_what_the_store_issued(server, path):
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port)) as sock:  # the path as written, unnormalised
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    assert status in (400, 404) and b"root:" not in answer


def test_a_file_put_in_the_folder_by_hand_is_not_served(client, server):
    _upload(client, "a.txt", "猫".encode())
    store = server.app.state.translated_files
    (store.path / "0123-planted.txt").write_text("secret", encoding="utf-8")
    assert client.get("/download_file/0123-planted.txt").status_code == 404


@pytest.mark.parametrize("name, data, fields, message", [
    ("a.pdf", b"%PDF-1.4", {}, "Invalid request: file format not supported"),
    ("noext", b"x", {}, "Invalid request: file format not supported"),
    ("a.txt", b"", {}, "Invalid request: empty file"),
    ("a.txt", bytes(range(256)) * 8, {}, "Invalid request: the file is not text in an encoding this server reads"),
    ("a.txt", b"x", {"target": ""}, "Invalid request: missing target parameter"),
    ("a.txt", "猫".encode(), {"target": "de"}, "de is not supported"),
])
def test_file_refusals(client, name, data, fields, message):
    assert _clean_error(_upload(client, name, data, **fields), 400) == message


def test_multipart_without_a_file_or_not_multipart(client):
    assert _clean_error(client.post("/translate_file", files={"other": ("a.txt", b"x")}, data={"target": "en"}),
                        400) == "Invalid request: missing file parameter"
    assert _clean_error(client.post("/translate_file", json={"file": "猫", "target": "en"}), 400)
    assert _clean_error(client.post("/translate_file", content=b""), 400)


def test_truncated_and_malformed_multipart(client):
    boundary = "XyZ"
    whole = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"target\"\r\n\r\nen\r\n"
             f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
             f"Content-Type: text/plain\r\n\r\n猫\r\n--{boundary}--\r\n").encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    assert client.post("/translate_file", content=whole, headers=headers).status_code == 200
    for cut in (len(whole) - 12, len(whole) // 2, 20):
        assert _clean_error(client.post("/translate_file", content=whole[:cut], headers=headers), 400)
    assert _clean_error(client.post("/translate_file", content=whole,
                                    headers={"Content-Type": "multipart/form-data"}), 400)
    garbage = f"--{boundary}\r\nno headers here\r\n--{boundary}--\r\n".encode()
    assert _clean_error(client.post("/translate_file", content=garbage, headers=headers), 400)
    many_files = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{i}.txt\"\r\n"
                          f"\r\nx\r\n".encode() for i in range(3)) + f"--{boundary}--\r\n".encode()
    assert _clean_error(client.post("/translate_file", content=many_files, headers=headers), 400)


def test_the_store_evicts_the_oldest(client, server):
    server.app.state.translated_files = FileStore(max_files=2)
    try:
        urls = [_upload(client, f"{i}.txt", "猫".encode()).json()["translatedFileUrl"] for i in range(3)]
        assert [client.get(u).status_code for u in urls] == [404, 200, 200]
        assert len(server.app.state.translated_files) == 2
    finally:
        server.app.state.translated_files.close()
        del server.app.state.translated_files


def test_the_store_bounds_bytes_and_closes():
    store = FileStore(max_files=10, max_bytes=10)
    first = store.put("a.txt", b"12345")
    second = store.put("b.txt", b"123456")
    assert store.get(first) is None and store.get(second) == b"123456"
    with pytest.raises(ApiError) as refused:
        store.put("c.txt", b"x" * 11)
    assert refused.value.status == 413
    folder = store.path
    store.close()
    assert not folder.exists() and store.get(second) is None


def test_close_files_removes_the_store_and_a_new_one_comes_on_use(client, server):
    from translate.server.api.libretranslate import close_files

    url = _upload(client, "a.txt", "猫".encode()).json()["translatedFileUrl"]
    folder = server.app.state.translated_files.path
    close_files(server.app)
    close_files(server.app)  # twice: nothing left to close
    assert not folder.exists() and client.get(url).status_code == 404
    again = _upload(client, "b.txt", "狗".encode()).json()["translatedFileUrl"]
    assert client.get(again).text == "dog"


def test_the_server_closes_the_store_when_it_stops(monkeypatch):
    """``translate serve`` (run.py) removes the translated files when it stops: they were kept for
    a while only, and the folder is the server's."""
    from tests.serving import TOY_ZH_EN
    from translate.options import DecodingOptions, LoadOptions, PipelineOptions
    from translate.server import run
    from translate.server.options import ServeOptions

    stores = []

    def serve_a_file(self, sockets=None):
        store = self.config.app.state.translated_files = FileStore()
        store.put("a.txt", b"cat")
        stores.append(store.path)

    monkeypatch.setattr(run, "warm_up", lambda service: None)
    monkeypatch.setattr(run.Server, "run", serve_a_file)
    code = run.serve(LoadOptions(model=str(TOY_ZH_EN)), DecodingOptions(), PipelineOptions(),
                     ServeOptions(port=0, access_log=False))
    assert code == 0 and len(stores) == 1 and not stores[0].exists()


def test_the_real_gate_with_a_key_file(tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("s3cret\n", encoding="utf-8")
    with serving(api_keys=str(keys)) as s, httpx.Client(base_url=s.url, timeout=60) as c:
        assert _clean_error(c.post("/translate", json={"q": "猫"}), 403)
        assert _clean_error(c.post("/translate", data={"q": "猫", "api_key": "wrong"}), 403) == "Invalid API key"
        assert _clean_error(c.post("/translate", data={"q": "猫", "api_key": "s3cret"}), 400) == \
            "Invalid request: missing target parameter"  # admitted: on to the next check
        assert _clean_error(c.post("/detect", json={"q": "猫", "api_key": "wrong"}), 403)
        assert _clean_error(c.post("/translate_file", files={"file": ("a.pdf", b"x")},
                                   data={"target": "en", "api_key": "s3cret"}), 400)
        settings = c.get("/frontend/settings").json()
        assert settings["apiKeys"] is True and settings["keyRequired"] is True
