"""`kiosk.toml`: parsed once at start-up into frozen, typed dataclasses (docs/design.md §4).

An unknown section or key, a wrong type or a bad value raises ConfigError with a message that
names the file, the key and what was expected. Relative paths are resolved against the folder of
the file (or the working directory when there is no file).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from server.mediamtx.floor_source import parse_floor_spec
from server.safe_parse import load_toml

DEFAULT_FILE = "kiosk.toml"


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and why."""


Check = Callable[[Any], str | None]  # returns what was expected when the value is bad


def _doc(text: str, check: Check | None = None, kind: str = "") -> dict[str, Any]:
    return {"doc": text, "check": check, "kind": kind}


def _port(allow_zero: bool = False) -> Check:
    low = 0 if allow_zero else 1
    return lambda v: None if low <= v <= 65535 else f"a port number from {low} to 65535"


def _between(low: float, high: float) -> Check:
    return lambda v: None if low <= v <= high else f"a number from {low} to {high}"


def _one_of(*choices: str) -> Check:
    return lambda v: None if v in choices else "one of " + ", ".join(f'"{c}"' for c in choices)


def _url(v: str) -> str | None:
    ok = v == "" or re.match(r"^https?://[^\s/]+(/\S*)?$", v)
    return None if ok else 'an "http://…" or "https://…" address, or "" for the default'


def _db_url(v: str) -> str | None:
    ok = v == "" or re.match(r"^(sqlite|postgres|postgresql|asyncpg|psycopg)://", v)
    return None if ok else '"" (SQLite in data_dir), "sqlite://FILE" or "postgres://…"'


def _non_empty(v: str) -> str | None:
    return None if v.strip() else "a non-empty string"


def _version(v: str) -> str | None:
    return None if re.match(r"^v\d+\.\d+\.\d+$", v) else 'a release tag like "v1.20.1"'


@dataclass(frozen=True)
class KioskSettings:
    """[kiosk]: where data lives and how the kiosk is reached."""

    data_dir: Path = field(
        default=Path("data"), metadata=_doc("database, secrets, logs, exports", _non_empty, "path")
    )
    public_url: str = field(default="", metadata=_doc("base of listener links and posters", _url))
    secure_url: str = field(default="", metadata=_doc("base of invite links (HTTPS)", _url))
    shift_minutes: int = field(
        default=30, metadata=_doc("time on mic before the console warns", _between(1, 1440))
    )


@dataclass(frozen=True)
class ServerSettings:
    """[server]: the HTTP and HTTPS listeners."""

    host: str = field(default="0.0.0.0", metadata=_doc("address to listen on", _non_empty))
    port: int = field(default=8080, metadata=_doc("plain HTTP port (listeners)", _port(True)))
    https_port: int = field(default=8443, metadata=_doc("HTTPS port (interpreters)", _port(True)))
    listen_backlog: int = field(
        default=2048,
        metadata=_doc(
            "connections the kernel queues before the server accepts them", _between(16, 65535)
        ),
    )
    tls: str = field(
        default="self-signed",
        metadata=_doc("certificate source", _one_of("self-signed", "files", "off")),
    )
    tls_cert: str = field(
        default="", metadata=_doc("PEM certificate chain with tls = files", None, "optional-path")
    )
    tls_key: str = field(
        default="", metadata=_doc("PEM private key with tls = files", None, "optional-path")
    )
    listener_sockets_per_address: int = field(
        default=500,
        metadata=_doc("listener websockets from one client address", _between(1, 1_000_000)),
    )
    booth_sockets_per_address: int = field(
        default=200,
        metadata=_doc("booth websockets from one client address", _between(1, 1_000_000)),
    )
    hsts_seconds: int = field(
        default=86400,
        metadata=_doc(
            "Strict-Transport-Security lifetime on HTTPS; 0 = off", _between(0, 63072000)
        ),
    )


@dataclass(frozen=True)
class DatabaseSettings:
    """[database]: SQLite in data_dir by default, PostgreSQL for larger sites."""

    url: str = field(default="", metadata=_doc("database URL", _db_url))


@dataclass(frozen=True)
class MediaMTXSettings:
    """[mediamtx]: the supervised media server."""

    enabled: bool = field(default=True, metadata=_doc("run and supervise MediaMTX"))
    binary: str = field(
        default="", metadata=_doc("path of the binary; empty = search", None, "optional-path")
    )
    version: str = field(
        default="v1.20.1", metadata=_doc("release that `mediamtx install` fetches", _version)
    )
    release_url: str = field(
        default="https://github.com/bluenviron/mediamtx/releases/download",
        metadata=_doc("where `mediamtx install` downloads releases from", _url),
    )
    api_port: int = field(default=9997, metadata=_doc("control API port (loopback)", _port()))
    metrics_port: int = field(default=9998, metadata=_doc("metrics port (loopback)", _port()))
    webrtc_port: int = field(default=8889, metadata=_doc("WHIP/WHEP HTTP port (loopback)", _port()))
    webrtc_udp_port: int = field(default=8189, metadata=_doc("WebRTC media UDP port", _port()))
    rtsp_port: int = field(
        default=8554, metadata=_doc("RTSP port (loopback, for captions)", _port())
    )


def _demo_floor(v: str) -> str | None:
    if v in ("tone", "speech", "none", "page") or v.startswith(("device:", "url:", "file:")):
        return None
    return '"speech", "tone", "none", "page", "device:…", "url:…" or "file:…"'


@dataclass(frozen=True)
class FloorSettings:
    """[floor]: how floor channels are fed (each room's source is set per room)."""

    ffmpeg: str = field(
        default="", metadata=_doc("ffmpeg for device and file floors; empty = search PATH")
    )
    demo: str = field(
        default="speech",
        metadata=_doc("the demo room's floor under `run --demo`", _demo_floor, "floor-spec"),
    )


