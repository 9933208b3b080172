"""Storage on SQLite and on PostgreSQL: preferences, walkthroughs, sign-ups, tickets, counters, and /forget."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from bot.broadcast.model import Draft
from bot.broadcast.store import BroadcastStore
from bot.storage import open_storage


@pytest.fixture
def store(storage_target):
    """A fresh database: a SQLite file, then a PostgreSQL database."""
    storage = open_storage(storage_target)
    yield storage
    storage.db.close()


def signup(user_id: int, ref: str) -> dict:
    """A minimal sign-up record."""
    return {"ref": ref, "user_id": user_id, "country": "FR", "platforms": ["facebook"],
            "eligibility": {"adult": True}, "contact_ok": True, "consent_version": "v1"}


def test_language_preference_is_remembered_and_changed(store):
    """A user's chosen language is returned until they pick another."""
    assert store.get_lang(1) is None
    store.set_lang(1, "fr")
    store.set_lang(2, "de")
    store.set_lang(1, "en")
    assert store.get_lang(1) == "en"
    assert store.get_lang(2) == "de"


def test_flow_state_round_trip(store):
    """A walkthrough in progress comes back exactly as saved, and can be cleared."""
    answers = {"platforms": ["facebook", "instagram"], "country": "DE", "adult": True}
    store.save_flow(7, "signup", "consent", answers, ["start", "country"])
    store.save_flow(7, "signup", "confirm", answers, ["start", "country", "consent"])
    state = store.load_flow(7)
    assert (state["flow"], state["step"]) == ("signup", "confirm")
    assert state["answers"] == answers
    assert state["history"] == ["start", "country", "consent"]
    store.clear_flow(7)
    assert store.load_flow(7) is None


def test_progress_records_each_item_once(store):
    """Pressing 'Done' twice keeps one entry per item."""
    store.mark_done(3, "facebook")
    store.mark_done(3, "facebook")
    store.mark_done(3, "instagram")
    assert set(store.progress(3)) == {"facebook", "instagram"}
    assert store.progress(4) == {}


def test_signup_is_idempotent(store):
    """A double press stores one sign-up; the second insert reports False."""
    assert store.add_signup(signup(5, "REF-1")) is True
    assert store.add_signup(signup(5, "REF-2")) is False
    assert store.signup_of(5)["ref"] == "REF-1"
    assert len(store.signups()) == 1


def test_open_ticket_returns_the_existing_open_ticket(store):
    """A user has at most one open ticket; after closing, a new one is opened."""
    first = store.open_ticket(9, 900, "en", "faq/how-to-object")
    assert store.open_ticket(9, 900, "en", "other") == first
    assert store.open_ticket(10, 1000, "fr", "x") != first
    assert store.close_ticket(first) is True
    assert store.close_ticket(first) is False
    assert store.ticket(first)["status"] == "closed"
    assert store.open_ticket_of(9) is None
    assert store.open_ticket(9, 900, "en", "again") != first


def test_staff_message_maps_back_to_its_ticket(store):
    """A staff reply to a forwarded message finds the ticket even without forward info."""
    ticket = store.open_ticket(11, 1100, "de", "topic")
    store.map_staff_message(-100, 42, ticket, 11)
    found = store.ticket_for_staff_message(-100, 42)
    assert found["id"] == ticket
    assert found["user_id"] == 11
    assert store.ticket_for_staff_message(-100, 43) is None


def _fill(store, user_id: int) -> int:
    """Give a user rows everywhere; return their ticket id."""
    store.set_lang(user_id, "fr")
    store.save_flow(user_id, "object", "form", {"a": 1}, ["start"])
    store.mark_done(user_id, "facebook")
    store.add_signup(signup(user_id, f"REF-{user_id}"))
    ticket = store.open_ticket(user_id, user_id * 10, "fr", "topic")
    store.map_staff_message(-100, user_id, ticket, user_id)
    store.add_draft(ticket, "Draft reply")
    updates = BroadcastStore(store.db)
    updates.give_consent(user_id, "fr", "updates", "v1")
    updates.confirm(updates.create(Draft({"en": "News"}), None), None)  # a delivery row for the user
    return ticket


