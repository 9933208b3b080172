"""A worker's HTTP side as Telegram and an operator meet it: secret token, 200 after commit, health, metrics."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from aiohttp import web
from redis.asyncio import Redis

from bot.scale.worker import SECRET_HEADER, Worker
from bot.storage.inbox import Inbox
from bot.telegram.app import build_application
from tests.conftest import make_settings
from tests.fakebotapi import FakeBotApi
from tests.load.cluster import free_port


def post(url: str, body: dict, secret: str | None) -> int:
    """POST JSON as Telegram does; the HTTP status."""
    headers = {"Content-Type": "application/json", **({SECRET_HEADER: secret} if secret else {})}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def get(url: str) -> tuple[int, str]:
    """GET; status and body."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


async def test_webhook_checks_the_secret_stores_once_and_reports(
    tmp_path: Path, pg_url: str, redis_settings: dict[str, str]
) -> None:
    """A wrong secret is refused and stores nothing; a retried update is stored once; health and metrics answer."""
    with FakeBotApi() as server:
        settings = make_settings(tmp_path, telegram_token=server.token, telegram_api_url=server.url,
                                 database_url=pg_url, **redis_settings)
        app = build_application(settings)
        inbox = Inbox(app.bot_data["services"].storage.db, "t", 30)
        worker = Worker(app, inbox, "s3cret", 2, app.bot_data["redis"])
        runner = web.AppRunner(worker.routes("/hook"))
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        base = f"http://127.0.0.1:{port}"
        update = {"update_id": 41, "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"},
                                               "text": "hello"}}
        try:
            assert await _in_thread(post, f"{base}/hook", update, None) == 403
            assert await _in_thread(post, f"{base}/hook", update, "wrong") == 403
            assert inbox.depth() == 0
            assert await _in_thread(post, f"{base}/hook", update, "s3cret") == 200
            assert await _in_thread(post, f"{base}/hook", update, "s3cret") == 200
            assert inbox.depth() == 1
            assert await _in_thread(get, f"{base}/healthz") == (200, "ok")
            assert await _in_thread(get, f"{base}/readyz") == (200, "ready")
            status, text = await _in_thread(get, f"{base}/metrics")
            assert status == 200 and "legalbot_inbox_depth 1.0" in text
            assert "legalbot_updates_duplicate_total" in text and "hello" not in text
            worker.redis = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")  # Redis gone
            assert await _in_thread(get, f"{base}/readyz") == (503, "redis")
        finally:
            await runner.cleanup()
            app.bot_data["services"].storage.db.close()
            worker.db_threads.shutdown()
            await app.bot_data["redis"].aclose()


async def _in_thread(fn, *args):
    """Blocking HTTP from a thread, so the worker's event loop keeps serving."""
    import asyncio

    return await asyncio.to_thread(fn, *args)
