"""What every command shares: argument types that validate, and running with the database.

Argument types call the same validators as the setup operations (`server.identity`), so bad
input is refused by argparse, in one line, before anything is opened or written.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from server import identity
from server.config import Config
from server.manage import open_database

PROG = "voxbento-kiosk"
T = TypeVar("T")


class CommandFailed(Exception):
    """A command could not do its work for a reason outside the user's input."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def config_option(parser: argparse.ArgumentParser) -> None:
    """Add `--config FILE` (kept only when given, so it works before or after the command)."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="configuration file (default: ./kiosk.toml if present, else built-in defaults)",
    )


def add_command(
    group: Any, name: str, handler: Callable[..., int], help_text: str, *, needs_config: bool = True
) -> argparse.ArgumentParser:
    """Add one command with `--config` and its handler."""
    parser: argparse.ArgumentParser = group.add_parser(name, help=help_text, description=help_text)
    config_option(parser)
    parser.set_defaults(handler=handler, needs_config=needs_config)
    return parser


def add_group(
    commands: Any, name: str, help_text: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Add a command group such as `event` whose subcommands are required."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=help_text, description=help_text
    )
    group: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(
        title="commands", metavar="COMMAND"
    )

    def missing_command(args: argparse.Namespace, config: Config | None) -> int:
        parser.error(f"'{name}' needs a command: {', '.join(group.choices)}")

    config_option(parser)
    parser.set_defaults(handler=missing_command, needs_config=False)
    return group


def _validated(check: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse type from a validator that raises ValueError (exit 2, one line)."""

    def convert(text: str) -> T:
        try:
            return check(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc

    return convert


validated = _validated
event_slug = _validated(identity.validate_event_slug)
room_slug = _validated(identity.validate_room_slug)
language_code = _validated(identity.validate_language_code)
email = _validated(identity.validate_email)
booth_id = _validated(lambda text: identity.BoothId.parse(text).path)
room_key = _validated(lambda text: identity.RoomKey.parse(text).path)


def display_name(what: str, max_length: int = identity.NAME_MAX) -> Callable[[str], str]:
    """An argument type for a display name of at most `max_length` characters."""
    return _validated(lambda text: identity.validate_display_name(text, what, max_length))


def hours(text: str) -> float:
    """A lifetime in hours: a decimal number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of hours") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"hours must be a number above 0, not '{text}'")
    return value


def positive_int(text: str) -> int:
    """A whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def existing_file(text: str) -> Path:
    """A file that exists and can be read."""
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"cannot read {text}")
    return path


def writable_file(*suffixes: str) -> Callable[[str], Path]:
    """A file to write, in an existing folder we may write to, with one of `suffixes`."""

    def convert(text: str) -> Path:
        path = Path(text)
        if suffixes and path.suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(
                f"'{text}' must end in {' or '.join(suffixes)} to say which format to write"
            )
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise argparse.ArgumentTypeError(f"no such folder for {text}: {folder}")
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise argparse.ArgumentTypeError(f"cannot write {text}")
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"{text} is a folder")
        return path

    return convert


def with_database(config: Config, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` with the database migrated and open (made on demand), then close it."""

    async def session() -> T:
        async with open_database(config):
            return await work()

    return asyncio.run(session())


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file through a temporary sibling and a rename, so it is never half written."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def say(*lines: str) -> None:
    """Print progress and confirmation lines on stdout."""
    for line in lines:
        print(line)