def test_forget_erases_the_user_from_every_table_with_a_user_id(store):
    """/forget leaves no row with the user's id anywhere, including tables added later."""
    _fill(store, 1)
    other_ticket = _fill(store, 2)
    assert store.forget(1) > 0
    schema = inspect(store.db.engine)
    tables = [name for name in schema.get_table_names()
              if any(column["name"] == "user_id" for column in schema.get_columns(name))]
    assert len(tables) >= 6
    for table in tables:
        assert store.db.query(f"SELECT COUNT(*) AS n FROM {table} WHERE user_id = 1")[0]["n"] == 0, table
        assert store.db.query(f"SELECT COUNT(*) AS n FROM {table} WHERE user_id = 2")[0]["n"] > 0, table
    drafts = store.db.query("SELECT ticket_id FROM drafts")
    assert drafts == [{"ticket_id": other_ticket}]
    assert all(rows == [] for rows in store.mydata(1).values())


def _close_at(store, ticket_id: int, days_ago: int) -> None:
    """Close a ticket and backdate its closing time."""
    store.close_ticket(ticket_id)
    when = (datetime.now(UTC) - timedelta(days=days_ago)).replace(microsecond=0).isoformat()
    store.db.execute("UPDATE tickets SET closed = ? WHERE id = ?", (when, ticket_id))


def test_purge_removes_only_old_closed_tickets(store):
    """Retention deletes closed tickets past the cutoff with their message map; open and recent ones stay."""
    old = store.open_ticket(1, 1, "en", "t")
    recent = store.open_ticket(2, 2, "en", "t")
    still_open = store.open_ticket(3, 3, "en", "t")
    store.db.execute("UPDATE tickets SET opened = '2020-01-01T00:00:00+00:00' WHERE id = ?", (still_open,))
    for ticket, user in ((old, 1), (recent, 2), (still_open, 3)):
        store.map_staff_message(-100, ticket, ticket, user)
    _close_at(store, old, 40)
    _close_at(store, recent, 5)
    assert store.purge_closed_tickets(30) == 1
    assert store.ticket(old) is None
    assert store.ticket_for_staff_message(-100, old) is None
    assert store.ticket(recent) is not None
    assert store.ticket(still_open)["status"] == "open"
    assert store.ticket_for_staff_message(-100, still_open)["id"] == still_open


def test_counters_add_up_per_day_and_key(store):
    """Counts for the same day, metric and key add up; old days fall out of the window."""
    store.count("question", "en")
    store.count("question", "en", by=2)
    store.count("question", "fr")
    store.db.execute("INSERT INTO counters (day, metric, key, count) VALUES ('2000-01-01', 'question', 'en', 99)")
    rows = {(r["metric"], r["key"]): r["count"] for r in store.counters(since_days=30)}
    assert rows == {("question", "en"): 3, ("question", "fr"): 1}


def test_data_survives_reopening(storage_target):
    """A restart finds the same language, walkthrough and sign-up."""
    first = open_storage(storage_target)
    first.set_lang(1, "de")
    first.save_flow(1, "object", "form", {"platform": "instagram"}, ["start"])
    first.add_signup(signup(1, "REF-1"))
    first.db.close()
    second = open_storage(storage_target)
    assert second.get_lang(1) == "de"
    assert second.load_flow(1)["answers"] == {"platform": "instagram"}
    assert second.add_signup(signup(1, "REF-1")) is False
    second.db.close()


def test_telegram_sized_ids_are_stored(store):
    """User ids past 2**31 and supergroup ids like -100… fit on both databases."""
    big = 7_123_456_789
    store.set_lang(big, "fr")
    ticket = store.open_ticket(big, big, "fr", "t")
    store.map_staff_message(-1001234567890, 2**40, ticket, big)
    assert store.get_lang(big) == "fr"
    assert store.ticket_for_staff_message(-1001234567890, 2**40)["user_id"] == big
