"""The tracked `kiosk.toml` is the user's file, never a test fixture.

A user who changes its ports must still see `./scripts/test` pass. Two checks: no test module
names the repository's `kiosk.toml` except the parse-and-document checks in test_config, and a
copy of the repository whose `kiosk.toml` says other ports and another data folder passes the
tests that sit closest to the configuration, run as a subprocess from that copy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Slow: each test runs the kiosk as a subprocess on the tracked configuration.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".pytest_cache", "data", "*.egg-info")
# A module naming the repository's own file: ROOT / "kiosk.toml", or a bare relative path.
READS_TRACKED = re.compile(r'ROOT\s*/\s*"kiosk\.toml"|Path\("kiosk\.toml"\)|open\("kiosk\.toml"')
ALLOWED = {"test_config.py", "test_tracked_config.py"}


def test_no_test_reads_the_tracked_kiosk_toml() -> None:
    offenders = [
        path.name
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if path.name not in ALLOWED and READS_TRACKED.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def _edited_user_file(text: str) -> str:
    changes = {
        "port = 8080": "port = 18080",
        "https_port = 8443": "https_port = 18443",
        "api_port = 9997": "api_port = 19997",
        'data_dir = "data"': 'data_dir = "elsewhere"',
        'tls = "self-signed"': 'tls = "off"',
        "invite_hours = 72": "invite_hours = 5",
    }
    for old, new in changes.items():
        assert old in text, f"the tracked kiosk.toml no longer says {old!r}"
        text = text.replace(old, new, 1)
    return text


def test_the_suite_passes_with_a_changed_kiosk_toml(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=SKIP)
    user_file = copy / "kiosk.toml"
    user_file.write_text(_edited_user_file(user_file.read_text()))
    env = {**os.environ, "PYTHONPATH": str(copy)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/unit/test_config.py",
            "tests/functional/test_cli.py::test_init_on_a_fresh_folder_writes_everything_and_says_what_next",
            "tests/functional/test_pages_routes.py",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout
    # The copy's modules were the ones tested, not this checkout's.
    where = subprocess.run(
        [sys.executable, "-c", "import server; print(server.__file__)"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.strip().startswith(str(copy))
