"""A misbehaving HTTP server on 127.0.0.1 for the tests of anything that fetches URLs.

``http.server`` only speaks correct HTTP; this one is a raw socket that each test scripts byte by
byte: trickle, lie about the length, cut the body, send a broken status line, hang, close at once.
A script is a function of one :class:`Connection`, run in its own thread for every connection::

    with MisbehavingServer(lambda c: c.send(response(body=b"hi"))) as server:
        fetch(server.url + "/page", offline=False)

Use it as a context manager (or through a fixture that stops it): stopping wakes every script that
waits (``hold``, ``trickle``), closes every connection and joins every thread, so no test leaks a
thread or a port, and no script can keep a test waiting after it has ended.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Self

STOP_WAIT_S = 10.0  # how long stopping waits for a script thread before calling it a leak


@dataclass
class Request:
    """A request as the server read it: method, path and headers (names in lower case)."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


def response(status: str = "200 OK", headers: Iterable[tuple[str, str]] = (), body: bytes = b"", *,
             content_type: str | None = "text/html; charset=utf-8", length: int | None = -1) -> bytes:
    """The bytes of an HTTP/1.1 response. ``length``: the Content-Length to claim (-1: the body's true
    length, None: no Content-Length header, so the body ends when the connection closes)."""
    lines = [f"HTTP/1.1 {status}"]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    if length is not None:
        lines.append(f"Content-Length: {len(body) if length == -1 else length}")
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Connection:
    """One accepted connection, as a script sees it. Sends fail quietly once the client has gone."""

    def __init__(self, sock: socket.socket, stopping: threading.Event) -> None:
        self.sock = sock
        self.stopping = stopping
        self.request: Request | None = None

    def read_request(self) -> Request | None:
        """Read the request head (up to the blank line); None if the client closed first."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            data += chunk
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, path, _ = head[0].split(" ", 2)
        headers = dict(line.split(":", 1) for line in head[1:])
        self.request = Request(method, path, {k.strip().lower(): v.strip() for k, v in headers.items()})
        return self.request

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def trickle(self, data: bytes, every: float) -> None:
        """Send ``data`` one byte at a time, ``every`` seconds apart, until done or the server stops."""
        for i in range(len(data)):
            self.sock.sendall(data[i:i + 1])
            if self.stopping.wait(every):
                return

    def hold(self) -> None:
        """Keep the connection open and say nothing until the server stops."""
        self.stopping.wait()


Script = Callable[[Connection], None]


class MisbehavingServer:
    """Listens on 127.0.0.1 (a free port); runs ``script`` on each connection, after reading the request
    unless ``read_request`` is false. ``requests`` and ``connections`` record what came in."""

    def __init__(self, script: Script, *, read_request: bool = True) -> None:
        self.script = script
        self.read_request = read_request
        self.requests: list[Request] = []
        self.connections = 0
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._sockets: list[socket.socket] = []
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self._threads[0].start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Wake and end every script, close every socket, and check that every thread has ended."""
        self._stopping.set()
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=STOP_WAIT_S).close()  # wakes accept()
        except OSError:
            pass
        self._threads[0].join(STOP_WAIT_S)  # no connection is accepted from here on
        for sock in self._sockets:
            _shut(sock)
        for thread in self._threads:
            thread.join(STOP_WAIT_S)
        self._listener.close()
        alive = [t.name for t in self._threads if t.is_alive()]
        if alive:
            raise RuntimeError(f"misbehaving server threads still running after stop: {alive}")

    def _accept(self) -> None:
        while True:
            sock, _ = self._listener.accept()
            if self._stopping.is_set():
                sock.close()
                return
            self.connections += 1
            self._sockets.append(sock)
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        connection = Connection(sock, self._stopping)
        try:
            if self.read_request:
                request = connection.read_request()
                if request is None:
                    return
                self.requests.append(request)
            self.script(connection)
        except OSError:  # the client went away (or stop() shut the socket): the script is over
            pass
        finally:
            _shut(sock)
            sock.close()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
