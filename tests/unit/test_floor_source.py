"""Floor sources at the edge (server/mediamtx/floor_source.py) and the MediaMTX settings they become."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml

from server.config import ConfigError, parse_config
from server.mediamtx import path_settings, render_mediamtx_config
from server.mediamtx.floor_paths import ffmpeg_command, floor_path_settings
from server.mediamtx.floor_source import (
    FloorSource,
    parse_floor_spec,
    redact_url,
    stored_floor_source,
    validate_device,
    validate_file,
    validate_url,
)
from tests.fakes.fake_mediamtx_conf import load_config

FLOOR = "ev/main/floor"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("alsa:hw:1,0", "alsa:hw:1,0"),
        (" alsa:default ", "alsa:default"),
        ("pulse:alsa_input.usb-Focusrite_Scarlett-00.analog-stereo", None),
        ("alsa:plughw:CARD=USB,DEV=0", None),
    ],
)
def test_capture_devices_of_alsa_and_pulse_are_accepted(given: str, kept: str | None) -> None:
    assert validate_device(given) == (kept or given)


@pytest.mark.parametrize(
    "given",
    [
        "alsa:hw:1,0; rm -rf /",
        "alsa:$(id)",
        "alsa:hw`id`",
        "pulse:default -f lavfi",
        "alsa:-i",
        "alsa:'quoted'",
        'pulse:a"b',
        "alsa:hw\n1",
        "alsa:$HOME",
        "jack:system",
        "hw:1,0",
        "alsa:",
        "alsa:" + "a" * 300,
    ],
)
def test_device_names_that_could_change_the_command_line_are_refused(given: str) -> None:
    with pytest.raises(ValueError, match="capture device"):
        validate_device(given)


@pytest.mark.parametrize(
    "given",
    [
        "rtsp://192.168.1.20:554/floor",
        "rtsps://encoder.local/live",
        "rtsp://user:secret@10.0.0.5/stream",
        "srt://192.168.1.20:9000?streamid=read:floor",
    ],
)
def test_rtsp_and_srt_addresses_are_accepted(given: str) -> None:
    assert validate_url(given) == given


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("http://encoder/floor", "must start with rtsp://"),
        ("file:///etc/passwd", "must start with rtsp://"),
        ("rtsp:///nohost", "has no host"),
        ("srt://192.168.1.20", "needs a port"),
        ("rtsp://host:99999/x", "bad port"),
        ("rtsp://host/a b", "without spaces"),
        ("rtsp://host/$X", "without spaces"),
        ("", "without spaces"),
    ],
)
def test_other_addresses_are_refused_with_the_reason(given: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        validate_url(given)


def test_an_address_password_never_shows_in_messages_or_descriptions() -> None:
    with pytest.raises(ValueError) as refused:
        validate_url("http://user:hunter2@host/x")
    assert "hunter2" not in str(refused.value)
    source = FloorSource("url", "rtsp://user:hunter2@host/x")
    assert "hunter2" not in source.describe()
    assert redact_url("rtsp://user:hunter2@host:554/x") == "rtsp://user:***@host:554/x"


def test_a_file_is_stored_as_its_absolute_path(tmp_path: Path) -> None:
    (tmp_path / "rehearsal.wav").write_bytes(b"RIFF")
    assert validate_file("rehearsal.wav", base=tmp_path) == str(tmp_path / "rehearsal.wav")


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("missing.wav", "does not exist"),
        ("a$HOME.wav", r"must not hold \$"),
        ("it's.wav", "quotes"),
        ("back\\slash.wav", "backslashes"),
    ],
)
def test_missing_or_unsafe_files_are_refused(tmp_path: Path, name: str, why: str) -> None:
    if "missing" not in name:
        (tmp_path / name).write_bytes(b"RIFF")
    with pytest.raises(ValueError, match=why):
        validate_file(name, base=tmp_path)


def test_a_folder_is_not_a_floor_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a regular file"):
        validate_file(str(tmp_path))


def test_specs_name_each_kind(tmp_path: Path) -> None:
    (tmp_path / "f.wav").write_bytes(b"RIFF")
    assert parse_floor_spec("none") == FloorSource("none")
    assert parse_floor_spec("page") == FloorSource("page")
    assert parse_floor_spec("device:alsa:hw:1,0") == FloorSource("device", "alsa:hw:1,0")
    assert parse_floor_spec("url:srt://h:9000").value == "srt://h:9000"
    assert parse_floor_spec("file:f.wav", base=tmp_path).value == str(tmp_path / "f.wav")
    for bad in ("", "pages", "device", "url:", "mic:default", "page:x"):
        with pytest.raises(ValueError, match="floor"):
            parse_floor_spec(bad)


def test_a_stored_source_of_an_unknown_kind_reads_as_no_source() -> None:
    assert stored_floor_source("bogus", "x") == FloorSource("none")
    assert stored_floor_source("page", "left over") == FloorSource("page")


def test_the_ffmpeg_command_splits_back_into_exactly_its_arguments(tmp_path: Path) -> None:
    # MediaMTX splits runOnInit with shell rules; a path with spaces must stay one argument.
    wav = tmp_path / "floor tone (loop).wav"
    wav.write_bytes(b"RIFF")
    source = FloorSource("file", validate_file(str(wav)))
    command = ffmpeg_command(
        source, ffmpeg="/usr/bin/ffmpeg", path=FLOOR, rtsp_port=8554, feed_token="a.b-c_d"
    )
    arguments = shlex.split(command)
    assert arguments[0] == "/usr/bin/ffmpeg"
    assert arguments[arguments.index("-i") + 1] == str(wav)
    assert arguments[arguments.index("-stream_loop") + 1] == "-1"
    assert "-re" in arguments
    assert arguments[-1] == f"rtsp://127.0.0.1:8554/{FLOOR}?token=a.b-c_d"
    assert "libopus" in arguments


def test_a_device_is_captured_with_its_sound_system() -> None:
    command = ffmpeg_command(
        FloorSource("device", "pulse:default"),
        ffmpeg="ffmpeg",
        path=FLOOR,
        rtsp_port=1,
        feed_token="t",
    )
    arguments = shlex.split(command)
    assert arguments[arguments.index("-f") + 1] == "pulse"
    assert arguments[arguments.index("-i") + 1] == "default"


def test_each_kind_becomes_its_mediamtx_path_settings() -> None:
    common = {"ffmpeg": "ffmpeg", "path": FLOOR, "rtsp_port": 8554, "feed_token": "t"}
    assert floor_path_settings(FloorSource("none"), **common) == {"source": "publisher"}
    assert floor_path_settings(FloorSource("page"), **common) == {"source": "publisher"}
    pulled = floor_path_settings(FloorSource("url", "srt://h:9000"), **common)
    assert pulled == {"source": "srt://h:9000"}
    fed = floor_path_settings(FloorSource("device", "alsa:hw:1,0"), **common)
    assert fed["source"] == "publisher"
    assert fed["runOnInitRestart"] is True
    assert str(fed["runOnInit"]).startswith("ffmpeg ")


def test_the_written_config_carries_each_floor_and_the_stand_in_accepts_it(tmp_path: Path) -> None:
    common = {"ffmpeg": "ffmpeg", "path": FLOOR, "rtsp_port": 8554, "feed_token": "t"}
    text = render_mediamtx_config(
        api_port=9997,
        rtsp_port=8554,
        webrtc_port=8889,
        webrtc_udp_port=8189,
        webrtc_additional_hosts=[],
        auth_hook_port=8080,
        auth_secret="s",
        path_names=[FLOOR, "ev/hall/floor", "ev/main/en"],
        floor_settings={
            FLOOR: floor_path_settings(FloorSource("device", "alsa:hw:1,0"), **common),
            "ev/hall/floor": {"source": "rtsp://10.0.0.5:554/floor"},
        },
    )
    parsed = yaml.safe_load(text)
    assert parsed["paths"]["ev/hall/floor"] == {"source": "rtsp://10.0.0.5:554/floor"}
    assert parsed["paths"][FLOOR]["runOnInitRestart"] is True
    assert parsed["paths"]["ev/main/en"] == path_settings("ev/main/en")  # booth: always available
    written = tmp_path / "mediamtx.yml"
    written.write_text(text)
    _, _, paths = load_config(written)
    assert paths[FLOOR]["runOnInit"] == parsed["paths"][FLOOR]["runOnInit"]


def test_the_demo_floor_in_kiosk_toml_is_validated_where_it_is_read(tmp_path: Path) -> None:
    (tmp_path / "loop.wav").write_bytes(b"RIFF")
    source = tmp_path / "kiosk.toml"
    config = parse_config({"floor": {"demo": "file:loop.wav"}}, source=source)
    assert config.floor.demo == f"file:{tmp_path / 'loop.wav'}"
    assert parse_config({}).floor.demo == "speech"
    for bad, why in [
        ("file:missing.wav", "does not exist"),
        ("device:alsa:$(id)", "capture device name"),
        ("microphone", "must be"),
    ]:
        with pytest.raises(ConfigError, match=why) as refused:
            parse_config({"floor": {"demo": bad}}, source=source)
        assert "[floor] demo" in str(refused.value)
