"""Two senders on one database (two workers): the lease lets only one of them send a given broadcast."""

from __future__ import annotations

import asyncio
from pathlib import Path

from telegram.ext import ApplicationBuilder

from bot.broadcast.budget import LocalBudget
from bot.broadcast.engine import BroadcastSender, EngineConfig
from bot.broadcast.model import Draft
from bot.broadcast.store import BroadcastStore
from bot.storage.database import Database
from bot.telegram.broadcasting import TelegramTransport
from bot.telegram.ratelimit import ChatRateLimiter
from tests.e2e.broadcast_helpers import TEXTS, seed, update_messages
from tests.fakebotapi import FakeBotApi


async def test_only_the_lease_holder_sends_and_the_other_worker_stands_by(server: FakeBotApi, tmp_path: Path) -> None:
    """Both workers try at once: one sends everything, the other finds the lease taken; nobody gets two."""
    path = tmp_path / "legalbot.sqlite3"
    expected = seed(server, path, 60)
    connections = [Database(path), Database(path)]  # one per worker, as two processes would have
    stores = [BroadcastStore(db) for db in connections]
    broadcast_id = stores[0].create(Draft(TEXTS), None)
    stores[0].confirm(broadcast_id, None)
    limiter = ChatRateLimiter(budget=LocalBudget(100))
    app = ApplicationBuilder().token(server.token).base_url(server.base_url).rate_limiter(limiter).build()
    async with app:
        senders = [BroadcastSender(store, TelegramTransport(app.bot), limiter.budget, EngineConfig(lease_s=5))
                   for store in stores]
        senders[1].owner = "another-host:4242"
        results = await asyncio.gather(*(sender.run(broadcast_id) for sender in senders))
    for db in connections:
        db.close()
    assert sorted(result is None for result in results) == [False, True]
    finished = next(result for result in results if result is not None)
    assert finished.status == "done" and finished.counts == {"sent": 60}
    assert all(len(update_messages(server, user_id)) == 1 for user_id in expected)
