"""Running the kiosk and its tools: `run`, `serve`, `mediamtx install`, `transcript export`,
`captions check`.

The engines behind these commands live in `server/`; they are imported only when the command
runs, so the setup commands start quickly and work on a machine without the caption extras.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

import db
from kiosk.commands import common
from server.config import Config

EXPORT_FORMATS = ("srt", "vtt", "txt")
VERSION_RE = re.compile(r"^v\d+\.\d+\.\d+$")


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
    run_server = common.engine("server.runner", "run_server")
    common.call_maybe_async(run_server(config))
    return 0


def run(args: argparse.Namespace, config: Config) -> int:
    """`run` (or no command): the console with the server; `--no-tui` is `serve`."""
    demo = getattr(args, "demo", False)
    if getattr(args, "no_tui", False):
        return serve(args, config)
    try:
        run_console = common.engine("kiosk.app", "run_console")
    except common.CommandFailed:
        print("The console is not part of this build yet; serving without it.", file=sys.stderr)
        return serve(args, config)
    common.call_maybe_async(run_console(config, demo=demo))
    return 0


def mediamtx_install(args: argparse.Namespace, config: Config) -> int:
    """`mediamtx install [--version V]`: download, verify and unpack into {data_dir}/bin."""
    install_mediamtx = common.engine("server.mediamtx.install", "install_mediamtx")
    version = args.version or config.mediamtx.version
    common.call_maybe_async(install_mediamtx(config, version=version))
    return 0


def transcript_export(args: argparse.Namespace, config: Config) -> int:
    """`transcript export BOOTH_ID --format F [--out FILE]`."""

    async def load() -> list[Any]:
        await db.get_booth(args.booth)  # an unknown booth is an error, not an empty file
        return list(await db.list_transcript(args.booth))

    segments = common.with_database(config, load)
    render = common.engine("server.transcription.export", f"to_{args.format}")
    text: str = render(segments)
    if args.out is None:
        sys.stdout.write(text)
    else:
        common.write_atomically(args.out, text.encode("utf-8"))
        common.say(f"Wrote {len(segments)} segment(s) of {args.booth} to {args.out}")
    return 0


def captions_check(args: argparse.Namespace, config: Config) -> int:
    """`captions check AUDIO_FILE [--model M]`: each final caption with times, then the RTF."""
    run_caption_check = common.engine("server.transcription.check", "run_caption_check")
    model = args.model or config.transcription.model
    result = common.call_maybe_async(run_caption_check(config, args.audio, model=model))
    return int(result) if isinstance(result, int) else 0
