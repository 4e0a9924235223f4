"""`voxbento-kiosk mediamtx install`: fetch a MediaMTX release, verify it, install the binary.

The archive is checked against the release's `checksums.sha256` before anything is extracted;
a mismatch installs nothing. Only the `mediamtx` executable is taken from the archive, and it is
renamed into `{data_dir}/bin/mediamtx` in one step, so a running kiosk never sees half a file.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import platform
import posixpath
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

import aiohttp

CHECKSUMS_NAME = "checksums.sha256"
CHUNK_SIZE = 1 << 16

_SYSTEMS = {"linux": "linux", "darwin": "darwin"}
_MACHINES = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv7l": "armv7",
    "armv7": "armv7",
}


class InstallError(Exception):
    """The release could not be installed; nothing was changed."""


def detect_platform(system: str | None = None, machine: str | None = None) -> tuple[str, str]:
    """(os, arch) as MediaMTX names its assets, from `platform` unless given."""
    system = (system or platform.system()).lower()
    machine = (machine or platform.machine()).lower()
    if system not in _SYSTEMS:
        raise InstallError(f"no MediaMTX tar.gz release for the {system!r} operating system")
    if machine not in _MACHINES:
        raise InstallError(f"no MediaMTX release for the {machine!r} processor")
    return _SYSTEMS[system], _MACHINES[machine]


def asset_name(version: str, os_name: str, arch: str) -> str:
    """`mediamtx_{V}_{os}_{arch}.tar.gz`."""
    return f"mediamtx_{version}_{os_name}_{arch}.tar.gz"


def parse_checksums(text: str) -> dict[str, str]:
    """Read `sha256sum` output (`<hex> *<name>` in binary mode, `<hex>  <name>` in text mode)."""
    sums: dict[str, str] = {}
    for line in text.splitlines():
        digest, _, name = line.strip().partition(" ")
        name = name.strip().removeprefix("*")
        if len(digest) == 64 and name:
            sums[name] = digest.lower()
    return sums


async def install_mediamtx(
    version: str,
    data_dir: Path,
    base_url: str,
    os_name: str,
    arch: str,
    progress: Callable[[int, int | None], None],
) -> Path:
    """Download, verify and install MediaMTX `version`; return the installed binary's path.

    `progress(done, total)` follows the archive download; `total` is None when the server
    does not say. Raises InstallError on any failure, with nothing installed.
    """
    if os_name not in _SYSTEMS.values():
        raise InstallError(f"no MediaMTX tar.gz release for {os_name!r}")
    asset = asset_name(version, os_name, arch)
    release_url = f"{base_url.rstrip('/')}/{version}"
    await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".mediamtx-install-", dir=data_dir) as scratch:
        archive = Path(scratch) / asset
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(sock_read=60)) as http:
                checksums = parse_checksums(
                    await _fetch_text(http, f"{release_url}/{CHECKSUMS_NAME}")
                )
                expected = checksums.get(asset)
                if expected is None:
                    raise InstallError(f"{CHECKSUMS_NAME} of {version} lists no {asset}")
                actual = await _download(http, f"{release_url}/{asset}", archive, progress)
        except aiohttp.ClientError as err:
            raise InstallError(f"download from {release_url} failed: {err}") from err
        if actual != expected:
            raise InstallError(
                f"checksum mismatch for {asset}: expected {expected}, got {actual}; nothing installed"
            )
        target = data_dir / "bin" / "mediamtx"
        await asyncio.to_thread(_extract_binary, archive, target)
    return target


async def _fetch_text(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as response:
        if response.status != 200:
            raise InstallError(f"download of {url} failed: HTTP {response.status}")
        return await response.text()


async def _download(
    http: aiohttp.ClientSession,
    url: str,
    destination: Path,
    progress: Callable[[int, int | None], None],
) -> str:
    """Stream `url` into `destination`; return the SHA-256 of what was written."""
    digest = hashlib.sha256()
    async with http.get(url) as response:
        if response.status != 200:
            raise InstallError(f"download of {url} failed: HTTP {response.status}")
        total = response.content_length
        done = 0
        progress(done, total)
        with destination.open("wb") as handle:
            async for chunk in response.content.iter_chunked(CHUNK_SIZE):
                handle.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                progress(done, total)
    return digest.hexdigest()


def _extract_binary(archive: Path, target: Path) -> None:
    """Copy the archive's top-level `mediamtx` file to `target` (mode 755), atomically."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = next(
                (
                    m
                    for m in tar.getmembers()
                    if posixpath.normpath(m.name) == "mediamtx" and m.isfile()
                ),
                None,
            )
            if member is None:
                raise InstallError(f"{archive.name} holds no mediamtx binary")
            source = tar.extractfile(member)
            assert source is not None  # a regular file always has content
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix=".mediamtx.", dir=target.parent)
            try:
                with source, os.fdopen(descriptor, "wb") as handle:
                    shutil.copyfileobj(source, handle)
                os.chmod(temporary, 0o755)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
    except (tarfile.TarError, OSError, EOFError) as err:
        raise InstallError(f"cannot unpack {archive.name}: {err}") from err
