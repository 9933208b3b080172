"""`legalbot run --webhook URL` with PostgreSQL and Redis set: one of several identical webhook workers."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.errors import LegalbotError
from bot.settings import Settings
from bot.storage.inbox import Inbox

log = logging.getLogger(__name__)


def scaled(settings: Settings) -> bool:
    """Whether this configuration runs as a worker of many (PostgreSQL storage)."""
    url = settings.database_url or ""
    if url.startswith(("postgresql", "postgres:")) and not settings.redis_url:
        raise LegalbotError("Webhook workers on PostgreSQL need LEGALBOT_REDIS_URL too (the shared limits).")
    return url.startswith(("postgresql", "postgres:"))


def run_worker(settings: Settings, webhook: str, listen: str, port: int) -> int:
    """Serve until SIGTERM or SIGINT; updates in hand are finished, the rest wait in the inbox for the others."""
    asyncio.run(_serve(settings, webhook, listen, port))
    return 0


async def _serve(settings: Settings, webhook: str, listen: str, port: int) -> None:
    """Start the bot, the HTTP server, the processor and the lease keeper; stop them in reverse order."""
    from bot.scale.worker import Worker
    from bot.telegram.app import build_application, load_assistant

    if settings.webhook_secret is None:
        raise LegalbotError("Webhook mode needs LEGALBOT_WEBHOOK_SECRET (Telegram sends it with every call).")
    secret = settings.webhook_secret.get_secret_value()
    app = build_application(settings, assistant=load_assistant(settings))
    name = f"{socket.gethostname()}:{os.getpid()}"
    inbox = Inbox(app.bot_data["services"].storage.db, name, settings.inbox_lease_s)
    worker = Worker(app, inbox, secret, settings.worker_concurrency, app.bot_data["redis"])
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    await app.bot.set_webhook(webhook, secret_token=secret, allowed_updates=Update.ALL_TYPES)
    runner = web.AppRunner(worker.routes(urlsplit(webhook).path or "/"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, listen, port).start()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    log.info("Worker %s serving the webhook on %s:%d.", name, listen, port)
    tasks = [asyncio.create_task(worker.process_forever(stop)), asyncio.create_task(worker.renew_forever(stop))]
    await stop.wait()
    await runner.cleanup()
    await tasks[0]
    tasks[1].cancel()
    await app.stop()
    await app.shutdown()
    await app.bot_data["redis"].aclose()
    worker.db_threads.shutdown()
