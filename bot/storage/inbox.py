"""The transactional inbox (PostgreSQL): store an update before answering 200, claim it with a lease, mark it done."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.database import Database

_NOW = "EXTRACT(EPOCH FROM clock_timestamp())"  # the database's clock: workers' clocks may disagree

# The oldest pending update of each chat whose lease is free or ran out; later updates of that chat wait their turn.
_CLAIM = f"""
WITH ready AS (
  SELECT update_id FROM inbox i
  WHERE i.done_at IS NULL AND (i.locked_until IS NULL OR i.locked_until < {_NOW})
    AND NOT EXISTS (SELECT 1 FROM inbox e WHERE e.chat_id = i.chat_id AND e.done_at IS NULL
                    AND e.update_id < i.update_id)
  ORDER BY update_id LIMIT ? FOR UPDATE SKIP LOCKED)
UPDATE inbox SET locked_by = ?, locked_until = {_NOW} + ?, attempts = inbox.attempts + 1
FROM ready WHERE inbox.update_id = ready.update_id
RETURNING inbox.update_id, inbox.payload, inbox.received, inbox.attempts
"""


@dataclass(frozen=True)
class Claimed:
    """An update this worker now holds."""

    update_id: int
    payload: str
    received: float
    attempts: int


class Inbox:
    """Rows of the inbox table, seen by one worker."""

    def __init__(self, db: Database, worker: str, lease_s: float) -> None:
        if db.dialect != "postgresql":
            raise ValueError("The inbox needs PostgreSQL (FOR UPDATE SKIP LOCKED).")
        self.db, self.worker, self.lease_s = db, worker, lease_s

    def put(self, update_id: int, chat_id: int, payload: str) -> bool:
        """Store an update once; False when Telegram delivered it before (it is not stored again)."""
        return self.db.execute(
            f"INSERT INTO inbox (update_id, chat_id, payload, received) VALUES (?, ?, ?, {_NOW}) "
            "ON CONFLICT (update_id) DO NOTHING",
            (update_id, chat_id, payload),
        ).rowcount == 1

    def claim(self, limit: int) -> list[Claimed]:
        """Take up to `limit` ready updates, at most one per chat, oldest first."""
        rows = self.db.query(_CLAIM, (limit, self.worker, self.lease_s))
        return sorted((Claimed(**row) for row in rows), key=lambda c: c.update_id)

    def renew(self, update_ids: list[int]) -> None:
        """Extend the lease of updates still being handled (a long LLM answer must not be taken over)."""
        for update_id in update_ids:
            self.db.execute(f"UPDATE inbox SET locked_until = {_NOW} + ? WHERE update_id = ? AND locked_by = ?",
                            (self.lease_s, update_id, self.worker))

    def done(self, update_id: int) -> None:
        """Mark an update handled and drop its content (only the id stays, to recognise Telegram's retries)."""
        self.db.execute(f"UPDATE inbox SET done_at = {_NOW}, payload = '' WHERE update_id = ?", (update_id,))

    def depth(self) -> int:
        """Updates stored and not yet handled."""
        return int(self.db.query("SELECT COUNT(*) AS n FROM inbox WHERE done_at IS NULL")[0]["n"])

    def purge(self, older_than_s: float) -> int:
        """Forget handled updates older than Telegram's retry horizon."""
        return self.db.execute(f"DELETE FROM inbox WHERE done_at < {_NOW} - ?", (older_than_s,)).rowcount
