"""The database and its WAL and SHM files are private (0600), like secrets.toml.

They hold live invite tokens. The files are made by the real CLI and a real `serve` process,
with the ordinary umask 022 that would otherwise leave them readable by every account.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.cli_support import ROOT, run_process
from tests.fakes import free_port

# Slow: each test runs the CLI as a subprocess.
pytestmark = pytest.mark.slow

WAIT = 30.0  # a safety net against hangs, never a measured duration


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def write_site(folder: Path, port: int) -> Path:
    config = folder / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{folder / "data"}"\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\ntls = "off"\n'
        "[mediamtx]\nenabled = false\n"
    )
    return config


def test_init_makes_the_database_private(tmp_path: Path) -> None:
    config = write_site(tmp_path, free_port())
    old = os.umask(0o022)
    try:
        assert run_process(tmp_path, "init", "--config", str(config)).code == 0
    finally:
        os.umask(old)
    assert mode(tmp_path / "data" / "kiosk.sqlite3") == 0o600
    assert mode(tmp_path / "data" / "secrets.toml") == 0o600


def test_a_running_kiosk_keeps_its_database_wal_and_shm_private(tmp_path: Path) -> None:
    port = free_port()
    config = write_site(tmp_path, port)
    data = tmp_path / "data"
    data.mkdir()
    # A database left readable by an older version is tightened on the next start.
    (data / "kiosk.sqlite3").touch(mode=0o644)
    os.chmod(data / "kiosk.sqlite3", 0o644)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "serve", "--config", str(config)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: os.umask(0o022),
    )
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert json.loads(r.read())["db"] == "ok"
                break
            except OSError:
                assert time.monotonic() < deadline, "the kiosk never answered /healthz"
                time.sleep(0.2)
        files = {name: data / name for name in ("kiosk.sqlite3", "kiosk.sqlite3-wal")}
        files["kiosk.sqlite3-shm"] = data / "kiosk.sqlite3-shm"
        for name, path in files.items():
            assert path.exists(), f"{name} missing: SQLite is not in WAL mode?"
            assert mode(path) == 0o600, f"{name} is {oct(mode(path))}"
    finally:
        process.terminate()
        process.wait(timeout=WAIT)
