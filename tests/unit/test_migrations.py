"""The aerich migrations build the same schema as the models, and apply once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import db
from db.migrate import migrate_db

pytestmark = pytest.mark.anyio
Schema = dict[str, set[tuple[object, ...]]]


def _schema(path: Path) -> Schema:
    """Each table's columns (name, type, not null, primary key) and unique indexes' columns."""
    with sqlite3.connect(path) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'aerich'"
            )
        ]
        schema: Schema = {}
        for table in tables:
            columns = {
                (name, kind, notnull, pk)
                for _, name, kind, notnull, _, pk in conn.execute(f'PRAGMA table_info("{table}")')
            }
            uniques = {
                ("unique", *[c[2] for c in conn.execute(f'PRAGMA index_info("{index}")')])
                for _, index, unique, *_ in conn.execute(f'PRAGMA index_list("{table}")')
                if unique
            }
            schema[table] = columns | uniques
    return schema


async def test_migrated_schema_equals_the_generated_one(tmp_path: Path) -> None:
    migrated, generated = tmp_path / "migrated.sqlite3", tmp_path / "generated.sqlite3"
    await migrate_db(db.sqlite_url(migrated))
    await db.init_db(db.sqlite_url(generated), generate_schemas=True)
    await db.close_db()
    assert _schema(migrated) == _schema(generated)
    assert "invitetoken" in _schema(migrated)


async def test_migrations_apply_once(tmp_path: Path) -> None:
    url = db.sqlite_url(tmp_path / "kiosk.sqlite3")
    first = await migrate_db(url)
    second = await migrate_db(url)
    assert len(first) >= 1
    assert second == []


async def test_migrating_leaves_an_open_database_usable(tmp_path: Path) -> None:
    url = db.sqlite_url(tmp_path / "kiosk.sqlite3")
    await migrate_db(url)
    await db.init_db(url)
    try:
        await db.create_event("pycon", "PyCon")
        await migrate_db(url)
        assert [e.slug for e in await db.list_events()] == ["pycon"]
    finally:
        await db.close_db()


async def test_file_database_runs_in_wal_mode(file_db: Path) -> None:
    with sqlite3.connect(file_db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
