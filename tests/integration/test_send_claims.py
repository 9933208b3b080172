"""A worker's answer is claimed in Redis only when its request is about to be written: never earlier, never twice."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from telegram import Bot, Message
from telegram.error import NetworkError
from telegram.ext import Application

from bot.scale import claims
from bot.scale.sending import handling
from bot.telegram.app import build_application
from tests.conftest import make_settings
from tests.fakebotapi import FakeBotApi, FakeUser
from tests.load.cluster import free_port

CHAT = 5


def worker_app(folder: Path, api_url: str, token: str, redis_settings: dict[str, str]) -> Application:
    """The bot of one scale-out worker (Redis-shared limits), talking to `api_url`."""
    settings = make_settings(folder, telegram_token=token, telegram_api_url=api_url, **redis_settings)
    return build_application(settings)


async def answer(app: Application, update_id: int) -> Message:
    """Handle inbox update `update_id` as a worker does: its one reply, in a task of its own."""

    async def run() -> Message:
        handling(update_id)
        return await app.bot.send_message(CHAT, "answer")

    return await asyncio.create_task(run())


async def close(app: Application) -> None:
    """Release the app's HTTP client and Redis connection."""
    await app.bot.request.shutdown()
    await app.bot_data["redis"].aclose()


async def test_a_send_that_got_no_connection_leaves_no_claim(tmp_path: Path, redis_settings: dict[str, str]) -> None:
    """Worker A cannot reach the API (connection refused): its reply is not claimed, so worker B, retrying the
    update, sends it; a claim taken before the connection would have made B skip it and the user get nothing."""
    with FakeBotApi() as server:
        FakeUser(server, CHAT, "Ann")
        cut_off = worker_app(tmp_path / "a", f"http://127.0.0.1:{free_port()}", server.token, redis_settings)
        healthy = worker_app(tmp_path / "b", server.url, server.token, redis_settings)
        try:
            with pytest.raises(NetworkError):
                await answer(cut_off, 7)
            sent = await answer(healthy, 7)
        finally:
            await close(cut_off)
            await close(healthy)
        assert [call.status for call in server.calls("sendMessage")] == [200]
        assert sent.message_id == server.sent(CHAT)[0]["message_id"]


async def test_a_429_gives_the_claim_back_until_the_retry(tmp_path: Path, redis_settings: dict[str, str]) -> None:
    """Telegram refuses the first request (429, retry after 1 s): no claim is held during the wait (a worker taking
    the update over then would send it), and the retry claims again, sends once and records its answer."""
    redis = Redis.from_url(redis_settings["redis_url"])
    key = f"{redis_settings['redis_prefix']}sent:11:0"
    with FakeBotApi() as server:
        FakeUser(server, CHAT, "Ann")
        app = worker_app(tmp_path, server.url, server.token, redis_settings)
        server.inject_error("sendMessage", "Too Many Requests: retry after 1", 429, retry_after=1)
        try:
            sending = asyncio.create_task(answer(app, 11))
            await server.await_for(lambda: server.store.log, 10.0, what="the refused request")
            deadline = time.monotonic() + 5.0
            while await redis.exists(key):
                assert len(server.calls("sendMessage")) < 2, "the claim was held through the wait for the retry"
                assert time.monotonic() < deadline
                await asyncio.sleep(0.01)
            sent = await sending
            recorded: Any = json.loads(await redis.get(key))  # type: ignore[arg-type]
        finally:
            await close(app)
            await redis.aclose()
        assert [call.status for call in server.calls("sendMessage")] == [429, 200]
        assert recorded["message_id"] == sent.message_id


async def test_a_claimed_message_stops_before_its_first_byte(redis_settings: dict[str, str]) -> None:
    """Another attempt claimed the message first: the request is stopped inside httpx before it is written (the API
    sees nothing), AlreadySent comes out of python-telegram-bot, and the next request still goes through."""
    redis = Redis.from_url(redis_settings["redis_url"])
    taken, free = (f"{redis_settings['redis_prefix']}sent:9:{n}" for n in (0, 1))
    await redis.set(taken, json.dumps({"message_id": 1}))
    with FakeBotApi() as server:
        FakeUser(server, CHAT, "Ann")
        try:
            async with Bot(server.token, base_url=server.base_url, request=claims.claiming_request()) as bot:
                with pytest.raises(claims.AlreadySent):
                    await claims.send(claims.Claim(redis, taken, 60), lambda: bot.send_message(CHAT, "twice?"))
                assert server.calls("sendMessage") == []
                await claims.send(claims.Claim(redis, free, 60), lambda: bot.send_message(CHAT, "once"))
            held = await redis.get(free)
        finally:
            await redis.aclose()
        assert [call.status for call in server.calls("sendMessage")] == [200]
        assert held is not None and held.startswith(claims.CLAIMED)
