"""/forget on the scale-out set-up: every PostgreSQL row about the user and every Redis key about them go."""

from __future__ import annotations

from pathlib import Path

import redis
from sqlalchemy import create_engine, inspect, text

from bot.core.assistant import Assistant
from bot.storage.database import database_url
from tests.e2e.conftest import bot_settings, running
from tests.e2e.test_flows import Walker
from tests.fakebotapi import FakeBotApi, FakeUser


def rows_about(url: str, user_id: int) -> dict[str, int]:
    """Rows with the user's id in every PostgreSQL table that has a user_id column."""
    engine = create_engine(database_url(url))
    try:
        schema = inspect(engine)
        with engine.connect() as conn:
            return {table: conn.execute(text(f"SELECT COUNT(*) FROM {table} WHERE user_id = :u"), {"u": user_id})
                    .scalar_one() for table in schema.get_table_names()
                    if any(c["name"] == "user_id" for c in schema.get_columns(table))}
    finally:
        engine.dispose()


async def test_forget_erases_postgresql_rows_and_redis_keys(
    server: FakeBotApi, assistant: Assistant, tmp_path: Path, pg_url: str, redis_settings: dict[str, str]
) -> None:
    """A user who asked, chose a language and made progress is gone from both stores; another user stays."""
    settings = bot_settings(server, tmp_path / "data", database_url=pg_url, **redis_settings)
    keys = redis.Redis.from_url(redis_settings["redis_url"])
    prefix = redis_settings["redis_prefix"]
    user, other = FakeUser(server, 7_300_000_001, "Lea", language_code="en"), FakeUser(server, 7_300_000_002, "Max")
    async with running(settings, assistant) as app:
        storage = app.bot_data["services"].storage
        walk = Walker(server, user)
        for who in (user, other):
            who.send_text("Can Meta use my photos to train its AI?")
            await server.await_for(lambda person=who: server.bot_messages(person.id), 20.0, what="a reply")
            storage.mark_done(who.id, "object:instagram")
        storage.set_lang(user.id, "en")
        assert keys.keys(f"{prefix}*:{user.id}") and sum(rows_about(pg_url, user.id).values()) >= 2
        user.send_command("/forget")
        await walk.press("fg:yes")
        await walk.text("has been erased")
        assert keys.keys(f"{prefix}flood*:{user.id}") == []
    assert sum(rows_about(pg_url, user.id).values()) == 0
    # The confirmation itself was paced: that key holds only the send time and lapses within seconds.
    await server.await_for(lambda: not keys.keys(f"{prefix}*:{user.id}"), 3.0, what="pace key lapses")
    assert rows_about(pg_url, other.id)["progress"] == 1 and keys.keys(f"{prefix}flood:{other.id}")
    keys.close()
