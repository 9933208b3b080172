"""Versioned schema: a database from before migrations keeps its rows; `legalbot db upgrade` and `db copy` work."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage import open_storage
from bot.storage.database import Database
from bot.storage.migrate import current, head
from tests.integration.test_cli import legalbot

LEGACY = Path(__file__).resolve().parents[1] / "data" / "legacy_schema.sql"


def legacy_database(path: Path) -> None:
    """A SQLite file as the bot made it before migrations existed, with a user, a sign-up and a ticket."""
    with sqlite3.connect(path) as conn:
        conn.executescript(LEGACY.read_text())
        conn.execute("INSERT INTO users VALUES (5000000001, 'de', '2025-05-01T10:00:00+00:00')")
        conn.execute("INSERT INTO signups VALUES ('REF-OLD', 5000000001, 'DE', '[\"instagram\"]', '{}', 1, 'v1', "
                     "'2025-05-01T10:00:00+00:00')")
        conn.execute("INSERT INTO tickets (user_id, chat_id, lang, topic, status, opened) "
                     "VALUES (5000000001, 5000000001, 'de', 't', 'open', '2025-05-01T10:00:00+00:00')")
        conn.execute("INSERT INTO drafts (ticket_id, text, created) VALUES (1, 'draft', '2025-05-01')")
    conn.close()


def test_upgrade_adopts_a_database_from_before_migrations_and_keeps_its_rows(tmp_path: Path) -> None:
    """Opening an old file migrates it to the newest revision; its user, sign-up and ticket are still there."""
    path = tmp_path / "old.sqlite3"
    legacy_database(path)
    storage = open_storage(path)
    assert current(storage.db.engine) == head()
    assert storage.get_lang(5000000001) == "de"
    assert storage.signup_of(5000000001)["ref"] == "REF-OLD"
    assert storage.open_ticket_of(5000000001)["id"] == 1
    assert storage.open_ticket(7, 7, "en", "t") == 2
    assert storage.pop_draft(1)["text"] == "draft"
    storage.db.close()


def test_db_upgrade_command_migrates_the_configured_postgresql_database(pg_url: str) -> None:
    """`legalbot db upgrade` with LEGALBOT_DATABASE_URL set brings an empty database to the newest revision."""
    run = legalbot("db", "upgrade", env={"LEGALBOT_DATABASE_URL": pg_url})
    assert run.returncode == 0, run.stderr
    assert head() in run.stdout
    db = Database(pg_url, upgrade=False)
    assert current(db.engine) == head()
    db.close()


def test_db_copy_moves_a_sqlite_database_to_postgresql(tmp_path: Path, pg_url: str) -> None:
    """Every row arrives; new tickets in PostgreSQL get numbers after the copied ones; a second copy is refused."""
    path = tmp_path / "old.sqlite3"
    legacy_database(path)
    run = legalbot("db", "copy", "--from", f"sqlite:///{path}", "--to", pg_url)
    assert run.returncode == 0, run.stderr
    assert "signups: 1 rows" in run.stdout
    storage = open_storage(pg_url)
    assert storage.get_lang(5000000001) == "de"
    assert storage.signup_of(5000000001)["ref"] == "REF-OLD"
    assert storage.open_ticket(7, 7, "en", "t") == 2
    storage.db.close()
    again = legalbot("db", "copy", "--from", f"sqlite:///{path}", "--to", pg_url)
    assert again.returncode == 2 and "already has rows" in again.stderr
