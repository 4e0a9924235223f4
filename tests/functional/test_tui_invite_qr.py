"""The invite QR in ordinary terminals: `voxbento-kiosk run --demo` in tmux at 80×24 and 100×30.

A technician creates an invite on the Invites screen and presses `f`; the pane is captured as
plain text, the half-block characters are read back into a picture, and zbarimg must decode it
to the invite's join link. The link is the longest an IPv4 LAN address gives.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.functional.test_tui_tmux import ROOT, WAIT, free_port, tmux, wait_for_pane

pytestmark = pytest.mark.tmux

SECURE_URL = "https://192.168.100.123:8443"
HALF_BLOCKS = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}
PIXELS_PER_MODULE = 6


def read_matrix(pane: str, width: int) -> list[list[bool]]:
    """The module rows drawn in the pane: every line made only of half blocks and spaces."""
    rows: list[list[bool]] = []
    for line in pane.splitlines():
        if set(line) <= HALF_BLOCKS.keys():
            padded = line.ljust(width)
            rows.append([HALF_BLOCKS[ch][0] for ch in padded])
            rows.append([HALF_BLOCKS[ch][1] for ch in padded])
    return rows


def decode(matrix: list[list[bool]], folder: Path) -> str:
    """What zbarimg reads from the matrix drawn as a picture with a light margin."""
    margin, size = 8, PIXELS_PER_MODULE
    height, width = len(matrix), len(matrix[0])
    image = Image.new("L", ((width + 2 * margin) * size, (height + 2 * margin) * size), 255)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                left, top = (x + margin) * size, (y + margin) * size
                image.paste(0, (left, top, left + size, top + size))
    path = folder / "pane.png"
    image.save(path)
    done = subprocess.run(
        ["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, timeout=WAIT
    )
    assert done.returncode == 0, f"zbarimg read nothing (exit {done.returncode}): {path}"
    return done.stdout.strip()


def invite_tokens(database: Path) -> list[str]:
    with sqlite3.connect(database) as conn:
        return [row[0] for row in conn.execute("SELECT token FROM invitetoken")]


def wait_for_invite(database: Path) -> str:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if database.exists() and (tokens := invite_tokens(database)):
            return tokens[0]
        time.sleep(0.2)
    raise AssertionError("the console created no invite")


@pytest.mark.parametrize(("columns", "lines"), [(80, 24), (100, 30)], ids=["80x24", "100x30"])
def test_full_screen_invite_qr_decodes_to_the_join_link(
    tmp_path: Path, columns: int, lines: int
) -> None:
    port = free_port()
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\nsecure_url = "{SECURE_URL}"\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\nhttps_port = {free_port()}\ntls = "off"\n'
        "[mediamtx]\nenabled = false\n"
    )
    session = f"kiosk-qr-{port}"
    script = Path(sys.executable).parent / "voxbento-kiosk"
    program = str(script) if script.exists() else f"{sys.executable} -m kiosk"
    command = f"cd {ROOT} && {program} run --config {config} --demo"
    tmux("new-session", "-d", "-s", session, "-x", str(columns), "-y", str(lines), command)
    try:
        wait_for_pane(session, "demo/main")
        tmux("send-keys", "-t", session, "i")
        wait_for_pane(session, "Booth", "Role")
        tmux("send-keys", "-t", session, "C-n")
        token = wait_for_invite(tmp_path / "data" / "kiosk.sqlite3")
        if columns < 100:
            # The side panel is narrower than the code: it says so instead of cropping it.
            wait_for_pane(session, "Too small to")
        tmux("send-keys", "-t", session, "Escape")
        # Escape then a letter at once reads as alt+letter: give the terminal a beat between.
        time.sleep(0.5)
        tmux("send-keys", "-t", session, "f")
        pane = wait_for_pane(session, f"{SECURE_URL}/join/{token}", "Esc: back")
        matrix = read_matrix(pane, columns)
        assert decode(matrix, tmp_path) == f"{SECURE_URL}/join/{token}"
        tmux("send-keys", "-t", session, "Escape")
        wait_for_pane(session, "Booth", "Role")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
