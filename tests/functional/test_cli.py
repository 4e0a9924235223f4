"""The `voxbento-kiosk` command line (docs/design.md §5), run as a user would.

Most cases call `kiosk.cli.main(argv)` in-process on a real SQLite file; a few run
`python -m kiosk` as a real subprocess to check what a terminal shows. Every bad-input case
checks the exit status 2, one line on stderr, and that the database did not change.
"""

from __future__ import annotations

import asyncio
import io
import stat
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

import db
from kiosk.cli import main
from server.auth.credentials import verify_password
from server.config import load_config
from server.manage import open_database, read_secret, store_secret
from server.manage.bootstrap import EXAMPLE_CONFIG
from server.secrets.store import read_secrets
from tests.cli_support import (
    CONFIG,
    EVENT_FILE,
    Cli,
    Result,
    Site,
    one_error_line,
    run,
    run_process,
)

# --- init -------------------------------------------------------------------------------


@pytest.mark.slow  # a real subprocess
def test_init_on_a_fresh_folder_writes_everything_and_says_what_next(tmp_path: Path) -> None:
    result = run_process(tmp_path, "init")
    assert result.code == 0, result.err
    assert (tmp_path / "kiosk.toml").read_text() == EXAMPLE_CONFIG.read_text()
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


@pytest.mark.slow  # a real subprocess
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
    assert "differ" in one_error_line(result)
    assert site.snapshot() == before


# --- invites --------------------------------------------------------------------------------


@pytest.mark.slow  # a real subprocess
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
