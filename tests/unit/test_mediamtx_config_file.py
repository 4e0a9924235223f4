"""The `mediamtx.yml` the kiosk writes, its atomic write, and where the binary is found."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from server.mediamtx.binary import find_binary
from server.mediamtx.config_file import (
    path_settings,
    render_mediamtx_config,
    write_mediamtx_config,
)


def render(**overrides: object) -> dict[str, object]:
    settings: dict[str, object] = {
        "api_port": 9997,
        "rtsp_port": 8554,
        "webrtc_port": 8889,
        "webrtc_udp_port": 8189,
        "webrtc_additional_hosts": ["192.168.1.20", "10.0.0.5"],
        "auth_hook_port": 8080,
        "auth_secret": "a b&c",
        "path_names": ["ev/main/en", "ev/main/floor", "ev/main/en"],
    }
    settings.update(overrides)
    parsed: dict[str, object] = yaml.safe_load(render_mediamtx_config(**settings))  # type: ignore[arg-type]
    return parsed


def test_tcp_listeners_bind_loopback_and_webrtc_udp_every_interface() -> None:
    config = render()
    assert config["apiAddress"] == "127.0.0.1:9997"
    assert config["metricsAddress"] == "127.0.0.1:9998"
    assert config["rtspAddress"] == "127.0.0.1:8554"
    assert config["webrtcAddress"] == "127.0.0.1:8889"
    assert config["webrtcLocalUDPAddress"] == ":8189"
    assert config["webrtcAdditionalHosts"] == ["192.168.1.20", "10.0.0.5"]


def test_unused_protocols_are_off() -> None:
    config = render()
    assert [config[key] for key in ("hls", "rtmp", "srt", "moq")] == [False] * 4


def test_auth_goes_to_the_kiosk_hook_with_its_secret_quoted() -> None:
    config = render()
    assert config["authMethod"] == "http"
    assert config["authHTTPAddress"] == "http://127.0.0.1:8080/mediamtx/auth?secret=a%20b%26c"
    assert config["authHTTPExclude"] == [{"action": "api"}, {"action": "metrics"}]


def test_every_channel_is_one_publisher_path_and_booths_are_always_available() -> None:
    # A booth's readers must survive a handover: its stream stays while the publisher changes.
    assert render()["paths"] == {
        "ev/main/en": {
            "source": "publisher",
            "alwaysAvailable": True,
            "alwaysAvailableTracks": [{"codec": "Opus"}],
        },
        "ev/main/floor": {"source": "publisher"},
    }


def test_the_api_adds_a_path_with_the_settings_of_the_file() -> None:
    assert path_settings("ev/hall/fr") == render()["paths"]["ev/main/en"]
    assert path_settings("ev/hall/floor") == {"source": "publisher"}


def test_no_channels_gives_an_empty_paths_map() -> None:
    assert render(path_names=[])["paths"] == {}


def test_a_path_name_mediamtx_would_reject_is_refused() -> None:
    with pytest.raises(ValueError, match="invalid MediaMTX path name"):
        render(path_names=["ev/main/en/"])


def test_the_write_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "mediamtx.yml"
    target.write_text("old")
    write_mediamtx_config(target, "new\n")
    assert target.read_text() == "new\n"
    assert os.listdir(tmp_path) == ["mediamtx.yml"]


def test_the_written_file_is_private_to_the_user(tmp_path: Path) -> None:
    target = tmp_path / "mediamtx.yml"
    write_mediamtx_config(target, "authHTTPAddress: secret\n")
    assert target.stat().st_mode & 0o777 == 0o600


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_the_configured_binary_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configured = executable(tmp_path / "opt" / "mediamtx")
    monkeypatch.setenv("PATH", str(executable(tmp_path / "path" / "mediamtx").parent))
    assert find_binary(str(configured), tmp_path) == configured


def test_a_configured_binary_that_is_absent_is_missing(tmp_path: Path) -> None:
    executable(tmp_path / "bin" / "mediamtx")
    assert find_binary(str(tmp_path / "nope"), tmp_path) is None


def test_path_comes_before_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on_path = executable(tmp_path / "path" / "mediamtx")
    executable(tmp_path / "bin" / "mediamtx")
    monkeypatch.setenv("PATH", str(on_path.parent))
    assert find_binary("", tmp_path) == on_path


def test_the_data_dir_binary_is_the_last_resort(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_binary("", tmp_path) is None
    bundled = executable(tmp_path / "bin" / "mediamtx")
    assert find_binary("", tmp_path) == bundled
