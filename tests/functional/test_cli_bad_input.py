"""Bad input to the command line: exit 2, one line on stderr, and nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main
from tests.cli_support import (
    EVENT_FILE,
    Cli,
    Result,
    Site,
    one_error_line,
    run_process,
)

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
    assert message in one_error_line(result)
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
    line = one_error_line(result)
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
    assert "nope.toml: no such configuration file" in one_error_line(result)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # a real subprocess
def test_bad_config_file_is_one_line_naming_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text("[server]\nport = 'eighty'\n")
    result = run_process(tmp_path, "event", "add", "demo", "Demo")
    assert result.code == 2
    line = one_error_line(result)
    assert str(tmp_path / "kiosk.toml") in line and "[server] port must be an integer" in line
    assert not (tmp_path / "data").exists()
