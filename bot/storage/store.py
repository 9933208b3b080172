"""Storage on SQLite or PostgreSQL: preferences, walkthrough state, progress, sign-ups; /forget and /mydata."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.storage.database import Database
from bot.storage.support import SupportStore

# Tables with a user_id column: /forget deletes from each, /mydata reads each.
USER_TABLES = ("users", "flow_state", "progress", "signups", "ticket_messages", "tickets", "update_consent",
               "broadcast_deliveries")


def now() -> str:
    """UTC timestamp in ISO format, second precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Storage(SupportStore):
    """Everything the bot remembers, behind methods named after what the bot does."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- preferences
    def get_lang(self, user_id: int) -> str | None:
        """The user's chosen language, if they chose one."""
        rows = self.db.query("SELECT lang FROM users WHERE user_id = ?", (user_id,))
        return rows[0]["lang"] if rows else None

    def set_lang(self, user_id: int, lang: str) -> None:
        """Remember the user's language."""
        self.db.execute(
            "INSERT INTO users (user_id, lang, updated) VALUES (?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET lang = excluded.lang, updated = excluded.updated",
            (user_id, lang, now()),
        )

    # --- walkthrough state
    def load_flow(self, user_id: int) -> dict[str, Any] | None:
        """The user's walkthrough in progress: flow, step, answers, history."""
        rows = self.db.query("SELECT * FROM flow_state WHERE user_id = ?", (user_id,))
        if not rows:
            return None
        row = rows[0]
        return {**row, "answers": json.loads(row["answers"]), "history": json.loads(row["history"])}

    def save_flow(self, user_id: int, flow: str, step: str, answers: dict[str, Any], history: list[str]) -> None:
        """Persist the walkthrough so it survives a restart."""
        self.db.execute(
            "INSERT INTO flow_state (user_id, flow, step, answers, history, updated) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET flow = excluded.flow, step = excluded.step, "
            "answers = excluded.answers, history = excluded.history, updated = excluded.updated",
            (user_id, flow, step, json.dumps(answers), json.dumps(history), now()),
        )

    def clear_flow(self, user_id: int) -> None:
        """Forget the walkthrough in progress (finished or cancelled)."""
        self.db.execute("DELETE FROM flow_state WHERE user_id = ?", (user_id,))

    # --- progress ("Done" buttons)
    def mark_done(self, user_id: int, item: str) -> None:
        """Record that the user finished a step (e.g. objected on Instagram)."""
        self.db.execute(
            "INSERT INTO progress (user_id, item, done_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (user_id, item, now()),
        )

    def progress(self, user_id: int) -> dict[str, str]:
        """Finished items and when."""
        rows = self.db.query("SELECT item, done_at FROM progress WHERE user_id = ? ORDER BY done_at", (user_id,))
        return {row["item"]: row["done_at"] for row in rows}

    # --- sign-ups
    def add_signup(self, record: dict[str, Any]) -> bool:
        """Store one sign-up record; False when the user already has one (a double press changes nothing)."""
        cursor = self.db.execute(
            "INSERT INTO signups (ref, user_id, country, platforms, eligibility, contact_ok, "
            "consent_version, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                record["ref"],
                record["user_id"],
                record["country"],
                json.dumps(record["platforms"]),
                json.dumps(record["eligibility"]),
                int(record["contact_ok"]),
                record["consent_version"],
                now(),
            ),
        )
        return cursor.rowcount == 1

    def signup_of(self, user_id: int) -> dict[str, Any] | None:
        """The user's sign-up record, if any."""
        rows = self.db.query("SELECT * FROM signups WHERE user_id = ?", (user_id,))
        return rows[0] if rows else None

    def signups(self) -> list[dict[str, Any]]:
        """All current (consented, not withdrawn) sign-up records, oldest first."""
        return self.db.query("SELECT * FROM signups ORDER BY created")

    # --- the user's rights
    def mydata(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row about the user, table by table."""
        return {table: self.db.query(f"SELECT * FROM {table} WHERE user_id = ?", (user_id,)) for table in USER_TABLES}

    def forget(self, user_id: int) -> int:
        """Erase every row about the user in one transaction; returns how many rows went."""
        drafts = ("DELETE FROM drafts WHERE ticket_id IN (SELECT id FROM tickets WHERE user_id = ?)", (user_id,))
        # Handled inbox rows of their private chat (chat id = user id) hold no text but still say they wrote.
        inbox = ("DELETE FROM inbox WHERE chat_id = ? AND done_at IS NOT NULL", (user_id,))
        statements = [inbox, drafts] + [(f"DELETE FROM {t} WHERE user_id = ?", (user_id,)) for t in USER_TABLES]
        return sum(self.db.transaction(statements)[1:])


def open_storage(target: Path | str) -> Storage:
    """Storage on a SQLite file path or a database URL, migrated to the newest schema."""
    return Storage(Database(target))
