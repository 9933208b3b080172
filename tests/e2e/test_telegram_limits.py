"""Floods, Telegram's pace limits, and logs that keep the users' words and the token out."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.core.assistant import Assistant
from tests.e2e.conftest import bot_settings, running
from tests.fakebotapi import FakeBotApi, FakeUser, RateLimits

TIMEOUT = 30.0


def send_times(server: FakeBotApi, chat_id: int) -> list[float]:
    """When the bot successfully put a message into the chat."""
    return sorted(c.time for c in server.calls("sendMessage")
                  if c.ok and str(c.params.get("chat_id")) == str(chat_id))


async def test_flood_of_100_messages_leaves_the_bot_answering_at_telegrams_pace(
        server: FakeBotApi, assistant: Assistant, tmp_path: Path) -> None:
    """100 messages in a burst: one polite notice, no more than ~1 send a second, and the bot still answers."""
    server.set_rate_limits(RateLimits.telegram())
    settings = bot_settings(server, tmp_path / "data", flood_limit=3, flood_window_s=4.0)
    user = FakeUser(server, 601, "Jo", language_code="en")
    async with running(settings, assistant):
        for n in range(100):
            user.send_text(f"question number {n}: can Meta use my photos for AI?")
        await server.await_idle(quiet=2.0, timeout=TIMEOUT)
        burst = server.sent(user.id)
        assert sum("very quickly" in m["text"] for m in burst) == 1
        assert len(burst) <= 3 * 2 + 1  # three answers (at most two parts each) and the notice
        await asyncio.sleep(settings.flood_window_s)
        user.send_text("Do I need to object separately on Instagram?")
        await server.await_messages(user.id, len(burst) + 1, timeout=TIMEOUT)
    times = send_times(server, user.id)
    for i in range(len(times)):
        for j in range(i + 1, len(times)):
            # j - i sends after the i-th one need at least about j - i - 1 seconds (one burst message allowed).
            assert times[j] - times[i] >= (j - i - 1) * 0.95
    assert not [c for c in server.calls("sendMessage") if c.status == 429]


async def test_logs_hold_no_message_text_name_or_token(
        server: FakeBotApi, assistant: Assistant, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """At DEBUG level, a whole conversation leaves no user words, names or token in the log."""
    caplog.set_level(logging.DEBUG)
    secret = "Zanzibar-4417 my neighbour Cunégonde"
    user = FakeUser(server, 602, "Philibert", language_code="fr", username="philibert_99")
    async with running(bot_settings(server, tmp_path / "data"), assistant):
        user.send_command("/start")
        user.send_text(f"{secret} : est-ce que Meta peut utiliser mes photos ?")
        user.send_sticker()
        await server.await_messages(user.id, 3, timeout=TIMEOUT)
        user.send_command("/feedback", "trop long, Zanzibar-4417")
        await server.await_messages(user.id, 4, timeout=TIMEOUT)
    logged = caplog.text
    assert "Application started" in logged  # the capture did see the bot's logs
    for forbidden in ("Zanzibar", "Cunégonde", "Philibert", "philibert_99", server.token, server.token.split(":")[1]):
        assert forbidden not in logged
