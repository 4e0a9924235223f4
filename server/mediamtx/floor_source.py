"""A room's floor source: what feeds the `{event}/{room}/floor` channel. Pure: no I/O but `stat`.

A source is one of five kinds, written everywhere (event import files, the CLI, the console,
the admin panel) as one "spec" string:

- `none`: nothing feeds the floor; listeners and interpreters hear nothing on it;
- `page`: a technician's floor page publishes a line-in over WHIP;
- `device:alsa:NAME` or `device:pulse:NAME`: a capture device read by ffmpeg;
- `url:rtsp://…`, `url:rtsps://…` or `url:srt://…`: a venue encoder that MediaMTX pulls;
- `file:PATH`: an audio file looped by ffmpeg (rehearsals, `run --demo`).

Device names and file paths end up as arguments of an ffmpeg command that MediaMTX starts. It
starts it without a shell, but it splits the command line with shell quoting rules and expands
`$NAME` in every argument, so the validators here refuse `$`, quotes, control characters and a
leading `-` outright rather than trying to escape them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

NONE = "none"
PAGE = "page"
DEVICE = "device"
URL = "url"
FILE = "file"
KINDS = (NONE, PAGE, DEVICE, URL, FILE)
KIND_LABELS = {
    NONE: "no source",
    PAGE: "floor page (WHIP from a browser)",
    DEVICE: "capture device",
    URL: "RTSP/SRT address",
    FILE: "looped file",
}
DEVICE_SYSTEMS = ("alsa", "pulse")
DEVICE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:,@=+-]*$")
DEVICE_MAX = 200
URL_SCHEMES = ("rtsp", "rtsps", "srt")
URL_MAX = 500
FILE_MAX = 1000
# `$` is expanded by MediaMTX, quotes and backslashes change how it splits the command line.
FORBIDDEN_IN_ARGUMENT = re.compile(r"[\x00-\x1f\x7f$'\"\\`]")
SPEC_RULE = (
    "none, page, device:alsa:NAME, device:pulse:NAME, url:rtsp://…, url:srt://… or file:PATH"
)


@dataclass(frozen=True)
class FloorSource:
    """A validated floor source: its kind and the device, address or file it names."""

    kind: str = NONE
    """One of `KINDS`."""
    value: str = ""
    """`alsa:NAME`/`pulse:NAME` for a device, the URL, the absolute file path; "" otherwise."""

    @property
    def spec(self) -> str:
        """The one-string form: `none`, `page`, or `kind:value`."""
        return self.kind if self.kind in (NONE, PAGE) else f"{self.kind}:{self.value}"

    @property
    def runs_ffmpeg(self) -> bool:
        """Whether MediaMTX starts ffmpeg for this source (a device or a file)."""
        return self.kind in (DEVICE, FILE)

    def describe(self) -> str:
        """A line for people: the kind and what it names, with any URL password hidden."""
        if self.kind == PAGE:
            return "floor page"
        if self.kind == NONE:
            return KIND_LABELS[NONE]
        shown = redact_url(self.value) if self.kind == URL else self.value
        return f"{KIND_LABELS[self.kind]} {shown}"


NO_SOURCE = FloorSource()


def validate_device(value: object) -> str:
    """`alsa:NAME` or `pulse:NAME` with a name safe for a command line, or ValueError."""
    if not isinstance(value, str):
        raise ValueError("the capture device must be text")
    text = value.strip()
    system, _, name = text.partition(":")
    if system not in DEVICE_SYSTEMS or not name:
        raise ValueError(
            f"capture device '{text}' must be alsa:NAME or pulse:NAME "
            "(like alsa:hw:1,0, alsa:default or pulse:default)"
        )
    if len(text) > DEVICE_MAX or not DEVICE_NAME.match(name):
        raise ValueError(
            f"capture device name '{name}' may hold only letters, digits and _ . : , @ = + -, "
            f"must not start with '-', at most {DEVICE_MAX} characters"
        )
    return f"{system}:{name}"


def validate_url(value: object) -> str:
    """An rtsp://, rtsps:// or srt:// address with a host, or ValueError."""
    if not isinstance(value, str):
        raise ValueError("the floor address must be text")
    text = value.strip()
    if not text or len(text) > URL_MAX or re.search(r"[\s\x00-\x1f\x7f'\"\\`$]", text):
        raise ValueError(
            f"floor address must be one rtsp://, rtsps:// or srt:// address without spaces "
            f"or quotes, at most {URL_MAX} characters"
        )
    parts = urlsplit(text)
    if parts.scheme not in URL_SCHEMES:
        raise ValueError(
            f"floor address '{redact_url(text)}' must start with rtsp://, rtsps:// or srt://"
        )
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise ValueError(f"floor address '{redact_url(text)}' has a bad port") from exc
    if not host:
        raise ValueError(f"floor address '{redact_url(text)}' has no host")
    if parts.scheme == "srt" and port is None:
        raise ValueError(f"floor address '{redact_url(text)}' needs a port (srt://HOST:PORT)")
    return text


def validate_file(value: object, *, base: Path | None = None) -> str:
    """The absolute path of an existing regular file, safe for a command line, or ValueError.

    A relative path is taken from `base` (the working directory when None).
    """
    if not isinstance(value, str):
        raise ValueError("the floor file must be a path")
    text = value.strip()
    if not text or len(text) > FILE_MAX:
        raise ValueError(f"floor file path must be 1 to {FILE_MAX} characters")
    if FORBIDDEN_IN_ARGUMENT.search(text):
        raise ValueError(
            "floor file path must not hold $, quotes, backslashes or control characters; "
            "rename the file or link it under a plain name"
        )
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = (base or Path.cwd()) / path
    path = path.resolve()
    if not path.is_file():
        raise ValueError(f"floor file '{path}' does not exist or is not a regular file")
    return str(path)


def floor_source(kind: object, value: object = "", *, base: Path | None = None) -> FloorSource:
    """Validate a kind and its value into a FloorSource, or raise ValueError saying why."""
    if kind not in KINDS:
        raise ValueError(f"floor source kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind in (NONE, PAGE):
        return FloorSource(str(kind))
    if kind == DEVICE:
        return FloorSource(DEVICE, validate_device(value))
    if kind == URL:
        return FloorSource(URL, validate_url(value))
    return FloorSource(FILE, validate_file(value, base=base))


def parse_floor_spec(spec: object, *, base: Path | None = None) -> FloorSource:
    """Validate a spec string (`none`, `page`, `device:…`, `url:…`, `file:…`), or ValueError."""
    if not isinstance(spec, str):
        raise ValueError(f"floor must be text: {SPEC_RULE}")
    text = spec.strip()
    kind, sep, value = text.partition(":")
    if kind in (NONE, PAGE) and not sep:
        return FloorSource(kind)
    if kind not in (DEVICE, URL, FILE) or not value:
        raise ValueError(f"floor '{text}' is not valid; it must be {SPEC_RULE}")
    return floor_source(kind, value, base=base)


def stored_floor_source(kind: str, value: str) -> FloorSource:
    """A source as the database holds it, trusted without touching the disk.

    The edge validated it when it was set; a file deleted since then only leaves the floor
    offline, which the health report shows. An unknown kind reads as no source.
    """
    if kind not in KINDS:
        return NO_SOURCE
    return FloorSource(kind) if kind in (NONE, PAGE) else FloorSource(kind, value)


def redact_url(url: str) -> str:
    """The URL with any password replaced by `***` (for logs, health and the console)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{user}:***@{host}").geturl()
