"""A kiosk that cannot start says why in one line, exits 2, and shows no secret.

Both front doors are tried as a technician starts them, in real processes: `serve`, and the
console (`voxbento-kiosk` with no command) on a real pseudo-terminal, where Textual used to
print a traceback with local variables that held the JWT key, the Fernet keys and the media
secret, and then exit 0.
"""

from __future__ import annotations

import os
import pty
import re
import select
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.cli import main
from tests.cli_support import ROOT, one_error_line, run_process
from tests.fakes import free_port

# Slow: each test starts the kiosk as a subprocess and waits for it to fail.
pytestmark = pytest.mark.slow

WAIT = 60.0  # a safety net against hangs, never a measured duration
ANSI = re.compile(r"\x1b(\[[0-9;?<>=$]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-_])")


def write_config(folder: Path, port: int, https_port: int, **server: str) -> Path:
    """An initialised site in `folder` on loopback ports; extra [server] keys as TOML values."""
    extra = "".join(f"{key} = {value}\n" for key, value in server.items())
    config = folder / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{folder / "data"}"\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\nhttps_port = {https_port}\n{extra}'
        "[mediamtx]\nenabled = false\n"
    )
    assert main(["init", "--config", str(config)]) == 0  # makes the secrets
    return config


def secret_values(folder: Path) -> list[str]:
    """Every secret in the site's secrets.toml (made by the first start)."""
    data = tomllib.loads((folder / "data" / "secrets.toml").read_text())
    return [data["jwt_key"], data["media_secret"], *data["fernet_keys"]]


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port some other program is listening on."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        yield sock.getsockname()[1]


def run_in_terminal(folder: Path, *argv: str) -> tuple[int, str]:
    """Run the CLI on a real pseudo-terminal (as the console needs); exit status and output."""
    script = Path(sys.executable).parent / "voxbento-kiosk"
    program = [str(script)] if script.exists() else [sys.executable, "-m", "kiosk"]
    primary, secondary = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    env["PYTHONPATH"] = str(ROOT)
    process = subprocess.Popen(
        [*program, *argv],
        cwd=folder,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        close_fds=True,
    )
    os.close(secondary)
    chunks: list[bytes] = []
    deadline = time.monotonic() + WAIT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.2)
            if ready:
                try:
                    data = os.read(primary, 65536)
                except OSError:  # EIO: the terminal's last user closed it
                    break
                if not data:
                    break
                chunks.append(data)
            elif process.poll() is not None:
                break
        code = process.wait(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
    return code, ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))


def test_serve_on_a_busy_port_says_which_key_to_change_and_exits_2(
    tmp_path: Path, busy_port: int
) -> None:
    config = write_config(tmp_path, busy_port, free_port(), tls='"off"')
    result = run_process(tmp_path, "serve", "--config", str(config))
    assert result.code == 2
    line = one_error_line(result)
    assert f"port {busy_port} is already in use" in line
    assert "[server] port" in line and str(config) in line
    for secret in secret_values(tmp_path):
        assert secret not in result.out + result.err


def test_serve_on_a_busy_https_port_names_https_port(tmp_path: Path, busy_port: int) -> None:
    config = write_config(tmp_path, free_port(), busy_port, tls='"self-signed"')
    result = run_process(tmp_path, "serve", "--config", str(config))
    assert result.code == 2
    line = one_error_line(result)
    assert f"port {busy_port}" in line and "[server] https_port" in line


def test_console_on_a_busy_port_is_one_line_exit_2_and_no_secrets(
    tmp_path: Path, busy_port: int
) -> None:
    config = write_config(tmp_path, busy_port, free_port(), tls='"off"')
    code, output = run_in_terminal(tmp_path, "--config", str(config))
    assert code == 2, output
    assert f"voxbento-kiosk: error: port {busy_port} is already in use" in output
    assert "[server] port" in output
    assert "Traceback" not in output and "locals" not in output
    for secret in secret_values(tmp_path):
        assert secret not in output


def test_console_that_fails_after_drawing_exits_2_without_a_traceback(tmp_path: Path) -> None:
    # A certificate file that is not one fails inside the running console, after it drew.
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("not a certificate\n")
    key.write_text("not a key\n")
    config = write_config(
        tmp_path, free_port(), free_port(), tls='"files"', tls_cert=f'"{cert}"', tls_key=f'"{key}"'
    )
    code, output = run_in_terminal(tmp_path, "run", "--config", str(config))
    assert code == 2, output
    errors = [line for line in output.splitlines() if "voxbento-kiosk: error:" in line]
    assert len(errors) == 1, output
    assert "certificate" in errors[0] and "tls_cert" in errors[0]
    assert "Traceback" not in output and "locals" not in output
    for secret in secret_values(tmp_path):
        assert secret not in output
