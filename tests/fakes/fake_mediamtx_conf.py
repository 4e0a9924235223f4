"""Strict parsing of the MediaMTX config subset that the kiosk writes, for the stand-in.

    "runOnInit": str,
    "runOnInitRestart": bool,
Only the keys the kiosk sets (docs/mediamtx.md) are known. Anything else is
rejected the way MediaMTX rejects it (`json: unknown field "…"`), so the stand-in catches a
kiosk writer that drifts away from the documented contract.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

BOOLEAN_KEYS = frozenset({"api", "metrics", "rtsp", "webrtc", "hls", "rtmp", "srt", "moq"})
STRING_KEYS = frozenset(
    {
        "apiAddress",
        "metricsAddress",
        "rtspAddress",
        "webrtcAddress",
        "webrtcLocalUDPAddress",
        "authHTTPAddress",
    }
)
STRING_LIST_KEYS = frozenset({"webrtcAdditionalHosts", "webrtcAllowOrigins", "rtspTransports"})
RTSP_TRANSPORTS = frozenset({"udp", "multicast", "tcp"})
LOG_LEVELS = frozenset({"error", "warn", "info", "debug"})
AUTH_METHODS = frozenset({"internal", "http", "jwt"})
AUTH_ACTIONS = frozenset({"publish", "read", "playback", "api", "metrics", "pprof"})
# The stand-in accepts runOnInit but runs nothing, and pulls no `source: rtsp://…` either.
PATH_KEYS = {
    "source": str,
    "overridePublisher": bool,
    "maxReaders": int,
    "runOnInit": str,
    "runOnInitRestart": bool,
    "alwaysAvailable": bool,
    "alwaysAvailableTracks": list,
}
# MediaMTX v1.20.1 accepts these codecs in alwaysAvailableTracks.
ALWAYS_AVAILABLE_CODECS = frozenset(
    {"AV1", "VP9", "H265", "H264", "Opus", "MPEG4Audio", "G711", "LPCM"}
)
PATH_NAME = re.compile(r"^[A-Za-z0-9_./-]+$")

DEFAULTS: dict[str, Any] = {
    "logLevel": "info",
    "api": False,
    "apiAddress": ":9997",
    "metrics": False,
    "metricsAddress": ":9998",
    "rtsp": True,
    "rtspAddress": ":8554",
    "rtspTransports": ["udp", "multicast", "tcp"],
    "webrtc": True,
    "webrtcAddress": ":8889",
    "webrtcLocalUDPAddress": ":8189",
    "webrtcAdditionalHosts": [],
    "webrtcAllowOrigins": ["*"],
    "hls": True,
    "rtmp": True,
    "srt": True,
    "moq": False,
    "authMethod": "internal",
    "authHTTPAddress": "",
    "authHTTPExclude": [],
}
PATH_DEFAULTS: dict[str, Any] = {
    "source": "publisher",
    "overridePublisher": True,
    "maxReaders": 0,
    "alwaysAvailable": False,
    "alwaysAvailableTracks": [],
}


class ConfigError(Exception):
    """The config is invalid; the message reads like MediaMTX's."""


