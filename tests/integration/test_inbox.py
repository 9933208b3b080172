"""The inbox on the machine's PostgreSQL: one row per update, one chat in order, a dead worker's lease runs out."""

from __future__ import annotations

import time

import pytest

from bot.storage import open_storage
from bot.storage.database import Database
from bot.storage.inbox import Inbox


@pytest.fixture
def db(pg_url: str):
    """A migrated PostgreSQL database."""
    database = Database(pg_url)
    yield database
    database.close()


def test_a_retried_delivery_is_stored_once(db: Database) -> None:
    """Telegram sending update 7 again (no 200 seen) finds it there: one row, one handling."""
    inbox = Inbox(db, "a", 30)
    assert inbox.put(7, 100, '{"update_id": 7}') is True
    assert inbox.put(7, 100, '{"update_id": 7}') is False
    assert [c.update_id for c in inbox.claim(10)] == [7]
    assert inbox.depth() == 1


def test_one_chat_is_handled_in_order_and_other_chats_in_parallel(db: Database) -> None:
    """Chat 100's second update waits until its first is done; chat 200 goes meanwhile, to either worker."""
    first, second = Inbox(db, "a", 30), Inbox(db, "b", 30)
    for update_id, chat in ((1, 100), (2, 100), (3, 200)):
        first.put(update_id, chat, "{}")
    assert [c.update_id for c in first.claim(10)] == [1, 3]
    assert second.claim(10) == []  # 2 waits for 1, which worker a holds
    first.done(1)
    assert [c.update_id for c in second.claim(10)] == [2]
    assert db.query("SELECT payload FROM inbox WHERE update_id = 1")[0]["payload"] == ""  # no text kept once done


def test_a_dead_workers_update_is_taken_over_when_its_lease_runs_out(db: Database) -> None:
    """Worker a claims and dies; b gets nothing until the lease ends, then the update with attempt 2."""
    dead, alive = Inbox(db, "a", 0.5), Inbox(db, "b", 30)
    dead.put(9, 300, "{}")
    assert [c.update_id for c in dead.claim(1)] == [9]
    assert alive.claim(1) == []
    time.sleep(0.7)
    taken = alive.claim(1)
    assert [(c.update_id, c.attempts) for c in taken] == [(9, 2)]


def test_forget_drops_handled_inbox_rows_of_the_users_chat(pg_url: str) -> None:
    """Handled updates of the user's private chat go with /forget; pending ones (not yet answered) stay."""
    storage = open_storage(pg_url)
    inbox = Inbox(storage.db, "a", 30)
    for update_id in (1, 2):
        inbox.put(update_id, 555, "{}")
    inbox.claim(1)
    inbox.done(1)
    storage.forget(555)
    assert [row["update_id"] for row in storage.db.query("SELECT update_id FROM inbox")] == [2]
    storage.db.close()


def test_purge_drops_only_handled_updates_past_the_retry_horizon(db: Database) -> None:
    """A handled update from three days ago goes; a handled one from now and a pending one stay."""
    inbox = Inbox(db, "a", 30)
    for update_id in (1, 2, 3):
        inbox.put(update_id, update_id, "{}")
    for claimed in inbox.claim(2):
        inbox.done(claimed.update_id)
    db.execute("UPDATE inbox SET done_at = done_at - 3 * 86400 WHERE update_id = 1")
    assert inbox.purge(2 * 86400) == 1
    assert [row["update_id"] for row in db.query("SELECT update_id FROM inbox ORDER BY update_id")] == [2, 3]
