"""A webhook worker: commit each update to the inbox before answering 200, then handle it from there, once."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.scale import metrics
from bot.scale.sending import handling
from bot.storage.inbox import Claimed, Inbox

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5  # an update that kills its worker this often is set aside, so its chat is not blocked for ever
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
KEEP_HANDLED_S = 2 * 24 * 3600  # Telegram gives up retrying an update within a day: its id is not needed after


def chat_of(payload: dict[str, Any]) -> int:
    """The chat an update belongs to (its order key): the message's chat, else the sender; 0 when neither."""
    for value in payload.values():
        if isinstance(value, dict):
            chat = value.get("chat") or (value.get("message") or {}).get("chat") or value.get("from") or {}
            if "id" in chat:
                return int(chat["id"])
    return 0


class Worker:
    """The HTTP side (webhook, health, metrics) and the processor of one worker process."""

    def __init__(self, app: Application, inbox: Inbox, secret: str, concurrency: int, redis: Any) -> None:
        self.app, self.inbox, self.secret, self.concurrency, self.redis = app, inbox, secret, concurrency, redis
        self.wake = asyncio.Event()
        self.running: dict[int, asyncio.Task[None]] = {}
        # Database calls get threads of their own: answering questions must not delay a webhook's commit.
        self.db_threads = ThreadPoolExecutor(4, thread_name_prefix="inbox")

    async def db(self, fn: Any, *args: Any) -> Any:
        """Run a blocking inbox call on the database threads."""
        return await asyncio.get_running_loop().run_in_executor(self.db_threads, fn, *args)

    def routes(self, path: str) -> web.Application:
        """The worker's HTTP application."""
        site = web.Application()
        site.add_routes([web.post(path, self.webhook), web.get("/healthz", self.healthz),
                         web.get("/readyz", self.readyz), web.get("/metrics", self.metrics)])
        return site

    async def webhook(self, request: web.Request) -> web.Response:
        """Telegram's call: check the secret, commit the update, then say 200 (a 5xx makes Telegram retry)."""
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), self.secret):
            return web.Response(status=403)
        try:
            payload = await request.json()
            update_id = int(payload["update_id"])
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400)
        metrics.UPDATES_RECEIVED.inc()
        if not await self.db(self.inbox.put, update_id, chat_of(payload), json.dumps(payload)):
            metrics.UPDATES_DUPLICATE.inc()
        self.wake.set()
        return web.Response(status=200)

    async def healthz(self, _request: web.Request) -> web.Response:
        """Alive."""
        return web.Response(text="ok")

    async def readyz(self, _request: web.Request) -> web.Response:
        """Ready when the database and Redis answer (503 names the one that does not)."""
        problems = []
        try:
            await self.db(self.inbox.depth)
        except Exception:
            problems.append("database")
        try:
            await self.redis.ping()
        except Exception:
            problems.append("redis")
        return web.Response(status=503 if problems else 200, text=" ".join(problems) or "ready")

    async def metrics(self, _request: web.Request) -> web.Response:
        """Prometheus text format; the inbox depth is read now."""
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        metrics.QUEUE_DEPTH.set(await self.db(self.inbox.depth))
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def process_forever(self, stop: asyncio.Event) -> None:
        """Claim what is ready while there is room; wake on a new update, a finished one, or every 100 ms."""
        while not stop.is_set():
            free = self.concurrency - len(self.running)
            try:
                claimed = await self.db(self.inbox.claim, free) if free > 0 else []
            except Exception as exc:
                log.warning("Inbox claim failed (%s); retrying.", type(exc).__name__)
                claimed = []
                await asyncio.sleep(1)
            for item in claimed:
                self.running[item.update_id] = asyncio.create_task(self._handle(item))
            if claimed and len(self.running) < self.concurrency:
                continue
            self.wake.clear()
            waker = asyncio.ensure_future(self.wake.wait())
            await asyncio.wait({waker, *self.running.values()}, timeout=0.1, return_when=asyncio.FIRST_COMPLETED)
            waker.cancel()
        if self.running:
            await asyncio.wait(list(self.running.values()), timeout=self.inbox.lease_s)

    async def renew_forever(self, stop: asyncio.Event) -> None:
        """Keep the lease of updates in hand (a third of the lease at a time); now and then drop old handled ids."""
        purged_at = 0.0
        while not stop.is_set():
            await asyncio.sleep(self.inbox.lease_s / 3)
            if self.running:
                await self.db(self.inbox.renew, list(self.running))
            if time.monotonic() - purged_at > 3600:
                purged_at = time.monotonic()
                await self.db(self.inbox.purge, KEEP_HANDLED_S)

    async def _handle(self, item: Claimed) -> None:
        """Handle one update through the bot's handlers, then mark it done."""
        handling(item.update_id)
        try:
            if item.attempts > 1:
                metrics.UPDATES_TAKEN_OVER.inc()
            if item.attempts <= MAX_ATTEMPTS:
                await self.app.process_update(Update.de_json(json.loads(item.payload), self.app.bot))
            else:
                log.warning("Update %d set aside after %d attempts.", item.update_id, item.attempts)
        except Exception as exc:  # the type only: an exception's text may quote the user's message
            metrics.UPDATE_ERRORS.inc()
            log.warning("Update %d failed: %s", item.update_id, type(exc).__name__)
        finally:
            await self.db(self.inbox.done, item.update_id)
            metrics.UPDATES_PROCESSED.inc()
            metrics.LATENCY.observe(max(0.0, time.time() - item.received))
            self.running.pop(item.update_id, None)
