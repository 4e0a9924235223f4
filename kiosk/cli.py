"""The `voxbento-kiosk` command line (docs/design.md §5).

Every command takes `--config FILE` (else `./kiosk.toml`, else the built-in defaults). Success
exits 0. A usage error or bad input prints one line on stderr, `voxbento-kiosk: error: …`, with
no traceback, changes nothing and exits 2. The commands live in `kiosk/commands/`, one module
per group; this module builds the parser and turns expected errors into that one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from kiosk.commands import invites, service, setup
from kiosk.commands.common import PROG, CommandFailed, config_option
from server import __version__
from server.config import Config, ConfigError, load_config
from server.hosting.startup import StartupError
from server.manage import DataError, SetupError
from server.secrets.store import SecretsFileError

USAGE_ERROR = 2
FAILURE = 1


class KioskArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser that reports a usage error in one line, without the usage dump."""

    def error(self, message: str) -> NoReturn:
        """Print `voxbento-kiosk: error: MESSAGE` on stderr and exit 2."""
        self.exit(USAGE_ERROR, f"{PROG}: error: {message}\n")


def build_parser() -> KioskArgumentParser:
    """The whole command tree; `run` is what happens when no command is given."""
    parser = KioskArgumentParser(
        prog=PROG,
        description="VoxBento Kiosk: simultaneous interpretation from one booth-side machine.",
        epilog="Without a command, runs the kiosk (the same as `run`). See docs/cli.md.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    config_option(parser)
    service.add_run_options(parser)
    parser.set_defaults(handler=service.run, needs_config=True)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    service.register_run(commands)
    setup.register(commands)
    invites.register(commands)
    service.register_tools(commands)
    return parser


def _load(args: argparse.Namespace) -> Config | None:
    if not args.needs_config:
        return None
    path = getattr(args, "config", None)
    return load_config(Path(path) if path else None)


def _fail(message: str, code: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        config = _load(args)
        return int(args.handler(args, config) or 0)
    except (
        ConfigError,
        SetupError,
        SecretsFileError,
        StartupError,
        DataError,
        ValueError,
    ) as exc:
        return _fail(str(exc), USAGE_ERROR)
    except CommandFailed as exc:
        return _fail(str(exc), exc.code)
    except OSError as exc:
        return _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "), FAILURE)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
