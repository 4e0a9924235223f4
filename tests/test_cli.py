"""The `voxbento-kiosk` command line (DESIGN.md §5), run as a user would.

Most cases call `kiosk.cli.main(argv)` in-process on a real SQLite file; a few run
`python -m kiosk` as a real subprocess to check what a terminal shows. Every bad-input case
checks the exit status 2, one line on stderr, and that the database did not change.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import pytest
from PIL import Image

import db
from kiosk.cli import main
from server.auth import verify_password
from server.config import load_config
from server.manage import open_database, read_secret, store_secret
from server.secrets_file import read_secrets

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


def _one_error_line(result: Result) -> str:
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("voxbento-kiosk: error: "), lines[0]
    assert "Traceback" not in result.err
    return lines[0]


# --- init -------------------------------------------------------------------------------


def test_init_on_a_fresh_folder_writes_everything_and_says_what_next(tmp_path: Path) -> None:
    result = run_process(tmp_path, "init")
    assert result.code == 0, result.err
    assert (tmp_path / "kiosk.toml").read_text() == (ROOT / "kiosk.toml").read_text()
    secrets_file = tmp_path / "data" / "secrets.toml"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert (tmp_path / "data" / "kiosk.sqlite3").is_file()
    assert (tmp_path / "data" / "tls" / "kiosk.crt").is_file()
    assert stat.S_IMODE((tmp_path / "data" / "tls" / "kiosk.key").stat().st_mode) == 0o600
    assert str(secrets_file) in result.out
    assert "Next steps:" in result.out and "voxbento-kiosk user add" in result.out


def test_init_twice_keeps_secrets_certificate_and_data(
    site: Site, cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    secrets_before = (site.folder / "data" / "secrets.toml").read_bytes()
    cert_before = (site.folder / "data" / "tls" / "kiosk.crt").read_bytes()
    snapshot = site.snapshot()
    result = cli("init")
    assert result.code == 0
    assert (site.folder / "data" / "secrets.toml").read_bytes() == secrets_before
    assert (site.folder / "data" / "tls" / "kiosk.crt").read_bytes() == cert_before
    assert site.snapshot() == snapshot
    assert "kept as it was" in result.out and "up to date" in result.out


def test_init_writes_the_config_where_config_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "venue" / "kiosk.toml"
    assert main(["init", "--config", str(target)]) == 0
    assert target.is_file() and (tmp_path / "venue" / "data" / "secrets.toml").is_file()
    assert f"Configuration: {target} (written" in capsys.readouterr().out


# --- events, rooms, booths -------------------------------------------------------------------


def test_event_add_creates_the_event_with_its_main_room(site: Site, cli: Cli) -> None:
    result = cli("event", "add", "DemoConf", "Demo Conference")
    assert result.code == 0, result.err
    assert site.rows("SELECT slug, display_name FROM event WHERE slug = 'democonf'") == [
        ("democonf", "Demo Conference")
    ]
    assert site.rows(
        "SELECT r.slug FROM room r JOIN event e ON r.event_id = e.id WHERE e.slug = 'democonf'"
    ) == [("main",)]
    assert "Created event democonf" in result.out


def test_commands_work_without_init_creating_the_database_on_demand(
    empty_site: Site, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(empty_site, "event", "add", "demo", "Demo", capsys=capsys, monkeypatch=monkeypatch)
    assert result.code == 0, result.err
    assert empty_site.rows("SELECT slug FROM event") == [("demo",)]


def test_config_may_come_before_the_command(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(site.config), "room", "add", "pycon2026", "hall-c", "Hall C"]) == 0
    assert ("hall-c",) in site.rows("SELECT slug FROM room")


def test_room_add_and_booth_add(site: Site, cli: Cli) -> None:
    assert cli("room", "add", "pycon2026", "hall-c", "Hall C").code == 0
    result = cli("booth", "add", "pycon2026/hall-c", "PT-BR", "Português", "--transcription")
    assert result.code == 0, result.err
    assert site.rows(
        "SELECT path, language_name, transcription FROM booth WHERE path LIKE '%hall-c%'"
    ) == [("pycon2026/hall-c/pt-br", "Português", 1)]
    assert "invite create pycon2026/hall-c/pt-br" in result.out


def test_event_import_creates_two_rooms_and_their_booths(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text(CONFIG)
    (tmp_path / "event.toml").write_text(EVENT_FILE)
    result = run_process(tmp_path, "event", "import", "event.toml")
    assert result.code == 0, result.err
    site = Site(tmp_path)
    assert site.rows("SELECT slug, display_name FROM room ORDER BY id") == [
        ("main", "Main Hall"),
        ("hall-b", "Hall B"),
    ]
    assert [r[0] for r in site.rows("SELECT path FROM booth ORDER BY id")] == [
        "pycon2026/main/en",
        "pycon2026/main/de",
        "pycon2026/hall-b/fr",
    ]
    assert "2 room(s), 3 booth(s)" in result.out


# --- users ----------------------------------------------------------------------------------


def test_user_add_reads_the_password_from_stdin(site: Site, cli: Cli) -> None:
    result = cli(
        "user", "add", "Ana@Example.org", "--name", "Ana", "--password-stdin", stdin="s3cret-pw\n"
    )
    assert result.code == 0, result.err
    [(name, hashed, admin)] = site.rows(
        "SELECT display_name, password_hash, is_admin FROM user WHERE email = 'ana@example.org'"
    )
    assert (name, admin) == ("Ana", 0)
    assert verify_password("s3cret-pw", str(hashed))


def test_user_add_admin(site: Site, cli: Cli) -> None:
    assert (
        cli(
            "user", "add", "boss@example.org", "--admin", "--password-stdin", stdin="long enough\n"
        ).code
        == 0
    )
    assert site.rows("SELECT is_admin FROM user WHERE email = 'boss@example.org'") == [(1,)]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _prompting(
    site: Site,
    answers: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Result:
    monkeypatch.setattr(sys, "stdin", _Terminal())
    replies = iter(answers)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(replies))
    code = main(["user", "add", "tess@example.org", "--config", str(site.config)])
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def test_user_add_asks_twice_in_a_terminal(
    site: Site, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _prompting(site, ["typed twice", "typed twice"], capsys, monkeypatch)
    assert result.code == 0, result.err
    assert site.rows("SELECT email FROM user WHERE email = 'tess@example.org'") == [
        ("tess@example.org",)
    ]


def test_user_add_refuses_two_different_passwords(
    site: Site, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = site.snapshot()
    result = _prompting(site, ["typed once!", "typed twice"], capsys, monkeypatch)
    assert result.code == 2
    assert "differ" in _one_error_line(result)
    assert site.snapshot() == before


# --- invites --------------------------------------------------------------------------------


def test_invite_create_prints_the_url_and_the_qr_and_saves_a_png(site: Site) -> None:
    result = run_process(
        site.folder,
        "invite",
        "create",
        "pycon2026/main/en",
        "--role",
        "interpreter",
        "--qr",
        "en.png",
    )
    assert result.code == 0, result.err
    [(token,)] = site.rows("SELECT token FROM invitetoken")
    assert f"https://kiosk.test:8443/join/{token}" in result.out.splitlines()
    assert (
        sum(1 for line in result.out.splitlines() if set(line) <= set("█▀▄ ") and len(line) > 20)
        > 10
    )
    with Image.open(site.folder / "en.png") as image:
        assert image.format == "PNG"


def test_invite_create_saves_an_svg(site: Site, cli: Cli) -> None:
    result = cli(
        "invite",
        "create",
        "pycon2026/main/de",
        "--role",
        "technician",
        "--qr",
        str(site.folder / "de.svg"),
    )
    assert result.code == 0, result.err
    assert (site.folder / "de.svg").read_text().lstrip().startswith("<svg")
    assert "QR code saved to" in result.out


def test_invite_create_takes_decimal_hours_and_uses(site: Site, cli: Cli) -> None:
    before = datetime.now(UTC)
    result = cli(
        "invite",
        "create",
        "pycon2026/main/en",
        "--role",
        "interpreter",
        "--hours",
        "0.5",
        "--uses",
        "3",
        "--label",
        "Ana",
    )
    assert result.code == 0, result.err
    [(expires, max_uses, label)] = site.rows("SELECT expires_at, max_uses, label FROM invitetoken")
    expires_at = datetime.fromisoformat(str(expires))
    assert (max_uses, label) == (3, "Ana")
    assert timedelta(minutes=29) < expires_at - before < timedelta(minutes=31)


def test_invite_create_defaults_to_the_configured_lifetime(site: Site, cli: Cli) -> None:
    before = datetime.now(UTC)
    assert cli("invite", "create", "pycon2026/main/en", "--role", "interpreter").code == 0
    [(expires,)] = site.rows("SELECT expires_at FROM invitetoken")
    lifetime = datetime.fromisoformat(str(expires)) - before
    assert timedelta(hours=71.9) < lifetime < timedelta(hours=72.1)


def test_invite_list_shows_a_table_with_prefix_booth_role_uses_expiry_status(
    site: Site, cli: Cli
) -> None:
    cli("invite", "create", "pycon2026/main/en", "--role", "interpreter", "--uses", "2")
    cli("invite", "create", "pycon2026/hall-b/fr", "--role", "technician")
    tokens = dict(site.rows("SELECT role, token FROM invitetoken"))
    result = cli("invite", "list")
    header, *rows = result.out.strip().splitlines()
    assert header.split() == ["TOKEN", "BOOTH", "ROLE", "USES", "EXPIRES", "STATUS", "LABEL"]
    assert len(rows) == 2
    assert rows[0].startswith(str(tokens["technician"])[:10])
    assert "pycon2026/main/en" in rows[1] and "0/2" in rows[1] and "active" in rows[1]
    assert str(tokens["interpreter"]) not in result.out  # only a prefix is shown


def test_invite_list_of_one_booth(site: Site, cli: Cli) -> None:
    cli("invite", "create", "pycon2026/main/en", "--role", "interpreter")
    assert "No invites for pycon2026/main/de." in cli("invite", "list", "pycon2026/main/de").out
    assert "pycon2026/main/en" in cli("invite", "list", "pycon2026/main/en").out


def test_invite_revoke_by_token_prefix(site: Site, cli: Cli) -> None:
    cli("invite", "create", "pycon2026/main/en", "--role", "interpreter")
    [(token,)] = site.rows("SELECT token FROM invitetoken")
    result = cli("invite", "revoke", str(token)[:10])
    assert result.code == 0, result.err
    assert site.rows("SELECT revoked_at IS NOT NULL FROM invitetoken") == [(1,)]
    assert "revoked" in cli("invite", "list").out


# --- secrets --------------------------------------------------------------------------------


def test_secrets_rotate_puts_a_new_key_first_and_reencrypts(site: Site, cli: Cli) -> None:
    config = load_config(site.config)
    before = read_secrets(config.data_dir)

    async def store() -> None:
        async with open_database(config):
            await store_secret("smtp", "hunter22", before.keyring)

    asyncio.run(store())
    stored_before = site.rows("SELECT value FROM secret")
    result = cli("secrets", "rotate")
    after = read_secrets(config.data_dir)

    async def read_with_new_key_only() -> str:
        async with open_database(config):
            return await read_secret("smtp", type(before.keyring)([after.fernet_keys[0]]))

    assert result.code == 0, result.err
    assert after.fernet_keys[1:] == before.fernet_keys
    assert site.rows("SELECT value FROM secret") != stored_before
    assert asyncio.run(read_with_new_key_only()) == "hunter22"
    assert "Re-encrypted 1 stored secret" in result.out


# --- bad input: exit 2, one line, nothing changed -------------------------------------------

BAD_INPUT = [
    (["frobnicate"], "invalid choice"),
    (["event"], "'event' needs a command"),
    (["event", "add", "pycon"], "required: NAME"),
    (["event", "add", "Py_Con", "PyCon"], "event slug 'py_con' is not valid"),
    (["event", "add", "pycon2026", "Again"], "event 'pycon2026' already exists"),
    (["event", "add", "pycon", "   "], "event name is empty"),
    (["event", "add", "pycon", "PyCon", "--listener-code", "1"], "listener code '1' is not valid"),
    (["room", "add", "nope", "hall-c", "Hall C"], "no event 'nope'"),
    (["room", "add", "pycon2026", "hall c", "Hall C"], "room slug 'hall c' is not valid"),
    (["room", "add", "pycon2026", "hall-b", "Again"], "room 'pycon2026/hall-b' already exists"),
    (["booth", "add", "pycon2026", "it", "Italiano"], "must have the form EVENT/ROOM"),
    (["booth", "add", "pycon2026/main", "ita!", "Italiano"], "language code 'ita!' is not valid"),
    (["booth", "add", "pycon2026/main", "floor", "Floor"], "'floor' is reserved"),
    (["booth", "add", "pycon2026/nope", "it", "Italiano"], "no room 'pycon2026/nope'"),
    (
        ["booth", "add", "pycon2026/main", "en", "English"],
        "booth 'pycon2026/main/en' already exists",
    ),
    (["user", "add", "not-an-email", "--password-stdin"], "email 'not-an-email' is not valid"),
    (
        ["user", "add", "root@example.org", "--password-stdin"],
        "user 'root@example.org' already exists",
    ),
    (["user", "add", "short@example.org", "--password-stdin"], "at least 8 characters"),
    (["user", "add", "nopw@example.org"], "use --password-stdin"),
    (["invite", "create", "pycon2026/main", "--role", "interpreter"], "EVENT/ROOM/LANG"),
    (
        ["invite", "create", "pycon2026/main/it", "--role", "interpreter"],
        "no booth 'pycon2026/main/it'",
    ),
    (["invite", "create", "pycon2026/main/en", "--role", "listener"], "invalid choice: 'listener'"),
    (["invite", "create", "pycon2026/main/en"], "required: --role"),
    (
        ["invite", "create", "pycon2026/main/en", "--role", "interpreter", "--hours", "soon"],
        "'soon' is not a number",
    ),
    (
        ["invite", "create", "pycon2026/main/en", "--role", "interpreter", "--hours", "0"],
        "hours must be a number above 0",
    ),
    (
        ["invite", "create", "pycon2026/main/en", "--role", "interpreter", "--hours", "-1"],
        "above 0",
    ),
    (
        ["invite", "create", "pycon2026/main/en", "--role", "interpreter", "--hours", "nan"],
        "above 0",
    ),
    (
        ["invite", "create", "pycon2026/main/en", "--role", "interpreter", "--hours", "9999"],
        "at most 8760",
    ),
    (
        ["invite", "create", "pycon2026/main/en", "--role", "interpreter", "--uses", "0"],
        "must be 1 or more",
    ),
    (
        ["invite", "create", "pycon2026/main/en", "--role", "interpreter", "--uses", "2.5"],
        "not a whole number",
    ),
    (
        ["invite", "create", "pycon2026/main/en", "--role", "interpreter", "--qr", "x.jpg"],
        "must end in .png or .svg",
    ),
    (
        [
            "invite",
            "create",
            "pycon2026/main/en",
            "--role",
            "interpreter",
            "--qr",
            "/no/such/dir/x.png",
        ],
        "no such folder",
    ),
    (["invite", "list", "pycon2026/main/it"], "no booth 'pycon2026/main/it'"),
    (["invite", "revoke", "abc"], "at least its first 6 characters"),
    (["invite", "revoke", "abcdefgh"], "no invite with a token starting 'abcdefgh'"),
    (["event", "import", "missing.toml"], "no such file: missing.toml"),
    (["transcript", "export", "pycon2026/main/en", "--format", "doc"], "invalid choice: 'doc'"),
    (
        ["transcript", "export", "pycon2026/main/it", "--format", "srt"],
        "no booth 'pycon2026/main/it'",
    ),
    (["captions", "check", "missing.wav"], "no such file: missing.wav"),
    (["mediamtx", "install", "--version", "latest"], "a release tag like 'v1.20.1'"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_exits_2_with_one_line_and_changes_nothing(
    site: Site, cli: Cli, argv: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(site.folder)
    before = site.snapshot()
    stdin = "short\n" if "short@example.org" in argv else "long enough\n"
    result = cli(*argv, stdin=stdin)
    assert result.code == 2
    assert message in _one_error_line(result)
    assert site.snapshot() == before


BAD_IMPORTS = {
    "invalid-toml": ("[event\nslug = 1\n", "not valid TOML"),
    "bad-last-booth": (
        EVENT_FILE.replace("pycon2026", "newconf").replace('lang = "fr"', 'lang = "f r"'),
        "rooms[2].booths[1]: language code 'f r' is not valid",
    ),
    "duplicate-room": (
        EVENT_FILE.replace("pycon2026", "newconf").replace('slug = "hall-b"', 'slug = "main"'),
        "room 'main' appears twice",
    ),
    "duplicate-language": (
        EVENT_FILE.replace("pycon2026", "newconf").replace('lang = "de"', 'lang = "en"'),
        "rooms[1]: language 'en' appears twice",
    ),
    "existing-event": (EVENT_FILE, "event 'pycon2026' already exists"),
    "no-event": ('[[rooms]]\nslug = "main"\nname = "Main"\n', "'event' is missing"),
}


@pytest.mark.parametrize("case", sorted(BAD_IMPORTS))
def test_event_import_is_all_or_nothing(site: Site, cli: Cli, case: str) -> None:
    text, message = BAD_IMPORTS[case]
    path = site.folder / "bad.toml"
    path.write_text(text)
    before = site.snapshot()
    result = cli("event", "import", str(path))
    assert result.code == 2
    line = _one_error_line(result)
    assert message in line
    if case != "existing-event":
        assert str(path) in line
    assert site.snapshot() == before


def test_missing_config_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["event", "add", "demo", "Demo", "--config", str(tmp_path / "nope.toml")])
    result = Result(code, *capsys.readouterr())
    assert code == 2
    assert "nope.toml: no such configuration file" in _one_error_line(result)
    assert list(tmp_path.iterdir()) == []


def test_bad_config_file_is_one_line_naming_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text("[server]\nport = 'eighty'\n")
    result = run_process(tmp_path, "event", "add", "demo", "Demo")
    assert result.code == 2
    line = _one_error_line(result)
    assert str(tmp_path / "kiosk.toml") in line and "[server] port must be an integer" in line
    assert not (tmp_path / "data").exists()


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    for command in (
        "run",
        "serve",
        "init",
        "user",
        "event",
        "room",
        "booth",
        "invite",
        "secrets",
        "mediamtx",
        "transcript",
        "captions",
    ):
        assert f"    {command}" in out


def test_data_layer_sees_what_the_cli_wrote(site: Site) -> None:
    async def booths() -> list[str]:
        async with open_database(load_config(site.config)):
            return [b.path for b in await db.list_booths("pycon2026")]

    assert asyncio.run(booths()) == [
        "pycon2026/main/en",
        "pycon2026/main/de",
        "pycon2026/hall-b/fr",
    ]
