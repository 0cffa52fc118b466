"""``translate serve`` as a user runs it: a real process on 127.0.0.1 (a free port) with the toy
model. Ready is an answer from ``GET /health`` (the model loads before the port opens); SIGTERM
and Ctrl-C finish the request in flight and exit 0; what can fail before the port opens (a port
in use, a missing model, a bad key file, bad flags) is one line and exit 1 or 2; a file named
``serve`` is still translated as ``./serve``; ``--help`` is instant. Timeouts are failure guards only."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli
from tests.conftest import ROOT, TOY_MODEL
from translate.server.options import ServeOptions

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

GUARD = 120.0  # seconds: a failure guard, never what a test waits for
TOY = ["-m", str(TOY_MODEL), "--no-cache"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@contextlib.contextmanager
def process(tmp_path: Path, *args: str):
    """``translate serve ARGS`` as a process, its stdout and stderr in files; killed if still running."""
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen([sys.executable, "-m", "translate", "serve", *args], stdout=o, stderr=e,
                                env=env(), cwd=tmp_path)
    try:
        yield proc, out, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(GUARD)


def serving_or_exited(proc: subprocess.Popen, port: int) -> bool:
    """Poll ``GET /health`` until the server answers (True) or the process ends (False)."""
    deadline = time.monotonic() + GUARD
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=GUARD)
            return True
        except httpx.TransportError:
            time.sleep(0.05)  # between polls of an event, not a guess at how long it takes
    raise AssertionError("the server neither answered nor exited")


def refused(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(GUARD)
        try:
            s.connect(("127.0.0.1", port))
            return False
        except ConnectionRefusedError:
            return True


def read_response(sock: socket.socket) -> tuple[int, bytes]:
    """The final response on ``sock`` (after any 100 Continue), read until the server closes."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


# -- the lifecycle ----------------------------------------------------------------------------------------

