"""`install_mediamtx` against a local release server: verify first, then install the binary alone."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from server.mediamtx.install import InstallError, asset_name, detect_platform, install_mediamtx

pytestmark = pytest.mark.anyio

VERSION = "v1.20.1"
ASSET = asset_name(VERSION, "linux", "amd64")
BINARY = b"#!/bin/sh\necho fake mediamtx\n"


def release_archive() -> bytes:
    """A tar.gz shaped like MediaMTX's: the binary beside its sample config and license."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in (
            ("mediamtx", BINARY),
            ("mediamtx.yml", b"api: yes\n"),
            ("LICENSE", b"MIT\n"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class Release:
    """Serves `/{V}/{asset}` and `/{V}/checksums.sha256`; the checksum can be made wrong."""

    def __init__(self) -> None:
        self.archive = release_archive()
        self.digest = hashlib.sha256(self.archive).hexdigest()
        self.server = TestServer(self.make_app(), host="127.0.0.1")

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get(f"/{VERSION}/{ASSET}", self.asset)
        app.router.add_get(f"/{VERSION}/checksums.sha256", self.checksums)
        return app

    async def asset(self, request: web.Request) -> web.Response:
        return web.Response(body=self.archive)

    async def checksums(self, request: web.Request) -> web.Response:
        other = "0" * 64
        return web.Response(
            text=f"{other} *mediamtx_{VERSION}_darwin_arm64.tar.gz\n{self.digest} *{ASSET}\n"
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"


def everything_in(directory: Path) -> list[str]:
    """Every file and folder under `directory`, relative, sorted."""
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*"))


@pytest.fixture
async def release() -> AsyncIterator[Release]:
    served = Release()
    await served.server.start_server()
    yield served
    await served.server.close()


async def install(release: Release, data_dir: Path, progress: list[tuple[int, int | None]]) -> Path:
    return await install_mediamtx(
        VERSION,
        data_dir,
        release.base_url,
        "linux",
        "amd64",
        lambda done, total: progress.append((done, total)),
    )


async def test_a_good_archive_installs_the_executable_binary(
    release: Release, tmp_path: Path
) -> None:
    progress: list[tuple[int, int | None]] = []
    installed = await install(release, tmp_path, progress)
    assert installed == tmp_path / "bin" / "mediamtx"
    assert installed.read_bytes() == BINARY
    assert installed.stat().st_mode & 0o777 == 0o755
    assert everything_in(tmp_path) == ["bin", "bin/mediamtx"]
    assert progress[-1] == (len(release.archive), len(release.archive))


async def test_a_bad_checksum_is_refused_and_installs_nothing(
    release: Release, tmp_path: Path
) -> None:
    release.digest = "f" * 64
    with pytest.raises(InstallError, match="checksum mismatch"):
        await install(release, tmp_path, [])
    assert everything_in(tmp_path) == []


async def test_a_reinstall_replaces_the_binary(release: Release, tmp_path: Path) -> None:
    target = tmp_path / "bin" / "mediamtx"
    target.parent.mkdir()
    target.write_bytes(b"old")
    await install(release, tmp_path, [])
    assert target.read_bytes() == BINARY
    assert os.access(target, os.X_OK)


async def test_a_missing_release_is_a_clear_error(release: Release, tmp_path: Path) -> None:
    with pytest.raises(InstallError, match="HTTP 404"):
        await install_mediamtx(
            "v9.9.9", tmp_path, release.base_url, "linux", "amd64", lambda d, t: None
        )
    assert everything_in(tmp_path) == []


async def test_an_asset_absent_from_the_checksums_is_refused(
    release: Release, tmp_path: Path
) -> None:
    with pytest.raises(InstallError, match="lists no"):
        await install_mediamtx(
            VERSION, tmp_path, release.base_url, "linux", "arm64", lambda d, t: None
        )


def test_platform_names_follow_the_release_assets() -> None:
    assert detect_platform("Linux", "x86_64") == ("linux", "amd64")
    assert detect_platform("Linux", "aarch64") == ("linux", "arm64")
    assert detect_platform("Linux", "armv7l") == ("linux", "armv7")
    assert detect_platform("Darwin", "arm64") == ("darwin", "arm64")


def test_an_unsupported_platform_is_a_clear_error() -> None:
    with pytest.raises(InstallError, match="sparc"):
        detect_platform("Linux", "sparc")