@dataclass(frozen=True)
class TranscriptionSettings:
    """[transcription]: live captions with local Whisper."""

    enabled: bool = field(default=False, metadata=_doc("caption booths marked for transcription"))
    engine: str = field(
        default="faster-whisper", metadata=_doc("caption engine", _one_of("faster-whisper"))
    )
    model: str = field(
        default="small", metadata=_doc("model name or CTranslate2 folder", _non_empty, "model")
    )
    max_concurrent: int = field(default=2, metadata=_doc("engine jobs at once", _between(1, 64)))


@dataclass(frozen=True)
class AuthSettings:
    """[auth]: lifetimes of logins and invites."""

    session_hours: float = field(
        default=12.0, metadata=_doc("login and session lifetime", _between(0.01, 8760))
    )
    invite_hours: float = field(
        default=72.0, metadata=_doc("default invite lifetime", _between(0.01, 8760))
    )


@dataclass(frozen=True)
class Config:
    """The whole configuration, as loaded."""

    kiosk: KioskSettings = field(default_factory=KioskSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    mediamtx: MediaMTXSettings = field(default_factory=MediaMTXSettings)
    floor: FloorSettings = field(default_factory=FloorSettings)
    transcription: TranscriptionSettings = field(default_factory=TranscriptionSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    source: Path | None = None

    @property
    def data_dir(self) -> Path:
        """The data folder, absolute."""
        return self.kiosk.data_dir

    @property
    def database_url(self) -> str:
        """The Tortoise URL: the configured one, else SQLite in the data folder."""
        return self.database.url or f"sqlite://{self.data_dir / 'kiosk.sqlite3'}"


SECTIONS: dict[str, type[Any]] = {
    "kiosk": KioskSettings,
    "server": ServerSettings,
    "database": DatabaseSettings,
    "mediamtx": MediaMTXSettings,
    "floor": FloorSettings,
    "transcription": TranscriptionSettings,
    "auth": AuthSettings,
}

_TYPE_NAMES = {"str": "a string", "int": "an integer", "bool": "true or false", "float": "a number"}


def _type_ok(annotation: str, value: Any) -> bool:
    if annotation in ("str", "Path"):
        return isinstance(value, str)
    if annotation == "bool":
        return isinstance(value, bool)
    if annotation == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return False


def _resolve(value: str, kind: str, base: Path) -> Any:
    if kind == "path":
        return (base / value).resolve()
    if kind == "optional-path" and value:
        return str((base / value).resolve())
    if kind == "model" and ("/" in value or value.startswith(".")):
        return str((base / value).resolve())
    if kind == "floor-spec" and ":" in value:
        # Validated in full here: a relative file is taken from the config file's folder.
        return parse_floor_spec(value, base=base).spec
    return value


def _build_section(name: str, raw: Any, where: str, base: Path) -> Any:
    cls = SECTIONS[name]
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    known = {f.name: f for f in fields(cls)}
    for key in raw:
        if key not in known:
            raise ConfigError(
                f"{where}: unknown key '{key}' in [{name}]; expected one of: {', '.join(known)}"
            )
    values: dict[str, Any] = {}
    for key, spec in known.items():
        value = raw.get(key, MISSING)
        if value is MISSING:
            value = spec.default
            if isinstance(value, Path):
                value = str(value)
        annotation = str(spec.type)
        if not _type_ok(annotation, value):
            expected = _TYPE_NAMES.get(annotation, "a string")
            raise ConfigError(f"{where}: [{name}] {key} must be {expected}, got {value!r}")
        check: Check | None = spec.metadata.get("check")
        problem = check(value) if check else None
        if problem:
            raise ConfigError(f"{where}: [{name}] {key} must be {problem}, got {value!r}")
        if annotation == "float":
            value = float(value)
        if isinstance(value, str):
            try:
                value = _resolve(value, spec.metadata.get("kind", ""), base)
            except ValueError as exc:
                raise ConfigError(f"{where}: [{name}] {key}: {exc}") from exc
        values[key] = value
    return cls(**values)


def _check_cross_fields(config: Config, where: str) -> None:
    server = config.server
    if server.tls == "files" and not (server.tls_cert and server.tls_key):
        raise ConfigError(f'{where}: [server] tls = "files" needs tls_cert and tls_key')
    if server.tls != "off" and server.port and server.port == server.https_port:
        raise ConfigError(f"{where}: [server] port and https_port must differ")


def parse_config(data: dict[str, Any], *, source: Path | None = None) -> Config:
    """Build a Config from parsed TOML, validating every key."""
    where = str(source) if source else "configuration"
    base = source.parent if source else Path.cwd()
    for section in data:
        if section not in SECTIONS:
            raise ConfigError(
                f"{where}: unknown section [{section}]; expected one of: {', '.join(SECTIONS)}"
            )
    sections = {name: _build_section(name, data.get(name, {}), where, base) for name in SECTIONS}
    config = Config(**sections, source=source)
    _check_cross_fields(config, where)
    return config


def load_config(path: Path | str | None = None) -> Config:
    """Load `path`; without one, `./kiosk.toml` when present, else the built-in defaults."""
    if path is None:
        candidate = Path.cwd() / DEFAULT_FILE
        if not candidate.is_file():
            return parse_config({})
        path = candidate
    source = Path(path).absolute()
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{source}: no such configuration file") from exc
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read it ({exc.strerror})") from exc
    try:
        data = load_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from exc
    return parse_config(data, source=source)