def test_sigterm_finishes_the_request_in_flight_and_exits_0(tmp_path):
    port = free_port()
    with process(tmp_path, *TOY, "--port", str(port)) as (proc, out, err):
        assert serving_or_exited(proc, port), err.read_text()
        body = json.dumps({"q": ["中国", "三猫。"], "source": "zh", "target": "en"}).encode()
        with socket.create_connection(("127.0.0.1", port), timeout=GUARD) as sock:
            sock.sendall(b"POST /translate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Expect: 100-continue\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
            assert sock.recv(4096).startswith(b"HTTP/1.1 100")  # the app is reading this request: in flight
            proc.send_signal(signal.SIGTERM)
            while not refused(port):  # shutting down: no new connection is accepted
                time.sleep(0.02)
            sock.sendall(body)
            status, answer = read_response(sock)
        assert status == 200 and json.loads(answer) == {"translatedText": ["car", "three cat."]}
        assert proc.wait(GUARD) == 0, err.read_text()
    log = out.read_text() + err.read_text()
    assert "Traceback" not in log
    assert "listening on http://127.0.0.1:" in log and "stopped (SIGTERM)" in log
    assert '"POST /translate HTTP/1.1" 200' in log  # the access log: a line per request...
    assert "中国" not in log and "car" not in log   # ...without its body


def test_ctrl_c_exits_0_without_an_access_log(tmp_path):
    port = free_port()
    with process(tmp_path, *TOY, "--port", str(port), "--no-access-log") as (proc, out, err):
        assert serving_or_exited(proc, port), err.read_text()
        answer = httpx.post(f"http://127.0.0.1:{port}/translate", json={"q": "中国", "source": "zh", "target": "en"},
                            timeout=GUARD)
        assert answer.json() == {"translatedText": "car"}
        assert "server" not in answer.headers  # no server header naming uvicorn and its version
        proc.send_signal(signal.SIGINT)
        assert proc.wait(GUARD) == 0, err.read_text()
    log = out.read_text() + err.read_text()
    assert "Traceback" not in log and "stopped (SIGINT)" in log
    assert "POST /translate" not in log


# -- failing before the port opens ------------------------------------------------------------------------

def test_a_port_in_use_is_one_line_and_exit_1(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with process(tmp_path, *TOY, "--port", str(port)) as (proc, _, err):
            assert proc.wait(GUARD) == 1  # (nobody answers on that port: not a readiness poll)
    assert one_line(err.read_text()) == \
        f"translate serve: error: port {port} on 127.0.0.1 is in use: Address already in use"


@pytest.mark.parametrize("keys", ["missing", "sha256:not-hex\n"], ids=["missing-file", "bad-line"])
def test_a_bad_key_file_is_one_line_and_exit_2(tmp_path, keys):
    path = tmp_path / "keys.txt"
    if keys != "missing":
        path.write_text(keys, encoding="utf-8")
    port = free_port()
    with process(tmp_path, *TOY, "--port", str(port), "--api-keys", str(path)) as (proc, _, err):
        assert not serving_or_exited(proc, port), "served with a bad key file"
        assert proc.wait(GUARD) == 2
    assert one_line(err.read_text()).startswith("translate serve: error: ")


def test_a_missing_model_is_one_line_and_exit_1(tmp_path, capsys):
    code, out, err = run_cli(["serve", "-m", str(tmp_path / "no-such-model"), "--port", str(free_port())], capsys)
    assert code == 1 and out == ""
    assert one_line(err).startswith("translate serve: error: ")


def test_an_address_not_on_this_machine_is_one_line_and_exit_1(capsys):
    code, _, err = run_cli(["serve", *TOY, "--host", "198.51.100.7", "--port", str(free_port())], capsys)  # TEST-NET-2
    assert code == 1
    assert one_line(err).startswith("translate serve: error: cannot listen on 198.51.100.7:")


@pytest.mark.parametrize("args", [["--port", "-1"], ["--port", "70000"], ["--port", "http"], ["--max-queue", "-5"],
                                  ["--batch-wait-ms", "nan?"], ["--replicas", "2"], ["--engine", "kubernetes"],
                                  ["--char-limit", "1e99"], ["--host"], ["--bogus"]])
def test_bad_flags_are_one_line_and_exit_2(args, capsys):
    code, _, err = run_cli(["serve", *TOY, *args], capsys)
    assert code == 2
    assert "translate serve: error:" in one_line(err)


# -- the flags ----------------------------------------------------------------------------------------------

@pytest.fixture
def served(monkeypatch):
    """What ``translate serve ARGS`` would serve with, without serving: (engine, arguments, keywords)."""
    import types

    import translate.server.run as run

    calls = []
    monkeypatch.setattr(run, "serve", lambda *a, **k: calls.append(("local", a, k)) or 0)
    fake_ray = types.ModuleType("translate.server.ray_serve")  # Ray itself is not imported
    fake_ray.run_ray = lambda *a, **k: calls.append(("ray", a, k)) or 0
    monkeypatch.setitem(sys.modules, "translate.server.ray_serve", fake_ray)
    return calls


def test_every_serve_option_and_library_option_is_a_flag(served, capsys):
    from translate.commandline import FLAGS
    from translate.server.cli import SERVE_FLAGS

    assert set(SERVE_FLAGS) == {f for f in ServeOptions.__dataclass_fields__}
    code, out, _ = run_cli(["serve", "--help"], capsys)
    assert code == 0
    for flag in [*(f.name for f in SERVE_FLAGS.values()), *(n for f in FLAGS.values() for n in f.names),
                 "--engine", "--replicas"]:
        assert flag in out, flag


def test_flags_become_options(served, capsys):
    code, _, err = run_cli(["serve", *TOY, "--port", "5123", "--no-batching", "--batch-wait-ms", "2.5",
                            "--char-limit", "10", "--cors", "https://a.example", "--cors", "https://b.example",
                            "--allow-urls", "--no-access-log", "--num-beams", "2", "--engine", "ray",
                            "--replicas", "3"], capsys)
    assert code == 0, err
    engine, (load, decoding, pipeline, options), kw = served[0]
    assert load.model == str(TOY_MODEL) and pipeline.cache is False and decoding.num_beams == 2
    assert options == ServeOptions(port=5123, batching=False, batch_wait_ms=2.5, char_limit=10,
                                   cors=("https://a.example", "https://b.example"), allow_urls=(), access_log=False)
    assert engine == "ray" and kw["replicas"] == 3


@pytest.mark.parametrize("args, expected", [
    ([], None),
    (["--allow-urls"], ()),
    (["--allow-urls", "--port", "5001"], ()),
    (["--allow-urls", "http://10.0.0.5/feeds/"], ("http://10.0.0.5/feeds/",)),
    (["--allow-urls", "http://a/", "https://b/"], ("http://a/", "https://b/")),
    (["--allow-urls", "http://a/", "--allow-urls", "https://b/"], ("http://a/", "https://b/")),
    (["--allow-urls=http://a/"], ("http://a/",)),
])
def test_allow_urls_bare_or_with_prefixes(served, capsys, args, expected):
    assert run_cli(["serve", *TOY, *args], capsys)[0] == 0
    assert served[0][1][3].allow_urls == expected


def test_the_defaults_are_safe(served, capsys):
    assert run_cli(["serve"], capsys)[0] == 0
    engine, (load, _, pipeline, options), _ = served[0]
    assert (options.host, options.port, options.api_keys, options.allow_urls, options.cors) == \
        ("127.0.0.1", 5000, None, None, ())
    assert engine == "local" and load.model is None and pipeline.cache is True


# -- a file named serve, and help ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", [["./serve"], ["--", "serve"]])
def test_a_file_named_serve_is_translated(tmp_path, monkeypatch, capsys, name):
    (tmp_path / "serve").write_text("三猫。\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli([*TOY, "-q", *name] if name[0] == "--" else [*name, *TOY, "-q"], capsys)
    assert code == 0, err
    assert out == "three cat.\n"


@pytest.mark.parametrize("argv", [["--help"], ["serve", "--help"]])
def test_help_is_instant_and_imports_nothing_heavy(argv):
    code = ("import sys, time; t = time.perf_counter(); from translate.cli import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('torch', 'transformers', 'fastapi', 'starlette', 'uvicorn', 'ray') if m in sys.modules]\n"
            "print('HEAVY', heavy, 'SECONDS', time.perf_counter() - t)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env(), timeout=GUARD)
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr
    assert float(proc.stdout.rsplit("SECONDS", 1)[1]) < 1.0  # ~0.2 s idle; generous on a busy 2-core machine
    if argv == ["--help"]:
        assert "translate serve" in proc.stdout and "./serve" in proc.stdout
    else:
        assert all(flag in proc.stdout for flag in ("--host", "--port", "--api-keys", "127.0.0.1", "5000"))


# -- small pieces -------------------------------------------------------------------------------------------

def test_binding_a_non_loopback_address_says_it_is_reachable(capsys):
    from translate.server.run import is_loopback, network_note

    assert all(is_loopback(h) for h in ("127.0.0.1", "127.8.0.1", "::1", "localhost", "LOCALHOST"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.10", "example.org", ""))
    network_note("translate serve", ServeOptions())
    assert capsys.readouterr().err == ""
    network_note("translate serve", ServeOptions(host="0.0.0.0"))
    assert "reachable from the network; no API key is required" in one_line(capsys.readouterr().err)
    network_note("translate serve", ServeOptions(host="0.0.0.0", api_keys="keys.txt"))
    assert "API keys are required" in one_line(capsys.readouterr().err)


def test_the_access_log_masks_keys_in_query_strings():
    from translate.server.run import MaskKeys

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', (
        "127.0.0.1:5", "GET", "/v2/usage?auth_key=SECRET-1&x=1&API_KEY=SECRET-2", "1.1", 200), None)
    assert MaskKeys().filter(record)
    line = record.getMessage()
    assert "SECRET" not in line and "auth_key=***&x=1&API_KEY=***" in line


def test_bind_is_exact_and_does_not_listen_yet(monkeypatch):
    from translate.errors import TranslateError
    from translate.server.run import bind

    sock = bind("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        assert refused(port)  # bound, not listening: the model loads before the port opens
        sock.listen()
        with pytest.raises(TranslateError, match=f"^port {port} on 127.0.0.1 is in use: "):
            bind("127.0.0.1", port)
    finally:
        sock.close()
    def unknown(*_a, **_k):  # a name no resolver knows (asked of none: no DNS in tests)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with monkeypatch.context() as m:
        m.setattr(socket, "getaddrinfo", unknown)
        with pytest.raises(TranslateError, match="^cannot listen on no-such-host: Name or service not known$"):
            bind("no-such-host", 0)
    if socket.has_ipv6:
        with contextlib.suppress(TranslateError):  # a machine without IPv6 loopback says so in one line
            with bind("::1", 0) as six:
                assert six.family == socket.AF_INET6
