"""`init` and opening the database: what a fresh machine needs before the kiosk can run."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import db
from db.migrate import migrate_db
from server.config import Config, load_config
from server.hosting.network import lan_addresses
from server.hosting.tls import generate_self_signed, tls_paths
from server.secrets.store import load_or_create_secrets, secrets_path

EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "kiosk.example.toml"


@dataclass(frozen=True)
class InitReport:
    """What `init` found and what it wrote; `*_created` are False when the thing existed."""

    config: Config
    config_path: Path
    config_created: bool
    data_dir: Path
    secrets_path: Path
    secrets_created: bool
    database_url: str
    migrations_applied: tuple[str, ...]
    certificate: Path | None
    certificate_created: bool


def _uses_sqlite_in_data_dir(config: Config) -> bool:
    return not config.database.url


async def prepare_database(config: Config) -> list[str]:
    """Create the data folder if the database lives there, and apply pending migrations."""
    if _uses_sqlite_in_data_dir(config):
        config.data_dir.mkdir(parents=True, exist_ok=True)
    return await migrate_db(config.database_url)


@asynccontextmanager
async def open_database(config: Config) -> AsyncIterator[None]:
    """The database, migrated and open for the block, closed afterwards.

    Commands use this, so they work right after `init` and also without it: the data folder
    and the SQLite file are made on demand (secrets.toml is not; only commands that need keys
    create it).
    """
    await prepare_database(config)
    await db.init_db(config.database_url)
    try:
        yield
    finally:
        await db.close_db()


async def connect_database(config: Config) -> None:
    """Connect to the configured database as it stands, without migrating it.

    For a console without its own server whose caller prepared the database (a test).
    """
    await db.init_db(config.database_url)


async def disconnect_database() -> None:
    """Close what `connect_database` opened."""
    await db.close_db()


def write_example_config(path: Path) -> bool:
    """Copy the commented example to `path` unless a file is there; True when written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(EXAMPLE_CONFIG, path)
    return True


def ensure_certificate(config: Config) -> tuple[Path | None, bool]:
    """With tls = "self-signed", make the certificate unless it exists; (path, created)."""
    if config.server.tls != "self-signed":
        return (tls_paths(config)[0] if config.server.tls == "files" else None), False
    cert, key = tls_paths(config)
    if cert.is_file() and key.is_file():
        return cert, False
    generate_self_signed(cert, key, lan_addresses())
    return cert, True


async def init_kiosk(config_path: Path, config: Config | None = None) -> InitReport:
    """Set up a kiosk: config file, data folder, secrets, migrated database and certificate.

    Each step keeps what exists: a second `init` changes nothing, and secrets.toml is never
    rewritten. Without `config`, the file at `config_path` is loaded after it is written.
    """
    config_path = config_path.absolute()  # noqa: ASYNC240 - no I/O, just cwd
    config_created = write_example_config(config_path)
    if config is None or config_created:
        config = load_config(config_path)
    _, secrets_created = load_or_create_secrets(config.data_dir)
    applied = await prepare_database(config)
    certificate, certificate_created = ensure_certificate(config)
    return InitReport(
        config=config,
        config_path=config_path,
        config_created=config_created,
        data_dir=config.data_dir,
        secrets_path=secrets_path(config.data_dir),
        secrets_created=secrets_created,
        database_url=config.database_url,
        migrations_applied=tuple(applied),
        certificate=certificate,
        certificate_created=certificate_created,
    )
