"""Shared pieces of the CLI tests: a seeded site on a real SQLite file, and runners."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest

from kiosk.cli import main

ROOT = Path(__file__).resolve().parent.parent
CONFIG = '[kiosk]\nsecure_url = "https://kiosk.test:8443"\n'
EVENT_FILE = """\
[event]
slug = "pycon2026"
name = "PyCon 2026"

[[rooms]]
slug = "main"
name = "Main Hall"
booths = [{ lang = "en", name = "English" }, { lang = "de", name = "Deutsch" }]

[[rooms]]
slug = "hall-b"
name = "Hall B"
booths = [{ lang = "fr", name = "Français", transcription = true }]
"""


@dataclass(frozen=True)
class Result:
    """What a command did: exit status and output."""

    code: int
    out: str
    err: str


class Cli(Protocol):
    """Runs one command on the seeded site."""

    def __call__(self, *argv: str, stdin: str = "") -> Result: ...


@dataclass(frozen=True)
class Site:
    """A kiosk folder with its configuration file."""

    folder: Path

    @property
    def config(self) -> Path:
        return self.folder / "kiosk.toml"

    @property
    def database(self) -> Path:
        return self.folder / "data" / "kiosk.sqlite3"

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.database) as conn:
            return conn.execute(sql).fetchall()

    def snapshot(self) -> dict[str, list[tuple[object, ...]]]:
        """Every row of every table: compared before and after to prove nothing changed."""
        if not self.database.exists():
            return {}
        with sqlite3.connect(self.database) as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}


def run(
    site: Site,
    *argv: str,
    stdin: str = "",
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Result:
    """Run one command in-process with `--config` pointing at the site."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main([*argv, "--config", str(site.config)])
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def run_process(cwd: Path, *argv: str, stdin: str = "") -> Result:
    """Run `python -m kiosk` as a real subprocess in `cwd`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", *argv],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One initialised site with an imported event and an admin, copied for each test."""
    folder = tmp_path_factory.mktemp("template")
    (folder / "kiosk.toml").write_text(CONFIG)
    (folder / "event.toml").write_text(EVENT_FILE)
    config = str(folder / "kiosk.toml")
    with pytest.MonkeyPatch.context() as patch:
        assert main(["init", "--config", config]) == 0
        assert main(["event", "import", str(folder / "event.toml"), "--config", config]) == 0
        patch.setattr(sys, "stdin", io.StringIO("correct horse\n"))
        assert (
            main(
                [
                    "user",
                    "add",
                    "root@example.org",
                    "--admin",
                    "--password-stdin",
                    "--config",
                    config,
                ]
            )
            == 0
        )
    return folder


@pytest.fixture
def site(seeded_template: Path, tmp_path: Path) -> Site:
    """A fresh copy of the seeded site."""
    folder = tmp_path / "site"
    shutil.copytree(seeded_template, folder)
    return Site(folder)


@pytest.fixture
def empty_site(tmp_path: Path) -> Site:
    """A folder with only a configuration file: no data yet."""
    (tmp_path / "kiosk.toml").write_text(CONFIG)
    return Site(tmp_path)


@pytest.fixture
def cli(
    site: Site, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Cli]:
    """`cli(*argv, stdin=...)` on the seeded site."""

    def call(*argv: str, stdin: str = "") -> Result:
        return run(site, *argv, stdin=stdin, capsys=capsys, monkeypatch=monkeypatch)

    yield call


def one_error_line(result: Result) -> str:
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("voxbento-kiosk: error: "), lines[0]
    assert "Traceback" not in result.err
    return lines[0]