def load_config(path: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, dict[str, Any]]]:
    """Read and validate the file: (global settings, path defaults, static paths)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"open {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"yaml: {error}") from error
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError("json: cannot unmarshal array into Go value of type conf.Conf")
    settings = dict(DEFAULTS)
    settings.update(validate_global(raw, allow_sections=True))
    defaults = dict(PATH_DEFAULTS)
    defaults.update(validate_path_conf(raw.get("pathDefaults") or {}))
    paths: dict[str, dict[str, Any]] = {}
    raw_paths = raw.get("paths") or {}
    if not isinstance(raw_paths, dict):
        raise ConfigError('json: cannot unmarshal into field "paths"')
    for name, conf in raw_paths.items():
        name = str(name)
        validate_path_name(name)
        merged = dict(defaults)
        merged.update(validate_path_conf(conf or {}))
        paths[name] = merged
    return settings, defaults, paths


def validate_global(raw: dict[str, Any], *, allow_sections: bool = False) -> dict[str, Any]:
    """Check global keys and value types; return the global settings only."""
    settings: dict[str, Any] = {}
    for key, value in raw.items():
        if allow_sections and key in ("pathDefaults", "paths"):
            continue
        if key in BOOLEAN_KEYS:
            _expect(key, value, bool)
        elif key in STRING_KEYS:
            _expect(key, value, str)
        elif key in STRING_LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise ConfigError(f'json: cannot unmarshal into field "{key}" of type []string')
            if key == "rtspTransports":
                for item in value:
                    if item not in RTSP_TRANSPORTS:
                        raise ConfigError(f"invalid protocol: {item}")
        elif key == "logLevel":
            if value not in LOG_LEVELS:
                raise ConfigError(f"invalid log level '{value}'")
        elif key == "authMethod":
            if value not in AUTH_METHODS:
                raise ConfigError(f"invalid authentication method: '{value}'")
        elif key == "authHTTPExclude":
            _validate_excludes(value)
        else:
            raise ConfigError(f'json: unknown field "{key}"')
        settings[key] = value
    if settings.get("authMethod") == "http" and not settings.get("authHTTPAddress"):
        raise ConfigError("'authHTTPAddress' must be provided when 'authMethod' is 'http'")
    return settings


def validate_path_conf(raw: object) -> dict[str, Any]:
    """Check one path's settings (or pathDefaults)."""
    if not isinstance(raw, dict):
        raise ConfigError("json: cannot unmarshal into Go value of type conf.Path")
    for key, value in raw.items():
        expected = PATH_KEYS.get(key)
        if expected is None:
            raise ConfigError(f'json: unknown field "{key}"')
        _expect(key, value, expected)
        if key == "alwaysAvailableTracks":
            _validate_tracks(value)
    if raw.get("alwaysAvailable") and not raw.get("alwaysAvailableTracks"):
        # The real binary builds its offline segment from the tracks (or a file the kiosk never sets).
        raise ConfigError("'alwaysAvailableTracks' must contain at least one track")
    return dict(raw)


def _validate_tracks(value: list[Any]) -> None:
    for track in value:
        if not isinstance(track, dict):
            raise ConfigError('json: cannot unmarshal into field "alwaysAvailableTracks"')
        for key in track:
            if key not in ("codec", "sampleRate", "channelCount", "muLaw"):
                raise ConfigError(f'json: unknown field "{key}"')
        codec = track.get("codec")
        if codec not in ALWAYS_AVAILABLE_CODECS:
            raise ConfigError(f"unsupported codec '{codec}'")
        if codec in ("AV1", "VP9", "H265", "H264", "Opus"):
            for key in ("sampleRate", "channelCount"):
                if track.get(key):
                    raise ConfigError(f"{key} must not be specified for codec '{codec}'")


def validate_path_name(name: str) -> None:
    """Apply MediaMTX's path-name rule."""
    if not name:
        raise ConfigError("invalid path name: cannot be empty")
    if name.startswith("/") or name.endswith("/"):
        raise ConfigError(f"invalid path name '{name}': can't begin or end with a slash")
    if not PATH_NAME.match(name):
        raise ConfigError(
            f"invalid path name '{name}': can contain only alphanumeric characters, underscore, dot, minus or slash"
        )


def _validate_excludes(value: object) -> None:
    if not isinstance(value, list):
        raise ConfigError('json: cannot unmarshal into field "authHTTPExclude"')
    for item in value:
        if not isinstance(item, dict):
            raise ConfigError('json: cannot unmarshal into field "authHTTPExclude"')
        for key, field in item.items():
            if key not in ("action", "path"):
                raise ConfigError(f'json: unknown field "{key}"')
            if key == "action" and field not in AUTH_ACTIONS:
                raise ConfigError(f"invalid auth action: '{field}'")


def _expect(key: str, value: object, expected: type) -> None:
    # bool is an int subclass in Python; Go's decoder keeps them apart.
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(
            f'json: cannot unmarshal {type(value).__name__} into field "{key}" of type {expected.__name__}'
        )
