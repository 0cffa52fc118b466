"""The first run, for real: the CLI downloads from a fake Hugging Face Hub over HTTP on 127.0.0.1
(tests/fakehub.py: opus-mt-zh-en's real file list, the toy model's bytes), converts once, and
never touches the network again; each fault ends with one line that says why and what to do,
and leaves a cache that the next run completes. Nothing here reaches beyond loopback."""

from __future__ import annotations

import json
import socket
import time
import types

import pytest

from tests.fakehub import MAIN_SHA, NEVER_FETCHED, PR_SHA, REPO, TOY_FILES, FakeHub, Fault
from translate.cli import main

NEEDED = {*TOY_FILES, "model.safetensors"}


def _loopback_only(real):
    def connect(address, *args, **kwargs):
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise OSError(f"the tests never reach beyond loopback (asked for {host})")
        return real(address, *args, **kwargs)
    return connect


@pytest.fixture
def hub(request, toy_model, tmp_path, monkeypatch):
    """A fake Hub in the layout ``request.param`` ("main" by default), with online mode, fresh caches,
    no backoff sleeps and no socket beyond loopback, for this test only."""
    import huggingface_hub.file_download as file_download
    from huggingface_hub import constants
    from huggingface_hub.utils import _http

    with FakeHub(toy_model, getattr(request, "param", "main")) as fake:
        # HF_ENDPOINT is read when huggingface_hub is imported: set it, and what the hub derived from it
        monkeypatch.setenv("HF_ENDPOINT", fake.endpoint)
        monkeypatch.setattr(constants, "ENDPOINT", fake.endpoint)
        monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE",
                            fake.endpoint + "/{repo_id}/resolve/{revision}/{filename}")
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
        monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 64 * 1024)  # 10 MB chunks of a 310 MB file, scaled
        monkeypatch.setenv("TRANSLATE_CT2_CACHE", str(tmp_path / "ct2"))
        monkeypatch.setenv("TRANSLATE_CACHE_DIR", str(tmp_path / "memory"))
        monkeypatch.setattr(socket, "create_connection", _loopback_only(socket.create_connection))
        no_sleep = types.SimpleNamespace(**{n: getattr(time, n) for n in dir(time) if not n.startswith("_")})
        no_sleep.sleep = lambda seconds: None  # the hub's backoff between retries: not wall-clock time here
        monkeypatch.setattr(_http, "time", no_sleep)
        monkeypatch.setattr(file_download, "time", no_sleep)
        _http.close_session()  # no connection kept from another test's server
        yield fake
        _http.close_session()


def go_offline(monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)


