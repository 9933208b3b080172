"""Closed tickets are purged by an asyncio task that starts with the bot and stops with it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from telegram.ext import ApplicationBuilder

from bot.storage import open_storage
from bot.telegram.handlers.support_relay import schedule_purge


async def test_purge_task_runs_at_start_and_is_cancelled_at_stop(tmp_path: Path) -> None:
    """A ticket closed 40 days ago goes at start-up; one closed today stays; the task ends with the bot."""
    storage = open_storage(tmp_path / "db.sqlite3")
    old, recent = storage.open_ticket(1, 1, "en", ""), storage.open_ticket(2, 2, "en", "")
    storage.close_ticket(old)
    storage.close_ticket(recent)
    long_ago = (datetime.now(UTC) - timedelta(days=40)).replace(microsecond=0).isoformat()
    storage.db.execute("UPDATE tickets SET closed = ? WHERE id = ?", (long_ago, old))
    app = ApplicationBuilder().token("1:fake").build()
    app.bot_data["services"] = SimpleNamespace(storage=storage, settings=SimpleNamespace(ticket_retention_days=30))
    schedule_purge(app)
    await app.post_init(app)
    for _ in range(100):
        if storage.ticket(old) is None:
            break
        await asyncio.sleep(0.01)
    assert storage.ticket(old) is None and storage.ticket(recent) is not None
    task = app.bot_data["purge_task"]
    await app.post_stop(app)
    await asyncio.sleep(0)
    assert task.cancelled() or task.done()
