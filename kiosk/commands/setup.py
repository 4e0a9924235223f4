"""Setting a kiosk up: `init`, `user add`, `event add|import`, `room add|floor`, `booth add`,
`secrets rotate`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
import tomllib
from pathlib import Path
from typing import Any

from kiosk.commands import common
from server.config import DEFAULT_FILE, Config
from server.hosting.network import lan_addresses
from server.identity import LANGUAGE_NAME_MAX
from server.manage import (
    InitReport,
    SetupError,
    add_booth,
    add_event,
    add_room,
    add_user,
    check_password,
    floor_of,
    import_event,
    init_kiosk,
    plan_event_import,
    rotate_secrets,
    set_floor,
    venue_outline,
)
from server.mediamtx.floor_source import (
    DEVICE,
    FILE,
    NONE,
    PAGE,
    URL,
    validate_device,
    validate_file,
    validate_url,
)
from server.safe_parse import load_toml


def register(commands: Any) -> None:
    """Add the setup commands to the top-level command list."""
    common.add_command(
        commands,
        "init",
        init_command,
        "write kiosk.toml (if absent), secrets, the database and the TLS certificate",
        needs_config=False,
    )

    user = common.add_group(commands, "user", "user accounts")
    add = common.add_command(user, "add", user_add, "create a user account")
    add.add_argument("email", metavar="EMAIL", type=common.email)
    add.add_argument("--admin", action="store_true", help="may do everything, in every event")
    add.add_argument("--name", type=common.display_name("name"), help="display name")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin (else ask twice in the terminal)",
    )

    event = common.add_group(commands, "event", "events")
    add = common.add_command(event, "add", event_add, "create an event (it gets the room main)")
    add.add_argument("slug", metavar="SLUG", type=common.event_slug)
    add.add_argument("name", metavar="NAME", type=common.display_name("event name"))
    add.add_argument("--listener-code", metavar="CODE", help="a PIN listeners must enter")
    imp = common.add_command(
        event, "import", event_import, "create an event with its rooms and booths from a file"
    )
    imp.add_argument("file", metavar="FILE.toml", type=common.existing_file)

    room = common.add_group(commands, "room", "rooms of an event")
    add = common.add_command(room, "add", room_add, "add a room to an event")
    add.add_argument("event", metavar="EVENT", type=common.event_slug)
    add.add_argument("slug", metavar="SLUG", type=common.room_slug)
    add.add_argument("name", metavar="NAME", type=common.display_name("room name"))

    floor = common.add_command(
        room, "floor", room_floor, "show or set what feeds a room's floor channel"
    )
    floor.add_argument("room", metavar="EVENT/ROOM", type=common.room_key)
    source = floor.add_mutually_exclusive_group()
    source.add_argument(
        "--device",
        type=common.validated(validate_device),
        help="a capture device read by ffmpeg: alsa:NAME (alsa:hw:1,0) or pulse:NAME",
    )
    source.add_argument(
        "--url",
        type=common.validated(validate_url),
        help="a venue encoder MediaMTX pulls: rtsp://…, rtsps://… or srt://HOST:PORT…",
    )
    source.add_argument(
        "--file",
        type=common.validated(validate_file),
        help="an audio file looped by ffmpeg (rehearsals)",
    )
    source.add_argument(
        "--page",
        action="store_true",
        help="the floor page /floor/EVENT/ROOM: a browser at the mixing desk publishes",
    )
    source.add_argument("--none", action="store_true", help="no floor source")

    booth = common.add_group(commands, "booth", "language booths of a room")
    add = common.add_command(booth, "add", booth_add, "add a language booth to a room")
    add.add_argument("room", metavar="EVENT/ROOM", type=common.room_key)
    add.add_argument("lang", metavar="LANG", type=common.language_code)
    add.add_argument(
        "language_name",
        metavar="LANGUAGE_NAME",
        type=common.display_name("language name", LANGUAGE_NAME_MAX),
    )
    add.add_argument("--transcription", action="store_true", help="caption this booth live")

    secrets = common.add_group(commands, "secrets", "the kiosk's own keys")
    common.add_command(
        secrets, "rotate", secrets_rotate, "new encryption key first; re-encrypt stored secrets"
    )


def _init_lines(report: InitReport) -> list[str]:
    config_note = "written, every key commented" if report.config_created else "kept as it was"
    secrets_note = "created, mode 0600" if report.secrets_created else "kept as it was"
    applied = len(report.migrations_applied)
    db_note = f"{applied} migration(s) applied" if applied else "up to date"
    lines = [
        f"Configuration: {report.config_path} ({config_note})",
        f"Data folder:   {report.data_dir}",
        f"Secrets:       {report.secrets_path} ({secrets_note})",
        f"Database:      {report.database_url} ({db_note})",
    ]
    if report.certificate is not None:
        if report.certificate_created:
            names = ", ".join([*lan_addresses(), "localhost", "kiosk.local"])
            cert_note = f"created for {names}, valid one year"
        else:
            cert_note = "kept as it was"
        lines.append(f"Certificate:   {report.certificate} ({cert_note})")
    else:
        lines.append('Certificate:   none (tls = "off": invite links use plain HTTP)')
    config_arg = "" if report.config_path == Path.cwd() / DEFAULT_FILE else " --config FILE"
    lines += [
        "",
        "Next steps:",
        f"  {common.PROG} user add you@example.org --admin{config_arg}",
        f"  {common.PROG} event import event.toml{config_arg}   (format: docs/cli.md)",
        f"  {common.PROG} invite create EVENT/ROOM/LANG --role interpreter{config_arg}",
        f"  {common.PROG} serve{config_arg}",
    ]
    return lines


def init_command(args: argparse.Namespace, config: Config | None) -> int:
    """`init`: set up the configuration, data folder, secrets, database and certificate."""
    path = Path(getattr(args, "config", None) or DEFAULT_FILE)
    report = asyncio.run(init_kiosk(path))
    common.say(*_init_lines(report))
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise SetupError("no password on stdin (give it as the first line)")
        return check_password(line)
    if not sys.stdin.isatty():
        raise SetupError("no terminal to ask for the password; use --password-stdin")
    password = check_password(getpass.getpass("Password: "))
    if getpass.getpass("Repeat the password: ") != password:
        raise SetupError("the two passwords differ; nothing was changed")
    return password


def user_add(args: argparse.Namespace, config: Config) -> int:
    """`user add EMAIL`: create an account."""
    password = _read_password(args.password_stdin)
    user = common.with_database(
        config, lambda: add_user(args.email, password, args.name or "", is_admin=args.admin)
    )
    kind = "admin" if user.is_admin else "user"
    common.say(f"Created {kind} {user.email} ({user.display_name}).")
    return 0


def event_add(args: argparse.Namespace, config: Config) -> int:
    """`event add SLUG NAME`: create an event with its room `main`."""
    event = common.with_database(
        config, lambda: add_event(args.slug, args.name, args.listener_code)
    )
    common.say(
        f"Created event {event.slug} ({event.display_name}) with the room main.",
        f"Next: {common.PROG} booth add {event.slug}/main LANG LANGUAGE_NAME",
    )
    return 0


def _read_import_file(path: Path) -> dict[str, Any]:
    try:
        return load_toml(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SetupError(f"{path}: not valid TOML ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise SetupError(f"{path}: not UTF-8 text") from exc


def event_import(args: argparse.Namespace, config: Config) -> int:
    """`event import FILE.toml`: an event with its rooms and booths, all or nothing."""
    data = _read_import_file(args.file)
    try:
        plan_event_import(
            data, base=args.file.parent
        )  # every problem of the file is found before the database opens
    except SetupError as exc:
        raise SetupError(f"{args.file}: {exc}") from exc

    async def work() -> tuple[int, list[str]]:
        event = await import_event(data, base=args.file.parent)
        [outline] = [e for e in await venue_outline() if e.slug == event.slug]
        return len(outline.rooms), [f"  {b.booth_id}  {b.language_name}" for b in outline.booths]

    room_count, booths = common.with_database(config, work)
    common.say(
        f"Imported {args.file}: event {data['event']['slug']}, {room_count} room(s), "
        f"{len(booths)} booth(s).",
        *booths,
    )
    return 0


def room_add(args: argparse.Namespace, config: Config) -> int:
    """`room add EVENT SLUG NAME`."""
    room = common.with_database(config, lambda: add_room(args.event, args.slug, args.name))
    common.say(f"Created room {args.event}/{room.slug} ({room.display_name}).")
    return 0


def _chosen_floor(args: argparse.Namespace) -> tuple[str, str] | None:
    for kind, value in ((DEVICE, args.device), (URL, args.url), (FILE, args.file)):
        if value is not None:
            return kind, value
    if args.page:
        return PAGE, ""
    return (NONE, "") if args.none else None


def room_floor(args: argparse.Namespace, config: Config) -> int:
    """`room floor EVENT/ROOM [--device D | --url U | --file F | --page | --none]`."""
    chosen = _chosen_floor(args)
    if chosen is None:
        shown = common.with_database(config, lambda: floor_of(args.room))
        common.say(f"Floor of {args.room}: {shown.describe()} ({shown.spec})")
        return 0
    kind, value = chosen
    source = common.with_database(config, lambda: set_floor(args.room, kind, value))
    common.say(
        f"Floor of {args.room}: {source.describe()}.",
        "A running kiosk picks it up when it notices the change, or at its next start.",
    )
    return 0


def booth_add(args: argparse.Namespace, config: Config) -> int:
    """`booth add EVENT/ROOM LANG LANGUAGE_NAME`."""
    booth = common.with_database(
        config,
        lambda: add_booth(args.room, args.lang, args.language_name, args.transcription),
    )
    captions = ", captioned" if booth.transcription else ""
    common.say(
        f"Created booth {booth.path} ({booth.language_name}{captions}).",
        f"Invite its interpreters: {common.PROG} invite create {booth.path} --role interpreter",
    )
    return 0


def secrets_rotate(args: argparse.Namespace, config: Config) -> int:
    """`secrets rotate`: a new Fernet key first, every stored secret re-encrypted with it."""
    report = common.with_database(config, lambda: rotate_secrets(config.data_dir))
    common.say(
        f"New encryption key first in {report.secrets_file} ({report.key_count} keys kept).",
        f"Re-encrypted {report.reencrypted} stored secret(s) with it.",
    )
    return 0
