"""Campaign updates on Telegram: the transport, the background sender of each worker, and the staff status message."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut
from telegram.ext import Application
from telegram.warnings import PTBDeprecationWarning

from bot.broadcast.engine import BroadcastSender, EngineConfig, RetryLater, Unknown, Unreachable
from bot.broadcast.model import Progress
from bot.broadcast.preview import status_text
from bot.broadcast.store import BroadcastStore
from bot.core.i18n import t
from bot.settings import Settings
from bot.support.tickets import STAFF_LANG
from bot.telegram.ratelimit import BULK

log = logging.getLogger(__name__)
POLL_S = 1.0  # how often a worker looks for a broadcast that needs a sender (confirmed elsewhere, or orphaned)
STOP_WAIT_S = 5.0  # a clean stop waits this long for the sends in flight
GONE = ("chat not found", "user is deactivated", "bot was kicked")


async def send_update(bot: Bot, chat_id: int, html: str, button: tuple[str, str] | None, **extra: Any) -> None:
    """A campaign update as recipients get it (the staff preview is sent the same way)."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(button[0], url=button[1])]]) if button else None
    await bot.send_message(chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup,
                           link_preview_options=LinkPreviewOptions(is_disabled=True), **extra)


class TelegramTransport:
    """sendMessage as a low-priority send of the shared budget; Telegram's answers become the engine's outcomes."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, html: str, button: tuple[str, str] | None) -> None:
        """One message; 403 -> Unreachable, 429 -> RetryLater, read timeout -> Unknown."""
        try:
            await send_update(self.bot, chat_id, html, button, rate_limit_args=BULK)
        except Forbidden as exc:
            raise Unreachable from exc
        except RetryAfter as exc:
            with warnings.catch_warnings():  # PTB 22 warns that the type will become timedelta: both are handled
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                wait = exc.retry_after
            raise RetryLater(wait.total_seconds() if isinstance(wait, timedelta) else float(wait)) from exc
        except TimedOut as exc:
            raise Unknown from exc
        except BadRequest as exc:
            if any(reason in str(exc).lower() for reason in GONE):
                raise Unreachable from exc
            raise


def engine_config(settings: Settings) -> EngineConfig:
    """The engine's knobs from the settings."""
    return EngineConfig(concurrency=settings.broadcast_concurrency, max_attempts=settings.broadcast_max_attempts,
                        backoff_s=settings.broadcast_backoff_s, lease_s=settings.broadcast_lease_s,
                        progress_every_s=settings.broadcast_status_every_s)


def control_keyboard(broadcast_id: int, status: str) -> InlineKeyboardMarkup | None:
    """Pause or Resume, and Cancel, while the broadcast can still change."""
    if status not in ("running", "paused"):
        return None
    toggle = ("pause", "broadcast.buttons.pause") if status == "running" else ("resume", "broadcast.buttons.resume")
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t(STAFF_LANG, toggle[1]), callback_data=f"bc:{toggle[0]}:{broadcast_id}"),
        InlineKeyboardButton(t(STAFF_LANG, "broadcast.buttons.cancel"), callback_data=f"bc:cancel:{broadcast_id}"),
    ]])


async def show_status(bot: Bot, store: BroadcastStore, progress: Progress, rate_limit: float) -> None:
    """Edit the staff group's status message, if the broadcast has one (a CLI broadcast has none)."""
    row = store.get(progress.broadcast_id)
    if row is None or row["status_chat_id"] is None:
        return
    try:
        await bot.edit_message_text(status_text(progress, rate_limit), chat_id=row["status_chat_id"],
                                    message_id=row["status_message_id"],
                                    reply_markup=control_keyboard(progress.broadcast_id, progress.status))
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


class Broadcaster:
    """Each worker runs one: it picks up broadcasts that need a sender (the lease keeps it to one at a time)."""

    def __init__(self, app: Application, settings: Settings, store: BroadcastStore) -> None:
        self.app, self.settings, self.store = app, settings, store
        limiter: Any = app.bot.rate_limiter
        self.sender = BroadcastSender(store, TelegramTransport(app.bot), limiter.budget, engine_config(settings),
                                      on_progress=self.progress)
        self.wake = asyncio.Event()

    async def progress(self, progress: Progress) -> None:
        """Show progress in the staff group."""
        await show_status(self.app.bot, self.store, progress, self.settings.send_rate_per_s)

    async def loop(self) -> None:
        """Send whatever is runnable; sleep until poked (a confirmation here) or the next look."""
        while not self.sender.stopped:
            for broadcast_id in await asyncio.to_thread(self.store.runnable):
                try:
                    done = await self.sender.run(broadcast_id)
                except Exception as exc:  # the lease runs out and this or another worker resumes it
                    log.warning("broadcast %s stopped on %s; it will be resumed", broadcast_id, type(exc).__name__)
                    continue
                if done is not None:
                    log.info("broadcast %s: %s", broadcast_id, done.status)
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), POLL_S)


def sender_database(settings: Settings) -> Any:
    """The sender's own connection, committing without an fsync each time (WAL with synchronous=NORMAL).

    A killed process loses nothing this way (the write-ahead log is in the operating system's hands); only a power
    loss could lose the last few marks. With an fsync per mark the sender managed ~47 sends a second on this machine
    and stalled the event loop 20 ms per send; the bot's own connection keeps its settings.
    """
    from bot.storage.database import Database

    db = Database(settings.storage_target)
    if db.dialect == "sqlite":
        db.execute("PRAGMA synchronous=NORMAL")
    return db


def start_broadcaster(app: Application) -> None:
    """Run the broadcaster from post_init to post_stop (a plain asyncio task, like the ticket purge)."""
    previous_init, previous_stop = app.post_init, app.post_stop

    async def post_init(application: Application) -> None:
        if previous_init:
            await previous_init(application)
        svc = application.bot_data["services"]
        broadcaster = Broadcaster(application, svc.settings, BroadcastStore(sender_database(svc.settings)))
        application.bot_data["broadcaster"] = broadcaster
        application.bot_data["broadcast_task"] = asyncio.create_task(broadcaster.loop(), name="legalbot:broadcast")

    async def post_stop(application: Application) -> None:
        task = application.bot_data.pop("broadcast_task", None)
        broadcaster = application.bot_data.pop("broadcaster", None)
        if broadcaster is not None:
            # Let the sends in flight finish (a cut-off send would become `uncertain`), then stop.
            broadcaster.sender.stopped = True
            broadcaster.wake.set()
        if task:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, STOP_WAIT_S)
        if broadcaster is not None:
            broadcaster.store.db.close()
        if previous_stop:
            await previous_stop(application)

    app.post_init, app.post_stop = post_init, post_stop
