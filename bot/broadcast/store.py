"""Campaign updates in the database: consent, broadcasts, the delivery list and its lease; plain portable SQL."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from bot.broadcast.model import FALLBACK, OPEN, Audience, Draft, Preview, Progress
from bot.core.types import LANGS

if TYPE_CHECKING:
    from bot.storage.database import Database

# The people an update may reach: consent given and not withdrawn; their /lang choice wins over the consent's.
_RECIPIENTS = (
    "SELECT c.user_id AS user_id, COALESCE(u.lang, c.lang) AS lang FROM update_consent c "
    "LEFT JOIN users u ON u.user_id = c.user_id LEFT JOIN signups s ON s.user_id = c.user_id"
)


def _now() -> str:
    """UTC timestamp, second precision."""
    from bot.storage.store import now

    return now()


def _audience_sql(audience: Audience) -> tuple[str, tuple[Any, ...]]:
    """WHERE clause and parameters for an audience filter."""
    clauses, params = ["1 = 1"], []
    if audience.countries:
        clauses.append(f"s.country IN ({', '.join('?' for _ in audience.countries)})")
        params += list(audience.countries)
    if audience.signed_up is not None:
        clauses.append("s.ref IS NOT NULL" if audience.signed_up else "s.ref IS NULL")
    return " WHERE " + " AND ".join(clauses), tuple(params)


class BroadcastStore:
    """Every query of the feature, over the bot's Database (SQLite here; the SQL is PostgreSQL-compatible)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- consent to receive updates
    def consent_of(self, user_id: int) -> dict[str, Any] | None:
        """The user's consent record, None when they have not agreed (or withdrew)."""
        rows = self.db.query("SELECT * FROM update_consent WHERE user_id = ?", (user_id,))
        return rows[0] if rows else None

    def give_consent(self, user_id: int, lang: str, source: str, version: str) -> None:
        """Record (or renew) the agreement with the version of the text agreed to; the sign-up record follows."""
        self.db.transaction([
            ("INSERT INTO update_consent (user_id, lang, source, consent_version, agreed) VALUES (?, ?, ?, ?, ?) "
             "ON CONFLICT(user_id) DO UPDATE SET lang = excluded.lang, source = excluded.source, "
             "consent_version = excluded.consent_version, agreed = excluded.agreed",
             (user_id, lang, source, version, _now())),
            ("UPDATE signups SET contact_ok = 1 WHERE user_id = ?", (user_id,)),
        ])

    def withdraw_consent(self, user_id: int) -> bool:
        """Erase the consent; deliveries not yet sent to the user are dropped. False when there was none."""
        counts = self.db.transaction([
            ("DELETE FROM update_consent WHERE user_id = ?", (user_id,)),
            ("UPDATE signups SET contact_ok = 0 WHERE user_id = ?", (user_id,)),
            ("UPDATE broadcast_deliveries SET status = 'withdrawn', updated = ? "
             "WHERE user_id = ? AND status = 'pending'", (time.time(), user_id)),
        ])
        return counts[0] == 1

    # --- drafts and confirmation
    def create(self, draft: Draft, created_by: int | None) -> int:
        """Store a draft (nothing is sent before it is confirmed); returns its id."""
        return self.db.insert(
            "INSERT INTO broadcasts (created, created_by, texts, buttons, button_url, audience, status) "
            "VALUES (?, ?, ?, ?, ?, ?, 'draft') RETURNING id",
            (_now(), created_by, json.dumps(draft.texts, ensure_ascii=False),
             json.dumps(draft.button_labels, ensure_ascii=False), draft.button_url,
             json.dumps(draft.audience.as_dict())),
        )

    def get(self, broadcast_id: int) -> dict[str, Any] | None:
        """A broadcast row."""
        rows = self.db.query("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return rows[0] if rows else None

    @staticmethod
    def draft_of(row: dict[str, Any]) -> Draft:
        """The Draft stored in a broadcast row."""
        return Draft(json.loads(row["texts"]), json.loads(row["buttons"]), row["button_url"],
                     Audience.from_dict(json.loads(row["audience"])))

    def preview(self, draft: Draft, rate: float) -> Preview:
        """Recipients per language now, and how many get the English text instead of their own."""
        where, params = _audience_sql(draft.audience)
        rows = self.db.query(f"SELECT r.lang AS lang, COUNT(*) AS n FROM ({_RECIPIENTS}{where}) r GROUP BY r.lang",
                             params)
        per_lang = {lang: 0 for lang in LANGS}
        for row in rows:
            lang = row["lang"] if row["lang"] in LANGS else FALLBACK
            per_lang[lang] += int(row["n"])
        fallbacks = sum(n for lang, n in per_lang.items() if lang != FALLBACK and not draft.texts.get(lang))
        return Preview(per_lang, fallbacks, rate)

    def confirm(self, broadcast_id: int, confirmed_by: int | None) -> int:
        """Store the delivery list and start the broadcast, atomically; 0 when it was not a draft (any more)."""
        row = self.get(broadcast_id)
        if row is None or row["status"] != "draft":
            return 0
        draft = self.draft_of(row)
        where, params = _audience_sql(draft.audience)
        with_text = [lang for lang in LANGS if draft.texts.get(lang)]
        lang_sql = f"CASE WHEN r.lang IN ({', '.join('?' for _ in with_text)}) THEN r.lang ELSE '{FALLBACK}' END"
        guard = "(SELECT status FROM broadcasts WHERE id = ?) = 'draft'"
        counts = self.db.transaction([
            (f"INSERT INTO broadcast_deliveries (broadcast_id, user_id, lang, status, attempts, next_try, updated) "
             f"SELECT ?, r.user_id, {lang_sql}, 'pending', 0, 0, ? FROM ({_RECIPIENTS}{where}) r WHERE {guard}",
             (broadcast_id, *with_text, time.time(), *params, broadcast_id)),
            ("UPDATE broadcasts SET status = 'running', confirmed_by = ?, confirmed = ?, started = ? "
             "WHERE id = ? AND status = 'draft'", (confirmed_by, _now(), time.time(), broadcast_id)),
        ])
        return counts[0] if counts[1] == 1 else 0

    def discard(self, broadcast_id: int) -> bool:
        """Drop a draft nobody confirmed."""
        return self.db.execute("UPDATE broadcasts SET status = 'discarded' WHERE id = ? AND status = 'draft'",
                               (broadcast_id,)).rowcount == 1

    # --- control
    def set_status(self, broadcast_id: int, new: str, allowed_from: tuple[str, ...]) -> bool:
        """pause / resume / cancel / done; cancelling also closes every row not yet sent."""
        marks = ", ".join("?" for _ in allowed_from)
        ending = ", finished = ?" if new in ("cancelled", "done") else ""
        values = (new, time.time()) if ending else (new,)
        statements = [(f"UPDATE broadcasts SET status = ?{ending} WHERE id = ? AND status IN ({marks})",
                       (*values, broadcast_id, *allowed_from))]
        if new == "cancelled":
            statements.append(("UPDATE broadcast_deliveries SET status = 'cancelled', updated = ? "
                               "WHERE broadcast_id = ? AND status = 'pending'", (time.time(), broadcast_id)))
        return self.db.transaction(statements)[0] == 1

    def set_status_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        """Where the staff group's status message is (edited by whichever worker sends)."""
        self.db.execute("UPDATE broadcasts SET status_chat_id = ?, status_message_id = ? WHERE id = ?",
                        (chat_id, message_id, broadcast_id))

    def runnable(self) -> list[int]:
        """Broadcasts that need a sender: running or paused, and no live lease."""
        rows = self.db.query("SELECT id FROM broadcasts WHERE status IN ('running', 'paused') "
                             "AND (lease_owner IS NULL OR lease_until < ?) ORDER BY id", (time.time(),))
        return [int(row["id"]) for row in rows]

    def resend_uncertain(self, broadcast_id: int) -> int:
        """Staff chose to send again to the rows a crash left uncertain; the broadcast runs again for them."""
        counts = self.db.transaction([
            ("UPDATE broadcast_deliveries SET status = 'pending', error = 'resent', next_try = 0, updated = ? "
             "WHERE broadcast_id = ? AND status = 'uncertain' "
             "AND (SELECT status FROM broadcasts WHERE id = ?) IN ('done', 'running', 'paused')",
             (time.time(), broadcast_id, broadcast_id)),
            ("UPDATE broadcasts SET status = 'running' WHERE id = ? AND status IN ('done', 'running', 'paused') "
             "AND EXISTS (SELECT 1 FROM broadcast_deliveries WHERE broadcast_id = ? AND status = 'pending')",
             (broadcast_id, broadcast_id)),
        ])
        return counts[0]

    # --- the lease: one sender per broadcast, across processes and workers
    def claim(self, broadcast_id: int, owner: str, seconds: float) -> bool:
        """Take or renew the lease; False when another live sender holds it or the broadcast ended."""
        now = time.time()
        return self.db.execute(
            "UPDATE broadcasts SET lease_owner = ?, lease_until = ? WHERE id = ? AND status IN ('running', 'paused') "
            "AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)",
            (owner, now + seconds, broadcast_id, owner, now),
        ).rowcount == 1

    def release(self, broadcast_id: int, owner: str) -> None:
        """Give the lease back."""
        self.db.execute("UPDATE broadcasts SET lease_owner = NULL, lease_until = NULL WHERE id = ? "
                        "AND lease_owner = ?", (broadcast_id, owner))

    def orphaned_to_uncertain(self, broadcast_id: int) -> int:
        """Rows a dead sender left `sending`: their message may or may not have gone out (never resent)."""
        return self.db.execute("UPDATE broadcast_deliveries SET status = 'uncertain', error = 'interrupted', "
                               "updated = ? WHERE broadcast_id = ? AND status = 'sending'",
                               (time.time(), broadcast_id)).rowcount

    # --- the delivery list
    def due(self, broadcast_id: int, after_id: int, limit: int) -> list[dict[str, Any]]:
        """Pending rows whose (re)try time has come, in list order."""
        return self.db.query(
            "SELECT id, user_id, lang, attempts FROM broadcast_deliveries WHERE broadcast_id = ? "
            "AND status = 'pending' AND id > ? AND next_try <= ? ORDER BY id LIMIT ?",
            (broadcast_id, after_id, time.time(), limit))

    def next_retry_at(self, broadcast_id: int) -> float | None:
        """When the earliest pending row may be tried; None when nothing is pending."""
        rows = self.db.query("SELECT MIN(next_try) AS t FROM broadcast_deliveries WHERE broadcast_id = ? "
                             "AND status = 'pending'", (broadcast_id,))
        return rows[0]["t"] if rows and rows[0]["t"] is not None else None

    def start_sending(self, row_id: int) -> bool:
        """Write-ahead: the row is `sending` before the request leaves; False when it is not pending any more."""
        return self.db.execute("UPDATE broadcast_deliveries SET status = 'sending', attempts = attempts + 1, "
                               "updated = ? WHERE id = ? AND status = 'pending'", (time.time(), row_id)).rowcount == 1

    def settle(self, row_id: int, status: str, error: str | None = None, retry_at: float = 0.0) -> None:
        """The outcome of one send (`pending` with retry_at for a later attempt)."""
        self.db.execute("UPDATE broadcast_deliveries SET status = ?, error = ?, next_try = ?, updated = ? "
                        "WHERE id = ? AND status IN ('sending', 'uncertain')",
                        (status, error, retry_at, time.time(), row_id))

    def give_back(self, row_id: int) -> None:
        """A 429: back to pending, and the attempt does not count (the recipient did nothing wrong)."""
        self.db.execute("UPDATE broadcast_deliveries SET status = 'pending', attempts = attempts - 1, error = ?, "
                        "updated = ? WHERE id = ? AND status = 'sending'", ("retry_after", time.time(), row_id))

    def progress(self, broadcast_id: int, rate: float = 0.0) -> Progress | None:
        """Counts per delivery state; no user ids."""
        row = self.get(broadcast_id)
        if row is None:
            return None
        rows = self.db.query("SELECT status, COUNT(*) AS n FROM broadcast_deliveries WHERE broadcast_id = ? "
                             "GROUP BY status", (broadcast_id,))
        elapsed = (row["finished"] or time.time()) - row["started"] if row["started"] else 0.0
        return Progress(broadcast_id, row["status"], {r["status"]: int(r["n"]) for r in rows}, rate, elapsed)

    def open_rows(self, broadcast_id: int) -> int:
        """Rows not yet in a final state."""
        marks = ", ".join("?" for _ in OPEN)
        rows = self.db.query(f"SELECT COUNT(*) AS n FROM broadcast_deliveries WHERE broadcast_id = ? "
                             f"AND status IN ({marks})", (broadcast_id, *OPEN))
        return int(rows[0]["n"])
