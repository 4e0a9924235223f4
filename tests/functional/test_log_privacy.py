"""No credential reaches the log: invite tokens, listener tokens, the media secret.

A real `serve` process gets the requests a phone, an interpreter and a curious visitor make;
its log (stderr, as a service manager would keep it) is then searched for every credential.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import re
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from kiosk.cli import main
from server.hosting.runner import KioskRunner
from tests.cli_support import ROOT
from tests.fakes import free_port
from tests.harness.app import make_config, make_services

# Slow: each test runs the kiosk as a subprocess and reads its log.
pytestmark = pytest.mark.slow

WAIT = 30.0  # a safety net against hangs, never a measured duration
JOIN_RE = re.compile(r"/join/([A-Za-z0-9_-]+)")


@dataclass
class Served:
    """A running kiosk, one unredeemed invite token and where its log goes."""

    base: str
    invite: str
    log: Path
    folder: Path

    def secrets(self) -> list[str]:
        data = tomllib.loads((self.folder / "data" / "secrets.toml").read_text())
        return [data["jwt_key"], data["media_secret"], *data["fernet_keys"]]


def cli(folder: Path, *argv: str) -> str:
    """Run a setup command in-process (only the server under test is a separate process)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*argv, "--config", str(folder / "kiosk.toml")]) == 0
    return out.getvalue()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    (tmp_path / "kiosk.toml").write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\ntls = "off"\n'
        "[mediamtx]\nenabled = false\n"
    )
    cli(tmp_path, "init")
    cli(tmp_path, "event", "add", "demo", "Demo", "--listener-code", "4321")
    cli(tmp_path, "booth", "add", "demo/main", "en", "English")
    match = JOIN_RE.search(
        cli(tmp_path, "invite", "create", "demo/main/en", "--role", "interpreter")
    )
    assert match
    log = tmp_path / "kiosk.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "serve", "--config", str(tmp_path / "kiosk.toml")],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as reply:
                    json.loads(reply.read())
                break
            except OSError:
                assert time.monotonic() < deadline, "the kiosk never answered /healthz"
                time.sleep(0.2)
        yield Served(base, match.group(1), log, tmp_path)
    finally:
        process.terminate()
        process.wait(timeout=WAIT)


async def visit(served: Served) -> str:
    """What phones, an interpreter and a visitor do; returns the listener token they got."""
    async with aiohttp.ClientSession(base_url=served.base) as session:
        async with session.post("/listen/demo/main/token", data={"code": "4321"}) as reply:
            listener_token = (await reply.json())["token"]
        ws = await session.ws_connect("/ws/listen/demo/main", params={"token": listener_token})
        await ws.receive()
        await ws.close()
        await (await session.get("/listen/demo/main", params={"token": listener_token})).read()
        await (await session.get(f"/qr/invite/{served.invite}.svg")).read()
        referer = {"Referer": f"{served.base}/join/{served.invite}"}
        await (await session.get("/static/css/booth.css", headers=referer)).read()
        await (await session.get(f"/join/{served.invite}", allow_redirects=False)).read()
        await (await session.get("/healthz", params={"secret": served.secrets()[1]})).read()
    return str(listener_token)


def test_the_access_log_never_holds_a_token_or_a_secret(served: Served) -> None:
    listener_token = asyncio.run(visit(served))
    time.sleep(0.5)  # the last access lines are written after the responses
    log = served.log.read_text()
    assert "/join/[redacted]" in log and "/qr/invite/[redacted].svg" in log
    assert "token=[redacted]" in log
    for credential in [served.invite, listener_token, *served.secrets()]:
        assert credential not in log


@pytest.mark.anyio
async def test_the_runner_the_console_embeds_masks_its_access_log_too(
    tmp_path: Path, memory_db: None, caplog: pytest.LogCaptureFixture
) -> None:
    # `serve` and the console host the server through the same KioskRunner: its access log is
    # the kiosk's (credentials masked, hook calls unlogged), whoever started it.
    config = make_config(tmp_path, server={"host": "127.0.0.1", "port": 0, "tls": "off"})
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    runner = KioskRunner(config, make_services())
    async with runner as running, aiohttp.ClientSession() as session:
        base = running.url(secure=False, host="127.0.0.1")
        await (await session.get(f"{base}/healthz", params={"token": token})).read()
        await (await session.post(f"{base}/mediamtx/auth", params={"secret": "x"})).read()
        await asyncio.sleep(0.1)  # the access line is written after the response
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any("/healthz?token=[redacted]" in line for line in lines), lines
    assert not any(token in line or "/mediamtx/auth" in line for line in lines), lines
