"""A fake Hugging Face Hub over HTTP on 127.0.0.1, faithful enough for ``huggingface_hub`` to
download from it through ``HF_ENDPOINT``: repo info, tree listing, ``resolve`` (HEAD/GET with
``X-Repo-Commit``/``ETag`` and a 302 to a CDN-like path for LFS files, byte ranges), and the
discussions API. It serves the committed toy model under the real file list of
Helsinki-NLP/opus-mt-zh-en; the files a Marian user must never fetch (TF, Rust, pickle) are dummy
bytes, and every request is recorded so tests can assert what was (not) fetched.

Layouts: ``"main"`` (model.safetensors on main, the current opus-mt-zh-en), ``"pr"`` (main is
pickle-only; model.safetensors only in the conversion bot's open pull request refs/pr/1) and
``"pickle"`` (pickle-only, no conversion).

Faults (``hub.fault = Fault(...)``) answer chosen requests with an HTTP status, drop the connection
half-way through a file, or stall until the test ends.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = "Helsinki-NLP/opus-mt-zh-en"
MAIN_SHA = "cf109095479db38d6df799875e34039d4938aaa6"
PR_SHA = "7a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
TOY_FILES = ("config.json", "generation_config.json", "source.spm", "target.spm", "tokenizer_config.json",
             "vocab.json")
NEVER_FETCHED = ("pytorch_model.bin", "rust_model.ot", "tf_model.h5", "README.md", ".gitattributes",
                 "metadata.json")
LFS = ("model.safetensors", "pytorch_model.bin", "rust_model.ot", "tf_model.h5", "source.spm", "target.spm")
PR_TITLE = "Adding `safetensors` variant of this model"


@dataclass
class Fault:
    """Answer requests whose path contains ``match`` (and method in ``methods``) with ``status``,
    or ``"drop"`` (close the connection half-way through the body) or ``"stall"`` (wait until the
    hub stops). ``times``: how many requests it hits (None: all)."""

    match: str
    status: int | str
    methods: tuple[str, ...] = ("GET", "HEAD")
    times: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = 0


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that hung up (a fault, a timeout) is expected here


class FakeHub:
    def __init__(self, toy_model: Path, layout: str = "main", repo: str = REPO) -> None:
        self.repo, self.layout = repo, layout
        toy = {name: (toy_model / name).read_bytes() for name in TOY_FILES}
        weights = (toy_model / "model.safetensors").read_bytes()
        dummy = {name: b"must never be fetched: " + name.encode() * 64 for name in NEVER_FETCHED}
        dummy["metadata.json"] = b"{}"
        main = {**toy, **dummy}
        if layout == "main":
            main["model.safetensors"] = weights
            self.revisions = {"main": (MAIN_SHA, main)}
        elif layout == "pickle":
            self.revisions = {"main": (MAIN_SHA, main)}
        else:
            self.revisions = {"main": (MAIN_SHA, main), "refs/pr/1": (PR_SHA, {**main, "model.safetensors": weights})}
        self.blobs = {hashlib.sha256(data).hexdigest(): data for _, files in self.revisions.values()
                      for data in files.values()}
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.ranges: list[tuple[str, str]] = []  # (path, Range header) of resumed downloads
        self.fault: Fault | None = None
        self.discussions_status: int | None = None  # e.g. 403: the discussions API refuses
        self.released = threading.Event()
        # The Hub and its CDN: two origins, as on huggingface.co (the library follows no redirect off the Hub).
        self.servers = [_QuietServer(("127.0.0.1", 0), self._handler()) for _ in range(2)]
        for server in self.servers:
            server.daemon_threads = True
        self.endpoint, self.cdn = (f"http://127.0.0.1:{s.server_address[1]}" for s in self.servers)
        self.threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in self.servers]

    def __enter__(self) -> FakeHub:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.released.set()
        for server in self.servers:
            server.shutdown()
            server.server_close()

    # -- what the tests look at ----------------------------------------------------------------------
    def fetched(self) -> set[str]:
        """Names of the files whose content was downloaded (GET on resolve or on the CDN)."""
        names = set()
        for method, path in self.requests:
            if method == "GET" and "/resolve/" in path:
                names.add(path.rsplit("/", 1)[-1])
            elif method == "GET" and path.startswith("/cdn/"):
                names.add(path.split("/")[3])
        return names

    def commit_files(self, revision: str = "main") -> dict[str, bytes]:
        return self.revisions[revision][1]

    # -- the server ------------------------------------------------------------------------------------
    def _revision(self, rev: str) -> tuple[str, dict[str, bytes]] | None:
        rev = unquote(rev)
        for name, (sha, files) in self.revisions.items():
            if rev in (name, sha):
                return sha, files
        return None

    def _handler(self):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_HEAD(self) -> None:
                self._serve(body=False)

            def do_GET(self) -> None:
                self._serve(body=True)

            def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
                      send_body: bool = True, length: int | None = None) -> None:
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                if send_body and body and self.command != "HEAD":
                    self.wfile.write(body)

            def _json(self, data, status: int = 200, headers: dict[str, str] | None = None) -> None:
                self._send(status, json.dumps(data).encode(), {"Content-Type": "application/json", **(headers or {})})

            def _error(self, status: int, code: str | None = None, message: str | None = None) -> None:
                headers = {"X-Request-Id": "Root=1-6650c0de-0123456789abcdef01234567"}
                if code:
                    headers["X-Error-Code"] = code
                if message:
                    headers["X-Error-Message"] = message
                self._json({"error": message or "error"}, status, headers)

            def _fault(self, path: str) -> bool:
                fault = hub.fault
                if fault is None or fault.match not in path or self.command not in fault.methods:
                    return False
                if fault.times is not None and fault.hits >= fault.times:
                    return False
                fault.hits += 1
                if fault.status == "stall":
                    hub.released.wait(30)
                    self.close_connection = True
                    return True
                if fault.status == "drop":
                    return False  # handled where a body is sent
                code = {404: "RepoNotFound", 403: "GatedRepo"}.get(fault.status) if fault.match.startswith("/api") \
                    else None
                self._json({"error": "fault"}, int(fault.status),
                           {"X-Request-Id": "Root=1-6650c0de-0123456789abcdef01234567",
                            **({"X-Error-Code": code} if code else {}), **fault.headers})
                return True

            def _serve(self, body: bool) -> None:
                split = urlsplit(self.path)
                path = split.path
                hub.requests.append((self.command, path))
                if self.headers.get("Range"):
                    hub.ranges.append((path, self.headers["Range"]))
                if self._fault(path):
                    return
                repo = hub.repo
                if path.startswith("/cdn/"):
                    return self._file(hub.blobs.get(path.split("/")[2]), body, path)
                api = f"/api/models/{repo}"
                if path == api or path.startswith(api + "/revision/"):
                    rev = path[len(api + "/revision/"):] if "/revision/" in path else "main"
                    found = hub._revision(rev)
                    if found is None:
                        return self._error(404, "RevisionNotFound", "Invalid rev id")
                    sha, files = found
                    return self._json({"id": repo, "modelId": repo, "sha": sha, "private": False, "gated": False,
                                       "disabled": False, "tags": ["marian"], "pipeline_tag": "translation",
                                       "siblings": [{"rfilename": n} for n in sorted(files)]})
                if path.startswith(api + "/tree/"):
                    found = hub._revision(path[len(api + "/tree/"):])
                    if found is None:
                        return self._error(404, "RevisionNotFound", "Invalid rev id")
                    entries = []
                    for name, data in sorted(found[1].items()):
                        entry = {"type": "file", "oid": hashlib.sha1(data).hexdigest(), "size": len(data),
                                 "path": name}
                        if name in LFS:
                            entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data),
                                            "pointerSize": 134}
                        entries.append(entry)
                    return self._json(entries)
                if path == api + "/discussions":
                    if hub.discussions_status:
                        return self._error(hub.discussions_status, None, "Forbidden")
                    found = [{"num": 1, "title": PR_TITLE, "status": "open", "isPullRequest": True,
                              "createdAt": "2023-03-01T00:00:00.000Z", "author": {"name": "SFconvertbot"},
                              "repo": {"name": repo, "type": "model"}, "pinned": False, "numComments": 1}] \
                        if "refs/pr/1" in hub.revisions else []
                    return self._json({"discussions": found, "count": len(found), "start": 0,
                                       "numClosedDiscussions": 0})
                prefix = f"/{repo}/resolve/"
                if path.startswith(prefix):
                    rest = unquote(path[len(prefix):])
                    for name, (sha, files) in hub.revisions.items():
                        for rev in (name, sha):
                            if rest.startswith(rev + "/") and rest[len(rev) + 1:] in files:
                                return self._resolve(sha, rest[len(rev) + 1:], files[rest[len(rev) + 1:]], body)
                    return self._error(404, "EntryNotFound", "Entry not found")
                if path.startswith("/api/"):
                    return self._error(404, "RepoNotFound", "Repository not found")
                return self._error(404)

            def _resolve(self, sha: str, name: str, data: bytes, body: bool) -> None:
                digest = hashlib.sha256(data).hexdigest()
                headers = {"X-Repo-Commit": sha}
                if name in LFS:
                    headers.update({"X-Linked-Etag": f'"{digest}"', "ETag": f'"{digest}"',
                                    "X-Linked-Size": str(len(data)),
                                    "Location": f"{hub.cdn}/cdn/{digest}/{name}?X-Amz-Signature=" + "0" * 64})
                    return self._send(302, b"", headers, send_body=False, length=0)
                headers["ETag"] = f'"{hashlib.sha1(data).hexdigest()}"'
                self._file(data, body, name, headers)

            def _file(self, data: bytes | None, body: bool, path: str, headers: dict[str, str] | None = None):
                if data is None:
                    return self._error(404)
                headers = {"Content-Type": "application/octet-stream", "Accept-Ranges": "bytes", **(headers or {})}
                start, status = 0, 200
                if (rng := self.headers.get("Range")) and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0] or 0)
                    status = 206
                    headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
                part = data[start:]
                fault = hub.fault
                if body and fault is not None and fault.status == "drop" and fault.match in path \
                        and (fault.times is None or fault.hits < fault.times):
                    fault.hits += 1  # the connection drops at the file's middle, whatever the range asked
                    self._send(status, b"", headers, send_body=False, length=len(part))
                    self.wfile.write(data[start:max(start, len(data) // 2)])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self._send(status, part, headers, send_body=body)

        return Handler
