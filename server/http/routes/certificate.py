"""`GET /tls` and `GET /tls/kiosk.crt`: the self-signed certificate explained, and offered.

Interpreters reach the kiosk over HTTPS (browsers give the microphone to secure pages only),
and with `tls = "self-signed"` their browser warns that nobody it knows vouches for the
certificate. The page says what that means and how to get past it on each browser, and offers
the certificate (public by nature; the key never leaves `{data_dir}/tls`) so a device can trust
it. Both are served on the plain HTTP port too: a phone must be able to fetch the certificate
before it trusts it.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from server.config import Config
from server.hosting.network import secure_url
from server.hosting.tls import tls_paths
from server.http.errors import Problem
from server.http.templating import render_html
from server.keys import CONFIG

# The type phones recognise as "a certificate to install" rather than a file to save.
CERTIFICATE_TYPE = "application/x-x509-ca-cert"
NO_CERTIFICATE = 'This kiosk serves no certificate: HTTPS is off (tls = "off" in kiosk.toml).'
NOT_YET = "The kiosk has not made its certificate yet. Start it once, or run `voxbento-kiosk init`."


def _certificate_file(config: Config) -> Path:
    if config.server.tls == "off":
        raise Problem(404, NO_CERTIFICATE)
    cert, _ = tls_paths(config)
    if not cert.is_file():
        raise Problem(404, NOT_YET)
    return cert


def fingerprint(pem: bytes) -> str:
    """SHA-256 fingerprint of the first certificate in `pem`, as colon-separated hex pairs."""
    digest = x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256())
    return ":".join(f"{byte:02X}" for byte in digest)


async def certificate_page(request: web.Request) -> web.Response:
    """What the browser warning means, how to pass it, and how to trust the certificate."""
    config = request.app[CONFIG]
    cert = _certificate_file(config)
    return render_html(
        "certificate.html",
        {
            "self_signed": config.server.tls == "self-signed",
            "fingerprint": fingerprint(cert.read_bytes()),
            "secure_url": secure_url(config, request.url.host),
            "local_url": f"http://localhost:{config.server.port}/tls",
        },
    )


async def certificate_file(request: web.Request) -> web.Response:
    """The certificate in PEM, typed so that phones offer to install it."""
    cert = _certificate_file(request.app[CONFIG])
    return web.Response(
        body=cert.read_bytes(),
        content_type=CERTIFICATE_TYPE,
        headers={"Content-Disposition": 'attachment; filename="kiosk.crt"'},
    )


def add_routes(app: web.Application) -> None:
    """Register the certificate page and download."""
    app.router.add_get("/tls", certificate_page, name="certificate")
    app.router.add_get("/tls/kiosk.crt", certificate_file, name="certificate_file")