@pytest.fixture
def article(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("三猫。", encoding="utf-8")
    return str(src)


def translate(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_first_run_fetches_only_what_it_needs_converts_once_then_stays_off_the_network(hub, article, capsys,
                                                                                        monkeypatch):
    code, out, err = translate(capsys, article, "-m", REPO)
    assert (code, out) == (0, "three cat.\n"), err
    lines = err.splitlines()
    assert lines[0].startswith(f"translate: downloading {REPO} (") and lines[0].endswith(" MB, once)")
    assert lines[1] == "translate: converting to CTranslate2 int8 (once)…"
    assert hub.fetched() == NEEDED  # never TF, Rust, pickle, README...
    assert not hub.fetched() & set(NEVER_FETCHED)

    hub.requests.clear()
    code, out, err = translate(capsys, article, "-m", REPO, "--no-cache")
    assert (code, out) == (0, "three cat.\n") and hub.requests == []
    assert "downloading" not in err and "converting" not in err

    go_offline(monkeypatch)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    code, out, err = translate(capsys, article, "-m", REPO, "--no-cache", "-q")
    assert (code, out, err) == (0, "three cat.\n", "") and hub.requests == []


def _refuse(*args, **kwargs):
    raise OSError("offline: no socket at all")


def test_quiet_first_run_says_nothing(hub, article, capsys):
    assert translate(capsys, article, "-m", REPO, "-q") == (0, "three cat.\n", "")


@pytest.mark.parametrize("hub", ["pr"], indirect=True)
def test_pickle_only_repo_takes_the_conversion_pull_request_and_says_so(hub, article, capsys, monkeypatch):
    code, out, err = translate(capsys, article, "-m", REPO, "-f", "jsonl")
    assert code == 0, err
    header = json.loads(out.splitlines()[0])
    assert header["weights_from"] == "refs/pr/1" and header["identity"] == PR_SHA
    assert "translate: the weights of Helsinki-NLP/opus-mt-zh-en come from the Hub's safetensors conversion " \
           "pull request refs/pr/1" in err
    assert hub.fetched() == NEEDED and "pytorch_model.bin" not in hub.fetched()
    assert not any(f"/resolve/{MAIN_SHA}/" in path and method == "GET" for method, path in hub.requests)

    hub.requests.clear()
    go_offline(monkeypatch)
    code, out, err = translate(capsys, article, "-m", REPO, "-f", "jsonl")
    assert code == 0 and hub.requests == []
    assert json.loads(out.splitlines()[0])["weights_from"] == "refs/pr/1" and "refs/pr/1" in err


@pytest.mark.parametrize("hub", ["pr", "pickle"], indirect=True)
def test_pickle_only_repo_without_a_usable_conversion_offers_allow_pickle(hub, article, capsys):
    hub.discussions_status = 403  # the discussions API refuses: as if there were no conversion
    code, out, err = translate(capsys, article, "-m", REPO)
    assert (code, out) == (1, "")
    assert err.splitlines() == [f"translate: error: model '{REPO}' offers only a pickle checkpoint "
                                "(pytorch_model.bin), which can run code when loaded; convert it to safetensors, "
                                "or allow pickle loading if you trust it (--allow-pickle)"]
    assert hub.fetched() == set()  # refused before downloading anything


FAULTS = {  # fault → what the one line says
    "404": (Fault("/api/models", 404), f"translate: error: model '{REPO}' was not found on the Hugging Face Hub; "
                                       "check the id (e.g. Helsinki-NLP/opus-mt-zh-en) or use a local model folder "
                                       "(--model)"),
    "403": (Fault("/api/models", 403), f"translate: error: model '{REPO}' is gated on the Hugging Face Hub; accept "
                                       "its conditions on the model's page, then log in with `hf auth login`"),
    "403-cdn": (Fault("/cdn/", 403), f"translate: error: could not download model '{REPO}': download interrupted — "),
    "429": (Fault("/api/models", 429), f"translate: error: could not download model '{REPO}': rate limited by the "
                                       "Hugging Face Hub (429 too many requests); wait a few minutes and run again, "
                                       "or log in with `hf auth login` for a higher limit"),
    "429-files": (Fault("/resolve/", 429, headers={"Retry-After": "30"}),
                  f"translate: error: could not download model '{REPO}': rate limited by the Hugging Face Hub (429 "
                  "too many requests); wait 30 s and run again, or log in with `hf auth login` for a higher limit"),
    "500": (Fault("/api/models", 500), f"translate: error: could not download model '{REPO}': the Hugging Face Hub "
                                       "answered with server error 500; try again later"),
    "stalled-api": (Fault("/api/models", "stall"),
                    f"translate: error: could not download model '{REPO}': the Hugging Face Hub stopped answering "
                    "(nothing for 1 s); try again later, or set HF_HUB_DOWNLOAD_TIMEOUT to wait longer"),
    "dropped": (Fault("model.safetensors", "drop"),
                f"translate: error: could not download model '{REPO}': download interrupted — "),
    "stalled": (Fault("model.safetensors", "stall", methods=("GET",)),
                f"translate: error: could not download model '{REPO}': download interrupted — "),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_each_fault_ends_with_one_line_and_the_next_run_completes(name, hub, article, capsys, monkeypatch):
    fault, expected = FAULTS[name]
    hub.fault = fault
    monkeypatch.setenv("HF_HUB_DOWNLOAD_TIMEOUT", "1")  # a stalled server: the hub's own timeout, made short
    started = time.monotonic()
    code, out, err = translate(capsys, article, "-m", REPO, "-q")
    assert time.monotonic() - started < 20
    assert (code, out) == (1, "")
    assert len(err.splitlines()) == 1 and err.startswith(expected), err  # no retry warnings, no URLs
    assert "http" not in err and "Request ID" not in err
    if name in ("stalled", "403-cdn"):
        assert " MB of 1.2 MB: " in err and err.rstrip().endswith("; the next run resumes the download")
    if name == "stalled":
        assert "the Hugging Face Hub stopped answering (nothing for 1 s); try again later" in err
    if name == "dropped":
        assert err.rstrip().endswith(" MB of 1.2 MB; run the command again to resume it")

    hub.fault = None
    hub.released.set()
    hub.requests.clear()
    assert translate(capsys, article, "-m", REPO, "-q") == (0, "three cat.\n", "")
    if name == "dropped":  # resumed, not started again
        assert any("model.safetensors" in path and value.startswith("bytes=") and value != "bytes=0-"
                   for path, value in hub.ranges)


def test_no_network_says_so(hub, article, capsys, monkeypatch):
    from huggingface_hub import constants

    from translate.commandline import toy_model_hint

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setattr(constants, "ENDPOINT", closed)
    code, out, err = translate(capsys, article, "-m", REPO, "-q")
    assert code == 1
    assert err == (f"translate: error: could not download model '{REPO}': no network connection to 127.0.0.1; "
                   "connect to the network once, or use a local model folder (--model) — to see the tool work "
                   f"offline, try this checkout's toy model: {toy_model_hint()}\n")


def test_an_interrupted_download_offline_says_it_is_partial(hub, article, capsys, monkeypatch):
    hub.fault = Fault("model.safetensors", "drop")
    assert translate(capsys, article, "-m", REPO, "-q")[0] == 1
    go_offline(monkeypatch)
    code, out, err = translate(capsys, article, "-m", REPO)
    assert code == 1 and len(err.splitlines()) == 1
    assert err.startswith(f"translate: error: model '{REPO}' is only partly downloaded (") and \
        "MB of" in err and "offline mode is on; run once with network access (unset HF_HUB_OFFLINE) to finish " \
        "the download" in err


def test_the_byte_progress_bar_shows_alone_and_only_with_notes_on_a_terminal(monkeypatch):
    import logging
    import sys

    from translate.models.download import _progress_bar_class

    class Tty:
        def isatty(self):
            return True

        def write(self, text):
            pass

        def flush(self):
            pass

    terminal = Tty()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(sys, "__stderr__", terminal)
    logger = logging.getLogger("translate")
    try:
        logger.setLevel(logging.INFO)  # what the CLI does without -q
        bar = _progress_bar_class()
        shown = bar(total=10, name="huggingface_hub.snapshot_download.transfer", file=sys.stderr)
        others = [bar(total=10, name="huggingface_hub.snapshot_download", file=sys.stderr),
                  bar(total=7, desc="Fetching 7 files", file=sys.stderr)]
        assert not shown.disable and shown.desc.startswith("downloading")
        assert all(b.disable for b in others)
        logger.setLevel(logging.WARNING)  # -q
        assert _progress_bar_class()(total=10, name="huggingface_hub.snapshot_download.transfer",
                                     file=sys.stderr).disable
        logger.setLevel(logging.INFO)
        monkeypatch.setattr(sys, "stderr", Tty())  # a live display (our "translating" bar) redirects stderr
        assert _progress_bar_class()(total=10, name="huggingface_hub.snapshot_download.transfer",
                                     file=sys.stderr).disable
    finally:
        logger.setLevel(logging.NOTSET)
