"""Support for the change-watcher tests: a running kiosk on a SQLite file, and other writers.

The kiosk is the full application (`make_app`) on a loopback port, on a migrated SQLite file.
Changes come from outside it as they would at a venue: the real `voxbento-kiosk` command run
as a subprocess against the same database, or a second Python process writing through `db`.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

import db
from tests.harness.app import ClientSocket, Kiosk, make_config, running_kiosk
from tests.media_support import hook_request
from tests.server_support import browser
from tests.ws_support import next_message

FOLLOW_SECONDS = 2.0
"""The promise: a change made elsewhere reaches the running kiosk within this time."""
PROCESS_TIMEOUT = 60.0  # a safety net for a subprocess on a loaded machine, never measured


@dataclass
class Outside:
    """Writers outside the running kiosk, on its database file."""

    folder: Path
    database: Path

    @property
    def config(self) -> Path:
        """A kiosk.toml for the CLI that points at the kiosk's database."""
        path = self.folder / "cli.toml"
        if not path.exists():
            path.write_text(
                f'[kiosk]\ndata_dir = "{self.folder / "cli-data"}"\n'
                f'[database]\nurl = "{db.sqlite_url(self.database)}"\n'
                "[mediamtx]\nenabled = false\n"
            )
        return path

    async def cli(self, *argv: str) -> str:
        """Run `voxbento-kiosk ARGV` as its own process; returns stdout, fails on exit != 0."""
        return await _run(sys.executable, "-m", "kiosk", "--config", str(self.config), *argv)

    async def python(self, body: str) -> str:
        """Run `body` (the inside of an async function, with `db` open) in a second process."""
        script = (
            "import asyncio, sys\nimport db\n\n"
            "async def main():\n"
            "    await db.init_db(sys.argv[1])\n"
            "    try:\n"
            f"{textwrap.indent(textwrap.dedent(body), ' ' * 8)}\n"
            "    finally:\n"
            "        await db.close_db()\n\n"
            "asyncio.run(main())\n"
        )
        return await _run(sys.executable, "-c", script, db.sqlite_url(self.database))


async def _run(*argv: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    async with asyncio.timeout(PROCESS_TIMEOUT):
        out, err = await process.communicate()
    assert process.returncode == 0, f"{argv[1:4]} exited {process.returncode}: {err.decode()}"
    return out.decode()


@dataclass(kw_only=True)
class Running(Kiosk):
    """The harness's kiosk under test, and the writers outside it."""

    outside: Outside


@asynccontextmanager
async def kiosk_on_file(tmp_path: Path, database: Path) -> AsyncIterator[Running]:
    """The full kiosk on `database` (opened by the `file_db` fixture), MediaMTX off."""
    outside = Outside(tmp_path, database)
    async with running_kiosk(make_config(tmp_path), kind=Running, outside=outside) as running:
        yield running


@asynccontextmanager
async def client(running: Running) -> AsyncIterator[aiohttp.ClientSession]:
    """A browser-like client of the running kiosk."""
    async with browser(running.server) as session:
        yield session


async def within(seconds: float, ws: ClientSocket, predicate: Any) -> dict[str, Any]:
    """The first frame satisfying `predicate` if it comes within `seconds`, else fail."""
    try:
        async with asyncio.timeout(seconds):
            while True:
                frame = await next_message(ws)
                if predicate(frame):
                    return frame
    except TimeoutError:
        raise AssertionError(f"nothing matching within {seconds} s") from None


async def quiet_for(seconds: float, ws: ClientSocket) -> list[dict[str, Any]]:
    """Every frame that arrives in the next `seconds` (none expected, usually)."""
    frames: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(seconds):
            while True:
                frames.append(await next_message(ws))
    except TimeoutError:
        return frames


def booth_channels(state: dict[str, Any]) -> dict[str, str]:
    """booth id -> language name of the booth channels of a `listen:state`."""
    return {c["booth_id"]: c["language_name"] for c in state["channels"] if c["kind"] == "booth"}


async def media_hook(running: Running, action: str, path: str, token: str) -> int:
    """What the kiosk's auth hook answers MediaMTX for a WebRTC request with `token`."""
    body = hook_request(action, path, token)
    secret = running.services.secrets.media_secret
    async with aiohttp.ClientSession() as session:
        url = running.server.make_url(f"/mediamtx/auth?secret={secret}")
        async with session.post(url, json=body) as response:
            return response.status
