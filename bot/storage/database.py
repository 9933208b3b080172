"""One connection layer for SQLite and PostgreSQL (SQLAlchemy Core), with the schema kept by Alembic migrations."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

_QMARK = re.compile(r"\?")


def database_url(target: Path | str) -> str:
    """A SQLAlchemy URL from a file path, ':memory:' or a URL (postgresql:// gets the psycopg 3 driver)."""
    value = str(target)
    if value == ":memory:":
        return "sqlite://"
    if "://" not in value:
        return f"sqlite:///{value}"
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def _named(sql: str, params: tuple[Any, ...]) -> tuple[str, dict[str, Any]]:
    """Turn qmark placeholders into SQLAlchemy's named ones (our SQL has no literal question marks)."""
    names = iter(range(len(params)))
    return _QMARK.sub(lambda _: f":p{next(names)}", sql), {f"p{i}": value for i, value in enumerate(params)}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL lets readers run beside the writer; foreign keys make ON DELETE CASCADE work."""
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(target: Path | str) -> Engine:
    """An engine for the target; SQLite files get their folder created."""
    url = make_url(database_url(target))
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # One shared connection, as before: an in-memory database exists only inside its connection.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True)


class Database:
    """Statements and transactions over one engine; SQLite calls are serialised as the single connection needs."""

    def __init__(self, target: Path | str, upgrade: bool = True) -> None:
        self.engine = make_engine(target)
        self.dialect = self.engine.dialect.name
        self._lock: Any = threading.RLock() if self.dialect == "sqlite" else contextlib.nullcontext()
        if upgrade:
            from bot.storage.migrate import upgrade_engine

            with self._lock:
                upgrade_engine(self.engine)

    @contextlib.contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection inside a transaction, committed on success."""
        with self._lock, self.engine.begin() as conn:
            yield conn

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> CursorResult[Any]:
        """Run one statement in its own transaction."""
        statement, values = _named(sql, params)
        with self.connect() as conn:
            return conn.execute(text(statement), values)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Rows as dictionaries."""
        statement, values = _named(sql, params)
        with self.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(text(statement), values)]

    def insert(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """Run an INSERT … RETURNING id and give the new id (0 when nothing was inserted)."""
        rows = self.query(sql, params)
        return int(rows[0]["id"]) if rows else 0

    def transaction(self, statements: list[tuple[str, tuple[Any, ...]]]) -> list[int]:
        """Run statements atomically; returns the rows changed by each."""
        with self.connect() as conn:
            return [conn.execute(text(sql), values).rowcount for sql, values in (_named(*s) for s in statements)]

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()
