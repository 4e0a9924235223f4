"""`room floor` and `floor = "…"` in event import files: set, show, and refuse bad sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import Cli, Site, one_error_line

ROOM = "pycon2026/main"


def floor_row(site: Site, room: str = "main") -> tuple[object, ...]:
    rows = site.rows(f"SELECT floor_kind, floor_value FROM room WHERE slug = '{room}'")
    return rows[0]


def test_a_room_starts_without_a_floor_source(cli: Cli) -> None:
    result = cli("room", "floor", ROOM)
    assert result.code == 0
    assert result.out.strip() == f"Floor of {ROOM}: no source (none)"


def test_each_kind_of_source_is_set_and_shown(cli: Cli, site: Site, tmp_path: Path) -> None:
    wav = tmp_path / "rehearsal.wav"
    wav.write_bytes(b"RIFF")
    for option, value, stored in [
        ("--device", "alsa:hw:1,0", ("device", "alsa:hw:1,0")),
        ("--url", "srt://10.0.0.5:9000", ("url", "srt://10.0.0.5:9000")),
        ("--file", str(wav), ("file", str(wav))),
    ]:
        result = cli("room", "floor", ROOM, option, value)
        assert result.code == 0, result.err
        assert floor_row(site) == stored
    assert cli("room", "floor", ROOM, "--page").code == 0
    assert floor_row(site) == ("page", "")
    shown = cli("room", "floor", ROOM)
    assert "floor page" in shown.out
    assert cli("room", "floor", ROOM, "--none").code == 0
    assert floor_row(site) == ("none", "")


def test_a_relative_file_is_stored_as_an_absolute_path(
    cli: Cli, site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tone.wav").write_bytes(b"RIFF")
    monkeypatch.chdir(tmp_path)
    assert cli("room", "floor", ROOM, "--file", "tone.wav").code == 0
    assert floor_row(site) == ("file", str(tmp_path / "tone.wav"))


def test_a_url_password_is_not_echoed(cli: Cli) -> None:
    result = cli("room", "floor", ROOM, "--url", "rtsp://enc:hunter2@10.0.0.5/floor")
    assert result.code == 0
    assert "hunter2" not in result.out
    assert "rtsp://enc:***@10.0.0.5/floor" in result.out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--device", "alsa:hw:1,0;reboot"], "capture device name"),
        (["--device", "alsa:$(id)"], "capture device name"),
        (["--device", "hw:1,0"], "must be alsa:NAME or pulse:NAME"),
        (["--url", "http://10.0.0.5/floor"], "must start with rtsp://"),
        (["--url", "srt://10.0.0.5"], "needs a port"),
        (["--file", "/no/such/floor.wav"], "does not exist"),
        (["--page", "--none"], "not allowed with argument"),
    ],
)
def test_bad_sources_give_one_line_exit_2_and_change_nothing(
    cli: Cli, site: Site, argv: list[str], message: str
) -> None:
    before = site.snapshot()
    result = cli("room", "floor", ROOM, *argv)
    assert result.code == 2
    assert message in one_error_line(result)
    assert site.snapshot() == before


def test_an_unknown_room_is_one_error_line(cli: Cli, site: Site) -> None:
    before = site.snapshot()
    result = cli("room", "floor", "pycon2026/nowhere", "--page")
    assert result.code != 0
    assert "no room 'pycon2026/nowhere'" in one_error_line(result)
    assert site.snapshot() == before


def test_an_import_file_sets_each_room_floor(cli: Cli, site: Site, tmp_path: Path) -> None:
    (tmp_path / "loop.wav").write_bytes(b"RIFF")
    event = tmp_path / "event.toml"
    event.write_text(
        '[event]\nslug = "conf"\nname = "Conf"\n\n'
        '[[rooms]]\nslug = "main"\nname = "Main"\nfloor = "device:pulse:default"\n\n'
        '[[rooms]]\nslug = "side"\nname = "Side"\nfloor = "file:loop.wav"\n\n'
        '[[rooms]]\nslug = "annex"\nname = "Annex"\n'
    )
    assert cli("event", "import", str(event)).code == 0
    rows = dict(
        (slug, (kind, value))
        for slug, kind, value in site.rows(
            "SELECT room.slug, floor_kind, floor_value FROM room JOIN event "
            "ON room.event_id = event.id WHERE event.slug = 'conf'"
        )
    )
    assert rows == {
        "main": ("device", "pulse:default"),
        "side": ("file", str(tmp_path / "loop.wav")),
        "annex": ("none", ""),
    }


def test_an_import_with_a_bad_floor_names_the_room_and_imports_nothing(
    cli: Cli, site: Site, tmp_path: Path
) -> None:
    event = tmp_path / "event.toml"
    event.write_text(
        '[event]\nslug = "conf"\nname = "Conf"\n\n'
        '[[rooms]]\nslug = "main"\nname = "Main"\nfloor = "url:http://enc/floor"\n'
    )
    before = site.snapshot()
    result = cli("event", "import", str(event))
    assert result.code == 2
    assert "rooms[1]: floor address" in one_error_line(result)
    assert site.snapshot() == before
