"""`/tls` and `/tls/kiosk.crt` on the plain HTTP port: the certificate interpreters can trust.

The real runner serves both ports with a generated certificate. A client that trusts only the
file downloaded over plain HTTP must then verify the HTTPS port, as a phone that installed it.
"""

from __future__ import annotations

import hashlib
import ssl
from pathlib import Path

import aiohttp
import pytest

from server.hosting.tls import tls_paths
from tests.functional.test_https_and_media_proxy import running_kiosk
from tests.harness.app import make_config, make_services
from tests.server_support import browser, serve

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db")]


def sha256_fingerprint(pem: str) -> str:
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


async def test_the_downloaded_certificate_is_the_one_the_https_port_presents(
    tmp_path: Path,
) -> None:
    config = make_config(tmp_path, server={"host": "127.0.0.1", "port": 0, "https_port": 0})
    async with running_kiosk(config) as kiosk, aiohttp.ClientSession() as client:
        plain = f"http://127.0.0.1:{kiosk.http_port}"
        async with client.get(f"{plain}/tls/kiosk.crt") as response:
            assert response.status == 200
            assert response.content_type == "application/x-x509-ca-cert"
            assert 'filename="kiosk.crt"' in response.headers["Content-Disposition"]
            pem = await response.text()
        assert pem == tls_paths(config)[0].read_text()
        assert "PRIVATE KEY" not in pem
        trusting_the_download = ssl.create_default_context(cadata=pem)
        url = f"https://127.0.0.1:{kiosk.https_port}/healthz"
        async with client.get(url, ssl=trusting_the_download) as secure:
            assert secure.status == 200
        async with client.get(f"{plain}/tls") as page:
            assert page.status == 200
            body = await page.text()
        assert sha256_fingerprint(pem) in body
        assert "Advanced" in body and "Certificate Trust Settings" in body
        assert 'href="/tls/kiosk.crt"' in body
        async with client.get(f"{plain}/") as home:
            assert 'href="/tls"' in await home.text()


async def test_without_tls_there_is_no_certificate_to_offer(tmp_path: Path) -> None:
    config = make_config(tmp_path, server={"tls": "off"})
    async with serve(config, make_services()) as server, browser(server) as client:
        for path in ("/tls", "/tls/kiosk.crt"):
            response = await client.get(path)
            assert response.status == 404
            assert "HTTPS is off" in await response.text()
        home = await (await client.get("/")).text()
        assert 'href="/tls"' not in home


async def test_before_the_certificate_exists_the_page_says_how_to_make_it(
    tmp_path: Path,
) -> None:
    config = make_config(tmp_path)
    assert not tls_paths(config)[0].exists()
    async with serve(config, make_services()) as server, browser(server) as client:
        response = await client.get("/tls/kiosk.crt", headers={"Accept": "application/json"})
        assert response.status == 404
        assert "voxbento-kiosk init" in (await response.json())["message"]
