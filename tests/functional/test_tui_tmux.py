"""The real thing in a real terminal: `voxbento-kiosk run --demo` inside tmux.

It must draw the phones' URL and the demo booths, answer /healthz while the console runs, and
quit on its key binding.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.tmux

WAIT = 30.0  # a safety net against hangs, never a measured duration
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tmux(*args: str) -> str:
    """Run one tmux command and return its output."""
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def wait_for_pane(session: str, *needles: str) -> str:
    """Capture the pane until every needle shows; returns the last capture."""
    deadline = time.monotonic() + WAIT
    pane = ""
    while time.monotonic() < deadline:
        pane = tmux("capture-pane", "-p", "-t", session)
        if all(needle in pane for needle in needles):
            return pane
        time.sleep(0.2)
    raise AssertionError(f"never saw {needles!r} in the pane:\n{pane}")


def test_console_runs_in_tmux_serves_healthz_and_quits_on_q(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\nhttps_port = {free_port()}\ntls = "off"\n'
        "[mediamtx]\nenabled = false\n"
    )
    session = f"kiosk-test-{port}"
    # The installed console script, as a technician starts it (`pip install -e .` puts it next
    # to the interpreter); a bare checkout without it falls back to the module.
    script = Path(sys.executable).parent / "voxbento-kiosk"
    program = str(script) if script.exists() else f"{sys.executable} -m kiosk"
    command = f"cd {ROOT} && {program} run --config {config} --demo"
    tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "50", command)
    try:
        pane = wait_for_pane(session, f":{port}", "demo/main", "en English", "fr Français")
        assert "Phones: http://" in pane
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=WAIT) as reply:
            health = json.loads(reply.read())
        assert health["ok"] is True
        assert health["mediamtx"] == "disabled"
        tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + WAIT
        while (
            subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode
            == 0
        ):
            assert time.monotonic() < deadline, "the console did not quit on q"
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
