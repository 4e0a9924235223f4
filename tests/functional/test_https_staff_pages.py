"""Staff pages go over HTTPS: sign-in and /admin redirect there from the HTTP port, with HSTS.

A real `serve` process with its self-signed certificate, asked as a browser on the venue Wi-Fi
would ask: plain HTTP first, as typed or followed from a poster.
"""

from __future__ import annotations

import http.client
import os
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.cli import main
from tests.cli_support import ROOT
from tests.fakes import free_port

# Slow: each test serves the kiosk over HTTPS with a fresh certificate.
pytestmark = pytest.mark.slow

WAIT = 30.0  # a safety net against hangs, never a measured duration


@dataclass
class Ports:
    http: int
    https: int


def start(tmp_path: Path, tls: str) -> tuple[subprocess.Popen[bytes], Ports]:
    ports = Ports(free_port(), free_port())
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[server]\nhost = "127.0.0.1"\nport = {ports.http}\nhttps_port = {ports.https}\n'
        f'tls = "{tls}"\n[mediamtx]\nenabled = false\n'
    )
    assert main(["init", "--config", str(config)]) == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "serve", "--config", str(config)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + WAIT
    while True:
        try:
            assert request(ports.http, "GET", "/healthz").status == 200
            break
        except OSError:
            assert time.monotonic() < deadline, "the kiosk never answered /healthz"
            time.sleep(0.2)
    return process, ports


@dataclass
class Reply:
    status: int
    headers: dict[str, str]


def request(port: int, method: str, path: str, *, secure: bool = False, body: str = "") -> Reply:
    if secure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the kiosk's self-signed certificate
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=10, context=context
        )
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()})
    finally:
        conn.close()


@pytest.fixture(scope="module")
def tls_kiosk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ports]:
    """One kiosk with HTTPS for the whole module (each start makes a certificate)."""
    process, ports = start(tmp_path_factory.mktemp("tls"), "self-signed")
    try:
        yield ports
    finally:
        process.terminate()
        process.wait(timeout=WAIT)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/login"),
        ("GET", "/login?next=/admin"),
        ("POST", "/login"),
        ("GET", "/admin"),
        ("GET", "/admin/users"),
        ("POST", "/logout"),
    ],
)
def test_staff_pages_on_http_redirect_to_the_same_path_on_https(
    tls_kiosk: Ports, method: str, path: str
) -> None:
    reply = request(tls_kiosk.http, method, path, body="email=a%40b.c" if method == "POST" else "")
    assert reply.status == 308  # a POST stays a POST, to HTTPS
    assert reply.headers["location"] == f"https://127.0.0.1:{tls_kiosk.https}{path}"


def test_listener_pages_stay_on_http(tls_kiosk: Ports) -> None:
    assert request(tls_kiosk.http, "GET", "/").status == 200
    assert request(tls_kiosk.http, "GET", "/listen/nowhere/main").status == 404
    assert "strict-transport-security" not in request(tls_kiosk.http, "GET", "/").headers


def test_https_answers_staff_pages_with_hsts(tls_kiosk: Ports) -> None:
    reply = request(tls_kiosk.https, "GET", "/login", secure=True)
    assert reply.status == 200
    assert reply.headers["strict-transport-security"] == "max-age=86400"


def test_without_tls_sign_in_stays_on_http(tmp_path: Path) -> None:
    process, ports = start(tmp_path, "off")
    try:
        assert request(ports.http, "GET", "/login").status == 200
    finally:
        process.terminate()
        process.wait(timeout=WAIT)
