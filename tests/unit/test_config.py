"""`kiosk.toml` (docs/design.md §4): defaults, validation messages and relative paths.

The tracked `kiosk.toml` is the user's own file: a user may change its ports or paths, so the
only checks on it are that it parses and still names and comments every key. The defaults are
compared against the packaged example, which `init` writes and nobody edits in place.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from server.config import SECTIONS, Config, ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[2]
USER_FILE = ROOT / "kiosk.toml"
EXAMPLE = ROOT / "server" / "kiosk.example.toml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _fails(tmp_path: Path, text: str) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    return message


def test_without_a_file_the_defaults_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.source is None
    assert config.server.port == 8080 and config.server.https_port == 8443
    assert config.server.tls == "self-signed"
    assert config.data_dir == tmp_path / "data"
    assert config.auth.invite_hours == 72.0


def test_kiosk_toml_in_the_working_folder_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "[server]\nport = 9000\n")
    monkeypatch.chdir(tmp_path)
    assert load_config().server.port == 9000


def test_example_file_equals_the_defaults() -> None:
    from_file = load_config(EXAMPLE)
    defaults = parse_config({}, source=EXAMPLE)
    assert dataclasses.replace(from_file, source=None) == dataclasses.replace(defaults, source=None)


def test_the_tracked_kiosk_toml_parses() -> None:
    assert load_config(USER_FILE).source == USER_FILE


@pytest.mark.parametrize("path", [EXAMPLE, USER_FILE], ids=["packaged example", "kiosk.toml"])
def test_example_files_set_and_comment_every_key(path: Path) -> None:
    data = tomllib.loads(path.read_text())
    for name, cls in SECTIONS.items():
        assert set(data[name]) == {f.name for f in dataclasses.fields(cls)}, name
    for line in path.read_text().splitlines():
        if re.match(r"^\w+\s*=", line):
            assert "#" in line, f"uncommented key: {line}"


def test_database_defaults_to_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, ""))
    assert config.database_url == f"sqlite://{tmp_path / 'data' / 'kiosk.sqlite3'}"


def test_relative_paths_are_relative_to_the_files_folder(tmp_path: Path) -> None:
    config = load_config(
        _write(
            tmp_path,
            '[kiosk]\ndata_dir = "var/kiosk"\n'
            '[server]\ntls = "files"\ntls_cert = "certs/a.pem"\ntls_key = "certs/a.key"\n'
            '[mediamtx]\nbinary = "bin/mediamtx"\n'
            '[transcription]\nmodel = "./models/tiny"\n',
        )
    )
    assert config.data_dir == tmp_path / "var" / "kiosk"
    assert config.server.tls_cert == str(tmp_path / "certs" / "a.pem")
    assert config.mediamtx.binary == str(tmp_path / "bin" / "mediamtx")
    assert config.transcription.model == str(tmp_path / "models" / "tiny")


def test_model_name_is_not_treated_as_a_path(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, '[transcription]\nmodel = "tiny.en"\n'))
    assert config.transcription.model == "tiny.en"


def test_unknown_key_names_the_section_and_the_known_keys(tmp_path: Path) -> None:
    message = _fails(tmp_path, "[server]\nprot = 80\n")
    assert "unknown key 'prot' in [server]" in message
    assert "port" in message and "https_port" in message


def test_unknown_section_is_named(tmp_path: Path) -> None:
    message = _fails(tmp_path, "[serverr]\nport = 80\n")
    assert "unknown section [serverr]" in message


def test_section_that_is_not_a_table_is_refused(tmp_path: Path) -> None:
    assert "[auth] must be a table" in _fails(tmp_path, 'auth = "x"\n')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[server]\nport = "8080"\n', "[server] port must be an integer, got '8080'"),
        ("[mediamtx]\nenabled = 1\n", "[mediamtx] enabled must be true or false, got 1"),
        ("[server]\nport = true\n", "[server] port must be an integer, got True"),
        ('[auth]\nsession_hours = "12"\n', "[auth] session_hours must be a number"),
        ("[kiosk]\ndata_dir = 5\n", "[kiosk] data_dir must be a string, got 5"),
    ],
)
def test_wrong_type_names_key_and_expected_type(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _fails(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[server]\nport = 70000\n", "[server] port must be a port number from 0 to 65535"),
        ('[server]\ntls = "maybe"\n', '[server] tls must be one of "self-signed", "files", "off"'),
        (
            '[mediamtx]\nversion = "1.2"\n',
            '[mediamtx] version must be a release tag like "v1.20.1"',
        ),
        ('[kiosk]\npublic_url = "ftp://x"\n', '[kiosk] public_url must be an "http://…"'),
        ("[kiosk]\nshift_minutes = 0\n", "[kiosk] shift_minutes must be a number from 1 to 1440"),
        ('[database]\nurl = "mysql://x"\n', "[database] url must be"),
        ('[kiosk]\ndata_dir = " "\n', "[kiosk] data_dir must be a non-empty string"),
        ("[transcription]\nmax_concurrent = 0\n", "[transcription] max_concurrent must be"),
    ],
)
def test_bad_value_names_key_and_expectation(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _fails(tmp_path, text)


def test_whole_hours_are_accepted_as_numbers(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, "[auth]\nsession_hours = 1\ninvite_hours = 0.5\n"))
    assert (config.auth.session_hours, config.auth.invite_hours) == (1.0, 0.5)


def test_tls_files_needs_both_certificate_and_key(tmp_path: Path) -> None:
    message = _fails(tmp_path, '[server]\ntls = "files"\ntls_cert = "a.pem"\n')
    assert 'tls = "files" needs tls_cert and tls_key' in message


def test_http_and_https_ports_must_differ(tmp_path: Path) -> None:
    assert "port and https_port must differ" in _fails(
        tmp_path, "[server]\nport = 8443\nhttps_port = 8443\n"
    )


def test_same_ports_are_fine_when_tls_is_off(tmp_path: Path) -> None:
    text = '[server]\ntls = "off"\nport = 8443\nhttps_port = 8443\n'
    assert load_config(_write(tmp_path, text)).server.tls == "off"


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no-such.toml: no such configuration file"):
        load_config(tmp_path / "no-such.toml")


def test_invalid_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    assert "not valid TOML" in _fails(tmp_path, "[server\nport = 1\n")


def test_config_is_frozen() -> None:
    config = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.server.port = 1  # type: ignore[misc]
