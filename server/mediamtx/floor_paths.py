"""MediaMTX settings of a floor path, from the room's floor source (docs/design.md §12).

- `none` and `page`: the path waits for a publisher (the floor page's WHIP session, if any).
- `url`: MediaMTX pulls the venue encoder itself (`source: rtsp://…` or `srt://…`).
- `device` and `file`: MediaMTX runs ffmpeg (`runOnInit`, restarted when it exits), which
  encodes Opus and publishes it back over RTSP on loopback with the kiosk's feed token.

The same settings go into `mediamtx.yml` and into `config/paths/replace` when a source changes
while MediaMTX runs.
"""

from __future__ import annotations

import shlex

from server.mediamtx.floor_source import DEVICE, FILE, URL, FloorSource

Scalar = str | bool | int
# 64 kb/s mono Opus: speech and music from the desk, well within any venue Wi-Fi.
OPUS_BITRATE = "64k"


def ffmpeg_command(
    source: FloorSource, *, ffmpeg: str, path: str, rtsp_port: int, feed_token: str
) -> str:
    """The command line MediaMTX runs for a device or file floor, quoted for its splitter.

    Every argument is quoted; the validators already refused `$` and quotes, which MediaMTX
    would expand or reinterpret.
    """
    if source.kind == DEVICE:
        system, _, name = source.value.partition(":")
        capture = ["-f", system, "-i", name]
    elif source.kind == FILE:
        # -re reads at the file's own pace; -stream_loop -1 starts again at the end, forever.
        capture = ["-re", "-stream_loop", "-1", "-i", source.value]
    else:
        raise ValueError(f"a {source.kind} floor runs no ffmpeg")
    target = f"rtsp://127.0.0.1:{rtsp_port}/{path}?token={feed_token}"
    arguments = [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "warning",
        *capture,
        "-vn",
        "-ac",
        "1",
        "-ar",
        "48000",
        "-c:a",
        "libopus",
        "-b:a",
        OPUS_BITRATE,
        "-f",
        "rtsp",
        "-rtsp_transport",
        "tcp",
        target,
    ]
    return " ".join(shlex.quote(argument) for argument in arguments)


def floor_path_settings(
    source: FloorSource, *, ffmpeg: str, path: str, rtsp_port: int, feed_token: str
) -> dict[str, Scalar]:
    """The path's MediaMTX settings (the keys of one `paths:` entry)."""
    if source.kind == URL:
        return {"source": source.value}
    settings: dict[str, Scalar] = {"source": "publisher"}
    if source.runs_ffmpeg:
        settings["runOnInit"] = ffmpeg_command(
            source, ffmpeg=ffmpeg, path=path, rtsp_port=rtsp_port, feed_token=feed_token
        )
        settings["runOnInitRestart"] = True
    return settings
