"""A caller that fetches on someone else's behalf (the server's /v1/translate with a URL) decides
what may be fetched: the URL, every redirect, the address each connection reached — and no proxy
stands between (it would hide the peer). Without a permit, fetching is unchanged."""

from __future__ import annotations

import http.server
import threading

import pytest

from translate.sources.url import fetch, permitted


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        hops = {"/hop": "/secret", "/escaped": "/%73ecret", "/upper": "/PAGE"}
        if self.path in hops:
            self.send_response(302)
            self.send_header("Location", hops[self.path])
            self.end_headers()
            return
        body = f"page {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class Refused(Exception):
    pass


class Permit:
    def __init__(self, prefix: str, peers: bool = True) -> None:
        self.prefix, self.peers, self.asked, self.peers_seen = prefix, peers, [], []

    def check_url(self, url: str) -> str:
        self.asked.append(url)
        if not url.startswith(self.prefix):
            raise Refused(url)
        return url

    def check_address(self, address: str) -> None:
        self.peers_seen.append(address)
        if not self.peers:
            raise Refused(address)


def test_without_a_permit_redirects_are_followed(site):
    assert fetch(f"{site}/hop", offline=False).data == b"page /secret"


def test_a_redirect_outside_the_permit_is_refused(site):
    permit = Permit(f"{site}/hop")
    with permitted(permit), pytest.raises(Refused):
        fetch(f"{site}/hop", offline=False)
    assert permit.asked == [f"{site}/hop", f"{site}/secret"]


def test_the_connected_address_is_checked(site, monkeypatch):
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # ignored under a permit: no proxy may hide the peer
    permit = Permit(site)
    with permitted(permit):
        assert fetch(f"{site}/ok", offline=False).data == b"page /ok"
    assert permit.peers_seen == ["127.0.0.1"]
    with permitted(Permit(site, peers=False)), pytest.raises(Refused):
        fetch(f"{site}/ok", offline=False)


def test_the_permit_ends_with_its_context(site):
    with permitted(Permit("http://nowhere.invalid/")):
        pass
    assert fetch(f"{site}/ok", offline=False).data == b"page /ok"


class Lowercasing(Permit):
    """A permit that normalises: the URL it returns, not the one it was given, is what may be fetched."""

    def check_url(self, url: str) -> str:
        return super().check_url(url).lower()


def test_a_redirect_fetches_the_url_the_permit_returned(site):
    permit = Lowercasing(site)
    with permitted(permit):
        got = fetch(f"{site}/upper", offline=False)
    assert permit.asked == [f"{site}/upper", f"{site}/PAGE"]
    assert (got.data, got.url) == (b"page /page", f"{site}/page")


def test_a_redirect_under_the_servers_gate_fetches_its_normal_form(site):
    from translate.server.options import ServeOptions
    from translate.server.security import Gate

    gate = Gate(ServeOptions(allow_urls=(f"{site}/",)))  # "%73" is "s": the gate checked "/secret"
    with permitted(gate):
        got = fetch(f"{site}/escaped", offline=False)
    assert (got.data, got.url) == (b"page /secret", f"{site}/secret")
