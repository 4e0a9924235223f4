"""The one factory for the console in tests: `KioskApp` in a Textual test terminal.

`console_app(...)` builds the console (for snapshot tests, which start it themselves);
`running_console(...)` also opens a fresh SQLite database in the temporary folder, seeds it,
starts the console with its pilot and waits until it is ready.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import db
from db.migrate import migrate_db
from kiosk.app import KioskApp, create_app
from server.config import Config
from tests.harness.app import make_config, make_services

SIZE = (140, 45)
WAIT = 10.0  # a safety net against hangs, never a measured duration


def console_config(data_dir: Path, mediamtx: dict[str, Any] | None = None, **kiosk: Any) -> Config:
    """Data in `data_dir`, loopback on free ports, TLS off, fixed public URLs; MediaMTX off
    unless `mediamtx` says; `kiosk` overrides keys of the `[kiosk]` section."""
    return make_config(
        data_dir,
        kiosk={
            "data_dir": str(data_dir),
            "public_url": "http://kiosk.test:8080",
            "secure_url": "https://kiosk.test:8443",
            **kiosk,
        },
        server={"host": "127.0.0.1", "port": 0, "https_port": 0, "tls": "off"},
        mediamtx=mediamtx or {"enabled": False},
    )


def console_app(
    config: Config,
    *,
    start_server: bool = False,
    clock: Callable[[], float] | None = None,
    demo: bool = False,
    open_database: bool = False,
) -> KioskApp:
    """The console on `config` with fresh services on `clock` (real time when None)."""
    services = make_services(clock, open_database=open_database)
    return create_app(config, services, start_server=start_server, clock=services.clock, demo=demo)


@asynccontextmanager
async def running_console(
    tmp_path: Path,
    *,
    start_server: bool = False,
    clock: Callable[[], float] | None = None,
    demo: bool = False,
    seed: Callable[[], Awaitable[None]] | None = None,
    mediamtx: dict[str, Any] | None = None,
    size: tuple[int, int] = SIZE,
    migrate: bool = False,
    **kiosk: Any,
) -> AsyncIterator[tuple[KioskApp, Any]]:
    """A started console in a test terminal (140×45 unless `size` says), with its pilot.

    The database is `tmp_path/kiosk.sqlite3`, fresh (schemas generated, or brought up by the
    migrations as in production with `migrate`) and filled by `seed` before the console starts.
    """
    url = db.sqlite_url(tmp_path / "kiosk.sqlite3")
    if migrate:
        await migrate_db(url)
        await db.init_db(url)
    else:
        await db.init_db(url, generate_schemas=True)
    try:
        if seed is not None:
            await seed()
        config = console_config(tmp_path, mediamtx, **kiosk)
        app = console_app(config, start_server=start_server, clock=clock, demo=demo)
        async with app.run_test(size=size) as pilot:
            await asyncio.wait_for(app.ready.wait(), WAIT)
            await pilot.pause()
            yield app, pilot
    finally:
        await db.close_db()
