"""Test stand-ins. `fake_mediamtx.py` is a MediaMTX stand-in that runs as a real process.

Helpers here start it directly (`FakeMediaMTX`) or make it look like a `mediamtx` binary
(`write_fake_binary`) for the supervisor.
"""

from __future__ import annotations

import asyncio
import shlex
import socket
import sys
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp

from server.mediamtx.config_file import render_mediamtx_config

FAKE_SCRIPT = Path(__file__).resolve().with_name("fake_mediamtx.py")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_fake_binary(directory: Path) -> Path:
    """Write an executable `mediamtx` that runs the stand-in with this test run's Python."""
    directory.mkdir(parents=True, exist_ok=True)
    binary = directory / "mediamtx"
    binary.write_text(
        f'#!/bin/sh\nexec {shlex.quote(sys.executable)} {shlex.quote(str(FAKE_SCRIPT))} "$@"\n'
    )
    binary.chmod(0o755)
    return binary


def kiosk_config(
    *,
    api_port: int,
    paths: Iterable[str] = (),
    webrtc_port: int | None = None,
    hook_port: int | None = None,
    secret: str = "hook-secret",
) -> str:
    """The config the kiosk writes, with free ports wherever the test does not care."""
    return render_mediamtx_config(
        api_port=api_port,
        rtsp_port=free_port(),
        webrtc_port=webrtc_port or free_port(),
        webrtc_udp_port=free_port(),
        webrtc_additional_hosts=["192.168.1.20"],
        auth_hook_port=hook_port or free_port(),
        auth_secret=secret,
        path_names=paths,
        metrics_port=free_port(),
    )


async def call_api(api_url: str, method: str, route: str, json: Any = None) -> tuple[int, Any]:
    """One request to a MediaMTX API at `api_url`; (status, decoded JSON body or None)."""
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, api_url + route, json=json) as response,
    ):
        text = await response.text()
        try:
            body = await response.json(content_type=None) if text else None
        except ValueError:
            body = text
        return response.status, body


def fake_with_paths(directory: Path, paths: Iterable[str], **config: Any) -> FakeMediaMTX:
    """A stand-in (not started yet) on the kiosk's config with `paths`, in `directory`."""
    api_port = free_port()
    config_path = directory / "mediamtx.yml"
    config_path.write_text(kiosk_config(api_port=api_port, paths=paths, **config))
    return FakeMediaMTX(config_path, api_port)


class FakeMediaMTX:
    """Runs the stand-in on `config_path` until the context exits; collects its output.

    `binary` runs that executable instead (the real MediaMTX, in tests/functional/real_media).
    """

    def __init__(
        self,
        config_path: Path,
        api_port: int,
        *,
        wait_ready: bool = True,
        binary: Path | None = None,
    ) -> None:
        self.command = [str(binary)] if binary else [sys.executable, str(FAKE_SCRIPT)]
        self.config_path = config_path
        self.api_port = api_port
        self.api_url = f"http://127.0.0.1:{api_port}"
        self.wait_ready = wait_ready
        self.output: list[str] = []
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> FakeMediaMTX:
        self.process = await asyncio.create_subprocess_exec(
            *self.command,
            str(self.config_path),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())
        if self.wait_ready:
            await self._until_ready()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()

    async def request(self, method: str, route: str, json: Any = None) -> tuple[int, Any]:
        """Call the stand-in's API; (status, decoded JSON body or None)."""
        return await call_api(self.api_url, method, route, json)

    async def exit_code(self) -> int:
        """Wait (at most 10 s) for the process to end; its exit code, with all output read."""
        assert self.process is not None and self._reader is not None
        async with asyncio.timeout(10):
            code = await self.process.wait()
            await self._reader
        return code

    async def _until_ready(self) -> None:
        assert self.process is not None
        for _ in range(200):
            if self.process.returncode is not None:
                raise RuntimeError(f"stand-in exited early: {self.output}")
            try:
                if (await self.request("GET", "/v3/info"))[0] == 200:
                    return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
        raise RuntimeError(f"stand-in never answered: {self.output}")

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for raw in self.process.stdout:
            self.output.append(raw.decode().rstrip())
