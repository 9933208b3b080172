"""Storage for the support side: tickets, staff-message map, drafts, vetted FAQ, counters, unanswered questions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.storage.database import Database


def _now() -> str:
    """UTC timestamp, second precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


_BUMP = ("INSERT INTO counters (day, metric, key, count) VALUES (?, ?, ?, ?) "
         "ON CONFLICT(day, metric, key) DO UPDATE SET count = counters.count + excluded.count")


def _today() -> str:
    """UTC date: counters are kept per day, never per user."""
    return datetime.now(UTC).date().isoformat()


class SupportStore:
    """Mixin over `self.db`; no method here stores message text together with a user id."""

    db: Database

    # --- tickets
    def open_ticket(self, user_id: int, chat_id: int, lang: str, topic: str, show_name: bool = False) -> int:
        """A new open ticket, or the user's open one."""
        existing = self.open_ticket_of(user_id)
        if existing:
            return int(existing["id"])
        return self.db.insert(
            "INSERT INTO tickets (user_id, chat_id, lang, topic, show_name, status, opened) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (user_id, chat_id, lang, topic, int(show_name), "open", _now()),
        )

    def open_ticket_of(self, user_id: int) -> dict[str, Any] | None:
        """The user's open ticket, if any."""
        rows = self.db.query("SELECT * FROM tickets WHERE user_id = ? AND status = 'open'", (user_id,))
        return rows[0] if rows else None

    def ticket(self, ticket_id: int) -> dict[str, Any] | None:
        """A ticket by number."""
        rows = self.db.query("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
        return rows[0] if rows else None

    def close_ticket(self, ticket_id: int) -> bool:
        """Close an open ticket; False when it was not open."""
        cursor = self.db.execute(
            "UPDATE tickets SET status = 'closed', closed = ? WHERE id = ? AND status = 'open'", (_now(), ticket_id)
        )
        return cursor.rowcount == 1

    def set_show_name(self, ticket_id: int, show: bool) -> None:
        """Record the user's consent (or not) to show their name to staff on this ticket."""
        self.db.execute("UPDATE tickets SET show_name = ? WHERE id = ?", (int(show), ticket_id))

    def open_ticket_count(self) -> int:
        """How many tickets are open (for /stats)."""
        return int(self.db.query("SELECT COUNT(*) AS n FROM tickets WHERE status = 'open'")[0]["n"])

    def map_staff_message(self, staff_chat_id: int, staff_message_id: int, ticket_id: int, user_id: int) -> None:
        """Remember which ticket a message in the staff group belongs to (forward privacy makes this necessary)."""
        self.db.execute(
            "INSERT INTO ticket_messages (staff_chat_id, staff_message_id, ticket_id, user_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (staff_chat_id, staff_message_id) DO UPDATE SET ticket_id = excluded.ticket_id, "
            "user_id = excluded.user_id",
            (staff_chat_id, staff_message_id, ticket_id, user_id),
        )

    def ticket_for_staff_message(self, staff_chat_id: int, staff_message_id: int) -> dict[str, Any] | None:
        """The ticket a staff-group message belongs to."""
        rows = self.db.query(
            "SELECT t.* FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id "
            "WHERE m.staff_chat_id = ? AND m.staff_message_id = ?",
            (staff_chat_id, staff_message_id),
        )
        return rows[0] if rows else None

    def staff_copies(self, user_id: int) -> list[dict[str, Any]]:
        """The staff-group messages (chat id, message id) that belong to the user's tickets."""
        return self.db.query(
            "SELECT staff_chat_id, staff_message_id FROM ticket_messages WHERE user_id = ?", (user_id,)
        )

    def purge_closed_tickets(self, older_than_days: int) -> int:
        """Delete closed tickets (and their message map) past the retention period."""
        cutoff = (datetime.now(UTC) - timedelta(days=older_than_days)).replace(microsecond=0).isoformat()
        ids = "SELECT id FROM tickets WHERE status = 'closed' AND closed < ?"
        counts = self.db.transaction(
            [
                (f"DELETE FROM ticket_messages WHERE ticket_id IN ({ids})", (cutoff,)),
                (f"DELETE FROM drafts WHERE ticket_id IN ({ids})", (cutoff,)),
                ("DELETE FROM tickets WHERE status = 'closed' AND closed < ?", (cutoff,)),
            ]
        )
        return counts[-1]

    def add_draft(self, ticket_id: int, text: str) -> int:
        """Keep a staff draft until someone presses 'Send to user'."""
        return self.db.insert(
            "INSERT INTO drafts (ticket_id, text, created) VALUES (?, ?, ?) RETURNING id", (ticket_id, text, _now())
        )

    def pop_draft(self, draft_id: int) -> dict[str, Any] | None:
        """Take a draft out (a second press finds nothing and sends nothing)."""
        # One statement, so two workers handling two presses cannot both take it.
        rows = self.db.query("DELETE FROM drafts WHERE id = ? RETURNING *", (draft_id,))
        return rows[0] if rows else None

    # --- aggregate counters (no user ids)
    def count(self, metric: str, key: str = "", by: int = 1) -> None:
        """Add to today's counter for metric/key."""
        self.count_all([(metric, key)], by)

    def count_all(self, pairs: list[tuple[str, str]], by: int = 1) -> None:
        """Add to several of today's counters in one transaction (an answer touches up to seven)."""
        # Sorted: every worker then locks the shared counter rows in the same order, so two cannot deadlock.
        day = _today()
        self.db.transaction([(_BUMP, (day, metric, key, by)) for metric, key in sorted(pairs)])

    def counters(self, since_days: int = 30) -> list[dict[str, Any]]:
        """Counter rows of the last days."""
        start = (datetime.now(UTC).date() - timedelta(days=since_days)).isoformat()
        return self.db.query("SELECT day, metric, key, count FROM counters WHERE day >= ? ORDER BY day", (start,))

    # --- answers a user may rate, and questions the bot could not answer (no user ids, redacted text)
    def log_answer(self, lang: str, topic: str, question: str) -> int:
        """Keep a redacted question for a short while so a 👎 can put it on the unanswered list."""
        return self.db.insert(
            "INSERT INTO answer_log (created, lang, topic, question) VALUES (?, ?, ?, ?) RETURNING id",
            (_now(), lang, topic, question),
        )

    def logged_answer(self, answer_id: int) -> dict[str, Any] | None:
        """A logged answer by id."""
        rows = self.db.query("SELECT * FROM answer_log WHERE id = ?", (answer_id,))
        return rows[0] if rows else None

    def add_unanswered(self, lang: str, reason: str, text: str) -> None:
        """Put a redacted question on the staff's to-do list."""
        self.db.execute(
            "INSERT INTO unanswered (day, lang, reason, text) VALUES (?, ?, ?, ?)", (_today(), lang, reason, text)
        )

    def unanswered(self, limit: int = 20) -> list[dict[str, Any]]:
        """Most recent unanswered questions."""
        return self.db.query("SELECT day, lang, reason, text FROM unanswered ORDER BY id DESC LIMIT ?", (limit,))

    def purge_logs(self, older_than_days: int) -> None:
        """Drop old answer logs and unanswered questions (they are only for the campaign's FAQ work)."""
        cutoff = (datetime.now(UTC) - timedelta(days=older_than_days)).replace(microsecond=0).isoformat()
        self.db.transaction(
            [
                ("DELETE FROM answer_log WHERE created < ?", (cutoff,)),
                ("DELETE FROM unanswered WHERE day < ?", (cutoff[:10],)),
            ]
        )

    # --- vetted FAQ
    def add_faq(self, slug: str, entry: dict[str, Any]) -> int:
        """Store a vetted entry: {'questions': {lang: [...]}, 'answers': {lang: text}, 'refs': [...]}."""
        return self.db.insert(
            "INSERT INTO faq_entries (slug, entry, created) VALUES (?, ?, ?) "
            "ON CONFLICT(slug) DO UPDATE SET entry = excluded.entry RETURNING id",
            (slug, json.dumps(entry, ensure_ascii=False), _now()),
        )

    def faqs(self) -> list[dict[str, Any]]:
        """All vetted entries, oldest first."""
        return [
            {**row, "entry": json.loads(row["entry"])} for row in self.db.query("SELECT * FROM faq_entries ORDER BY id")
        ]

    def remove_faq(self, faq_id: int) -> bool:
        """Delete a vetted entry; False when there was none with that id."""
        return self.db.execute("DELETE FROM faq_entries WHERE id = ?", (faq_id,)).rowcount == 1
