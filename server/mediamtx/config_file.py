"""The `mediamtx.yml` the kiosk writes, and its atomic write.

The YAML is produced by hand, in a small fixed subset: block mappings and lists, `true`/`false`,
integers, and every string double-quoted with JSON escaping (a JSON string is a valid YAML
double-quoted scalar). That keeps PyYAML out of the server's dependencies and makes the output
predictable enough for the tests' stand-in to parse strictly.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

from server.identity import is_floor_channel

# MediaMTX's rule: letters, digits, `_ - / .`; no leading or trailing slash.
PATH_NAME = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")

Scalar = str | bool | int
PathSettings = dict[str, Scalar | list[dict[str, str]]]


def path_settings(name: str) -> PathSettings:
    """The settings of one path, the same in the file and in `POST /v3/config/paths/add`.

    A booth path (`event/room/lang`) is always available: MediaMTX keeps its Opus stream, and
    every WHEP reader on it, while the publisher changes at a handover or goes away, playing
    silence (DTX frames) in between. Without it MediaMTX closes every reader whenever the
    publisher leaves or is replaced, and each listener has to connect again. A new publisher
    must then send Opus audio, which the kiosk's pages do.
    """
    settings: PathSettings = {"source": "publisher"}
    if not is_floor_channel(name):
        settings["alwaysAvailable"] = True
        settings["alwaysAvailableTracks"] = [{"codec": "Opus"}]
    return settings


def render_mediamtx_config(
    *,
    api_port: int,
    rtsp_port: int,
    webrtc_port: int,
    webrtc_udp_port: int,
    webrtc_additional_hosts: Sequence[str],
    auth_hook_port: int,
    auth_secret: str,
    path_names: Iterable[str],
    floor_settings: Mapping[str, Mapping[str, Scalar]] | None = None,
    metrics_port: int = 9998,
    auth_hook_host: str = "127.0.0.1",
    log_level: str = "info",
) -> str:
    """Render the whole config for the kiosk's MediaMTX.

    Every TCP listener binds loopback: the API, metrics and RTSP are for the kiosk itself, and
    browsers reach WebRTC signalling through the kiosk's `/media` proxy. Only the WebRTC UDP
    port listens on every interface, because the audio flows straight between phone and
    MediaMTX. `path_names` are booth ids and floor channels; there is no `all_others`, so an
    unknown path is refused by MediaMTX before the auth hook is even asked. `floor_settings`
    gives a floor path settings of its own (its source), on top of `path_settings(name)`.
    """
    names = sorted(set(path_names))
    for name in names:
        if not PATH_NAME.match(name):
            raise ValueError(f"invalid MediaMTX path name {name!r}: letters, digits, _ - / . only")
    hook_url = f"http://{auth_hook_host}:{auth_hook_port}/mediamtx/auth?secret={quote(auth_secret, safe='')}"
    settings: list[tuple[str, Scalar | Sequence[str]]] = [
        ("logLevel", log_level),
        ("api", True),
        ("apiAddress", f"127.0.0.1:{api_port}"),
        ("metrics", True),
        ("metricsAddress", f"127.0.0.1:{metrics_port}"),
        ("rtsp", True),
        ("rtspAddress", f"127.0.0.1:{rtsp_port}"),
        # TCP only: the transcriber reads over TCP, and MediaMTX then opens no UDP RTP/RTCP
        # listeners (its defaults, :8000 and :8001 on every interface, would clash with a
        # second MediaMTX on the machine and face the venue network for nothing).
        ("rtspTransports", ["tcp"]),
        ("webrtc", True),
        ("webrtcAddress", f"127.0.0.1:{webrtc_port}"),
        ("webrtcLocalUDPAddress", f":{webrtc_udp_port}"),
        ("webrtcAdditionalHosts", list(webrtc_additional_hosts)),
        ("hls", False),
        ("rtmp", False),
        ("srt", False),
        ("moq", False),
        ("authMethod", "http"),
        ("authHTTPAddress", hook_url),
    ]
    lines = ["# Written by VoxBento Kiosk on every MediaMTX start; edits are overwritten."]
    for key, value in settings:
        lines.extend(_render_setting(key, value))
    lines.append("authHTTPExclude:")
    lines.extend(f"  - action: {_scalar(action)}" for action in ("api", "metrics"))
    lines.append("pathDefaults:")
    lines.append(f"  source: {_scalar('publisher')}")
    # A new WHIP publisher replaces the old one: the handover's incoming interpreter takes over.
    lines.append(f"  overridePublisher: {_scalar(True)}")
    if names:
        lines.append("paths:")
        for name in names:
            lines.append(f"  {_scalar(name)}:")
            path_conf = path_settings(name)
            path_conf.update((floor_settings or {}).get(name, {}))
            lines.extend(_render_path_settings(path_conf))
    else:
        lines.append("paths: {}")
    return "\n".join(lines) + "\n"


def write_mediamtx_config(path: Path, text: str) -> None:
    """Replace `path` atomically: MediaMTX watches the file and a half-written one would stop it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _render_setting(key: str, value: Scalar | Sequence[str]) -> list[str]:
    if isinstance(value, str | bool | int):
        return [f"{key}: {_scalar(value)}"]
    if not value:
        return [f"{key}: []"]
    return [f"{key}:"] + [f"  - {_scalar(item)}" for item in value]


def _render_path_settings(settings: PathSettings) -> list[str]:
    lines: list[str] = []
    for key, value in settings.items():
        if isinstance(value, list):
            lines.append(f"    {key}:")
            for item in value:
                first = True
                for item_key, item_value in item.items():
                    lead = "      - " if first else "        "
                    lines.append(f"{lead}{item_key}: {_scalar(item_value)}")
                    first = False
        else:
            lines.append(f"    {key}: {_scalar(value)}")
    return lines


def _scalar(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)
