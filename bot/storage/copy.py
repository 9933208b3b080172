"""`legalbot db copy --from URL --to URL`: move every row to another database (an NGO outgrowing SQLite)."""

from __future__ import annotations

from sqlalchemy import MetaData, func, select, text

from bot.errors import LegalbotError
from bot.storage.database import Database

_BATCH = 1000


def copy_database(source_url: str, target_url: str) -> dict[str, int]:
    """Copy all tables, parents first, into an empty target at the same schema; returns rows per table."""
    source, target = Database(source_url), Database(target_url)
    try:
        tables, columns = MetaData(), MetaData()
        tables.reflect(source.engine)
        # Rows are written through the target's own column types (SQLite's INTEGER is PostgreSQL's BIGINT).
        columns.reflect(target.engine)
        order = [columns.tables[t.name] for t in tables.sorted_tables if t.name != "alembic_version"]
        copied: dict[str, int] = {}
        with source.engine.connect() as reader, target.connect() as writer:
            for table in order:
                if writer.execute(select(func.count()).select_from(table)).scalar():
                    raise LegalbotError(f"The target already has rows in {table.name}: copy only into a new database.")
            for table in order:
                copied[table.name] = 0
                rows = reader.execute(select(tables.tables[table.name])).mappings()
                while batch := [dict(row) for row in rows.fetchmany(_BATCH)]:
                    writer.execute(table.insert(), batch)
                    copied[table.name] += len(batch)
                if target.dialect == "postgresql" and "id" in table.c:
                    # Rows came with their ids: move the sequence past them so new tickets get fresh numbers.
                    writer.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
        return copied
    finally:
        source.close()
        target.close()
