"""`voxbento-kiosk mediamtx install` end to end: the real command in a subprocess, a local release.

The release server is a plain threaded HTTP server on loopback serving `/{V}/{asset}` and
`/{V}/checksums.sha256`; `[mediamtx] release_url` in the kiosk's config points at it.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from server.mediamtx.install import asset_name, detect_platform
from tests.functional.test_mediamtx_install import BINARY, release_archive

# Slow: each test downloads and verifies an archive from a local server.
pytestmark = pytest.mark.slow

VERSION = "v1.20.1"


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging every request on stderr."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
        return


@dataclass
class Site:
    """A kiosk folder whose config points `release_url` at the local release server."""

    folder: Path
    release_dir: Path

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    def publish(self, *, checksum: str | None = None) -> None:
        """Put the release on the server, with the right checksum unless one is given."""
        archive = release_archive()
        asset = asset_name(VERSION, *detect_platform())
        version_dir = self.release_dir / VERSION
        version_dir.mkdir(parents=True, exist_ok=True)
        (version_dir / asset).write_bytes(archive)
        digest = checksum or hashlib.sha256(archive).hexdigest()
        (version_dir / "checksums.sha256").write_text(f"{digest} *{asset}\n")

    def install(self, *extra: str) -> subprocess.CompletedProcess[str]:
        """Run `voxbento-kiosk mediamtx install` as a user would."""
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "kiosk.cli",
                "mediamtx",
                "install",
                "--config",
                str(self.folder / "kiosk.toml"),
                *extra,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """The release server running, and a kiosk folder configured to use it."""
    release_dir = tmp_path / "releases"
    release_dir.mkdir()
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(QuietHandler, directory=str(release_dir))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    folder = tmp_path / "kiosk"
    folder.mkdir()
    (folder / "kiosk.toml").write_text(
        f'[mediamtx]\nrelease_url = "http://127.0.0.1:{server.server_address[1]}"\n'
    )
    try:
        yield Site(folder, release_dir)
    finally:
        server.shutdown()
        server.server_close()


def test_install_puts_the_verified_binary_in_the_data_folder(site: Site) -> None:
    site.publish()
    result = site.install()
    binary = site.data_dir / "bin" / "mediamtx"
    assert (result.returncode, binary.read_bytes(), binary.stat().st_mode & 0o111 != 0) == (
        0,
        BINARY,
        True,
    )


def test_install_shows_its_progress_and_where_the_binary_went(site: Site) -> None:
    site.publish()
    out = site.install().stdout
    assert "Downloading mediamtx_v1.20.1_" in out
    assert "100%" in out
    assert f"at {site.data_dir / 'bin' / 'mediamtx'}" in out


def test_a_checksum_mismatch_is_refused_with_one_line_and_exit_2(site: Site) -> None:
    site.publish(checksum="0" * 64)
    result = site.install()
    errors = result.stderr.strip().splitlines()
    assert result.returncode == 2
    assert len(errors) == 1
    assert "checksum mismatch" in errors[0] and "nothing installed" in errors[0]


def test_a_checksum_mismatch_installs_nothing(site: Site) -> None:
    site.publish(checksum="0" * 64)
    site.install()
    assert not (site.data_dir / "bin").exists()


def test_a_version_the_server_does_not_have_is_a_clear_error(site: Site) -> None:
    site.publish()
    result = site.install("--version", "v9.9.9")
    assert result.returncode == 2
    assert result.stderr.startswith("voxbento-kiosk: error: ")
    assert "Traceback" not in result.stderr
