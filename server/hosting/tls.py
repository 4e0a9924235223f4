"""The self-signed certificate for the LAN, and the SSL context of the HTTPS listener."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from server.config import Config

HOST_NAMES = ("localhost", "kiosk.local")
VALID_DAYS = 365


def tls_paths(config: Config) -> tuple[Path, Path]:
    """Certificate and key paths: configured files, or the generated pair in `{data_dir}/tls`."""
    if config.server.tls == "files":
        return Path(config.server.tls_cert), Path(config.server.tls_key)
    folder = config.data_dir / "tls"
    return folder / "kiosk.crt", folder / "kiosk.key"


def generate_self_signed(cert_path: Path, key_path: Path, addresses: list[str]) -> None:
    """Write a one-year certificate for `addresses`, localhost and kiosk.local (key mode 0600)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "VoxBento Kiosk")])
    ips = {ipaddress.ip_address(a) for a in [*addresses, "127.0.0.1"]}
    alt_names: list[x509.GeneralName] = [x509.DNSName(h) for h in HOST_NAMES]
    alt_names += [x509.IPAddress(ip) for ip in sorted(ips, key=str)]
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_bytes)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def ssl_context(config: Config) -> ssl.SSLContext | None:
    """The server-side SSL context, or None when TLS is off or no certificate exists yet."""
    if config.server.tls == "off":
        return None
    cert, key = tls_paths(config)
    if not (cert.is_file() and key.is_file()):
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    return context
