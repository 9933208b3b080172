"""Run a python-telegram-bot Application against the fake server the way run_polling() does, for a `with` block."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application


@asynccontextmanager
async def polling(app: Application[Any, Any, Any, Any, Any, Any]) -> AsyncIterator[None]:
    """Initialise, run post_init, start long polling; stop everything on the way out."""
    async with app:
        if app.post_init:  # run_polling() does this between initialize() and start()
            await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield
        finally:
            await app.updater.stop()
            await app.stop()
